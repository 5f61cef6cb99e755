//! The JSON API under `/api/v1`: the same use-cases and permissions as the pages. Authentication is
//! a bearer token from `POST /api/v1/auth/login` (or the page session cookie plus `X-CSRF-Token`).
//! Errors share one envelope: `{"error": {"code", "reason", "message", "fields", "request_id"}}`.

mod activities;
mod admin;
mod attendance;
mod auth;
mod catalogue;
mod imports;
mod org;
mod people;
mod teachers;

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
    info(
        title = "cedu API",
        description = "社区教育平台接口 · community education platform API",
        version = "1"
    ),
    paths(
        auth::login,
        auth::logout,
        auth::me,
        org::tree,
        org::list_nodes,
        org::create_node,
        org::get_node,
        org::update_node,
        org::move_node,
        org::retire_node,
        org::list_members,
        org::add_member,
        org::remove_member,
        admin::list_users,
        admin::create_user,
        admin::disable_user,
        admin::enable_user,
        admin::reset_password,
        admin::list_requests,
        admin::confirm_request,
        admin::reject_request,
        admin::list_audit,
        people::list_residents,
        people::create_resident,
        people::get_resident,
        people::update_resident,
        people::reveal,
        people::erase_resident,
        people::list_households,
        people::create_household,
        teachers::list_teachers,
        teachers::create_teacher,
        teachers::get_teacher,
        teachers::update_teacher,
        teachers::retire_teacher,
        teachers::reinstate_teacher,
        teachers::add_training,
        teachers::add_service,
        imports::upload_import,
        imports::get_import,
        imports::confirm_import,
        imports::cancel_import,
        activities::list_activities,
        activities::plan_activity,
        activities::get_activity,
        activities::update_activity,
        activities::transition_activity,
        activities::month_grid,
        activities::list_enrolments,
        activities::enrol,
        activities::cancel_enrolment,
        attendance::check_in,
        attendance::rate,
        attendance::self_enrol,
        attendance::enrol_link,
        attendance::checkin_code,
        attendance::get_attendance,
        attendance::mark_attendance,
        attendance::mark_by_phone,
        attendance::head_count,
        attendance::get_ratings,
        attendance::list_files,
        attendance::upload_file,
        attendance::download_file,
        attendance::document,
        catalogue::get_catalogue,
        catalogue::create_theme,
        catalogue::update_theme,
        catalogue::add_entry,
        catalogue::update_entry,
    ),
    components(schemas(
        crate::org::Node,
        crate::org::NodeInput,
        crate::org::NewNode,
        crate::org::Member,
        crate::org::TreeNode,
        crate::accounts::User,
        crate::accounts::NewUser,
        crate::accounts::AccountRequest,
        admin::PasswordRequest,
        admin::ResetOutcome,
        admin::Decision,
        crate::audit::AuditRecord,
        ApiError,
        ApiErrorBody,
        ApiFieldError,
        auth::LoginRequest,
        auth::LoginResponse,
        auth::Me,
        org::MoveRequest,
        org::NewMemberRequest,
        crate::people::Resident,
        crate::people::ResidentInput,
        crate::people::Household,
        crate::people::HouseholdInput,
        crate::imports::Batch,
        crate::imports::RowError,
        crate::teachers::Teacher,
        crate::teachers::TeacherInput,
        crate::teachers::TeacherDetail,
        crate::teachers::TaughtActivity,
        crate::teachers::Training,
        crate::teachers::ServiceHours,
        crate::teachers::TimeEntry,
        people::RevealRequest,
        people::Revealed,
        teachers::RetireRequest,
        imports::Imported,
        crate::activities::Activity,
        crate::activities::ActivityInput,
        crate::activities::Grid,
        crate::activities::GridRow,
        activities::TransitionRequest,
        activities::EnrolRequest,
        activities::Cancelled,
        crate::attendance::Enrolment,
        crate::attendance::CheckinInput,
        crate::attendance::CheckinOutcome,
        crate::attendance::CheckinForm,
        crate::attendance::PublicActivity,
        crate::attendance::AttendanceStatus,
        crate::attendance::QrCode,
        crate::attendance::AttendanceSheet,
        crate::attendance::Attendance,
        crate::attendance::RatingInput,
        crate::attendance::RatingSummary,
        crate::attendance::RatingComment,
        crate::evidence::ActivityFile,
        attendance::Mark,
        attendance::MarkRequest,
        attendance::Marked,
        attendance::PhoneMarkRequest,
        attendance::HeadCount,
        attendance::DocumentRequest,
        attendance::EnrolLink,
        crate::attendance::SelfEnrolment,
        crate::catalogue::Catalogue,
        crate::catalogue::Theme,
        crate::catalogue::ThemeInput,
        crate::catalogue::DictionaryEntry,
        crate::catalogue::EntryInput,
    )),
    modifiers(&BearerAuth),
    security(("bearer" = [])),
    tags(
        (name = "auth", description = "登录与会话"),
        (name = "org", description = "组织架构"),
        (name = "admin", description = "账号与审计"),
        (name = "people", description = "居民、家庭与导入"),
        (name = "teachers", description = "师资库"),
        (name = "activities", description = "课程与活动"),
        (name = "attendance", description = "签到、考勤、评价与活动资料"),
    )
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
    /// unauthenticated, forbidden, not_found, invalid, conflict, throttled, bad_request,
    /// unavailable, internal
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
                .merge(teachers::router())
                .merge(imports::router())
                .merge(activities::router())
                .merge(attendance::router())
                .merge(catalogue::router()),
        )
        .get("/openapi.json", Rule::PUBLIC, openapi_json)
        .get("/docs", Rule::PUBLIC, docs)
}

