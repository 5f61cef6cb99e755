//! The audit log: every change records who, when, what record, and the values before and after, in
//! the same transaction as the change (if the audit write fails, the change fails). Records are
//! append-only: database triggers refuse UPDATE and DELETE. Personal values (passwords, full
//! phone/ID numbers) never enter it.

mod store;
pub mod view;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use crate::access::{Actor, Permission};
use crate::db::{Db, Tx};
use crate::error::Result;
use crate::page::{Page, PageRequest};

/// One audit record as stored.
#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct AuditRecord {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    pub actor_role: String,
    pub node_path: String,
    pub action: String,
    pub subject_type: String,
    pub subject_id: Option<i64>,
    pub before_json: Option<String>,
    pub after_json: Option<String>,
    pub result: String,
    pub source_ip: Option<String>,
    pub request_id: Option<String>,
}

/// What a use-case hands to [`record`].
pub struct Entry<'a> {
    pub action: &'a str,
    pub subject_type: &'a str,
    pub subject_id: Option<i64>,
    /// Path of the node the subject belongs to: decides who may read the record.
    pub node_path: &'a str,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    /// `ok`, or a refusal code such as `locked` or `wrong_password`.
    pub result: &'a str,
}

impl<'a> Entry<'a> {
    /// A successful `action` on `subject_type` #`subject_id`, readable by those who see
    /// `node_path`; the values before and after are added with [`Entry::before`] and
    /// [`Entry::after`].
    pub fn of(
        action: &'a str,
        subject_type: &'a str,
        subject_id: Option<i64>,
        node_path: &'a str,
    ) -> Entry<'a> {
        Entry {
            action,
            subject_type,
            subject_id,
            node_path,
            before: None,
            after: None,
            result: "ok",
        }
    }

    /// The values before the change.
    pub fn before(self, v: impl Into<Option<serde_json::Value>>) -> Entry<'a> {
        Entry {
            before: v.into(),
            ..self
        }
    }

    /// The values after the change.
    pub fn after(self, v: impl Into<Option<serde_json::Value>>) -> Entry<'a> {
        Entry {
            after: v.into(),
            ..self
        }
    }

    /// A refusal's code (`locked`, `wrong_password`) instead of `ok`.
    pub fn result(self, result: &'a str) -> Entry<'a> {
        Entry { result, ..self }
    }
}

/// Writes one audit record inside the caller's transaction.
pub async fn record(tx: &mut Tx, actor: &Actor, entry: Entry<'_>) -> Result<()> {
    store::insert(tx, actor, &entry, Utc::now()).await
}

/// The varying part of one of many records of the same action (see [`record_many`]).
pub struct Row {
    pub at: DateTime<Utc>,
    pub subject_id: Option<i64>,
    pub node_path: String,
    pub after: serde_json::Value,
    pub source_ip: Option<String>,
    pub request_id: Option<String>,
}

/// Writes many records of one action by one kind of actor in few statements (group-committed
/// check-ins): still one record per change, inside the caller's transaction.
pub async fn record_many(
    tx: &mut Tx,
    actor: &Actor,
    action: &str,
    subject_type: &str,
    rows: &[Row],
) -> Result<()> {
    store::insert_many(tx, actor, action, subject_type, rows).await
}

/// [`record_many`] inside a transaction of a SQLite connection of its own (the check-in desk's
/// writer thread, see `Db::sqlite_writer`).
pub fn record_many_sqlite(
    conn: &rusqlite::Connection,
    actor: &Actor,
    action: &str,
    subject_type: &str,
    rows: &[Row],
) -> Result<()> {
    store::insert_many_sqlite(conn, actor, action, subject_type, rows)
}

/// Writes one audit record in its own transaction (for events without a change: failed logins,
/// views).
pub async fn record_now(db: &Db, actor: &Actor, entry: Entry<'_>) -> Result<()> {
    let mut tx = db.begin().await?;
    record(&mut tx, actor, entry).await?;
    tx.commit().await
}

/// Filters of the audit page.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct AuditFilter {
    /// Action prefix, e.g. `org.` or `auth.login`.
    pub action: Option<String>,
    /// Part of the actor's user name.
    pub actor: Option<String>,
    pub subject_type: Option<String>,
    pub subject_id: Option<i64>,
    /// First day, YYYY-MM-DD (Beijing).
    pub from: Option<NaiveDate>,
    /// Last day, YYYY-MM-DD (Beijing).
    pub to: Option<NaiveDate>,
}

/// Lists audit records inside the actor's scope, newest first.
pub async fn list(
    db: &Db,
    actor: &Actor,
    filter: &AuditFilter,
    page: PageRequest,
) -> Result<Page<AuditRecord>> {
    actor.require(Permission::AuditRead)?;
    store::list(db, &actor.scope_path, filter, page).await
}

/// The actions recorded so far, for the filter's drop-down.
pub async fn known_actions(db: &Db, actor: &Actor) -> Result<Vec<String>> {
    actor.require(Permission::AuditRead)?;
    store::distinct(db, &actor.scope_path, store::Distinct::Action).await
}

/// The kinds of object recorded so far, for the filter's drop-down.
pub async fn known_subject_types(db: &Db, actor: &Actor) -> Result<Vec<String>> {
    actor.require(Permission::AuditRead)?;
    store::distinct(db, &actor.scope_path, store::Distinct::SubjectType).await
}
