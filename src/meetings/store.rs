//! Meetings' SQL.

use chrono::{DateTime, NaiveDate, Utc};

use super::{Attendee, Decision, Meeting, MeetingKind};
use crate::args;
use crate::db::{self, Db, Tx};
use crate::error::Result;

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    town_id: i64,
    town_path: String,
    group_name: String,
    kind: MeetingKind,
    held_on: NaiveDate,
    place: String,
    agenda: String,
    minutes: Option<String>,
}

impl Row {
    fn meeting(self) -> Meeting {
        Meeting {
            id: self.id,
            town_id: self.town_id,
            town_path: self.town_path,
            group_name: self.group_name,
            kind: self.kind,
            held_on: self.held_on,
            place: self.place,
            agenda: self.agenda,
            minutes: self.minutes,
            attendees: Vec::new(),
            decisions: Vec::new(),
            scans: Vec::new(),
        }
    }
}

const MEETING: &str = "select m.id, m.town_id, m.town_path, g.name as group_name, m.kind, m.held_on, \
    m.place, m.agenda, m.minutes from meetings m join org_nodes g on g.id = m.group_id";

pub(super) async fn meeting(db: &Db, id: i64) -> Result<Option<Meeting>> {
    let r: Option<Row> = db::row_opt(db, &format!("{MEETING} where m.id = $1"), args![id]).await?;
    Ok(r.map(Row::meeting))
}

pub(super) async fn of_year(db: &Db, town_id: i64, year: i32) -> Result<Vec<Meeting>> {
    let (from, until) = (
        NaiveDate::from_ymd_opt(year, 1, 1),
        NaiveDate::from_ymd_opt(year + 1, 1, 1),
    );
    let sql = format!(
        "{MEETING} where m.town_id = $1 and m.held_on >= $2 and m.held_on < $3 \
        order by m.held_on desc, m.id desc"
    );
    let rows: Vec<Row> = db::rows(db, &sql, args![town_id, from, until]).await?;
    Ok(rows.into_iter().map(Row::meeting).collect())
}

pub(super) async fn attendees(db: &Db, id: i64) -> Result<Vec<Attendee>> {
    let sql = "select member_id, name, present from meeting_attendees where meeting_id = $1 \
        order by present desc, member_id";
    db::rows(db, sql, args![id]).await
}

pub(super) async fn decisions(db: &Db, id: i64) -> Result<Vec<Decision>> {
    let sql = "select id, decision, owner, due_on, done_at, done_note from meeting_decisions \
        where meeting_id = $1 order by position";
    db::rows(db, sql, args![id]).await
}

/// The values of a new meeting.
pub(super) struct NewMeeting<'a> {
    pub town: (i64, &'a str),
    pub group_id: i64,
    pub kind: MeetingKind,
    pub held_on: NaiveDate,
    pub place: &'a str,
    pub agenda: &'a str,
    pub minutes: Option<&'a str>,
}

pub(super) async fn insert(
    tx: &mut Tx,
    m: &NewMeeting<'_>,
    by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<i64> {
    let sql = "insert into meetings (town_id, town_path, group_id, kind, held_on, place, agenda, \
        minutes, created_by, created_at) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) returning id";
    let args = args![
        m.town.0,
        m.town.1,
        m.group_id,
        m.kind.as_str(),
        m.held_on,
        m.place,
        m.agenda,
        m.minutes,
        by,
        now
    ];
    db::scalar(&mut *tx, sql, args).await
}

pub(super) async fn insert_attendee(
    tx: &mut Tx,
    meeting: i64,
    member: i64,
    name: &str,
    present: bool,
) -> Result<()> {
    let sql = "insert into meeting_attendees (meeting_id, member_id, name, present) values ($1, $2, $3, $4)";
    db::exec(&mut *tx, sql, args![meeting, member, name, present]).await?;
    Ok(())
}

pub(super) async fn insert_decision(
    tx: &mut Tx,
    meeting: i64,
    position: i32,
    decision: &str,
    owner: &str,
    due: Option<NaiveDate>,
) -> Result<()> {
    let sql = "insert into meeting_decisions (meeting_id, position, decision, owner, due_on) \
        values ($1, $2, $3, $4, $5)";
    db::exec(
        &mut *tx,
        sql,
        args![meeting, position, decision, owner, due],
    )
    .await?;
    Ok(())
}

/// Marks a follow-up done; false when it was done already.
pub(super) async fn mark_done(
    tx: &mut Tx,
    id: i64,
    note: &str,
    now: DateTime<Utc>,
) -> Result<bool> {
    let sql = "update meeting_decisions set done_at = $1, done_note = $2 where id = $3 and done_at is null";
    Ok(db::exec(&mut *tx, sql, args![now, note, id]).await? == 1)
}

pub(super) async fn leadership_by_town(
    db: &Db,
    under: &str,
    year: i32,
) -> Result<Vec<(String, i64)>> {
    let (from, until) = (
        NaiveDate::from_ymd_opt(year, 1, 1),
        NaiveDate::from_ymd_opt(year + 1, 1, 1),
    );
    let sql = "select town_path, count(*) from meetings where town_path like $1 || '%' \
        and kind = 'leadership' and held_on >= $2 and held_on < $3 group by town_path";
    db::rows(db, sql, args![under, from, until]).await
}
