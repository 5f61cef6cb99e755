//! Online backup: a consistent copy of the database while cedu keeps serving. SQLite uses `VACUUM INTO`
//! (one read transaction, so the copy is a snapshot); PostgreSQL uses `pg_dump`.

use std::path::Path;

use crate::db::Db;
use crate::error::{Error, Result};

/// Writes a backup of `db` to `out`, refusing to overwrite an existing file.
pub async fn backup(db: &Db, database_url: &str, out: &Path) -> Result<()> {
    if out.exists() {
        return Err(Error::Config(format!(
            "out: {} already exists; choose a new file name",
            out.display()
        )));
    }
    match db {
        Db::Sqlite(pool) => {
            let target = out
                .to_str()
                .ok_or_else(|| Error::Config("out: path is not valid UTF-8".into()))?;
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
                Err(Error::Internal(format!("pg_dump exited with {status}")))
            }
        }
    }
}
