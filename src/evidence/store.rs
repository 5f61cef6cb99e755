use chrono::{DateTime, Utc};

use super::{ActivityFile, Kind};
use crate::args;
use crate::db::{self, Db, Tx};
use crate::error::Result;

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
    db::scalar(
        &mut *tx,
        sql,
        args![
            activity_id,
            kind.as_str(),
            file_name,
            content_type,
            body.len() as i64,
            sha256,
            body,
            thumbnail,
            by,
            now
        ],
    )
    .await
}

const FILE: &str = "select id, activity_id, kind, file_name, content_type, size, created_at, \
    thumbnail is not null as has_thumbnail from activity_files";

pub(super) async fn list(db: &Db, activity_id: i64) -> Result<Vec<ActivityFile>> {
    let sql = format!("{FILE} where activity_id = $1 order by kind, id");
    db::rows(db, &sql, args![activity_id]).await
}

pub(super) async fn count(db: &Db, activity_id: i64) -> Result<i64> {
    let sql = "select count(*) from activity_files where activity_id = $1";
    db::scalar(db, sql, args![activity_id]).await
}

pub(super) async fn meta(db: &Db, id: i64) -> Result<Option<ActivityFile>> {
    let sql = format!("{FILE} where id = $1");
    db::row_opt(db, &sql, args![id]).await
}

pub(super) async fn body(db: &Db, id: i64, thumbnail: bool) -> Result<Option<Vec<u8>>> {
    let sql = if thumbnail {
        "select thumbnail from activity_files where id = $1"
    } else {
        "select body from activity_files where id = $1"
    };
    let b: Option<Option<Vec<u8>>> = db::scalar_opt(db, sql, args![id]).await?;
    Ok(b.flatten())
}

/// A place's activities held in a period and, of them, those documented.
pub(super) async fn held_of(
    db: &Db,
    owner_id: i64,
    (from, until): (DateTime<Utc>, DateTime<Utc>),
) -> Result<(i64, i64)> {
    let sql = "select cast(count(*) as bigint), \
        cast(coalesce(sum(case when a.status in ('documented', 'archived') then 1 else 0 end), 0) \
        as bigint) from activities a where a.owner_id = $1 and a.starts_at >= $2 \
        and a.starts_at < $3 and a.status in ('held', 'documented', 'archived')";
    db::row_opt(db, sql, args![owner_id, from, until])
        .await
        .map(|r| r.unwrap_or_default())
}

/// What a place's record holds for a period (see `super::PlaceRecord`).
pub(super) async fn record_of(
    db: &Db,
    owner_id: i64,
    (from, until): (DateTime<Utc>, DateTime<Utc>),
) -> Result<(i64, i64, i64, i64, i64, i64)> {
    let sql = "select cast(count(*) as bigint), \
        cast(coalesce(sum(case when a.status in ('documented', 'archived') then 1 else 0 end), 0) as bigint), \
        cast(coalesce(sum(case when exists (select 1 from activity_files f where f.activity_id = a.id \
            and f.kind = 'sign_in_sheet') then 1 else 0 end), 0) as bigint), \
        cast(coalesce(sum(case when exists (select 1 from activity_files f where f.activity_id = a.id \
            and f.kind = 'photo') then 1 else 0 end), 0) as bigint), \
        (select cast(count(distinct t.resident_id) as bigint) from attendances t join activities b \
            on b.id = t.activity_id where b.owner_id = $1 and b.starts_at >= $2 and b.starts_at < $3 \
            and b.status in ('held', 'documented', 'archived') and t.status in ('present', 'late')), \
        (select cast(count(*) as bigint) from attendances t join activities b \
            on b.id = t.activity_id where b.owner_id = $1 and b.starts_at >= $2 and b.starts_at < $3 \
            and b.status in ('held', 'documented', 'archived') and t.status in ('present', 'late')) \
        from activities a where a.owner_id = $1 and a.starts_at >= $2 and a.starts_at < $3 \
        and a.status in ('held', 'documented', 'archived')";
    db::row_opt(db, sql, args![owner_id, from, until])
        .await
        .map(|r| r.unwrap_or_default())
}
