use std::collections::HashSet;

use chrono::{DateTime, Utc};

use super::EnrolmentStatus;
use super::{
    Attendance, DeskActivity, Enrolment, RatingComment, RatingSummary, ResidentAttendance,
    ResidentEnrolment,
};
use crate::args;
use crate::db::{self, Db, Tx, bind_chunk, placeholders};
use crate::error::{Error, Result};
use crate::on_tx;
use crate::people::rules::mask_phone;

/// Takes the activity's row lock (a write on both databases) so enrolments of one activity queue
/// up.
pub(super) async fn lock_activity(tx: &mut Tx, activity_id: i64) -> Result<()> {
    db::exec(
        &mut *tx,
        "update activities set updated_at = updated_at where id = $1",
        args![activity_id],
    )
    .await?;
    Ok(())
}

pub(super) async fn active_enrolment(
    tx: &mut Tx,
    activity_id: i64,
    resident_id: i64,
) -> Result<Option<i64>> {
    let sql = "select id from enrolments where activity_id = $1 and resident_id = $2 and status \
        <> 'cancelled'";
    db::scalar_opt(&mut *tx, sql, args![activity_id, resident_id]).await
}

pub(super) async fn count_enrolled(tx: &mut Tx, activity_id: i64) -> Result<i64> {
    let sql = "select count(*) from enrolments where activity_id = $1 and status = 'enrolled'";
    db::scalar(&mut *tx, sql, args![activity_id]).await
}

pub(super) async fn insert(
    tx: &mut Tx,
    activity_id: i64,
    resident_id: i64,
    status: EnrolmentStatus,
    now: DateTime<Utc>,
) -> Result<i64> {
    let sql = "insert into enrolments (activity_id, resident_id, status, created_at, \
        updated_at) values ($1, $2, $3, $4, $4) returning id";
    db::scalar(&mut *tx, sql, args![activity_id, resident_id, status, now]).await
}

pub(super) async fn status_tx(tx: &mut Tx, id: i64) -> Result<Option<EnrolmentStatus>> {
    let sql = "select status from enrolments where id = $1";
    db::scalar_opt(&mut *tx, sql, args![id]).await
}

pub(super) async fn set_status(
    tx: &mut Tx,
    id: i64,
    status: EnrolmentStatus,
    now: DateTime<Utc>,
) -> Result<()> {
    db::exec(
        &mut *tx,
        "update enrolments set status = $1, updated_at = $2 where id = $3",
        args![status, now, id],
    )
    .await?;
    Ok(())
}

pub(super) async fn first_waiting(tx: &mut Tx, activity_id: i64) -> Result<Option<i64>> {
    let sql = "select id from enrolments where activity_id = $1 and status = 'waiting' \
        order by id limit 1";
    db::scalar_opt(&mut *tx, sql, args![activity_id]).await
}

const ENROLMENT: &str = "select e.id, e.activity_id, e.resident_id, r.name as resident_name, \
    r.phone, e.status, e.created_at from enrolments e join residents r on r.id = e.resident_id";

fn masked(mut e: Enrolment) -> Enrolment {
    e.phone = e.phone.as_deref().map(mask_phone);
    e
}

pub(super) async fn get(db: &Db, id: i64) -> Result<Option<Enrolment>> {
    let sql = format!("{ENROLMENT} where e.id = $1");
    let e: Option<Enrolment> = db::row_opt(db, &sql, args![id]).await?;
    Ok(e.map(masked))
}

pub(super) async fn list(db: &Db, activity_id: i64) -> Result<Vec<Enrolment>> {
    let sql = format!(
        "{ENROLMENT} where e.activity_id = $1 and e.status <> 'cancelled' order by e.status, e.id"
    );
    let rows: Vec<Enrolment> = db::rows(db, &sql, args![activity_id]).await?;
    Ok(rows.into_iter().map(masked).collect())
}

