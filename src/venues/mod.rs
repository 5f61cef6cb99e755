//! Venues and function rooms (活动场所与功能室) of a centre or the town school, with their capacity,
//! and their bookings: an activity booked in a room is refused when the room is already booked at
//! an overlapping time (`check_free`, taking turns per room so two clerks at the same second
//! cannot both pass). Which line of the standard list a room counts for is the equipment
//! module's to check; this module keeps the rooms and their bookings.

mod store;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::access::{Actor, Permission};
use crate::audit::{self, Entry};
use crate::db::{Db, Tx};
use crate::error::{Error, FieldErrors, Msg, Result};
use crate::org::{self, Node};
use crate::text;

/// The subject type of a room in the audit log.
pub const ROOM: &str = "room";

/// A venue or function room.
#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Room {
    pub id: i64,
    pub node_id: i64,
    pub node_name: String,
    #[serde(skip)]
    pub node_path: String,
    /// The line of the standard list it counts for (reading room, basketball court …).
    pub standard_id: Option<i64>,
    pub name: String,
    pub capacity: Option<i64>,
    pub note: Option<String>,
    pub closed_at: Option<DateTime<Utc>>,
}

/// A room as typed.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct RoomInput {
    pub node_id: i64,
    pub standard_id: Option<i64>,
    pub name: String,
    /// A whole number of seats or people, 1–10000.
    pub capacity: Option<String>,
    pub note: Option<String>,
}

/// One room, for whoever reads its centre's equipment.
pub async fn room(db: &Db, actor: &Actor, id: i64) -> Result<Room> {
    actor.require(Permission::EquipmentRead)?;
    let r = store::room(db, id).await?.ok_or(Error::NotFound)?;
    actor.require_sees(&r.node_path)?;
    Ok(r)
}

/// A place's rooms, closed ones last (no scope check: the caller read the place).
pub async fn rooms_of(db: &Db, node_id: i64) -> Result<Vec<Room>> {
    store::rooms(db, node_id).await
}

/// The open rooms under a path (a town's), by place, without a scope check.
pub async fn open_rooms_under(db: &Db, path: &str) -> Result<Vec<Room>> {
    store::open_rooms_under(db, path).await
}

/// Adds a room to a place the caller checked the actor may change, with the standard line the
/// caller checked (names are unique in a place).
pub async fn add(db: &Db, actor: &Actor, place: &Node, input: &RoomInput) -> Result<Room> {
    let mut fe = FieldErrors::default();
    let name = text::required(&mut fe, "name", &input.name, text::max::NAME);
    let capacity = text::whole_number(&mut fe, "capacity", input.capacity.as_deref(), (1, 10_000));
    let note = text::optional_multiline(&mut fe, "note", input.note.as_deref(), text::max::NOTE);
    fe.into_result()?;
    let mut tx = db.begin().await?;
    let new = (
        place.id,
        place.path.as_str(),
        input.standard_id,
        name.as_str(),
    );
    let id = store::insert_room(&mut tx, new, capacity, note.as_deref(), actor.user_id)
        .await
        .map_err(|e| match e {
            Error::Conflict(_) => {
                Error::invalid("name", Msg::new("equipment.room_exists").arg("name", &name))
            }
            e => e,
        })?;
    audit::record(
        &mut tx,
        actor,
        Entry::of("equipment.room_added", ROOM, Some(id), &place.path)
            .after(json!({"centre": place.name, "name": name, "capacity": capacity})),
    )
    .await?;
    tx.commit().await?;
    room(db, actor, id).await
}

/// Closes a room the caller checked the actor may change (rebuilt, handed back): it takes no more
/// bookings and no longer counts for the standard; its past activities keep it.
pub async fn close(db: &Db, actor: &Actor, r: &Room) -> Result<Room> {
    let mut tx = db.begin().await?;
    if !store::close_room(&mut tx, r.id, Utc::now()).await? {
        return Err(Error::Conflict(Msg::new("equipment.room_closed")));
    }
    audit::record(
        &mut tx,
        actor,
        Entry::of("equipment.room_closed", ROOM, Some(r.id), &r.node_path)
            .before(json!({"name": r.name})),
    )
    .await?;
    tx.commit().await?;
    room(db, actor, r.id).await
}

/// The open rooms an activity of a place may be booked in: those of its town (a village centre
/// may hold a class in the town school's training room).
pub async fn bookable_rooms(db: &Db, place_path: &str) -> Result<Vec<Room>> {
    let town = org::rules::ancestor_path(place_path, org::rules::TOWN_LEVEL)
        .unwrap_or_else(|| place_path.to_string());
    store::open_rooms_under(db, &town).await
}

/// Checks, inside the booking's transaction, that an activity of `place_path` may be held in the
/// room from `starts` until `ends`: the room is open, in the place's town, and no other
/// (not cancelled) activity holds it at an overlapping time. Bookings of one room take turns, so
/// two clerks booking it at the same second cannot both pass. The room.
pub async fn check_free(
    tx: &mut Tx,
    room_id: i64,
    place_path: &str,
    (starts, ends): (DateTime<Utc>, DateTime<Utc>),
    except_activity: Option<i64>,
) -> Result<Room> {
    let town = org::rules::ancestor_path(place_path, org::rules::TOWN_LEVEL).unwrap_or_default();
    let room = store::room(&mut *tx, room_id)
        .await?
        .filter(|r| r.closed_at.is_none() && !town.is_empty() && r.node_path.starts_with(&town))
        .ok_or_else(|| Error::invalid("room_id", Msg::new("field.choose")))?;
    tx.take_turns(crate::db::turn::ROOM, room_id as i32).await?;
    if let Some((title, at)) =
        store::booking_overlapping(tx, room_id, (starts, ends), except_activity).await?
    {
        return Err(Error::invalid(
            "room_id",
            Msg::new("equipment.room_taken")
                .arg("room", &room.name)
                .arg("title", title)
                .arg("when", crate::calendar::span(at.0, at.1)),
        ));
    }
    Ok(room)
}
