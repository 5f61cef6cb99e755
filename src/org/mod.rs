//! The organisation tree: district → town/street → community/village, with the town's school or
//! centre, its leadership group and office, its departments, and each community's learning centre
//! or work station. Invariants: every active node's kind fits its parent's kind; active siblings
//! have distinct names; a node's `path` (`/1/4/9/`) is its parent's path plus its id, which is how
//! scope is checked; a retired node has no active children and no active accounts.

pub mod rules;
mod store;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::access::{Actor, Permission};
use crate::audit::{self, Entry};
use crate::db::{Db, Tx};
use crate::error::{Error, FieldErrors, Msg, Result};
use crate::page::{Page, PageRequest};
use crate::text;
pub use rules::{Kind, SETUP_STATUSES};

/// One node of the tree as stored.
#[derive(Clone, Debug, Serialize, Deserialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Node {
    pub id: i64,
    pub parent_id: Option<i64>,
    /// root, district, town, school, community, centre, department or group.
    pub kind: String,
    /// town/street, school/centre, community/village, learning_centre/work_station,
    /// leadership/office.
    pub subtype: Option<String>,
    pub name: String,
    pub path: String,
    pub depth: i32,
    /// Resident population (常住人口) of a community.
    pub population: Option<i64>,
    pub venue: Option<String>,
    /// planned, in_progress or set_up (learning centres and work stations).
    pub setup_status: Option<String>,
    pub setup_date: Option<NaiveDate>,
    pub phone: Option<String>,
    pub note: Option<String>,
    pub retired_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Node {
    /// The typed kind (stored values are checked by the schema).
    pub fn kind(&self) -> Kind {
        Kind::parse(&self.kind).unwrap_or(Kind::Root)
    }
}

/// A member of a group, school, centre or department, with the role they hold there.
#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Member {
    pub id: i64,
    pub node_id: i64,
    pub name: String,
    /// leader, deputy_leader, member, director, deputy_director, principal, deputy_principal,
    /// officer, head.
    pub role: String,
    /// Their post elsewhere, e.g. 镇人大主席 or 社区主任.
    pub title: Option<String>,
    pub phone: Option<String>,
    pub sort: i32,
}

/// The editable attributes of a node (create and edit forms, API bodies).
#[derive(Clone, Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct NodeInput {
    #[schema(min_length = 1, max_length = 50)]
    pub name: String,
    #[serde(default)]
    pub subtype: Option<String>,
    #[serde(default)]
    pub population: Option<String>,
    #[serde(default)]
    /// A centre's or the school's venue (ignored for other kinds); at most 100 characters.
    pub venue: Option<String>,
    #[serde(default)]
    pub setup_status: Option<String>,
    #[serde(default)]
    pub setup_date: Option<String>,
    #[serde(default)]
    #[schema(max_length = 20)]
    pub phone: Option<String>,
    #[serde(default)]
    #[schema(max_length = 500)]
    pub note: Option<String>,
}

/// A new node: its kind, its parent, its attributes, and for a community optionally its centre.
#[derive(Clone, Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct NewNode {
    pub parent_id: i64,
    pub kind: String,
    #[serde(flatten)]
    pub attrs: NodeInput,
    /// Set up the community's learning centre / work station in the same step.
    #[serde(default)]
    pub centre: Option<NodeInput>,
    /// Name of the centre's head (usually the community director).
    #[serde(default)]
    pub centre_head: Option<String>,
}

/// A new member of a node.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct NewMember {
    #[schema(min_length = 1, max_length = 50)]
    pub name: String,
    pub role: String,
    #[serde(default)]
    #[schema(max_length = 50)]
    pub title: Option<String>,
    #[serde(default)]
    #[schema(max_length = 20)]
    pub phone: Option<String>,
}

/// Validated, typed attributes ready for storage.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Attrs {
    pub name: String,
    pub subtype: Option<String>,
    pub population: Option<i64>,
    pub venue: Option<String>,
    pub setup_status: Option<String>,
    pub setup_date: Option<NaiveDate>,
    pub phone: Option<String>,
    pub note: Option<String>,
}

