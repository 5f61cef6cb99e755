//! Changing the tree: a node created with a name unique among its siblings, edited, moved with
//! its subtree, retired; members added and removed. Every change is audited.

use super::*;

pub(super) async fn check_unique_name(
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
    let head = text::optional(
        &mut fe,
        "centre_head",
        input.centre_head.as_deref(),
        crate::text::max::NAME,
    );

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
        Entry::of("org.node_created", "org_node", Some(node.id), &node.path)
            .after(node_json(&node)),
    )
    .await?;
    if let Some(c) = centre {
        let centre = store::insert(&mut tx, &node, Kind::Centre, &c, now).await?;
        audit::record(
            &mut tx,
            actor,
            Entry::of(
                "org.node_created",
                "org_node",
                Some(centre.id),
                &centre.path,
            )
            .after(node_json(&centre)),
        )
        .await?;
        if let Some(h) = head {
            let m =
                store::insert_member(&mut tx, centre.id, &h, "head", Some("负责人"), None).await?;
            audit::record(
                &mut tx,
                actor,
                Entry::of("org.member_added", "org_member", Some(m), &centre.path)
                    .after(json!({"name": h, "role": "head"})),
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
    let before = store::get(&mut tx, id)
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
    committed(tx, actor, "org.node_updated", &before, after).await
}

/// Records a change of a node in the audit log, values before and after, and commits; the node as
/// it is now.
async fn committed(
    mut tx: Tx,
    actor: &Actor,
    action: &str,
    before: &Node,
    after: Node,
) -> Result<Node> {
    let entry = Entry::of(action, "org_node", Some(after.id), &after.path)
        .before(node_json(before))
        .after(node_json(&after));
    audit::record(&mut tx, actor, entry).await?;
    tx.commit().await?;
    Ok(after)
}

/// 404 unless a member record belongs to a node inside the actor's scope.
pub async fn require_member(db: &Db, actor: &Actor, member_id: i64) -> Result<()> {
    actor.require(Permission::OrgRead)?;
    let mut tx = db.begin_read().await?;
    member_in_scope(&mut tx, actor, member_id).await.map(|_| ())
}

/// A member and its node, when the node is inside the actor's scope; 404 otherwise.
async fn member_in_scope(tx: &mut Tx, actor: &Actor, member_id: i64) -> Result<(Member, Node)> {
    let m = store::member_tx(tx, member_id)
        .await?
        .ok_or(Error::NotFound)?;
    let node = store::get(tx, m.node_id)
        .await?
        .filter(|n| actor.sees(&n.path))
        .ok_or(Error::NotFound)?;
    Ok((m, node))
}

/// Moves a node and its whole subtree under a new parent, refusing cycles and misplaced kinds.
pub async fn move_node(db: &Db, actor: &Actor, id: i64, new_parent_id: i64) -> Result<Node> {
    actor.require(Permission::OrgManage)?;
    let mut tx = db.begin().await?;
    let node = store::get(&mut tx, id)
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
        Entry::of("org.node_moved", "org_node", Some(id), &after.path)
            .before(json!({"parent_id": node.parent_id, "path": node.path}))
            .after(json!({"parent_id": after.parent_id, "path": after.path})),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Retires a node that nothing uses any more; it stays readable and in the audit trail.
pub async fn retire_node(db: &Db, actor: &Actor, id: i64) -> Result<Node> {
    actor.require(Permission::OrgManage)?;
    let mut tx = db.begin().await?;
    let node = store::get(&mut tx, id)
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
    committed(tx, actor, "org.node_retired", &node, after).await
}

/// Adds a member (leader, office director, principal, centre head…) to a node.
pub async fn add_member(db: &Db, actor: &Actor, node_id: i64, input: &NewMember) -> Result<Member> {
    actor.require(Permission::OrgEdit)?;
    let mut fe = FieldErrors::default();
    let name = text::required(&mut fe, "member_name", &input.name, crate::text::max::NAME);
    let title = text::optional(
        &mut fe,
        "member_title",
        input.title.as_deref(),
        crate::text::max::NAME,
    );
    let phone = text::optional(
        &mut fe,
        "member_phone",
        input.phone.as_deref(),
        crate::text::max::PHONE,
    );
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
        Entry::of("org.member_added", "org_member", Some(id), &node.path)
            .after(json!({"name": name, "role": input.role, "title": title})),
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
    let (m, node) = member_in_scope(&mut tx, actor, member_id).await?;
    store::delete_member(&mut tx, member_id).await?;
    audit::record(
        &mut tx,
        actor,
        Entry::of(
            "org.member_removed",
            "org_member",
            Some(member_id),
            &node.path,
        )
        .before(json!({"name": m.name, "role": m.role, "title": m.title})),
    )
    .await?;
    tx.commit().await
}
