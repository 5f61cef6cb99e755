use chrono::{DateTime, Utc};

use super::rules::{Kind, child_path};
use super::{Attrs, Member, Node, NodeFilter};
use crate::args;
use crate::db::{self, Arg, Conn, Db, Tx};
use crate::error::{Error, Result};
use crate::page::{Page, PageRequest};

const COLS: &str = "select id, parent_id, kind, subtype, name, path, depth, population, venue, \
    setup_status, setup_date, phone, note, retired_at, created_at, updated_at \
    from org_nodes";

pub(super) async fn root(db: &Db) -> Result<Option<Node>> {
    let sql = format!("{COLS} where kind = 'root'");
    db::row_opt(db, &sql, args![]).await
}

pub(super) async fn insert_root(tx: &mut Tx, name: &str, now: DateTime<Utc>) -> Result<()> {
    let sql = "insert into org_nodes (parent_id, kind, name, path, depth, created_at, \
        updated_at) values (null, 'root', $1, '/', 0, $2, $2) \
        returning id";
    let id: i64 = db::scalar(&mut *tx, sql, args![name, now]).await?;
    let sql = "update org_nodes set path = $1 where id = $2";
    db::exec(&mut *tx, sql, args![&format!("/{id}/"), id]).await?;
    Ok(())
}

pub(super) async fn get(conn: impl Into<Conn<'_>>, id: i64) -> Result<Option<Node>> {
    let sql = format!("{COLS} where id = $1");
    db::row_opt(conn, &sql, args![id]).await
}

pub(super) async fn subtree(db: &Db, path: &str, max_depth: i32) -> Result<Vec<Node>> {
    let sql = format!(
        "{COLS} where path like $1 and depth <= $2 and retired_at is null order by depth, id"
    );
    let pattern = format!("{path}%");
    db::rows(db, &sql, args![&pattern, max_depth]).await
}

pub(super) async fn list(
    db: &Db,
    scope: &str,
    f: &NodeFilter,
    page: PageRequest,
) -> Result<Page<Node>> {
    let scope = format!("{scope}%");
    let q = db::contains_pattern(f.q.as_deref());
    let kind = f.kind.map(Kind::as_str);
    let filter = " where path like $1 and ($2 is null or name like $2 escape '\\') and ($3 is \
        null or kind = $3) and ($4 or retired_at is null)";
    let count_sql = format!("select count(*) from org_nodes{filter}");
    let list_sql = format!("{COLS}{filter} order by path limit $5 offset $6");
    db::page(
        db,
        &count_sql,
        &list_sql,
        args![&scope, &q, kind, f.include_retired],
        page,
    )
    .await
}

pub(super) async fn sibling_named(
    tx: &mut Tx,
    parent_id: i64,
    name: &str,
    except: Option<i64>,
) -> Result<bool> {
    let sql = "select count(*) from org_nodes where parent_id = $1 and name = $2 and retired_at \
        is null and ($3 is null or id <> $3)";
    let n: i64 = db::scalar(&mut *tx, sql, args![parent_id, name, except]).await?;
    Ok(n > 0)
}

/// The columns a node's attributes fill, in the order of the insert and the update.
fn attrs_args(a: &Attrs) -> Vec<Arg<'_>> {
    args![
        &a.name,
        &a.subtype,
        a.population,
        &a.venue,
        &a.setup_status,
        a.setup_date,
        &a.phone,
        &a.note
    ]
}

pub(super) async fn insert(
    tx: &mut Tx,
    parent: &Node,
    kind: Kind,
    a: &Attrs,
    now: DateTime<Utc>,
) -> Result<Node> {
    // The path needs the new id: insert with the parent's path, then append the id.
    let sql = "insert into org_nodes (name, subtype, population, venue, setup_status, \
        setup_date, phone, note, created_at, updated_at, parent_id, kind, path, depth) \
        values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $10, $11, $12, $13) returning id";
    let mut args = attrs_args(a);
    args.extend(args![now, parent.id, kind, &parent.path, parent.depth + 1]);
    let id: i64 = db::scalar(&mut *tx, sql, args).await?;
    db::exec(
        &mut *tx,
        "update org_nodes set path = $1 where id = $2",
        args![child_path(&parent.path, id), id],
    )
    .await?;
    get(tx, id).await?.ok_or(Error::NotFound)
}

