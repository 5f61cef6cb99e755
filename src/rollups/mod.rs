//! Roll-ups: the counts the KPIs and dashboards read, kept in the same transaction as the
//! attendance they count, so a district's figures never need a GROUP BY over millions of rows.
//!
//! - `attendance_months`: attended rows (present or late, the activity not cancelled) per owning
//!   node and Beijing month (YYYYMM);
//! - `participants`: each resident who attended in a year (the activity's year), with their
//!   community; `participation`: those residents counted per community and year;
//! - `activity_months`: activities per owner, Beijing month, status, theme and whether recorded
//!   afterwards — kept by triggers on `activities` (see the migration), whatever writes them.
//!
//! A check-in only adds: the desk's insert counts its new rows in the same statement
//! ([`counting_added_pg`]; [`lite::attended`] on the desk's SQLite connection). Anything else that
//! changes what counts — a hand mark, a sheet, a cancelled activity, an activity moved, a resident
//! moved — recounts the keys it touched with [`refresh`]. [`rebuild`] recounts everything from the attendance; [`differences`] compares the
//! roll-ups with that live count (the tests and the benchmark ask it).

pub mod lite;

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};

use crate::args;
use crate::calendar::{Day, Month, Year};
use crate::db::{self, Backend, Db, Tx};
use crate::error::Result;

/// The Beijing month (YYYYMM) of a moment.
pub fn month_key(at: DateTime<Utc>) -> i32 {
    Day::of(at).month().key()
}

fn month_of_key(key: i32) -> Month {
    Month::new(key / 100, (key % 100) as u32).unwrap_or(Month::current())
}

/// What counts as attended, on `attendances a join activities x`.
const ATTENDED: &str = "x.status <> 'cancelled' and a.status in ('present', 'late')";

/// The month (YYYYMM) of `x.starts_at` in Beijing, in each dialect.
fn month_sql(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "cast(strftime('%Y%m', x.starts_at, '+8 hours') as bigint)",
        Backend::Postgres => {
            "cast(to_char(x.starts_at at time zone 'Asia/Shanghai', 'YYYYMM') as bigint)"
        }
    }
}

/// The parts of a PostgreSQL statement that add to the counts the attended rows its CTE `added`
/// (`activity_id`, `resident_id`) wrote — each row new and its activity open, as the check-in desk
/// writes them — so that the rows and their counts are one statement, one round trip: each
/// activity's owner and month worked out once, the months per owner, the residents' years (those
/// new this year, with their community) and the communities' participants. (SQLite's desk counts
/// on its own connection: [`lite::attended`].)
pub fn counting_added_pg() -> String {
    let month = month_sql(Backend::Postgres);
    format!(
        "x as (select x.id, x.owner_id, {month} as month from activities x \
          where x.id in (select activity_id from added)), \
        m as (insert into attendance_months (owner_id, month, attendances) \
          select x.owner_id, x.month, count(*) from added v join x on x.id = v.activity_id \
          group by x.owner_id, x.month on conflict (owner_id, month) do update \
          set attendances = attendance_months.attendances + excluded.attendances returning 1), \
        p as (insert into participants (resident_id, year, community_id) \
          select distinct r.id, cast(x.month / 100 as integer), r.community_id from added v \
          join x on x.id = v.activity_id join residents r on r.id = v.resident_id \
          on conflict (resident_id, year) do nothing returning community_id, year), \
        q as (insert into participation (community_id, year, participants) \
          select community_id, year, count(*) from p group by community_id, year \
          on conflict (community_id, year) do update \
          set participants = participation.participants + excluded.participants returning 1)"
    )
}

const ADD_MONTH: &str = "insert into attendance_months (owner_id, month, attendances) \
    values ($1, $2, $3) on conflict (owner_id, month) do update \
    set attendances = attendance_months.attendances + excluded.attendances";
