//! Residents and households.

use axum::extract::State;
use serde::Deserialize;

use crate::access::Permission as P;
use crate::error::{Error, Msg, Result};
use crate::page::Page;
use crate::people::{
    self, Household, HouseholdInput, PersonalField, Resident, ResidentFilter, ResidentInput,
};
use crate::web::AppState;
use crate::web::extract::{Created, CurrentActor, Id, Json, Listing, Paging};
use utoipa_axum::routes;

use crate::web::routes::{Object, Routes, Rule};

pub(super) fn router() -> Routes {
    let resident = |p| Rule::needs(p).on(Object::Resident);
    Routes::new()
        .api(Rule::needs(P::PeopleRead), routes!(list_residents))
        .api(Rule::needs(P::PeopleWrite), routes!(create_resident))
        .api(resident(P::PeopleRead), routes!(get_resident))
        .api(resident(P::PeopleWrite), routes!(update_resident))
        .api(resident(P::PeopleReveal), routes!(reveal))
        .api(resident(P::PeopleErase), routes!(erase_resident))
        .api(Rule::needs(P::PeopleRead), routes!(list_households))
        .api(Rule::needs(P::PeopleWrite), routes!(create_household))
}

/// Residents inside your scope; phone and ID numbers masked; `total` is the exact number the
/// filter selects.
#[utoipa::path(
    get,
    path = "/api/v1/residents",
    tag = "people",
    params(ResidentFilter, Paging),
    responses((status = 200, body = Page<Resident>)),
)]
pub async fn list_residents(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Listing(f, page): Listing<ResidentFilter>,
) -> Result<axum::Json<Page<Resident>>> {
    Ok(axum::Json(
        people::list_residents(&s.db, &a, &f, page).await?,
    ))
}

/// Register a resident (phone and ID number validated and unique).
#[utoipa::path(
    post,
    path = "/api/v1/residents",
    tag = "people",
    request_body = ResidentInput,
    responses((status = 201, body = Resident), (status = 422, body = super::ApiError)),
)]
pub async fn create_resident(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Json(b): Json<ResidentInput>,
) -> Result<Created<Resident>> {
    Ok(Created(people::create_resident(&s.db, &a, &b).await?))
}

/// One resident, masked.
#[utoipa::path(
    get,
    path = "/api/v1/residents/{id}",
    tag = "people",
    params(("id" = i64, Path)),
    responses((status = 200, body = Resident), (status = 404, body = super::ApiError)),
)]
pub async fn get_resident(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Id(id): Id,
) -> Result<axum::Json<Resident>> {
    Ok(axum::Json(people::get_resident(&s.db, &a, id).await?))
}

/// Replace a resident's data; an empty or missing phone / ID number keeps the stored one.
#[utoipa::path(
    put,
    path = "/api/v1/residents/{id}",
    tag = "people",
    params(("id" = i64, Path)),
    request_body = ResidentInput,
    responses(
        (status = 200, body = Resident),
        (status = 422, body = super::ApiError),
        (status = 404, body = super::ApiError),
    ),
)]
pub async fn update_resident(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Id(id): Id,
    Json(b): Json<ResidentInput>,
) -> Result<axum::Json<Resident>> {
    Ok(axum::Json(
        people::update_resident(&s.db, &a, id, &b).await?,
    ))
}

/// Which number to reveal.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct RevealRequest {
    /// phone or id_number
    field: String,
}

/// The full value of one number.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Revealed {
    field: String,
    value: Option<String>,
}

/// Show one full phone or ID number (roles that need it; every view is audited).
#[utoipa::path(
    post,
    path = "/api/v1/residents/{id}/reveal",
    tag = "people",
    params(("id" = i64, Path)),
    request_body = RevealRequest,
    responses((status = 200, body = Revealed), (status = 403, body = super::ApiError)),
)]
pub async fn reveal(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Id(id): Id,
    Json(b): Json<RevealRequest>,
) -> Result<axum::Json<Revealed>> {
    let field = match b.field.as_str() {
        "phone" => PersonalField::Phone,
        "id_number" => PersonalField::IdNumber,
        _ => return Err(Error::invalid("field", Msg::new("field.choose"))),
    };
    let value = people::reveal(&s.db, &a, id, field).await?;
    Ok(axum::Json(Revealed {
        field: b.field,
        value,
    }))
}

/// Erase a resident's personal data on request (attendance stays, anonymously).
#[utoipa::path(
    post,
    path = "/api/v1/residents/{id}/erase",
    tag = "people",
    params(("id" = i64, Path)),
    responses((status = 200, body = Resident), (status = 409, body = super::ApiError)),
)]
pub async fn erase_resident(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Id(id): Id,
) -> Result<axum::Json<Resident>> {
    Ok(axum::Json(people::erase_resident(&s.db, &a, id).await?))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HouseholdQuery {
    community_id: Option<i64>,
    q: Option<String>,
}

/// Households inside your scope.
#[utoipa::path(
    get,
    path = "/api/v1/households",
    tag = "people",
    params(HouseholdQuery, Paging),
    responses((status = 200, body = Page<Household>)),
)]
pub async fn list_households(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Listing(q, page): Listing<HouseholdQuery>,
) -> Result<axum::Json<Page<Household>>> {
    let households = people::list_households(&s.db, &a, q.community_id, q.q.as_deref(), page);
    Ok(axum::Json(households.await?))
}

/// Create a household.
#[utoipa::path(
    post,
    path = "/api/v1/households",
    tag = "people",
    request_body = HouseholdInput,
    responses((status = 201, body = Household), (status = 422, body = super::ApiError)),
)]
pub async fn create_household(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Json(b): Json<HouseholdInput>,
) -> Result<Created<Household>> {
    Ok(Created(people::create_household(&s.db, &a, &b).await?))
}
