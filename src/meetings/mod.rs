//! Leadership group and office meetings (领导小组会议, 例会; Q三(一)1, Q五(二)): date, place, the
//! attendees from the group's members (the rest are absentees), agenda, minutes (纪要) with the
//! decisions and the follow-up of each (who, by when, done), the signed minutes as a scan. The
//! year's count is kept against the plan: the leadership group meets 1–2 times a year.
//! Invariants: attendees are members of the meeting's group; a meeting is dated in the past or
//! today; a follow-up is marked done once, with a note. The office (`meetings:write`) records;
//! leadership and district read (`meetings:read`).

mod store;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::access::{Actor, Permission};
use crate::attachments::{self, Attachment, Subject};
use crate::audit::{self, Entry};
use crate::calendar::Day;
use crate::db::Db;
use crate::error::{Error, FieldErrors, Msg, Result};
use crate::org::{self, Kind, Node};
use crate::text;

/// The subject type of a meeting in the audit log and of its scans.
pub const MEETING: &str = "meeting";

/// How many times the leadership group meets a year (Q三(一)1).
pub const LEADERSHIP_PER_YEAR: (i64, i64) = (1, 2);

crate::text_enum! {
    /// Whose meeting.
    pub enum MeetingKind {
        /// 领导小组会议
        Leadership = "leadership",
        /// 办公室例会
        Office = "office",
    }
}

/// A member of the group and whether they came.
#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Attendee {
    pub member_id: i64,
    pub name: String,
    pub present: bool,
}

/// A decision of the minutes and its follow-up (schema name `MeetingDecision`: `Decision` is an
/// account request's).
pub type Decision = MeetingDecision;

/// A decision of the minutes and its follow-up.
#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct MeetingDecision {
    pub id: i64,
    pub decision: String,
    /// Who carries it out.
    pub owner: String,
    pub due_on: Option<NaiveDate>,
    pub done_at: Option<DateTime<Utc>>,
    pub done_note: Option<String>,
}

/// A meeting.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Meeting {
    pub id: i64,
    pub town_id: i64,
    #[serde(skip)]
    pub town_path: String,
    pub group_name: String,
    pub kind: MeetingKind,
    pub held_on: NaiveDate,
    pub place: String,
    pub agenda: String,
    pub minutes: Option<String>,
    pub attendees: Vec<Attendee>,
    pub decisions: Vec<Decision>,
    /// The signed minutes (filled when one meeting is read).
    pub scans: Vec<Attachment>,
}

/// A town's meetings of a year, with the count against the plan.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct MeetingsYear {
    pub town_id: i64,
    pub town_name: String,
    pub year: i32,
    pub leadership_meetings: i64,
    pub office_meetings: i64,
    /// The leadership group has met fewer times than the plan's 1 so far.
    pub leadership_below_plan: bool,
    pub meetings: Vec<Meeting>,
}

/// A decision as typed.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct DecisionInput {
    pub decision: String,
    pub owner: String,
    /// YYYY-MM-DD, optional.
    pub due_on: Option<String>,
}

/// A meeting as recorded.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct MeetingInput {
    pub town_id: i64,
    /// leadership or office
    pub kind: String,
    /// YYYY-MM-DD, today or earlier.
    pub held_on: String,
    pub place: String,
    pub agenda: String,
    pub minutes: Option<String>,
    /// The members of the group who came (the others are absentees).
    pub present: Vec<i64>,
    pub decisions: Vec<DecisionInput>,
}

/// The group whose meeting a kind is: the town's leadership group, or its office (the town school
/// where the town has no office group).
async fn group_of(db: &Db, town: &Node, kind: MeetingKind) -> Result<Node> {
    let subtype = match kind {
        MeetingKind::Leadership => "leadership",
        MeetingKind::Office => "office",
    };
    let all = org::nodes_under(db, &town.path, &[Kind::Group, Kind::School]).await?;
    let found = all
        .iter()
        .find(|n| n.kind() == Kind::Group && n.subtype.as_deref() == Some(subtype))
        .or_else(|| {
            (kind == MeetingKind::Office)
                .then(|| all.iter().find(|n| n.kind() == Kind::School))
                .flatten()
        });
    found
        .cloned()
        .ok_or_else(|| Error::invalid("kind", Msg::new("meetings.no_group")))
}

