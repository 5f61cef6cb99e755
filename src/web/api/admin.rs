use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use chrono::NaiveDate;
use serde::Deserialize;

use crate::access::{self, NewUser, Role, User, UserFilter};
use crate::audit::{self, AuditFilter, AuditRecord};
use crate::error::Result;
use crate::page::{Page, PageRequest};
use crate::web::AppState;
use crate::web::extract::{CurrentActor, Id, Json, Query};

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/users", get(list_users).post(create_user))
        .route("/users/{id}/disable", post(disable_user))
        .route("/users/{id}/enable", post(enable_user))
        .route("/audit", get(list_audit))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct UserQuery {
    /// Part of the user name or display name.
    q: Option<String>,
    role: Option<String>,
    page: Option<u32>,
    per_page: Option<u32>,
}

/// Staff accounts inside your scope.
#[utoipa::path(get, path = "/api/v1/users", tag = "admin", params(UserQuery), responses((status = 200, body = Page<User>), (status = 403, body = super::ApiError)))]
pub async fn list_users(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Query(q): Query<UserQuery>,
) -> Result<axum::Json<Page<User>>> {
    let filter = UserFilter {
        q: q.q,
        role: q.role.as_deref().and_then(Role::parse),
    };
    Ok(axum::Json(
        access::list_users(&s.db, &a, &filter, PageRequest::new(q.page, q.per_page)).await?,
    ))
}

/// Create a staff account with a role you may grant, on a node inside your scope.
#[utoipa::path(post, path = "/api/v1/users", tag = "admin", request_body = NewUser,
    responses((status = 201, body = User), (status = 422, body = super::ApiError), (status = 403, body = super::ApiError)))]
pub async fn create_user(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Json(b): Json<NewUser>,
) -> Result<(StatusCode, axum::Json<User>)> {
    Ok((
        StatusCode::CREATED,
        axum::Json(access::create_user(&s.db, &a, &b, s.config.security_profile).await?),
    ))
}

/// Disable an account (its sessions end at once).
#[utoipa::path(post, path = "/api/v1/users/{id}/disable", tag = "admin", params(("id" = i64, Path)),
    responses((status = 200, body = User), (status = 404, body = super::ApiError)))]
pub async fn disable_user(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Id(id): Id,
) -> Result<axum::Json<User>> {
    Ok(axum::Json(access::set_active(&s.db, &a, id, false).await?))
}

/// Enable an account again.
#[utoipa::path(post, path = "/api/v1/users/{id}/enable", tag = "admin", params(("id" = i64, Path)),
    responses((status = 200, body = User), (status = 404, body = super::ApiError)))]
pub async fn enable_user(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Id(id): Id,
) -> Result<axum::Json<User>> {
    Ok(axum::Json(access::set_active(&s.db, &a, id, true).await?))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct AuditQuery {
    /// Action prefix, e.g. `org.` or `auth.login`.
    action: Option<String>,
    actor: Option<String>,
    subject_type: Option<String>,
    subject_id: Option<i64>,
    /// First day (YYYY-MM-DD, UTC).
    from: Option<NaiveDate>,
    /// Last day (YYYY-MM-DD, UTC).
    to: Option<NaiveDate>,
    page: Option<u32>,
    per_page: Option<u32>,
}

/// The audit log inside your scope, newest first.
#[utoipa::path(get, path = "/api/v1/audit", tag = "admin", params(AuditQuery),
    responses((status = 200, body = Page<AuditRecord>), (status = 403, body = super::ApiError)))]
pub async fn list_audit(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Query(q): Query<AuditQuery>,
) -> Result<axum::Json<Page<AuditRecord>>> {
    let f = AuditFilter {
        action: q.action,
        actor: q.actor,
        subject_type: q.subject_type,
        subject_id: q.subject_id,
        from: q.from,
        to: q.to,
    };
    Ok(axum::Json(
        audit::list(&s.db, &a, &f, PageRequest::new(q.page, q.per_page)).await?,
    ))
}
