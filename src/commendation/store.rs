//! Commendation's SQL: rounds and their categories, nominations, the nominee's record.

use chrono::{DateTime, NaiveDate, Utc};

use super::rules::{NomineeKind, Status};
use super::{AwardCategory, Record, Round, RoundCategory};
use crate::args;
use crate::db::{self, Conn, Db, Tx};
use crate::error::Result;

const ROUND: &str = "select r.id, r.town_id, r.town_path, n.name as town_name, r.year, r.title, \
    r.deadline, r.published_at from award_rounds r join org_nodes n on n.id = r.town_id";

pub(super) async fn round(conn: impl Into<Conn<'_>>, id: i64) -> Result<Option<Round>> {
    db::row_opt(conn, &format!("{ROUND} where r.id = $1"), args![id]).await
}

pub(super) async fn rounds(db: &Db, scope: &str) -> Result<Vec<Round>> {
    let sql = format!("{ROUND} where r.town_path like $1 order by r.year desc, r.id desc");
    db::rows(db, &sql, args![format!("{scope}%")]).await
}

pub(super) async fn insert_round(
    tx: &mut Tx,
    town: (i64, &str),
    year: i32,
    title: &str,
    deadline: NaiveDate,
    now: DateTime<Utc>,
) -> Result<i64> {
    let sql = "insert into award_rounds (town_id, town_path, year, title, deadline, created_at) \
        values ($1, $2, $3, $4, $5, $6) returning id";
    db::scalar(
        &mut *tx,
        sql,
        args![town.0, town.1, year, title, deadline, now],
    )
    .await
}

pub(super) async fn insert_category(
    tx: &mut Tx,
    round: i64,
    code: &str,
    quota: i64,
    reward: i64,
) -> Result<()> {
    let sql = "insert into award_categories (round_id, category, quota, reward_fen) values ($1, $2, $3, $4)";
    db::exec(&mut *tx, sql, args![round, code, quota, reward]).await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct CategoryRow {
    category: String,
    name: Option<String>,
    nominee_kind: Option<NomineeKind>,
    quota: i64,
    reward_fen: i64,
    nominated: i64,
    approved: i64,
}

pub(super) async fn categories(
    conn: impl Into<Conn<'_>>,
    round: i64,
    district_id: i64,
) -> Result<Vec<RoundCategory>> {
    let sql = "select c.category, d.name, d.nominee_kind, cast(c.quota as bigint) as quota, c.reward_fen, \
        (select count(*) from nominations m where m.round_id = c.round_id and m.category = c.category) as nominated, \
        (select count(*) from nominations m where m.round_id = c.round_id and m.category = c.category \
         and m.status = 'approved') as approved \
        from award_categories c left join commendation_categories d on d.district_id = $2 \
        and d.code = c.category where c.round_id = $1 order by d.sort, c.category";
    let found: Vec<CategoryRow> = db::rows(conn, sql, args![round, district_id]).await?;
    Ok(found
        .into_iter()
        .map(|c| RoundCategory {
            name: c.name.unwrap_or_else(|| c.category.clone()),
            nominee_kind: c.nominee_kind.unwrap_or(NomineeKind::Unit),
            category: c.category,
            quota: c.quota,
            reward_fen: c.reward_fen,
            nominated: c.nominated,
            approved: c.approved,
        })
        .collect())
}

pub(super) async fn publish(tx: &mut Tx, id: i64, now: DateTime<Utc>) -> Result<bool> {
    let sql = "update award_rounds set published_at = $1 where id = $2 and published_at is null";
    Ok(db::exec(&mut *tx, sql, args![now, id]).await? == 1)
}

/// A nomination as stored.
#[derive(Clone, Debug, sqlx::FromRow)]
pub(super) struct NominationRow {
    pub id: i64,
    pub round_id: i64,
    pub category: String,
    pub nominee_kind: super::NomineeKind,
    pub nominee_id: Option<i64>,
    pub nominee_name: String,
    pub node_path: String,
    pub deeds: String,
    pub record: String,
    pub status: Status,
    pub review_note: Option<String>,
    pub expense_id: Option<i64>,
}

const NOMINATION: &str = "select id, round_id, category, nominee_kind, nominee_id, nominee_name, \
    node_path, deeds, record, status, review_note, expense_id from nominations";

pub(super) async fn nomination(
    conn: impl Into<Conn<'_>>,
    id: i64,
) -> Result<Option<NominationRow>> {
    db::row_opt(conn, &format!("{NOMINATION} where id = $1"), args![id]).await
}

pub(super) async fn nominations(
    conn: impl Into<Conn<'_>>,
    round: i64,
) -> Result<Vec<NominationRow>> {
    let sql = format!("{NOMINATION} where round_id = $1 order by category, id");
    db::rows(conn, &sql, args![round]).await
}

/// The values of a new nomination.
pub(super) struct NewNomination<'a> {
    pub round: i64,
    pub category: &'a str,
    pub kind: super::NomineeKind,
    pub nominee_id: Option<i64>,
    pub key: &'a str,
    pub name: &'a str,
    pub path: &'a str,
    pub deeds: &'a str,
    pub record: &'a str,
}

