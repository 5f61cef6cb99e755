//! The storage boundary: one `Db` over SQLite (embedded default) or PostgreSQL (large deployments),
//! chosen by the URL scheme. Store functions are written once and compiled against each backend
//! with [`on_db!`] / [`on_tx!`]; only the concepts' `store.rs` files hold SQL.

mod args;
mod in_use;
pub mod lite;
mod text_enum;
mod upkeep;

pub use args::{Arg, Record, Scalar, exec, page, row, row_opt, rows, scalar, scalar_opt, scalars};
pub use in_use::InUse;

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, Postgres, Sqlite, SqlitePool, Transaction};

use crate::error::{Error, Result};

/// Which database engine serves this deployment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// Stable lower-case name for logs and `/healthz`.
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// The name cedu's PostgreSQL connections give themselves (a restore refuses while any is
/// connected).
const APPLICATION_NAME: &str = "cedu";

/// How long a SQLite connection waits for another one's write to finish.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Settings of every SQLite connection besides WAL, `synchronous=FULL`, foreign keys and the busy
/// timeout (the pool's and the check-in desk's own writer alike).
const SQLITE_PRAGMAS: &[(&str, &str)] = &[
    // Erased personal data is overwritten, not just unlinked (SECURITY.md).
    ("secure_delete", "on"),
    // Reads of a large district (a million residents' phone index) stay in memory:
    // 32 MB of page cache per connection and the file mapped for reading.
    ("cache_size", "-32000"),
    ("mmap_size", "268435456"),
    // Statement journals of multi-row inserts stay in memory instead of temporary files.
    ("temp_store", "memory"),
];

/// Log pages after which the dedicated SQLite writer checkpoints (about 40 MB).
const WRITER_CHECKPOINT_PAGES: i64 = 10_000;

/// A SQLite connection for a writer thread, and the flush that makes its commits durable.
pub struct SqliteWriter {
    pub conn: rusqlite::Connection,
    pub log: LogFlush,
}

/// Flushes a SQLite database's write-ahead log to disk. SQLite appends every commit's pages to the
/// log before the commit returns, so a flush that starts after a commit returned makes that commit
/// (and every earlier one) survive a power cut, as `synchronous=FULL` would have at each commit.
pub struct LogFlush {
    wal: std::path::PathBuf,
}

impl LogFlush {
    /// `fdatasync` of the log file (opened afresh, so it is the file SQLite writes now).
    pub fn flush(&self) -> Result<()> {
        let io = |e: std::io::Error| Error::Unavailable(format!("{}: {e}", self.wal.display()));
        std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(&self.wal)
            .map_err(io)?
            .sync_data()
            .map_err(io)
    }
}

/// A connection pool on one of the two supported databases.
#[derive(Clone, Debug)]
pub enum Db {
    /// The pool, and the read connections of [`lite`] when the database is a file.
    Sqlite(SqlitePool, Option<lite::Readers>),
    Postgres(PgPool),
}

/// An open transaction on either backend; every business operation runs in exactly one.
pub enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

/// Runs `$body` once per backend with `$pool` bound to that backend's typed pool. Written like a
/// closure, `on_db!(db, |p| query.fetch_one(p).await?)`, so rustfmt formats the body; it is not one
/// (the body may `.await` and `?` in the caller's function).
#[macro_export]
macro_rules! on_db {
    ($db:expr, |$pool:ident| $body:expr) => {
        match $db {
            $crate::db::Db::Sqlite($pool, _) => $body,
            $crate::db::Db::Postgres($pool) => $body,
        }
    };
}

/// Runs `$body` once per backend with `$conn` bound to the typed connection of an open transaction
/// (`on_tx!(tx, |c| query.execute(c).await?)`).
#[macro_export]
macro_rules! on_tx {
    ($tx:expr, |$conn:ident| $body:expr) => {
        match $tx {
            $crate::db::Tx::Sqlite(t) => {
                let $conn = &mut **t;
                $body
            }
            $crate::db::Tx::Postgres(t) => {
                let $conn = &mut **t;
                $body
            }
        }
    };
}

