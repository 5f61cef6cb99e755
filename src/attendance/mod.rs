//! Enrolment in activities (报名): staff enrol residents of their scope in a published activity; within
//! capacity they are enrolled, beyond it they wait in order, and a cancellation moves the first waiting
//! resident up in the same transaction. Invariants: a resident holds at most one active enrolment per
//! activity; the enrolled never exceed the capacity, also when two people take the last seat at once
//! (each enrolment first takes the activity's row lock, so they are serialised on both databases).
//! QR check-in, attendance and ratings come next.

mod store;

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;

use crate::access::{Actor, Permission};
use crate::activities::{self, Status};
use crate::audit::{self, Entry};
use crate::db::Db;
use crate::error::{Error, Msg, Result};
use crate::people;

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
    let status = match activity.capacity {
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
            node_path: &activity.owner_path,
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
    let resident = people::find_by_phone(db, actor, &phone)
        .await?
        .ok_or_else(|| Error::invalid("phone", Msg::new("attendance.phone_unknown")))?;
    enrol(db, actor, activity_id, resident).await
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
