//! The schedule's SQL: rows, their units, the activities linked to them.

use chrono::{DateTime, Utc};

use super::{Carried, Unit};
use crate::args;
use crate::db::{self, Conn, Tx};
use crate::error::Result;

/// A row as stored (units, activities and status are added by the concept).
#[derive(Clone, Debug, sqlx::FromRow)]
pub(super) struct RowRecord {
    pub id: i64,
    pub town_id: i64,
    pub town_path: String,
    pub year: i32,
    pub first_month: i32,
    pub last_month: i32,
    pub item: String,
    pub special_event: Option<String>,
    pub done_at: Option<DateTime<Utc>>,
    pub done_by: Option<String>,
    pub done_note: Option<String>,
    pub version: i32,
}

const ROW: &str = "select r.id, r.town_id, r.town_path, r.year, r.first_month, r.last_month, \
    r.item, r.special_event, r.done_at, u.display_name as done_by, r.done_note, r.version \
    from schedule_rows r left join users u on u.id = r.done_by";
const ORDER: &str = "order by r.first_month, r.last_month, r.position, r.id";

/// The rows of a town's year, in the printed order.
pub(super) async fn year_rows(
    conn: impl Into<Conn<'_>>,
    town_id: i64,
    year: i32,
) -> Result<Vec<RowRecord>> {
    let sql = format!("{ROW} where r.town_id = $1 and r.year = $2 {ORDER}");
    db::rows(conn, &sql, args![town_id, year]).await
}

/// The rows of a year naming a node among their units, whatever the town.
pub(super) async fn unit_rows(
    conn: impl Into<Conn<'_>>,
    node_id: i64,
    year: i32,
) -> Result<Vec<RowRecord>> {
    let sql = format!(
        "{ROW} where r.year = $2 and r.id in \
        (select row_id from schedule_units where node_id = $1) {ORDER}"
    );
    db::rows(conn, &sql, args![node_id, year]).await
}

pub(super) async fn row(conn: impl Into<Conn<'_>>, id: i64) -> Result<Option<RowRecord>> {
    let sql = format!("{ROW} where r.id = $1");
    db::row_opt(conn, &sql, args![id]).await
}

#[derive(sqlx::FromRow)]
struct UnitRecord {
    row_id: i64,
    node_id: Option<i64>,
    name: String,
}

/// The units of rows, each row's in order.
pub(super) async fn units(tx: &mut Tx, row_ids: &[i64]) -> Result<Vec<(i64, Unit)>> {
    let mut out = Vec::new();
    for chunk in row_ids.chunks(500) {
        let sql = format!(
            "select row_id, node_id, name from schedule_units where row_id in ({}) \
            order by row_id, position",
            db::placeholders(chunk.len())
        );
        let args = chunk.iter().map(|id| (*id).into()).collect();
        let found: Vec<UnitRecord> = db::rows(&mut *tx, &sql, args).await?;
        out.extend(found.into_iter().map(|u| {
            (
                u.row_id,
                Unit {
                    node_id: u.node_id,
                    name: u.name,
                },
            )
        }));
    }
    Ok(out)
}

#[derive(sqlx::FromRow)]
struct LinkRecord {
    row_id: i64,
    activity_id: i64,
    title: String,
    starts_at: DateTime<Utc>,
    status: String,
}

/// The activities linked by hand to the rows of a town's year (or of one row).
pub(super) async fn linked(
    tx: &mut Tx,
    town_id: i64,
    year: i32,
    row_id: Option<i64>,
) -> Result<Vec<(i64, Carried)>> {
    let sql = "select l.row_id, a.id as activity_id, a.title, a.starts_at, a.status \
        from schedule_links l join schedule_rows r on r.id = l.row_id \
        join activities a on a.id = l.activity_id \
        where r.town_id = $1 and r.year = $2 and ($3 is null or r.id = $3) \
        order by a.starts_at, a.id";
    let found: Vec<LinkRecord> = db::rows(&mut *tx, sql, args![town_id, year, row_id]).await?;
    Ok(found
        .into_iter()
        .map(|l| {
            (
                l.row_id,
                Carried {
                    activity_id: l.activity_id,
                    title: l.title,
                    starts_at: l.starts_at,
                    status: l.status,
                    by_kind: false,
                },
            )
        })
        .collect())
}

#[derive(sqlx::FromRow)]
pub(super) struct EventActivity {
    pub id: i64,
    pub title: String,
    pub starts_at: DateTime<Utc>,
    pub status: String,
    pub special_event: String,
}