const JOIN_YEAR: &str = "insert into participants (resident_id, year, community_id) \
    select id, $2, community_id from residents where id = $1 \
    on conflict (resident_id, year) do nothing returning community_id";
const ADD_PARTICIPANTS: &str = "insert into participation (community_id, year, participants) \
    values ($1, $2, $3) on conflict (community_id, year) do update \
    set participants = participation.participants + excluded.participants";

/// The keys a change touched: (owner, month) pairs and (resident, year) pairs.
#[derive(Clone, Debug, Default)]
pub struct Touched {
    pub months: BTreeSet<(i64, i32)>,
    pub residents: BTreeSet<(i64, i32)>,
}

impl Touched {
    /// An activity's key and, for each resident given, the activity's year.
    pub async fn activity(
        &mut self,
        tx: &mut Tx,
        activity_id: i64,
        residents: &[i64],
    ) -> Result<()> {
        let row: Option<(i64, DateTime<Utc>)> = db::row_opt(
            &mut *tx,
            "select owner_id, starts_at from activities where id = $1",
            args![activity_id],
        )
        .await?;
        if let Some((owner, starts)) = row {
            let month = month_key(starts);
            self.months.insert((owner, month));
            self.residents
                .extend(residents.iter().map(|r| (*r, month / 100)));
        }
        Ok(())
    }

    /// An activity's key with every resident recorded at it (a cancellation, a move). The
    /// recount's lock is taken first, so no check-in at it lands between this read and the recount.
    pub async fn activity_with_everyone(&mut self, tx: &mut Tx, activity_id: i64) -> Result<()> {
        lock_for_recount(tx).await?;
        let everyone: Vec<i64> = db::scalars(
            &mut *tx,
            "select resident_id from attendances where activity_id = $1",
            args![activity_id],
        )
        .await?;
        self.activity(tx, activity_id, &everyone).await
    }

    /// Every year a resident took part in (a resident moved to another community). The recount's
    /// lock is taken first, so a year a check-in adds meanwhile is among them.
    pub async fn resident(&mut self, tx: &mut Tx, resident_id: i64) -> Result<()> {
        lock_for_recount(tx).await?;
        let years: Vec<i32> = db::scalars(
            &mut *tx,
            "select year from participants where resident_id = $1",
            args![resident_id],
        )
        .await?;
        self.residents
            .extend(years.into_iter().map(|y| (resident_id, y)));
        Ok(())
    }
}

/// Check-ins and recounts take turns on PostgreSQL (`db::turn::ROLLUPS`; SQLite writes one
/// transaction at a time). Each check-in batch takes it shared until it commits
/// ([`lock_for_adding`]), so batches run side by side; a recount takes it alone
/// ([`lock_for_recount`]), so it counts only when no batch has attendance written but not yet
/// committed — a count taken meanwhile would miss those rows while the batch's additions wait for
/// the recount's row and then land on a total that never had them, or the recount would drop a
/// resident's year the batch found already counted.
pub async fn lock_for_adding(tx: &mut Tx) -> Result<()> {
    tx.take_turns_shared(db::turn::ROLLUPS, 0).await
}

/// Taken by a change that recounts (see [`lock_for_adding`]), at the latest by [`refresh`]. A
/// hand mark takes it before writing its attendance: a check-in of the same resident at the same
/// activity would otherwise wait for the mark's row while holding what the mark waits for.
pub async fn lock_for_recount(tx: &mut Tx) -> Result<()> {
    tx.take_turns(db::turn::ROLLUPS, 0).await
}

