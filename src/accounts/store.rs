use chrono::{DateTime, Utc};

use crate::args;
use crate::db::{self, Conn, Db, Tx};
use crate::error::Result;
use crate::page::{Page, PageRequest};

use super::users::{User, UserFilter};

#[derive(sqlx::FromRow)]
pub(super) struct LoginRow {
    pub id: i64,
    pub password_hash: String,
    pub active: bool,
}

crate::lite_record! {
    pub(super) struct SessionRow {
        pub user_id: i64,
        pub username: String,
        pub display_name: String,
        pub role: String,
        pub node_id: i64,
        pub node_path: String,
        pub active: bool,
        pub csrf_token: String,
        pub created_at: DateTime<Utc>,
        pub last_seen_at: DateTime<Utc>,
        pub password_changed_at: DateTime<Utc>,
        pub password_must_change: bool,
    }
}

pub(super) async fn user_for_login(db: &Db, username: &str) -> Result<Option<LoginRow>> {
    let sql = "select id, password_hash, active from users where username = $1";
    db::row_opt(db, sql, args![username]).await
}

pub(super) async fn failures_from_address(db: &Db, ip: &str, since: DateTime<Utc>) -> Result<i64> {
    let sql = "select count(*) from login_failures where source_ip = $1 and at > $2";
    db::scalar(db, sql, args![ip, since]).await
}

pub(super) async fn failures_for_username(
    conn: impl Into<Conn<'_>>,
    username: &str,
    since: DateTime<Utc>,
) -> Result<i64> {
    let sql = "select count(*) from login_failures where username = $1 and at > $2";
    db::scalar(conn, sql, args![username, since]).await
}

pub(super) async fn insert_failure(
    tx: &mut Tx,
    username: &str,
    ip: &str,
    at: DateTime<Utc>,
) -> Result<()> {
    let sql = "insert into login_failures (username, source_ip, at) \
        values ($1, $2, $3)";
    db::exec(&mut *tx, sql, args![username, ip, at]).await?;
    Ok(())
}

pub(super) async fn clear_failures(tx: &mut Tx, username: &str) -> Result<()> {
    let sql = "delete from login_failures where username = $1";
    db::exec(&mut *tx, sql, args![username]).await?;
    Ok(())
}

pub(super) async fn insert_session(
    tx: &mut Tx,
    id_hash: &str,
    user_id: i64,
    csrf: &str,
    now: DateTime<Utc>,
    ip: &str,
) -> Result<()> {
    let sql = "insert into sessions (id_hash, user_id, csrf_token, created_at, last_seen_at, \
        source_ip) values ($1, $2, $3, $4, $4, $5)";
    db::exec(&mut *tx, sql, args![id_hash, user_id, csrf, now, ip]).await?;
    Ok(())
}

const SESSION_ROW: &str = "select s.user_id, u.username, u.display_name, u.role, u.node_id, \
    n.path as node_path, u.active, s.csrf_token, s.created_at, s.last_seen_at, \
    u.password_changed_at, u.password_must_change from sessions s \
    join users u on u.id = s.user_id join org_nodes n on n.id = u.node_id \
    where s.id_hash = $1";

/// The session behind a token hash, with its account: read on every request, so on SQLite by the
/// calling thread ([`db::lite`]); signing in reads back, in its transaction, the session it wrote.
pub(super) async fn session_row(
    conn: impl Into<Conn<'_>>,
    id_hash: &str,
) -> Result<Option<SessionRow>> {
    db::lite::read_row_opt(conn, SESSION_ROW, args![id_hash]).await
}

/// Marks the account's password as one its owner must replace before anything else.
pub(super) async fn require_password_change(tx: &mut Tx, user_id: i64) -> Result<()> {
    db::exec(
        &mut *tx,
        "update users set password_must_change = true where id = $1",
        args![user_id],
    )
    .await?;
    Ok(())
}

pub(super) async fn touch_session(db: &Db, id_hash: &str, now: DateTime<Utc>) -> Result<()> {
    db::exec(
        db,
        "update sessions set last_seen_at = $1 where id_hash = $2",
        args![now, id_hash],
    )
    .await?;
    Ok(())
}

pub(super) async fn delete_session(conn: impl Into<Conn<'_>>, id_hash: &str) -> Result<()> {
    let sql = "delete from sessions where id_hash = $1";
    db::exec(conn, sql, args![id_hash]).await?;
    Ok(())
}

pub(super) async fn delete_sessions_of(tx: &mut Tx, user_id: i64) -> Result<()> {
    let sql = "delete from sessions where user_id = $1";
    db::exec(&mut *tx, sql, args![user_id]).await?;
    Ok(())
}

pub(super) async fn set_password(
    tx: &mut Tx,
    user_id: i64,
    hash: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let sql = "update users set password_hash = $1, password_changed_at = $2, \
        password_must_change = false, updated_at = $2 where id = $3";
    db::exec(&mut *tx, sql, args![hash, now, user_id]).await?;
    Ok(())
}

