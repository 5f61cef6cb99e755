//! Spreadsheet imports of residents and households (teachers use the same batches, see `teachers`).
//! Two steps: `preview` validates every row — required fields, phone format, ID checksum, known
//! community inside the actor's scope, duplicates inside the file and against stored data — and
//! keeps the valid rows in a pending batch with a report of every bad row; `confirm` writes the
//! valid rows in one transaction, so a failed import leaves nothing behind.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::rules;
use super::{ResidentInput, ResidentValues, store};
use crate::access::{Actor, Permission};
use crate::audit::{self, Entry};
use crate::db::{Db, Tx};
use crate::error::{Error, Msg, Result};
use crate::org::{self, Kind, Node};
use crate::page::PageRequest;
use crate::spreadsheet::{Cell, Sheet, Table};

/// What a batch imports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ImportKind {
    Residents,
    Households,
    Teachers,
}

impl ImportKind {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            ImportKind::Residents => "residents",
            ImportKind::Households => "households",
            ImportKind::Teachers => "teachers",
        }
    }

    /// Parses a stored or submitted kind.
    pub fn parse(s: &str) -> Option<ImportKind> {
        [
            ImportKind::Residents,
            ImportKind::Households,
            ImportKind::Teachers,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

/// Hours a checked import waits for its confirmation before its rows are dropped.
pub const PENDING_HOURS: i64 = 24;

/// One refused row: its spreadsheet row number, the column as headed in the file, and why.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RowError {
    pub row: usize,
    pub column: String,
    pub key: String,
    pub args: Vec<(String, String)>,
}

impl RowError {
    /// A row error from a message.
    pub fn from_msg(row: usize, column: &str, m: &Msg) -> RowError {
        RowError::new(row, column, m)
    }

    fn new(row: usize, column: &str, m: &Msg) -> RowError {
        RowError {
            row,
            column: column.to_string(),
            key: m.key.to_string(),
            args: m
                .args
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
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

/// A batch as the report page shows it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Batch {
    pub id: i64,
    pub kind: ImportKind,
    pub town_id: i64,
    pub file_name: String,
    /// pending, imported or cancelled
    pub status: String,
    pub total_rows: i64,
    pub valid_rows: i64,
    pub errors: Vec<RowError>,
    pub created_at: DateTime<Utc>,
}

/// A column of an import: the field, the aliases a header may use, and whether it is required.
pub struct Column {
    pub field: &'static str,
    pub header: &'static str,
    pub aliases: &'static [&'static str],
    pub required: bool,
    /// Digits that must be typed into a text-formatted column.
    pub text: bool,
}

/// The resident import's columns (the template's headers, in order).
pub const RESIDENT_COLUMNS: &[Column] = &[
    Column {
        field: "name",
        header: "姓名*",
        aliases: &["姓名"],
        required: true,
        text: false,
    },
    Column {
        field: "gender",
        header: "性别",
        aliases: &["性别"],
        required: false,
        text: false,
    },
    Column {
        field: "birth_date",
        header: "出生日期",
        aliases: &["出生日期", "出生年月", "生日"],
        required: false,
        text: false,
    },
    Column {
        field: "phone",
        header: "手机号码",
        aliases: &["手机号码", "手机号", "手机", "联系电话", "电话"],
        required: false,
        text: true,
    },
    Column {
        field: "id_number",
        header: "身份证号码",
        aliases: &["身份证号码", "身份证号", "身份证", "公民身份号码"],
        required: false,
        text: true,
    },
    Column {
        field: "community",
        header: "社区/村*",
        aliases: &["社区/村", "社区", "村", "所属社区", "村/社区"],
        required: true,
        text: false,
    },
    Column {
        field: "household",
        header: "家庭(门牌/户)",
        aliases: &["家庭", "户", "门牌", "住址"],
        required: false,
        text: false,
    },
    Column {
        field: "building",
        header: "楼栋/村组",
        aliases: &["楼栋/村组", "楼栋", "村组"],
        required: false,
        text: false,
    },
    Column {
        field: "tags",
        header: "人群标签",
        aliases: &["人群标签", "标签", "人群类别"],
        required: false,
        text: false,
    },
    Column {
        field: "guardian_consent",
        header: "监护人同意",
        aliases: &["监护人同意", "监护人已同意"],
        required: false,
        text: false,
    },
];

/// The household import's columns.
pub const HOUSEHOLD_COLUMNS: &[Column] = &[
    Column {
        field: "community",
        header: "社区/村*",
        aliases: &["社区/村", "社区", "村", "所属社区", "村/社区"],
        required: true,
        text: false,
    },
    Column {
        field: "household",
        header: "家庭(门牌/户)*",
        aliases: &["家庭", "户", "门牌", "住址"],
        required: true,
        text: false,
    },
    Column {
        field: "building",
        header: "楼栋/村组",
        aliases: &["楼栋/村组", "楼栋", "村组"],
        required: false,
        text: false,
    },
];

/// A header cell reduced to compare with aliases: no `*`, no spaces, no parenthesised hint.
fn header_key(s: &str) -> String {
    let mut out = String::new();
    let mut depth = 0;
    for c in s.chars() {
        match c {
            '(' | '（' => depth += 1,
            ')' | '）' => depth -= 1,
            '*' | '＊' | ' ' | '\u{3000}' => {}
            c if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// Where each field of an import sits: column index and the header as written in the file.
pub type ColumnMap = HashMap<&'static str, (usize, String)>;

/// Finds each column's index from the header row (the first row with any text).
pub fn map_columns(sheet: &Sheet, columns: &'static [Column]) -> Result<(usize, ColumnMap)> {
    let header_row = sheet
        .rows
        .iter()
        .position(|r| r.iter().any(|c| !c.is_empty()))
        .ok_or_else(|| Error::BadRequest(Msg::new("sheet.empty")))?;
    let mut found = HashMap::new();
    for (i, cell) in sheet.rows[header_row].iter().enumerate() {
        let raw = cell.text();
        let key = header_key(&raw);
        if let Some(col) = columns.iter().find(|c| c.aliases.contains(&key.as_str()))
            && !found.contains_key(col.field)
        {
            found.insert(col.field, (i, raw));
        }
    }
    let missing: Vec<&str> = columns
        .iter()
        .filter(|c| c.required && !found.contains_key(c.field))
        .map(|c| c.header.trim_end_matches('*'))
        .collect();
    if !missing.is_empty() {
        return Err(Error::BadRequest(
            Msg::new("sheet.missing_columns").arg("columns", missing.join("、")),
        ));
    }
    Ok((header_row, found))
}

/// The import template: headers, one example row, and notes.
pub fn template(kind: ImportKind) -> Table {
    let (columns, example, notes): (&[Column], Vec<&str>, Vec<&str>) = match kind {
        ImportKind::Residents => (
            RESIDENT_COLUMNS,
            vec![
                "王秀英",
                "女",
                "1958-03-12",
                "13812345678",
                "",
                "群力社区",
                "3栋2单元401",
                "3栋",
                "老年人、妇女",
                "",
            ],
            vec![
                "说明:带 * 的列必填;手机号码和身份证号码列已设为文本格式,请直接填写,不要改成数字格式。",
                "人群标签可填:老年人、青少年、妇女、企业职工、农民、残疾人、外来人口,多个用顿号分隔。",
                "14 岁以下儿童须在“监护人同意”列填“是”。示例行可删除;同一手机号或身份证号只能登记一次。",
            ],
        ),
        ImportKind::Households => (
            HOUSEHOLD_COLUMNS,
            vec!["群力社区", "3栋2单元401", "3栋"],
            vec!["说明:带 * 的列必填;同一社区内家庭名称(门牌)不能重复。"],
        ),
        ImportKind::Teachers => (
            crate::teachers::TEACHER_COLUMNS,
            vec![
                "李建国",
                "男",
                "13912345678",
                "兼职",
                "退休教师",
                "群力镇社区教育学校",
                "文体、卫生",
                "书法",
            ],
            vec![
                "说明:类型填 专职/兼职/志愿者;来源填 专家、技术人员、在职教师、离退休干部、退休教师、离退休技术人员、社会能人、大学生、机关工作人员、社区工作人员。",
                "所属单位填镇社区教育学校或学习中心/工作站的名称;擅长主题用顿号分隔。",
            ],
        ),
    };
    Table {
        sheet_name: match kind {
            ImportKind::Residents => "居民",
            ImportKind::Households => "家庭",
            ImportKind::Teachers => "师资",
        }
        .into(),
        headers: columns.iter().map(|c| c.header.to_string()).collect(),
        rows: vec![example.into_iter().map(str::to_string).collect()],
        text_columns: columns
            .iter()
            .enumerate()
            .filter(|(_, c)| c.text)
            .map(|(i, _)| i)
            .collect(),
        notes: notes.into_iter().map(str::to_string).collect(),
    }
}

/// The town an import goes into: one the actor sees, or the one the actor's scope lies in.
pub async fn import_town(db: &Db, actor: &Actor, town_id: i64) -> Result<Node> {
    actor.require(Permission::PeopleImport)?;
    let town = org::get_node_unscoped(db, town_id)
        .await?
        .filter(|t| t.kind() == Kind::Town && t.retired_at.is_none())
        .ok_or(Error::NotFound)?;
    if actor.sees(&town.path) || actor.scope_path.starts_with(&town.path) {
        Ok(town)
    } else {
        Err(Error::NotFound)
    }
}

/// Communities of `town` that the actor may import into, by name.
async fn communities_by_name(db: &Db, actor: &Actor, town: &Node) -> Result<HashMap<String, Node>> {
    let filter = org::NodeFilter {
        kind: Some(Kind::Community),
        ..Default::default()
    };
    let page = org::list_nodes(db, actor, &filter, PageRequest::new(Some(1), Some(200))).await?;
    let mut out = HashMap::new();
    let mut n = 1;
    let mut items = page.items;
    let total = page.total;
    loop {
        for c in items.drain(..) {
            if c.path.starts_with(&town.path) {
                out.insert(c.name.clone(), c);
            }
        }
        if (n * 200) as i64 >= total {
            break;
        }
        n += 1;
        items = org::list_nodes(db, actor, &filter, PageRequest::new(Some(n), Some(200)))
            .await?
            .items;
    }
    Ok(out)
}

fn cell<'a>(row: &'a [Cell], cols: &ColumnMap, field: &str) -> (&'a Cell, String) {
    match cols.get(field) {
        Some((i, header)) => (row.get(*i).unwrap_or(&Cell::Empty), header.clone()),
        None => (&Cell::Empty, String::new()),
    }
}

fn yes(s: &str) -> bool {
    matches!(
        s.trim(),
        "是" | "已同意" | "同意" | "Y" | "y" | "yes" | "1" | "√"
    )
}

/// Validates the rows of a resident sheet; returns the valid values and every row error.
pub async fn check_residents(
    db: &Db,
    actor: &Actor,
    town: &Node,
    sheet: &Sheet,
) -> Result<(Vec<ResidentValues>, Vec<RowError>, usize)> {
    let (header_row, cols) = map_columns(sheet, RESIDENT_COLUMNS)?;
    let communities = communities_by_name(db, actor, town).await?;
    let today = crate::calendar::Day::today().0;
    let mut valid: Vec<(usize, ResidentValues)> = Vec::new();
    let mut errors = Vec::new();
    let mut phones: HashMap<String, usize> = HashMap::new();
    let mut ids: HashMap<String, usize> = HashMap::new();
    let mut total = 0;
    for (i, row) in sheet.rows.iter().enumerate().skip(header_row + 1) {
        if row.iter().all(Cell::is_empty) {
            continue;
        }
        total += 1;
        let line = i + 1;
        let mut row_errors = Vec::new();
        let header = |f: &str| cols.get(f).map(|(_, h)| h.clone()).unwrap_or_default();
        let (community_cell, community_header) = cell(row, &cols, "community");
        let community_name = community_cell.text();
        let community = communities.get(&community_name);
        if community.is_none() && !community_name.is_empty() {
            row_errors.push(RowError::new(
                line,
                &community_header,
                &Msg::new("people.import.community_unknown").arg("name", &community_name),
            ));
        }
        // Numbers: an ID number stored as a number has lost digits; a phone number has not.
        let (id_cell, id_header) = cell(row, &cols, "id_number");
        if matches!(id_cell, Cell::Number(_)) {
            row_errors.push(RowError::new(
                line,
                &id_header,
                &Msg::new("people.import.id_is_number"),
            ));
        }
        let (birth_cell, _) = cell(row, &cols, "birth_date");
        let birth_text = match birth_cell {
            Cell::Date(d) => d.to_string(),
            Cell::Number(n) => rules::excel_serial_date(*n)
                .map(|d| d.to_string())
                .unwrap_or_else(|| birth_cell.text()),
            other => other.text(),
        };
        let tags_text = cell(row, &cols, "tags").0.text();
        let tags = match rules::parse_tags(&tags_text) {
            Ok(t) => t.into_iter().map(str::to_string).collect(),
            Err(m) => {
                row_errors.push(RowError::new(line, &header("tags"), &m));
                Vec::new()
            }
        };
        let input = ResidentInput {
            name: cell(row, &cols, "name").0.text(),
            community_id: community
                .map(|c| c.id)
                .unwrap_or(if community_name.is_empty() { 0 } else { -1 }),
            gender: Some(cell(row, &cols, "gender").0.text()),
            birth_date: Some(birth_text),
            phone: Some(cell(row, &cols, "phone").0.text()),
            id_number: if matches!(id_cell, Cell::Number(_)) {
                None
            } else {
                Some(id_cell.text())
            },
            household: Some(cell(row, &cols, "household").0.text()),
            building: Some(cell(row, &cols, "building").0.text()),
            tags: Vec::new(),
            guardian_consent: yes(&cell(row, &cols, "guardian_consent").0.text()),
        };
        match super::validate(&input, today) {
            Ok(mut v) => {
                v.tags = tags;
                if let Some(p) = &v.phone {
                    if let Some(first) = phones.get(p) {
                        row_errors.push(RowError::new(
                            line,
                            &header("phone"),
                            &Msg::new("people.import.duplicate_in_file").arg("row", first),
                        ));
                    } else {
                        phones.insert(p.clone(), line);
                    }
                }
                if let Some(n) = &v.id_number {
                    if let Some(first) = ids.get(n) {
                        row_errors.push(RowError::new(
                            line,
                            &header("id_number"),
                            &Msg::new("people.import.duplicate_in_file").arg("row", first),
                        ));
                    } else {
                        ids.insert(n.clone(), line);
                    }
                }
                if row_errors.is_empty() {
                    valid.push((line, v));
                }
            }
            Err(fe) => {
                for (field, m) in fe.0 {
                    // An unknown community was reported above with its name.
                    if field == "community_id" && community.is_none() && !community_name.is_empty()
                    {
                        continue;
                    }
                    let column = match field.as_str() {
                        "community_id" => community_header.clone(),
                        f => header(f),
                    };
                    row_errors.push(RowError::new(line, &column, &m));
                }
            }
        }
        errors.extend(row_errors);
    }
    // Against the town's register (a read: no write lock is taken).
    let mut tx = db.begin_read().await?;
    let known_phones: HashSet<String> = store::registered(
        &mut tx,
        town.id,
        "phone",
        &phones.keys().cloned().collect::<Vec<_>>(),
    )
    .await?
    .into_iter()
    .collect();
    let known_ids: HashSet<String> = store::registered(
        &mut tx,
        town.id,
        "id_number",
        &ids.keys().cloned().collect::<Vec<_>>(),
    )
    .await?
    .into_iter()
    .collect();
    drop(tx);
    let mut kept = Vec::with_capacity(valid.len());
    for (line, v) in valid {
        let mut bad = false;
        if v.phone.as_ref().is_some_and(|p| known_phones.contains(p)) {
            errors.push(RowError::new(
                line,
                &cols.get("phone").map(|c| c.1.clone()).unwrap_or_default(),
                &Msg::new("people.phone_taken"),
            ));
            bad = true;
        }
        if v.id_number.as_ref().is_some_and(|n| known_ids.contains(n)) {
            errors.push(RowError::new(
                line,
                &cols
                    .get("id_number")
                    .map(|c| c.1.clone())
                    .unwrap_or_default(),
                &Msg::new("people.id_taken"),
            ));
            bad = true;
        }
        if !bad {
            kept.push(v);
        }
    }
    errors.sort_by_key(|e| e.row);
    Ok((kept, errors, total))
}

/// A validated household row.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct HouseholdValues {
    pub community_id: i64,
    pub name: String,
    pub building: Option<String>,
}

async fn check_households(
    db: &Db,
    actor: &Actor,
    town: &Node,
    sheet: &Sheet,
) -> Result<(Vec<HouseholdValues>, Vec<RowError>, usize)> {
    let (header_row, cols) = map_columns(sheet, HOUSEHOLD_COLUMNS)?;
    let communities = communities_by_name(db, actor, town).await?;
    let mut valid = Vec::new();
    let mut errors = Vec::new();
    let mut seen: HashMap<(i64, String), usize> = HashMap::new();
    let mut total = 0;
    let mut tx = db.begin().await?;
    for (i, row) in sheet.rows.iter().enumerate().skip(header_row + 1) {
        if row.iter().all(Cell::is_empty) {
            continue;
        }
        total += 1;
        let line = i + 1;
        let (c, ch) = cell(row, &cols, "community");
        let (h, hh) = cell(row, &cols, "household");
        let (b, bh) = cell(row, &cols, "building");
        let mut fe = crate::error::FieldErrors::default();
        let name = crate::text::required(&mut fe, "household", &h.text(), 60);
        let building = crate::text::optional(&mut fe, "building", Some(&b.text()), 40);
        let before = errors.len();
        for (f, m) in &fe.0 {
            errors.push(RowError::new(
                line,
                if f == "household" { &hh } else { &bh },
                m,
            ));
        }
        let community = match communities.get(&c.text()) {
            Some(n) => Some(n.id),
            None => {
                let m = if c.is_empty() {
                    Msg::new("field.required")
                } else {
                    Msg::new("people.import.community_unknown").arg("name", c.text())
                };
                errors.push(RowError::new(line, &ch, &m));
                None
            }
        };
        if let Some(cid) = community
            && errors.len() == before
        {
            if let Some(first) = seen.get(&(cid, name.clone())) {
                errors.push(RowError::new(
                    line,
                    &hh,
                    &Msg::new("people.import.duplicate_in_file").arg("row", first),
                ));
            } else if store::household_named(&mut tx, cid, &name).await?.is_some() {
                errors.push(RowError::new(
                    line,
                    &hh,
                    &Msg::new("people.household_taken").arg("name", &name),
                ));
            } else {
                seen.insert((cid, name.clone()), line);
                valid.push(HouseholdValues {
                    community_id: cid,
                    name,
                    building,
                });
            }
        }
    }
    Ok((valid, errors, total))
}

/// Validates a sheet and keeps a pending batch: valid rows wait for the user's confirmation.
pub async fn preview(
    db: &Db,
    actor: &Actor,
    kind: ImportKind,
    town_id: i64,
    file_name: &str,
    sheet: &Sheet,
) -> Result<Batch> {
    let town = import_town(db, actor, town_id).await?;
    let (payload, errors, total, valid) = match kind {
        ImportKind::Residents => {
            let (v, e, t) = check_residents(db, actor, &town, sheet).await?;
            (serde_json::to_string(&v)?, e, t, v.len())
        }
        ImportKind::Households => {
            let (v, e, t) = check_households(db, actor, &town, sheet).await?;
            (serde_json::to_string(&v)?, e, t, v.len())
        }
        ImportKind::Teachers => {
            actor.require(Permission::TeachersWrite)?;
            let (v, e, t) = crate::teachers::check_import(db, actor, &town, sheet).await?;
            (serde_json::to_string(&v)?, e, t, v.len())
        }
    };
    let file_name: String = file_name
        .chars()
        .filter(|c| !c.is_control())
        .take(120)
        .collect();
    let mut tx = db.begin().await?;
    // Rows of an import nobody confirmed within a day are personal data kept for nothing: drop
    // them.
    store::expire_batches(
        &mut tx,
        Utc::now() - chrono::Duration::hours(PENDING_HOURS),
        Utc::now(),
    )
    .await?;
    let id = store::insert_batch(
        &mut tx,
        kind.as_str(),
        town.id,
        actor.user_id,
        &file_name,
        total as i64,
        valid as i64,
        &payload,
        &serde_json::to_string(&errors)?,
        Utc::now(),
    )
    .await?;
    audit::record(&mut tx, actor, Entry {
        action: "people.import_checked", subject_type: "import_batch", subject_id: Some(id), node_path: &town.path,
        before: None, after: Some(json!({"kind": kind.as_str(), "file": file_name, "rows": total, "valid": valid, "errors": errors.len()})), result: "ok",
    }).await?;
    tx.commit().await?;
    batch(db, actor, id).await
}

/// A batch of the actor's own (another user's batch does not exist for them).
pub async fn batch(db: &Db, actor: &Actor, id: i64) -> Result<Batch> {
    actor.require(Permission::PeopleImport)?;
    let b = store::batch(db, id).await?.ok_or(Error::NotFound)?;
    if b.user_id != actor.user_id {
        return Err(Error::NotFound);
    }
    Ok(Batch {
        id: b.id,
        kind: ImportKind::parse(&b.kind).ok_or(Error::NotFound)?,
        town_id: b.town_id,
        file_name: b.file_name,
        status: b.status,
        total_rows: b.total_rows,
        valid_rows: b.valid_rows,
        errors: serde_json::from_str(&b.report)?,
        created_at: b.created_at,
    })
}

/// The report of bad rows as a spreadsheet (row number, column, reason in the chosen language).
pub fn report_table(b: &Batch, lang: crate::i18n::Lang) -> Table {
    let t = |k| crate::i18n::t(lang, k).to_string();
    Table {
        sheet_name: t("import.report_sheet"),
        headers: vec![t("import.row"), t("import.column"), t("import.reason")],
        rows: b
            .errors
            .iter()
            .map(|e| vec![e.row.to_string(), e.column.clone(), e.message(lang)])
            .collect(),
        text_columns: vec![],
        notes: vec![],
    }
}

/// Writes the valid rows of a pending batch in one transaction; returns how many were imported.
pub async fn confirm(db: &Db, actor: &Actor, id: i64) -> Result<usize> {
    let b = batch(db, actor, id).await?;
    if b.status != "pending" {
        return Err(Error::Conflict(Msg::new("import.not_pending")));
    }
    let town = org::get_node_unscoped(db, b.town_id)
        .await?
        .ok_or(Error::NotFound)?;
    let payload = store::batch_payload(db, id).await?;
    let now = Utc::now();
    let mut tx = db.begin().await?;
    // Claim the batch first: a second confirmation (double click, two tabs) finds it no longer
    // pending.
    if store::finish_batch(&mut tx, id, "imported", now).await? == 0 {
        return Err(Error::Conflict(Msg::new("import.not_pending")));
    }
    let count = match b.kind {
        ImportKind::Residents => {
            let rows: Vec<ResidentValues> = serde_json::from_str(&payload)?;
            write_residents(&mut tx, town.id, &rows, now).await?
        }
        ImportKind::Households => {
            let rows: Vec<HouseholdValues> = serde_json::from_str(&payload)?;
            for h in &rows {
                if store::household_named(&mut tx, h.community_id, &h.name)
                    .await?
                    .is_some()
                {
                    return Err(Error::Conflict(Msg::new("import.stale")));
                }
                let v = ResidentValues {
                    community_id: h.community_id,
                    building: h.building.clone(),
                    ..Default::default()
                };
                let (_, building) = store::resolve_places(&mut tx, &v, now).await?;
                store::insert_household(&mut tx, h.community_id, building, &h.name, now).await?;
            }
            rows.len()
        }
        ImportKind::Teachers => crate::teachers::write_import(&mut tx, &payload, now).await?,
    };
    audit::record(
        &mut tx,
        actor,
        Entry {
            action: "people.imported",
            subject_type: "import_batch",
            subject_id: Some(id),
            node_path: &town.path,
            before: None,
            after: Some(json!({"kind": b.kind.as_str(), "file": b.file_name, "rows": count})),
            result: "ok",
        },
    )
    .await?;
    tx.commit().await?;
    Ok(count)
}

/// Drops a pending batch without importing anything.
pub async fn cancel(db: &Db, actor: &Actor, id: i64) -> Result<()> {
    let b = batch(db, actor, id).await?;
    if b.status != "pending" {
        return Err(Error::Conflict(Msg::new("import.not_pending")));
    }
    let mut tx = db.begin().await?;
    store::finish_batch(&mut tx, id, "cancelled", Utc::now()).await?;
    tx.commit().await
}

/// Writes generated or already validated residents in one transaction with one audit record (demo
/// data, benchmarks); the same write path as a confirmed import.
pub async fn write_validated(
    db: &Db,
    actor: &Actor,
    town_id: i64,
    rows: &[ResidentValues],
    node_path: &str,
) -> Result<usize> {
    let mut tx = db.begin().await?;
    let n = write_residents(&mut tx, town_id, rows, Utc::now()).await?;
    audit::record(
        &mut tx,
        actor,
        Entry {
            action: "people.imported",
            subject_type: "residents",
            subject_id: None,
            node_path,
            before: None,
            after: Some(json!({"kind": "residents", "file": "generated", "rows": n})),
            result: "ok",
        },
    )
    .await?;
    tx.commit().await?;
    Ok(n)
}

/// Writes residents of one town's communities (checked again: someone may have registered the same
/// people since the check).
async fn write_residents(
    tx: &mut Tx,
    town_id: i64,
    rows: &[ResidentValues],
    now: DateTime<Utc>,
) -> Result<usize> {
    let phones: Vec<String> = rows.iter().filter_map(|r| r.phone.clone()).collect();
    let ids: Vec<String> = rows.iter().filter_map(|r| r.id_number.clone()).collect();
    let taken = store::registered(tx, town_id, "phone", &phones)
        .await?
        .len()
        + store::registered(tx, town_id, "id_number", &ids)
            .await?
            .len();
    if taken > 0 {
        return Err(Error::Conflict(
            Msg::new("import.stale_people").arg("count", taken),
        ));
    }
    let places = store::resolve_places_bulk(tx, rows, now).await?;
    let n = store::insert_many(tx, rows, &places, now).await?.len();
    Ok(n)
}
