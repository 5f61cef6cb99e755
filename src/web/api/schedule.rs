//! The annual schedule under `/api/v1/schedule`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::access::Permission as P;
use crate::error::Result;
use crate::schedule::{self, MarkDone, Row, RowInput, YearTable};
use crate::web::AppState;
use crate::web::extract::{Created, CurrentActor, Id, Json, Query, TownYear, Upload, UploadForm};
use crate::web::routes::{ATTACHMENT_BODY, Object, Routes, Rule};
use utoipa_axum::routes;

pub(super) fn router() -> Routes {
    let read = Rule::either(P::ScheduleRead, P::ScheduleMark);
    let manage = Rule::needs(P::ScheduleManage);
    let mark = Rule::needs(P::ScheduleMark).on(Object::ScheduleRow);
    Routes::new()
        .api(read, routes!(get_year))
        .api(manage, routes!(add_row))
        .api(manage, routes!(copy_year))
        .api(read.on(Object::ScheduleRow), routes!(get_row))
        .api(manage.on(Object::ScheduleRow), routes!(edit_row))
        .api(manage.on(Object::ScheduleRow), routes!(delete_row))
        .api_upload(mark, routes!(mark_done), ATTACHMENT_BODY)
        .api(mark, routes!(reopen_row))
        .api(mark, routes!(link_activity))
}

/// A year of a town's schedule with each row's status (planned, under_way, done, overdue) and the
/// count of each: the whole table for the office, leadership and district; the rows naming your
/// unit for a centre or department.
#[utoipa::path(
    get,
    path = "/api/v1/schedule",
    tag = "schedule",
    params(TownYear),
    responses((status = 200, body = YearTable), (status = 404, body = super::ApiError)),
)]
pub async fn get_year(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Query(q): Query<TownYear>,
) -> Result<axum::Json<YearTable>> {
    Ok(axum::Json(
        schedule::year(&s.db, &a, q.town_id, q.year()).await?,
    ))
}

/// A new row and where it goes.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct NewRow {
    pub town_id: i64,
    pub year: i32,
    #[serde(flatten)]
    pub row: RowInput,
}

/// Add a row to a town's year: months as printed ("3月", "1-2月", "全年"), the work item, one
/// or more units separated by 、 (matched to the tree by name, else kept as named).
#[utoipa::path(
    post,
    path = "/api/v1/schedule/rows",
    tag = "schedule",
    request_body = NewRow,
    responses(
        (status = 201, body = Row),
        (status = 404, body = super::ApiError),
        (status = 422, body = super::ApiError),
    ),
)]
pub async fn add_row(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Json(b): Json<NewRow>,
) -> Result<Created<Row>> {
    Ok(Created(
        schedule::add(&s.db, &a, b.town_id, b.year, &b.row).await?,
    ))
}

/// The year to copy.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct CopyYear {
    pub town_id: i64,
    pub year: i32,
}

/// How many rows were copied.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Copied {
    pub rows: usize,
}

/// Copy a town's year into the next (nothing done, nothing linked); refused when the next year
/// has rows.
#[utoipa::path(
    post,
    path = "/api/v1/schedule/copy",
    tag = "schedule",
    request_body = CopyYear,
    responses(
        (status = 201, body = Copied),
        (status = 404, body = super::ApiError),
        (status = 409, body = super::ApiError),
    ),
)]
pub async fn copy_year(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Json(b): Json<CopyYear>,
) -> Result<Created<Copied>> {
    let rows = schedule::copy_forward(&s.db, &a, b.town_id, b.year).await?;
    Ok(Created(Copied { rows }))
}

/// One row, with the activities that carried it out and its evidence.
#[utoipa::path(
    get,
    path = "/api/v1/schedule/rows/{id}",
    tag = "schedule",
    params(("id" = i64, Path)),
    responses((status = 200, body = Row), (status = 404, body = super::ApiError)),
)]
pub async fn get_row(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Id(id): Id,
) -> Result<axum::Json<Row>> {
    Ok(axum::Json(schedule::get(&s.db, &a, id).await?))
}

/// Rewrite a row; `version` (from the row read) refuses an edit made on a stale copy.
#[utoipa::path(
    put,
    path = "/api/v1/schedule/rows/{id}",
    tag = "schedule",
    params(("id" = i64, Path)),
    request_body = RowInput,
    responses(
        (status = 200, body = Row),
        (status = 409, body = super::ApiError),
        (status = 422, body = super::ApiError),
    ),
)]
pub async fn edit_row(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Id(id): Id,
    Json(b): Json<RowInput>,
) -> Result<axum::Json<Row>> {
    Ok(axum::Json(schedule::edit(&s.db, &a, id, &b).await?))
}

/// Remove a row with its links.
#[utoipa::path(
    delete,
    path = "/api/v1/schedule/rows/{id}",
    tag = "schedule",
    params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = super::ApiError)),
)]
pub async fn delete_row(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Id(id): Id,
) -> Result<Response> {
    schedule::remove(&s.db, &a, id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Mark a row done as multipart form data: `note` (required) and `file` (JPG, PNG, PDF or xlsx,
/// at most 10 MB; required unless the row has evidence already).
#[utoipa::path(
    post,
    path = "/api/v1/schedule/rows/{id}/done",
    tag = "schedule",
    params(("id" = i64, Path)),
    responses(
        (status = 200, body = Row),
        (status = 409, body = super::ApiError),
        (status = 413, body = super::ApiError),
        (status = 422, body = super::ApiError),
    ),
)]
pub async fn mark_done(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Id(id): Id,
    upload: Upload,
) -> Result<axum::Json<Row>> {
    let form = upload.read().await?;
    if form.too_large {
        return Err(UploadForm::too_large_error());
    }
    let m = MarkDone {
        note: form.text("note"),
        file: form.file,
    };
    Ok(axum::Json(schedule::mark_done(&s.db, &a, id, m).await?))
}

/// Why a done mark is taken back.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct Reopen {
    #[schema(min_length = 1, max_length = 200)]
    pub reason: String,
}

/// Take a row's done mark back, with the reason.
#[utoipa::path(
    post,
    path = "/api/v1/schedule/rows/{id}/reopen",
    tag = "schedule",
    params(("id" = i64, Path)),
    request_body = Reopen,
    responses((status = 200, body = Row), (status = 409, body = super::ApiError)),
)]
pub async fn reopen_row(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Id(id): Id,
    Json(b): Json<Reopen>,
) -> Result<axum::Json<Row>> {
    Ok(axum::Json(
        schedule::reopen(&s.db, &a, id, &b.reason).await?,
    ))
}

/// An activity to link to a row (or unlink with `linked: false`).
#[derive(Deserialize, utoipa::ToSchema)]
pub struct Link {
    pub activity_id: i64,
    #[serde(default = "yes")]
    pub linked: bool,
}

fn yes() -> bool {
    true
}

/// Link an activity of the row's town and year that carried it out; once it is documented the
/// row is done.
#[utoipa::path(
    post,
    path = "/api/v1/schedule/rows/{id}/activities",
    tag = "schedule",
    params(("id" = i64, Path)),
    request_body = Link,
    responses((status = 200, body = Row), (status = 422, body = super::ApiError)),
)]
pub async fn link_activity(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Id(id): Id,
    Json(b): Json<Link>,
) -> Result<axum::Json<Row>> {
    Ok(axum::Json(
        schedule::link(&s.db, &a, id, b.activity_id, b.linked).await?,
    ))
}
