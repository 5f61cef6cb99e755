use chrono::{DateTime, Utc};

use super::rules::{Kind, child_path};
use super::{Attrs, Member, Node, NodeFilter};
use crate::db::{Conn, Db, Tx, like_escape};
use crate::error::{Error, Result};
use crate::page::{Page, PageRequest};
use crate::{on_conn, on_db, on_tx};

const COLS: &str = "select id, parent_id, kind, subtype, name, path, depth, population, venue, \
    setup_status, setup_date, phone, note, retired_at, created_at, updated_at \
    from org_nodes";

pub(super) async fn root(db: &Db) -> Result<Option<Node>> {
    let sql = format!("{COLS} where kind = 'root'");
    Ok(on_db!(db, |p| sqlx::query_as(&sql)
        .fetch_optional(p)
        .await?))
}

pub(super) async fn insert_root(tx: &mut Tx, name: &str, now: DateTime<Utc>) -> Result<()> {
    let sql = "insert into org_nodes (parent_id, kind, name, path, depth, created_at, \
        updated_at) values (null, 'root', $1, '/', 0, $2, $2) \
        returning id";
    let id: i64 = on_tx!(tx, |c| sqlx::query_scalar(sql)
        .bind(name)
        .bind(now)
        .fetch_one(c)
        .await?);
    let sql = "update org_nodes set path = $1 where id = $2";
    on_tx!(tx, |c| sqlx::query(sql)
        .bind(format!("/{id}/"))
        .bind(id)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

pub(super) async fn get(conn: impl Into<Conn<'_>>, id: i64) -> Result<Option<Node>> {
    let sql = format!("{COLS} where id = $1");
    Ok(on_conn!(conn.into(), |c| sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(c)
        .await?))
}

pub(super) async fn subtree(db: &Db, path: &str, max_depth: i32) -> Result<Vec<Node>> {
    let sql = format!("{COLS} where path like $1 and depth <= $2 and retired_at is null");
    let pattern = format!("{path}%");
    Ok(on_db!(db, |p| sqlx::query_as(&sql)
        .bind(&pattern)
        .bind(max_depth)
        .fetch_all(p)
        .await?))
}

pub(super) async fn list(
    db: &Db,
    scope: &str,
    f: &NodeFilter,
    page: PageRequest,
) -> Result<Page<Node>> {
    let scope = format!("{scope}%");
    let q =
        f.q.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| format!("%{}%", like_escape(s)));
    let kind = f.kind.map(Kind::as_str);
    let filter = " where path like $1 and ($2 is null or name like $2 escape '\\') and ($3 is \
        null or kind = $3) and ($4 or retired_at is null)";
    let count_sql = format!("select count(*) from org_nodes{filter}");
    let list_sql = format!("{COLS}{filter} order by path limit $5 offset $6");
    let (total, items) = on_db!(db, |p| {
        let total: i64 = sqlx::query_scalar(&count_sql)
            .bind(&scope)
            .bind(&q)
            .bind(kind)
            .bind(f.include_retired)
            .fetch_one(p)
            .await?;
        let items: Vec<Node> = sqlx::query_as(&list_sql)
            .bind(&scope)
            .bind(&q)
            .bind(kind)
            .bind(f.include_retired)
            .bind(page.limit())
            .bind(page.offset())
            .fetch_all(p)
            .await?;
        (total, items)
    });
    Ok(Page::new(items, total, page))
}

pub(super) async fn sibling_named(
    tx: &mut Tx,
    parent_id: i64,
    name: &str,
    except: Option<i64>,
) -> Result<bool> {
    let sql = "select count(*) from org_nodes where parent_id = $1 and name = $2 and retired_at \
        is null and ($3 is null or id <> $3)";
    let n: i64 = on_tx!(tx, |c| sqlx::query_scalar(sql)
        .bind(parent_id)
        .bind(name)
        .bind(except)
        .fetch_one(c)
        .await?);
    Ok(n > 0)
}

pub(super) async fn insert(
    tx: &mut Tx,
    parent: &Node,
    kind: Kind,
    a: &Attrs,
    now: DateTime<Utc>,
) -> Result<Node> {
    // The path needs the new id: insert with the parent's path, then append the id.
    let sql = "insert into org_nodes (parent_id, kind, subtype, name, path, depth, population, \
        venue, setup_status, setup_date, phone, note, created_at, updated_at) \
        values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13) \
        returning id";
    let id: i64 = on_tx!(tx, |c| sqlx::query_scalar(sql)
        .bind(parent.id)
        .bind(kind.as_str())
        .bind(&a.subtype)
        .bind(&a.name)
        .bind(&parent.path)
        .bind(parent.depth + 1)
        .bind(a.population)
        .bind(&a.venue)
        .bind(&a.setup_status)
        .bind(a.setup_date)
        .bind(&a.phone)
        .bind(&a.note)
        .bind(now)
        .fetch_one(c)
        .await?);
    on_tx!(tx, |c| sqlx::query(
        "update org_nodes set path = $1 where id = $2"
    )
    .bind(child_path(&parent.path, id))
    .bind(id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    get(tx, id).await?.ok_or(Error::NotFound)
}

pub(super) async fn update(tx: &mut Tx, id: i64, a: &Attrs, now: DateTime<Utc>) -> Result<Node> {
    let sql = "update org_nodes set name = $1, subtype = $2, population = $3, venue = $4, \
        setup_status = $5, setup_date = $6, phone = $7, note = $8, updated_at = $9 \
        where id = $10";
    on_tx!(tx, |c| sqlx::query(sql)
        .bind(&a.name)
        .bind(&a.subtype)
        .bind(a.population)
        .bind(&a.venue)
        .bind(&a.setup_status)
        .bind(a.setup_date)
        .bind(&a.phone)
        .bind(&a.note)
        .bind(now)
        .bind(id)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
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
    on_tx!(tx, |c| sqlx::query(sql)
        .bind(&new_path)
        .bind(keep_from)
        .bind(depth_delta)
        .bind(now)
        .bind(format!("{}%", node.path))
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    on_tx!(tx, |c| sqlx::query(
        "update org_nodes set parent_id = $1 where id = $2"
    )
    .bind(parent.id)
    .bind(node.id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
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
    on_tx!(tx, |c| sqlx::query(sql)
        .bind(town_id)
        .bind(&under)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    let sql = "update activities set town_id = $1 where town_id <> $1 and owner_id in (select \
        id from org_nodes where path like $2)";
    on_tx!(tx, |c| sqlx::query(sql)
        .bind(town_id)
        .bind(&under)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

pub(super) async fn active_children(tx: &mut Tx, id: i64) -> Result<i64> {
    let sql = "select count(*) from org_nodes where parent_id = $1 and retired_at is null";
    Ok(on_tx!(tx, |c| sqlx::query_scalar(sql)
        .bind(id)
        .fetch_one(c)
        .await?))
}

pub(super) async fn retire(tx: &mut Tx, id: i64, now: DateTime<Utc>) -> Result<Node> {
    let sql = "update org_nodes set retired_at = $1, updated_at = $1 \
        where id = $2";
    on_tx!(tx, |c| sqlx::query(sql)
        .bind(now)
        .bind(id)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    get(tx, id).await?.ok_or(Error::NotFound)
}

const MEMBER_COLS: &str = "select id, node_id, name, role, title, phone, sort from org_members";

pub(super) async fn members(db: &Db, node_id: i64) -> Result<Vec<Member>> {
    let sql = format!("{MEMBER_COLS} where node_id = $1 order by sort, id");
    Ok(on_db!(db, |p| sqlx::query_as(&sql)
        .bind(node_id)
        .fetch_all(p)
        .await?))
}

pub(super) async fn member_tx(tx: &mut Tx, id: i64) -> Result<Option<Member>> {
    let sql = format!("{MEMBER_COLS} where id = $1");
    Ok(on_tx!(tx, |c| sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(c)
        .await?))
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
    Ok(on_tx!(tx, |c| sqlx::query_scalar(sql)
        .bind(node_id)
        .bind(name)
        .bind(role)
        .bind(title)
        .bind(phone)
        .fetch_one(c)
        .await?))
}

pub(super) async fn delete_member(tx: &mut Tx, id: i64) -> Result<()> {
    let sql = "delete from org_members where id = $1";
    on_tx!(tx, |c| sqlx::query(sql)
        .bind(id)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Active staff accounts bound to a node: a node still in use cannot be retired. (Accounts hang on
/// the tree; the tree only counts them.)
pub(super) async fn active_accounts_on(tx: &mut Tx, node_id: i64) -> Result<i64> {
    let sql = "select count(*) from users where node_id = $1 and active";
    Ok(on_tx!(tx, |c| sqlx::query_scalar(sql)
        .bind(node_id)
        .fetch_one(c)
        .await?))
}
