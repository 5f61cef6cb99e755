//! Enrolment in activities (报名): staff enrol residents of their scope in a published activity;
//! within capacity they are enrolled, beyond it they wait in order, and a cancellation moves the
//! first waiting resident up in the same transaction. Invariants: a resident holds at most one
//! active enrolment per activity; the enrolled never exceed the capacity, also when two people take
//! the last seat at once (each enrolment first takes the activity's row lock, so they are
//! serialised on both databases).
//!
//! Check-in (签到): a rotating QR code per activity ([`rules`]); a resident scans it, identifies by
//! mobile number (a walk-in gives a name and becomes a resident of a community of the town) and is
//! recorded once — a second scan answers "already checked in". QR check-ins go through the
//! [`CheckinDesk`]'s group commit. Staff mark attendance by hand (present / late / excused /
//! absent), record head counts of open lectures and print paper sign-in sheets to enter afterwards.
//! Residents who attended rate the activity (1–5 with an optional comment).

mod desk;
pub mod rules;
mod store;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

pub use desk::{CheckinDesk, DeskFigures, Written};
pub use rules::AttendanceStatus;

use crate::access::{Actor, Permission};
use crate::activities::{self, Status};
use crate::audit::{self, Entry};
use crate::db::Db;
use crate::error::{Error, Msg, Result};
use crate::org;
use crate::people;
use crate::people::rules::mask_name;

/// An enrolment as lists show it (the phone masked).
#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Enrolment {
    pub id: i64,
    pub activity_id: i64,
    pub resident_id: i64,
    pub resident_name: String,
    /// Masked.
    pub phone: Option<String>,
    /// enrolled, waiting or cancelled
    pub status: String,
    pub created_at: DateTime<Utc>,
}

/// A resident's enrolment as their page shows it.
#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct ResidentEnrolment {
    pub id: i64,
    pub activity_id: i64,
    pub title: String,
    pub starts_at: DateTime<Utc>,
    pub owner_name: String,
    pub status: String,
}

/// Enrols a resident (by id) in an activity; returns the enrolment, enrolled or waiting.
pub async fn enrol(
    db: &Db,
    actor: &Actor,
    activity_id: i64,
    resident_id: i64,
) -> Result<Enrolment> {
    actor.require(Permission::PeopleWrite)?;
    let activity = activities::get(db, actor, activity_id).await?;
    if activity.status() != Status::Published {
        return Err(Error::Conflict(Msg::new("attendance.not_open")));
    }
    let resident = people::get_resident(db, actor, resident_id).await?;
    if resident.erased {
        return Err(Error::NotFound);
    }
    write_enrolment(
        db,
        actor,
        activity_id,
        &activity.owner_path,
        activity.capacity,
        resident_id,
    )
    .await
}

/// The enrolment itself: under the activity's row lock, once per resident, within capacity or
/// waiting.
async fn write_enrolment(
    db: &Db,
    actor: &Actor,
    activity_id: i64,
    owner_path: &str,
    capacity: Option<i32>,
    resident_id: i64,
) -> Result<Enrolment> {
    let mut tx = db.begin().await?;
    // The activity's row lock serialises enrolments of one activity (last-seat races).
    store::lock_activity(&mut tx, activity_id).await?;
    if store::active_enrolment(&mut tx, activity_id, resident_id)
        .await?
        .is_some()
    {
        return Err(Error::Conflict(Msg::new("attendance.already_enrolled")));
    }
    let enrolled = store::count_enrolled(&mut tx, activity_id).await?;
    let status = match capacity {
        Some(c) if enrolled >= i64::from(c) => "waiting",
        _ => "enrolled",
    };
    let id = store::insert(&mut tx, activity_id, resident_id, status, Utc::now()).await?;
    audit::record(
        &mut tx,
        actor,
        Entry {
            action: "attendance.enrolled",
            subject_type: "enrolment",
            subject_id: Some(id),
            node_path: owner_path,
            before: None,
            after: Some(
                json!({"activity_id": activity_id, "resident_id": resident_id, "status": status}),
            ),
            result: "ok",
        },
    )
    .await?;
    tx.commit().await?;
    store::get(db, id).await?.ok_or(Error::NotFound)
}

