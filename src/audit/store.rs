use chrono::{DateTime, Utc};

use super::{AuditFilter, AuditRecord, Entry};
use crate::access::Actor;
use crate::args;
use crate::db::{self, Db, Tx, bind_chunk, like_escape};
use crate::error::Result;
use crate::on_tx;
use crate::page::{Page, PageRequest};

/// One record; the same text serves the pool and the check-in desk's own SQLite connection.
const INSERT: &str = "insert into audit_log (at, actor_id, actor_name, actor_role, node_path, \
    action, subject_type, subject_id, before_json, after_json, result, source_ip, request_id) \
    values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)";

pub(super) async fn insert(
    tx: &mut Tx,
    actor: &Actor,
    e: &Entry<'_>,
    at: DateTime<Utc>,
) -> Result<()> {
    let before = e.before.as_ref().map(|v| v.to_string());
    let after = e.after.as_ref().map(|v| v.to_string());
    db::exec(
        &mut *tx,
        INSERT,
        args![
            at,
            actor.user_id,
            &actor.username,
            actor.role.as_str(),
            e.node_path,
            e.action,
            e.subject_type,
            e.subject_id,
            before,
            after,
            e.result,
            &actor.source_ip,
            &actor.request_id
        ],
    )
    .await?;
    Ok(())
}

/// Many records sharing actor, action and subject type; the shared values are bound once per
/// statement.
pub(super) async fn insert_many(
    tx: &mut Tx,
    actor: &Actor,
    action: &str,
    subject_type: &str,
    rows: &[super::Row],
) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    if let Tx::Postgres(t) = tx {
        // PostgreSQL takes the rows as arrays, one per column: the same text for every count, so
        // it is prepared and planned once per connection (the check-in desk's batches vary).
        let sql = "insert into audit_log (at, actor_id, actor_name, actor_role, node_path, \
            action, subject_type, subject_id, after_json, result, source_ip, request_id) \
            select r.at, $5, $1, $2, r.node_path, $3, $4, r.subject_id, r.after_json, 'ok', \
              r.source_ip, r.request_id \
            from unnest($6::timestamptz[], $7::text[], $8::int8[], $9::text[], $10::text[], \
              $11::text[]) as r (at, node_path, subject_id, after_json, source_ip, request_id)";
        sqlx::query(sql)
            .bind(&actor.username)
            .bind(actor.role.as_str())
            .bind(action)
            .bind(subject_type)
            .bind(actor.user_id)
            .bind(rows.iter().map(|r| r.at).collect::<Vec<_>>())
            .bind(
                rows.iter()
                    .map(|r| r.node_path.as_str())
                    .collect::<Vec<_>>(),
            )
            .bind(rows.iter().map(|r| r.subject_id).collect::<Vec<_>>())
            .bind(rows.iter().map(|r| r.after.to_string()).collect::<Vec<_>>())
            .bind(
                rows.iter()
                    .map(|r| r.source_ip.as_deref())
                    .collect::<Vec<_>>(),
            )
            .bind(
                rows.iter()
                    .map(|r| r.request_id.as_deref())
                    .collect::<Vec<_>>(),
            )
            .execute(&mut **t)
            .await?;
        return Ok(());
    }
    const SHARED: usize = 5;
    const PER_ROW: usize = 6;
    let per_statement = ((bind_chunk(tx.backend()) - SHARED) / PER_ROW).max(1);
    for chunk in rows.chunks(per_statement) {
        let values: Vec<String> = (0..chunk.len())
            .map(|i| {
                let p = SHARED + i * PER_ROW;
                format!(
                    "(${}, $5, $1, $2, ${}, $3, $4, ${}, ${}, 'ok', ${}, ${})",
                    p + 1,
                    p + 2,
                    p + 3,
                    p + 4,
                    p + 5,
                    p + 6
                )
            })
            .collect();
        let sql = format!(
            "insert into audit_log (at, actor_id, actor_name, actor_role, node_path, action, \
                subject_type, subject_id, after_json,              result, source_ip, \
                request_id) values {}",
            values.join(", ")
        );
        on_tx!(tx, |c| {
            let mut q = sqlx::query(&sql)
                .bind(&actor.username)
                .bind(actor.role.as_str())
                .bind(action)
                .bind(subject_type)
                .bind(actor.user_id);
            for r in chunk {
                q = q
                    .bind(r.at)
                    .bind(&r.node_path)
                    .bind(r.subject_id)
                    .bind(r.after.to_string())
                    .bind(&r.source_ip)
                    .bind(&r.request_id);
            }
            q.execute(c).await.map(|r| r.rows_affected())
        })?;
    }
    Ok(())
}

/// [`insert_many`] on a SQLite connection of its own (the check-in desk's writer thread): one
/// cached statement run per record, inside the caller's transaction.
pub(super) fn insert_many_sqlite(
    conn: &rusqlite::Connection,
    actor: &Actor,
    action: &str,
    subject_type: &str,
    rows: &[super::Row],
) -> Result<()> {
    let mut stmt = conn.prepare_cached(INSERT)?;
    for r in rows {
        stmt.execute(rusqlite::params![
            crate::db::sqlite_time(&r.at),
            actor.user_id,
            actor.username,
            actor.role.as_str(),
            r.node_path,
            action,
            subject_type,
            r.subject_id,
            None::<String>,
            r.after.to_string(),
            "ok",
            r.source_ip,
            r.request_id,
        ])?;
    }
    Ok(())
}

const FILTER: &str = "from audit_log where node_path like $1 \
    and ($2 is null or action like $2 escape '\\') \
    and ($3 is null or actor_name like $3 escape '\\') \
    and ($4 is null or subject_type = $4) \
    and ($5 is null or subject_id = $5) \
    and ($6 is null or at >= $6) \
    and ($7 is null or at < $7)";

pub(super) async fn list(
    db: &Db,
    scope: &str,
    f: &AuditFilter,
    page: PageRequest,
) -> Result<Page<AuditRecord>> {
    let action = f
        .action
        .as_deref()
        .filter(|s| !s.is_empty())
        .map(|s| format!("{}%", like_escape(s)));
    let actor = f
        .actor
        .as_deref()
        .filter(|s| !s.is_empty())
        .map(|s| format!("%{}%", like_escape(s)));
    let subject_type = f.subject_type.clone().filter(|s| !s.is_empty());
    // The days a clerk picks are Beijing days.
    let from = f.from.map(|d| crate::calendar::Day(d).start());
    let to = f.to.map(|d| crate::calendar::Day(d).end());
    let scope = format!("{scope}%");
    let count_sql = format!("select count(*) {FILTER}");
    let list_sql = format!("select * {FILTER} order by id desc limit $8 offset $9");
    db::page(
        db,
        &count_sql,
        &list_sql,
        args![
            &scope,
            &action,
            &actor,
            &subject_type,
            f.subject_id,
            from,
            to
        ],
        page,
    )
    .await
}

/// The values of a column recorded so far inside a scope (for the page's drop-downs).
pub(super) async fn distinct(db: &Db, scope: &str, column: Distinct) -> Result<Vec<String>> {
    let scope = format!("{scope}%");
    let column = match column {
        Distinct::Action => "action",
        Distinct::SubjectType => "subject_type",
    };
    let sql = format!(
        "select distinct {column} from audit_log where node_path like $1 order by {column}"
    );
    db::scalars(db, &sql, args![&scope]).await
}

/// A column of the audit log a drop-down lists.
pub(super) enum Distinct {
    Action,
    SubjectType,
}
