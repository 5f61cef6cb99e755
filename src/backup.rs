//! Online backup and restore. Backup writes a consistent copy while cedu keeps serving: SQLite uses
//! `VACUUM INTO` (one read transaction, so the copy is a snapshot), PostgreSQL `pg_dump`. Restore
//! puts a copy back: it checks the copy first (SQLite: integrity check and a cedu schema no newer
//! than this program; PostgreSQL: a readable archive), refuses while a server uses the database,
//! and replaces everything in one step (SQLite: the file is swapped by a rename, the previous one
//! kept beside it; PostgreSQL: `pg_restore --clean` in a single transaction). Files live in the
//! database, so rows and files come back together.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use crate::db::{Db, InUse};
use crate::error::{Error, Result};

/// Writes a backup of `db` to `out`, refusing to overwrite an existing file.
pub async fn backup(db: &Db, database_url: &str, out: &Path) -> Result<()> {
    if out.exists() {
        return Err(Error::Config(format!(
            "out: {} already exists; choose a new file name · 文件已存在,请换一个文件名",
            out.display()
        )));
    }
    match db {
        Db::Sqlite(pool, _) => {
            let target = out.to_str().ok_or_else(|| {
                Error::Config("out: 路径须为 UTF-8 编码 · path is not valid UTF-8".into())
            })?;
            sqlx::query("vacuum into $1")
                .bind(target)
                .execute(pool)
                .await?;
            Ok(())
        }
        Db::Postgres(_) => {
            let status = tokio::process::Command::new("pg_dump")
                .arg("--format=custom")
                .arg("--file")
                .arg(out)
                .arg(database_url)
                .status()
                .await
                .map_err(|e| {
                    Error::Config(format!(
                        "pg_dump: cannot run it ({e}); install the PostgreSQL client tools"
                    ))
                })?;
            if status.success() {
                Ok(())
            } else {
                Err(Error::internal(format!("pg_dump exited with {status}")))
            }
        }
    }
}

/// What a restore did.
#[derive(Debug)]
pub struct Restored {
    /// SQLite: where the database that was replaced now lies (kept, never deleted).
    pub previous: Option<PathBuf>,
}

/// A refusal of the restore command, in both languages like the command line's other messages.
fn refused(what: &str) -> Error {
    Error::Config(format!("restore: {what}"))
}

/// Puts the backup `from` back as the database at `database_url`.
pub async fn restore(database_url: &str, from: &Path) -> Result<Restored> {
    if !from.is_file() {
        return Err(refused(&format!(
            "{} is not a file · 找不到备份文件",
            from.display()
        )));
    }
    if database_url.starts_with("sqlite:") {
        let opts = sqlx::sqlite::SqliteConnectOptions::from_str(database_url)
            .map_err(|e| Error::Config(format!("database-url: {e}")))?;
        restore_sqlite(opts.get_filename(), from)
    } else {
        restore_postgres(database_url, from).await
    }
}

/// The newest migration this program knows: a backup from a newer cedu is refused.
fn newest_migration() -> i64 {
    sqlx::migrate!("migrations/sqlite")
        .iter()
        .map(|m| m.version)
        .max()
        .unwrap_or(0)
}

/// Checks a SQLite backup: an intact database file holding cedu's schema, no newer than this
/// program.
pub fn verify_sqlite_copy(copy: &Path) -> Result<()> {
    let bad = |why: &str| {
        refused(&format!(
            "{} is not a usable cedu backup ({why}) · 备份文件无法使用,未做任何改动",
            copy.display()
        ))
    };
    let conn = rusqlite::Connection::open_with_flags(
        copy,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| bad(&e.to_string()))?;
    let check: String = conn
        .query_row("pragma integrity_check", [], |r| r.get(0))
        .map_err(|e| bad(&format!("integrity check: {e}")))?;
    if check != "ok" {
        return Err(bad(&format!("integrity check: {check}")));
    }
    let version: i64 = conn
        .query_row(
            "select coalesce(max(version), 0) from _sqlx_migrations where success",
            [],
            |r| r.get(0),
        )
        .map_err(|_| bad("no cedu schema"))?;
    if version == 0 {
        return Err(bad("no cedu schema"));
    }
    if version > newest_migration() {
        return Err(bad(&format!(
            "written by a newer cedu (schema {version}); upgrade cedu first"
        )));
    }
    Ok(())
}

fn restore_sqlite(target: &Path, from: &Path) -> Result<Restored> {
    let io = |what: &str, e: std::io::Error| refused(&format!("{what}: {e}"));
    verify_sqlite_copy(from)?;
    // No server may use the database while it is swapped: servers hold the lock shared.
    let _exclusive = InUse::exclusive(target)?;
    let dir = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| io("data folder", e))?;
    let incoming = with_suffix(target, ".restoring");
    std::fs::copy(from, &incoming).map_err(|e| io("copy", e))?;
    std::fs::File::open(&incoming)
        .and_then(|f| f.sync_all())
        .map_err(|e| io("copy", e))?;
    let previous = if target.exists() {
        // Fold the old database's log into its file first, so the copy kept aside is whole.
        let old = rusqlite::Connection::open(target)?;
        old.query_row("pragma wal_checkpoint(truncate)", [], |_| Ok(()))?;
        old.close().map_err(|(_, e)| Error::from(e))?;
        let stamp = chrono::Utc::now().format("%Y%m%d-%H%M%S");
        let kept = with_suffix(target, &format!(".before-restore-{stamp}"));
        std::fs::rename(target, &kept).map_err(|e| io("keep the previous database", e))?;
        Some(kept)
    } else {
        None
    };
    // A log or shared-memory file left from the old database must never be applied to the new one.
    for leftover in ["-wal", "-shm"] {
        let p = with_suffix(target, leftover);
        if p.exists() {
            std::fs::remove_file(&p).map_err(|e| io("remove the old log", e))?;
        }
    }
    std::fs::rename(&incoming, target).map_err(|e| io("put the copy in place", e))?;
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| io("data folder", e))?;
    Ok(Restored { previous })
}

fn with_suffix(p: &Path, suffix: &str) -> PathBuf {
    let mut s = p.as_os_str().to_owned();
    s.push(suffix);
    s.into()
}

async fn restore_postgres(database_url: &str, from: &Path) -> Result<Restored> {
    let run = |program: &str| {
        let mut c = tokio::process::Command::new(program);
        c.kill_on_drop(true);
        c
    };
    let listed = run("pg_restore")
        .arg("--list")
        .arg(from)
        .output()
        .await
        .map_err(|e| {
            Error::Config(format!(
                "pg_restore: cannot run it ({e}); install the PostgreSQL client tools"
            ))
        })?;
    if !listed.status.success() {
        return Err(refused(&format!(
            "{} is not a pg_dump archive · 备份文件无法使用,未做任何改动",
            from.display()
        )));
    }
    let others = Db::cedu_connections_to(database_url).await?;
    if others > 0 {
        return Err(refused(&format!(
            "the database is in use by {others} connection(s) of a running cedu; stop every server first · 数据库正在被 cedu 服务使用,请先停止所有服务"
        )));
    }
    let out = run("pg_restore")
        .args([
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
        ])
        .arg("--dbname")
        .arg(database_url)
        .arg(from)
        .output()
        .await
        .map_err(|e| {
            Error::Config(format!(
                "pg_restore: 无法运行(请安装 postgresql-client)· cannot run it ({e})"
            ))
        })?;
    if !out.status.success() {
        return Err(refused(&format!(
            "pg_restore failed, nothing was changed ({}) · 恢复失败,数据库未改动",
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    Ok(Restored { previous: None })
}