/// The town's special-event activities in a span (not drafts, returned or cancelled ones).
pub(super) async fn event_activities(
    tx: &mut Tx,
    town_id: i64,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<Vec<EventActivity>> {
    let sql = "select id, title, starts_at, status, special_event from activities \
        where town_id = $1 and special_event is not null and starts_at >= $2 and starts_at < $3 \
        and status not in ('draft', 'returned', 'cancelled') order by starts_at, id";
    db::rows(&mut *tx, sql, args![town_id, from, until]).await
}

/// The teacher trainings (the special event) a town held in a span.
pub(super) async fn trainings_held(
    tx: &mut Tx,
    town_id: i64,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<i64> {
    let sql = "select count(*) from activities where town_id = $1 \
        and special_event = 'teacher_training' and starts_at >= $2 and starts_at < $3 \
        and status in ('held', 'documented', 'archived')";
    db::scalar(&mut *tx, sql, args![town_id, from, until]).await
}

/// The values a row is written with.
pub(super) struct Values<'a> {
    pub first_month: u32,
    pub last_month: u32,
    pub item: &'a str,
    pub special_event: Option<&'a str>,
    pub units: &'a [Unit],
}

/// Adds a row at the end of its year; its id.
pub(super) async fn insert(
    tx: &mut Tx,
    town_id: i64,
    town_path: &str,
    year: i32,
    v: &Values<'_>,
    now: DateTime<Utc>,
) -> Result<i64> {
    let sql = "insert into schedule_rows (town_id, town_path, year, first_month, last_month, \
        position, item, special_event, created_at, updated_at) values ($1, $2, $3, $4, $5, \
        (select coalesce(max(position), 0) + 1 from schedule_rows where town_id = $1 and year = $3), \
        $6, $7, $8, $8) returning id";
    let args = args![
        town_id,
        town_path,
        year,
        v.first_month,
        v.last_month,
        v.item,
        v.special_event,
        now
    ];
    let id = db::scalar(&mut *tx, sql, args).await?;
    write_units(tx, id, v.units).await?;
    Ok(id)
}

async fn write_units(tx: &mut Tx, row_id: i64, units: &[Unit]) -> Result<()> {
    db::exec(
        &mut *tx,
        "delete from schedule_units where row_id = $1",
        args![row_id],
    )
    .await?;
    for (i, u) in units.iter().enumerate() {
        let sql = "insert into schedule_units (row_id, position, node_id, name) \
            values ($1, $2, $3, $4)";
        db::exec(
            &mut *tx,
            sql,
            args![row_id, i as i32 + 1, u.node_id, &u.name],
        )
        .await?;
    }
    Ok(())
}

/// Rewrites a row made on `version`; false when someone changed it meanwhile.
pub(super) async fn update(
    tx: &mut Tx,
    id: i64,
    version: i32,
    v: &Values<'_>,
    now: DateTime<Utc>,
) -> Result<bool> {
    let sql = "update schedule_rows set first_month = $1, last_month = $2, item = $3, \
        special_event = $4, updated_at = $5, version = version + 1 \
        where id = $6 and version = $7";
    let args = args![
        v.first_month,
        v.last_month,
        v.item,
        v.special_event,
        now,
        id,
        version
    ];
    if db::exec(&mut *tx, sql, args).await? == 0 {
        return Ok(false);
    }
    write_units(tx, id, v.units).await?;
    Ok(true)
}

/// Marks a row done (or not done, with `None`); false when it already stood so.
pub(super) async fn set_done(
    tx: &mut Tx,
    id: i64,
    done: Option<(DateTime<Utc>, Option<i64>, &str)>,
) -> Result<bool> {
    let (sql, args) = match done {
        Some((at, by, note)) => (
            "update schedule_rows set done_at = $1, done_by = $2, done_note = $3, \
            updated_at = $1, version = version + 1 where id = $4 and done_at is null",
            args![at, by, note, id],
        ),
        None => (
            "update schedule_rows set done_at = null, done_by = null, done_note = null, \
            version = version + 1 where id = $1 and done_at is not null",
            args![id],
        ),
    };
    Ok(db::exec(&mut *tx, sql, args).await? == 1)
}

pub(super) async fn delete(tx: &mut Tx, id: i64) -> Result<()> {
    for sql in [
        "delete from schedule_links where row_id = $1",
        "delete from schedule_units where row_id = $1",
        "delete from schedule_rows where id = $1",
    ] {
        db::exec(&mut *tx, sql, args![id]).await?;
    }
    Ok(())
}

/// Links an activity to a row; false when it was linked already.
pub(super) async fn link(
    tx: &mut Tx,
    row_id: i64,
    activity_id: i64,
    now: DateTime<Utc>,
) -> Result<bool> {
    let sql = "insert into schedule_links (row_id, activity_id, linked_at) values ($1, $2, $3) \
        on conflict do nothing";
    Ok(db::exec(&mut *tx, sql, args![row_id, activity_id, now]).await? == 1)
}

/// Unlinks an activity; false when it was not linked.
pub(super) async fn unlink(tx: &mut Tx, row_id: i64, activity_id: i64) -> Result<bool> {
    let sql = "delete from schedule_links where row_id = $1 and activity_id = $2";
    Ok(db::exec(&mut *tx, sql, args![row_id, activity_id]).await? == 1)
}

/// How many rows a town's year holds.
pub(super) async fn count_year(tx: &mut Tx, town_id: i64, year: i32) -> Result<i64> {
    let sql = "select count(*) from schedule_rows where town_id = $1 and year = $2";
    db::scalar(&mut *tx, sql, args![town_id, year]).await
}

/// The (months, item) of a town's year, to find a row entered twice.
pub(super) async fn year_keys(
    tx: &mut Tx,
    town_id: i64,
    year: i32,
) -> Result<Vec<(i32, i32, String)>> {
    #[derive(sqlx::FromRow)]
    struct K {
        first_month: i32,
        last_month: i32,
        item: String,
    }
    let sql = "select first_month, last_month, item from schedule_rows \
        where town_id = $1 and year = $2";
    let found: Vec<K> = db::rows(&mut *tx, sql, args![town_id, year]).await?;
    Ok(found
        .into_iter()
        .map(|k| (k.first_month, k.last_month, k.item))
        .collect())
}
