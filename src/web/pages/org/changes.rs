//! Changes posted from a node's page: move, retire, members added and removed.

use super::*;
use crate::paths;

/// Shows the node page again with a refusal message (move or retire refused).
pub(super) async fn refused(state: &AppState, cx: &Ctx, id: i64, e: Error) -> Result<Response> {
    let lang = cx.lang;
    match e {
        Error::Conflict(m) => {
            let mut page = node_page(state, cx, id).await?;
            page.error = Some(i18n::render(lang, &m));
            html_status(StatusCode::CONFLICT, &page)
        }
        Error::Invalid(fe) => {
            let mut page = node_page(state, cx, id).await?;
            page.form = FormView::default().errors(lang, &fe);
            html_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        other => Err(other),
    }
}

#[derive(Deserialize)]
pub(super) struct MoveForm {
    #[serde(default)]
    parent_id: String,
}

pub(super) async fn move_node(
    cx: Ctx,
    Id(id): Id,
    Form(actor, f): Form<MoveForm>,
) -> Result<Response> {
    let state = &cx.state;
    let parent_id = f
        .parent_id
        .trim()
        .parse::<i64>()
        .map_err(|_| Error::invalid("parent_id", crate::error::Msg::new("field.choose")));
    let result = match parent_id {
        Ok(p) => org::move_node(&state.db, &actor, id, p).await.map(|_| ()),
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Ok(see_other(&paths::flashed(&paths::node(id), "moved"))),
        Err(e) => refused(state, &cx, id, e).await,
    }
}

pub(super) async fn retire(
    cx: Ctx,
    Id(id): Id,
    Form(actor, _): Form<crate::web::extract::NoFields>,
) -> Result<Response> {
    let state = &cx.state;
    match org::retire_node(&state.db, &actor, id).await {
        Ok(_) => Ok(see_other(&paths::flashed(&paths::node(id), "retired"))),
        Err(e) => refused(state, &cx, id, e).await,
    }
}

#[derive(Deserialize)]
pub(super) struct MemberForm {
    #[serde(default)]
    member_name: String,
    #[serde(default)]
    member_role: String,
    member_title: Option<String>,
    member_phone: Option<String>,
}

pub(super) async fn add_member(
    cx: Ctx,
    Id(id): Id,
    Form(actor, f): Form<MemberForm>,
) -> Result<Response> {
    let state = &cx.state;
    let input = NewMember {
        name: f.member_name.clone(),
        role: f.member_role.clone(),
        title: f.member_title.clone(),
        phone: f.member_phone.clone(),
    };
    let result = org::add_member(&state.db, &actor, id, &input).await;
    let cx = &cx;
    saved_or_again(
        result,
        |_| paths::flashed(&paths::node(id), "member_added"),
        |fe| async move {
            let mut page = node_page(state, cx, id).await?;
            page.form = FormView::with(&[
                ("member_name", f.member_name),
                ("member_role", f.member_role),
                ("member_title", f.member_title.unwrap_or_default()),
                ("member_phone", f.member_phone.unwrap_or_default()),
            ])
            .errors(cx.lang, &fe);
            Ok(page)
        },
    )
    .await
}

#[derive(Deserialize)]
pub(super) struct NodeRef {
    #[serde(default)]
    node_id: String,
}

pub(super) async fn remove_member(
    State(state): State<AppState>,
    Id(id): Id,
    Form(actor, f): Form<NodeRef>,
) -> Result<Response> {
    org::remove_member(&state.db, &actor, id).await?;
    let node = f.node_id.parse::<i64>().unwrap_or(actor.scope_node_id);
    Ok(see_other(&paths::flashed(
        &paths::node(node),
        "member_removed",
    )))
}