/// Enrols the resident with this mobile number (inside the actor's scope).
pub async fn enrol_by_phone(
    db: &Db,
    actor: &Actor,
    activity_id: i64,
    phone: &str,
) -> Result<Enrolment> {
    let phone = people::rules::parse_phone(phone).map_err(|m| Error::invalid("phone", m))?;
    let a = activities::get(db, actor, activity_id).await?;
    let resident = people::find_by_phone(db, actor, a.town_id, &phone)
        .await?
        .ok_or_else(|| Error::invalid("phone", Msg::new("attendance.phone_unknown")))?;
    enrol(db, actor, activity_id, resident).await
}

/// 404 unless the enrolment's activity lies inside the actor's scope.
pub async fn require_enrolment(db: &Db, actor: &Actor, enrolment_id: i64) -> Result<()> {
    let e = store::get(db, enrolment_id).await?.ok_or(Error::NotFound)?;
    activities::get(db, actor, e.activity_id).await.map(|_| ())
}

/// Cancels an enrolment; when it held a seat, the first waiting resident moves up.
pub async fn cancel(db: &Db, actor: &Actor, enrolment_id: i64) -> Result<Option<Enrolment>> {
    actor.require(Permission::PeopleWrite)?;
    let e = store::get(db, enrolment_id).await?.ok_or(Error::NotFound)?;
    let activity = activities::get(db, actor, e.activity_id).await?;
    let mut tx = db.begin().await?;
    store::lock_activity(&mut tx, e.activity_id).await?;
    let before = store::status_tx(&mut tx, enrolment_id)
        .await?
        .ok_or(Error::NotFound)?;
    if before == "cancelled" {
        return Err(Error::Conflict(Msg::new("attendance.already_cancelled")));
    }
    let now = Utc::now();
    store::set_status(&mut tx, enrolment_id, "cancelled", now).await?;
    audit::record(
        &mut tx,
        actor,
        Entry {
            action: "attendance.cancelled",
            subject_type: "enrolment",
            subject_id: Some(enrolment_id),
            node_path: &activity.owner_path,
            before: Some(json!({"status": before})),
            after: Some(json!({"status": "cancelled"})),
            result: "ok",
        },
    )
    .await?;
    let mut promoted = None;
    if before == "enrolled"
        && let Some(next) = store::first_waiting(&mut tx, e.activity_id).await?
    {
        store::set_status(&mut tx, next, "enrolled", now).await?;
        audit::record(
            &mut tx,
            actor,
            Entry {
                action: "attendance.promoted",
                subject_type: "enrolment",
                subject_id: Some(next),
                node_path: &activity.owner_path,
                before: Some(json!({"status": "waiting"})),
                after: Some(json!({"status": "enrolled"})),
                result: "ok",
            },
        )
        .await?;
        promoted = Some(next);
    }
    tx.commit().await?;
    match promoted {
        Some(id) => Ok(store::get(db, id).await?),
        None => Ok(None),
    }
}

/// The enrolled and waiting residents of an activity, in order.
pub async fn list(db: &Db, actor: &Actor, activity_id: i64) -> Result<Vec<Enrolment>> {
    actor.require(Permission::PeopleRead)?;
    let a = activities::get(db, actor, activity_id).await?;
    store::list(db, a.id).await
}

/// A resident's enrolments, newest activity first.
pub async fn of_resident(
    db: &Db,
    actor: &Actor,
    resident_id: i64,
) -> Result<Vec<ResidentEnrolment>> {
    let r = people::get_resident(db, actor, resident_id).await?;
    store::of_resident(db, r.id).await
}

/// What check-in knows of an activity.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct DeskActivity {
    pub id: i64,
    pub title: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub venue: Option<String>,
    pub status: String,
    pub checkin_secret: Option<String>,
    pub town_id: i64,
    pub capacity: Option<i32>,
    pub owner_name: String,
    pub owner_path: String,
    pub owner_kind: String,
    pub owner_parent_id: Option<i64>,
}

/// What a resident's phone shows of the activity they check in to.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct PublicActivity {
    pub id: i64,
    pub title: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub venue: Option<String>,
    pub place: String,
}

impl From<&DeskActivity> for PublicActivity {
    fn from(a: &DeskActivity) -> PublicActivity {
        PublicActivity {
            id: a.id,
            title: a.title.clone(),
            starts_at: a.starts_at,
            ends_at: a.ends_at,
            venue: a.venue.clone(),
            place: a.owner_name.clone(),
        }
    }
}

