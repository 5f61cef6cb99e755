use chrono::{DateTime, Utc};

use super::{ActivityFile, Kind};
use crate::db::{Db, Tx};
use crate::error::Result;
use crate::{on_db, on_tx};

#[expect(
    clippy::too_many_arguments,
    reason = "one value per column of the stored file"
)]
pub(super) async fn insert(
    tx: &mut Tx,
    activity_id: i64,
    kind: Kind,
    file_name: &str,
    content_type: &str,
    sha256: &str,
    body: &[u8],
    thumbnail: Option<&[u8]>,
    by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<i64> {
    let sql = "insert into activity_files (activity_id, kind, file_name, content_type, size, \
        sha256, body, thumbnail, uploaded_by, created_at) \
        values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) returning id";
    Ok(on_tx!(tx, |c| sqlx::query_scalar(sql)
        .bind(activity_id)
        .bind(kind.as_str())
        .bind(file_name)
        .bind(content_type)
        .bind(body.len() as i64)
        .bind(sha256)
        .bind(body)
        .bind(thumbnail)
        .bind(by)
        .bind(now)
        .fetch_one(c)
        .await?))
}

const FILE: &str = "select id, activity_id, kind, file_name, content_type, size, created_at, \
    thumbnail is not null as has_thumbnail from activity_files";

pub(super) async fn list(db: &Db, activity_id: i64) -> Result<Vec<ActivityFile>> {
    let sql = format!("{FILE} where activity_id = $1 order by kind, id");
    Ok(on_db!(db, |p| sqlx::query_as(&sql)
        .bind(activity_id)
        .fetch_all(p)
        .await?))
}

pub(super) async fn count(db: &Db, activity_id: i64) -> Result<i64> {
    let sql = "select count(*) from activity_files where activity_id = $1";
    Ok(on_db!(db, |p| sqlx::query_scalar(sql)
        .bind(activity_id)
        .fetch_one(p)
        .await?))
}

pub(super) async fn meta(db: &Db, id: i64) -> Result<Option<ActivityFile>> {
    let sql = format!("{FILE} where id = $1");
    Ok(on_db!(db, |p| sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(p)
        .await?))
}

pub(super) async fn body(db: &Db, id: i64, thumbnail: bool) -> Result<Option<Vec<u8>>> {
    let sql = if thumbnail {
        "select thumbnail from activity_files where id = $1"
    } else {
        "select body from activity_files where id = $1"
    };
    let b: Option<Option<Vec<u8>>> = on_db!(db, |p| sqlx::query_scalar(sql)
        .bind(id)
        .fetch_optional(p)
        .await?);
    Ok(b.flatten())
}
