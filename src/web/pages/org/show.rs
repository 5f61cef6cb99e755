//! A node's page: its attributes, ancestors, children and members.

use super::*;
use crate::paths;

/// A member line on a node's page.
pub struct MemberView {
    pub id: i64,
    pub name: String,
    pub role_label: String,
    pub title: String,
    pub phone: String,
}

#[derive(Template)]
#[template(path = "org/node.html")]
pub(super) struct NodePage {
    shell: Shell,
    node: NodeView,
    crumbs: Vec<NodeView>,
    children: Vec<NodeView>,
    members: Vec<MemberView>,
    member_roles: Vec<Choice>,
    child_kinds: Vec<Choice>,
    parents: Vec<Choice>,
    can_edit: bool,
    can_manage: bool,
    /// May add nodes below this one.
    can_add: bool,
    pub(super) form: FormView,
    pub(super) error: Option<String>,
}

pub(super) async fn node_page(state: &AppState, cx: &Ctx, id: i64) -> Result<NodePage> {
    let (actor, lang) = (&cx.actor, cx.lang);
    let node = org::get_node(&state.db, actor, id).await?;
    let crumbs = org::ancestors(&state.db, actor, &node)
        .await?
        .iter()
        .map(|n| view(lang, n))
        .collect();
    let sub = org::tree(&state.db, actor, Some(id), 1).await?;
    let members = org::members(&state.db, actor, id).await?;
    let kind = node.kind();
    let member_roles = kind
        .member_roles(node.subtype.as_deref())
        .iter()
        .map(|r| Choice::new(r, label(lang, "member_role", Some(r))))
        .collect();
    let child_kinds = kind_choices(lang, kind.allowed_children());
    let mut parents = Vec::new();
    if actor.can(Permission::OrgManage) {
        for pk in kind.allowed_parents() {
            let filter = NodeFilter {
                kind: Some(*pk),
                ..Default::default()
            };
            let page = org::list_nodes(
                &state.db,
                actor,
                &filter,
                PageRequest::new(Some(1), Some(200)),
            )
            .await?;
            parents.extend(
                page.items
                    .into_iter()
                    .filter(|p| Some(p.id) != node.parent_id)
                    .map(Choice::from),
            );
        }
    }
    Ok(NodePage {
        shell: cx.shell(paths::TREE),
        node: view(lang, &node),
        crumbs,
        children: sub.children.iter().map(|c| view(lang, &c.node)).collect(),
        members: members
            .iter()
            .map(|m| MemberView {
                id: m.id,
                name: m.name.clone(),
                role_label: label(lang, "member_role", Some(&m.role)),
                title: m.title.clone().unwrap_or_default(),
                phone: m.phone.clone().unwrap_or_default(),
            })
            .collect(),
        member_roles,
        child_kinds,
        parents,
        can_edit: actor.can(Permission::OrgEdit) && node.retired_at.is_none(),
        can_manage: actor.can(Permission::OrgManage)
            && node.retired_at.is_none()
            && node.id != actor.scope_node_id
            && kind != Kind::Root,
        can_add: actor.can(Permission::OrgManage) && node.retired_at.is_none(),
        form: FormView::default(),
        error: None,
    })
}

pub(super) async fn show(State(state): State<AppState>, cx: Ctx, Id(id): Id) -> Result<Response> {
    html(&node_page(&state, &cx, id).await?)
}
