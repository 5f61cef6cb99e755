//! Spreadsheet imports in two steps, for any concept that plugs in. `preview` reads a sheet, lets
//! the plug-in check every row (the columns it declares, its own rules, duplicates in the file and
//! against stored data) and keeps the valid rows in a pending batch with a report of every bad row;
//! `confirm` claims the batch and lets the plug-in write its rows in one transaction, so a failed
//! import leaves nothing behind. A batch is its uploader's only, and one left unconfirmed for a day
//! is cancelled with its rows dropped (personal data kept for nothing). Residents, households,
//! teachers and past activities (补录) are plug-ins today ([`Importer`], each with its [`Job`]); the
//! annual schedule, equipment and budget lines come next.

mod columns;
mod store;

pub use columns::*;

use std::future::Future;

use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::access::{Actor, Permission};
use crate::audit::{self, Entry};
use crate::db::{Db, Tx};
use crate::error::{Error, Msg, Result};
use crate::spreadsheet::{Cell, Sheet, Table};

/// Hours a checked import waits for its confirmation before its rows are dropped.
pub const PENDING_HOURS: i64 = 24;

/// The town an import goes into (the caller has checked the actor may import there).
#[derive(Clone, Debug)]
pub struct Town {
    pub id: i64,
    pub path: String,
}

/// What a plug-in's check found: the rows to keep, the bad ones, how many data rows there were, and
/// which kept rows update a record already stored (shown to the clerk before confirming).
pub struct Checked<R> {
    pub rows: Vec<R>,
    pub errors: Vec<RowError>,
    pub total: usize,
    pub updates: Vec<RowUpdate>,
}

/// A row that updates a stored record instead of adding one: its spreadsheet row, the record as
/// the clerk knows it (a masked name), and each field that will change.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RowUpdate {
    pub row: usize,
    pub subject: String,
    pub changes: Vec<FieldChange>,
}

/// One field of an update: the column as headed in the file, the stored value and the new one
/// (numbers masked).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct FieldChange {
    pub column: String,
    pub before: String,
    pub after: String,
}

/// What a batch keeps besides its rows: the bad rows and the updates (older batches stored only the
/// list of bad rows).
#[derive(Serialize, Deserialize)]
#[serde(untagged)]
enum Report {
    Full {
        errors: Vec<RowError>,
        updates: Vec<RowUpdate>,
    },
    ErrorsOnly(Vec<RowError>),
}

/// A kind of import a concept offers: its template, its row check and its writer.
pub trait Importer {
    /// The stored kind (`residents`).
    const KIND: &'static str;
    /// The template's sheet name.
    const SHEET: &'static str;
    /// The columns, in the template's order.
    const COLUMNS: &'static [Column];
    /// The template's example row.
    const EXAMPLE: &'static [&'static str];
    /// The template's notes under the example.
    const NOTES: &'static [&'static str];
    /// Who may import this kind.
    const PERMISSION: Permission;
    /// Whether a merged cell stands for each row it covers (a month merged over the rows of a
    /// printed schedule): the sheet is read as printed. Otherwise a sheet with merged cells is
    /// refused, naming the region (a row's own value is expected in each cell).
    const FILLS_MERGED_CELLS: bool = false;
    /// A checked row, kept in the pending batch until confirmed.
    type Row: Serialize + DeserializeOwned + Send + Sync;

    /// Checks every data row of the sheet for the town.
    fn check(
        job: &Job<'_>,
        sheet: &Sheet,
    ) -> impl Future<Output = Result<Checked<Self::Row>>> + Send;

    /// Writes confirmed rows inside the confirmation's transaction, as the actor who confirmed;
    /// how many were written. Rows someone registered since the check are refused here (the whole
    /// import then fails).
    fn write(
        job: &Job<'_>,
        tx: &mut Tx,
        rows: &[Self::Row],
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<usize>> + Send;
}

/// Who imports into which town: what a plug-in's check and writer work for.
pub struct Job<'a> {
    pub db: &'a Db,
    pub actor: &'a Actor,
    pub town: &'a Town,
}

