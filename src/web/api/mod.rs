//! The JSON API under `/api/v1`: the same use-cases and permissions as the pages. Authentication is a
//! bearer token from `POST /api/v1/auth/login` (or the page session cookie plus `X-CSRF-Token`). Errors
//! share one envelope: `{"error": {"code", "reason", "message", "fields", "request_id"}}`.

mod activities;
mod admin;
mod attendance;
mod auth;
mod catalogue;
mod org;
mod people;

use askama::Template;
use axum::response::{IntoResponse, Response};
use utoipa::OpenApi;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};

use super::routes::{Routes, Rule};
use crate::error::Result;
use crate::i18n::Lang;

/// The OpenAPI document of `/api/v1`.
#[derive(OpenApi)]
#[openapi(
    info(title = "cedu API", description = "社区教育平台接口 · community education platform API", version = "1"),
    paths(
        auth::login, auth::logout, auth::me,
        org::tree, org::list_nodes, org::create_node, org::get_node, org::update_node, org::move_node, org::retire_node,
        org::list_members, org::add_member, org::remove_member,
        admin::list_users, admin::create_user, admin::disable_user, admin::enable_user, admin::reset_password,
        admin::list_requests, admin::confirm_request, admin::reject_request, admin::list_audit,
        people::list_residents, people::create_resident, people::get_resident, people::update_resident, people::reveal,
        people::erase_resident, people::list_households, people::create_household,
        people::list_teachers, people::create_teacher, people::get_teacher, people::update_teacher, people::retire_teacher,
        people::reinstate_teacher, people::add_training, people::add_service,
        people::upload_import, people::get_import, people::confirm_import, people::cancel_import,
        activities::list_activities, activities::plan_activity, activities::get_activity, activities::update_activity,
        activities::transition_activity, activities::month_grid, activities::list_enrolments, activities::enrol,
        activities::cancel_enrolment,
        attendance::check_in, attendance::rate, attendance::self_enrol, attendance::enrol_link, attendance::checkin_code, attendance::get_attendance,
        attendance::mark_attendance, attendance::mark_by_phone, attendance::head_count, attendance::get_ratings,
        attendance::list_files, attendance::upload_file, attendance::download_file, attendance::document,
        catalogue::get_catalogue, catalogue::create_theme, catalogue::update_theme, catalogue::add_entry,
        catalogue::update_entry,
    ),
    components(schemas(
        crate::org::Node, crate::org::NodeInput, crate::org::NewNode, crate::org::Member, crate::org::TreeNode,
        crate::access::User, crate::access::NewUser, crate::access::AccountRequest,
        admin::PasswordRequest, admin::ResetOutcome, admin::Decision, crate::audit::AuditRecord, ApiError, ApiErrorBody, ApiFieldError,
        auth::LoginRequest, auth::LoginResponse, auth::Me, org::MoveRequest, org::NewMemberRequest,
        crate::people::Resident, crate::people::ResidentInput, crate::people::Household, crate::people::HouseholdInput,
        crate::people::import::Batch, crate::people::import::RowError, crate::people::import::ImportKind,
        crate::teachers::Teacher, crate::teachers::TeacherInput, crate::teachers::TeacherDetail, crate::teachers::TaughtActivity, crate::teachers::Training,
        crate::teachers::ServiceHours, crate::teachers::TimeEntry,
        people::RevealRequest, people::Revealed, people::RetireRequest, people::Imported,
        crate::activities::Activity, crate::activities::ActivityInput, crate::activities::Grid, crate::activities::GridRow,
        activities::TransitionRequest, activities::EnrolRequest, activities::Cancelled, crate::attendance::Enrolment,
        crate::attendance::CheckinInput, crate::attendance::CheckinOutcome, crate::attendance::CheckinForm,
        crate::attendance::PublicActivity, crate::attendance::AttendanceStatus, crate::attendance::QrCode,
        crate::attendance::AttendanceSheet, crate::attendance::Attendance, crate::attendance::RatingInput,
        crate::attendance::RatingSummary, crate::attendance::RatingComment, crate::evidence::ActivityFile,
        attendance::Mark, attendance::MarkRequest, attendance::Marked, attendance::PhoneMarkRequest,
        attendance::HeadCount, attendance::DocumentRequest, attendance::EnrolLink,
        crate::attendance::SelfEnrolment,
        crate::catalogue::Catalogue, crate::catalogue::Theme, crate::catalogue::ThemeInput,
        crate::catalogue::DictionaryEntry, crate::catalogue::EntryInput,
    )),
    modifiers(&BearerAuth),
    security(("bearer" = [])),
    tags((name = "auth", description = "登录与会话"), (name = "org", description = "组织架构"), (name = "admin", description = "账号与审计"), (name = "people", description = "居民、家庭与导入"), (name = "teachers", description = "师资库"), (name = "activities", description = "课程与活动"), (name = "attendance", description = "签到、考勤、评价与活动资料"))
)]
pub struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        if let Some(c) = openapi.components.as_mut() {
            c.add_security_scheme(
                "bearer",
                SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
            );
        }
    }
}

