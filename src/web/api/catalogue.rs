//! The district's catalogue under `/api/v1/catalogue`.

use axum::extract::State;

use crate::access::Permission as P;
use crate::catalogue::{
    self, Catalogue, Dictionary, DictionaryEntry, EntryInput, Theme, ThemeInput,
};
use crate::error::{Error, Result};
use crate::web::AppState;
use crate::web::extract::{Created, CurrentActor, Id, Json};
use utoipa_axum::routes;

use crate::web::routes::{Object, Routes, Rule};

pub(super) fn router() -> Routes {
    let manage = Rule::needs(P::CatalogueManage);
    Routes::new()
        .api(Rule::needs(P::ActivitiesRead), routes!(get_catalogue))
        .api(manage, routes!(create_theme))
        .api(manage.on(Object::Theme), routes!(update_theme))
        .api(manage, routes!(add_entry))
        .api(manage.on(Object::Entry), routes!(update_entry))
}

/// The catalogue of your district: themes, formats and target groups, retired entries included.
#[utoipa::path(
    get,
    path = "/api/v1/catalogue",
    tag = "activities",
    responses((status = 200, body = Catalogue)),
)]
pub async fn get_catalogue(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
) -> Result<axum::Json<Catalogue>> {
    Ok(axum::Json(catalogue::catalogue(&s.db, &a).await?))
}

/// Add a theme (names are unique in the district).
#[utoipa::path(
    post,
    path = "/api/v1/catalogue/themes",
    tag = "activities",
    request_body = ThemeInput,
    responses((status = 201, body = Theme), (status = 422, body = super::ApiError)),
)]
pub async fn create_theme(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Json(b): Json<ThemeInput>,
) -> Result<Created<Theme>> {
    Ok(Created(catalogue::create_theme(&s.db, &a, &b).await?))
}

/// Rename, re-describe, retire (`active: false`) or reinstate a theme.
#[utoipa::path(
    put,
    path = "/api/v1/catalogue/themes/{id}",
    tag = "activities",
    params(("id" = i64, Path)),
    request_body = ThemeInput,
    responses(
        (status = 200, body = Theme),
        (status = 404, body = super::ApiError),
        (status = 422, body = super::ApiError),
    ),
)]
pub async fn update_theme(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Id(id): Id,
    Json(b): Json<ThemeInput>,
) -> Result<axum::Json<Theme>> {
    Ok(axum::Json(
        catalogue::update_theme(&s.db, &a, id, &b).await?,
    ))
}

fn dictionary(kind: &str) -> Result<Dictionary> {
    Dictionary::parse(kind).ok_or(Error::NotFound)
}

/// Add a format (`formats`) or a target group (`target_groups`).
#[utoipa::path(
    post,
    path = "/api/v1/catalogue/{kind}",
    tag = "activities",
    params(("kind" = String, Path)),
    request_body = EntryInput,
    responses((status = 201, body = DictionaryEntry), (status = 422, body = super::ApiError)),
)]
pub async fn add_entry(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    axum::extract::Path(kind): axum::extract::Path<String>,
    Json(b): Json<EntryInput>,
) -> Result<Created<DictionaryEntry>> {
    let d = dictionary(&kind)?;
    Ok(Created(catalogue::add_entry(&s.db, &a, d, &b).await?))
}

/// Rename, retire or reinstate a format or target group.
#[utoipa::path(
    put,
    path = "/api/v1/catalogue/{kind}/{id}",
    tag = "activities",
    params(("kind" = String, Path), ("id" = i64, Path)),
    request_body = EntryInput,
    responses((status = 200, body = DictionaryEntry), (status = 404, body = super::ApiError)),
)]
pub async fn update_entry(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    axum::extract::Path((kind, id)): axum::extract::Path<(String, String)>,
    Json(b): Json<EntryInput>,
) -> Result<axum::Json<DictionaryEntry>> {
    let d = dictionary(&kind)?;
    let id: i64 = id.parse().map_err(|_| Error::NotFound)?;
    Ok(axum::Json(
        catalogue::update_entry(&s.db, &a, d, id, &b).await?,
    ))
}
