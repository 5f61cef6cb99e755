//! QR check-in (签到): the rotating code of an activity, the form a resident's phone opens, the
//! check-in itself (by mobile number, walk-ins registered in the town) through the desk.

use super::*;

/// What check-in knows of an activity.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct DeskActivity {
    pub id: i64,
    pub title: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub venue: Option<String>,
    pub status: Status,
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

pub(super) fn token_error(e: rules::TokenError) -> Error {
    match e {
        rules::TokenError::Forged => Error::BadRequest(Msg::new("attendance.code_forged")),
        rules::TokenError::Expired => Error::Conflict(Msg::new("attendance.code_expired")),
    }
}

/// The secret that signs an activity's codes (an activity never published has none: any code for
/// it is forged).
pub(super) fn secret_of(a: &DeskActivity) -> Result<&str> {
    a.checkin_secret
        .as_deref()
        .ok_or_else(|| token_error(rules::TokenError::Forged))
}

/// Checks that check-in is open for an activity now.
pub(super) fn check_open(a: &DeskActivity, now: DateTime<Utc>) -> Result<()> {
    match a.status {
        Status::Published | Status::Held => {}
        Status::Cancelled => {
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

pub(super) async fn desk_activity(
    desk: &CheckinDesk,
    token: &str,
) -> Result<std::sync::Arc<DeskActivity>> {
    let id = rules::activity_of(token).ok_or_else(|| token_error(rules::TokenError::Forged))?;
    desk.activity(id)
        .await?
        .ok_or_else(|| token_error(rules::TokenError::Forged))
}

pub(super) async fn form_of(
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
pub(super) async fn register_walk_in(
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

pub(super) fn town_path_of(owner_path: &str) -> String {
    org::rules::ancestor_path(owner_path, org::rules::TOWN_LEVEL)
        .unwrap_or_else(|| owner_path.to_string())
}

/// The code to show on the screen of an activity: current QR code and seconds until it rotates,
/// and where the check-in window stands (a screen shows when it opens, not a code that would be
/// refused).
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct QrCode {
    pub token: String,
    /// Seconds until the next code (the shown code stays valid a little longer).
    pub rotates_in: i64,
    /// When check-in opens, while it is not open yet (30 minutes before the start).
    pub opens_at: Option<DateTime<Utc>>,
    /// Check-in has ended (30 minutes after the end): a scan is refused.
    pub closed: bool,
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
    let secret = match (d.status, d.checkin_secret.as_deref()) {
        (Status::Published | Status::Held, Some(s)) => s,
        (Status::Cancelled, _) => {
            return Err(Error::Conflict(Msg::new("attendance.activity_cancelled")));
        }
        _ => return Err(Error::Conflict(Msg::new("attendance.activity_not_open"))),
    };
    let window = rules::window(d.starts_at, d.ends_at, now);
    Ok(QrCode {
        token: rules::qr_token(a.id, secret, now),
        rotates_in: rules::STEP_SECONDS - now.timestamp().rem_euclid(rules::STEP_SECONDS),
        opens_at: match window {
            rules::Window::NotYet(at) => Some(at),
            _ => None,
        },
        closed: matches!(window, rules::Window::Closed),
    })
}