pub(super) async fn of_resident(db: &Db, resident_id: i64) -> Result<Vec<ResidentEnrolment>> {
    let sql = "select e.id, e.activity_id, a.title, a.starts_at, o.name as owner_name, e.status \
        from enrolments e join activities a on a.id = e.activity_id \
        join org_nodes o on o.id = a.owner_id where e.resident_id = $1 \
        order by a.starts_at desc, e.id desc";
    db::rows(db, sql, args![resident_id]).await
}

/// What check-in needs to know of an activity (fixed once it is published, except the status).
pub(super) async fn desk_activity(db: &Db, id: i64) -> Result<Option<DeskActivity>> {
    let sql = "select a.id, a.title, a.starts_at, a.ends_at, a.venue, a.status, \
        a.checkin_secret, a.town_id, a.capacity, o.name as owner_name, o.path as owner_path, \
        o.kind as owner_kind, o.parent_id as owner_parent_id \
        from activities a join org_nodes o on o.id = a.owner_id \
        where a.id = $1";
    db::row_opt(db, sql, args![id]).await
}

/// A check-in found in its town's register: (index of the scan in the batch, resident, name, the
/// attendance row written — `None` when the resident was already recorded or the activity is not
/// open).
pub(super) type CheckedIn = (i32, i64, String, Option<i64>);

/// PostgreSQL (the desk's writer): a batch of QR scans (town, mobile number, activity, status,
/// time) in one statement: each number looked up in its town's register, an attendance row written
/// unless the resident is already recorded or the activity is no longer open — checked in the same
/// statement, so a cancellation in between wins — and the rows written added to the roll-ups.
/// Scans whose number is in no register are left out.
pub(super) async fn check_in(
    tx: &mut Tx,
    scans: &[(i64, &str, i64, &str, DateTime<Utc>)],
) -> Result<Vec<CheckedIn>> {
    let Tx::Postgres(t) = tx else {
        return Err(Error::internal(
            "the check-in desk writes to SQLite on its own connection",
        ));
    };
    // The scans as arrays, one per column: the statement's text is the same whatever the batch's
    // size, so PostgreSQL prepares and plans it once per connection.
    let sql = format!(
        "with v (i, town_id, phone, activity_id, status, checked_at) as (select * from \
          unnest($1::int4[], $2::int8[], $3::text[], $4::int8[], $5::text[], $6::timestamptz[])), \
        found as (select v.i, v.activity_id, v.status, v.checked_at, p.id as resident_id, \
          p.name from v join residents p on p.town_id = v.town_id and p.phone = v.phone), \
        added as (insert into attendances \
          (activity_id, resident_id, status, method, checked_at) \
          select f.activity_id, f.resident_id, f.status, 'qr', f.checked_at from found f \
          join activities x on x.id = f.activity_id where x.status in ('published', 'held') \
          on conflict (activity_id, resident_id) do nothing \
          returning id, activity_id, resident_id), {} \
        select f.i, f.resident_id, f.name, a.id from found f left join added a \
          on a.activity_id = f.activity_id and a.resident_id = f.resident_id",
        crate::rollups::counting_added_pg()
    );
    let rows = sqlx::query_as(&sql)
        .bind((0..scans.len() as i32).collect::<Vec<i32>>())
        .bind(scans.iter().map(|s| s.0).collect::<Vec<i64>>())
        .bind(scans.iter().map(|s| s.1).collect::<Vec<&str>>())
        .bind(scans.iter().map(|s| s.2).collect::<Vec<i64>>())
        .bind(scans.iter().map(|s| s.3).collect::<Vec<&str>>())
        .bind(scans.iter().map(|s| s.4).collect::<Vec<DateTime<Utc>>>())
        .fetch_all(&mut **t)
        .await?;
    Ok(rows)
}