/// The check-in form a scanned code opens.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct CheckinForm {
    pub activity: PublicActivity,
    /// Sent back with the form (valid 15 minutes).
    pub ticket: String,
    /// Communities of the town a walk-in may choose, as (id, name).
    pub communities: Vec<(i64, String)>,
    /// The community of the activity's learning centre, if it has one.
    pub default_community: Option<i64>,
}

/// A check-in as the resident's phone or an API client sends it.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct CheckinInput {
    /// The QR code or the ticket of the form.
    #[schema(min_length = 1)]
    pub token: String,
    #[schema(min_length = 1)]
    pub phone: String,
    /// Needed the first time only (a walk-in).
    #[serde(default)]
    #[schema(max_length = 50)]
    pub name: Option<String>,
    /// The walk-in's community (defaults to the centre's).
    #[serde(default)]
    pub community_id: Option<i64>,
}

/// How a check-in ended.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum CheckinOutcome {
    /// Recorded now (present or late).
    CheckedIn {
        attendance_id: i64,
        status: AttendanceStatus,
        /// Masked (张*三): the code is shown to a whole room.
        resident_name: String,
        activity: PublicActivity,
        /// The link to rate the activity afterwards.
        rating_token: String,
    },
    /// Recorded before: nothing changed.
    AlreadyCheckedIn {
        resident_name: String,
        activity: PublicActivity,
        rating_token: String,
    },
    /// The number is not registered: ask for a name (and community).
    NameNeeded { form: CheckinForm },
}

fn token_error(e: rules::TokenError) -> Error {
    match e {
        rules::TokenError::Forged => Error::BadRequest(Msg::new("attendance.code_forged")),
        rules::TokenError::Expired => Error::Conflict(Msg::new("attendance.code_expired")),
    }
}

/// The secret that signs an activity's codes (an activity never published has none: any code for
/// it is forged).
fn secret_of(a: &DeskActivity) -> Result<&str> {
    a.checkin_secret
        .as_deref()
        .ok_or_else(|| token_error(rules::TokenError::Forged))
}

/// Checks that check-in is open for an activity now.
fn check_open(a: &DeskActivity, now: DateTime<Utc>) -> Result<()> {
    match Status::parse(&a.status) {
        Some(Status::Published | Status::Held) => {}
        Some(Status::Cancelled) => {
            return Err(Error::Conflict(Msg::new("attendance.activity_cancelled")));
        }
        _ => return Err(Error::Conflict(Msg::new("attendance.activity_not_open"))),
    }
    match rules::window(a.starts_at, a.ends_at, now) {
        rules::Window::Open => Ok(()),
        rules::Window::NotYet(opens) => Err(Error::Conflict(
            Msg::new("attendance.window_not_yet").arg("time", crate::calendar::short(opens)),
        )),
        rules::Window::Closed => Err(Error::Conflict(Msg::new("attendance.window_closed"))),
    }
}

async fn desk_activity(desk: &CheckinDesk, token: &str) -> Result<std::sync::Arc<DeskActivity>> {
    let id = rules::activity_of(token).ok_or_else(|| token_error(rules::TokenError::Forged))?;
    desk.activity(id)
        .await?
        .ok_or_else(|| token_error(rules::TokenError::Forged))
}

async fn form_of(
    db: &Db,
    a: &DeskActivity,
    secret: &str,
    now: DateTime<Utc>,
) -> Result<CheckinForm> {
    let town_path = town_path_of(&a.owner_path);
    let communities = org::communities_under(db, &town_path).await?;
    let default_community = if a.owner_kind == "centre" {
        a.owner_parent_id
            .filter(|p| communities.iter().any(|(id, _)| id == p))
    } else {
        None
    };
    Ok(CheckinForm {
        activity: PublicActivity::from(a),
        ticket: rules::ticket(a.id, secret, now),
        communities,
        default_community,
    })
}

/// Opens the check-in form of a scanned QR code (the code must be current and check-in open).
pub async fn open_checkin(desk: &CheckinDesk, token: &str) -> Result<CheckinForm> {
    let now = Utc::now();
    let a = desk_activity(desk, token).await?;
    let secret = secret_of(&a)?;
    rules::verify_qr(token, a.id, secret, now).map_err(token_error)?;
    check_open(&a, now)?;
    form_of(desk.db(), &a, secret, now).await
}