/// One refused row: its spreadsheet row number, the column as headed in the file, and why.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RowError {
    pub row: usize,
    pub column: String,
    pub key: String,
    pub args: Vec<(String, String)>,
    /// The row as written in the file (cells joined by " | ", long numbers masked), so the clerk
    /// finds it; filled by the engine.
    #[serde(default)]
    pub values: String,
}

impl RowError {
    /// A row error from a message.
    pub fn new(row: usize, column: &str, m: &Msg) -> RowError {
        RowError {
            row,
            column: column.to_string(),
            key: m.key.to_string(),
            args: m
                .args
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
            values: String::new(),
        }
    }

    /// The reason in a language.
    pub fn message(&self, lang: crate::i18n::Lang) -> String {
        let mut s = crate::i18n::t(lang, &self.key).to_string();
        for (k, v) in &self.args {
            s = s.replace(&format!("{{{k}}}"), v);
        }
        s
    }
}

crate::text_enum! {
    /// Where an import batch stands: checked and waiting for confirmation, imported, or cancelled
    /// (by the clerk, or expired unconfirmed).
    pub enum BatchStatus {
        Pending = "pending",
        Imported = "imported",
        Cancelled = "cancelled",
    }
}

/// A batch as the report page shows it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Batch {
    pub id: i64,
    /// residents, households or teachers
    pub kind: String,
    pub town_id: i64,
    pub file_name: String,
    pub status: BatchStatus,
    pub total_rows: i64,
    pub valid_rows: i64,
    pub errors: Vec<RowError>,
    /// Valid rows that update a record already stored (the rest add new ones).
    pub updates: Vec<RowUpdate>,
    pub created_at: DateTime<Utc>,
}

/// The import template of a kind: headers, one example row, and notes.
pub fn template<I: Importer>() -> Table {
    Table {
        sheet_name: I::SHEET.into(),
        headers: I::COLUMNS.iter().map(|c| c.header.to_string()).collect(),
        rows: vec![I::EXAMPLE.iter().map(|s| s.to_string()).collect()],
        text_columns: I::COLUMNS
            .iter()
            .enumerate()
            .filter(|(_, c)| c.text)
            .map(|(i, _)| i)
            .collect(),
        number_columns: Vec::new(),
        charts: Vec::new(),
        notes: I::NOTES.iter().map(|s| s.to_string()).collect(),
    }
}

/// Checks a sheet and keeps a pending batch: valid rows wait for the uploader's confirmation.
pub async fn preview<I: Importer>(
    db: &Db,
    actor: &Actor,
    town: &Town,
    file_name: &str,
    sheet: &Sheet,
) -> Result<Batch> {
    actor.require(I::PERMISSION)?;
    let filled;
    let sheet = if I::FILLS_MERGED_CELLS {
        filled = sheet.with_merged_filled();
        &filled
    } else {
        sheet.refuse_merged()?;
        sheet
    };
    let mut checked = I::check(&Job { db, actor, town }, sheet).await?;
    for e in &mut checked.errors {
        e.values = row_values(sheet, e.row);
    }
    let file_name: String = file_name
        .chars()
        .filter(|c| !c.is_control())
        .take(120)
        .collect();
    let (valid, errors, updates) = (
        checked.rows.len(),
        checked.errors.len(),
        checked.updates.len(),
    );
    let now = Utc::now();
    let mut tx = db.begin().await?;
    // Rows of an import nobody confirmed within a day are personal data kept for nothing: drop
    // them.
    store::expire_batches(&mut tx, now - chrono::Duration::hours(PENDING_HOURS), now).await?;
    let id = store::insert_batch(
        &mut tx,
        I::KIND,
        town.id,
        actor.user_id,
        &file_name,
        checked.total as i64,
        valid as i64,
        &serde_json::to_string(&checked.rows)?,
        &serde_json::to_string(&Report::Full {
            errors: std::mem::take(&mut checked.errors),
            updates: std::mem::take(&mut checked.updates),
        })?,
        now,
    )
    .await?;
    audit::record(
        &mut tx,
        actor,
        Entry::of("people.import_checked", "import_batch", Some(id), &town.path).after( json!({"kind": I::KIND, "file": file_name, "rows": checked.total, "valid": valid, "errors": errors, "updates": updates}), ),
    )
    .await?;
    tx.commit().await?;
    batch(db, actor, id).await
}

