//! The resident and household imports: plug-ins of the import engine (`crate::imports`). A resident
//! row is checked like the form (required fields, mobile number, ID checksum, a community of the
//! town inside the actor's scope), then against the file (a number twice) and the town's register
//! (a number already registered); a household row needs a community and a name not taken there.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub use super::reimport::ResidentRow;
use super::reimport::{field_changes, merged};
use super::rules;
use super::{ResidentInput, ResidentRecord, ResidentValues, store};
use crate::access::{Actor, Permission};
use crate::db::{Db, Tx};
use crate::error::{Error, Msg, Result};
use crate::imports::{
    Checked, Column, Importer, Job, RowError, RowUpdate, Town, cell, data_rows, map_columns,
};
use crate::org::{self, Kind, Node};
use crate::page::PageRequest;
use crate::spreadsheet::{Cell, Sheet};

/// Residents of a town's communities, from the resident template.
pub struct ResidentImport;

impl Importer for ResidentImport {
    const KIND: &'static str = "residents";
    const SHEET: &'static str = "居民";
    const COLUMNS: &'static [Column] = RESIDENT_COLUMNS;
    const EXAMPLE: &'static [&'static str] = &[
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
    ];
    const NOTES: &'static [&'static str] = &[
        "说明:带 * 的列必填;手机号码和身份证号码列已设为文本格式,请直接填写,不要改成数字格式。",
        "人群标签可填:老年人、青少年、妇女、企业职工、农民、残疾人、外来人口,多个用顿号分隔。",
        "14 岁以下儿童须在“监护人同意”列填“是”。示例行可删除;同一手机号或身份证号只能登记一次。",
    ];
    const PERMISSION: Permission = Permission::PeopleImport;
    type Row = ResidentRow;

    async fn check(job: &Job<'_>, sheet: &Sheet) -> Result<Checked<ResidentRow>> {
        check_residents(job.db, job.actor, job.town, sheet).await
    }

    async fn write(
        job: &Job<'_>,
        tx: &mut Tx,
        rows: &[ResidentRow],
        now: DateTime<Utc>,
    ) -> Result<usize> {
        let actor = job.actor;
        let town = job.town;
        write_residents(tx, actor, town.id, rows, now).await
    }
}

/// Households of a town's communities (and their buildings or village groups).
pub struct HouseholdImport;

impl Importer for HouseholdImport {
    const KIND: &'static str = "households";
    const SHEET: &'static str = "家庭";
    const COLUMNS: &'static [Column] = HOUSEHOLD_COLUMNS;
    const EXAMPLE: &'static [&'static str] = &["群力社区", "3栋2单元401", "3栋"];
    const NOTES: &'static [&'static str] =
        &["说明:带 * 的列必填;同一社区内家庭名称(门牌)不能重复。"];
    const PERMISSION: Permission = Permission::PeopleImport;
    type Row = HouseholdValues;

    async fn check(job: &Job<'_>, sheet: &Sheet) -> Result<Checked<HouseholdValues>> {
        check_households(job.db, job.actor, job.town, sheet).await
    }

    async fn write(
        _job: &Job<'_>,
        tx: &mut Tx,
        rows: &[HouseholdValues],
        now: DateTime<Utc>,
    ) -> Result<usize> {
        write_households(tx, rows, now).await
    }
}

/// The community column, the same in the resident and the household import.
const COMMUNITY_COLUMN: Column = Column::required(
    "community",
    "社区/村*",
    &["社区/村", "社区", "村", "所属社区", "村/社区"],
);
/// The building or village group column, the same in both imports.
const BUILDING_COLUMN: Column =
    Column::optional("building", "楼栋/村组", &["楼栋/村组", "楼栋", "村组"]);
/// The headers a household column is recognised by (optional for residents, required for households).
const HOUSEHOLD_ALIASES: &[&str] = &["家庭", "户", "门牌", "住址"];

