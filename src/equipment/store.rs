//! Equipment's and rooms' SQL.

use chrono::{DateTime, NaiveDate, Utc};

use super::{Condition, EquipmentItem, Source, StandardLine};
use crate::args;
use crate::db::{self, Db, Tx};
use crate::error::Result;

const STANDARD: &str = "select id, owner_id, kind, applies_to, name, unit, \
    cast(quantity as bigint) as quantity, required, basis from equipment_standards";

/// The active lines owned by the node at `path` or above it (its district, its town).
pub(super) async fn standards_above(db: &Db, path: &str) -> Result<Vec<StandardLine>> {
    let sql = format!(
        "{STANDARD} where retired_at is null and $1 like owner_path || '%' \
        order by applies_to, position, id"
    );
    db::rows(db, &sql, args![path]).await
}

pub(super) async fn standard_owner(db: &Db, id: i64) -> Result<Option<(String, String)>> {
    let sql = "select owner_path, name from equipment_standards where id = $1";
    db::row_opt(db, sql, args![id]).await
}

pub(super) async fn insert_standard(
    tx: &mut Tx,
    l: &StandardLine,
    owner_path: &str,
) -> Result<i64> {
    let sql = "insert into equipment_standards (owner_id, owner_path, kind, applies_to, name, \
        unit, quantity, required, basis, position) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, \
        (select coalesce(max(position), 0) + 1 from equipment_standards where owner_id = $1)) \
        returning id";
    let a = args![
        l.owner_id,
        owner_path,
        l.kind,
        l.applies_to,
        &l.name,
        &l.unit,
        l.quantity as i32,
        l.required,
        &l.basis
    ];
    db::scalar(tx, sql, a).await
}

pub(super) async fn retire_standard(tx: &mut Tx, id: i64, now: DateTime<Utc>) -> Result<bool> {
    let sql = "update equipment_standards set retired_at = $1 where id = $2 and retired_at is null";
    Ok(db::exec(tx, sql, args![now, id]).await? == 1)
}

const ITEM: &str = "select id, node_id, node_path, standard_id, name, cast(quantity as bigint) \
    as quantity, condition, source, acquired_on, note, expense_id, cast(version as bigint) as \
    version, written_off_at, written_off_reason from equipment_items";

pub(super) async fn item(db: &Db, id: i64) -> Result<Option<EquipmentItem>> {
    db::row_opt(db, &format!("{ITEM} where id = $1"), args![id]).await
}

/// A place's inventory, written-off lines last.
pub(super) async fn items(db: &Db, node_id: i64) -> Result<Vec<EquipmentItem>> {
    let sql = format!(
        "{ITEM} where node_id = $1 order by written_off_at is not null, standard_id is null, \
        standard_id, name, id"
    );
    db::rows(db, &sql, args![node_id]).await
}

/// The inventories in use under a path (a town's).
pub(super) async fn items_under(db: &Db, path: &str) -> Result<Vec<EquipmentItem>> {
    let sql = format!("{ITEM} where node_path like $1 and written_off_at is null order by id");
    db::rows(db, &sql, args![format!("{path}%")]).await
}

pub(super) struct NewItem<'a> {
    pub node: (i64, &'a str),
    pub standard_id: Option<i64>,
    pub name: &'a str,
    pub quantity: i64,
    pub condition: Condition,
    pub source: Source,
    pub acquired_on: Option<NaiveDate>,
    pub note: Option<&'a str>,
    pub expense_id: Option<i64>,
}

pub(super) async fn insert_item(
    tx: &mut Tx,
    i: &NewItem<'_>,
    by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<i64> {
    let sql = "insert into equipment_items (node_id, node_path, standard_id, name, quantity, \
        condition, source, acquired_on, note, expense_id, created_by, created_at, updated_at) \
        values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) returning id";
    let a = args![
        i.node.0,
        i.node.1,
        i.standard_id,
        i.name,
        i.quantity as i32,
        i.condition,
        i.source,
        i.acquired_on,
        i.note,
        i.expense_id,
        by,
        now
    ];
    db::scalar(tx, sql, a).await
}

/// Changes a line in use if it is still at `version`; false when it moved on (or was written off).
pub(super) async fn change_item(
    tx: &mut Tx,
    id: i64,
    version: i64,
    (quantity, condition, note): (i64, Condition, Option<&str>),
    now: DateTime<Utc>,
) -> Result<bool> {
    let sql = "update equipment_items set quantity = $1, condition = $2, note = $3, \
        updated_at = $4, version = version + 1 where id = $5 and version = $6 \
        and written_off_at is null";
    let a = args![quantity as i32, condition, note, now, id, version as i32];
    Ok(db::exec(tx, sql, a).await? == 1)
}

pub(super) async fn write_off(
    tx: &mut Tx,
    id: i64,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<bool> {
    let sql = "update equipment_items set written_off_at = $1, written_off_reason = $2, \
        updated_at = $1, version = version + 1 where id = $3 and written_off_at is null";
    Ok(db::exec(tx, sql, args![now, reason, id]).await? == 1)
}
