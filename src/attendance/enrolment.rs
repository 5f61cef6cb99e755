//! Enrolment (报名): staff enrol residents of their scope; within capacity they are enrolled, beyond
//! it they wait in order, and a cancellation moves the first waiting resident up in the same
//! transaction. Residents enrol themselves through an activity's enrolment link.

use super::*;

/// An enrolment as lists show it (the phone masked).
#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Enrolment {
    pub id: i64,
    pub activity_id: i64,
    pub resident_id: i64,
    pub resident_name: String,
    /// Masked.
    pub phone: Option<String>,
    pub status: EnrolmentStatus,
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
    pub status: EnrolmentStatus,
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
pub(super) async fn write_enrolment(
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
        Some(c) if enrolled >= i64::from(c) => EnrolmentStatus::Waiting,
        _ => EnrolmentStatus::Enrolled,
    };
    let id = store::insert(&mut tx, activity_id, resident_id, status, Utc::now()).await?;
    audit::record(
        &mut tx,
        actor,
        Entry::of("attendance.enrolled", "enrolment", Some(id), owner_path).after(
            json!({"activity_id": activity_id, "resident_id": resident_id, "status": status}),
        ),
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
    if before == EnrolmentStatus::Cancelled {
        return Err(Error::Conflict(Msg::new("attendance.already_cancelled")));
    }
    let now = Utc::now();
    store::set_status(&mut tx, enrolment_id, EnrolmentStatus::Cancelled, now).await?;
    audit::record(
        &mut tx,
        actor,
        Entry::of(
            "attendance.cancelled",
            "enrolment",
            Some(enrolment_id),
            &activity.owner_path,
        )
        .before(json!({"status": before}))
        .after(json!({"status": "cancelled"})),
    )
    .await?;
    let mut promoted = None;
    if before == EnrolmentStatus::Enrolled
        && let Some(next) = store::first_waiting(&mut tx, e.activity_id).await?
    {
        store::set_status(&mut tx, next, EnrolmentStatus::Enrolled, now).await?;
        audit::record(
            &mut tx,
            actor,
            Entry::of(
                "attendance.promoted",
                "enrolment",
                Some(next),
                &activity.owner_path,
            )
            .before(json!({"status": "waiting"}))
            .after(json!({"status": "enrolled"})),
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

pub(super) async fn enrol_context(
    desk: &CheckinDesk,
    token: &str,
) -> Result<(std::sync::Arc<DeskActivity>, String)> {
    let a = desk_activity(desk, token).await?;
    let secret = secret_of(&a)?.to_string();
    rules::verify_enrol(token, a.id, &secret).map_err(token_error)?;
    if a.status != Status::Published || a.starts_at <= Utc::now() {
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
