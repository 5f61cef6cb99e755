use chrono::{DateTime, Utc};

use super::{Attachment, Prepared, Subject};
use crate::args;
use crate::db::{self, Conn, Db, Tx};
use crate::error::Result;

const ATTACHMENT: &str = "select id, subject_type, subject_id, node_path, file_name, \
    content_type, size, created_at from attachments";

pub(super) async fn insert(
    tx: &mut Tx,
    s: Subject<'_>,
    f: &Prepared,
    by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<i64> {
    let sql = "insert into attachments (subject_type, subject_id, node_path, file_name, \
        content_type, size, sha256, body, uploaded_by, created_at) \
        values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) returning id";
    let args = args![
        s.kind,
        s.id,
        s.path,
        &f.file_name,
        f.file_type.mime(),
        f.body.len() as i64,
        &f.sha256,
        f.body.as_slice(),
        by,
        now
    ];
    db::scalar(&mut *tx, sql, args).await
}

pub(super) async fn of(conn: impl Into<Conn<'_>>, kind: &str, id: i64) -> Result<Vec<Attachment>> {
    let sql = format!("{ATTACHMENT} where subject_type = $1 and subject_id = $2 order by id");
    db::rows(conn, &sql, args![kind, id]).await
}

pub(super) async fn meta(db: &Db, id: i64) -> Result<Option<Attachment>> {
    let sql = format!("{ATTACHMENT} where id = $1");
    db::row_opt(db, &sql, args![id]).await
}

pub(super) async fn body(db: &Db, id: i64) -> Result<Option<Vec<u8>>> {
    db::scalar_opt(db, "select body from attachments where id = $1", args![id]).await
}

pub(super) async fn remove_of(tx: &mut Tx, kind: &str, id: i64) -> Result<u64> {
    let sql = "delete from attachments where subject_type = $1 and subject_id = $2";
    db::exec(&mut *tx, sql, args![kind, id]).await
}