/// Which of these activities take check-ins now (published or held).
pub(super) async fn open_activities(tx: &mut Tx, ids: &[i64]) -> Result<HashSet<i64>> {
    let mut out = HashSet::new();
    for chunk in ids.chunks(bind_chunk(tx.backend())) {
        let sql = format!(
            "select id from activities where status in ('published', 'held') and id in ({})",
            placeholders(chunk.len())
        );
        let rows: Vec<i64> = on_tx!(tx, |c| {
            let mut q = sqlx::query_scalar(&sql);
            for id in chunk {
                q = q.bind(*id);
            }
            q.fetch_all(c).await?
        });
        out.extend(rows);
    }
    Ok(out)
}

/// The check-in desk's writer on its own SQLite connection (see `Db::sqlite_writer`): one cached
/// statement per step, run inside the writer's transaction.
pub(super) mod sqlite {
    use chrono::{DateTime, Utc};
    use rusqlite::{Connection, OptionalExtension, params};

    use crate::error::{Error, Result};

    /// The resident with this (normalised) mobile number in the town's register: id, name and
    /// community (where the roll-ups count their participation).
    pub fn resident_by_phone(
        c: &Connection,
        town_id: i64,
        phone: &str,
    ) -> Result<Option<(i64, String, i64)>> {
        let sql = "select id, name, community_id from residents where town_id = $1 and phone = $2";
        Ok(c.prepare_cached(sql)?
            .query_row(params![town_id, phone], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .optional()?)
    }

    /// Writes a QR check-in unless the resident is already recorded; the new row's id. (Whether the
    /// activity still takes check-ins is the caller's check, in the same transaction.)
    pub fn insert_checkin(
        c: &Connection,
        activity_id: i64,
        resident_id: i64,
        status: &str,
        at: &DateTime<Utc>,
    ) -> Result<Option<i64>> {
        let sql = "insert into attendances (activity_id, resident_id, status, method, \
            checked_at) values ($1, $2, $3, 'qr', $4) on conflict (activity_id, resident_id) do \
            nothing";
        let written = c.prepare_cached(sql)?.execute(params![
            activity_id,
            resident_id,
            status,
            crate::db::sqlite_time(at)
        ])?;
        Ok((written == 1).then(|| c.last_insert_rowid()))
    }

    /// The owner and start of the activity if it takes check-ins now (published or held); the
    /// roll-ups count its rows by them.
    pub fn open_activity(c: &Connection, activity_id: i64) -> Result<Option<(i64, DateTime<Utc>)>> {
        let sql = "select owner_id, starts_at from activities \
            where id = $1 and status in ('published', 'held')";
        let row: Option<(i64, String)> = c
            .prepare_cached(sql)?
            .query_row(params![activity_id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        row.map(|(owner, at)| {
            DateTime::parse_from_rfc3339(&at)
                .map(|t| (owner, t.with_timezone(&Utc)))
                .map_err(|e| Error::internal_from("an activity's start as stored", e))
        })
        .transpose()
    }
}

/// Records (or corrects) a resident's attendance by hand; returns the previous status, if any.
pub(super) async fn upsert_mark(
    tx: &mut Tx,
    activity_id: i64,
    resident_id: i64,
    status: &str,
    method: &str,
    by: Option<i64>,
    at: DateTime<Utc>,
) -> Result<(i64, Option<String>)> {
    let sql = "select status from attendances where activity_id = $1 and resident_id = $2";
    let before: Option<String> =
        db::scalar_opt(&mut *tx, sql, args![activity_id, resident_id]).await?;
    let sql = "insert into attendances (activity_id, resident_id, status, method, checked_at, \
        recorded_by) values ($1, $2, $3, $4, $5, $6) on conflict (activity_id, resident_id) do \
        update set status = excluded.status, method = excluded.method, recorded_by = \
        excluded.recorded_by returning id";
    let id: i64 = db::scalar(
        &mut *tx,
        sql,
        args![activity_id, resident_id, status, method, at, by],
    )
    .await?;
    Ok((id, before))
}

pub(super) async fn set_head_count(tx: &mut Tx, activity_id: i64, n: Option<i64>) -> Result<()> {
    db::exec(
        &mut *tx,
        "update activities set head_count = $1 where id = $2",
        args![n, activity_id],
    )
    .await?;
    Ok(())
}

const ATTENDANCE: &str = "select x.id, x.activity_id, x.resident_id, r.name as resident_name, \
    r.phone, x.status, x.method, x.checked_at from attendances x \
    join residents r on r.id = x.resident_id";

pub(super) async fn attendance_list(db: &Db, activity_id: i64) -> Result<Vec<Attendance>> {
    let sql = format!("{ATTENDANCE} where x.activity_id = $1 order by x.checked_at, x.id");
    let rows: Vec<Attendance> = db::rows(db, &sql, args![activity_id]).await?;
    Ok(rows
        .into_iter()
        .map(|mut a| {
            a.phone = a.phone.as_deref().map(mask_phone);
            a
        })
        .collect())
}

/// (attended, excused, absent) counts and the head count of an activity.
pub(super) async fn counts(db: &Db, activity_id: i64) -> Result<(i64, i64, i64, Option<i64>)> {
    let sql = "select coalesce(sum(case when status in ('present', 'late') then 1 else 0 end), \
        0), coalesce(sum(case when status = 'excused' then 1 else 0 end), 0), coalesce(sum(case \
        when status = 'absent' then 1 else 0 end), 0) from attendances \
        where activity_id = $1";
    let (attended, excused, absent): (i64, i64, i64) = db::row(db, sql, args![activity_id]).await?;
    let sql = "select head_count from activities where id = $1";
    let head: Option<i32> = db::scalar(db, sql, args![activity_id]).await?;
    Ok((attended, excused, absent, head.map(i64::from)))
}

pub(super) async fn attended(db: &Db, activity_id: i64, resident_id: i64) -> Result<bool> {
    let sql = "select count(*) from attendances where activity_id = $1 and resident_id = $2 and \
        status in ('present', 'late')";
    let n: i64 = db::scalar(db, sql, args![activity_id, resident_id]).await?;
    Ok(n > 0)
}

/// Records or replaces a resident's rating; true when it replaced an earlier one.
pub(super) async fn upsert_rating(
    tx: &mut Tx,
    activity_id: i64,
    resident_id: i64,
    score: i32,
    comment: Option<&str>,
    at: DateTime<Utc>,
) -> Result<(i64, bool)> {
    let sql = "select id from ratings where activity_id = $1 and resident_id = $2";
    let before: Option<i64> =
        db::scalar_opt(&mut *tx, sql, args![activity_id, resident_id]).await?;
    let sql = "insert into ratings (activity_id, resident_id, score, comment, created_at) \
        values ($1, $2, $3, $4, $5) on conflict (activity_id, resident_id) do update \
        set score = excluded.score, comment = excluded.comment, created_at = \
        excluded.created_at returning id";
    let id: i64 = db::scalar(
        &mut *tx,
        sql,
        args![activity_id, resident_id, score, comment, at],
    )
    .await?;
    Ok((id, before.is_some()))
}

/// (count, average score) of an activity's ratings and its latest comments.
pub(super) async fn rating_summary(db: &Db, activity_id: i64) -> Result<RatingSummary> {
    let sql = "select count(*), avg(cast(score as double precision)) \
        from ratings where activity_id = $1";
    let (count, average): (i64, Option<f64>) = db::row(db, sql, args![activity_id]).await?;
    let sql = "select score, comment from ratings where activity_id = $1 and comment is not \
        null order by id desc limit 20";
    let comments: Vec<(i32, String)> = db::rows(db, sql, args![activity_id]).await?;
    Ok(RatingSummary {
        count,
        average,
        comments: comments
            .into_iter()
            .map(|(score, comment)| RatingComment { score, comment })
            .collect(),
    })
}

pub(super) async fn attendance_of_resident(
    db: &Db,
    resident_id: i64,
) -> Result<Vec<ResidentAttendance>> {
    let sql = "select x.activity_id, a.title, a.starts_at, o.name as owner_name, x.status, \
        g.score, g.comment from attendances x join activities a on a.id = x.activity_id \
        join org_nodes o on o.id = a.owner_id left join ratings g on g.activity_id = \
        x.activity_id and g.resident_id = x.resident_id where x.resident_id = $1 \
        order by a.starts_at desc, x.id desc";
    db::rows(db, sql, args![resident_id]).await
}

/// The enrolled residents of an activity with their full names (a sign-in sheet to print), masked
/// phones.
pub(super) async fn sheet_rows(
    db: &Db,
    activity_id: i64,
) -> Result<Vec<(i64, String, Option<String>)>> {
    let sql = "select r.id, r.name, r.phone from enrolments e \
        join residents r on r.id = e.resident_id where e.activity_id = $1 and e.status = \
        'enrolled' order by e.id";
    let rows: Vec<(i64, String, Option<String>)> = db::rows(db, sql, args![activity_id]).await?;
    Ok(rows
        .into_iter()
        .map(|(id, n, ph)| (id, n, ph.as_deref().map(mask_phone)))
        .collect())
}

/// Ratings of activities owned under a path starting in a span, per owner: (path, 4 or 5, all).
pub(super) async fn rating_counts_by_owner(
    db: &Db,
    under: &str,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<Vec<(String, i64, i64)>> {
    // Every status but cancelled, named: the activities are then read from the index by owner,
    // status and start alone.
    let sql = "select o.path, \
        cast(coalesce(sum(case when g.score >= 4 then 1 else 0 end), 0) as bigint), count(*) \
        from org_nodes o cross join activities x cross join ratings g \
        where x.owner_id = o.id and g.activity_id = x.id \
        and o.path like $1 || '%' and x.status in ('draft', 'submitted', 'returned', \
        'approved', 'published', 'held', 'documented', 'archived') \
        and x.starts_at >= $2 and x.starts_at < $3 group by o.path";
    db::rows(db, sql, args![under, from, until]).await
}

/// Attendance and ratings of the activities owned under a path that started in a span.
pub(super) async fn span_figures(
    db: &Db,
    under: &str,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<super::figures::SpanFigures> {
    // From the place's nodes to their activities of the span (by owner and start) to their rows:
    // the order is written out (SQLite keeps a cross join's order), never a scan of attendance.
    let span = "x.owner_id = o.id and o.path like $1 || '%' \
        and x.starts_at >= $2 and x.starts_at < $3 and x.status <> 'cancelled'";
    let attended = format!(
        "from org_nodes o cross join activities x cross join attendances a \
        where a.activity_id = x.id and {span} and a.status in ('present', 'late')"
    );
    let rated = format!(
        "from org_nodes o cross join activities x cross join ratings g \
        where g.activity_id = x.id and {span}"
    );
    let sql = format!(
        "select (select count(*) {attended}) as attendances, \
        (select count(distinct a.resident_id) {attended}) as participants, \
        (select count(*) {rated}) as ratings, \
        (select cast(coalesce(sum(case when g.score >= 4 then 1 else 0 end), 0) as bigint) \
         {rated}) as satisfied, \
        (select cast(coalesce(sum(g.score), 0) as bigint) {rated}) as score_sum"
    );
    db::row(db, &sql, args![under, from, until]).await
}

/// Generated history for benchmarks: each activity of an owner attended by every `modulus`-th
/// resident of the owner's community.
#[cfg(feature = "bench")]
pub(super) async fn attend_by_rule(db: &Db, owner_id: i64, modulus: i64) -> Result<u64> {
    let sql = "insert into attendances (activity_id, resident_id, status, method, checked_at) \
        select x.id, r.id, 'present', 'qr', x.starts_at from activities x \
        join org_nodes c on c.id = x.owner_id join residents r on r.community_id = c.parent_id \
        where x.owner_id = $1 and (r.id + x.id) % $2 = 0";
    db::exec(db, sql, args![owner_id, modulus]).await
}
