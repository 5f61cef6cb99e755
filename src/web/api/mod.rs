//! The JSON API under `/api/v1`: the same use-cases and permissions as the pages. Authentication is
//! a bearer token from `POST /api/v1/auth/login` (or the page session cookie plus `X-CSRF-Token`).
//! Errors share one envelope: `{"error": {"code", "reason", "message", "fields", "request_id"}}`.

mod activities;
mod admin;
mod attendance;
mod auth;
mod awards;
mod catalogue;
mod equipment;
mod funds;
mod imports;
mod inspections;
mod meetings;
mod org;
mod people;
mod schedule;
mod statistics;
mod surveys;
mod targets;
mod teachers;

use askama::Template;
use axum::response::{IntoResponse, Response};
use utoipa::OpenApi;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};

use super::routes::{Routes, Rule};
use crate::error::Result;
use crate::i18n::Lang;
use crate::paths;

/// The OpenAPI document of `/api/v1`.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "cedu API",
        description = "社区教育平台接口 · community education platform API",
        version = "1"
    ),
    components(schemas(ApiError, ApiErrorBody, ApiFieldError)),
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
        (name = "schedule", description = "年度工作配档表"),
        (name = "funds", description = "经费"),
        (name = "awards", description = "评选表彰"),
        (name = "meetings", description = "领导小组会议与办公室例会"),
        (name = "kpis", description = "指标:参与率、知晓率、认同率、满意率等对照目标"),
        (name = "reports", description = "报表:学习中心和镇(街道)的月报,镇(街道)和区的年报"),
        (name = "surveys", description = "问卷:知晓率、认同率与满意率调查,手机作答与纸质录入"),
        (name = "equipment", description = "教学设备与活动场所"),
        (name = "inspections", description = "督查考核与年终考核"),
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
        .merge(auth::router())
        .merge(org::router())
        .merge(admin::router())
        .merge(people::router())
        .merge(teachers::router())
        .merge(imports::router())
        .merge(activities::router())
        .merge(attendance::router())
        .merge(catalogue::router())
        .merge(schedule::router())
        .merge(funds::router())
        .merge(awards::router())
        .merge(meetings::router())
        .merge(statistics::router())
        .merge(surveys::router())
        .merge(targets::router())
        .merge(equipment::router())
        .merge(inspections::router())
        .get(paths::API_OPENAPI, Rule::PUBLIC, openapi_json)
        .get(paths::API_DOCS, Rule::PUBLIC, docs)
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
        let (_, routes, operations) = crate::web::route_table().into_parts();
        let mut doc = ApiDoc::openapi();
        doc.paths = operations.paths;
        let components = doc.components.get_or_insert_with(Default::default);
        components.schemas.extend(operations.schemas);
        complete(&mut doc, &routes);
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

#[cfg(test)]
mod tests {
    /// Two types never share a schema name: the document keeps one of them, and answers of the
    /// other would break its contract (three enums once named `Status`).
    #[test]
    fn no_two_types_share_a_schema_name() {
        let (_, _, operations) = crate::web::route_table().into_parts();
        let mut seen: std::collections::HashMap<String, String> = Default::default();
        for (name, schema) in operations.schemas {
            let body = serde_json::to_string(&schema).unwrap();
            if let Some(other) = seen.insert(name.clone(), body.clone()) {
                assert_eq!(other, body, "two different schemas are named {name}");
            }
        }
    }

    /// Every `$ref` of the served document names a schema it defines (the schemas come from the
    /// handlers' annotations, not from a list kept by hand).
    #[test]
    fn every_schema_the_document_names_is_in_it() {
        let doc = serde_json::to_value(super::document()).unwrap();
        let defined = doc["components"]["schemas"].as_object().unwrap();
        let mut refs = Vec::new();
        fn walk(v: &serde_json::Value, refs: &mut Vec<String>) {
            match v {
                serde_json::Value::Object(m) => {
                    if let Some(serde_json::Value::String(r)) = m.get("$ref") {
                        refs.push(r.clone());
                    }
                    m.values().for_each(|v| walk(v, refs));
                }
                serde_json::Value::Array(a) => a.iter().for_each(|v| walk(v, refs)),
                _ => {}
            }
        }
        walk(&doc, &mut refs);
        assert!(refs.len() > 50, "{}", refs.len());
        for r in refs {
            let name = r.trim_start_matches("#/components/schemas/");
            assert!(defined.contains_key(name), "{r} is not defined");
        }
        assert!(doc["paths"].as_object().unwrap().len() > 50);
    }

    /// The document's `maxLength` of each text field is the limit the use-cases check
    /// (`text::max`), so an API client is told what the server accepts.
    #[test]
    fn the_documents_text_limits_are_the_ones_checked() {
        use crate::text::max;
        let allowed = |field: &str| -> Option<Vec<usize>> {
            Some(match field {
                "title" => vec![max::TITLE],
                "venue" | "speciality" | "organiser" => vec![max::PLACE],
                "phone" => vec![max::PHONE],
                "note" | "comment" => vec![max::NOTE],
                "reason" | "retired_reason" => vec![max::REASON],
                "lead_departments" => vec![max::DEPARTMENTS],
                "building" => vec![max::BUILDING],
                "household" => vec![max::HOUSEHOLD],
                "summary" => vec![max::DESCRIPTION],
                "description" => vec![max::DESCRIPTION, max::DEFINITION],
                "name" => vec![max::NAME, max::SHORT_NAME, max::HOUSEHOLD],
                "display_name" => vec![max::NAME],
                _ => return None,
            })
        };
        let doc = serde_json::to_value(super::document()).unwrap();
        let mut checked = 0;
        for (schema, body) in doc["components"]["schemas"].as_object().unwrap() {
            let Some(props) = body["properties"].as_object() else {
                continue;
            };
            for (field, p) in props {
                let (Some(limit), Some(ok)) = (p["maxLength"].as_u64(), allowed(field)) else {
                    continue;
                };
                assert!(
                    ok.contains(&(limit as usize)),
                    "{schema}.{field}: maxLength {limit}, the server checks {ok:?}"
                );
                checked += 1;
            }
        }
        assert!(checked >= 15, "{checked}");
    }
}
