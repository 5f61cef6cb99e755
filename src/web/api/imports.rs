//! Imports of residents, households and teachers: upload and check, report, confirm, cancel.

use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;

use crate::access::Permission as P;
use crate::error::{Error, Msg, Result};
use crate::importers::{self, Kind as ImportKind};
use crate::imports::Batch;
use crate::spreadsheet;
use crate::web::AppState;
use crate::web::extract::{CurrentActor, Id, Query};
use utoipa_axum::routes;

use crate::web::routes::{Object, Routes, Rule};

pub(super) fn router() -> Routes {
    let batch = Rule::needs(P::PeopleImport).on(Object::Import);
    Routes::new()
        // Teachers are imported by those who write the pool: the use-case tells by the kind.
        .api_upload(
            Rule::either(P::PeopleImport, P::TeachersWrite),
            routes!(upload_import),
            crate::web::pages::UPLOAD_LIMIT,
        )
        .api(batch, routes!(get_import))
        .api(batch, routes!(confirm_import))
        .api(batch, routes!(cancel_import))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// residents, households or teachers
    kind: String,
    town_id: i64,
    /// The file name (decides csv when the content is plain text).
    file_name: Option<String>,
}

/// Check a spreadsheet (the request body: xlsx or csv bytes). Nothing is written until confirmed.
#[utoipa::path(
    post,
    path = "/api/v1/imports",
    tag = "people",
    params(ImportQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 201, body = Batch), (status = 400, body = super::ApiError)),
)]
pub async fn upload_import(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Query(q): Query<ImportQuery>,
    body: axum::body::Bytes,
) -> Result<(StatusCode, axum::Json<Batch>)> {
    let kind = ImportKind::parse(&q.kind)
        .ok_or_else(|| Error::invalid("kind", Msg::new("import.choose_kind")))?;
    let name = q.file_name.unwrap_or_else(|| "upload.xlsx".into());
    let n = name.clone();
    let sheet = tokio::task::spawn_blocking(move || spreadsheet::read(&body, &n))
        .await
        .map_err(|e| Error::internal_from("reading the spreadsheet", e))??;
    Ok((
        StatusCode::CREATED,
        axum::Json(importers::preview(&s.db, &a, kind, q.town_id, &name, &sheet).await?),
    ))
}

/// A batch of yours with its report.
#[utoipa::path(
    get,
    path = "/api/v1/imports/{id}",
    tag = "people",
    params(("id" = i64, Path)),
    responses((status = 200, body = Batch), (status = 404, body = super::ApiError)),
)]
pub async fn get_import(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Id(id): Id,
) -> Result<axum::Json<Batch>> {
    Ok(axum::Json(importers::batch(&s.db, &a, id).await?))
}

/// How many rows were imported.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Imported {
    imported: usize,
}

/// Import the valid rows of a batch, all in one transaction.
#[utoipa::path(
    post,
    path = "/api/v1/imports/{id}/confirm",
    tag = "people",
    params(("id" = i64, Path)),
    responses((status = 200, body = Imported), (status = 409, body = super::ApiError)),
)]
pub async fn confirm_import(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Id(id): Id,
) -> Result<axum::Json<Imported>> {
    Ok(axum::Json(Imported {
        imported: importers::confirm(&s.db, &a, id).await?,
    }))
}

/// Drop a pending batch.
#[utoipa::path(
    post,
    path = "/api/v1/imports/{id}/cancel",
    tag = "people",
    params(("id" = i64, Path)),
    responses((status = 204), (status = 409, body = super::ApiError)),
)]
pub async fn cancel_import(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Id(id): Id,
) -> Result<StatusCode> {
    importers::cancel(&s.db, &a, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
