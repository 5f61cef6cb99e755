//! The node form: a new node under a parent and edits of one.

use super::*;
use crate::paths;

#[derive(Template)]
#[template(path = "org/node_form.html")]
pub(super) struct NodeFormPage {
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

pub(super) fn choices(lang: Lang, prefix: &str, values: &[&str]) -> Vec<Choice> {
    values
        .iter()
        .map(|v| Choice::new(v, label(lang, prefix, Some(v))))
        .collect()
}

/// Which node form: a new child of a node (of a kind, once chosen), or an edit of a node.
pub(super) enum Which<'a> {
    Child(&'a Node, Option<Kind>),
    Edit(&'a Node),
}

pub(super) fn form_page(cx: &Ctx, which: Which<'_>, form: FormView) -> NodeFormPage {
    let lang = cx.lang;
    let (parent, kind, mode, action) = match which {
        Which::Child(parent, kind) => {
            let kind = kind.filter(|k| parent.kind().allowed_children().contains(k));
            let action = paths::node_children(parent.id);
            (parent, kind, "create", action)
        }
        Which::Edit(node) => {
            let action = paths::node_edit(node.id);
            (node, Some(node.kind()), "edit", action)
        }
    };
    let kind_choices = kind_choices(lang, parent.kind().allowed_children());
    NodeFormPage {
        shell: cx.shell(paths::TREE),
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
pub(super) struct NewQuery {
    kind: Option<String>,
}

pub(super) async fn new_form(cx: Ctx, Id(id): Id, Query(q): Query<NewQuery>) -> Result<Response> {
    let state = &cx.state;
    let actor = &cx.actor;
    actor.require(Permission::OrgManage)?;
    let parent = org::get_node(&state.db, actor, id).await?;
    let kind = q.kind.as_deref().and_then(Kind::parse);
    html(&form_page(
        &cx,
        Which::Child(&parent, kind),
        FormView::default(),
    ))
}

/// The node form as posted (every field text, so nothing typed is lost before validation).
#[derive(Deserialize, Default)]
pub(super) struct NodeForm {
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

pub(super) async fn create(
    cx: Ctx,
    Id(id): Id,
    Form(actor, f): Form<NodeForm>,
) -> Result<Response> {
    let state = &cx.state;
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
    let result = org::create_node(&state.db, &actor, &input).await;
    let cx = &cx;
    saved_or_again(
        result,
        |node| paths::flashed(&paths::node(node.id), "created"),
        |fe| async move {
            let parent = org::get_node(&state.db, &actor, id).await?;
            let which = Which::Child(&parent, Kind::parse(&f.kind));
            Ok(form_page(cx, which, f.values().errors(cx.lang, &fe)))
        },
    )
    .await
}

pub(super) async fn edit_form(cx: Ctx, Id(id): Id) -> Result<Response> {
    let state = &cx.state;
    let actor = &cx.actor;
    actor.require(Permission::OrgEdit)?;
    let node = org::get_node(&state.db, actor, id).await?;
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
    html(&form_page(&cx, Which::Edit(&node), form))
}

pub(super) async fn update(
    cx: Ctx,
    Id(id): Id,
    Form(actor, f): Form<NodeForm>,
) -> Result<Response> {
    let state = &cx.state;
    let result = org::update_node(&state.db, &actor, id, &f.attrs()).await;
    let cx = &cx;
    saved_or_again(
        result,
        |_| paths::flashed(&paths::node(id), "saved"),
        |fe| async move {
            let node = org::get_node(&state.db, &actor, id).await?;
            Ok(form_page(
                cx,
                Which::Edit(&node),
                f.values().errors(cx.lang, &fe),
            ))
        },
    )
    .await
}
