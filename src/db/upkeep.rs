//! Keeping the stored files in shape: the log copied back and emptied after an erasure, and a quiet
//! start for a measurement after a bulk load.

use super::Db;
use crate::error::Result;

impl Db {
    /// After an erasure: SQLite copies the (secure-deleted) pages back into the database file and
    /// empties the write-ahead log, so no old page image of erased personal data stays on disk.
    /// PostgreSQL's own vacuum reclaims dead rows; nothing to do there.
    pub async fn flush_erasures(&self) -> Result<()> {
        if let Db::Sqlite(p, _) = self {
            sqlx::query("pragma wal_checkpoint(truncate)")
                .execute(p)
                .await?;
        }
        Ok(())
    }

    /// A quiet start for a measurement after a bulk load: the log checkpointed and (PostgreSQL) the
    /// planner's statistics fresh, as autovacuum would soon make them, so that neither its analyse
    /// nor a checkpoint of the load lands inside the timed part. (PostgreSQL's `checkpoint` needs a
    /// superuser; without one only the statistics are refreshed.)
    pub async fn settle(&self) -> Result<()> {
        match self {
            Db::Sqlite(p, _) => {
                sqlx::query("pragma wal_checkpoint(truncate)")
                    .execute(p)
                    .await?;
            }
            Db::Postgres(p) => {
                sqlx::query("analyze").execute(p).await?;
                if let Err(e) = sqlx::query("checkpoint").execute(p).await {
                    tracing::info!(error = %e, "no checkpoint before the measurement");
                }
            }
        }
        Ok(())
    }
}