/// Recounts the keys a change touched, from the attendance as it is now in this transaction.
pub async fn refresh(tx: &mut Tx, touched: &Touched) -> Result<()> {
    lock_for_recount(tx).await?;
    for (owner, month) in &touched.months {
        let m = month_of_key(*month);
        let sql = format!(
            "insert into attendance_months (owner_id, month, attendances) values ($1, $2, \
            (select count(*) from attendances a join activities x on x.id = a.activity_id \
            where x.owner_id = $1 and x.starts_at >= $3 and x.starts_at < $4 and {ATTENDED})) \
            on conflict (owner_id, month) do update set attendances = excluded.attendances"
        );
        db::exec(&mut *tx, &sql, args![*owner, *month, m.start(), m.end()]).await?;
    }
    // Each community's participants move by what changed: a resident who joined the year counts
    // +1 where they live, one who no longer attended −1 where they were counted, one who moved −1
    // and +1 (no recount by community, so no index by community to keep on every check-in).
    let mut moved: std::collections::BTreeMap<(i64, i32), i64> = Default::default();
    for (resident, year) in &touched.residents {
        let y = Year(*year);
        let sql = format!(
            "select count(*) from attendances a join activities x on x.id = a.activity_id \
            where a.resident_id = $1 and x.starts_at >= $2 and x.starts_at < $3 and {ATTENDED}"
        );
        let attended: i64 =
            db::scalar(&mut *tx, &sql, args![*resident, y.start(), y.end()]).await?;
        let key = args![*resident, *year];
        let (before, now) = if attended > 0 {
            // The primary key decides who counts a resident's year first: this insert, or a
            // check-in committed meanwhile (the insert waits for it and then does nothing).
            match db::scalar_opt::<i64>(&mut *tx, JOIN_YEAR, args![*resident, *year]).await? {
                Some(joined) => (None, Some(joined)),
                None => {
                    // Counted already: the row locked first, so its community is the one counted.
                    let lock = "update participants set year = year \
                        where resident_id = $1 and year = $2";
                    db::exec(&mut *tx, lock, key.clone()).await?;
                    let read = "select community_id from participants \
                        where resident_id = $1 and year = $2";
                    let before: Option<i64> = db::scalar_opt(&mut *tx, read, key.clone()).await?;
                    let sql = "update participants set community_id = \
                        (select community_id from residents where id = $1) \
                        where resident_id = $1 and year = $2 returning community_id";
                    (before, db::scalar_opt(&mut *tx, sql, key).await?)
                }
            }
        } else {
            let sql = "delete from participants where resident_id = $1 and year = $2 \
                returning community_id";
            (db::scalar_opt(&mut *tx, sql, key).await?, None)
        };
        if before != now {
            for (community, n) in before
                .map(|c| (c, -1))
                .into_iter()
                .chain(now.map(|c| (c, 1)))
            {
                *moved.entry((community, *year)).or_default() += n;
            }
        }
    }
    for ((community, year), n) in moved.into_iter().filter(|(_, n)| *n != 0) {
        db::exec(&mut *tx, ADD_PARTICIPANTS, args![community, year, n]).await?;
    }
    Ok(())
}

/// The live GROUP BY the roll-ups stand for: (owner, month, attended rows).
fn live_months_sql(backend: Backend) -> String {
    let month = month_sql(backend);
    format!(
        "select x.owner_id, {month}, count(*) from attendances a \
        join activities x on x.id = a.activity_id where {ATTENDED} group by x.owner_id, {month}"
    )
}

/// The live GROUP BY of participants: (resident, year, community).
fn live_participants_sql(backend: Backend) -> String {
    let month = month_sql(backend);
    format!(
        "select a.resident_id, {month} / 100, min(r.community_id) from attendances a \
        join activities x on x.id = a.activity_id join residents r on r.id = a.resident_id \
        where {ATTENDED} group by a.resident_id, {month} / 100"
    )
}

/// The live GROUP BY `activity_months` stands for.
fn live_activity_months_sql(backend: Backend) -> String {
    let month = month_sql(backend);
    format!(
        "select x.owner_id, {month}, x.status, x.theme_id, x.recorded_afterwards, count(*) \
        from activities x group by x.owner_id, {month}, x.status, x.theme_id, \
        x.recorded_afterwards"
    )
}

