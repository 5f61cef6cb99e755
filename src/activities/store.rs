use chrono::{DateTime, Utc};

use super::{Activity, ActivityFilter, Status, Transition, Values};
use crate::args;
use crate::db::{self, Arg, Db, Tx, placeholders};
use crate::error::{Error, Result};
use crate::page::{Page, PageRequest};

const ACTIVITY: &str = "select a.id, a.town_id, a.owner_id, o.name as owner_name, o.path as \
    owner_path, a.lead_department_id, d.name as lead_department_name, a.theme_id, t.name as \
    theme_name, a.format_id, f.name as format_name, a.target_group_id, g.name as \
    target_group_name, a.title, a.description, a.venue, a.room_id, a.starts_at, a.ends_at, a.capacity, \
    a.featured, a.learning_team, a.special_event, a.series_id, a.status, a.submitted_at, a.late, \
    a.review_note, a.cancel_reason, a.summary, a.recorded_afterwards from activities a \
    join org_nodes o on o.id = a.owner_id join themes t on t.id = a.theme_id \
    left join org_nodes d on d.id = a.lead_department_id \
    left join formats f on f.id = a.format_id left join target_groups g on g.id = \
    a.target_group_id";

pub(super) async fn get(db: &Db, id: i64) -> Result<Option<Activity>> {
    db::row_opt(db, &format!("{ACTIVITY} where a.id = $1"), args![id]).await
}

pub(super) async fn teacher_usable(tx: &mut Tx, teacher_id: i64, town_id: i64) -> Result<bool> {
    let sql = "select count(*) from teachers t join org_nodes n on n.id = t.node_id \
        where t.id = $1 and t.status = 'active' and n.path like $2";
    let pattern = format!("%/{town_id}/%");
    let n: i64 = db::scalar(tx, sql, args![teacher_id, &pattern]).await?;
    Ok(n > 0)
}

async fn set_teachers(tx: &mut Tx, id: i64, teachers: &[i64]) -> Result<()> {
    let sql = "delete from activity_teachers where activity_id = $1";
    db::exec(&mut *tx, sql, args![id]).await?;
    let mut seen = Vec::new();
    for t in teachers.iter().copied() {
        if seen.contains(&t) {
            continue;
        }
        seen.push(t);
        let sql = "insert into activity_teachers (activity_id, teacher_id) values ($1, $2)";
        db::exec(&mut *tx, sql, args![id, t]).await?;
    }
    Ok(())
}

/// The columns an activity's values fill, in the order of `values_args`.
fn values_args(v: &Values) -> Vec<Arg<'_>> {
    args![
        v.owner_id,
        v.lead_department_id,
        v.theme_id,
        v.format_id,
        v.target_group_id,
        &v.title,
        &v.description,
        &v.venue,
        v.starts_at,
        v.ends_at,
        v.capacity,
        v.featured,
        v.learning_team,
        &v.special_event,
        v.room_id,
    ]
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
    let sql = "insert into activities (owner_id, lead_department_id, theme_id, format_id, \
        target_group_id, title, description, venue, starts_at, ends_at, capacity, featured, \
        learning_team, special_event, room_id, town_id, series_id, created_by, created_at, \
        updated_at, status, recorded_afterwards, late) values ($1, $2, $3, $4, $5, $6, $7, $8, \
        $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $19, $20, $21, false) returning id";
    let mut a = values_args(v);
    a.extend(args![
        town_id,
        series,
        by,
        now,
        status,
        status != Status::Draft
    ]);
    let id: i64 = db::scalar(&mut *tx, sql, a).await?;
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
    let n: i64 = db::scalar(tx, sql, args![owner_id, starts_at, title]).await?;
    Ok(n > 0)
}

pub(super) async fn set_series(tx: &mut Tx, id: i64, series: i64) -> Result<()> {
    let sql = "update activities set series_id = $1 where id = $2";
    db::exec(tx, sql, args![series, id]).await?;
    Ok(())
}