/// The error envelope of every API refusal.
#[derive(utoipa::ToSchema)]
#[allow(dead_code, reason = "documents the JSON written by web::error")]
pub struct ApiError {
    error: ApiErrorBody,
}

/// Inside the error envelope.
#[derive(utoipa::ToSchema)]
#[allow(dead_code, reason = "documents the JSON written by web::error")]
pub struct ApiErrorBody {
    /// unauthenticated, forbidden, not_found, invalid, conflict, throttled, bad_request, unavailable, internal
    code: String,
    /// The precise refusal, e.g. `org.move_cycle`.
    reason: Option<String>,
    /// A message for people, Chinese unless the `cedu_lang=en` cookie is sent.
    message: String,
    fields: Vec<ApiFieldError>,
    request_id: String,
}

/// A field-level validation error.
#[derive(utoipa::ToSchema)]
#[allow(dead_code, reason = "documents the JSON written by web::error")]
pub struct ApiFieldError {
    field: String,
    code: String,
    message: String,
}

/// `/api` routes: the versioned API, its OpenAPI document and the offline docs page.
pub fn router() -> Routes {
    Routes::new()
        .nest(
            "/v1",
            Routes::new()
                .merge(auth::router())
                .merge(org::router())
                .merge(admin::router())
                .merge(people::router())
                .merge(activities::router())
                .merge(attendance::router())
                .merge(catalogue::router()),
        )
        .get("/openapi.json", Rule::PUBLIC, openapi_json)
        .get("/docs", Rule::PUBLIC, docs)
}

async fn openapi_json() -> Response {
    axum::Json(ApiDoc::openapi()).into_response()
}

/// One operation on the docs page.
struct OpView {
    method: &'static str,
    path: String,
    summary: String,
    description: String,
    tag: String,
}

#[derive(Template)]
#[template(path = "api_docs.html")]
struct DocsPage {
    lang: &'static str,
    ops: Vec<OpView>,
}

/// A readable list of every operation, rendered from the same document (works with no network).
async fn docs(lang: Lang) -> Result<Response> {
    let doc = ApiDoc::openapi();
    let mut ops = Vec::new();
    for (path, item) in &doc.paths.paths {
        let methods = [
            ("GET", &item.get),
            ("POST", &item.post),
            ("PUT", &item.put),
            ("PATCH", &item.patch),
            ("DELETE", &item.delete),
        ];
        for (method, op) in methods {
            if let Some(op) = op {
                ops.push(OpView {
                    method,
                    path: path.clone(),
                    summary: op.summary.clone().unwrap_or_default(),
                    description: op.description.clone().unwrap_or_default(),
                    tag: op
                        .tags
                        .as_ref()
                        .and_then(|t| t.first().cloned())
                        .unwrap_or_default(),
                });
            }
        }
    }
    super::pages::html(&DocsPage {
        lang: lang.code(),
        ops,
    })
}
