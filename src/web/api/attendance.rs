//! Check-in, attendance, ratings and evidence under `/api/v1`. `POST /checkin` and `POST /ratings`
//! need no account: the signed code or rating link is the key.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use crate::access::Permission as P;
use crate::activities::Activity;
use crate::attendance::{
    self, AttendanceSheet, CheckinInput, CheckinOutcome, Method, QrCode, RatingInput, RatingSummary,
};
use crate::error::{Error, Msg, Result};
use crate::evidence::{self, ActivityFile, Kind};
use crate::web::AppState;
use crate::web::extract::{ClientMeta, Created, CurrentActor, Id, Json, Upload};
use utoipa_axum::routes;

use crate::web::routes::{Object, Routes, Rule};

pub(super) fn router() -> Routes {
    let activity = |p| Rule::needs(p).on(Object::Activity);
    Routes::new()
        // Residents' phones: the signed code or link is the key.
        .api(Rule::PUBLIC, routes!(check_in))
        .api(Rule::PUBLIC, routes!(rate))
        .api(Rule::PUBLIC, routes!(self_enrol))
        .api(activity(P::ActivitiesRead), routes!(enrol_link))
        .api(activity(P::ActivitiesAttend), routes!(checkin_code))
        .api(activity(P::ActivitiesRead), routes!(get_attendance))
        .api(activity(P::ActivitiesAttend), routes!(mark_attendance))
        .api(activity(P::ActivitiesAttend), routes!(mark_by_phone))
        .api(activity(P::ActivitiesAttend), routes!(head_count))
        .api(activity(P::ActivitiesRead), routes!(get_ratings))
        .api(activity(P::ActivitiesRead), routes!(list_files))
        // Photos and sign-in scans need attendance rights, lesson materials planning rights.
        .api_upload(
            Rule::either(P::ActivitiesAttend, P::ActivitiesPlan).on(Object::Activity),
            routes!(upload_file),
            evidence::MAX_BYTES + 64 * 1024,
        )
        .api(
            Rule::needs(P::ActivitiesRead).on(Object::File),
            routes!(download_file),
        )
        .api(
            Rule::both(P::ActivitiesAttend, P::ActivitiesPlan).on(Object::Activity),
            routes!(document),
        )
}

/// Check in with a scanned QR code (or the ticket of the check-in page) and a mobile number. A
/// number not registered yet answers `name_needed` unless `name` (and a `community_id`) come along;
/// a second check-in answers `already_checked_in` and changes nothing.
#[utoipa::path(
    post,
    path = "/api/v1/checkin",
    tag = "attendance",
    request_body = CheckinInput,
    security(()),
    responses(
        (status = 200, body = CheckinOutcome),
        (status = 400, body = super::ApiError),
        (status = 409, body = super::ApiError),
        (status = 422, body = super::ApiError),
    ),
)]
pub async fn check_in(
    State(s): State<AppState>,
    meta: ClientMeta,
    Json(b): Json<CheckinInput>,
) -> Result<axum::Json<CheckinOutcome>> {
    Ok(axum::Json(
        attendance::check_in(&s.desk, &b, meta.ip, meta.request_id).await?,
    ))
}

/// Enrol yourself with an activity's shared enrolment link and a mobile number; a number not
/// registered yet answers `name_needed` unless `name` (and a `community_id`) come along.
#[utoipa::path(
    post,
    path = "/api/v1/enrol",
    tag = "attendance",
    request_body = CheckinInput,
    security(()),
    responses(
        (status = 200, body = attendance::SelfEnrolment),
        (status = 409, body = super::ApiError),
        (status = 422, body = super::ApiError),
    ),
)]
pub async fn self_enrol(
    State(s): State<AppState>,
    meta: ClientMeta,
    Json(b): Json<CheckinInput>,
) -> Result<axum::Json<attendance::SelfEnrolment>> {
    Ok(axum::Json(
        attendance::self_enrol(&s.desk, &b, meta.ip, meta.request_id).await?,
    ))
}

/// The enrolment link's token.
#[derive(Serialize, utoipa::ToSchema)]
pub struct EnrolLink {
    token: String,
}

