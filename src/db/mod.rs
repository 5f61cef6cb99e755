//! The storage boundary: one `Db` over SQLite (embedded default) or PostgreSQL (large deployments),
//! chosen by the URL scheme. Store functions are written once and compiled against each backend with
//! [`on_db!`] / [`on_tx!`]; only the concepts' `store.rs` files hold SQL.

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

/// A connection pool on one of the two supported databases.
#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// An open transaction on either backend; every business operation runs in exactly one.
pub enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

/// Runs `$body` with `$pool` bound to the typed pool of whichever backend `$db` is.
#[macro_export]
macro_rules! on_db {
    ($db:expr, $pool:ident => $body:expr) => {
        match $db {
            $crate::db::Db::Sqlite($pool) => $body,
            $crate::db::Db::Postgres($pool) => $body,
        }
    };
}

/// Runs `$body` with `$conn` bound to the typed connection of an open transaction.
#[macro_export]
macro_rules! on_tx {
    ($tx:expr, $conn:ident => $body:expr) => {
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

impl Db {
    /// Connects by URL: `sqlite://path` (created if missing) or `postgres://…`; any other scheme is refused.
    pub async fn connect(url: &str) -> Result<Db> {
        if url.starts_with("sqlite:") {
            let opts = SqliteConnectOptions::from_str(url)
                .map_err(|e| Error::Config(format!("database-url: {e}")))?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                // An acknowledged write must survive a power cut (SECURITY.md, durability).
                .synchronous(SqliteSynchronous::Full)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(5))
                .pragma("secure_delete", "on")
                // Reads of a large district (a million residents' phone index) stay in memory:
                // 32 MB of page cache per connection and the file mapped for reading.
                .pragma("cache_size", "-32000")
                .pragma("mmap_size", "268435456")
                // Statement journals of multi-row inserts stay in memory instead of temporary files.
                .pragma("temp_store", "memory");
            let pool = SqlitePoolOptions::new()
                .max_connections(8)
                .connect_with(opts)
                .await
                .map_err(|e| {
                    Error::Config(format!("database-url: cannot open SQLite database: {e}"))
                })?;
            Ok(Db::Sqlite(pool))
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let opts = PgConnectOptions::from_str(url)
                .map_err(|e| Error::Config(format!("database-url: {e}")))?;
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(5))
                .connect_with(opts)
                .await
                .map_err(|e| {
                    Error::Config(format!("database-url: cannot connect to PostgreSQL: {e}"))
                })?;
            Ok(Db::Postgres(pool))
        } else {
            Err(Error::Config(
                "database-url: unknown scheme; use sqlite://PATH or postgres://…".into(),
            ))
        }
    }

    /// The SQLite URL of the database file inside a data folder.
    pub fn sqlite_url_in(data_dir: &Path) -> String {
        format!("sqlite://{}", data_dir.join("cedu.db").display())
    }

    /// Which engine this pool talks to.
    pub fn backend(&self) -> Backend {
        match self {
            Db::Sqlite(_) => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    /// Applies the embedded migrations of this backend (PostgreSQL serialises concurrent starters with an
    /// advisory lock, so several app servers may start together).
    pub async fn migrate(&self) -> Result<()> {
        match self {
            Db::Sqlite(p) => sqlx::migrate!("migrations/sqlite").run(p).await,
            Db::Postgres(p) => sqlx::migrate!("migrations/postgres").run(p).await,
        }
        .map_err(|e| Error::Internal(format!("migration failed: {e}")))
    }

    /// Starts a transaction.
    pub async fn begin(&self) -> Result<Tx> {
        Ok(match self {
            Db::Sqlite(p) => Tx::Sqlite(p.begin().await?),
            Db::Postgres(p) => Tx::Postgres(p.begin().await?),
        })
    }

    /// Cheap liveness probe for `/healthz`.
    pub async fn ping(&self) -> Result<()> {
        on_db!(self, p => sqlx::query("select 1").execute(p).await.map(|_| ()))?;
        Ok(())
    }

    /// After an erasure: SQLite copies the (secure-deleted) pages back into the database file and empties
    /// the write-ahead log, so no old page image of erased personal data stays on disk. PostgreSQL's
    /// own vacuum reclaims dead rows; nothing to do there.
    pub async fn flush_erasures(&self) -> Result<()> {
        if let Db::Sqlite(p) = self {
            sqlx::query("pragma wal_checkpoint(truncate)")
                .execute(p)
                .await?;
        }
        Ok(())
    }

    /// Closes every pooled connection (graceful shutdown).
    pub async fn close(&self) {
        on_db!(self, p => p.close().await)
    }
}

impl Tx {
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

/// True when a database error is a unique-constraint violation (same code on both backends' drivers).
pub fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.is_unique_violation())
}

/// Values bound per statement in bulk work. sqlx's SQLite driver spends time quadratic in the number of
/// parameters of one statement (measured: 4,400 parameters cost 12x more per row than 550), so there
/// bulk statements stay small and numerous inside one transaction; PostgreSQL pays per round trip instead.
pub fn bind_chunk(backend: Backend) -> usize {
    match backend {
        Backend::Sqlite => 120,
        Backend::Postgres => 2000,
    }
}

/// `$1, $2, …, $n`: the placeholders of an `in (…)` list.
pub fn placeholders(n: usize) -> String {
    (1..=n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Runs `sql` (whose `{ids}` becomes the placeholders of `ids`) returning (id, text) rows, grouped by id
/// in the order the rows come.
pub async fn grouped_texts(
    db: &Db,
    sql: &str,
    ids: &[i64],
) -> Result<std::collections::HashMap<i64, Vec<String>>> {
    let mut out: std::collections::HashMap<i64, Vec<String>> = std::collections::HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let sql = sql.replace("{ids}", &placeholders(ids.len()));
    let rows: Vec<(i64, String)> = on_db!(db, p => {
        let mut q = sqlx::query_as(&sql);
        for id in ids {
            q = q.bind(*id);
        }
        q.fetch_all(p).await?
    });
    for (id, text) in rows {
        out.entry(id).or_default().push(text);
    }
    Ok(out)
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
