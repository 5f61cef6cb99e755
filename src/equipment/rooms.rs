//! A centre's venues and function rooms as the equipment sees them: added with the line of the
//! standard list they count for (checked here), closed by those who keep the centre's equipment.
//! The rooms and their bookings are the `venues` module's.

use super::*;
use crate::venues::{self, Room, RoomInput};

/// Adds a venue or function room to a centre (names are unique in a centre).
pub async fn add_room(db: &Db, actor: &Actor, input: &RoomInput) -> Result<Room> {
    let node = writable_place(db, actor, input.node_id).await?;
    if let Some(id) = input.standard_id
        && !standard_for(db, &node)
            .await?
            .iter()
            .any(|l| l.id == id && l.kind == StandardKind::Room)
    {
        return Err(Error::invalid("standard_id", Msg::new("field.choose")));
    }
    venues::add(db, actor, &node, input).await
}

/// Closes a room (rebuilt, handed back): it takes no more bookings and no longer counts for the
/// standard; its past activities keep it.
pub async fn close_room(db: &Db, actor: &Actor, id: i64) -> Result<Room> {
    let r = venues::room(db, actor, id).await?;
    writable_place(db, actor, r.node_id).await?;
    venues::close(db, actor, &r).await
}