pub(super) async fn update(tx: &mut Tx, id: i64, v: &Values, now: DateTime<Utc>) -> Result<()> {
    let sql = "update activities set owner_id = $1, lead_department_id = $2, theme_id = $3, \
        format_id = $4, target_group_id = $5, title = $6, description = $7, venue = $8, \
        starts_at = $9, ends_at = $10, capacity = $11, featured = $12, learning_team = $13, \
        special_event = $14, room_id = $15, updated_at = $16 where id = $17";
    let mut a = values_args(v);
    a.extend(args![now, id]);
    db::exec(&mut *tx, sql, a).await?;
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
    // $1 the new status, $2 the time, $3 and $4 the row and the status it must still have, $5 the
    // value of the column the transition sets besides.
    let secret;
    let (set, value): (&str, Option<Arg>) = match t {
        Transition::Submit => (
            ", submitted_at = $2, late = $5, review_note = null",
            Some(late.into()),
        ),
        Transition::Return => (", review_note = $5", Some(reason.into())),
        Transition::Cancel => (", cancel_reason = $5", Some(reason.into())),
        Transition::Publish => {
            secret = crate::text::new_secret();
            (
                ", checkin_secret = coalesce(checkin_secret, $5)",
                Some((&secret).into()),
            )
        }
        Transition::Document => (", summary = $5, documented_at = $2", Some(reason.into())),
        Transition::Approve | Transition::Hold | Transition::Archive => ("", None),
    };
    let sql = format!(
        "update activities set status = $1, updated_at = $2{set} where id = $3 and status = $4"
    );
    let mut a = args![to, now, id, from];
    a.extend(value);
    db::exec(tx, &sql, a).await
}

/// The status of an activity as it is now inside the transaction (after a compare-and-set missed).
pub(super) async fn status_now(tx: &mut Tx, id: i64) -> Result<Option<String>> {
    db::scalar_opt(tx, "select status from activities where id = $1", args![id]).await
}

pub(super) async fn teachers(db: &Db, id: i64) -> Result<Vec<(i64, String)>> {
    let sql = "select t.id, t.name from activity_teachers x join teachers t on t.id = \
        x.teacher_id where x.activity_id = $1 order by t.name";
    db::rows(db, sql, args![id]).await
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
    let a = args![
        &pattern,
        status,
        f.owner_id,
        f.theme_id,
        from,
        to,
        f.lead_department_id,
        f.town_id
    ];
    let total: i64 = db::scalar(db, &count_sql, a.clone()).await?;
    let mut a = a;
    a.extend(args![page.limit(), page.offset()]);
    let items: Vec<Activity> = db::rows(db, &list_sql, a).await?;
    Ok(Page::new(items, total, page))
}

/// The to-do counts of a scope (see `queries::ToDoCounts`) in one query.
pub(super) async fn to_do_counts(
    db: &Db,
    scope: &str,
    lead_department: Option<i64>,
    today: DateTime<Utc>,
    late_day: (DateTime<Utc>, DateTime<Utc>),
) -> Result<super::ToDoCounts> {
    let sql = "select \
        count(case when a.status = 'submitted' then 1 end) as submitted, \
        count(case when a.status = 'returned' then 1 end) as returned, \
        count(case when a.status = 'draft' then 1 end) as drafts, \
        count(case when a.status in ('draft', 'returned') and a.starts_at >= $3 \
            and a.starts_at < $4 then 1 end) as late, \
        count(case when a.status = 'held' and a.starts_at < $5 then 1 end) as undocumented \
        from org_nodes o cross join activities a where a.owner_id = o.id and o.path like $1 \
        and ($2 is null or a.lead_department_id = $2) \
        and a.status in ('submitted', 'returned', 'draft', 'held')";
    let args = args![
        format!("{scope}%"),
        lead_department,
        late_day.0,
        late_day.1,
        today
    ];
    Ok(db::row_opt(db, sql, args).await?.unwrap_or_default())
}

/// The to-do counts of a scope (see `queries::ToDoCounts`) with every lead department's plans:
/// plans by status and those held before this month (YYYYMM, its first instant) from
/// `activity_months`; this month's held and the late day's drafts live, through the index by
/// owner, status and start.
pub(super) async fn to_do_counts_kept(
    db: &Db,
    scope: &str,
    (month, month_start): (i32, DateTime<Utc>),
    today: DateTime<Utc>,
    late_day: (DateTime<Utc>, DateTime<Utc>),
) -> Result<super::ToDoCounts> {
    let pattern = format!("{scope}%");
    let sql = "select m.status, \
        cast(sum(case when m.month < $2 then m.activities else 0 end) as bigint), \
        cast(sum(m.activities) as bigint) \
        from org_nodes o cross join activity_months m where m.owner_id = o.id \
        and o.path like $1 and m.status in ('submitted', 'returned', 'draft', 'held') \
        group by m.status";
    let kept: Vec<(String, i64, i64)> = db::rows(db, sql, args![&pattern, month]).await?;
    let of = |status: &str| {
        kept.iter()
            .find(|k| k.0 == status)
            .map_or((0, 0), |k| (k.1, k.2))
    };
    let sql = "select \
        count(case when a.status in ('draft', 'returned') and a.starts_at >= $2 \
            and a.starts_at < $3 then 1 end), \
        count(case when a.status = 'held' and a.starts_at >= $4 and a.starts_at < $5 then 1 end) \
        from org_nodes o cross join activities a where a.owner_id = o.id and o.path like $1 \
        and a.status in ('draft', 'returned', 'held') and a.starts_at >= $6 and a.starts_at < $7";
    let (from, until) = (late_day.0.min(month_start), late_day.1.max(today));
    let (late, held_now): (i64, i64) = db::row(
        db,
        sql,
        args![
            &pattern,
            late_day.0,
            late_day.1,
            month_start,
            today,
            from,
            until
        ],
    )
    .await?;
    Ok(super::ToDoCounts {
        submitted: of("submitted").1,
        returned: of("returned").1,
        drafts: of("draft").1,
        late,
        undocumented: of("held").0 + held_now,
    })
}