/// What a resident's phone shows before enrolling.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct EnrolForm {
    pub activity: PublicActivity,
    /// Seats left (None: no limit); 0 means a new enrolment waits.
    pub seats_left: Option<i64>,
    pub communities: Vec<(i64, String)>,
    pub default_community: Option<i64>,
}

/// The link residents enrol with (shared in a WeChat group or printed as a QR code).
pub async fn enrol_link(db: &Db, actor: &Actor, activity_id: i64) -> Result<String> {
    let a = activities::get(db, actor, activity_id).await?;
    let d = store::desk_activity(db, a.id)
        .await?
        .ok_or(Error::NotFound)?;
    match (a.status(), d.checkin_secret.as_deref()) {
        (Status::Published, Some(secret)) => Ok(rules::enrol_token(a.id, secret)),
        _ => Err(Error::Conflict(Msg::new("attendance.not_open"))),
    }
}

async fn enrol_context(
    desk: &CheckinDesk,
    token: &str,
) -> Result<(std::sync::Arc<DeskActivity>, String)> {
    let a = desk_activity(desk, token).await?;
    let secret = secret_of(&a)?.to_string();
    rules::verify_enrol(token, a.id, &secret).map_err(token_error)?;
    if Status::parse(&a.status) != Some(Status::Published) || a.starts_at <= Utc::now() {
        return Err(Error::Conflict(Msg::new("attendance.not_open")));
    }
    Ok((a, secret))
}

/// Opens the enrolment page of a shared link.
pub async fn open_enrolment(desk: &CheckinDesk, token: &str) -> Result<EnrolForm> {
    let (a, secret) = enrol_context(desk, token).await?;
    let form = form_of(desk.db(), &a, &secret, Utc::now()).await?;
    let seats_left = match a.capacity {
        Some(c) => {
            let mut tx = desk.db().begin().await?;
            Some((i64::from(c) - store::count_enrolled(&mut tx, a.id).await?).max(0))
        }
        None => None,
    };
    Ok(EnrolForm {
        activity: form.activity,
        seats_left,
        communities: form.communities,
        default_community: form.default_community,
    })
}

/// How a self-enrolment ended.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum SelfEnrolment {
    /// Enrolled or, beyond capacity, waiting.
    Done { enrolment: Enrolment },
    /// Enrolled before: nothing changed.
    Already,
    /// The number is not registered: ask for a name (and community).
    NameNeeded,
}

/// A resident enrols themself with the shared link and a mobile number (a first-timer gives a name
/// and becomes a resident of a community of the town).
pub async fn self_enrol(
    desk: &CheckinDesk,
    input: &CheckinInput,
    source_ip: Option<String>,
    request_id: Option<String>,
) -> Result<SelfEnrolment> {
    let (a, secret) = enrol_context(desk, input.token.trim()).await?;
    let phone = people::rules::parse_phone(&input.phone).map_err(|m| Error::invalid("phone", m))?;
    let actor = Actor::self_service(&a.owner_path, source_ip, request_id);
    let mut found = people::id_by_phone(desk.db(), a.town_id, &phone).await?;
    if found.is_none() {
        let form = form_of(desk.db(), &a, &secret, Utc::now()).await?;
        if !register_walk_in(desk, &a, &form, input, &phone, &actor).await? {
            return Ok(SelfEnrolment::NameNeeded);
        }
        found = people::id_by_phone(desk.db(), a.town_id, &phone).await?;
    }
    let resident = found.ok_or(Error::NotFound)?;
    match write_enrolment(desk.db(), &actor, a.id, &a.owner_path, a.capacity, resident).await {
        Ok(mut enrolment) => {
            // Whoever holds the link may type any number: answer with the name masked.
            enrolment.resident_name = mask_name(&enrolment.resident_name);
            Ok(SelfEnrolment::Done { enrolment })
        }
        Err(Error::Conflict(m)) if m.key == "attendance.already_enrolled" => {
            Ok(SelfEnrolment::Already)
        }
        Err(e) => Err(e),
    }
}

/// Opens the form again from its ticket (to show typing mistakes beside the fields).
pub async fn open_ticket(desk: &CheckinDesk, ticket: &str) -> Result<CheckinForm> {
    let now = Utc::now();
    let a = desk_activity(desk, ticket).await?;
    let secret = secret_of(&a)?;
    rules::verify_ticket(ticket, a.id, secret, now).map_err(token_error)?;
    check_open(&a, now)?;
    form_of(desk.db(), &a, secret, now).await
}

