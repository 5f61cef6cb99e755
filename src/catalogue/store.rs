use chrono::{DateTime, Utc};

use super::Theme;
use crate::args;
use crate::db::{self, Conn, Db, Tx};
use crate::error::Result;

pub(super) async fn themes(conn: impl Into<Conn<'_>>, district_id: i64) -> Result<Vec<Theme>> {
    let sql = "select id, district_id, name, lead_departments, description, active \
        from themes where district_id = $1 and active order by sort, id";
    db::rows(conn, sql, args![district_id]).await
}

pub(super) async fn insert_theme(
    tx: &mut Tx,
    district_id: i64,
    name: &str,
    lead: Option<&str>,
    description: Option<&str>,
    now: DateTime<Utc>,
) -> Result<i64> {
    let sql = "insert into themes (district_id, name, lead_departments, description, sort, \
        active, created_at) values ($1, $2, $3, $4, (select coalesce(max(sort), 0) + 1 \
        from themes where district_id = $1), true, $5) returning id";
    db::scalar(
        &mut *tx,
        sql,
        args![district_id, name, lead, description, now],
    )
    .await
}

fn table(name: &str) -> Result<&'static str> {
    match name {
        "formats" => Ok("formats"),
        "target_groups" => Ok("target_groups"),
        other => Err(crate::error::Error::internal(format!(
            "unknown dictionary {other}"
        ))),
    }
}

pub(super) async fn entries(
    conn: impl Into<Conn<'_>>,
    name: &str,
    district_id: i64,
) -> Result<Vec<super::Entry>> {
    let sql = format!(
        "select id, name from {} where district_id = $1 and active order by sort, id",
        table(name)?
    );
    db::rows(conn, &sql, args![district_id]).await
}

pub(super) async fn count_entries(tx: &mut Tx, name: &str, district_id: i64) -> Result<i64> {
    let sql = format!(
        "select count(*) from {} where district_id = $1",
        table(name)?
    );
    db::scalar(&mut *tx, &sql, args![district_id]).await
}

pub(super) async fn insert_entry(
    tx: &mut Tx,
    name: &str,
    district_id: i64,
    entry: &str,
    sort: i32,
) -> Result<()> {
    let sql = format!(
        "insert into {} (district_id, name, sort, active) values ($1, $2, $3, true)",
        table(name)?
    );
    db::exec(&mut *tx, &sql, args![district_id, entry, sort]).await?;
    Ok(())
}

/// Every theme of a district, retired ones too (the editing page).
pub(super) async fn all_themes(db: &Db, district_id: i64) -> Result<Vec<Theme>> {
    let sql = "select id, district_id, name, lead_departments, description, active \
        from themes where district_id = $1 order by active desc, sort, id";
    db::rows(db, sql, args![district_id]).await
}

pub(super) async fn theme_tx(tx: &mut Tx, id: i64) -> Result<Option<Theme>> {
    let sql = "select id, district_id, name, lead_departments, description, active \
        from themes where id = $1";
    db::row_opt(&mut *tx, sql, args![id]).await
}

pub(super) async fn update_theme(
    tx: &mut Tx,
    id: i64,
    name: &str,
    lead: Option<&str>,
    description: Option<&str>,
    active: bool,
) -> Result<()> {
    let sql = "update themes set name = $1, lead_departments = $2, description = $3, active = \
        $4 where id = $5";
    db::exec(&mut *tx, sql, args![name, lead, description, active, id]).await?;
    Ok(())
}

pub(super) async fn theme_named(tx: &mut Tx, district_id: i64, name: &str) -> Result<Option<i64>> {
    let sql = "select id from themes where district_id = $1 and name = $2";
    db::scalar_opt(&mut *tx, sql, args![district_id, name]).await
}

/// Every entry of a dictionary of a district, with its state.
pub(super) async fn all_entries(
    db: &Db,
    name: &str,
    district_id: i64,
) -> Result<Vec<super::DictionaryEntry>> {
    let sql = format!(
        "select id, name, active from {} where district_id = $1 order by active desc, sort, id",
        table(name)?
    );
    db::rows(db, &sql, args![district_id]).await
}

pub(super) async fn entry_tx(
    tx: &mut Tx,
    name: &str,
    id: i64,
) -> Result<Option<(i64, String, bool)>> {
    let sql = format!(
        "select district_id, name, active from {} where id = $1",
        table(name)?
    );
    db::row_opt(&mut *tx, &sql, args![id]).await
}

pub(super) async fn entry_named(
    tx: &mut Tx,
    name: &str,
    district_id: i64,
    entry: &str,
) -> Result<Option<i64>> {
    let sql = format!(
        "select id from {} where district_id = $1 and name = $2",
        table(name)?
    );
    db::scalar_opt(&mut *tx, &sql, args![district_id, entry]).await
}

pub(super) async fn next_sort(tx: &mut Tx, name: &str, district_id: i64) -> Result<i32> {
    let sql = format!(
        "select cast(coalesce(max(sort), 0) + 1 as integer) from {} where district_id = $1",
        table(name)?
    );
    db::scalar(&mut *tx, &sql, args![district_id]).await
}

pub(super) async fn update_entry(
    tx: &mut Tx,
    name: &str,
    id: i64,
    entry: &str,
    active: bool,
) -> Result<()> {
    let sql = format!(
        "update {} set name = $1, active = $2 where id = $3",
        table(name)?
    );
    db::exec(&mut *tx, &sql, args![entry, active, id]).await?;
    Ok(())
}