/// Runs `$body` once per backend with `$c` bound to what a [`Conn`] holds: the typed pool or the
/// typed connection of a transaction (`on_conn!(conn, |c| query.fetch_optional(c).await?)`). One
/// store function serves a read outside a transaction and one inside it.
#[macro_export]
macro_rules! on_conn {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::db::Conn::Db($crate::db::Db::Sqlite($c, _)) => $body,
            $crate::db::Conn::Db($crate::db::Db::Postgres($c)) => $body,
            $crate::db::Conn::Tx($crate::db::Tx::Sqlite(t)) => {
                let $c = &mut **t;
                $body
            }
            $crate::db::Conn::Tx($crate::db::Tx::Postgres(t)) => {
                let $c = &mut **t;
                $body
            }
        }
    };
}

/// Where a store function runs: on the pool (a read of its own) or inside an open transaction.
pub enum Conn<'c> {
    Db(&'c Db),
    Tx(&'c mut Tx),
}

impl<'c> From<&'c Db> for Conn<'c> {
    fn from(db: &'c Db) -> Conn<'c> {
        Conn::Db(db)
    }
}

impl<'c> From<&'c mut Tx> for Conn<'c> {
    fn from(tx: &'c mut Tx) -> Conn<'c> {
        Conn::Tx(tx)
    }
}

impl Db {
    /// Connects by URL: `sqlite://path` (created if missing) or `postgres://…`; any other scheme is
    /// refused.
    pub async fn connect(url: &str) -> Result<Db> {
        if url.starts_with("sqlite:") {
            let opts = SqliteConnectOptions::from_str(url)
                .map_err(|e| Error::Config(format!("database-url: {e}")))?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                // An acknowledged write must survive a power cut (SECURITY.md, durability).
                .synchronous(SqliteSynchronous::Full)
                .foreign_keys(true)
                .busy_timeout(BUSY_TIMEOUT);
            let opts = SQLITE_PRAGMAS
                .iter()
                .fold(opts, |o, (k, v)| o.pragma(*k, *v));
            let pool = SqlitePoolOptions::new()
                .max_connections(8)
                .after_release(|conn, _| Box::pin(release_sqlite(conn)))
                .connect_with(opts)
                .await
                .map_err(|e| {
                    Error::Config(format!(
                        "database-url: 无法打开 SQLite 数据库 · cannot open SQLite database: {e}"
                    ))
                })?;
            let file = pool.connect_options().get_filename().to_path_buf();
            let readers = file.is_file().then(|| lite::Readers::new(file));
            Ok(Db::Sqlite(pool, readers))
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let opts = PgConnectOptions::from_str(url)
                .map_err(|e| Error::Config(format!("database-url: {e}")))?
                .application_name(APPLICATION_NAME);
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(5))
                .connect_with(opts)
                .await
                .map_err(|e| {
                    Error::Config(format!(
                        "database-url: 无法连接 PostgreSQL · cannot connect to PostgreSQL: {e}"
                    ))
                })?;
            Ok(Db::Postgres(pool))
        } else {
            Err(Error::Config(
                "database-url: unknown scheme 不支持的数据库地址,应为 sqlite://路径 或 postgres://… · use sqlite://PATH or postgres://…".into(),
            ))
        }
    }

    /// Marks the database as in use for as long as the returned guard lives (SQLite files only; a
    /// PostgreSQL restore counts the servers' connections instead).
    pub fn claim(&self) -> Result<Option<InUse>> {
        match self {
            Db::Sqlite(pool, _) => {
                let file = pool.connect_options().get_filename().to_path_buf();
                if file.is_file() {
                    InUse::shared(&file).map(Some)
                } else {
                    Ok(None)
                }
            }
            Db::Postgres(_) => Ok(None),
        }
    }

    /// Connections of running cedu servers to the PostgreSQL database at `url`, other than this
    /// one.
    pub async fn cedu_connections_to(url: &str) -> Result<i64> {
        use sqlx::Connection;
        let opts = PgConnectOptions::from_str(url)
            .map_err(|e| Error::Config(format!("database-url: {e}")))?
            .application_name("cedu-restore");
        let mut c = sqlx::PgConnection::connect_with(&opts).await.map_err(|e| {
            Error::Config(format!(
                "database-url: 无法连接 PostgreSQL · cannot connect to PostgreSQL: {e}"
            ))
        })?;
        let sql = "select count(*) from pg_stat_activity where datname = current_database() and \
            application_name = $1 and pid <> pg_backend_pid()";
        let n: i64 = sqlx::query_scalar(sql)
            .bind(APPLICATION_NAME)
            .fetch_one(&mut c)
            .await?;
        c.close().await?;
        Ok(n)
    }

    /// The SQLite URL of the database file inside a data folder.
    pub fn sqlite_url_in(data_dir: &Path) -> String {
        format!("sqlite://{}", data_dir.join("cedu.db").display())
    }

    /// The read connections of an on-disk SQLite database ([`lite`]).
    pub(crate) fn readers(&self) -> Option<&lite::Readers> {
        match self {
            Db::Sqlite(_, r) => r.as_ref(),
            Db::Postgres(_) => None,
        }
    }

    /// Which engine this pool talks to.
    pub fn backend(&self) -> Backend {
        match self {
            Db::Sqlite(_, _) => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    /// A connection of its own to the same SQLite file, with the pool's settings, for a writer that
    /// runs on its own thread (the check-in desk). Its commits do not wait for the disk
    /// (`synchronous=NORMAL`, still crash-safe in WAL mode); the writer makes them durable with
    /// [`LogFlush::flush`] before acknowledging anything. None on PostgreSQL. An in-memory database
    /// has no file to share and is refused.
    pub fn sqlite_writer(&self) -> Result<Option<SqliteWriter>> {
        let Db::Sqlite(pool, _) = self else {
            return Ok(None);
        };
        let opts = pool.connect_options();
        let file = opts.get_filename();
        // sqlx names an in-memory database too; only a database on disk can be shared.
        if !file.is_file() {
            return Err(Error::Config(
                "database-url: the SQLite database must be a file".into(),
            ));
        }
        let conn = rusqlite::Connection::open(file).map_err(|e| {
            Error::Config(format!(
                "database-url: 无法打开 SQLite 数据库 · cannot open SQLite database: {e}"
            ))
        })?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        conn.pragma_update(None, "journal_mode", "wal")?;
        conn.pragma_update(None, "synchronous", "normal")?;
        conn.pragma_update(None, "foreign_keys", "on")?;
        for (k, v) in SQLITE_PRAGMAS {
            conn.pragma_update(None, k, v)?;
        }
        // The writer copies the log back into the database less often than the default 1,000 pages
        // (4 MB): index pages written by many commits are then copied once.
        conn.pragma_update(None, "wal_autocheckpoint", WRITER_CHECKPOINT_PAGES)?;
        let mut wal = file.as_os_str().to_owned();
        wal.push("-wal");
        Ok(Some(SqliteWriter {
            conn,
            log: LogFlush { wal: wal.into() },
        }))
    }

    /// Applies the embedded migrations of this backend (PostgreSQL serialises concurrent starters
    /// with an advisory lock, so several app servers may start together).
    pub async fn migrate(&self) -> Result<()> {
        match self {
            Db::Sqlite(p, _) => sqlx::migrate!("migrations/sqlite").run(p).await,
            Db::Postgres(p) => sqlx::migrate!("migrations/postgres").run(p).await,
        }
        .map_err(|e| Error::internal_from("migration failed", e))
    }

    /// Starts a transaction that will write. On SQLite it takes the write lock at once (`begin
    /// immediate`), waiting up to the busy timeout for another writer: a deferred transaction that
    /// reads first cannot upgrade its lock in WAL mode once another connection has committed, and
    /// fails at once with "database is locked" whatever the timeout. Every transaction in cedu
    /// writes.
    pub async fn begin(&self) -> Result<Tx> {
        Ok(match self {
            Db::Sqlite(p, _) => Tx::Sqlite(p.begin_with("begin immediate").await?),
            Db::Postgres(p) => Tx::Postgres(p.begin().await?),
        })
    }

    /// Starts a transaction that only reads (a consistent snapshot for several queries). On SQLite
    /// it takes no write lock; writing inside it is a bug.
    pub async fn begin_read(&self) -> Result<Tx> {
        Ok(match self {
            Db::Sqlite(p, _) => Tx::Sqlite(p.begin().await?),
            Db::Postgres(p) => Tx::Postgres(p.begin().await?),
        })
    }

    /// Whether the disk under the database takes writes now (`/healthz`): on SQLite a 64 KB probe
    /// file is written, flushed and removed beside the database (a full disk answers
    /// `StorageFull`); a PostgreSQL server's disk is not ours to probe.
    pub async fn probe_storage(&self) -> Result<()> {
        let Db::Sqlite(pool, _) = self else {
            return Ok(());
        };
        let file = pool.connect_options().get_filename().to_path_buf();
        let Some(dir) = file.parent().map(Path::to_path_buf) else {
            return Ok(());
        };
        tokio::task::spawn_blocking(move || {
            use std::io::Write;
            let probe = dir.join(".cedu-storage-probe");
            let written = std::fs::File::create(&probe)
                .and_then(|mut f| f.write_all(&[0u8; 64 * 1024]).and_then(|_| f.sync_data()));
            let _ = std::fs::remove_file(&probe);
            written.map_err(|e| {
                if crate::error::is_disk_full(&e) {
                    Error::StorageFull(e.to_string())
                } else {
                    Error::Unavailable(format!("{}: {e}", dir.display()))
                }
            })
        })
        .await
        .map_err(|e| Error::internal_from("storage probe", e))?
    }

    /// Cheap liveness probe for `/healthz`.
    pub async fn ping(&self) -> Result<()> {
        on_db!(self, |p| sqlx::query("select 1")
            .execute(p)
            .await
            .map(|_| ()))?;
        Ok(())
    }

    /// Closes every pooled connection (graceful shutdown).
    pub async fn close(&self) {
        on_db!(self, |p| p.close().await)
    }
}

/// Keeps a SQLite connection in the pool only when no transaction is left open on it. After a full
/// disk SQLite may roll a transaction back by itself; the driver's own rollback of the dropped
/// transaction then fails and it goes on counting an open transaction, so every later `begin` on
/// that connection would fail (and a write lock could be held). Such a connection is closed; the
/// pool opens a fresh one. The rollback of a dropped transaction is queued on the connection's
/// worker: a no-op statement waits for it first.
async fn release_sqlite(
    conn: &mut sqlx::SqliteConnection,
) -> std::result::Result<bool, sqlx::Error> {
    use sqlx::Connection;
    if !conn.is_in_transaction() {
        return Ok(true);
    }
    sqlx::query("select 1").execute(&mut *conn).await?;
    if conn.is_in_transaction() {
        tracing::warn!("closing a database connection left inside a failed transaction");
        return Ok(false);
    }
    Ok(true)
}

/// The things whose writers take turns (`Tx::take_turns`), one number each so two never share a
/// lock.
pub mod turn {
    /// A town's funds: a check of the year's total and the expense it allows.
    pub const FUNDS: i32 = 1;
    /// A round's approvals: the quota check and the approval it allows.
    pub const APPROVALS: i32 = 2;
    /// A room's bookings: the overlap check and the booking it allows.
    pub const ROOM: i32 = 3;
    /// A district's commendation categories: the name check and the new code it allows.
    pub const AWARD_CATEGORIES: i32 = 4;
    /// The roll-ups of attendance: check-in batches adding (side by side, `take_turns_shared`)
    /// and a recount (alone).
    pub const ROLLUPS: i32 = 5;
}

impl Tx {
    /// Makes the writers of one thing (a town's funds for a year: `scope` names the thing, `id`
    /// its instance) take turns until this transaction ends, so a check of a total and the write
    /// it allows cannot interleave with another's. On SQLite the transaction holds the write lock
    /// already (`begin immediate`); on PostgreSQL a transaction-scoped advisory lock is taken.
    pub async fn take_turns(&mut self, scope: i32, id: i32) -> Result<()> {
        self.advisory_lock("select pg_advisory_xact_lock($1, $2)", scope, id)
            .await
    }

    /// As [`Tx::take_turns`], but writers that take it shared go side by side and only wait for
    /// (and hold off) one that takes it alone.
    pub async fn take_turns_shared(&mut self, scope: i32, id: i32) -> Result<()> {
        self.advisory_lock("select pg_advisory_xact_lock_shared($1, $2)", scope, id)
            .await
    }

    /// PostgreSQL: the transaction-scoped advisory lock `sql` takes; SQLite's transaction holds
    /// the write lock already.
    async fn advisory_lock(&mut self, sql: &'static str, scope: i32, id: i32) -> Result<()> {
        if let Tx::Postgres(t) = self {
            sqlx::query(sql)
                .bind(scope)
                .bind(id)
                .execute(&mut **t)
                .await?;
        }
        Ok(())
    }

    /// Commits; nothing of the operation is visible before this returns Ok.
    pub async fn commit(self) -> Result<()> {
        match self {
            Tx::Sqlite(t) => t.commit().await?,
            Tx::Postgres(t) => t.commit().await?,
        }
        Ok(())
    }

    /// Which engine this transaction runs on.
    pub fn backend(&self) -> Backend {
        match self {
            Tx::Sqlite(_) => Backend::Sqlite,
            Tx::Postgres(_) => Backend::Postgres,
        }
    }
}

/// A time as SQLite text exactly as sqlx writes and reads it (RFC 3339, `T`, `+00:00`), for values
/// written through [`Db::sqlite_writer`] that the pool reads back and compares with its own.
pub fn sqlite_time(at: &chrono::DateTime<chrono::Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, false)
}

/// True when a database error is a unique-constraint violation (same code on both backends'
/// drivers).
pub fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.is_unique_violation())
}

