//! Pages of the organisation tree: the tree, the searchable node list, a node's page with its
//! members, and the create / edit / move / retire forms.

use askama::Template;
use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use serde::Deserialize;

use super::{here, html, html_status, see_other};
use crate::access::Permission as P;
use crate::access::{Actor, Permission};
use crate::error::{Error, Result};
use crate::i18n::{self, Lang};
use crate::org::{
    self, Kind, NewMember, NewNode, Node, NodeFilter, NodeInput, SETUP_STATUSES, TreeNode,
};
use crate::page::PageRequest;
use crate::web::AppState;
use crate::web::extract::{CurrentActor, Form, Id, Query};
use crate::web::routes::{Object, Routes, Rule};
use crate::web::views::{Choice, FormView, Pager, Shell};

pub(super) fn router() -> Routes {
    let node = |p| Rule::needs(p).on(Object::Node);
    Routes::new()
        .get("/org/tree", Rule::needs(P::OrgRead), tree)
        .get("/org/nodes", Rule::needs(P::OrgRead), list)
        .get("/org/nodes/{id}", node(P::OrgRead), show)
        .get("/org/nodes/{id}/new", node(P::OrgManage), new_form)
        .post("/org/nodes/{id}/children", node(P::OrgManage), create)
        .get("/org/nodes/{id}/edit", node(P::OrgEdit), edit_form)
        .post("/org/nodes/{id}/edit", node(P::OrgEdit), update)
        .post("/org/nodes/{id}/move", node(P::OrgManage), move_node)
        .post("/org/nodes/{id}/retire", node(P::OrgManage), retire)
        .post("/org/nodes/{id}/members", node(P::OrgEdit), add_member)
        .post(
            "/org/members/{id}/delete",
            Rule::needs(P::OrgEdit).on(Object::Member),
            remove_member,
        )
}

/// A node as pages show it: every label already in the page's language.
pub struct NodeView {
    pub id: i64,
    pub name: String,
    pub kind: String,
    pub kind_label: String,
    pub subtype_label: String,
    pub population: String,
    pub venue: String,
    pub setup_label: String,
    pub setup_date: String,
    pub phone: String,
    pub note: String,
    pub retired: bool,
}

fn label(lang: Lang, prefix: &str, value: Option<&str>) -> String {
    value
        .map(|v| i18n::t(lang, &format!("{prefix}.{v}")).to_string())
        .unwrap_or_default()
}

fn view(lang: Lang, n: &Node) -> NodeView {
    NodeView {
        id: n.id,
        name: n.name.clone(),
        kind: n.kind.clone(),
        kind_label: label(lang, "kind", Some(&n.kind)),
        subtype_label: label(lang, "subtype", n.subtype.as_deref()),
        population: n.population.map(|p| p.to_string()).unwrap_or_default(),
        venue: n.venue.clone().unwrap_or_default(),
        setup_label: label(lang, "setup", n.setup_status.as_deref()),
        setup_date: n.setup_date.map(|d| d.to_string()).unwrap_or_default(),
        phone: n.phone.clone().unwrap_or_default(),
        note: n.note.clone().unwrap_or_default(),
        retired: n.retired_at.is_some(),
    }
}

/// One line of the tree page.
pub struct TreeRow {
    pub node: NodeView,
    pub depth_class: String,
    pub population: String,
    pub can_add: bool,
}

fn flatten(lang: Lang, t: &TreeNode, depth: usize, can_manage: bool, out: &mut Vec<TreeRow>) {
    let kind = t.node.kind();
    out.push(TreeRow {
        node: view(lang, &t.node),
        depth_class: format!("d{}", depth.min(6)),
        population: if matches!(
            kind,
            Kind::Centre | Kind::Department | Kind::Group | Kind::School
        ) || t.population == 0
        {
            String::new()
        } else {
            t.population.to_string()
        },
        can_add: can_manage && !kind.allowed_children().is_empty(),
    });
    for c in &t.children {
        flatten(lang, c, depth + 1, can_manage, out);
    }
}

#[derive(Template)]
#[template(path = "org/tree.html")]
struct TreePage {
    shell: Shell,
    rows: Vec<TreeRow>,
    top_name: String,
}

#[derive(Deserialize, Default)]
struct TreeQuery {
    top: Option<i64>,
    ok: Option<String>,
}

async fn tree(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    lang: Lang,
    uri: Uri,
    Query(q): Query<TreeQuery>,
) -> Result<Response> {
    let t = org::tree(&state.db, &actor, q.top, 4).await?;
    let mut rows = Vec::new();
    flatten(lang, &t, 0, actor.can(Permission::OrgManage), &mut rows);
    html(&TreePage {
        shell: Shell::new(&actor, lang, "/org/tree", &here(&uri), q.ok.as_deref()),
        top_name: t.node.name.clone(),
        rows,
    })
}