/// A batch of the actor's own (another user's batch does not exist for them). Batches of the
/// command line have no user, and signed-in actors always have one.
pub async fn batch(db: &Db, actor: &Actor, id: i64) -> Result<Batch> {
    let b = store::batch(db, id).await?.ok_or(Error::NotFound)?;
    if b.user_id != actor.user_id {
        return Err(Error::NotFound);
    }
    Batch::of(b)
}

impl Batch {
    fn of(b: store::BatchRow) -> Result<Batch> {
        let (errors, updates) = match serde_json::from_str(&b.report)? {
            Report::Full { errors, updates } => (errors, updates),
            Report::ErrorsOnly(errors) => (errors, Vec::new()),
        };
        Ok(Batch {
            id: b.id,
            kind: b.kind,
            town_id: b.town_id,
            file_name: b.file_name,
            status: b.status,
            total_rows: b.total_rows,
            valid_rows: b.valid_rows,
            errors,
            updates,
            created_at: b.created_at,
        })
    }
}

/// The actor's batches waiting for confirmation (not yet expired), newest first.
pub async fn pending(db: &Db, actor: &Actor) -> Result<Vec<Batch>> {
    let Some(user) = actor.user_id else {
        return Ok(Vec::new());
    };
    let fresh = Utc::now() - chrono::Duration::hours(PENDING_HOURS);
    store::pending_of(db, user)
        .await?
        .into_iter()
        .filter(|b| b.created_at > fresh)
        .map(Batch::of)
        .collect()
}

/// A row of the sheet as the report shows it: its cells joined by " | ", every run of seven or more
/// digits (a phone or ID number) masked to its first three and last four, at most 200 characters.
pub fn row_values(sheet: &Sheet, row: usize) -> String {
    let Some(cells) = row.checked_sub(1).and_then(|i| sheet.rows.get(i)) else {
        return String::new();
    };
    let joined = cells.iter().map(Cell::text).collect::<Vec<_>>().join(" | ");
    let joined = joined.trim_end_matches([' ', '|']).to_string();
    let mut out = String::new();
    let mut digits = String::new();
    let flush = |digits: &mut String, out: &mut String| {
        if digits.chars().count() >= 7 {
            let d: Vec<char> = digits.chars().collect();
            out.extend(&d[..3]);
            out.push_str(&"*".repeat(d.len() - 7));
            out.extend(&d[d.len() - 4..]);
        } else {
            out.push_str(digits);
        }
        digits.clear();
    };
    for c in joined.chars() {
        if c.is_ascii_digit() || (c == 'X' || c == 'x') && digits.len() == 17 {
            digits.push(c);
        } else {
            flush(&mut digits, &mut out);
            out.push(c);
        }
    }
    flush(&mut digits, &mut out);
    out.chars().take(200).collect()
}

impl Batch {
    /// How many rows of the file have at least one problem (a row with three bad cells is one).
    pub fn bad_rows(&self) -> usize {
        let mut rows: Vec<usize> = self.errors.iter().map(|e| e.row).collect();
        rows.sort_unstable();
        rows.dedup();
        rows.len()
    }
}

/// The report of bad rows as a spreadsheet (row number, column, reason in the chosen language).
pub fn report_table(b: &Batch, lang: crate::i18n::Lang) -> Table {
    let t = |k| crate::i18n::t(lang, k).to_string();
    Table {
        sheet_name: t("import.report_sheet"),
        headers: vec![
            t("import.row"),
            t("import.column"),
            t("import.reason"),
            t("import.values"),
        ],
        rows: b
            .errors
            .iter()
            .map(|e| {
                vec![
                    e.row.to_string(),
                    e.column.clone(),
                    e.message(lang),
                    e.values.clone(),
                ]
            })
            .collect(),
        text_columns: vec![],
        number_columns: Vec::new(),
        charts: Vec::new(),
        notes: vec![],
    }
}

