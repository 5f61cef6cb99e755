use axum::extract::State;
use serde::{Deserialize, Serialize};

use crate::access::{self, Role};
use crate::accounts;
use crate::error::Result;
use crate::web::AppState;
use crate::web::extract::{ClientMeta, CurrentActor, Json};
use utoipa_axum::routes;

use crate::web::routes::{Routes, Rule};

pub(super) fn router() -> Routes {
    Routes::new()
        .api(Rule::PUBLIC, routes!(login))
        .api(Rule::SIGNED_IN, routes!(logout))
        .api(Rule::SIGNED_IN, routes!(me))
        .api(Rule::SIGNED_IN, routes!(my_workbench))
}

/// What you have to do now (reviews waiting, returned plans, activities to document, centres
/// below two this month, imports to confirm …) with counts and links, and the figures your role
/// watches: the same as the 工作台 page.
#[utoipa::path(
    get,
    path = "/api/v1/me/workbench",
    tag = "auth",
    responses((status = 200, body = crate::workbench::Workbench)),
)]
pub async fn my_workbench(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
) -> Result<axum::Json<crate::workbench::Workbench>> {
    Ok(axum::Json(crate::workbench::workbench(&s.db, &a).await?))
}

/// User name and password.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct LoginRequest {
    #[schema(min_length = 1)]
    username: String,
    #[schema(min_length = 1)]
    password: String,
}

/// A new session: send `token` as `Authorization: Bearer`.
#[derive(Serialize, utoipa::ToSchema)]
pub struct LoginResponse {
    token: String,
    /// Needed only when calling the API with the page cookie instead of the bearer token.
    csrf_token: String,
    user: Me,
}

/// The signed-in account.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Me {
    username: String,
    display_name: String,
    role: Role,
    node_id: i64,
    /// The root of what this account can see.
    scope_node_id: i64,
}

fn me_of(a: &access::Actor) -> Me {
    Me {
        username: a.username.clone(),
        display_name: a.display_name.clone(),
        role: a.role,
        node_id: a.node_id,
        scope_node_id: a.scope_node_id,
    }
}

/// Sign in (5 failures lock the name for 15 minutes).
#[utoipa::path(
    post,
    path = "/api/v1/auth/login",
    tag = "auth",
    request_body = LoginRequest,
    security(()),
    responses(
        (status = 200, body = LoginResponse),
        (status = 422, body = super::ApiError),
        (status = 429, body = super::ApiError),
    ),
)]
pub async fn login(
    State(state): State<AppState>,
    meta: ClientMeta,
    Json(req): Json<LoginRequest>,
) -> Result<axum::Json<LoginResponse>> {
    let out = accounts::login(&state.db, &req.username, &req.password, meta.ip).await?;
    Ok(axum::Json(LoginResponse {
        token: out.token.0,
        csrf_token: out.csrf_token,
        user: me_of(&out.actor),
    }))
}

/// End this session.
#[utoipa::path(
    post,
    path = "/api/v1/auth/logout",
    tag = "auth",
    responses((status = 204), (status = 401, body = super::ApiError)),
)]
pub async fn logout(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
) -> Result<axum::http::StatusCode> {
    accounts::logout(&state.db, &actor).await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

/// Who am I.
#[utoipa::path(
    get,
    path = "/api/v1/me",
    tag = "auth",
    responses((status = 200, body = Me), (status = 401, body = super::ApiError)),
)]
pub async fn me(CurrentActor(actor): CurrentActor) -> axum::Json<Me> {
    axum::Json(me_of(&actor))
}
