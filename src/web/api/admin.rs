use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;

use crate::access::Permission as P;
use crate::accounts;
use crate::accounts::{AccountRequest, NewUser, User, UserFilter};
use crate::audit::{self, AuditFilter, AuditRecord};
use crate::error::Result;
use crate::page::Page;
use crate::web::AppState;
use crate::web::extract::{CurrentActor, Id, Json, Listing, Paging};
use utoipa_axum::routes;

use crate::web::routes::{Object, Routes, Rule};

pub(super) fn router() -> Routes {
    let user = Rule::needs(P::UsersManage).on(Object::User);
    Routes::new()
        .api(Rule::needs(P::UsersRead), routes!(list_users))
        .api(Rule::needs(P::UsersManage), routes!(create_user))
        .api(user, routes!(disable_user))
        .api(user, routes!(enable_user))
        .api(user, routes!(reset_password))
        .api(Rule::needs(P::UsersConfirm), routes!(list_requests))
        .api(
            Rule::needs(P::UsersConfirm).on(Object::AccountRequest),
            routes!(confirm_request),
        )
        .api(
            Rule::needs(P::UsersConfirm).on(Object::AccountRequest),
            routes!(reject_request),
        )
        .api(Rule::needs(P::AuditRead), routes!(list_audit))
}

/// Staff accounts inside your scope.
#[utoipa::path(
    get,
    path = "/api/v1/users",
    tag = "admin",
    params(UserFilter, Paging),
    responses((status = 200, body = Page<User>), (status = 403, body = super::ApiError)),
)]
pub async fn list_users(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Listing(f, page): Listing<UserFilter>,
) -> Result<axum::Json<Page<User>>> {
    Ok(axum::Json(accounts::list_users(&s.db, &a, &f, page).await?))
}

/// Create a staff account with a role you may grant, on a node inside your scope. A system
/// administrator's account with rights beyond its own (三员分立) is created disabled and waits for a
/// security administrator (202, `pending: "create"`); its password is set at the confirmation.
#[utoipa::path(
    post,
    path = "/api/v1/users",
    tag = "admin",
    request_body = NewUser,
    responses(
        (status = 201, body = User),
        (status = 202, body = User, description = "waiting for the security administrator"),
        (status = 422, body = super::ApiError),
        (status = 403, body = super::ApiError),
    ),
)]
pub async fn create_user(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Json(b): Json<NewUser>,
) -> Result<(StatusCode, axum::Json<User>)> {
    let u = accounts::create_user(&s.db, &a, &b, s.config.security_profile).await?;
    let status = if u.pending.is_some() {
        StatusCode::ACCEPTED
    } else {
        StatusCode::CREATED
    };
    Ok((status, axum::Json(u)))
}

/// A new password for another account.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct PasswordRequest {
    #[serde(default)]
    password: String,
}

/// What a reset did.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ResetOutcome {
    /// done, or awaiting_confirmation (a security administrator sets a temporary password)
    status: &'static str,
}

/// Reset another account's password (its sessions end). A system administrator's reset of an
/// account with rights beyond its own waits for a security administrator.
#[utoipa::path(
    post,
    path = "/api/v1/users/{id}/password",
    tag = "admin",
    params(("id" = i64, Path)),
    request_body = PasswordRequest,
    responses(
        (status = 200, body = ResetOutcome),
        (status = 422, body = super::ApiError),
        (status = 404, body = super::ApiError),
    ),
)]
pub async fn reset_password(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Id(id): Id,
    Json(b): Json<PasswordRequest>,
) -> Result<axum::Json<ResetOutcome>> {
    let status =
        match accounts::reset_password(&s.db, &a, id, &b.password, s.config.security_profile)
            .await?
        {
            accounts::Reset::Done => "done",
            accounts::Reset::AwaitingConfirmation => "awaiting_confirmation",
        };
    Ok(axum::Json(ResetOutcome { status }))
}

/// Account changes waiting for a security administrator (三员分立), oldest first.
#[utoipa::path(
    get,
    path = "/api/v1/account-requests",
    tag = "admin",
    responses(
        (status = 200, body = Vec<AccountRequest>),
        (status = 403, body = super::ApiError),
    ),
)]
pub async fn list_requests(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
) -> Result<axum::Json<Vec<AccountRequest>>> {
    Ok(axum::Json(accounts::pending_requests(&s.db, &a).await?))
}

/// A security administrator's decision on a change.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct Decision {
    /// The temporary password of a new or reset account (its owner must change it).
    #[serde(default)]
    password: Option<String>,
    /// Why a change is rejected.
    #[serde(default)]
    reason: Option<String>,
}

/// Confirm a change: a new or reset account gets the temporary password given here.
#[utoipa::path(
    post,
    path = "/api/v1/account-requests/{id}/confirm",
    tag = "admin",
    params(("id" = i64, Path)),
    request_body = Decision,
    responses(
        (status = 200, body = User),
        (status = 409, body = super::ApiError),
        (status = 422, body = super::ApiError),
        (status = 404, body = super::ApiError),
    ),
)]
pub async fn confirm_request(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Id(id): Id,
    Json(b): Json<Decision>,
) -> Result<axum::Json<User>> {
    Ok(axum::Json(
        accounts::confirm_request(&s.db, &a, id, b.password.as_deref()).await?,
    ))
}

/// Reject a change with a reason.
#[utoipa::path(
    post,
    path = "/api/v1/account-requests/{id}/reject",
    tag = "admin",
    params(("id" = i64, Path)),
    request_body = Decision,
    responses(
        (status = 200, body = User),
        (status = 409, body = super::ApiError),
        (status = 422, body = super::ApiError),
        (status = 404, body = super::ApiError),
    ),
)]
pub async fn reject_request(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Id(id): Id,
    Json(b): Json<Decision>,
) -> Result<axum::Json<User>> {
    Ok(axum::Json(
        accounts::reject_request(&s.db, &a, id, b.reason.as_deref().unwrap_or("")).await?,
    ))
}

/// Disable an account (its sessions end at once).
#[utoipa::path(
    post,
    path = "/api/v1/users/{id}/disable",
    tag = "admin",
    params(("id" = i64, Path)),
    responses((status = 200, body = User), (status = 404, body = super::ApiError)),
)]
pub async fn disable_user(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Id(id): Id,
) -> Result<axum::Json<User>> {
    Ok(axum::Json(
        accounts::set_active(&s.db, &a, id, false).await?,
    ))
}

/// Enable an account again.
#[utoipa::path(
    post,
    path = "/api/v1/users/{id}/enable",
    tag = "admin",
    params(("id" = i64, Path)),
    responses((status = 200, body = User), (status = 404, body = super::ApiError)),
)]
pub async fn enable_user(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Id(id): Id,
) -> Result<axum::Json<User>> {
    Ok(axum::Json(accounts::set_active(&s.db, &a, id, true).await?))
}

/// The audit log inside your scope, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/audit",
    tag = "admin",
    params(AuditFilter, Paging),
    responses((status = 200, body = Page<AuditRecord>), (status = 403, body = super::ApiError)),
)]
pub async fn list_audit(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Listing(f, page): Listing<AuditFilter>,
) -> Result<axum::Json<Page<AuditRecord>>> {
    Ok(axum::Json(audit::list(&s.db, &a, &f, page).await?))
}
