//! The teacher pool: teachers, their status, trainings and service hours.

use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;

use crate::access::Permission as P;
use crate::error::Result;
use crate::page::Page;
use crate::teachers::{self, Teacher, TeacherDetail, TeacherFilter, TeacherInput, TimeEntry};
use crate::web::AppState;
use crate::web::extract::{Created, CurrentActor, Id, Json, Listing, Paging};
use utoipa_axum::routes;

use crate::web::routes::{Object, Routes, Rule};

pub(super) fn router() -> Routes {
    let teacher = |p| Rule::needs(p).on(Object::Teacher);
    Routes::new()
        .api(Rule::needs(P::TeachersRead), routes!(list_teachers))
        .api(Rule::needs(P::TeachersWrite), routes!(create_teacher))
        .api(teacher(P::TeachersRead), routes!(get_teacher))
        .api(teacher(P::TeachersWrite), routes!(update_teacher))
        .api(teacher(P::TeachersWrite), routes!(retire_teacher))
        .api(teacher(P::TeachersWrite), routes!(reinstate_teacher))
        .api(teacher(P::TeachersWrite), routes!(add_training))
        .api(teacher(P::TeachersWrite), routes!(add_service))
}

/// Teachers you may see: your scope's pools and your town school's pool.
#[utoipa::path(
    get,
    path = "/api/v1/teachers",
    tag = "teachers",
    params(TeacherFilter, Paging),
    responses((status = 200, body = Page<Teacher>)),
)]
pub async fn list_teachers(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Listing(f, page): Listing<TeacherFilter>,
) -> Result<axum::Json<Page<Teacher>>> {
    Ok(axum::Json(
        teachers::list_teachers(&s.db, &a, &f, page).await?,
    ))
}

/// Add a teacher to a pool.
#[utoipa::path(
    post,
    path = "/api/v1/teachers",
    tag = "teachers",
    request_body = TeacherInput,
    responses((status = 201, body = Teacher), (status = 422, body = super::ApiError)),
)]
pub async fn create_teacher(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Json(b): Json<TeacherInput>,
) -> Result<Created<Teacher>> {
    Ok(Created(teachers::create_teacher(&s.db, &a, &b).await?))
}

/// A teacher with trainings and service hours.
#[utoipa::path(
    get,
    path = "/api/v1/teachers/{id}",
    tag = "teachers",
    params(("id" = i64, Path)),
    responses((status = 200, body = TeacherDetail), (status = 404, body = super::ApiError)),
)]
pub async fn get_teacher(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Id(id): Id,
) -> Result<axum::Json<TeacherDetail>> {
    Ok(axum::Json(teachers::get_teacher(&s.db, &a, id).await?))
}

/// Replace a teacher's data.
#[utoipa::path(
    put,
    path = "/api/v1/teachers/{id}",
    tag = "teachers",
    params(("id" = i64, Path)),
    request_body = TeacherInput,
    responses((status = 200, body = Teacher), (status = 422, body = super::ApiError)),
)]
pub async fn update_teacher(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Id(id): Id,
    Json(b): Json<TeacherInput>,
) -> Result<axum::Json<Teacher>> {
    Ok(axum::Json(
        teachers::update_teacher(&s.db, &a, id, &b).await?,
    ))
}

/// When and why a teacher leaves the pool.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct RetireRequest {
    /// YYYY-MM-DD
    retired_on: String,
    retired_reason: String,
}

/// Retire a teacher from the pool.
#[utoipa::path(
    post,
    path = "/api/v1/teachers/{id}/retire",
    tag = "teachers",
    params(("id" = i64, Path)),
    request_body = RetireRequest,
    responses((status = 200, body = Teacher), (status = 409, body = super::ApiError)),
)]
pub async fn retire_teacher(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Id(id): Id,
    Json(b): Json<RetireRequest>,
) -> Result<axum::Json<Teacher>> {
    Ok(axum::Json(
        teachers::set_status(&s.db, &a, id, Some((b.retired_on, b.retired_reason))).await?,
    ))
}

/// Return a teacher to the pool.
#[utoipa::path(
    post,
    path = "/api/v1/teachers/{id}/reinstate",
    tag = "teachers",
    params(("id" = i64, Path)),
    responses((status = 200, body = Teacher), (status = 409, body = super::ApiError)),
)]
pub async fn reinstate_teacher(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Id(id): Id,
) -> Result<axum::Json<Teacher>> {
    Ok(axum::Json(teachers::set_status(&s.db, &a, id, None).await?))
}

/// Record a training a teacher attended.
#[utoipa::path(
    post,
    path = "/api/v1/teachers/{id}/trainings",
    tag = "teachers",
    params(("id" = i64, Path)),
    request_body = TimeEntry,
    responses((status = 204), (status = 422, body = super::ApiError)),
)]
pub async fn add_training(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Id(id): Id,
    Json(b): Json<TimeEntry>,
) -> Result<StatusCode> {
    teachers::add_training(&s.db, &a, id, &b).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Record a volunteer's service hours for an activity.
#[utoipa::path(
    post,
    path = "/api/v1/teachers/{id}/service",
    tag = "teachers",
    params(("id" = i64, Path)),
    request_body = TimeEntry,
    responses((status = 204), (status = 409, body = super::ApiError)),
)]
pub async fn add_service(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Id(id): Id,
    Json(b): Json<TimeEntry>,
) -> Result<StatusCode> {
    teachers::add_service(&s.db, &a, id, &b).await?;
    Ok(StatusCode::NO_CONTENT)
}