/// Values bound per statement in bulk work. sqlx's SQLite driver spends time quadratic in the
/// number of parameters of one statement (measured: 4,400 parameters cost 12x more per row than
/// 550), so there bulk statements stay small and numerous inside one transaction; PostgreSQL pays
/// per round trip instead.
pub fn bind_chunk(backend: Backend) -> usize {
    match backend {
        Backend::Sqlite => 120,
        Backend::Postgres => 2000,
    }
}

/// `$1, $2, …, $n`: the placeholders of an `in (…)` list.
pub fn placeholders(n: usize) -> String {
    placeholders_from(1, n)
}

/// `$first, …`: `n` placeholders after the statement's first `first - 1` ones.
pub fn placeholders_from(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Runs `sql` (whose `{ids}` becomes the placeholders of `ids`) returning (id, text) rows, grouped
/// by id in the order the rows come; many ids run in chunks ([`bind_chunk`]). On the pool or inside
/// a transaction.
pub async fn grouped_texts(
    conn: impl Into<Conn<'_>>,
    sql: &str,
    ids: &[i64],
) -> Result<std::collections::HashMap<i64, Vec<String>>> {
    let mut out: std::collections::HashMap<i64, Vec<String>> = std::collections::HashMap::new();
    let mut conn = conn.into();
    let chunk = bind_chunk(match &conn {
        Conn::Db(db) => db.backend(),
        Conn::Tx(tx) => tx.backend(),
    });
    for ids in ids.chunks(chunk) {
        let sql = sql.replace("{ids}", &placeholders(ids.len()));
        let rows: Vec<(i64, String)> = on_conn!(&mut conn, |c| {
            let mut q = sqlx::query_as(&sql);
            for id in ids {
                q = q.bind(*id);
            }
            q.fetch_all(c).await?
        });
        for (id, text) in rows {
            out.entry(id).or_default().push(text);
        }
    }
    Ok(out)
}

/// The text of one column of the rows of `table` with the given ids (`names_by_id(db, "teachers",
/// "name", ids)`), for naming records by number. `table` and `column` are the caller's constants.
pub async fn names_by_id(
    db: &Db,
    table: &'static str,
    column: &'static str,
    ids: &[i64],
) -> Result<std::collections::HashMap<i64, String>> {
    let sql = format!("select id, {column} from {table} where id in ({{ids}})");
    Ok(grouped_texts(db, &sql, ids)
        .await?
        .into_iter()
        .map(|(id, mut texts)| (id, texts.swap_remove(0)))
        .collect())
}

/// The LIKE pattern (`escape '\'`) of fields containing a searched text; None when nothing is
/// searched (blank).
pub fn contains_pattern(q: Option<&str>) -> Option<String> {
    q.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| format!("%{}%", like_escape(s)))
}

