//! The schedule import: a plug-in of the import engine (`crate::imports`) that reads a sheet laid
//! out like Qiling's attachment — a title naming the year, then 月份 · 工作安排 · 主管单位, the
//! month cell merged over its rows as it is once the table is pasted from the Word document into
//! Excel or WPS ([`Importer::FILLS_MERGED_CELLS`]). Rows go to the end of the year the title
//! names (else this year); a row already in that year, or twice in the file, is refused.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::rows::{Matched, import_context, write_lines};
use super::rules::Line;
use super::sheet::{COLUMNS, read_printed};
use super::{Unit, rules};
use crate::access::Permission;
use crate::calendar::{Months, Year};
use crate::db::Tx;
use crate::error::{Msg, Result};
use crate::imports::{Checked, Column, Importer, Job, RowError};
use crate::spreadsheet::Sheet;

/// A checked row of the schedule, kept in the pending batch.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ImportedRow {
    pub year: i32,
    pub first_month: u32,
    pub last_month: u32,
    pub item: String,
    pub units: Vec<Unit>,
}

/// Rows of a town's annual schedule, from a sheet laid out like the printed table.
pub struct ScheduleImport;

impl Importer for ScheduleImport {
    const KIND: &'static str = "schedule";
    const SHEET: &'static str = "工作配档表";
    const COLUMNS: &'static [Column] = COLUMNS;
    const EXAMPLE: &'static [&'static str] = &["3月", "庆三八系列活动", "齐陵街道办事处"];
    const NOTES: &'static [&'static str] = &[
        "说明:可在表格上方加一行标题并写明年份(如“2026年社区教育工作配档表”),未写年份的导入到今年。",
        "月份填 3月、1-2月 或 全年;同一月份的几项工作可合并月份单元格(从 Word 复制的表格即是如此)。",
        "主管单位可填多个,用顿号分隔;与组织架构中的名称一致时自动对应,其余按填写的单位名称保存。",
    ];
    const PERMISSION: Permission = Permission::ScheduleManage;
    const FILLS_MERGED_CELLS: bool = true;
    type Row = ImportedRow;

    async fn check(job: &Job<'_>, sheet: &Sheet) -> Result<Checked<ImportedRow>> {
        let printed = read_printed(sheet, Year::current().0)?;
        let town = (job.town.id, job.town.path.as_str());
        let (stored, nodes) = import_context(job.db, town, printed.year).await?;
        let head = |f: &str| {
            printed
                .columns
                .get(f)
                .map(|(_, h)| h.clone())
                .unwrap_or_default()
        };
        let mut seen: HashMap<(u32, u32, String), usize> = HashMap::new();
        let (mut rows, mut errors) = (Vec::new(), Vec::new());
        for (n, line) in &printed.rows {
            let line = match line {
                Ok(l) => l,
                Err(fe) => {
                    errors.extend(fe.0.iter().map(|(f, m)| RowError::new(*n, &head(f), m)));
                    continue;
                }
            };
            let key = (line.months.first, line.months.last, line.item.clone());
            let stored_key = (key.0 as i32, key.1 as i32, key.2.clone());
            if let Some(first) = seen.get(&key) {
                let m = Msg::new("people.import.duplicate_in_file").arg("row", first);
                errors.push(RowError::new(*n, &head("item"), &m));
            } else if stored.contains(&stored_key) {
                let m = Msg::new("schedule.duplicate").arg("months", line.months.label());
                errors.push(RowError::new(*n, &head("item"), &m));
            } else {
                seen.insert(key, *n);
                rows.push(ImportedRow {
                    year: printed.year,
                    first_month: line.months.first,
                    last_month: line.months.last,
                    item: line.item.clone(),
                    units: rules::match_units(&line.units, &nodes),
                });
            }
        }
        Ok(Checked {
            total: printed.rows.len(),
            rows,
            errors,
            updates: Vec::new(),
        })
    }

    async fn write(
        job: &Job<'_>,
        tx: &mut Tx,
        rows: &[ImportedRow],
        now: DateTime<Utc>,
    ) -> Result<usize> {
        let town = (job.town.id, job.town.path.as_str());
        let mut by_year: Vec<(i32, Vec<Matched>)> = Vec::new();
        for r in rows {
            let line = Line {
                months: Months {
                    year: r.year,
                    first: r.first_month,
                    last: r.last_month,
                },
                item: r.item.clone(),
                units: r.units.iter().map(|u| u.name.clone()).collect(),
            };
            match by_year.iter_mut().find(|(y, _)| *y == r.year) {
                Some((_, lines)) => lines.push((line, r.units.clone())),
                None => by_year.push((r.year, vec![(line, r.units.clone())])),
            }
        }
        let mut written = 0;
        for (year, lines) in &by_year {
            written += write_lines(tx, town, *year, lines, now).await?;
        }
        Ok(written)
    }
}
