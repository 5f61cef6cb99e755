use chrono::{DateTime, Utc};

use super::{Activity, ActivityFilter, Status, Transition, Values};
use crate::db::{Db, Tx, placeholders};
use crate::error::{Error, Result};
use crate::page::{Page, PageRequest};
use crate::{on_db, on_tx};

const ACTIVITY: &str = "select a.id, a.town_id, a.owner_id, o.name as owner_name, o.path as \
    owner_path, a.lead_department_id, d.name as lead_department_name, a.theme_id, t.name as \
    theme_name, a.format_id, f.name as format_name, a.target_group_id, g.name as \
    target_group_name, a.title, a.description, a.venue, a.starts_at, a.ends_at, a.capacity, \
    a.featured, a.learning_team, a.special_event, a.series_id, a.status, a.submitted_at, a.late, \
    a.review_note, a.cancel_reason, a.summary, a.recorded_afterwards from activities a \
    join org_nodes o on o.id = a.owner_id join themes t on t.id = a.theme_id \
    left join org_nodes d on d.id = a.lead_department_id \
    left join formats f on f.id = a.format_id left join target_groups g on g.id = \
    a.target_group_id";

pub(super) async fn get(db: &Db, id: i64) -> Result<Option<Activity>> {
    let sql = format!("{ACTIVITY} where a.id = $1");
    Ok(on_db!(db, |p| sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(p)
        .await?))
}

pub(super) async fn teacher_usable(tx: &mut Tx, teacher_id: i64, town_id: i64) -> Result<bool> {
    let sql = "select count(*) from teachers t join org_nodes n on n.id = t.node_id \
        where t.id = $1 and t.status = 'active' and n.path like $2";
    let n: i64 = on_tx!(tx, |c| sqlx::query_scalar(sql)
        .bind(teacher_id)
        .bind(format!("%/{town_id}/%"))
        .fetch_one(c)
        .await?);
    Ok(n > 0)
}