pub(super) async fn insert_nomination(
    tx: &mut Tx,
    n: &NewNomination<'_>,
    by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<i64> {
    let sql = "insert into nominations (round_id, category, nominee_kind, nominee_id, nominee_key, \
        nominee_name, node_path, deeds, record, status, created_by, created_at, updated_at) \
        values ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'submitted', $10, $11, $11) returning id";
    let args = args![
        n.round,
        n.category,
        n.kind.as_str(),
        n.nominee_id,
        n.key,
        n.name,
        n.path,
        n.deeds,
        n.record,
        by,
        now
    ];
    db::scalar(&mut *tx, sql, args).await
}

/// Moves a nomination from one status to another (compare-and-set); false when it was no longer
/// in `from`.
pub(super) async fn set_status(
    tx: &mut Tx,
    id: i64,
    from: Status,
    to: Status,
    note: Option<&str>,
    by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<bool> {
    let sql = "update nominations set status = $1, review_note = coalesce($2, review_note), \
        decided_by = $3, updated_at = $4 where id = $5 and status = $6";
    let args = args![to.as_str(), note, by, now, id, from.as_str()];
    Ok(db::exec(&mut *tx, sql, args).await? == 1)
}

pub(super) async fn set_expense(tx: &mut Tx, id: i64, expense: i64) -> Result<()> {
    db::exec(
        &mut *tx,
        "update nominations set expense_id = $1 where id = $2",
        args![expense, id],
    )
    .await?;
    Ok(())
}

pub(super) async fn approved_in(tx: &mut Tx, round: i64, code: &str) -> Result<i64> {
    let sql = "select count(*) from nominations where round_id = $1 and category = $2 and status = 'approved'";
    db::scalar(&mut *tx, sql, args![round, code]).await
}

/// A building's name and community.
pub(super) async fn building(db: &Db, id: i64) -> Result<Option<(String, i64)>> {
    #[derive(sqlx::FromRow)]
    struct B {
        name: String,
        community_id: i64,
    }
    let b: Option<B> = db::row_opt(
        db,
        "select name, community_id from buildings where id = $1",
        args![id],
    )
    .await?;
    Ok(b.map(|b| (b.name, b.community_id)))
}

#[derive(sqlx::FromRow)]
struct Attended {
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
}

/// The record of residents (one, a household's or a building's members) in a span.
pub(super) async fn residents_record(
    db: &Db,
    which: &str,
    id: i64,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<Record> {
    let members_of = match which {
        "household" => "select id from residents where household_id = $1 and erased_at is null",
        "building" => "select id from residents where building_id = $1 and erased_at is null",
        _ => "select id from residents where id = $1 and erased_at is null",
    };
    let members: i64 = db::scalar(
        db,
        &format!("select count(*) from ({members_of}) m"),
        args![id],
    )
    .await?;
    let sql = format!(
        "select a.starts_at, a.ends_at from attendances t join activities a on a.id = t.activity_id \
        where t.resident_id in ({members_of}) and t.status in ('present', 'late') \
        and a.starts_at >= $2 and a.starts_at < $3"
    );
    let attended: Vec<Attended> = db::rows(db, &sql, args![id, from, until]).await?;
    let ratings: i64 = db::scalar(
        db,
        &format!(
            "select count(*) from ratings r join activities a on a.id = r.activity_id \
            where r.resident_id in ({members_of}) and a.starts_at >= $2 and a.starts_at < $3"
        ),
        args![id, from, until],
    )
    .await?;
    Ok(Record {
        members,
        activities_attended: attended.len() as i64,
        minutes_attended: attended
            .iter()
            .map(|a| (a.ends_at - a.starts_at).num_minutes())
            .sum(),
        ratings_given: ratings,
        ..Record::default()
    })
}

/// The record of a community: activities its centres held in a span and their participants.
pub(super) async fn community_record(
    db: &Db,
    path: &str,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<Record> {
    let held: i64 = db::scalar(
        db,
        "select count(*) from activities a join org_nodes o on o.id = a.owner_id where o.path like $1 \
        and a.status in ('held', 'documented', 'archived') and a.starts_at >= $2 and a.starts_at < $3",
        args![format!("{path}%"), from, until],
    )
    .await?;
    let participants: i64 = db::scalar(
        db,
        "select count(distinct t.resident_id) from attendances t join activities a on a.id = t.activity_id \
        join org_nodes o on o.id = a.owner_id where o.path like $1 and a.starts_at >= $2 and a.starts_at < $3",
        args![format!("{path}%"), from, until],
    )
    .await?;
    Ok(Record {
        activities_held: held,
        participants,
        ..Record::default()
    })
}

const DICTIONARY: &str = "select id, code, name, nominee_kind, active from commendation_categories";

/// A district's categories, retired ones too, in the dictionary's order.
pub(super) async fn dictionary(
    conn: impl Into<Conn<'_>>,
    district_id: i64,
) -> Result<Vec<AwardCategory>> {
    let sql = format!("{DICTIONARY} where district_id = $1 order by sort, id");
    db::rows(conn, &sql, args![district_id]).await
}

pub(super) async fn insert_dictionary(
    tx: &mut Tx,
    district_id: i64,
    code: &str,
    name: &str,
    kind: NomineeKind,
    sort: i64,
) -> Result<i64> {
    let sql = "insert into commendation_categories (district_id, code, name, nominee_kind, sort, \
        active) values ($1, $2, $3, $4, $5, true) returning id";
    let args = args![district_id, code, name, kind.as_str(), sort as i32];
    db::scalar(&mut *tx, sql, args).await
}

pub(super) async fn update_dictionary(
    tx: &mut Tx,
    id: i64,
    name: &str,
    kind: NomineeKind,
    active: bool,
) -> Result<()> {
    let sql = "update commendation_categories set name = $1, nominee_kind = $2, active = $3 \
        where id = $4";
    db::exec(&mut *tx, sql, args![name, kind.as_str(), active, id]).await?;
    Ok(())
}

/// True when a round of a town of the district has the category.
pub(super) async fn category_in_use(tx: &mut Tx, district_path: &str, code: &str) -> Result<bool> {
    let sql = "select count(*) from award_categories c join award_rounds r on r.id = c.round_id \
        where c.category = $1 and r.town_path like $2";
    let n: i64 = db::scalar(&mut *tx, sql, args![code, format!("{district_path}%")]).await?;
    Ok(n > 0)
}
