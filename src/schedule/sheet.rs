//! A schedule as printed in a spreadsheet (the layout of Qiling's attachment): a title naming the
//! year above the table, then 月份 · 工作安排 · 主管单位, a month cell merged over its rows. What
//! the import checks row by row.

use super::rules::{Line, read_line, year_in_title};
use crate::error::{Error, FieldErrors, Msg, Result};
use crate::imports::{Column, ColumnMap, cell, data_rows, map_columns};
use crate::spreadsheet::Sheet;

/// The columns of a printed schedule, with the headers people write for them.
pub const COLUMNS: &[Column] = &[
    Column::required("months", "月份*", &["月份", "时间", "月"]),
    Column::required(
        "item",
        "工作安排*",
        &["工作安排", "工作内容", "工作项目", "工作事项"],
    ),
    Column::required(
        "units",
        "主管单位*",
        &["主管单位", "责任单位", "负责单位", "牵头单位"],
    ),
];

/// A printed schedule read: its year, and each data row (spreadsheet row number) as a line or
/// the reasons it was refused.
#[derive(Debug)]
pub struct Printed {
    pub year: i32,
    /// Each field's column and its header as written in the file.
    pub columns: ColumnMap,
    pub rows: Vec<(usize, std::result::Result<Line, FieldErrors>)>,
}

/// Reads a sheet as printed (merged months standing for each row they cover). The year is the
/// one its title names, else `year`. A column the schedule does not have is refused by its
/// header (its content would be lost without a word).
pub fn read_printed(sheet: &Sheet, year: i32) -> Result<Printed> {
    let printed = sheet.with_merged_filled();
    let (header, cols) = map_columns(&printed, COLUMNS)?;
    let unknown: Vec<String> = printed.rows[header]
        .iter()
        .enumerate()
        .filter(|(i, c)| !c.is_empty() && !cols.values().any(|(at, _)| at == i))
        .map(|(_, c)| c.text())
        .collect();
    if !unknown.is_empty() {
        return Err(Error::BadRequest(
            Msg::new("schedule.unknown_columns").arg("columns", unknown.join("、")),
        ));
    }
    let year = printed.rows[..header]
        .iter()
        .flatten()
        .find_map(|c| year_in_title(&c.text()))
        .unwrap_or(year);
    let rows = data_rows(&printed, header)
        .map(|(n, r)| {
            let [months, item, units] = ["months", "item", "units"].map(|f| cell(r, &cols, f).0);
            (
                n,
                read_line(&months.text(), &item.text(), &units.text(), year),
            )
        })
        .collect();
    Ok(Printed {
        year,
        columns: cols,
        rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Qiling's 配档表 as LibreOffice saves it once pasted from Word: 20 lines of 2021 under 11
    /// month cells, items and units as printed.
    #[test]
    fn qilings_schedule_reads_as_printed() {
        let bytes = include_bytes!("../../tests/fixtures/qiling-schedule.xlsx");
        let sheet = crate::spreadsheet::read(bytes, "配档表.xlsx").unwrap();
        let p = read_printed(&sheet, 2026).unwrap();
        assert_eq!(p.year, 2021, "the year of the title");
        let lines: Vec<&Line> = p.rows.iter().map(|(_, l)| l.as_ref().unwrap()).collect();
        assert_eq!(lines.len(), 20);
        let mut months: Vec<String> = lines.iter().map(|l| l.months.label()).collect();
        months.dedup();
        assert_eq!(months.len(), 11);
        assert_eq!((months[0].as_str(), months[10].as_str()), ("1-2月", "12月"));
        assert_eq!(lines[1].item, "庆三八系列活动");
        assert_eq!(lines[1].units, ["齐陵街道办事处"]);
        assert!(
            lines
                .iter()
                .all(|l| l.months.year == 2021 && l.units.len() == 1)
        );
        assert_eq!(
            p.rows[0].0, 3,
            "spreadsheet row numbers, under the title and header"
        );
    }

    #[test]
    fn a_column_the_schedule_does_not_have_is_refused_by_its_header() {
        use crate::spreadsheet::Cell;
        let t = |s: &str| Cell::Text(s.into());
        let sheet = Sheet {
            rows: vec![
                vec![t("月份"), t("工作安排"), t("主管单位"), t("完成情况")],
                vec![
                    t("3月"),
                    t("庆三八系列活动"),
                    t("齐陵街道办事处"),
                    t("已完成"),
                ],
            ],
            ..Sheet::default()
        };
        match read_printed(&sheet, 2026) {
            Err(Error::BadRequest(m)) => {
                assert_eq!(m.key, "schedule.unknown_columns");
                assert_eq!(m.args[0].1, "完成情况");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn an_empty_month_that_no_merge_covers_is_refused_at_its_row() {
        use crate::spreadsheet::Cell;
        let t = |s: &str| Cell::Text(s.into());
        let sheet = Sheet {
            rows: vec![
                vec![t("月份"), t("工作安排"), t("主管单位")],
                vec![t("3月"), t("庆三八系列活动"), t("齐陵街道办事处")],
                vec![Cell::Empty, t("社会实践活动"), t("齐陵街道中心校")],
            ],
            ..Sheet::default()
        };
        let p = read_printed(&sheet, 2026).unwrap();
        assert_eq!(p.year, 2026, "no title: the year given");
        assert!(p.rows[0].1.is_ok());
        let (row, refused) = &p.rows[1];
        assert_eq!(*row, 3);
        let e = refused.as_ref().unwrap_err();
        assert_eq!(e.0[0].0, "months");
    }
}