const USER_COLS: &str = "select u.id, u.username, u.display_name, u.role, u.node_id, n.name as \
    node_name, n.path as node_path, u.active, u.created_at, q.kind as pending \
    from users u join org_nodes n on n.id = u.node_id left \
    join account_requests q on q.user_id = u.id and q.status = 'pending'";

pub(super) async fn get_user(conn: impl Into<Conn<'_>>, id: i64) -> Result<Option<User>> {
    let sql = format!("{USER_COLS} where u.id = $1");
    db::row_opt(conn, &sql, args![id]).await
}

pub(super) async fn list_users(
    db: &Db,
    scope: &str,
    f: &UserFilter,
    page: PageRequest,
) -> Result<Page<User>> {
    let scope = format!("{scope}%");
    let q = db::contains_pattern(f.q.as_deref());
    let role = f.role.map(|r| r.as_str());
    let filter = " where n.path like $1 and ($2 is null or u.username like $2 escape '\\' or \
        u.display_name like $2 escape '\\') and ($3 is null or u.role = $3)";
    let count_sql =
        format!("select count(*) from users u join org_nodes n on n.id = u.node_id{filter}");
    let list_sql = format!("{USER_COLS}{filter} order by n.path, u.username limit $4 offset $5");
    db::page(db, &count_sql, &list_sql, args![&scope, &q, role], page).await
}

pub(super) async fn username_taken(tx: &mut Tx, username: &str) -> Result<bool> {
    let n: i64 = db::scalar(
        &mut *tx,
        "select count(*) from users where username = $1",
        args![username],
    )
    .await?;
    Ok(n > 0)
}

#[allow(clippy::too_many_arguments)]
pub(super) async fn insert_user(
    tx: &mut Tx,
    username: &str,
    display_name: &str,
    hash: &str,
    role: &str,
    node_id: i64,
    active: bool,
    now: DateTime<Utc>,
) -> Result<i64> {
    let sql = "insert into users (username, display_name, password_hash, role, node_id, active, \
        password_changed_at, created_at, updated_at) values ($1, $2, $3, $4, $5, $6, $7, $7, \
        $7) returning id";
    db::scalar(
        &mut *tx,
        sql,
        args![username, display_name, hash, role, node_id, active, now],
    )
    .await
}

/// A request as the confirmation reads it.
#[derive(sqlx::FromRow)]
pub(super) struct RequestRow {
    pub user_id: i64,
    pub kind: String,
    pub requested_by: Option<i64>,
}

pub(super) async fn insert_request(
    tx: &mut Tx,
    user_id: i64,
    kind: &str,
    requested_by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<()> {
    let sql = "insert into account_requests (user_id, kind, requested_by, requested_at) \
        values ($1, $2, $3, $4)";
    db::exec(&mut *tx, sql, args![user_id, kind, requested_by, now]).await?;
    Ok(())
}

pub(super) async fn pending_request(tx: &mut Tx, user_id: i64) -> Result<Option<i64>> {
    let sql = "select id from account_requests where user_id = $1 and status = 'pending'";
    db::scalar_opt(&mut *tx, sql, args![user_id]).await
}

/// A pending request by id.
pub(super) async fn request(db: &Db, id: i64) -> Result<Option<RequestRow>> {
    let sql = "select user_id, kind, requested_by from account_requests \
        where id = $1 and status = 'pending'";
    db::row_opt(db, sql, args![id]).await
}

/// Decides a pending request (compare-and-set: a second decision finds it decided).
pub(super) async fn decide_request(
    tx: &mut Tx,
    id: i64,
    status: &str,
    by: Option<i64>,
    note: Option<&str>,
    now: DateTime<Utc>,
) -> Result<u64> {
    let sql = "update account_requests set status = $1, decided_by = $2, decided_at = $3, note \
        = $4 where id = $5 and status = 'pending'";
    db::exec(&mut *tx, sql, args![status, by, now, note, id]).await
}

pub(super) async fn pending_requests(
    db: &Db,
    scope: &str,
) -> Result<Vec<super::users::AccountRequest>> {
    let sql = "select q.id, q.user_id, u.username, u.display_name, u.role, n.name as node_name, \
        q.kind, r.display_name as requested_by_name, q.requested_at \
        from account_requests q join users u on u.id = q.user_id \
        join org_nodes n on n.id = u.node_id left join users r on r.id = q.requested_by \
        where q.status = 'pending' and n.path like $1 order by q.requested_at, q.id";
    db::rows(db, sql, args![&format!("{scope}%")]).await
}

pub(super) async fn set_active(
    tx: &mut Tx,
    id: i64,
    active: bool,
    now: DateTime<Utc>,
) -> Result<()> {
    db::exec(
        &mut *tx,
        "update users set active = $1, updated_at = $2 where id = $3",
        args![active, now, id],
    )
    .await?;
    Ok(())
}

pub(super) async fn count_active_with_role(db: &Db, role: &str) -> Result<i64> {
    db::scalar(
        db,
        "select count(*) from users where role = $1 and active",
        args![role],
    )
    .await
}

pub(super) async fn count_users(db: &Db) -> Result<i64> {
    db::scalar(db, "select count(*) from users", args![]).await
}