/// Where `activity_months` differs from the activities counted live (empty when they agree).
pub async fn activity_differences(db: &Db) -> Result<Vec<String>> {
    type Key = (i64, i64, String, i64, bool, i64);
    let live: BTreeSet<Key> = db::rows(db, &live_activity_months_sql(db.backend()), args![])
        .await?
        .into_iter()
        .collect();
    let kept: BTreeSet<Key> = db::rows(
        db,
        "select owner_id, cast(month as bigint), status, theme_id, recorded_afterwards, \
        activities from activity_months where activities <> 0",
        args![],
    )
    .await?
    .into_iter()
    .collect();
    Ok(live
        .symmetric_difference(&kept)
        .map(|d| format!("activities {d:?}"))
        .collect())
}

/// Recounts every roll-up from the attendance and the activities, in one transaction: (owner-months, participant
/// years) written.
pub async fn rebuild(db: &Db) -> Result<(u64, u64)> {
    let backend = db.backend();
    let mut tx = db.begin().await?;
    for table in [
        "attendance_months",
        "participants",
        "participation",
        "activity_months",
    ] {
        db::exec(&mut tx, &format!("delete from {table}"), args![]).await?;
    }
    db::exec(
        &mut tx,
        &format!(
            "insert into activity_months (owner_id, month, status, theme_id, \
            recorded_afterwards, activities) {}",
            live_activity_months_sql(backend)
        ),
        args![],
    )
    .await?;
    let months = db::exec(
        &mut tx,
        &format!(
            "insert into attendance_months (owner_id, month, attendances) {}",
            live_months_sql(backend)
        ),
        args![],
    )
    .await?;
    let people = db::exec(
        &mut tx,
        &format!(
            "insert into participants (resident_id, year, community_id) {}",
            live_participants_sql(backend)
        ),
        args![],
    )
    .await?;
    db::exec(
        &mut tx,
        "insert into participation (community_id, year, participants) \
        select community_id, year, count(*) from participants group by community_id, year",
        args![],
    )
    .await?;
    tx.commit().await?;
    Ok((months, people))
}

/// Where the roll-ups differ from the live count (empty when they agree): one line per key.
pub async fn differences(db: &Db) -> Result<Vec<String>> {
    let backend = db.backend();
    let mut out = Vec::new();
    let pairs = [
        (
            "month",
            live_months_sql(backend),
            "select owner_id, cast(month as bigint), attendances from attendance_months \
            where attendances <> 0",
        ),
        (
            "participant",
            live_participants_sql(backend),
            "select resident_id, cast(year as bigint), community_id from participants",
        ),
        (
            "participation",
            "select community_id, cast(year as bigint), count(*) from participants \
            group by community_id, year"
                .to_string(),
            "select community_id, cast(year as bigint), participants from participation \
            where participants <> 0",
        ),
    ];
    for (name, live, kept) in pairs {
        let live = triples(db, &live).await?;
        let kept = triples(db, kept).await?;
        out.extend(
            live.symmetric_difference(&kept)
                .map(|d| format!("{name} {d:?}")),
        );
    }
    out.extend(activity_differences(db).await?);
    Ok(out)
}

async fn triples(db: &Db, sql: &str) -> Result<BTreeSet<(i64, i64, i64)>> {
    Ok(db::rows::<(i64, i64, i64)>(db, sql, args![])
        .await?
        .into_iter()
        .collect())
}

/// Residents of the communities under a path who attended in a year, per community.
pub async fn participants_by_community(db: &Db, under: &str, year: i32) -> Result<Vec<(i64, i64)>> {
    let sql = "select p.community_id, p.participants from participation p \
        join org_nodes c on c.id = p.community_id where c.path like $1 || '%' and p.year = $2";
    db::rows(db, sql, args![under, year]).await
}

