//! Meetings of the leadership group and the office under `/api/v1/meetings`.

use axum::extract::State;
use serde::Deserialize;

use crate::access::Permission as P;
use crate::error::Result;
use crate::meetings::{self, Meeting, MeetingInput, MeetingsYear};
use crate::web::AppState;
use crate::web::extract::{Created, CurrentActor, Id, Json, Query, TownYear};
use crate::web::routes::{Object, Routes, Rule};
use utoipa_axum::routes;

pub(super) fn router() -> Routes {
    let read = Rule::needs(P::MeetingsRead);
    let write = Rule::needs(P::MeetingsWrite);
    Routes::new()
        .api(read, routes!(get_year))
        .api(write, routes!(record))
        .api(read.on(Object::Meeting), routes!(get_meeting))
        .api(write.on(Object::Meeting), routes!(follow_up))
}

/// A town's meetings of a year with the count against the plan (the leadership group 1–2 a year).
#[utoipa::path(get, path = "/api/v1/meetings", tag = "meetings", params(TownYear),
    responses((status = 200, body = MeetingsYear), (status = 404, body = super::ApiError)))]
pub async fn get_year(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Query(q): Query<TownYear>,
) -> Result<axum::Json<MeetingsYear>> {
    let year = q.year();
    Ok(axum::Json(
        meetings::year(&s.db, &a, q.town_id, year).await?,
    ))
}

/// Record a meeting: its group's members who came (`present`), agenda, minutes, decisions.
#[utoipa::path(post, path = "/api/v1/meetings", tag = "meetings", request_body = MeetingInput,
    responses((status = 201, body = Meeting), (status = 404, body = super::ApiError), (status = 422, body = super::ApiError)))]
pub async fn record(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Json(b): Json<MeetingInput>,
) -> Result<Created<Meeting>> {
    Ok(Created(meetings::record(&s.db, &a, &b).await?))
}

/// One meeting with its attendees, decisions and scans.
#[utoipa::path(get, path = "/api/v1/meetings/{id}", tag = "meetings", params(("id" = i64, Path)),
    responses((status = 200, body = Meeting), (status = 404, body = super::ApiError)))]
pub async fn get_meeting(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Id(id): Id,
) -> Result<axum::Json<Meeting>> {
    Ok(axum::Json(meetings::get(&s.db, &a, id).await?))
}

/// A decision's follow-up.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct FollowUp {
    pub decision_id: i64,
    #[schema(min_length = 1, max_length = 500)]
    pub note: String,
}

/// Mark a decision's follow-up done, with a note.
#[utoipa::path(post, path = "/api/v1/meetings/{id}/follow-up", tag = "meetings", params(("id" = i64, Path)),
    request_body = FollowUp,
    responses((status = 200, body = Meeting), (status = 409, body = super::ApiError), (status = 422, body = super::ApiError)))]
pub async fn follow_up(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Id(id): Id,
    Json(b): Json<FollowUp>,
) -> Result<axum::Json<Meeting>> {
    Ok(axum::Json(
        meetings::follow_up(&s.db, &a, id, b.decision_id, &b.note).await?,
    ))
}