async fn openapi_json() -> Response {
    axum::Json(document()).into_response()
}

/// The OpenAPI document as served: the operations of [`ApiDoc`] completed from the route table, so
/// the document states what the server enforces. Each operation gets the refusals its rule can give
/// (401/403 when it needs an account or a permission, 404 when its path names a record, 400 for a
/// malformed request, 422 when it takes input, 409 for a change, 503 when the database cannot
/// answer or its disk is full), and its security requirement names the permission as the bearer
/// scope.
pub fn document() -> &'static utoipa::openapi::OpenApi {
    static DOC: std::sync::LazyLock<utoipa::openapi::OpenApi> = std::sync::LazyLock::new(|| {
        let mut doc = ApiDoc::openapi();
        complete(&mut doc, &crate::web::route_rules());
        doc
    });
    &DOC
}

fn complete(doc: &mut utoipa::openapi::OpenApi, routes: &[super::routes::Route]) {
    use super::routes::Access;
    use axum::http::Method;
    use utoipa::openapi::path::ParameterIn;
    use utoipa::openapi::security::SecurityRequirement;
    use utoipa::openapi::{Content, Ref, ResponseBuilder};
    let refusal = |description: &str| {
        ResponseBuilder::new()
            .description(description)
            .content(
                "application/json",
                Content::new(Some(Ref::from_schema_name("ApiError"))),
            )
            .build()
    };
    for (path, item) in doc.paths.paths.iter_mut() {
        let operations = [
            (Method::GET, &mut item.get),
            (Method::POST, &mut item.post),
            (Method::PUT, &mut item.put),
            (Method::DELETE, &mut item.delete),
        ];
        for (method, op) in operations {
            let Some(op) = op else { continue };
            let Some(route) = routes
                .iter()
                .find(|r| r.method == method && r.path == *path)
            else {
                continue;
            };
            let takes_input = op.request_body.is_some()
                || op
                    .parameters
                    .iter()
                    .flatten()
                    .any(|p| p.parameter_in == ParameterIn::Query);
            let mut add = |code: &str, description: &str, when: bool| {
                if when {
                    op.responses
                        .responses
                        .entry(code.to_string())
                        .or_insert_with(|| refusal(description).into());
                }
            };
            let public = route.rule.access == Access::Public;
            add("400", "malformed request (JSON, query or encoding)", true);
            add("401", "no valid session or bearer token", !public);
            add(
                "403",
                "the role lacks the permission, or the record's own rule refuses",
                !public,
            );
            add(
                "404",
                "no such record, or outside your scope",
                path.contains('{'),
            );
            add(
                "409",
                "the record's state does not allow it",
                method != Method::GET,
            );
            add("422", "invalid fields (see `fields`)", takes_input);
            add(
                "503",
                "the database is unavailable or its disk is full",
                true,
            );
            op.security = Some(match route.rule.access {
                Access::Public => vec![SecurityRequirement::default()],
                Access::SignedIn => vec![SecurityRequirement::new("bearer", Vec::<String>::new())],
                a => vec![SecurityRequirement::new(
                    "bearer",
                    a.permissions().iter().map(|p| p.as_str()),
                )],
            });
        }
    }
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
    let doc = document();
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