/// The token of a published activity's enrolment link (`/e/{token}` on the web).
#[utoipa::path(
    get,
    path = "/api/v1/activities/{id}/enrol-link",
    tag = "attendance",
    params(("id" = i64, Path)),
    responses((status = 200, body = EnrolLink), (status = 409, body = super::ApiError)),
)]
pub async fn enrol_link(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Id(id): Id,
) -> Result<axum::Json<EnrolLink>> {
    Ok(axum::Json(EnrolLink {
        token: attendance::enrol_link(&s.db, &a, id).await?,
    }))
}

/// Rate an attended activity (1–5, optional comment) with the rating link a check-in returned.
#[utoipa::path(
    post,
    path = "/api/v1/ratings",
    tag = "attendance",
    request_body = RatingInput,
    security(()),
    responses(
        (status = 204),
        (status = 409, body = super::ApiError),
        (status = 422, body = super::ApiError),
    ),
)]
pub async fn rate(
    State(s): State<AppState>,
    meta: ClientMeta,
    Json(b): Json<RatingInput>,
) -> Result<StatusCode> {
    attendance::rate(&s.desk, &b, meta.ip, meta.request_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The current check-in code of a published activity (it rotates every 20 seconds).
#[utoipa::path(
    get,
    path = "/api/v1/activities/{id}/checkin-code",
    tag = "attendance",
    params(("id" = i64, Path)),
    responses((status = 200, body = QrCode), (status = 409, body = super::ApiError)),
)]
pub async fn checkin_code(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Id(id): Id,
) -> Result<axum::Json<QrCode>> {
    Ok(axum::Json(attendance::qr_code(&s.db, &a, id).await?))
}

/// Who attended (phones masked), the counts and the enrolled residents not recorded yet.
#[utoipa::path(
    get,
    path = "/api/v1/activities/{id}/attendance",
    tag = "attendance",
    params(("id" = i64, Path)),
    responses((status = 200, body = AttendanceSheet), (status = 404, body = super::ApiError)),
)]
pub async fn get_attendance(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Id(id): Id,
) -> Result<axum::Json<AttendanceSheet>> {
    Ok(axum::Json(attendance::attendance(&s.db, &a, id).await?))
}

/// One resident's mark.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct Mark {
    resident_id: i64,
    /// present, late, excused or absent
    status: String,
}

/// Marks recorded by hand.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct MarkRequest {
    marks: Vec<Mark>,
    /// staff (default) or sheet (entered from a paper sign-in sheet)
    #[serde(default)]
    method: String,
}

/// How many records changed.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Marked {
    changed: usize,
}

/// Mark attendance by hand, all marks in one transaction.
#[utoipa::path(
    post,
    path = "/api/v1/activities/{id}/attendance",
    tag = "attendance",
    params(("id" = i64, Path)),
    request_body = MarkRequest,
    responses(
        (status = 200, body = Marked),
        (status = 409, body = super::ApiError),
        (status = 422, body = super::ApiError),
    ),
)]
pub async fn mark_attendance(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Id(id): Id,
    Json(b): Json<MarkRequest>,
) -> Result<axum::Json<Marked>> {
    let marks: Vec<(i64, String)> = b
        .marks
        .into_iter()
        .map(|m| (m.resident_id, m.status))
        .collect();
    let changed = attendance::mark(&s.db, &a, id, &marks, Method::parse(&b.method)).await?;
    Ok(axum::Json(Marked { changed }))
}

/// A mark for the resident with a mobile number.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct PhoneMarkRequest {
    phone: String,
    status: String,
    #[serde(default)]
    method: String,
}

/// Mark the resident with this mobile number (e.g. a name from the paper sheet who had not
/// enrolled).
#[utoipa::path(
    post,
    path = "/api/v1/activities/{id}/attendance/by-phone",
    tag = "attendance",
    params(("id" = i64, Path)),
    request_body = PhoneMarkRequest,
    responses((status = 200, body = Marked), (status = 422, body = super::ApiError)),
)]
pub async fn mark_by_phone(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Id(id): Id,
    Json(b): Json<PhoneMarkRequest>,
) -> Result<axum::Json<Marked>> {
    let changed =
        attendance::mark_by_phone(&s.db, &a, id, &b.phone, &b.status, Method::parse(&b.method))
            .await?;
    Ok(axum::Json(Marked { changed }))
}

