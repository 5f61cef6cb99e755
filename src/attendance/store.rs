use chrono::{DateTime, Utc};

use super::{Enrolment, ResidentEnrolment};
use crate::db::{Db, Tx};
use crate::error::Result;
use crate::people::rules::mask_phone;
use crate::{on_db, on_tx};

/// Takes the activity's row lock (a write on both databases) so enrolments of one activity queue up.
pub(super) async fn lock_activity(tx: &mut Tx, activity_id: i64) -> Result<()> {
    on_tx!(tx, c => sqlx::query("update activities set updated_at = updated_at where id = $1")
        .bind(activity_id).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub(super) async fn active_enrolment(
    tx: &mut Tx,
    activity_id: i64,
    resident_id: i64,
) -> Result<Option<i64>> {
    Ok(on_tx!(tx, c => sqlx::query_scalar(
        "select id from enrolments where activity_id = $1 and resident_id = $2 and status <> 'cancelled'")
        .bind(activity_id).bind(resident_id).fetch_optional(c).await?))
}

pub(super) async fn count_enrolled(tx: &mut Tx, activity_id: i64) -> Result<i64> {
    Ok(
        on_tx!(tx, c => sqlx::query_scalar("select count(*) from enrolments where activity_id = $1 and status = 'enrolled'")
        .bind(activity_id).fetch_one(c).await?),
    )
}

pub(super) async fn insert(
    tx: &mut Tx,
    activity_id: i64,
    resident_id: i64,
    status: &str,
    now: DateTime<Utc>,
) -> Result<i64> {
    Ok(on_tx!(tx, c => sqlx::query_scalar(
        "insert into enrolments (activity_id, resident_id, status, created_at, updated_at) values ($1, $2, $3, $4, $4) returning id")
        .bind(activity_id).bind(resident_id).bind(status).bind(now).fetch_one(c).await?))
}

pub(super) async fn status_tx(tx: &mut Tx, id: i64) -> Result<Option<String>> {
    Ok(
        on_tx!(tx, c => sqlx::query_scalar("select status from enrolments where id = $1").bind(id).fetch_optional(c).await?),
    )
}

pub(super) async fn set_status(
    tx: &mut Tx,
    id: i64,
    status: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    on_tx!(tx, c => sqlx::query("update enrolments set status = $1, updated_at = $2 where id = $3")
        .bind(status).bind(now).bind(id).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub(super) async fn first_waiting(tx: &mut Tx, activity_id: i64) -> Result<Option<i64>> {
    Ok(on_tx!(tx, c => sqlx::query_scalar(
        "select id from enrolments where activity_id = $1 and status = 'waiting' order by id limit 1")
        .bind(activity_id).fetch_optional(c).await?))
}

const ENROLMENT: &str = "select e.id, e.activity_id, e.resident_id, r.name as resident_name, r.phone, e.status, e.created_at \
    from enrolments e join residents r on r.id = e.resident_id";

fn masked(mut e: Enrolment) -> Enrolment {
    e.phone = e.phone.as_deref().map(mask_phone);
    e
}

pub(super) async fn get(db: &Db, id: i64) -> Result<Option<Enrolment>> {
    let sql = format!("{ENROLMENT} where e.id = $1");
    let e: Option<Enrolment> =
        on_db!(db, p => sqlx::query_as(&sql).bind(id).fetch_optional(p).await?);
    Ok(e.map(masked))
}

pub(super) async fn list(db: &Db, activity_id: i64) -> Result<Vec<Enrolment>> {
    let sql = format!(
        "{ENROLMENT} where e.activity_id = $1 and e.status <> 'cancelled' order by e.status, e.id"
    );
    let rows: Vec<Enrolment> =
        on_db!(db, p => sqlx::query_as(&sql).bind(activity_id).fetch_all(p).await?);
    Ok(rows.into_iter().map(masked).collect())
}

pub(super) async fn of_resident(db: &Db, resident_id: i64) -> Result<Vec<ResidentEnrolment>> {
    Ok(on_db!(db, p => sqlx::query_as(
        "select e.id, e.activity_id, a.title, a.starts_at, o.name as owner_name, e.status from enrolments e \
         join activities a on a.id = e.activity_id join org_nodes o on o.id = a.owner_id \
         where e.resident_id = $1 order by a.starts_at desc, e.id desc")
        .bind(resident_id).fetch_all(p).await?))
}