/// Escapes `%`, `_` and `\` so user text is matched literally inside a LIKE pattern (`escape '\'`).
pub fn like_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Times the check-in desk writes through its own connection read back, sort and compare
    /// exactly like the ones sqlx writes.
    #[tokio::test]
    async fn a_time_written_by_the_sqlite_writer_is_the_text_sqlx_writes() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::connect(&Db::sqlite_url_in(dir.path())).await.unwrap();
        let Db::Sqlite(pool, _) = &db else {
            unreachable!()
        };
        for at in [
            chrono::Utc::now(),
            chrono::DateTime::from_timestamp(1_790_000_000, 0).unwrap(),
            chrono::DateTime::from_timestamp(1_790_000_000, 120_000_000).unwrap(),
        ] {
            let by_sqlx: String = sqlx::query_scalar("select $1")
                .bind(at)
                .fetch_one(pool)
                .await
                .unwrap();
            assert_eq!(sqlite_time(&at), by_sqlx);
        }
    }

    /// Migration 0009 rebuilds the users table on SQLite: a database in use upgrades with its
    /// accounts and signed-in sessions kept and no dangling reference.
    #[tokio::test]
    async fn the_users_table_rebuild_keeps_accounts_and_sessions() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::connect(&Db::sqlite_url_in(dir.path())).await.unwrap();
        let Db::Sqlite(pool, _) = &db else {
            unreachable!()
        };
        let mut before = sqlx::migrate!("migrations/sqlite");
        before.migrations = std::borrow::Cow::Owned(
            before
                .migrations
                .iter()
                .filter(|m| m.version < 9)
                .cloned()
                .collect(),
        );
        before.run(pool).await.unwrap();
        for sql in [
            "insert into org_nodes (id, kind, name, path, depth, created_at, updated_at) values \
                (1, 'root', '全部', '/1/', 0, '2026-01-01', '2026-01-01')",
            "insert into users (id, username, display_name, password_hash, role, node_id, \
                active, password_changed_at, created_at, updated_at) \
             values (7, 'qunli.office', '张春林', 'x', 'town_office', 1, true, '2026-01-01', \
             '2026-01-01', '2026-01-01')",
            "insert into sessions (id_hash, user_id, csrf_token, created_at, last_seen_at) \
                values ('h', 7, 'c', '2026-01-01', '2026-01-01')",
        ] {
            sqlx::query(sql).execute(pool).await.unwrap();
        }
        db.migrate().await.unwrap();
        let sql = "select u.username, count(s.id_hash) from users u \
            join sessions s on s.user_id = u.id group by u.username";
        let kept: (String, i64) = sqlx::query_as(sql).fetch_one(pool).await.unwrap();
        assert_eq!(kept, ("qunli.office".to_string(), 1));
        let dangling: Vec<(String,)> = sqlx::query_as("pragma foreign_key_check")
            .fetch_all(pool)
            .await
            .unwrap();
        assert!(dangling.is_empty(), "{dangling:?}");
        let sql = "insert into users (username, display_name, password_hash, role, node_id, \
            password_changed_at, created_at, updated_at) values ('secadmin', '安全管理员', 'x', \
            'security_admin', 1, '2026-01-01', '2026-01-01', '2026-01-01')";
        sqlx::query(sql)
            .execute(pool)
            .await
            .expect("the new role is allowed");
    }

    /// The writer's connection shares the pool's file and settings, but its commits leave the flush
    /// to the caller. (An in-memory database, refused by `sqlite_writer`, is not opened here: sqlx
    /// would leave a stray file in the working folder.)
    #[tokio::test]
    async fn the_sqlite_writer_opens_the_same_file_and_flushes_its_log() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::connect(&Db::sqlite_url_in(dir.path())).await.unwrap();
        db.migrate().await.unwrap();
        let w = db.sqlite_writer().unwrap().expect("a writer on SQLite");
        let mode: String = w
            .conn
            .query_row("pragma journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        let sync: i64 = w
            .conn
            .query_row("pragma synchronous", [], |r| r.get(0))
            .unwrap();
        assert_eq!(sync, 1, "NORMAL: the desk flushes before answering");
        let fk: i64 = w
            .conn
            .query_row("pragma foreign_keys", [], |r| r.get(0))
            .unwrap();
        assert_eq!(fk, 1);
        w.log.flush().expect("the log file is there and flushes");
    }
}