async fn set_teachers(tx: &mut Tx, id: i64, teachers: &[i64]) -> Result<()> {
    let sql = "delete from activity_teachers where activity_id = $1";
    on_tx!(tx, |c| sqlx::query(sql)
        .bind(id)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    let mut seen = Vec::new();
    for t in teachers
        .iter()
        .filter(|t| !seen.contains(*t))
        .copied()
        .collect::<Vec<_>>()
    {
        seen.push(t);
        let sql = "insert into activity_teachers (activity_id, teacher_id) \
            values ($1, $2)";
        on_tx!(tx, |c| sqlx::query(sql)
            .bind(id)
            .bind(t)
            .execute(c)
            .await
            .map(|r| r.rows_affected()))?;
    }
    Ok(())
}

pub(super) async fn insert(
    tx: &mut Tx,
    town_id: i64,
    v: &Values,
    series: Option<i64>,
    status: Status,
    by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<i64> {
    // Only a plan starts as a draft; an activity recorded afterwards starts as held.
    let sql = "insert into activities (town_id, owner_id, lead_department_id, theme_id, \
        format_id, target_group_id, title, description, venue, starts_at, ends_at, capacity, \
        featured, learning_team, special_event, series_id, status, late, created_by, \
        created_at, updated_at, recorded_afterwards) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, \
        $10, $11, $12, $13, $14, $15, $16, $19, false, $17, $18, $18, $20) \
        returning id";
    let id: i64 = on_tx!(tx, |c| sqlx::query_scalar(sql)
        .bind(town_id)
        .bind(v.owner_id)
        .bind(v.lead_department_id)
        .bind(v.theme_id)
        .bind(v.format_id)
        .bind(v.target_group_id)
        .bind(&v.title)
        .bind(&v.description)
        .bind(&v.venue)
        .bind(v.starts_at)
        .bind(v.ends_at)
        .bind(v.capacity)
        .bind(v.featured)
        .bind(v.learning_team)
        .bind(&v.special_event)
        .bind(series)
        .bind(by)
        .bind(now)
        .bind(status.as_str())
        .bind(status != Status::Draft)
        .fetch_one(c)
        .await?);
    set_teachers(tx, id, &v.teacher_ids).await?;
    Ok(id)
}

/// True when the owner has a (not cancelled) activity of this title starting at this time.
pub(super) async fn same_activity_exists(
    tx: &mut Tx,
    owner_id: i64,
    starts_at: DateTime<Utc>,
    title: &str,
) -> Result<bool> {
    let sql = "select count(*) from activities where owner_id = $1 and starts_at = $2 \
        and title = $3 and status <> 'cancelled'";
    let n: i64 = on_tx!(tx, |c| sqlx::query_scalar(sql)
        .bind(owner_id)
        .bind(starts_at)
        .bind(title)
        .fetch_one(c)
        .await?);
    Ok(n > 0)
}

pub(super) async fn set_series(tx: &mut Tx, id: i64, series: i64) -> Result<()> {
    let sql = "update activities set series_id = $1 where id = $2";
    on_tx!(tx, |c| sqlx::query(sql)
        .bind(series)
        .bind(id)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

pub(super) async fn update(tx: &mut Tx, id: i64, v: &Values, now: DateTime<Utc>) -> Result<()> {
    let sql = "update activities set owner_id = $1, lead_department_id = $2, theme_id = $3, \
        format_id = $4, target_group_id = $5, title = $6, description = $7, venue = $8, \
        starts_at = $9, ends_at = $10, capacity = $11, featured = $12, learning_team = $13, \
        special_event = $14, updated_at = $15 where id = $16";
    on_tx!(tx, |c| sqlx::query(sql)
        .bind(v.owner_id)
        .bind(v.lead_department_id)
        .bind(v.theme_id)
        .bind(v.format_id)
        .bind(v.target_group_id)
        .bind(&v.title)
        .bind(&v.description)
        .bind(&v.venue)
        .bind(v.starts_at)
        .bind(v.ends_at)
        .bind(v.capacity)
        .bind(v.featured)
        .bind(v.learning_team)
        .bind(&v.special_event)
        .bind(now)
        .bind(id)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    set_teachers(tx, id, &v.teacher_ids).await
}

/// Moves the status from `from` to `to` (0 rows when someone else moved it first).
#[expect(
    clippy::too_many_arguments,
    reason = "one value per column the transition sets"
)]
pub(super) async fn set_status(
    tx: &mut Tx,
    id: i64,
    from: Status,
    to: Status,
    t: Transition,
    reason: Option<&str>,
    late: bool,
    now: DateTime<Utc>,
) -> Result<u64> {
    let sql_5 = "update activities set status = $1, summary = $2, documented_at = $3, \
        updated_at = $3 where id = $4 and status = $5";
    let sql_4 = "update activities set status = $1, checkin_secret = coalesce(checkin_secret, \
        $2), updated_at = $3 where id = $4 and status = $5";
    let sql_3 = "update activities set status = $1, cancel_reason = $2, updated_at = $3 \
        where id = $4 and status = $5";
    let sql_2 = "update activities set status = $1, review_note = $2, updated_at = $3 \
        where id = $4 and status = $5";
    let sql = "update activities set status = $1, submitted_at = $2, late = $3, review_note = \
        null, updated_at = $2 where id = $4 and status = $5";
    let n = match t {
        Transition::Submit => on_tx!(tx, |c| sqlx::query(sql)
            .bind(to.as_str())
            .bind(now)
            .bind(late)
            .bind(id)
            .bind(from.as_str())
            .execute(c)
            .await
            .map(|r| r.rows_affected())),
        Transition::Return => on_tx!(tx, |c| sqlx::query(sql_2)
            .bind(to.as_str())
            .bind(reason)
            .bind(now)
            .bind(id)
            .bind(from.as_str())
            .execute(c)
            .await
            .map(|r| r.rows_affected())),
        Transition::Cancel => on_tx!(tx, |c| sqlx::query(sql_3)
            .bind(to.as_str())
            .bind(reason)
            .bind(now)
            .bind(id)
            .bind(from.as_str())
            .execute(c)
            .await
            .map(|r| r.rows_affected())),
        Transition::Publish => on_tx!(tx, |c| sqlx::query(sql_4)
            .bind(to.as_str())
            .bind(new_secret())
            .bind(now)
            .bind(id)
            .bind(from.as_str())
            .execute(c)
            .await
            .map(|r| r.rows_affected())),
        Transition::Document => on_tx!(tx, |c| sqlx::query(sql_5)
            .bind(to.as_str())
            .bind(reason)
            .bind(now)
            .bind(id)
            .bind(from.as_str())
            .execute(c)
            .await
            .map(|r| r.rows_affected())),
        Transition::Approve | Transition::Hold | Transition::Archive => {
            let sql = "update activities set status = $1, updated_at = $2 \
                where id = $3 and status = $4";
            on_tx!(tx, |c| sqlx::query(sql)
                .bind(to.as_str())
                .bind(now)
                .bind(id)
                .bind(from.as_str())
                .execute(c)
                .await
                .map(|r| r.rows_affected()))
        }
    }?;
    Ok(n)
}

/// The status of an activity as it is now inside the transaction (after a compare-and-set missed).
pub(super) async fn status_now(tx: &mut Tx, id: i64) -> Result<Option<String>> {
    Ok(on_tx!(tx, |c| sqlx::query_scalar(
        "select status from activities where id = $1"
    )
    .bind(id)
    .fetch_optional(c)
    .await?))
}

/// A fresh 256-bit secret that signs an activity's check-in codes.
fn new_secret() -> String {
    use rand::RngCore;
    let mut b = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut b);
    crate::text::hex(&b)
}

pub(super) async fn teachers(db: &Db, id: i64) -> Result<Vec<(i64, String)>> {
    let sql = "select t.id, t.name from activity_teachers x join teachers t on t.id = \
        x.teacher_id where x.activity_id = $1 order by t.name";
    Ok(on_db!(db, |p| sqlx::query_as(sql)
        .bind(id)
        .fetch_all(p)
        .await?))
}

pub(super) async fn list(
    db: &Db,
    scope: &str,
    f: &ActivityFilter,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
    page: PageRequest,
) -> Result<Page<Activity>> {
    let pattern = format!("{scope}%");
    let status = f.status.as_deref().filter(|s| !s.is_empty());
    let filter = " where o.path like $1 and ($2 is null or a.status = $2) and ($3 is null or \
        a.owner_id = $3) and ($4 is null or a.theme_id = $4) and ($5 is null or a.starts_at >= \
        $5) and ($6 is null or a.starts_at < $6) and ($7 is null or a.lead_department_id = $7) \
        and ($8 is null or a.town_id = $8)";
    let count_sql =
        format!("select count(*) from activities a join org_nodes o on o.id = a.owner_id{filter}");
    let list_sql = format!("{ACTIVITY}{filter} order by a.starts_at, a.id limit $9 offset $10");
    let (total, items) = on_db!(db, |p| {
        let total: i64 = sqlx::query_scalar(&count_sql)
            .bind(&pattern)
            .bind(status)
            .bind(f.owner_id)
            .bind(f.theme_id)
            .bind(from)
            .bind(to)
            .bind(f.lead_department_id)
            .bind(f.town_id)
            .fetch_one(p)
            .await?;
        let items: Vec<Activity> = sqlx::query_as(&list_sql)
            .bind(&pattern)
            .bind(status)
            .bind(f.owner_id)
            .bind(f.theme_id)
            .bind(from)
            .bind(to)
            .bind(f.lead_department_id)
            .bind(f.town_id)
            .bind(page.limit())
            .bind(page.offset())
            .fetch_all(p)
            .await?;
        (total, items)
    });
    Ok(Page::new(items, total, page))
}

/// (owner, start) of the activities in a period whose status is one of `statuses`.
pub(super) async fn starts_by_owner(
    db: &Db,
    scope: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    statuses: &[&str],
) -> Result<Vec<(i64, DateTime<Utc>, bool)>> {
    if statuses.is_empty() {
        return Err(Error::internal("no statuses"));
    }
    let marks = placeholders(statuses.len() + 3);
    let marks: Vec<&str> = marks.split(", ").skip(3).collect();
    let sql = format!(
        "select a.owner_id, a.starts_at, a.recorded_afterwards from activities a \
         join org_nodes o on o.id = a.owner_id \
         where o.path like $1 and a.starts_at >= $2 and a.starts_at < $3 and a.status in ({})",
        marks.join(", ")
    );
    let pattern = format!("{scope}%");
    Ok(on_db!(db, |p| {
        let mut q = sqlx::query_as(&sql).bind(&pattern).bind(from).bind(to);
        for s in statuses {
            q = q.bind(*s);
        }
        q.fetch_all(p).await?
    }))
}

/// The activities of a period inside a scope, not cancelled, soonest first (at most `limit`).
#[expect(
    clippy::too_many_arguments,
    reason = "one value per filter of the calendar"
)]
pub(super) async fn in_period(
    db: &Db,
    scope: &str,
    town_id: Option<i64>,
    owner_id: Option<i64>,
    theme_id: Option<i64>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<Activity>> {
    let sql = format!(
        "{ACTIVITY} where o.path like $1 and a.starts_at >= $2 and a.starts_at < $3 and a.status \
            <> 'cancelled' and ($4 is null or a.town_id = $4) and ($5 is null or a.owner_id = \
            $5) and ($6 is null or a.theme_id = $6) order by a.starts_at, a.id \
            limit $7"
    );
    let pattern = format!("{scope}%");
    Ok(on_db!(db, |p| sqlx::query_as(&sql)
        .bind(&pattern)
        .bind(from)
        .bind(to)
        .bind(town_id)
        .bind(owner_id)
        .bind(theme_id)
        .bind(limit)
        .fetch_all(p)
        .await?))
}

/// (owner, count) of the late submissions among a period's activities (cancelled ones too: the
/// lateness happened).
pub(super) async fn late_by_owner(
    db: &Db,
    scope: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<(i64, i64)>> {
    let pattern = format!("{scope}%");
    let sql = "select a.owner_id, count(*) from activities a join org_nodes o on o.id = \
        a.owner_id where o.path like $1 and a.starts_at >= $2 and a.starts_at < $3 and a.late \
        group by a.owner_id";
    Ok(on_db!(db, |p| sqlx::query_as(sql)
        .bind(&pattern)
        .bind(from)
        .bind(to)
        .fetch_all(p)
        .await?))
}