/// The counted heads of an open lecture (null clears).
#[derive(Deserialize, Serialize, utoipa::ToSchema)]
pub struct HeadCount {
    head_count: Option<i64>,
}

/// Record the head count of an open lecture with no roster.
#[utoipa::path(
    post,
    path = "/api/v1/activities/{id}/head-count",
    tag = "attendance",
    params(("id" = i64, Path)),
    request_body = HeadCount,
    responses((status = 200, body = HeadCount), (status = 422, body = super::ApiError)),
)]
pub async fn head_count(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Id(id): Id,
    Json(b): Json<HeadCount>,
) -> Result<axum::Json<HeadCount>> {
    let text = b.head_count.map(|n| n.to_string()).unwrap_or_default();
    let n = attendance::record_head_count(&s.db, &a, id, &text).await?;
    Ok(axum::Json(HeadCount { head_count: n }))
}

/// How residents rated an activity (comments without names).
#[utoipa::path(
    get,
    path = "/api/v1/activities/{id}/ratings",
    tag = "attendance",
    params(("id" = i64, Path)),
    responses((status = 200, body = RatingSummary)),
)]
pub async fn get_ratings(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Id(id): Id,
) -> Result<axum::Json<RatingSummary>> {
    Ok(axum::Json(attendance::ratings(&s.db, &a, id).await?))
}

/// The photos, sign-in scans and materials of an activity.
#[utoipa::path(
    get,
    path = "/api/v1/activities/{id}/files",
    tag = "attendance",
    params(("id" = i64, Path)),
    responses((status = 200, body = Vec<ActivityFile>)),
)]
pub async fn list_files(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Id(id): Id,
) -> Result<axum::Json<Vec<ActivityFile>>> {
    Ok(axum::Json(evidence::list(&s.db, &a, id).await?))
}

/// Upload a file as multipart form data: `kind` (photo, sign_in_sheet or material) and `file` (JPG,
/// PNG, PDF or xlsx as the kind allows, at most 10 MB). Photos are stored without EXIF.
#[utoipa::path(
    post,
    path = "/api/v1/activities/{id}/files",
    tag = "attendance",
    params(("id" = i64, Path)),
    responses(
        (status = 201, body = ActivityFile),
        (status = 413, body = super::ApiError),
        (status = 422, body = super::ApiError),
    ),
)]
pub async fn upload_file(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Id(id): Id,
    upload: Upload,
) -> Result<Created<ActivityFile>> {
    let read = upload.read().await?;
    if read.too_large {
        return Err(crate::web::extract::UploadForm::too_large_for(
            evidence::MAX_BYTES,
        ));
    }
    let kind = Kind::parse(&read.text("kind"))
        .ok_or_else(|| Error::invalid("kind", Msg::new("field.choose")))?;
    let (name, bytes) = read.file.unwrap_or_default();
    let f = evidence::upload(&s.db, &a, id, kind, &name, bytes).await?;
    Ok(Created(f))
}

/// Download a file (as an attachment).
#[utoipa::path(
    get,
    path = "/api/v1/files/{id}",
    tag = "attendance",
    params(("id" = i64, Path)),
    responses((status = 200, description = "the file"), (status = 404, body = super::ApiError)),
)]
pub async fn download_file(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Id(id): Id,
) -> Result<Response> {
    let (f, body) = evidence::download(&s.db, &a, id, false).await?;
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, f.content_type),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"file-{}\"", f.id),
            ),
        ],
        body,
    )
        .into_response())
}

/// The summary that documents an activity.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct DocumentRequest {
    #[schema(min_length = 1, max_length = 2000)]
    summary: String,
}

/// Document a held activity: needs the summary, attendance and at least one photo or sign-in scan.
#[utoipa::path(
    post,
    path = "/api/v1/activities/{id}/document",
    tag = "attendance",
    params(("id" = i64, Path)),
    request_body = DocumentRequest,
    responses((status = 200, body = Activity), (status = 409, body = super::ApiError)),
)]
pub async fn document(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Id(id): Id,
    Json(b): Json<DocumentRequest>,
) -> Result<axum::Json<Activity>> {
    Ok(axum::Json(
        evidence::document(&s.db, &a, id, &b.summary).await?,
    ))
}