/// Records a meeting with its attendees, decisions and minutes (the office).
pub async fn record(db: &Db, actor: &Actor, input: &MeetingInput) -> Result<Meeting> {
    actor.require(Permission::MeetingsWrite)?;
    let town = org::town_for(db, actor, Some(input.town_id)).await?;
    actor.require_sees(&town.path)?;
    let mut fe = FieldErrors::default();
    let kind = MeetingKind::parse(input.kind.trim());
    if kind.is_none() {
        fe.add("kind", Msg::new("field.choose"));
    }
    let held_on = match Day::parse(input.held_on.trim()) {
        Some(d) if d > Day::today() => {
            fe.add("held_on", Msg::new("meetings.in_future"));
            None
        }
        Some(d) => Some(d),
        None => {
            fe.add("held_on", Msg::new("field.date_format"));
            None
        }
    };
    let place = text::required(&mut fe, "place", &input.place, text::max::PLACE);
    let agenda = text::required_multiline(&mut fe, "agenda", &input.agenda, text::max::DESCRIPTION);
    let minutes = text::optional_multiline(
        &mut fe,
        "minutes",
        input.minutes.as_deref(),
        text::max::DESCRIPTION,
    );
    let mut decisions = Vec::new();
    for d in input
        .decisions
        .iter()
        .filter(|d| !d.decision.trim().is_empty())
    {
        let decision = text::required(&mut fe, "decisions", &d.decision, text::max::TITLE);
        let owner = text::required(&mut fe, "decisions", &d.owner, text::max::NAME);
        let due = match d.due_on.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(s) => match Day::parse(s) {
                Some(day) => Some(day.0),
                None => {
                    fe.add("decisions", Msg::new("field.date_format"));
                    None
                }
            },
            None => None,
        };
        decisions.push((decision, owner, due));
    }
    let (Some(kind), Some(held_on), true) = (kind, held_on, fe.is_empty()) else {
        return Err(Error::Invalid(fe));
    };
    let group = group_of(db, &town, kind).await?;
    let members = org::members(db, &Actor::command_line(), group.id).await?;
    if let Some(stranger) = input
        .present
        .iter()
        .find(|id| !members.iter().any(|m| m.id == **id))
    {
        return Err(Error::invalid(
            "present",
            Msg::new("meetings.not_a_member").arg("id", stranger),
        ));
    }
    let mut tx = db.begin().await?;
    let new = store::NewMeeting {
        town: (town.id, &town.path),
        group_id: group.id,
        kind,
        held_on: held_on.0,
        place: &place,
        agenda: &agenda,
        minutes: minutes.as_deref(),
    };
    let id = store::insert(&mut tx, &new, actor.user_id, Utc::now()).await?;
    for m in &members {
        store::insert_attendee(&mut tx, id, m.id, &m.name, input.present.contains(&m.id)).await?;
    }
    for (i, (decision, owner, due)) in decisions.iter().enumerate() {
        store::insert_decision(&mut tx, id, i as i32 + 1, decision, owner, *due).await?;
    }
    let came = members
        .iter()
        .filter(|m| input.present.contains(&m.id))
        .count();
    let after = json!({"kind": kind.as_str(), "date": held_on.0, "place": place,
        "present": came, "absent": members.len() - came, "decisions": decisions.len()});
    audit::record(
        &mut tx,
        actor,
        Entry::of("meetings.recorded", MEETING, Some(id), &town.path).after(after),
    )
    .await?;
    tx.commit().await?;
    get(db, actor, id).await
}

/// One meeting, for whoever reads the town's meetings.
pub async fn get(db: &Db, actor: &Actor, id: i64) -> Result<Meeting> {
    actor.require(Permission::MeetingsRead)?;
    let mut m = store::meeting(db, id).await?.ok_or(Error::NotFound)?;
    actor.require_sees(&m.town_path)?;
    m.attendees = store::attendees(db, id).await?;
    m.decisions = store::decisions(db, id).await?;
    m.scans = attachments::of(db, MEETING, id).await?;
    Ok(m)
}