/// The resident import's columns (the template's headers, in order).
pub const RESIDENT_COLUMNS: &[Column] = &[
    Column::required("name", "姓名*", &["姓名"]),
    Column::optional("gender", "性别", &["性别"]),
    Column::optional("birth_date", "出生日期", &["出生日期", "出生年月", "生日"]),
    Column::optional(
        "phone",
        "手机号码",
        &["手机号码", "手机号", "手机", "联系电话", "电话"],
    )
    .as_text(),
    Column::optional(
        "id_number",
        "身份证号码",
        &["身份证号码", "身份证号", "身份证", "公民身份号码"],
    )
    .as_text(),
    COMMUNITY_COLUMN,
    Column::optional("household", "家庭(门牌/户)", HOUSEHOLD_ALIASES),
    BUILDING_COLUMN,
    Column::optional("tags", "人群标签", &["人群标签", "标签", "人群类别"]),
    Column::optional(
        "guardian_consent",
        "监护人同意",
        &["监护人同意", "监护人已同意"],
    ),
];

/// The household import's columns.
pub const HOUSEHOLD_COLUMNS: &[Column] = &[
    COMMUNITY_COLUMN,
    Column::required("household", "家庭(门牌/户)*", HOUSEHOLD_ALIASES),
    BUILDING_COLUMN,
];

