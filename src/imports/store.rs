//! The pending batches of every import (`import_batches`): checked rows wait here for their
//! confirmation, a day at most.

use chrono::{DateTime, Utc};

use crate::args;
use crate::db::{self, Db, Tx};
use crate::error::Result;

#[derive(sqlx::FromRow)]
pub(super) struct BatchRow {
    pub id: i64,
    pub kind: String,
    pub town_id: i64,
    pub user_id: Option<i64>,
    pub file_name: String,
    pub status: super::BatchStatus,
    pub total_rows: i64,
    pub valid_rows: i64,
    pub report: String,
    pub created_at: DateTime<Utc>,
}

#[allow(
    clippy::too_many_arguments,
    reason = "one column each; a struct would only rename them"
)]
pub(super) async fn insert_batch(
    tx: &mut Tx,
    kind: &str,
    town_id: i64,
    user_id: Option<i64>,
    file_name: &str,
    total: i64,
    valid: i64,
    payload: &str,
    report: &str,
    now: DateTime<Utc>,
) -> Result<i64> {
    let sql = "insert into import_batches (kind, town_id, user_id, file_name, status, \
        total_rows, valid_rows, payload, report, created_at) \
        values ($1, $2, $3, $4, 'pending', $5, $6, $7, $8, $9) \
        returning id";
    db::scalar(
        &mut *tx,
        sql,
        args![
            kind, town_id, user_id, file_name, total, valid, payload, report, now
        ],
    )
    .await
}

pub(super) async fn batch(db: &Db, id: i64) -> Result<Option<BatchRow>> {
    let sql = "select id, kind, town_id, user_id, file_name, status, cast(total_rows as bigint) \
        as total_rows, cast(valid_rows as bigint) as valid_rows, report, created_at \
        from import_batches where id = $1";
    db::row_opt(db, sql, args![id]).await
}

/// A user's batches still waiting for confirmation, newest first.
pub(super) async fn pending_of(db: &Db, user_id: i64) -> Result<Vec<BatchRow>> {
    let sql = "select id, kind, town_id, user_id, file_name, status, cast(total_rows as bigint) \
        as total_rows, cast(valid_rows as bigint) as valid_rows, report, created_at \
        from import_batches where user_id = $1 and status = 'pending' order by id desc";
    db::rows(db, sql, args![user_id]).await
}

pub(super) async fn batch_payload(db: &Db, id: i64) -> Result<String> {
    let sql = "select payload from import_batches where id = $1";
    db::scalar(db, sql, args![id]).await
}

/// Moves a pending batch to its final status; 0 when it was no longer pending.
pub(super) async fn finish_batch(
    tx: &mut Tx,
    id: i64,
    status: super::BatchStatus,
    now: DateTime<Utc>,
) -> Result<u64> {
    let sql = "update import_batches set status = $1, finished_at = $2, payload = '[]' \
        where id = $3 and status = 'pending'";
    db::exec(&mut *tx, sql, args![status, now, id]).await
}

/// Cancels pending batches created before `cutoff` and drops their rows (personal data no one
/// confirmed).
pub(super) async fn expire_batches(
    tx: &mut Tx,
    cutoff: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<u64> {
    let sql = "update import_batches set status = 'cancelled', payload = '[]', finished_at = $1 \
        where status = 'pending' and created_at < $2";
    db::exec(&mut *tx, sql, args![now, cutoff]).await
}
