//! Rooms' and bookings' SQL.

use chrono::{DateTime, Utc};

use super::Room;
use crate::args;
use crate::db::{self, Conn, Db, Tx};
use crate::error::Result;

const ROOM: &str = "select r.id, r.node_id, n.name as node_name, r.node_path, r.standard_id, \
    r.name, cast(r.capacity as bigint) as capacity, r.note, r.closed_at from rooms r \
    join org_nodes n on n.id = r.node_id";

pub(super) async fn room(conn: impl Into<Conn<'_>>, id: i64) -> Result<Option<Room>> {
    db::row_opt(conn, &format!("{ROOM} where r.id = $1"), args![id]).await
}

/// A place's rooms, closed ones last.
pub(super) async fn rooms(db: &Db, node_id: i64) -> Result<Vec<Room>> {
    let sql = format!("{ROOM} where r.node_id = $1 order by r.closed_at is not null, r.id");
    db::rows(db, &sql, args![node_id]).await
}

/// The open rooms under a path (a town's), by place.
pub(super) async fn open_rooms_under(db: &Db, path: &str) -> Result<Vec<Room>> {
    let sql =
        format!("{ROOM} where r.node_path like $1 and r.closed_at is null order by n.path, r.name");
    db::rows(db, &sql, args![format!("{path}%")]).await
}

pub(super) async fn insert_room(
    tx: &mut Tx,
    (node_id, node_path, standard_id, name): (i64, &str, Option<i64>, &str),
    capacity: Option<i64>,
    note: Option<&str>,
    by: Option<i64>,
) -> Result<i64> {
    let sql = "insert into rooms (node_id, node_path, standard_id, name, capacity, note, \
        created_by, created_at) values ($1, $2, $3, $4, $5, $6, $7, $8) returning id";
    let a = args![
        node_id,
        node_path,
        standard_id,
        name,
        capacity.map(|c| c as i32),
        note,
        by,
        Utc::now()
    ];
    db::scalar(tx, sql, a).await
}

pub(super) async fn close_room(tx: &mut Tx, id: i64, now: DateTime<Utc>) -> Result<bool> {
    let sql = "update rooms set closed_at = $1 where id = $2 and closed_at is null";
    Ok(db::exec(tx, sql, args![now, id]).await? == 1)
}

/// Another (not cancelled) activity booked in the room at an overlapping time: its title and
/// times.
pub(super) async fn booking_overlapping(
    tx: &mut Tx,
    room_id: i64,
    (starts, ends): (DateTime<Utc>, DateTime<Utc>),
    except: Option<i64>,
) -> Result<Option<(String, (DateTime<Utc>, DateTime<Utc>))>> {
    let sql = "select title, starts_at, ends_at from activities where room_id = $1 \
        and status <> 'cancelled' and starts_at < $2 and ends_at > $3 and id <> $4 \
        order by starts_at limit 1";
    let row: Option<(String, DateTime<Utc>, DateTime<Utc>)> =
        db::row_opt(tx, sql, args![room_id, ends, starts, except.unwrap_or(0)]).await?;
    Ok(row.map(|(t, s, e)| (t, (s, e))))
}
