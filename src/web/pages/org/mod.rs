//! Pages of the organisation tree: the tree, the searchable node list, a node's page with its
//! members, and the create / edit / move / retire forms.

mod changes;
mod form;
mod list;
mod show;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use super::Ctx;
use super::{html, html_status, saved_or_again, see_other};
use crate::access::Permission as P;
use crate::access::Permission;
use crate::error::{Error, Result};
use crate::i18n::{self, Lang};
use crate::org::{
    self, Kind, NewMember, NewNode, Node, NodeFilter, NodeInput, SETUP_STATUSES, TreeNode,
};
use crate::page::PageRequest;
use crate::paths;
use crate::web::AppState;
use crate::web::extract::{Form, Id, Query};
use crate::web::routes::{Object, Routes, Rule};
use crate::web::views::{Choice, FormView, Pager, Shell};

pub(super) fn router() -> Routes {
    let node = |p| Rule::needs(p).on(Object::Node);
    Routes::new()
        .get(paths::TREE, Rule::needs(P::OrgRead), tree)
        .get(paths::NODES, Rule::needs(P::OrgRead), list)
        .get(paths::NODE, node(P::OrgRead), show)
        .get(paths::NODE_NEW, node(P::OrgManage), new_form)
        .post(paths::NODE_CHILDREN, node(P::OrgManage), create)
        .get(paths::NODE_EDIT, node(P::OrgEdit), edit_form)
        .post(paths::NODE_EDIT, node(P::OrgEdit), update)
        .post(paths::NODE_MOVE, node(P::OrgManage), move_node)
        .post(paths::NODE_RETIRE, node(P::OrgManage), retire)
        .post(paths::NODE_MEMBERS, node(P::OrgEdit), add_member)
        .post(
            paths::MEMBER_DELETE,
            Rule::needs(P::OrgEdit).on(Object::Member),
            remove_member,
        )
}

use changes::*;
use form::*;
use list::*;
use show::*;

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

/// Kinds of node as choices, by their names in the language.
fn kind_choices(lang: Lang, kinds: impl IntoIterator<Item = Kind>) -> Vec<Choice> {
    kinds
        .into_iter()
        .map(|k| Choice::new(k, label(lang, "kind", Some(k.as_str()))))
        .collect()
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
        kind: n.kind.to_string(),
        kind_label: label(lang, "kind", Some(n.kind.as_str())),
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