/// Checks the attributes of a node of `kind`, prefixing field names with `prefix` (for the centre
/// part).
fn validate(kind: Kind, input: &NodeInput, prefix: &str, fe: &mut FieldErrors) -> Attrs {
    let f = |name: &str| format!("{prefix}{name}");
    let name = text::required(fe, &f("name"), &input.name, 50);
    let subtype = match input
        .subtype
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => kind.subtypes().first().map(|s| s.to_string()),
        Some(s) if kind.subtypes().contains(&s) => Some(s.to_string()),
        Some(_) => {
            fe.add(&f("subtype"), Msg::new("field.choose"));
            None
        }
    };
    let population = if kind.has_population() {
        match input
            .population
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => {
                fe.add(&f("population"), Msg::new("field.required"));
                None
            }
            Some(s) => match s.parse::<i64>() {
                Ok(n) if (0..=10_000_000).contains(&n) => Some(n),
                _ => {
                    fe.add(&f("population"), Msg::new("org.population_range"));
                    None
                }
            },
        }
    } else {
        None
    };
    let venue = if kind.has_venue() {
        text::optional(fe, &f("venue"), input.venue.as_deref(), 100)
    } else {
        None
    };
    let (setup_status, setup_date) = if kind.has_setup_status() {
        let status = match input
            .setup_status
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => Some("planned".to_string()),
            Some(s) if SETUP_STATUSES.contains(&s) => Some(s.to_string()),
            Some(_) => {
                fe.add(&f("setup_status"), Msg::new("field.choose"));
                None
            }
        };
        let date = match input
            .setup_date
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => None,
            Some(s) => match NaiveDate::parse_from_str(s, "%Y-%m-%d") {
                Ok(d) => Some(d),
                Err(_) => {
                    fe.add(&f("setup_date"), Msg::new("field.date_format"));
                    None
                }
            },
        };
        (status, date)
    } else {
        (None, None)
    };
    let phone = text::optional(fe, &f("phone"), input.phone.as_deref(), 20);
    if let Some(p) = &phone
        && !p
            .chars()
            .all(|c| c.is_ascii_digit() || c == '-' || c == ' ')
    {
        fe.add(&f("phone"), Msg::new("org.phone_format"));
    }
    let note = text::optional_multiline(fe, &f("note"), input.note.as_deref(), 500);
    Attrs {
        name,
        subtype,
        population,
        venue,
        setup_status,
        setup_date,
        phone,
        note,
    }
}

fn node_json(n: &Node) -> serde_json::Value {
    json!({
        "name": n.name, "kind": n.kind, "subtype": n.subtype, "parent_id": n.parent_id, "path": n.path,
        "population": n.population, "venue": n.venue, "setup_status": n.setup_status,
        "setup_date": n.setup_date, "phone": n.phone, "note": n.note, "retired_at": n.retired_at,
    })
}

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
    Ok(store::get_tx(tx, id)
        .await?
        .filter(|n| n.retired_at.is_none()))
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