/// A town's meetings of a year, newest first, with the counts against the plan.
pub async fn year(db: &Db, actor: &Actor, town_id: Option<i64>, year: i32) -> Result<MeetingsYear> {
    actor.require(Permission::MeetingsRead)?;
    if !(2000..=2100).contains(&year) {
        return Err(Error::NotFound);
    }
    let town = org::town_for(db, actor, town_id).await?;
    actor.require_sees(&town.path)?;
    let mut meetings = store::of_year(db, town.id, year).await?;
    for m in &mut meetings {
        m.attendees = store::attendees(db, m.id).await?;
        m.decisions = store::decisions(db, m.id).await?;
    }
    let count = |k: MeetingKind| meetings.iter().filter(|m| m.kind == k).count() as i64;
    let leadership = count(MeetingKind::Leadership);
    Ok(MeetingsYear {
        town_id: town.id,
        town_name: town.name,
        year,
        leadership_meetings: leadership,
        office_meetings: count(MeetingKind::Office),
        leadership_below_plan: leadership < LEADERSHIP_PER_YEAR.0,
        meetings,
    })
}

/// The leadership group meetings held under a path in a year per town: (town path, meetings),
/// without a scope check (the KPIs check the reader's).
pub async fn leadership_by_town(db: &Db, under: &str, year: i32) -> Result<Vec<(String, i64)>> {
    store::leadership_by_town(db, under, year).await
}

/// Marks a decision's follow-up done, with a note (the office).
pub async fn follow_up(
    db: &Db,
    actor: &Actor,
    id: i64,
    decision_id: i64,
    note: &str,
) -> Result<Meeting> {
    actor.require(Permission::MeetingsWrite)?;
    let m = get(db, actor, id).await?;
    if !m.decisions.iter().any(|d| d.id == decision_id) {
        return Err(Error::invalid("decision_id", Msg::new("field.choose")));
    }
    let mut fe = FieldErrors::default();
    let note = text::required(&mut fe, "note", note, text::max::NOTE);
    fe.into_result()?;
    let mut tx = db.begin().await?;
    if !store::mark_done(&mut tx, decision_id, &note, Utc::now()).await? {
        return Err(Error::Conflict(Msg::new("meetings.done_already")));
    }
    audit::record(
        &mut tx,
        actor,
        Entry::of("meetings.followed_up", MEETING, Some(id), &m.town_path)
            .after(json!({"decision_id": decision_id, "note": note})),
    )
    .await?;
    tx.commit().await?;
    get(db, actor, id).await
}

/// Attaches the scan of the signed minutes (the office).
pub async fn attach_scan(
    db: &Db,
    actor: &Actor,
    id: i64,
    name: &str,
    bytes: Vec<u8>,
) -> Result<Meeting> {
    actor.require(Permission::MeetingsWrite)?;
    let m = get(db, actor, id).await?;
    let f = attachments::prepare(
        "file",
        name,
        bytes,
        attachments::DOCUMENT_TYPES,
        attachments::DOCUMENT,
    )
    .await?;
    let now = Utc::now();
    let mut tx = db.begin().await?;
    let subject = Subject {
        kind: MEETING,
        id,
        path: &m.town_path,
    };
    let file_id = attachments::attach(&mut tx, subject, &f, actor.user_id, now).await?;
    audit::record(
        &mut tx,
        actor,
        Entry::of("meetings.scan_attached", MEETING, Some(id), &m.town_path)
            .after(json!({"file": f.file_name, "sha256": f.sha256, "attachment_id": file_id})),
    )
    .await?;
    tx.commit().await?;
    get(db, actor, id).await
}

/// A scan of signed minutes, for whoever reads the meeting.
pub async fn scan(db: &Db, actor: &Actor, file_id: i64) -> Result<(Attachment, Vec<u8>)> {
    require_scan(db, actor, file_id).await?;
    Ok((
        attachments::meta(db, file_id).await?,
        attachments::body(db, file_id).await?,
    ))
}

/// 404 unless the file is a scan of a meeting the actor reads.
pub async fn require_scan(db: &Db, actor: &Actor, file_id: i64) -> Result<()> {
    let meta = attachments::meta(db, file_id).await?;
    if meta.subject_type != MEETING {
        return Err(Error::NotFound);
    }
    get(db, actor, meta.subject_id).await.map(|_| ())
}

/// How the audit log names a meeting: by its place.
pub const AUDIT_NAMES: &[crate::audit::view::Namer] = &[crate::audit::view::Namer::plain(
    MEETING, "meetings", "place",
)];