/// Activities per (owner, month YYYYMM, recorded afterwards) under a path in a year whose status
/// is one of `statuses`, read from `activity_months` (kept by triggers on `activities`).
pub(super) async fn month_counts(
    db: &Db,
    scope: &str,
    year: i32,
    statuses: &[&str],
) -> Result<Vec<(i64, i32, bool, i64)>> {
    if statuses.is_empty() {
        return Err(Error::internal("no statuses"));
    }
    let marks = placeholders(statuses.len() + 3);
    let marks: Vec<&str> = marks.split(", ").skip(3).collect();
    let sql = format!(
        "select m.owner_id, m.month, m.recorded_afterwards, cast(sum(m.activities) as bigint) \
         from org_nodes o cross join activity_months m where m.owner_id = o.id \
         and o.path like $1 and m.month >= $2 and m.month <= $3 and m.status in ({}) \
         group by m.owner_id, m.month, m.recorded_afterwards",
        marks.join(", ")
    );
    let pattern = format!("{scope}%");
    let mut a = args![&pattern, year * 100 + 1, year * 100 + 12];
    a.extend(statuses.iter().map(|s| Arg::from(*s)));
    db::rows(db, &sql, a).await
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
    let a = args![&pattern, from, to, town_id, owner_id, theme_id, limit];
    db::rows(db, &sql, a).await
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
    db::rows(db, sql, args![&pattern, from, to]).await
}

/// The teacher trainings (the special event) held under a path in a span.
pub(super) async fn trainings_by_town(
    db: &Db,
    under: &str,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<Vec<(String, i64)>> {
    let sql = "select o.path, count(*) from org_nodes o cross join activities a \
        where a.town_id = o.id and o.path like $1 || '%' and a.special_event = 'teacher_training' \
        and a.starts_at >= $2 and a.starts_at < $3 \
        and a.status in ('held', 'documented', 'archived') group by o.path";
    db::rows(db, sql, args![under, from, until]).await
}

/// Activities held under a path in a span per theme and format, most first (a plan without a
/// format under an empty name).
pub(super) async fn held_by_theme_and_format(
    db: &Db,
    under: &str,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
    statuses: &[&str],
) -> Result<Vec<(String, String, i64)>> {
    let marks = placeholders(statuses.len() + 3);
    let marks: Vec<&str> = marks.split(", ").skip(3).collect();
    let sql = format!(
        "select t.name, coalesce(f.name, '') as format, count(*) as n from org_nodes o \
        cross join activities a join themes t on t.id = a.theme_id \
        left join formats f on f.id = a.format_id where a.owner_id = o.id and o.path like $1 \
        and a.starts_at >= $2 and a.starts_at < $3 and a.status in ({}) \
        group by t.name, coalesce(f.name, '') order by n desc, t.name, format",
        marks.join(", ")
    );
    let pattern = format!("{under}%");
    let mut a = args![&pattern, from, until];
    a.extend(statuses.iter().map(|s| Arg::from(*s)));
    db::rows(db, &sql, a).await
}

/// Activities held under a path in a year per theme, most first (from `activity_months`).
pub(super) async fn held_by_theme(db: &Db, under: &str, year: i32) -> Result<Vec<(String, i64)>> {
    let sql = "select t.name, cast(sum(m.activities) as bigint) as n from org_nodes o \
        cross join activity_months m join themes t on t.id = m.theme_id \
        where m.owner_id = o.id and o.path like $1 || '%' \
        and m.month >= $2 and m.month <= $3 \
        and m.status in ('held', 'documented', 'archived') \
        group by t.name having sum(m.activities) > 0 order by n desc, t.name";
    db::rows(db, sql, args![under, year * 100 + 1, year * 100 + 12]).await
}
