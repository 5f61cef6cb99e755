//! Reading the tree: the root, a node within the actor's scope, its ancestors, the tree below a
//! node, filtered lists and a node's members.

use super::*;

/// The platform root, created on first start.
pub async fn root(db: &Db) -> Result<Node> {
    store::root(db).await?.ok_or(Error::NotFound)
}

/// Creates the root node if the database has none (safe when several servers start together).
pub async fn ensure_root(db: &Db) -> Result<Node> {
    if let Some(r) = store::root(db).await? {
        return Ok(r);
    }
    let mut tx = db.begin().await?;
    match store::insert_root(&mut tx, "全部地区", Utc::now()).await {
        Ok(_) => tx.commit().await?,
        // Another server created it first.
        Err(Error::Conflict(_)) => {}
        Err(e) => return Err(e),
    }
    root(db).await
}

/// An active node by id inside a transaction (other concepts check bindings with it).
pub async fn find_active_tx(tx: &mut Tx, id: i64) -> Result<Option<Node>> {
    Ok(store::get(tx, id).await?.filter(|n| n.retired_at.is_none()))
}

/// A node by id without a scope check (callers check scope their own way, e.g. an import's town).
pub async fn get_node_unscoped(db: &Db, id: i64) -> Result<Option<Node>> {
    store::get(db, id).await
}

/// The active communities under a path, by name, without a scope check (a walk-in at a check-in
/// picks the community they live in among the activity's town).
pub async fn communities_under(db: &Db, path: &str) -> Result<Vec<(i64, String)>> {
    Ok(store::subtree(db, path, i32::MAX)
        .await?
        .into_iter()
        .filter(|n| n.kind() == Kind::Community && n.retired_at.is_none())
        .map(|n| (n.id, n.name))
        .collect())
}

/// The towns a yearly page (schedule, funds, equipment, assessment) lets the actor choose among:
/// every town in scope for an account above the towns (a district); none for one working inside a
/// town, whose pages read its own (`town_for`).
pub async fn town_choices(db: &Db, actor: &Actor) -> Result<Vec<Node>> {
    if rules::ancestor_id(&actor.scope_path, rules::TOWN_LEVEL).is_some() {
        return Ok(Vec::new());
    }
    all_of_kind(db, actor, Kind::Town).await
}

/// The active places activities are held in under a path (the town school, the learning
/// centres and work stations), in tree order, without a scope check.
pub async fn places_under(db: &Db, path: &str) -> Result<Vec<Node>> {
    nodes_under(db, path, &[Kind::School, Kind::Centre]).await
}

/// The active nodes of some kinds under a path (the path's own node included), by depth, without
/// a scope check: a town's groups for its meetings, the units a schedule row may name.
pub async fn nodes_under(db: &Db, path: &str, kinds: &[Kind]) -> Result<Vec<Node>> {
    Ok(store::subtree(db, path, i32::MAX)
        .await?
        .into_iter()
        .filter(|n| kinds.contains(&n.kind()))
        .collect())
}

/// The resident population (常住人口) under a path: the sum over its active communities (the
/// floor of a town's funds, the participation rate), without a scope check.
pub async fn population_under(db: &Db, path: &str) -> Result<i64> {
    Ok(store::subtree(db, path, i32::MAX)
        .await?
        .into_iter()
        .filter(|n| n.kind() == Kind::Community && n.retired_at.is_none())
        .filter_map(|n| n.population)
        .sum())
}

/// The town whose records (schedule, funds) the actor reads: the one asked for, when the actor
/// sees it or works inside it (a centre head's scope is a community of it), else the town the
/// actor's scope lies in, else the first town of the scope.
pub async fn town_for(db: &Db, actor: &Actor, town_id: Option<i64>) -> Result<Node> {
    let own = super::rules::ancestor_id(&actor.scope_path, super::rules::TOWN_LEVEL);
    let id = match town_id.or(own) {
        Some(id) => id,
        None => {
            let towns = all_of_kind(db, actor, Kind::Town).await?;
            towns.first().map(|t| t.id).ok_or(Error::NotFound)?
        }
    };
    let town = get_node_unscoped(db, id)
        .await?
        .filter(|t| t.kind() == Kind::Town && t.retired_at.is_none())
        .ok_or(Error::NotFound)?;
    if actor.sees(&town.path) || actor.scope_path.starts_with(&town.path) {
        Ok(town)
    } else {
        Err(Error::NotFound)
    }
}