pub(super) async fn update(tx: &mut Tx, id: i64, a: &Attrs, now: DateTime<Utc>) -> Result<Node> {
    let sql = "update org_nodes set name = $1, subtype = $2, population = $3, venue = $4, \
        setup_status = $5, setup_date = $6, phone = $7, note = $8, updated_at = $9 \
        where id = $10";
    let mut args = attrs_args(a);
    args.extend(args![now, id]);
    db::exec(&mut *tx, sql, args).await?;
    get(tx, id).await?.ok_or(Error::NotFound)
}

pub(super) async fn move_subtree(
    tx: &mut Tx,
    node: &Node,
    parent: &Node,
    now: DateTime<Utc>,
) -> Result<Node> {
    let new_path = child_path(&parent.path, node.id);
    let depth_delta = parent.depth + 1 - node.depth;
    // substr is 1-based on both backends; paths are ASCII so characters equal bytes.
    let keep_from = i32::try_from(node.path.len()).unwrap_or(0) + 1;
    let sql = "update org_nodes set path = $1 || substr(path, $2), depth = depth + $3, \
        updated_at = $4 where path like $5";
    db::exec(
        &mut *tx,
        sql,
        args![
            &new_path,
            keep_from,
            depth_delta,
            now,
            &format!("{}%", node.path)
        ],
    )
    .await?;
    db::exec(
        &mut *tx,
        "update org_nodes set parent_id = $1 where id = $2",
        args![parent.id, node.id],
    )
    .await?;
    get(tx, node.id).await?.ok_or(Error::NotFound)
}

/// After a move: the residents and activities under `path` belong to the town `town_id` now. These
/// rows keep their town for the registers' uniqueness and the town's lists; the tree decides it, so
/// the tree's move keeps it true, in the move's transaction. Fails with a unique violation when the
/// new town already registers a resident with the same number.
pub(super) async fn follow_town(tx: &mut Tx, path: &str, town_id: i64) -> Result<()> {
    let under = format!("{path}%");
    let sql = "update residents set town_id = $1 where town_id <> $1 and community_id in \
        (select id from org_nodes where path like $2)";
    db::exec(&mut *tx, sql, args![town_id, &under]).await?;
    let sql = "update activities set town_id = $1 where town_id <> $1 and owner_id in (select \
        id from org_nodes where path like $2)";
    db::exec(&mut *tx, sql, args![town_id, &under]).await?;
    Ok(())
}

pub(super) async fn active_children(tx: &mut Tx, id: i64) -> Result<i64> {
    let sql = "select count(*) from org_nodes where parent_id = $1 and retired_at is null";
    db::scalar(&mut *tx, sql, args![id]).await
}

pub(super) async fn retire(tx: &mut Tx, id: i64, now: DateTime<Utc>) -> Result<Node> {
    let sql = "update org_nodes set retired_at = $1, updated_at = $1 \
        where id = $2";
    db::exec(&mut *tx, sql, args![now, id]).await?;
    get(tx, id).await?.ok_or(Error::NotFound)
}

const MEMBER_COLS: &str = "select id, node_id, name, role, title, phone, sort from org_members";

pub(super) async fn members(db: &Db, node_id: i64) -> Result<Vec<Member>> {
    let sql = format!("{MEMBER_COLS} where node_id = $1 order by sort, id");
    db::rows(db, &sql, args![node_id]).await
}

pub(super) async fn member_tx(tx: &mut Tx, id: i64) -> Result<Option<Member>> {
    let sql = format!("{MEMBER_COLS} where id = $1");
    db::row_opt(&mut *tx, &sql, args![id]).await
}

pub(super) async fn insert_member(
    tx: &mut Tx,
    node_id: i64,
    name: &str,
    role: &str,
    title: Option<&str>,
    phone: Option<&str>,
) -> Result<i64> {
    let sql = "insert into org_members (node_id, name, role, title, phone, sort) \
        values ($1, $2, $3, $4, $5, (select coalesce(max(sort), 0) + 1 \
        from org_members where node_id = $1)) returning id";
    db::scalar(&mut *tx, sql, args![node_id, name, role, title, phone]).await
}

pub(super) async fn delete_member(tx: &mut Tx, id: i64) -> Result<()> {
    let sql = "delete from org_members where id = $1";
    db::exec(&mut *tx, sql, args![id]).await?;
    Ok(())
}

/// Active staff accounts bound to a node: a node still in use cannot be retired. (Accounts hang on
/// the tree; the tree only counts them.)
pub(super) async fn active_accounts_on(tx: &mut Tx, node_id: i64) -> Result<i64> {
    let sql = "select count(*) from users where node_id = $1 and active";
    db::scalar(&mut *tx, sql, args![node_id]).await
}
