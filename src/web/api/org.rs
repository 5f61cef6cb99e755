use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;

use crate::access::Permission as P;
use crate::error::Result;
use crate::org::{self, Member, NewMember, NewNode, Node, NodeFilter, NodeInput, TreeNode};
use crate::page::Page;
use crate::web::AppState;
use crate::web::extract::{Created, CurrentActor, Id, Json, Listing, Paging, Query};
use utoipa_axum::routes;

use crate::web::routes::{Object, Routes, Rule};

pub(super) fn router() -> Routes {
    let node = |p| Rule::needs(p).on(Object::Node);
    Routes::new()
        .api(Rule::needs(P::OrgRead), routes!(tree))
        .api(Rule::needs(P::OrgRead), routes!(list_nodes))
        .api(Rule::needs(P::OrgManage), routes!(create_node))
        .api(node(P::OrgRead), routes!(get_node))
        .api(node(P::OrgEdit), routes!(update_node))
        .api(node(P::OrgManage), routes!(move_node))
        .api(node(P::OrgManage), routes!(retire_node))
        .api(node(P::OrgRead), routes!(list_members))
        .api(node(P::OrgEdit), routes!(add_member))
        .api(
            Rule::needs(P::OrgEdit).on(Object::Member),
            routes!(remove_member),
        )
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TreeQuery {
    /// Start at this node (default: the account's scope root).
    top: Option<i64>,
    /// How many levels below it (1–6, default 4).
    levels: Option<i32>,
}

/// The organisation tree inside your scope.
#[utoipa::path(
    get,
    path = "/api/v1/org/tree",
    tag = "org",
    params(TreeQuery),
    responses((status = 200, body = TreeNode), (status = 404, body = super::ApiError)),
)]
pub async fn tree(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Query(q): Query<TreeQuery>,
) -> Result<axum::Json<TreeNode>> {
    Ok(axum::Json(
        org::tree(&s.db, &a, q.top, q.levels.unwrap_or(4).clamp(1, 6)).await?,
    ))
}

/// Search nodes inside your scope.
#[utoipa::path(
    get,
    path = "/api/v1/org/nodes",
    tag = "org",
    params(NodeFilter, Paging),
    responses((status = 200, body = Page<Node>)),
)]
pub async fn list_nodes(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Listing(f, page): Listing<NodeFilter>,
) -> Result<axum::Json<Page<Node>>> {
    Ok(axum::Json(org::list_nodes(&s.db, &a, &f, page).await?))
}

/// Create a node (a community may bring its learning centre along).
#[utoipa::path(
    post,
    path = "/api/v1/org/nodes",
    tag = "org",
    request_body = NewNode,
    responses(
        (status = 201, body = Node),
        (status = 422, body = super::ApiError),
        (status = 404, body = super::ApiError),
    ),
)]
pub async fn create_node(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Json(body): Json<NewNode>,
) -> Result<Created<Node>> {
    Ok(Created(org::create_node(&s.db, &a, &body).await?))
}

/// One node.
#[utoipa::path(
    get,
    path = "/api/v1/org/nodes/{id}",
    tag = "org",
    params(("id" = i64, Path)),
    responses((status = 200, body = Node), (status = 404, body = super::ApiError)),
)]
pub async fn get_node(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Id(id): Id,
) -> Result<axum::Json<Node>> {
    Ok(axum::Json(org::get_node(&s.db, &a, id).await?))
}

/// Replace a node's attributes.
#[utoipa::path(
    put,
    path = "/api/v1/org/nodes/{id}",
    tag = "org",
    params(("id" = i64, Path)),
    request_body = NodeInput,
    responses(
        (status = 200, body = Node),
        (status = 422, body = super::ApiError),
        (status = 404, body = super::ApiError),
    ),
)]
pub async fn update_node(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Id(id): Id,
    Json(body): Json<NodeInput>,
) -> Result<axum::Json<Node>> {
    Ok(axum::Json(org::update_node(&s.db, &a, id, &body).await?))
}

/// The new parent of a node.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct MoveRequest {
    parent_id: i64,
}

/// Move a node and its subtree (409 on a cycle or a misplaced kind).
#[utoipa::path(
    post,
    path = "/api/v1/org/nodes/{id}/move",
    tag = "org",
    params(("id" = i64, Path)),
    request_body = MoveRequest,
    responses(
        (status = 200, body = Node),
        (status = 409, body = super::ApiError),
        (status = 404, body = super::ApiError),
    ),
)]
pub async fn move_node(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Id(id): Id,
    Json(body): Json<MoveRequest>,
) -> Result<axum::Json<Node>> {
    Ok(axum::Json(
        org::move_node(&s.db, &a, id, body.parent_id).await?,
    ))
}

/// Retire a node nothing uses any more (409 while it has children or accounts).
#[utoipa::path(
    post,
    path = "/api/v1/org/nodes/{id}/retire",
    tag = "org",
    params(("id" = i64, Path)),
    responses(
        (status = 200, body = Node),
        (status = 409, body = super::ApiError),
        (status = 404, body = super::ApiError),
    ),
)]
pub async fn retire_node(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Id(id): Id,
) -> Result<axum::Json<Node>> {
    Ok(axum::Json(org::retire_node(&s.db, &a, id).await?))
}

/// Members of a node (leadership group, office, school, centre).
#[utoipa::path(
    get,
    path = "/api/v1/org/nodes/{id}/members",
    tag = "org",
    params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Member>), (status = 404, body = super::ApiError)),
)]
pub async fn list_members(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Id(id): Id,
) -> Result<axum::Json<Vec<Member>>> {
    Ok(axum::Json(org::members(&s.db, &a, id).await?))
}

/// A new member.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct NewMemberRequest {
    #[schema(min_length = 1, max_length = 50)]
    name: String,
    /// leader, deputy_leader, member, director, deputy_director, principal, deputy_principal,
    /// officer, head
    role: String,
    title: Option<String>,
    phone: Option<String>,
}

/// Add a member to a node.
#[utoipa::path(
    post,
    path = "/api/v1/org/nodes/{id}/members",
    tag = "org",
    params(("id" = i64, Path)),
    request_body = NewMemberRequest,
    responses((status = 201, body = Member), (status = 422, body = super::ApiError)),
)]
pub async fn add_member(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Id(id): Id,
    Json(b): Json<NewMemberRequest>,
) -> Result<Created<Member>> {
    let input = NewMember {
        name: b.name,
        role: b.role,
        title: b.title,
        phone: b.phone,
    };
    Ok(Created(org::add_member(&s.db, &a, id, &input).await?))
}

/// Remove a member.
#[utoipa::path(
    delete,
    path = "/api/v1/org/members/{id}",
    tag = "org",
    params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = super::ApiError)),
)]
pub async fn remove_member(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Id(id): Id,
) -> Result<StatusCode> {
    org::remove_member(&s.db, &a, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