/// Writes the valid rows of a pending batch of this kind in one transaction; how many were
/// imported. A second confirmation (a double click, two tabs) finds the batch no longer pending.
pub async fn confirm<I: Importer>(db: &Db, actor: &Actor, b: &Batch, town: &Town) -> Result<usize> {
    actor.require(I::PERMISSION)?;
    if b.status != BatchStatus::Pending || b.kind != I::KIND {
        return Err(Error::Conflict(Msg::new("import.not_pending")));
    }
    let rows: Vec<I::Row> = serde_json::from_str(&store::batch_payload(db, b.id).await?)?;
    let now = Utc::now();
    let mut tx = db.begin().await?;
    if store::finish_batch(&mut tx, b.id, BatchStatus::Imported, now).await? == 0 {
        return Err(Error::Conflict(Msg::new("import.not_pending")));
    }
    let job = Job { db, actor, town };
    write_audited::<I>(&job, tx, &rows, now, Some(b.id), &b.file_name).await
}

/// Writes rows inside `tx` and records the import (the batch and its file) in the audit log, then
/// commits; how many rows were written.
async fn write_audited<I: Importer>(
    job: &Job<'_>,
    mut tx: Tx,
    rows: &[I::Row],
    now: DateTime<Utc>,
    batch_id: Option<i64>,
    file: &str,
) -> Result<usize> {
    let count = I::write(job, &mut tx, rows, now).await?;
    let entry = Entry::of("people.imported", "import_batch", batch_id, &job.town.path)
        .after(json!({"kind": I::KIND, "file": file, "rows": count}));
    audit::record(&mut tx, job.actor, entry).await?;
    tx.commit().await?;
    Ok(count)
}

/// Drops a pending batch without importing anything.
pub async fn cancel(db: &Db, actor: &Actor, id: i64) -> Result<()> {
    let b = batch(db, actor, id).await?;
    if b.status != BatchStatus::Pending {
        return Err(Error::Conflict(Msg::new("import.not_pending")));
    }
    let mut tx = db.begin().await?;
    store::finish_batch(&mut tx, id, BatchStatus::Cancelled, Utc::now()).await?;
    tx.commit().await
}

/// Writes rows that need no check (generated demo data, benchmarks) the way a confirmed import
/// does, with one audit record.
pub async fn write_checked<I: Importer>(
    db: &Db,
    actor: &Actor,
    town: &Town,
    rows: &[I::Row],
) -> Result<usize> {
    let tx = db.begin().await?;
    let job = Job { db, actor, town };
    write_audited::<I>(&job, tx, rows, Utc::now(), None, "generated").await
}

#[cfg(test)]
mod tests {
    const SCHEDULE: &[Column] = &[
        Column::required("months", "月份*", &["月份"]),
        Column::required("item", "工作安排*", &["工作安排"]),
        Column::required("unit", "主管单位*", &["主管单位"]),
    ];

    /// Qiling's 配档表 as LibreOffice saves it after pasting the attachment from Word: a title
    /// merged over the table, then each month merged over its rows. Read as printed, it is 20
    /// rows under 11 month cells, each row with its month, item and unit.
    #[test]
    fn a_schedule_pasted_from_word_reads_as_printed() {
        let bytes = include_bytes!("../../tests/fixtures/qiling-schedule.xlsx");
        let sheet = crate::spreadsheet::read(bytes, "配档表.xlsx").unwrap();
        assert_eq!(
            sheet.merged.len(),
            9,
            "the title and eight months span cells"
        );
        assert!(sheet.refuse_merged().is_err(), "a plain import refuses it");
        let printed = sheet.with_merged_filled();
        let (header, cols) = map_columns(&printed, SCHEDULE).unwrap();
        assert_eq!(header, 1, "the header is under the title");
        let rows: Vec<[String; 3]> = data_rows(&printed, header)
            .map(|(_, r)| ["months", "item", "unit"].map(|f| cell(r, &cols, f).0.text()))
            .collect();
        assert_eq!(rows.len(), 20);
        let mut months: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
        assert_eq!(months.iter().filter(|m| **m == "8月").count(), 3);
        months.dedup();
        assert_eq!(
            months,
            [
                "1-2月", "3月", "4月", "5月", "6月", "7月", "8月", "9月", "10月", "11月", "12月"
            ]
        );
        assert_eq!(
            rows[1],
            ["3月", "庆三八系列活动", "齐陵街道办事处"].map(String::from)
        );
        assert_eq!(
            rows[10],
            ["8月", "中小学教师网络研修", "齐陵街道中心校"].map(String::from)
        );
        assert_eq!(
            rows[19],
            ["12月", "走访慰问困难群众", "齐陵街道办事处"].map(String::from)
        );
    }