/// Checks a resident in by mobile number (registering a walk-in who gives a name).
pub async fn check_in(
    desk: &CheckinDesk,
    input: &CheckinInput,
    source_ip: Option<String>,
    request_id: Option<String>,
) -> Result<CheckinOutcome> {
    let now = Utc::now();
    let a = desk_activity(desk, input.token.trim()).await?;
    let secret = secret_of(&a)?;
    rules::verify_any(input.token.trim(), a.id, secret, now).map_err(token_error)?;
    check_open(&a, now)?;
    let phone = people::rules::parse_phone(&input.phone).map_err(|m| Error::invalid("phone", m))?;
    let actor = Actor::self_service(&a.owner_path, source_ip, request_id);
    let status = rules::arrival(a.starts_at, now);
    let mut written = desk.write(&a, &phone, status.as_str(), &actor).await?;
    if written == Written::Unknown {
        let form = form_of(desk.db(), &a, secret, now).await?;
        if !register_walk_in(desk, &a, &form, input, &phone, &actor).await? {
            return Ok(CheckinOutcome::NameNeeded { form });
        }
        written = desk.write(&a, &phone, status.as_str(), &actor).await?;
    }
    let activity = PublicActivity::from(&*a);
    match written {
        Written::New {
            id,
            resident_id,
            name,
        } => Ok(CheckinOutcome::CheckedIn {
            attendance_id: id,
            status,
            resident_name: mask_name(&name),
            activity,
            rating_token: rules::rating_token(a.id, resident_id, secret),
        }),
        Written::Duplicate { resident_id, name } => Ok(CheckinOutcome::AlreadyCheckedIn {
            resident_name: mask_name(&name),
            activity,
            rating_token: rules::rating_token(a.id, resident_id, secret),
        }),
        Written::Closed => Err(Error::Conflict(Msg::new("attendance.activity_cancelled"))),
        Written::Unknown => Err(Error::invalid(
            "phone",
            Msg::new("attendance.phone_unknown"),
        )),
    }
}

/// Registers a first-timer met at a check-in or enrolment in the community they chose (or the
/// centre's) among the town's; false when no name was given yet. A number registered by someone
/// else a moment ago counts as registered.
async fn register_walk_in(
    desk: &CheckinDesk,
    a: &DeskActivity,
    form: &CheckinForm,
    input: &CheckinInput,
    phone: &str,
    actor: &Actor,
) -> Result<bool> {
    let name = input.name.as_deref().map(str::trim).unwrap_or("");
    if name.is_empty() {
        return Ok(false);
    }
    let community = input
        .community_id
        .or(form.default_community)
        .filter(|c| form.communities.iter().any(|(id, _)| id == c))
        .ok_or_else(|| Error::invalid("community_id", Msg::new("people.community_unknown")))?;
    let town_actor = Actor::self_service(
        &town_path_of(&a.owner_path),
        actor.source_ip.clone(),
        actor.request_id.clone(),
    );
    match people::register_walk_in(desk.db(), &town_actor, community, name, phone).await {
        Ok(_) => Ok(true),
        Err(Error::Invalid(fe)) if fe.get("phone").is_some() => Ok(true),
        Err(e) => Err(e),
    }
}

fn town_path_of(owner_path: &str) -> String {
    org::rules::ancestor_path(owner_path, org::rules::TOWN_LEVEL)
        .unwrap_or_else(|| owner_path.to_string())
}

/// The code to show on the screen of an activity: current QR code and seconds until it rotates.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct QrCode {
    pub token: String,
    /// Seconds until the next code (the shown code stays valid a little longer).
    pub rotates_in: i64,
}

