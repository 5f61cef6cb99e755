//! Equipment and venues under `/api/v1/equipment`: the standard list, a centre's inventory and
//! rooms, the gaps of a town's centres.

use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;

use crate::access::Permission as P;
use crate::equipment::{
    self, CentreEquipment, EquipmentItem, ItemChange, ItemInput, StandardInput, StandardLine,
    TownGaps,
};
use crate::error::Result;
use crate::venues::{Room, RoomInput};
use crate::web::AppState;
use crate::web::extract::{Created, CurrentActor, Id, Json, Query, TownYear};
use crate::web::routes::{Object, Routes, Rule};
use utoipa_axum::routes;

pub(super) fn router() -> Routes {
    let read = Rule::needs(P::EquipmentRead);
    let write = Rule::needs(P::EquipmentWrite);
    let standard = Rule::needs(P::EquipmentStandard);
    Routes::new()
        .api(read, routes!(list_standards))
        .api(standard, routes!(add_standard))
        .api(
            standard.on(Object::EquipmentStandard),
            routes!(retire_standard),
        )
        .api(read, routes!(get_gaps))
        .api(read.on(Object::Node), routes!(get_centre))
        .api(write, routes!(add_item))
        .api(read.on(Object::EquipmentItem), routes!(get_item))
        .api(write.on(Object::EquipmentItem), routes!(change_item))
        .api(write.on(Object::EquipmentItem), routes!(write_off))
        .api(write, routes!(add_room))
        .api(read.on(Object::Room), routes!(get_room))
        .api(write.on(Object::Room), routes!(close_room))
}

/// The standard list the actor's district (and town) works under.
#[utoipa::path(get, path = "/api/v1/equipment/standards", tag = "equipment",
    responses((status = 200, body = Vec<StandardLine>)))]
pub async fn list_standards(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
) -> Result<axum::Json<Vec<StandardLine>>> {
    Ok(axum::Json(equipment::standards(&s.db, &a).await?))
}

/// Add a line to the district's standard list.
#[utoipa::path(post, path = "/api/v1/equipment/standards", tag = "equipment",
    request_body = StandardInput,
    responses((status = 201, body = StandardLine), (status = 422, body = super::ApiError)))]
pub async fn add_standard(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Json(b): Json<StandardInput>,
) -> Result<Created<StandardLine>> {
    Ok(Created(equipment::add_standard(&s.db, &a, &b).await?))
}

/// Retire a line of the district's standard list (it no longer counts in the gaps).
#[utoipa::path(post, path = "/api/v1/equipment/standards/{id}/retire", tag = "equipment",
    params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = super::ApiError)))]
pub async fn retire_standard(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Id(id): Id,
) -> Result<StatusCode> {
    equipment::retire_standard(&s.db, &a, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The gaps of a town's centres and school against their standard: missing, short, broken.
#[utoipa::path(get, path = "/api/v1/equipment/gaps", tag = "equipment", params(TownYear),
    responses((status = 200, body = TownGaps), (status = 404, body = super::ApiError)))]
pub async fn get_gaps(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Query(q): Query<TownYear>,
) -> Result<axum::Json<TownGaps>> {
    Ok(axum::Json(
        equipment::town_gaps(&s.db, &a, q.town_id).await?,
    ))
}

/// A centre's (or the town school's) inventory, rooms and gaps.
#[utoipa::path(get, path = "/api/v1/equipment/centres/{id}", tag = "equipment",
    params(("id" = i64, Path, description = "the centre or town school")),
    responses((status = 200, body = CentreEquipment), (status = 404, body = super::ApiError)))]
pub async fn get_centre(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Id(id): Id,
) -> Result<axum::Json<CentreEquipment>> {
    Ok(axum::Json(equipment::centre(&s.db, &a, id).await?))
}

/// Add a piece of equipment to a centre's inventory; with `amount`, its purchase is booked as an
/// equipment expense of the town's funds in the same transaction.
#[utoipa::path(post, path = "/api/v1/equipment/items", tag = "equipment", request_body = ItemInput,
    responses((status = 201, body = EquipmentItem), (status = 404, body = super::ApiError), (status = 422, body = super::ApiError)))]
pub async fn add_item(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Json(b): Json<ItemInput>,
) -> Result<Created<EquipmentItem>> {
    Ok(Created(equipment::add_item(&s.db, &a, &b).await?))
}

/// One line of an inventory.
#[utoipa::path(get, path = "/api/v1/equipment/items/{id}", tag = "equipment",
    params(("id" = i64, Path)),
    responses((status = 200, body = EquipmentItem), (status = 404, body = super::ApiError)))]
pub async fn get_item(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Id(id): Id,
) -> Result<axum::Json<EquipmentItem>> {
    Ok(axum::Json(equipment::item(&s.db, &a, id).await?))
}

/// Change a line's quantity, condition or note (with the version read: 409 when changed since).
#[utoipa::path(put, path = "/api/v1/equipment/items/{id}", tag = "equipment",
    params(("id" = i64, Path)), request_body = ItemChange,
    responses((status = 200, body = EquipmentItem), (status = 409, body = super::ApiError), (status = 422, body = super::ApiError)))]
pub async fn change_item(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Id(id): Id,
    Json(b): Json<ItemChange>,
) -> Result<axum::Json<EquipmentItem>> {
    Ok(axum::Json(equipment::change_item(&s.db, &a, id, &b).await?))
}

/// Why a line is written off.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct WriteOff {
    #[schema(min_length = 1, max_length = 200)]
    pub reason: String,
}

/// Write a line off (报废) with the reason; it stays in the record.
#[utoipa::path(post, path = "/api/v1/equipment/items/{id}/write-off", tag = "equipment",
    params(("id" = i64, Path)), request_body = WriteOff,
    responses((status = 200, body = EquipmentItem), (status = 409, body = super::ApiError), (status = 422, body = super::ApiError)))]
pub async fn write_off(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Id(id): Id,
    Json(b): Json<WriteOff>,
) -> Result<axum::Json<EquipmentItem>> {
    Ok(axum::Json(
        equipment::write_off(&s.db, &a, id, &b.reason).await?,
    ))
}

/// Add a venue or function room to a centre.
#[utoipa::path(post, path = "/api/v1/equipment/rooms", tag = "equipment", request_body = RoomInput,
    responses((status = 201, body = Room), (status = 404, body = super::ApiError), (status = 422, body = super::ApiError)))]
pub async fn add_room(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Json(b): Json<RoomInput>,
) -> Result<Created<Room>> {
    Ok(Created(equipment::add_room(&s.db, &a, &b).await?))
}

/// One room.
#[utoipa::path(get, path = "/api/v1/equipment/rooms/{id}", tag = "equipment",
    params(("id" = i64, Path)),
    responses((status = 200, body = Room), (status = 404, body = super::ApiError)))]
pub async fn get_room(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Id(id): Id,
) -> Result<axum::Json<Room>> {
    Ok(axum::Json(crate::venues::room(&s.db, &a, id).await?))
}

/// Close a room: it takes no more bookings and no longer counts for the standard.
#[utoipa::path(post, path = "/api/v1/equipment/rooms/{id}/close", tag = "equipment",
    params(("id" = i64, Path)),
    responses((status = 200, body = Room), (status = 409, body = super::ApiError)))]
pub async fn close_room(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Id(id): Id,
) -> Result<axum::Json<Room>> {
    Ok(axum::Json(equipment::close_room(&s.db, &a, id).await?))
}