fn build_tree(top: Node, mut nodes: Vec<Node>) -> TreeNode {
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
#[derive(Clone, Debug, Default)]
pub struct NodeFilter {
    pub q: Option<String>,
    pub kind: Option<Kind>,
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

/// The members of a node.
pub async fn members(db: &Db, actor: &Actor, node_id: i64) -> Result<Vec<Member>> {
    let node = get_node(db, actor, node_id).await?;
    store::members(db, node.id).await
}

async fn check_unique_name(
    tx: &mut Tx,
    parent_id: i64,
    name: &str,
    except: Option<i64>,
    fe: &mut FieldErrors,
    field: &str,
) -> Result<()> {
    if store::sibling_named(tx, parent_id, name, except).await? {
        fe.add(field, Msg::new("org.name_taken").arg("name", name));
    }
    Ok(())
}

/// Creates a node under a parent inside the actor's scope; a community may get its learning centre
/// (and the centre's head) in the same transaction.
pub async fn create_node(db: &Db, actor: &Actor, input: &NewNode) -> Result<Node> {
    actor.require(Permission::OrgManage)?;
    let mut fe = FieldErrors::default();
    let kind = Kind::parse(&input.kind).filter(|k| *k != Kind::Root);
    let Some(kind) = kind else {
        return Err(Error::invalid("kind", Msg::new("field.choose")));
    };
    let attrs = validate(kind, &input.attrs, "", &mut fe);
    let centre = match (&input.centre, kind) {
        (Some(c), Kind::Community) if !c.name.trim().is_empty() => {
            Some(validate(Kind::Centre, c, "centre_", &mut fe))
        }
        _ => None,
    };
    let head = text::optional(&mut fe, "centre_head", input.centre_head.as_deref(), 50);

    let mut tx = db.begin().await?;
    let parent = find_active_tx(&mut tx, input.parent_id)
        .await?
        .filter(|p| actor.sees(&p.path))
        .ok_or(Error::NotFound)?;
    if !kind.allowed_parents().contains(&parent.kind()) {
        fe.add("kind", Msg::new("org.kind_not_allowed_here"));
    }
    if fe.get("name").is_none() {
        check_unique_name(&mut tx, parent.id, &attrs.name, None, &mut fe, "name").await?;
    }
    fe.into_result()?;

    let now = Utc::now();
    let node = store::insert(&mut tx, &parent, kind, &attrs, now).await?;
    audit::record(
        &mut tx,
        actor,
        Entry {
            action: "org.node_created",
            subject_type: "org_node",
            subject_id: Some(node.id),
            node_path: &node.path,
            before: None,
            after: Some(node_json(&node)),
            result: "ok",
        },
    )
    .await?;
    if let Some(c) = centre {
        let centre = store::insert(&mut tx, &node, Kind::Centre, &c, now).await?;
        audit::record(
            &mut tx,
            actor,
            Entry {
                action: "org.node_created",
                subject_type: "org_node",
                subject_id: Some(centre.id),
                node_path: &centre.path,
                before: None,
                after: Some(node_json(&centre)),
                result: "ok",
            },
        )
        .await?;
        if let Some(h) = head {
            let m =
                store::insert_member(&mut tx, centre.id, &h, "head", Some("负责人"), None).await?;
            audit::record(
                &mut tx,
                actor,
                Entry {
                    action: "org.member_added",
                    subject_type: "org_member",
                    subject_id: Some(m),
                    node_path: &centre.path,
                    before: None,
                    after: Some(json!({"name": h, "role": "head"})),
                    result: "ok",
                },
            )
            .await?;
        }
    }
    tx.commit().await?;
    Ok(node)
}

/// Edits a node's attributes (its kind and place stay; moving is [`move_node`]).
pub async fn update_node(db: &Db, actor: &Actor, id: i64, input: &NodeInput) -> Result<Node> {
    actor.require(Permission::OrgEdit)?;
    let mut tx = db.begin().await?;
    let before = store::get_tx(&mut tx, id)
        .await?
        .filter(|n| actor.sees(&n.path))
        .ok_or(Error::NotFound)?;
    if before.retired_at.is_some() {
        return Err(Error::Conflict(Msg::new("org.node_retired")));
    }
    let mut fe = FieldErrors::default();
    let attrs = validate(before.kind(), input, "", &mut fe);
    if let Some(parent_id) = before.parent_id
        && fe.get("name").is_none()
    {
        check_unique_name(&mut tx, parent_id, &attrs.name, Some(id), &mut fe, "name").await?;
    }
    fe.into_result()?;
    let after = store::update(&mut tx, id, &attrs, Utc::now()).await?;
    audit::record(
        &mut tx,
        actor,
        Entry {
            action: "org.node_updated",
            subject_type: "org_node",
            subject_id: Some(id),
            node_path: &after.path,
            before: Some(node_json(&before)),
            after: Some(node_json(&after)),
            result: "ok",
        },
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// 404 unless a member record belongs to a node inside the actor's scope.
pub async fn require_member(db: &Db, actor: &Actor, member_id: i64) -> Result<()> {
    actor.require(Permission::OrgRead)?;
    let mut tx = db.begin_read().await?;
    let m = store::member_tx(&mut tx, member_id)
        .await?
        .ok_or(Error::NotFound)?;
    store::get_tx(&mut tx, m.node_id)
        .await?
        .filter(|n| actor.sees(&n.path))
        .map(|_| ())
        .ok_or(Error::NotFound)
}

/// Moves a node and its whole subtree under a new parent, refusing cycles and misplaced kinds.
pub async fn move_node(db: &Db, actor: &Actor, id: i64, new_parent_id: i64) -> Result<Node> {
    actor.require(Permission::OrgManage)?;
    let mut tx = db.begin().await?;
    let node = store::get_tx(&mut tx, id)
        .await?
        .filter(|n| actor.sees(&n.path))
        .ok_or(Error::NotFound)?;
    let parent = find_active_tx(&mut tx, new_parent_id)
        .await?
        .filter(|p| actor.sees(&p.path))
        .ok_or(Error::NotFound)?;
    if node.retired_at.is_some() {
        return Err(Error::Conflict(Msg::new("org.node_retired")));
    }
    if node.id == actor.scope_node_id {
        return Err(Error::Conflict(Msg::new("org.move_immovable")));
    }
    rules::check_move(node.kind(), &node.path, parent.kind(), &parent.path).map_err(
        |r| match r {
            rules::MoveRefusal::Cycle => Error::Conflict(Msg::new("org.move_cycle")),
            rules::MoveRefusal::WrongParentKind => {
                Error::Conflict(Msg::new("org.kind_not_allowed_here"))
            }
            rules::MoveRefusal::Immovable => Error::Conflict(Msg::new("org.move_immovable")),
        },
    )?;
    if Some(parent.id) == node.parent_id {
        return Ok(node);
    }
    if store::sibling_named(&mut tx, parent.id, &node.name, Some(node.id)).await? {
        return Err(Error::Conflict(
            Msg::new("org.name_taken").arg("name", &node.name),
        ));
    }
    let after = store::move_subtree(&mut tx, &node, &parent, Utc::now()).await?;
    if let Some(town) = rules::ancestor_id(&after.path, rules::TOWN_LEVEL) {
        store::follow_town(&mut tx, &after.path, town)
            .await
            .map_err(|e| match e {
                Error::Conflict(_) => Error::Conflict(Msg::new("org.move_numbers_registered")),
                e => e,
            })?;
    }
    audit::record(
        &mut tx,
        actor,
        Entry {
            action: "org.node_moved",
            subject_type: "org_node",
            subject_id: Some(id),
            node_path: &after.path,
            before: Some(json!({"parent_id": node.parent_id, "path": node.path})),
            after: Some(json!({"parent_id": after.parent_id, "path": after.path})),
            result: "ok",
        },
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Retires a node that nothing uses any more; it stays readable and in the audit trail.
pub async fn retire_node(db: &Db, actor: &Actor, id: i64) -> Result<Node> {
    actor.require(Permission::OrgManage)?;
    let mut tx = db.begin().await?;
    let node = store::get_tx(&mut tx, id)
        .await?
        .filter(|n| actor.sees(&n.path))
        .ok_or(Error::NotFound)?;
    if node.retired_at.is_some() {
        return Err(Error::Conflict(Msg::new("org.node_retired")));
    }
    if node.kind() == Kind::Root || node.id == actor.scope_node_id {
        return Err(Error::Conflict(Msg::new("org.retire_scope_root")));
    }
    let children = store::active_children(&mut tx, id).await?;
    if children > 0 {
        return Err(Error::Conflict(
            Msg::new("org.retire_has_children").arg("count", children),
        ));
    }
    let accounts = store::active_accounts_on(&mut tx, id).await?;
    if accounts > 0 {
        return Err(Error::Conflict(
            Msg::new("org.retire_has_accounts").arg("count", accounts),
        ));
    }
    let after = store::retire(&mut tx, id, Utc::now()).await?;
    audit::record(
        &mut tx,
        actor,
        Entry {
            action: "org.node_retired",
            subject_type: "org_node",
            subject_id: Some(id),
            node_path: &after.path,
            before: Some(node_json(&node)),
            after: Some(node_json(&after)),
            result: "ok",
        },
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Adds a member (leader, office director, principal, centre head…) to a node.
pub async fn add_member(db: &Db, actor: &Actor, node_id: i64, input: &NewMember) -> Result<Member> {
    actor.require(Permission::OrgEdit)?;
    let mut fe = FieldErrors::default();
    let name = text::required(&mut fe, "member_name", &input.name, 50);
    let title = text::optional(&mut fe, "member_title", input.title.as_deref(), 50);
    let phone = text::optional(&mut fe, "member_phone", input.phone.as_deref(), 20);
    let mut tx = db.begin().await?;
    let node = find_active_tx(&mut tx, node_id)
        .await?
        .filter(|n| actor.sees(&n.path))
        .ok_or(Error::NotFound)?;
    if !node
        .kind()
        .member_roles(node.subtype.as_deref())
        .contains(&input.role.as_str())
    {
        fe.add("member_role", Msg::new("field.choose"));
    }
    fe.into_result()?;
    let id = store::insert_member(
        &mut tx,
        node.id,
        &name,
        &input.role,
        title.as_deref(),
        phone.as_deref(),
    )
    .await?;
    audit::record(
        &mut tx,
        actor,
        Entry {
            action: "org.member_added",
            subject_type: "org_member",
            subject_id: Some(id),
            node_path: &node.path,
            before: None,
            after: Some(json!({"name": name, "role": input.role, "title": title})),
            result: "ok",
        },
    )
    .await?;
    let m = store::member_tx(&mut tx, id)
        .await?
        .ok_or(Error::NotFound)?;
    tx.commit().await?;
    Ok(m)
}

/// Removes a member from a node.
pub async fn remove_member(db: &Db, actor: &Actor, member_id: i64) -> Result<()> {
    actor.require(Permission::OrgEdit)?;
    let mut tx = db.begin().await?;
    let m = store::member_tx(&mut tx, member_id)
        .await?
        .ok_or(Error::NotFound)?;
    let node = store::get_tx(&mut tx, m.node_id)
        .await?
        .filter(|n| actor.sees(&n.path))
        .ok_or(Error::NotFound)?;
    store::delete_member(&mut tx, member_id).await?;
    audit::record(
        &mut tx,
        actor,
        Entry {
            action: "org.member_removed",
            subject_type: "org_member",
            subject_id: Some(member_id),
            node_path: &node.path,
            before: Some(json!({"name": m.name, "role": m.role, "title": m.title})),
            after: None,
            result: "ok",
        },
    )
    .await?;
    tx.commit().await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(name: &str) -> NodeInput {
        NodeInput {
            name: name.into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_community_needs_a_population_in_range() {
        let mut fe = FieldErrors::default();
        validate(Kind::Community, &input("王齐村"), "", &mut fe);
        assert_eq!(fe.get("population").unwrap().key, "field.required");
        let mut fe = FieldErrors::default();
        validate(
            Kind::Community,
            &NodeInput {
                population: Some("-3".into()),
                ..input("王齐村")
            },
            "",
            &mut fe,
        );
        assert_eq!(fe.get("population").unwrap().key, "org.population_range");
        let mut fe = FieldErrors::default();
        let a = validate(
            Kind::Community,
            &NodeInput {
                population: Some(" 3200 ".into()),
                ..input("王齐村")
            },
            "",
            &mut fe,
        );
        assert!(fe.is_empty());
        assert_eq!(
            (a.population, a.subtype.as_deref()),
            (Some(3200), Some("community"))
        );
    }

    #[test]
    fn a_centre_defaults_to_planned_and_checks_its_date() {
        let mut fe = FieldErrors::default();
        let a = validate(Kind::Centre, &input("薛家村工作站"), "centre_", &mut fe);
        assert_eq!(a.setup_status.as_deref(), Some("planned"));
        validate(
            Kind::Centre,
            &NodeInput {
                setup_date: Some("2020-06-31".into()),
                ..input("x")
            },
            "centre_",
            &mut fe,
        );
        assert_eq!(
            fe.get("centre_setup_date").unwrap().key,
            "field.date_format"
        );
    }

    #[test]
    fn attributes_of_other_kinds_are_ignored_not_stored() {
        let mut fe = FieldErrors::default();
        let a = validate(
            Kind::Department,
            &NodeInput {
                population: Some("9".into()),
                venue: Some("x".into()),
                ..input("社保所")
            },
            "",
            &mut fe,
        );
        assert!(fe.is_empty());
        assert_eq!((a.population, a.venue), (None, None));
    }
}