/// The current QR code of a published activity (teacher, centre head, town office).
pub async fn qr_code(db: &Db, actor: &Actor, activity_id: i64) -> Result<QrCode> {
    actor.require(Permission::ActivitiesAttend)?;
    let a = activities::get(db, actor, activity_id).await?;
    activities::require(actor, &a, activities::Act::Attend)?;
    let d = store::desk_activity(db, a.id)
        .await?
        .ok_or(Error::NotFound)?;
    let now = Utc::now();
    let secret = match (Status::parse(&d.status), d.checkin_secret.as_deref()) {
        (Some(Status::Published | Status::Held), Some(s)) => s,
        (Some(Status::Cancelled), _) => {
            return Err(Error::Conflict(Msg::new("attendance.activity_cancelled")));
        }
        _ => return Err(Error::Conflict(Msg::new("attendance.activity_not_open"))),
    };
    Ok(QrCode {
        token: rules::qr_token(a.id, secret, now),
        rotates_in: rules::STEP_SECONDS - now.timestamp().rem_euclid(rules::STEP_SECONDS),
    })
}

/// One row of an activity's attendance.
#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Attendance {
    pub id: i64,
    pub activity_id: i64,
    pub resident_id: i64,
    pub resident_name: String,
    /// Masked.
    pub phone: Option<String>,
    /// present, late, excused or absent
    pub status: String,
    /// qr, staff or sheet
    pub method: String,
    pub checked_at: DateTime<Utc>,
}

/// An activity's attendance with its counts.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct AttendanceSheet {
    pub rows: Vec<Attendance>,
    /// Present or late.
    pub attended: i64,
    pub excused: i64,
    pub absent: i64,
    /// Counted heads of an open lecture without a roster.
    pub head_count: Option<i64>,
    /// Enrolled residents not recorded yet (to mark by hand).
    pub unmarked: Vec<Enrolment>,
}

impl AttendanceSheet {
    /// True once attendance was taken: someone present or late, or a head count above zero.
    pub fn taken(&self) -> bool {
        taken(self.attended, self.head_count)
    }
}

fn taken(attended: i64, head_count: Option<i64>) -> bool {
    attended > 0 || head_count.unwrap_or(0) > 0
}

/// True once an activity's attendance was taken (documenting needs it).
pub(crate) async fn attendance_taken(db: &Db, activity_id: i64) -> Result<bool> {
    let (attended, _, _, head_count) = store::counts(db, activity_id).await?;
    Ok(taken(attended, head_count))
}

/// The attendance of an activity.
pub async fn attendance(db: &Db, actor: &Actor, activity_id: i64) -> Result<AttendanceSheet> {
    let a = activities::get(db, actor, activity_id).await?;
    let rows = store::attendance_list(db, a.id).await?;
    let (attended, excused, absent, head_count) = store::counts(db, a.id).await?;
    let unmarked = if actor.can(Permission::PeopleRead) || actor.can(Permission::ActivitiesAttend) {
        let recorded: std::collections::HashSet<i64> = rows.iter().map(|r| r.resident_id).collect();
        store::list(db, a.id)
            .await?
            .into_iter()
            .filter(|e| e.status == "enrolled" && !recorded.contains(&e.resident_id))
            .collect()
    } else {
        Vec::new()
    };
    Ok(AttendanceSheet {
        rows,
        attended,
        excused,
        absent,
        head_count,
        unmarked,
    })
}

/// How a hand-made record was taken.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// Marked by staff during or after the activity.
    Staff,
    /// Entered from a paper sign-in sheet.
    Sheet,
}

impl Method {
    fn as_str(self) -> &'static str {
        match self {
            Method::Staff => "staff",
            Method::Sheet => "sheet",
        }
    }

    /// Parses `staff` or `sheet` (anything else is staff).
    pub fn parse(s: &str) -> Method {
        if s.trim() == "sheet" {
            Method::Sheet
        } else {
            Method::Staff
        }
    }
}

/// Statuses in which attendance may be recorded by hand.
fn check_markable(a: &activities::Activity) -> Result<()> {
    match a.status() {
        Status::Published | Status::Held => Ok(()),
        Status::Cancelled => Err(Error::Conflict(Msg::new("attendance.activity_cancelled"))),
        Status::Documented | Status::Archived => {
            Err(Error::Conflict(Msg::new("attendance.already_documented")))
        }
        _ => Err(Error::Conflict(Msg::new("attendance.activity_not_open"))),
    }
}