/// One node inside the actor's scope (retired nodes included: they stay readable).
pub async fn get_node(db: &Db, actor: &Actor, id: i64) -> Result<Node> {
    actor.require(Permission::OrgRead)?;
    let node = store::get(db, id).await?.ok_or(Error::NotFound)?;
    actor.require_sees(&node.path)?;
    Ok(node)
}

/// The actor's scope root node.
pub async fn scope_node(db: &Db, actor: &Actor) -> Result<Node> {
    store::get(db, actor.scope_node_id)
        .await?
        .ok_or(Error::NotFound)
}

/// The chain of ancestors of a node that the actor may see, from the scope root down (breadcrumbs).
pub async fn ancestors(db: &Db, actor: &Actor, node: &Node) -> Result<Vec<Node>> {
    let ids: Vec<i64> = node
        .path
        .trim_matches('/')
        .split('/')
        .filter_map(|s| s.parse().ok())
        .collect();
    let mut out = Vec::new();
    for id in ids.iter().take(ids.len().saturating_sub(1)) {
        if let Some(n) = store::get(db, *id).await?
            && actor.sees(&n.path)
        {
            out.push(n);
        }
    }
    Ok(out)
}

/// A node with its children, for the tree page.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct TreeNode {
    pub node: Node,
    #[schema(no_recursion)]
    pub children: Vec<TreeNode>,
    /// Sum of the resident population of the communities inside.
    pub population: i64,
}

/// The active subtree under `top` (the actor's scope root by default), `levels` deep.
pub async fn tree(db: &Db, actor: &Actor, top: Option<i64>, levels: i32) -> Result<TreeNode> {
    actor.require(Permission::OrgRead)?;
    let top = match top {
        Some(id) => get_node(db, actor, id).await?,
        None => scope_node(db, actor).await?,
    };
    let nodes = store::subtree(db, &top.path, top.depth + levels).await?;
    Ok(build_tree(top, nodes))
}

pub(super) fn build_tree(top: Node, mut nodes: Vec<Node>) -> TreeNode {
    use std::collections::HashMap;
    nodes.sort_by(|a, b| (a.kind().rank(), &a.name).cmp(&(b.kind().rank(), &b.name)));
    let mut by_parent: HashMap<i64, Vec<Node>> = HashMap::new();
    for n in nodes {
        if n.id != top.id
            && let Some(p) = n.parent_id
        {
            by_parent.entry(p).or_default().push(n);
        }
    }
    fn attach(node: Node, by_parent: &mut HashMap<i64, Vec<Node>>) -> TreeNode {
        let kids = by_parent.remove(&node.id).unwrap_or_default();
        let children: Vec<TreeNode> = kids.into_iter().map(|k| attach(k, by_parent)).collect();
        let population =
            node.population.unwrap_or(0) + children.iter().map(|c| c.population).sum::<i64>();
        TreeNode {
            node,
            children,
            population,
        }
    }
    attach(top, &mut by_parent)
}

/// Filters of the node list.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct NodeFilter {
    /// Part of the name.
    pub q: Option<String>,
    /// district, town, school, community, centre, department or group.
    #[serde(deserialize_with = "crate::text::lenient")]
    #[param(value_type = Option<String>)]
    pub kind: Option<Kind>,
    /// Include retired nodes.
    pub include_retired: bool,
}

/// A searchable, pageable list of the nodes inside the actor's scope.
pub async fn list_nodes(
    db: &Db,
    actor: &Actor,
    filter: &NodeFilter,
    page: PageRequest,
) -> Result<Page<Node>> {
    actor.require(Permission::OrgRead)?;
    store::list(db, &actor.scope_path, filter, page).await
}

/// Every active node of one kind in the actor's scope, in tree order (the rows of a report).
pub async fn all_of_kind(db: &Db, actor: &Actor, kind: Kind) -> Result<Vec<Node>> {
    let filter = NodeFilter {
        kind: Some(kind),
        ..Default::default()
    };
    let all = PageRequest {
        page: 1,
        per_page: ALL_OF_KIND,
    };
    Ok(list_nodes(db, actor, &filter, all).await?.items)
}

/// More nodes of one kind than a district has (a district has a few hundred centres).
const ALL_OF_KIND: u32 = 100_000;

/// The members of a node.
pub async fn members(db: &Db, actor: &Actor, node_id: i64) -> Result<Vec<Member>> {
    let node = get_node(db, actor, node_id).await?;
    store::members(db, node.id).await
}