/// Communities of `town` that the actor may import into, by name.
async fn communities_by_name(db: &Db, actor: &Actor, town: &Town) -> Result<HashMap<String, Node>> {
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

fn yes(s: &str) -> bool {
    matches!(
        s.trim(),
        "是" | "已同意" | "同意" | "Y" | "y" | "yes" | "1" | "√"
    )
}

/// Validates the rows of a resident sheet; returns the valid values and every row error.
async fn check_residents(
    db: &Db,
    actor: &Actor,
    town: &Town,
    sheet: &Sheet,
) -> Result<Checked<ResidentRow>> {
    let (header_row, cols) = map_columns(sheet, RESIDENT_COLUMNS)?;
    let communities = communities_by_name(db, actor, town).await?;
    let today = crate::calendar::Day::today().0;
    let mut valid: Vec<(usize, ResidentValues)> = Vec::new();
    let mut errors = Vec::new();
    let mut phones: HashMap<String, usize> = HashMap::new();
    let mut ids: HashMap<String, usize> = HashMap::new();
    let mut total = 0;
    for (line, row) in data_rows(sheet, header_row) {
        total += 1;
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
        let birth_text = birth_cell.date_text();
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
    // Against the town's register (a read: no write lock is taken): a row whose ID number (else
    // mobile number) is registered updates that resident, shown field by field before confirming.
    let mut tx = db.begin_read().await?;
    let by_phone: HashMap<String, ResidentRecord> = store::registered_records(
        &mut tx,
        town.id,
        "phone",
        &phones.keys().cloned().collect::<Vec<_>>(),
    )
    .await?
    .into_iter()
    .filter_map(|r| Some((r.phone.clone()?, r)))
    .collect();
    let by_id: HashMap<String, ResidentRecord> = store::registered_records(
        &mut tx,
        town.id,
        "id_number",
        &ids.keys().cloned().collect::<Vec<_>>(),
    )
    .await?
    .into_iter()
    .filter_map(|r| Some((r.id_number.clone()?, r)))
    .collect();
    let matched: Vec<i64> = by_phone
        .values()
        .chain(by_id.values())
        .map(|r| r.id)
        .collect();
    let mut tags = store::tags_of_many(&mut tx, &matched).await?;
    drop(tx);
    let header = |f: &str| {
        cols.get(f).map(|c| c.1.clone()).unwrap_or_else(|| {
            let h = RESIDENT_COLUMNS.iter().find(|c| c.field == f);
            h.map(|c| c.header.trim_end_matches('*').to_string())
                .unwrap_or_default()
        })
    };
    let community_name = |id: i64| {
        communities
            .values()
            .find(|n| n.id == id)
            .map(|n| n.name.clone())
            .unwrap_or_default()
    };
    let mut kept = Vec::with_capacity(valid.len());
    let mut updates = Vec::new();
    for (line, v) in valid {
        let by_number = v.id_number.as_ref().and_then(|n| by_id.get(n));
        let by_mobile = v.phone.as_ref().and_then(|p| by_phone.get(p));
        let stored = match (by_number, by_mobile) {
            (None, None) => {
                kept.push(ResidentRow::from(v));
                continue;
            }
            // The ID number is one resident's, the mobile number another's.
            (Some(a), Some(b)) if a.id != b.id => {
                errors.push(RowError::new(
                    line,
                    &header("phone"),
                    &Msg::new("people.phone_taken"),
                ));
                continue;
            }
            (Some(r), _) | (None, Some(r)) => r,
        };
        if stored.erased_at.is_some() {
            errors.push(RowError::new(
                line,
                &header(if by_number.is_some() {
                    "id_number"
                } else {
                    "phone"
                }),
                &Msg::new("people.resident_erased"),
            ));
            continue;
        }
        let before = stored.values(tags.remove(&stored.id).unwrap_or_default());
        let after = merged(before.clone(), v);
        let changes = field_changes(&before, &after, &header, &community_name);
        updates.push(RowUpdate {
            row: line,
            subject: stored.name.clone(),
            changes: changes.clone(),
        });
        // Nothing new: the row is shown as unchanged and writes nothing.
        if !changes.is_empty() {
            kept.push(ResidentRow {
                values: after,
                update_of: Some(stored.id),
            });
        }
    }
    errors.sort_by_key(|e| e.row);
    Ok(Checked {
        rows: kept,
        errors,
        total,
        updates,
    })
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
    town: &Town,
    sheet: &Sheet,
) -> Result<Checked<HouseholdValues>> {
    let (header_row, cols) = map_columns(sheet, HOUSEHOLD_COLUMNS)?;
    let communities = communities_by_name(db, actor, town).await?;
    let mut valid = Vec::new();
    let mut errors = Vec::new();
    let mut seen: HashMap<(i64, String), usize> = HashMap::new();
    let mut total = 0;
    let mut tx = db.begin_read().await?;
    for (line, row) in data_rows(sheet, header_row) {
        total += 1;
        let (c, ch) = cell(row, &cols, "community");
        let (h, hh) = cell(row, &cols, "household");
        let (b, bh) = cell(row, &cols, "building");
        let mut fe = crate::error::FieldErrors::default();
        let name =
            crate::text::required(&mut fe, "household", &h.text(), crate::text::max::HOUSEHOLD);
        let building = crate::text::optional(
            &mut fe,
            "building",
            Some(&b.text()),
            crate::text::max::BUILDING,
        );
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
    Ok(Checked {
        rows: valid,
        errors,
        total,
        updates: Vec::new(),
    })
}

/// Writes checked households (refused when one was registered since the check).
async fn write_households(
    tx: &mut Tx,
    rows: &[HouseholdValues],
    now: DateTime<Utc>,
) -> Result<usize> {
    for h in rows {
        if store::household_named(tx, h.community_id, &h.name)
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
        let (_, building) = store::resolve_places(tx, &v, now).await?;
        store::insert_household(tx, h.community_id, building, &h.name, now).await?;
    }
    Ok(rows.len())
}

/// Writes residents of one town's communities, and the updates of residents already registered
/// (checked again: someone may have registered the same numbers, or erased a resident, since the
/// check).
async fn write_residents(
    tx: &mut Tx,
    actor: &Actor,
    town_id: i64,
    rows: &[ResidentRow],
    now: DateTime<Utc>,
) -> Result<usize> {
    let (updates, new): (Vec<&ResidentRow>, Vec<&ResidentRow>) =
        rows.iter().partition(|r| r.update_of.is_some());
    let mut new: Vec<ResidentValues> = new.into_iter().map(|r| r.values.clone()).collect();
    // Written in the order of the surname counters their triggers take (community, surname): two
    // imports confirmed at once then wait for each other instead of deadlocking on PostgreSQL.
    new.sort_by(|a, b| {
        (a.community_id, a.name.chars().next()).cmp(&(b.community_id, b.name.chars().next()))
    });
    let phones: Vec<String> = new.iter().filter_map(|r| r.phone.clone()).collect();
    let ids: Vec<String> = new.iter().filter_map(|r| r.id_number.clone()).collect();
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
    for u in &updates {
        let id = u.update_of.unwrap_or_default();
        let before = match store::resident(&mut *tx, id).await? {
            Some(r) if r.erased_at.is_none() => r,
            _ => return Err(Error::Conflict(Msg::new("import.stale"))),
        };
        super::residents::apply_update(tx, actor, &before, &u.values, now)
            .await
            .map_err(|e| match e {
                Error::Invalid(_) => Error::Conflict(Msg::new("import.stale")),
                e => e,
            })?;
    }
    let places = store::resolve_places_bulk(tx, &new, now).await?;
    let n = store::insert_many(tx, &new, &places, now).await?.len();
    Ok(n + updates.len())
}