/// Marks residents' attendance by hand, all in one transaction; returns how many records changed.
pub async fn mark(
    db: &Db,
    actor: &Actor,
    activity_id: i64,
    marks: &[(i64, String)],
    method: Method,
) -> Result<usize> {
    actor.require(Permission::ActivitiesAttend)?;
    let a = activities::get(db, actor, activity_id).await?;
    activities::require(actor, &a, activities::Act::Attend)?;
    check_markable(&a)?;
    let mut parsed = Vec::with_capacity(marks.len());
    for (resident_id, status) in marks {
        if status.trim().is_empty() {
            continue;
        }
        let s = AttendanceStatus::parse(status)
            .ok_or_else(|| Error::invalid("status", Msg::new("field.choose")))?;
        // Only residents the actor may see (a number typed into a form is checked like any id).
        let r = people::resident_for_attendance(db, actor, *resident_id).await?;
        parsed.push((r, s));
    }
    let now = Utc::now();
    let mut tx = db.begin().await?;
    let mut changed = 0;
    for (resident_id, s) in parsed {
        let (id, before) = store::upsert_mark(
            &mut tx,
            a.id,
            resident_id,
            s.as_str(),
            method.as_str(),
            actor.user_id,
            now,
        )
        .await?;
        if before.as_deref() == Some(s.as_str()) {
            continue;
        }
        changed += 1;
        audit::record(
            &mut tx,
            actor,
            Entry {
                action: "attendance.marked",
                subject_type: "attendance",
                subject_id: Some(id),
                node_path: &a.owner_path,
                before: before.map(|b| json!({"status": b})),
                after: Some(
                    json!({"activity_id": a.id, "resident_id": resident_id, "status": s.as_str(),
                    "method": method.as_str()}),
                ),
                result: "ok",
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(changed)
}

/// Marks the resident with this mobile number (a name from a paper sheet, someone not enrolled).
pub async fn mark_by_phone(
    db: &Db,
    actor: &Actor,
    activity_id: i64,
    phone: &str,
    status: &str,
    method: Method,
) -> Result<usize> {
    let phone = people::rules::parse_phone(phone).map_err(|m| Error::invalid("phone", m))?;
    let a = activities::get(db, actor, activity_id).await?;
    let resident = people::find_by_phone(db, actor, a.town_id, &phone)
        .await?
        .ok_or_else(|| Error::invalid("phone", Msg::new("attendance.phone_unknown")))?;
    mark(
        db,
        actor,
        activity_id,
        &[(resident, status.to_string())],
        method,
    )
    .await
}

/// Records the counted heads of an open lecture with no roster (empty clears it).
pub async fn record_head_count(
    db: &Db,
    actor: &Actor,
    activity_id: i64,
    count: &str,
) -> Result<Option<i64>> {
    actor.require(Permission::ActivitiesAttend)?;
    let a = activities::get(db, actor, activity_id).await?;
    activities::require(actor, &a, activities::Act::Attend)?;
    check_markable(&a)?;
    let n = match count.trim() {
        "" => None,
        s => match s.parse::<i64>() {
            Ok(n) if (0..=rules::MAX_HEAD_COUNT).contains(&n) => Some(n),
            _ => {
                return Err(Error::invalid(
                    "head_count",
                    Msg::new("attendance.head_count_range").arg("max", rules::MAX_HEAD_COUNT),
                ));
            }
        },
    };
    let (_, _, _, before) = store::counts(db, a.id).await?;
    let mut tx = db.begin().await?;
    store::set_head_count(&mut tx, a.id, n).await?;
    audit::record(
        &mut tx,
        actor,
        Entry {
            action: "attendance.head_counted",
            subject_type: "activity",
            subject_id: Some(a.id),
            node_path: &a.owner_path,
            before: Some(json!({"head_count": before})),
            after: Some(json!({"head_count": n})),
            result: "ok",
        },
    )
    .await?;
    tx.commit().await?;
    Ok(n)
}

/// A row of the paper sign-in sheet.
#[derive(Clone, Debug, Serialize)]
pub struct SheetRow {
    pub resident_id: i64,
    pub name: String,
    /// Masked.
    pub phone: Option<String>,
}

/// The enrolled residents to print on a paper sign-in sheet (签到表), with blank lines for walk-ins.
pub async fn sign_in_sheet(db: &Db, actor: &Actor, activity_id: i64) -> Result<Vec<SheetRow>> {
    actor.require(Permission::ActivitiesAttend)?;
    let a = activities::get(db, actor, activity_id).await?;
    activities::require(actor, &a, activities::Act::Attend)?;
    Ok(store::sheet_rows(db, a.id)
        .await?
        .into_iter()
        .map(|(resident_id, name, phone)| SheetRow {
            resident_id,
            name,
            phone,
        })
        .collect())
}

/// A rating as the resident sends it.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct RatingInput {
    /// The rating link's token.
    #[schema(min_length = 1)]
    pub token: String,
    /// 1 (poor) to 5 (excellent).
    pub score: String,
    #[serde(default)]
    #[schema(max_length = 500)]
    pub comment: Option<String>,
}

/// What the rating page shows.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct RatingForm {
    pub activity: PublicActivity,
    pub resident_name: String,
}

async fn rating_context(
    desk: &CheckinDesk,
    token: &str,
) -> Result<(std::sync::Arc<DeskActivity>, i64)> {
    let a = desk_activity(desk, token).await?;
    let secret = secret_of(&a)?;
    let resident = rules::verify_rating(token, a.id, secret).map_err(token_error)?;
    if !store::attended(desk.db(), a.id, resident).await? {
        return Err(Error::Conflict(Msg::new("attendance.rating_not_attended")));
    }
    if Utc::now() > a.ends_at + Duration::days(rules::RATING_DAYS) {
        return Err(Error::Conflict(Msg::new("attendance.rating_closed")));
    }
    Ok((a, resident))
}

/// Opens the rating page of a rating link.
pub async fn open_rating(desk: &CheckinDesk, token: &str) -> Result<RatingForm> {
    let (a, resident) = rating_context(desk, token).await?;
    let name = people::resident_name(desk.db(), resident).await?;
    Ok(RatingForm {
        activity: PublicActivity::from(&*a),
        resident_name: mask_name(&name),
    })
}

/// Records (or replaces) a resident's rating of an activity they attended.
pub async fn rate(
    desk: &CheckinDesk,
    input: &RatingInput,
    source_ip: Option<String>,
    request_id: Option<String>,
) -> Result<()> {
    let (a, resident) = rating_context(desk, input.token.trim()).await?;
    let mut fe = crate::error::FieldErrors::default();
    let score = match input.score.trim().parse::<i32>() {
        Ok(n) if (1..=5).contains(&n) => n,
        _ => {
            fe.add("score", Msg::new("attendance.score_range"));
            0
        }
    };
    let comment =
        crate::text::optional_multiline(&mut fe, "comment", input.comment.as_deref(), 500);
    fe.into_result()?;
    let actor = Actor::self_service(&a.owner_path, source_ip, request_id);
    let mut tx = desk.db().begin().await?;
    let (id, replaced) = store::upsert_rating(
        &mut tx,
        a.id,
        resident,
        score,
        comment.as_deref(),
        Utc::now(),
    )
    .await?;
    audit::record(
        &mut tx,
        &actor,
        Entry {
            action: "attendance.rated",
            subject_type: "rating",
            subject_id: Some(id),
            node_path: &a.owner_path,
            before: None,
            // The comment stays out of the audit log (it may name people; an erasure clears it).
            after: Some(
                json!({"activity_id": a.id, "score": score, "replaced": replaced,
                "has_comment": comment.is_some()}),
            ),
            result: "ok",
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A rating comment as staff see it (anonymous).
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct RatingComment {
    pub score: i32,
    pub comment: String,
}

/// How residents rated an activity.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct RatingSummary {
    pub count: i64,
    pub average: Option<f64>,
    /// The latest comments, without names.
    pub comments: Vec<RatingComment>,
}

/// The ratings of an activity.
pub async fn ratings(db: &Db, actor: &Actor, activity_id: i64) -> Result<RatingSummary> {
    let a = activities::get(db, actor, activity_id).await?;
    store::rating_summary(db, a.id).await
}

/// An activity a resident attended (or was marked for), with their rating.
#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct ResidentAttendance {
    pub activity_id: i64,
    pub title: String,
    pub starts_at: DateTime<Utc>,
    pub owner_name: String,
    pub status: String,
    pub score: Option<i32>,
    pub comment: Option<String>,
}

/// A resident's attendance and ratings, newest first.
pub async fn attendance_of_resident(
    db: &Db,
    actor: &Actor,
    resident_id: i64,
) -> Result<Vec<ResidentAttendance>> {
    let r = people::get_resident(db, actor, resident_id).await?;
    store::attendance_of_resident(db, r.id).await
}