/// Attended rows of the activities owned under a path, per month (YYYYMM) of a span of months.
pub async fn attendance_by_month(
    db: &Db,
    under: &str,
    from: i32,
    to: i32,
) -> Result<Vec<(i32, i64)>> {
    let sql = "select m.month, cast(sum(m.attendances) as bigint) from attendance_months m \
        join org_nodes o on o.id = m.owner_id where o.path like $1 || '%' \
        and m.month >= $2 and m.month <= $3 group by m.month order by m.month";
    db::rows(db, sql, args![under, from, to]).await
}

/// A place's year counted live with GROUP BY over the attendance, as it would be without the
/// roll-ups (what the benchmark times beside them): distinct participants per home community,
/// attended rows per month (YYYYMM).
pub async fn live_year(
    db: &Db,
    under: &str,
    year: i32,
) -> Result<(Vec<(i64, i64)>, Vec<(i32, i64)>)> {
    let y = Year(year);
    let sql = format!(
        "select r.community_id, count(distinct a.resident_id) from attendances a \
        join activities x on x.id = a.activity_id join residents r on r.id = a.resident_id \
        join org_nodes c on c.id = r.community_id where c.path like $1 || '%' \
        and x.starts_at >= $2 and x.starts_at < $3 and {ATTENDED} group by r.community_id"
    );
    let participants = db::rows(db, &sql, args![under, y.start(), y.end()]).await?;
    let month = month_sql(db.backend());
    let sql = format!(
        "select cast({month} as integer), count(*) from attendances a \
        join activities x on x.id = a.activity_id join org_nodes o on o.id = x.owner_id \
        where o.path like $1 || '%' and x.starts_at >= $2 and x.starts_at < $3 and {ATTENDED} \
        group by {month}"
    );
    let months = db::rows(db, &sql, args![under, y.start(), y.end()]).await?;
    Ok((participants, months))
}

/// The roll-ups of some owners' months and their communities' participants in a year against
/// the live count: one line per difference (empty when they agree).
pub async fn sample_differences(db: &Db, owners: &[i64], year: i32) -> Result<Vec<String>> {
    let y = Year(year);
    let month = month_sql(db.backend());
    let mut out = Vec::new();
    for owner in owners {
        let sql = format!(
            "select cast({month} as bigint), count(*) from attendances a \
            join activities x on x.id = a.activity_id where x.owner_id = $1 \
            and x.starts_at >= $2 and x.starts_at < $3 and {ATTENDED} group by {month}"
        );
        let live: BTreeSet<(i64, i64)> = db::rows(db, &sql, args![*owner, y.start(), y.end()])
            .await?
            .into_iter()
            .collect();
        let kept: BTreeSet<(i64, i64)> = db::rows(
            db,
            "select cast(month as bigint), attendances from attendance_months \
            where owner_id = $1 and month >= $2 and month <= $3 and attendances <> 0",
            args![*owner, year * 100 + 1, year * 100 + 12],
        )
        .await?
        .into_iter()
        .collect();
        out.extend(
            live.symmetric_difference(&kept)
                .map(|d| format!("owner {owner} month {d:?}")),
        );
        let sql = format!(
            "select count(distinct a.resident_id) from attendances a \
            join activities x on x.id = a.activity_id join residents r on r.id = a.resident_id \
            where r.community_id = (select parent_id from org_nodes where id = $1) \
            and x.starts_at >= $2 and x.starts_at < $3 and {ATTENDED}"
        );
        let live: i64 = db::scalar(db, &sql, args![*owner, y.start(), y.end()]).await?;
        let kept: Option<i64> = db::scalar_opt(
            db,
            "select participants from participation \
            where community_id = (select parent_id from org_nodes where id = $1) and year = $2",
            args![*owner, year],
        )
        .await?;
        if live != kept.unwrap_or(0) {
            out.push(format!(
                "owner {owner}: {live} participants live, {kept:?} kept"
            ));
        }
    }
    Ok(out)
}