    #[test]
    fn a_merged_cell_fills_only_the_empty_cells_it_covers() {
        let t = |s: &str| Cell::Text(s.into());
        let sheet = Sheet {
            rows: vec![
                vec![t("5月"), t("甲")],
                vec![Cell::Empty, t("乙")],
                vec![t("x")],
            ],
            merged: vec![crate::spreadsheet::Merged {
                first: (0, 0),
                last: (5, 0),
            }],
        };
        let printed = sheet.with_merged_filled();
        assert_eq!(printed.rows[1], [t("5月"), t("乙")]);
        assert_eq!(printed.rows[2], [t("x")], "a value of its own stays");
        assert!(printed.merged.is_empty());
    }

    #[test]
    fn a_bad_row_is_shown_as_written_with_its_numbers_masked() {
        let sheet = Sheet {
            rows: vec![
                vec![Cell::Text("姓名".into())],
                vec![
                    Cell::Text("王秀英".into()),
                    Cell::Text("女".into()),
                    Cell::Text("13812345678".into()),
                    Cell::Text("11010519491231002X".into()),
                    Cell::Empty,
                ],
            ],
            ..Sheet::default()
        };
        assert_eq!(
            row_values(&sheet, 2),
            "王秀英 | 女 | 138****5678 | 110***********002X"
        );
        assert_eq!(row_values(&sheet, 9), "");
    }

    use super::*;

    const COLUMNS: &[Column] = &[
        Column::required("name", "姓名*", &["姓名"]),
        Column::optional("phone", "手机号码", &["手机号码", "手机"]).as_text(),
    ];

    fn sheet(rows: &[&[&str]]) -> Sheet {
        Sheet {
            rows: rows
                .iter()
                .map(|r| r.iter().map(|c| Cell::Text(c.to_string())).collect())
                .collect(),
            ..Sheet::default()
        }
    }

    #[test]
    fn headers_are_found_by_alias_whatever_the_hints_and_stars() {
        let s = sheet(&[
            &["", ""],
            &["手机 (文本)", "姓名*"],
            &["13800000000", "王芳"],
            &["", ""],
        ]);
        let (header, cols) = map_columns(&s, COLUMNS).unwrap();
        assert_eq!(header, 1);
        assert_eq!(cols["name"].0, 1);
        assert_eq!(cols["phone"], (0, "手机 (文本)".to_string()));
        let rows: Vec<usize> = data_rows(&s, header).map(|(n, _)| n).collect();
        assert_eq!(rows, [3], "spreadsheet row numbers, empty rows skipped");
        let (c, h) = cell(data_rows(&s, header).next().unwrap().1, &cols, "name");
        assert_eq!((c.text(), h.as_str()), ("王芳".to_string(), "姓名*"));
    }

    #[test]
    fn a_title_above_the_header_is_passed_over() {
        let s = sheet(&[&["群力镇居民名册"], &["姓名", "手机号码"], &["王芳", "1"]]);
        assert_eq!(map_columns(&s, COLUMNS).unwrap().0, 1);
        // A title over rows that name no header: the first row's missing columns are named.
        let e = map_columns(&sheet(&[&["名册"], &["王芳"]]), COLUMNS).unwrap_err();
        assert!(
            matches!(e, Error::BadRequest(m) if m.args == vec![("columns", "姓名".to_string())])
        );
    }

    #[test]
    fn a_missing_required_column_is_named() {
        let e = map_columns(&sheet(&[&["手机号码"], &["1"]]), COLUMNS).unwrap_err();
        assert!(
            matches!(e, Error::BadRequest(m) if m.args == vec![("columns", "姓名".to_string())])
        );
    }
}