#[derive(Template)]
#[template(path = "org/nodes.html")]
struct ListPage {
    shell: Shell,
    rows: Vec<NodeView>,
    form: FormView,
    kinds: Vec<Choice>,
    pager: Pager,
}

#[derive(Deserialize, Default)]
struct ListQuery {
    q: Option<String>,
    kind: Option<String>,
    retired: Option<String>,
    page: Option<u32>,
}

async fn list(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    lang: Lang,
    uri: Uri,
    Query(q): Query<ListQuery>,
) -> Result<Response> {
    let filter = NodeFilter {
        q: q.q.clone(),
        kind: q.kind.as_deref().and_then(Kind::parse),
        include_retired: q.retired.as_deref() == Some("1"),
    };
    let page = org::list_nodes(&state.db, &actor, &filter, PageRequest::new(q.page, None)).await?;
    let query = [
        ("q", q.q.clone().unwrap_or_default()),
        ("kind", q.kind.clone().unwrap_or_default()),
        ("retired", q.retired.clone().unwrap_or_default()),
    ];
    let pager = Pager::of(lang, "/org/nodes", &query, &page);
    let kinds = Kind::ALL
        .iter()
        .filter(|k| **k != Kind::Root)
        .map(|k| Choice {
            value: k.as_str().into(),
            label: i18n::t(lang, &format!("kind.{}", k.as_str())).into(),
        })
        .collect();
    html(&ListPage {
        shell: Shell::new(&actor, lang, "/org/nodes", &here(&uri), None),
        rows: page.items.iter().map(|n| view(lang, n)).collect(),
        form: FormView::with(&query),
        kinds,
        pager,
    })
}

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
struct NodePage {
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
    form: FormView,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
struct ShowQuery {
    ok: Option<String>,
}

async fn node_page(
    state: &AppState,
    actor: &Actor,
    lang: Lang,
    uri: &Uri,
    id: i64,
    ok: Option<&str>,
) -> Result<NodePage> {
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
        .map(|r| Choice {
            value: r.to_string(),
            label: label(lang, "member_role", Some(r)),
        })
        .collect();
    let child_kinds = kind
        .allowed_children()
        .into_iter()
        .map(|k| Choice {
            value: k.as_str().into(),
            label: label(lang, "kind", Some(k.as_str())),
        })
        .collect();
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
                    .map(|p| Choice {
                        value: p.id.to_string(),
                        label: p.name,
                    }),
            );
        }
    }
    Ok(NodePage {
        shell: Shell::new(actor, lang, "/org/tree", &here(uri), ok),
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

async fn show(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    lang: Lang,
    uri: Uri,
    Id(id): Id,
    Query(q): Query<ShowQuery>,
) -> Result<Response> {
    html(&node_page(&state, &actor, lang, &uri, id, q.ok.as_deref()).await?)
}

#[derive(Template)]
#[template(path = "org/node_form.html")]
struct NodeFormPage {
    shell: Shell,
    parent: NodeView,
    /// "create" or "edit".
    mode: &'static str,
    action: String,
    kind: String,
    kind_label: String,
    kind_choices: Vec<Choice>,
    subtypes: Vec<Choice>,
    centre_subtypes: Vec<Choice>,
    setup_statuses: Vec<Choice>,
    has_population: bool,
    has_venue: bool,
    has_setup: bool,
    with_centre: bool,
    form: FormView,
}

fn choices(lang: Lang, prefix: &str, values: &[&str]) -> Vec<Choice> {
    values
        .iter()
        .map(|v| Choice {
            value: v.to_string(),
            label: label(lang, prefix, Some(v)),
        })
        .collect()
}

fn form_page(
    shell: Shell,
    lang: Lang,
    parent: &Node,
    kind: Option<Kind>,
    mode: &'static str,
    action: String,
    form: FormView,
) -> NodeFormPage {
    let kind_choices = parent
        .kind()
        .allowed_children()
        .into_iter()
        .map(|k| Choice {
            value: k.as_str().into(),
            label: label(lang, "kind", Some(k.as_str())),
        })
        .collect();
    NodeFormPage {
        shell,
        parent: view(lang, parent),
        mode,
        action,
        kind: kind.map(|k| k.as_str().to_string()).unwrap_or_default(),
        kind_label: kind
            .map(|k| label(lang, "kind", Some(k.as_str())))
            .unwrap_or_default(),
        kind_choices,
        subtypes: kind
            .map(|k| choices(lang, "subtype", k.subtypes()))
            .unwrap_or_default(),
        centre_subtypes: choices(lang, "subtype", Kind::Centre.subtypes()),
        setup_statuses: choices(lang, "setup", &SETUP_STATUSES),
        has_population: kind.is_some_and(Kind::has_population),
        has_venue: kind.is_some_and(Kind::has_venue),
        has_setup: kind.is_some_and(Kind::has_setup_status),
        with_centre: mode == "create" && kind == Some(Kind::Community),
        form,
    }
}

#[derive(Deserialize, Default)]
struct NewQuery {
    kind: Option<String>,
}

async fn new_form(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    lang: Lang,
    uri: Uri,
    Id(id): Id,
    Query(q): Query<NewQuery>,
) -> Result<Response> {
    actor.require(Permission::OrgManage)?;
    let parent = org::get_node(&state.db, &actor, id).await?;
    let kind = q
        .kind
        .as_deref()
        .and_then(Kind::parse)
        .filter(|k| parent.kind().allowed_children().contains(k));
    let shell = Shell::new(&actor, lang, "/org/tree", &here(&uri), None);
    html(&form_page(
        shell,
        lang,
        &parent,
        kind,
        "create",
        format!("/org/nodes/{id}/children"),
        FormView::default(),
    ))
}

/// The node form as posted (every field text, so nothing typed is lost before validation).
#[derive(Deserialize, Default)]
struct NodeForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    name: String,
    subtype: Option<String>,
    population: Option<String>,
    venue: Option<String>,
    setup_status: Option<String>,
    setup_date: Option<String>,
    phone: Option<String>,
    note: Option<String>,
    centre_name: Option<String>,
    centre_subtype: Option<String>,
    centre_head: Option<String>,
    centre_venue: Option<String>,
    centre_setup_status: Option<String>,
}

impl NodeForm {
    fn attrs(&self) -> NodeInput {
        NodeInput {
            name: self.name.clone(),
            subtype: self.subtype.clone(),
            population: self.population.clone(),
            venue: self.venue.clone(),
            setup_status: self.setup_status.clone(),
            setup_date: self.setup_date.clone(),
            phone: self.phone.clone(),
            note: self.note.clone(),
        }
    }

    fn values(&self) -> FormView {
        let o = |v: &Option<String>| v.clone().unwrap_or_default();
        FormView::with(&[
            ("name", self.name.clone()),
            ("subtype", o(&self.subtype)),
            ("population", o(&self.population)),
            ("venue", o(&self.venue)),
            ("setup_status", o(&self.setup_status)),
            ("setup_date", o(&self.setup_date)),
            ("phone", o(&self.phone)),
            ("note", o(&self.note)),
            ("centre_name", o(&self.centre_name)),
            ("centre_subtype", o(&self.centre_subtype)),
            ("centre_head", o(&self.centre_head)),
            ("centre_venue", o(&self.centre_venue)),
            ("centre_setup_status", o(&self.centre_setup_status)),
        ])
    }
}

async fn create(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    Id(id): Id,
    Form(actor, f): Form<NodeForm>,
) -> Result<Response> {
    let input = NewNode {
        parent_id: id,
        kind: f.kind.clone(),
        attrs: f.attrs(),
        centre: f.centre_name.as_ref().map(|name| NodeInput {
            name: name.clone(),
            subtype: f.centre_subtype.clone(),
            venue: f.centre_venue.clone(),
            setup_status: f.centre_setup_status.clone(),
            ..Default::default()
        }),
        centre_head: f.centre_head.clone(),
    };
    match org::create_node(&state.db, &actor, &input).await {
        Ok(node) => Ok(see_other(&format!("/org/nodes/{}?ok=created", node.id))),
        Err(Error::Invalid(fe)) => {
            let parent = org::get_node(&state.db, &actor, id).await?;
            let kind =
                Kind::parse(&f.kind).filter(|k| parent.kind().allowed_children().contains(k));
            let shell = Shell::new(&actor, lang, "/org/tree", &here(&uri), None);
            let page = form_page(
                shell,
                lang,
                &parent,
                kind,
                "create",
                format!("/org/nodes/{id}/children"),
                f.values().errors(lang, &fe),
            );
            html_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(e) => Err(e),
    }
}

async fn edit_form(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    lang: Lang,
    uri: Uri,
    Id(id): Id,
) -> Result<Response> {
    actor.require(Permission::OrgEdit)?;
    let node = org::get_node(&state.db, &actor, id).await?;
    let o = |v: &Option<String>| v.clone().unwrap_or_default();
    let form = FormView::with(&[
        ("name", node.name.clone()),
        ("subtype", o(&node.subtype)),
        (
            "population",
            node.population.map(|p| p.to_string()).unwrap_or_default(),
        ),
        ("venue", o(&node.venue)),
        ("setup_status", o(&node.setup_status)),
        (
            "setup_date",
            node.setup_date.map(|d| d.to_string()).unwrap_or_default(),
        ),
        ("phone", o(&node.phone)),
        ("note", o(&node.note)),
    ]);
    let shell = Shell::new(&actor, lang, "/org/tree", &here(&uri), None);
    html(&form_page(
        shell,
        lang,
        &node,
        Some(node.kind()),
        "edit",
        format!("/org/nodes/{id}/edit"),
        form,
    ))
}

async fn update(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    Id(id): Id,
    Form(actor, f): Form<NodeForm>,
) -> Result<Response> {
    match org::update_node(&state.db, &actor, id, &f.attrs()).await {
        Ok(_) => Ok(see_other(&format!("/org/nodes/{id}?ok=saved"))),
        Err(Error::Invalid(fe)) => {
            let node = org::get_node(&state.db, &actor, id).await?;
            let shell = Shell::new(&actor, lang, "/org/tree", &here(&uri), None);
            let page = form_page(
                shell,
                lang,
                &node,
                Some(node.kind()),
                "edit",
                format!("/org/nodes/{id}/edit"),
                f.values().errors(lang, &fe),
            );
            html_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(e) => Err(e),
    }
}

/// Shows the node page again with a refusal message (move or retire refused).
async fn refused(
    state: &AppState,
    actor: &Actor,
    lang: Lang,
    uri: &Uri,
    id: i64,
    e: Error,
) -> Result<Response> {
    match e {
        Error::Conflict(m) => {
            let mut page = node_page(state, actor, lang, uri, id, None).await?;
            page.error = Some(i18n::render(lang, &m));
            html_status(StatusCode::CONFLICT, &page)
        }
        Error::Invalid(fe) => {
            let mut page = node_page(state, actor, lang, uri, id, None).await?;
            page.form = FormView::default().errors(lang, &fe);
            html_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        other => Err(other),
    }
}

#[derive(Deserialize)]
struct MoveForm {
    #[serde(default)]
    parent_id: String,
}

async fn move_node(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    Id(id): Id,
    Form(actor, f): Form<MoveForm>,
) -> Result<Response> {
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
        Ok(()) => Ok(see_other(&format!("/org/nodes/{id}?ok=moved"))),
        Err(e) => refused(&state, &actor, lang, &uri, id, e).await,
    }
}

#[derive(Deserialize)]
struct Empty {}

async fn retire(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    Id(id): Id,
    Form(actor, _): Form<Empty>,
) -> Result<Response> {
    match org::retire_node(&state.db, &actor, id).await {
        Ok(_) => Ok(see_other(&format!("/org/nodes/{id}?ok=retired"))),
        Err(e) => refused(&state, &actor, lang, &uri, id, e).await,
    }
}

#[derive(Deserialize)]
struct MemberForm {
    #[serde(default)]
    member_name: String,
    #[serde(default)]
    member_role: String,
    member_title: Option<String>,
    member_phone: Option<String>,
}

async fn add_member(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    Id(id): Id,
    Form(actor, f): Form<MemberForm>,
) -> Result<Response> {
    let input = NewMember {
        name: f.member_name.clone(),
        role: f.member_role.clone(),
        title: f.member_title.clone(),
        phone: f.member_phone.clone(),
    };
    match org::add_member(&state.db, &actor, id, &input).await {
        Ok(_) => Ok(see_other(&format!("/org/nodes/{id}?ok=member_added"))),
        Err(Error::Invalid(fe)) => {
            let mut page = node_page(&state, &actor, lang, &uri, id, None).await?;
            page.form = FormView::with(&[
                ("member_name", f.member_name),
                ("member_role", f.member_role),
                ("member_title", f.member_title.unwrap_or_default()),
                ("member_phone", f.member_phone.unwrap_or_default()),
            ])
            .errors(lang, &fe);
            html_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(e) => Err(e),
    }
}

#[derive(Deserialize)]
struct NodeRef {
    #[serde(default)]
    node_id: String,
}

async fn remove_member(
    State(state): State<AppState>,
    Id(id): Id,
    Form(actor, f): Form<NodeRef>,
) -> Result<Response> {
    org::remove_member(&state.db, &actor, id).await?;
    Ok(see_other(&format!(
        "/org/nodes/{}?ok=member_removed",
        f.node_id.parse::<i64>().unwrap_or(actor.scope_node_id)
    )))
}
