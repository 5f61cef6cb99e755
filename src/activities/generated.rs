//! Generated history for benchmarks: activities written straight to the store, skipping the
//! review workflow and its audit on purpose. Built only with the `bench` feature, so the product's
//! own API never offers a way around review.

use chrono::{DateTime, Utc};

use super::store;
use super::town_of;
use super::{Status, Transition, Values};
use crate::db::Db;
use crate::error::Result;
use crate::org::Node;

/// Writes generated activities of a centre straight to the store, each moved through `steps`
/// without review or audit; their ids.
async fn generate(
    db: &Db,
    owner: &Node,
    theme_id: i64,
    title: &str,
    times: &[(DateTime<Utc>, DateTime<Utc>)],
    steps: &[(Status, Status, Transition)],
) -> Result<Vec<i64>> {
    let town_id = town_of(&owner.path).unwrap_or(0);
    let mut tx = db.begin().await?;
    let mut ids = Vec::new();
    for (starts_at, ends_at) in times {
        let v = Values {
            title: title.to_string(),
            owner_id: owner.id,
            theme_id,
            lead_department_id: None,
            format_id: None,
            target_group_id: None,
            teacher_ids: Vec::new(),
            starts_at: *starts_at,
            ends_at: *ends_at,
            venue: None,
            room_id: None,
            capacity: None,
            description: None,
            featured: false,
            learning_team: false,
            special_event: None,
        };
        let id = store::insert(&mut tx, town_id, &v, None, Status::Draft, None, Utc::now()).await?;
        for &(from, to, t) in steps {
            store::set_status(&mut tx, id, from, to, t, None, false, Utc::now()).await?;
        }
        ids.push(id);
    }
    tx.commit().await?;
    Ok(ids)
}

const APPROVE: (Status, Status, Transition) =
    (Status::Draft, Status::Approved, Transition::Approve);
const PUBLISH: (Status, Status, Transition) =
    (Status::Approved, Status::Published, Transition::Publish);

/// Writes approved activities of a centre directly, for benchmarks of a district's year (the
/// lifecycle and its audit are skipped on purpose: this is generated history, not a plan).
pub async fn generate_approved(
    db: &Db,
    owner: &Node,
    theme_id: i64,
    starts: &[DateTime<Utc>],
) -> Result<usize> {
    let times: Vec<_> = starts
        .iter()
        .map(|s| (*s, *s + chrono::Duration::minutes(90)))
        .collect();
    let ids = generate(db, owner, theme_id, "生成的活动", &times, &[APPROVE]).await?;
    Ok(ids.len())
}

const HOLD: (Status, Status, Transition) = (Status::Published, Status::Held, Transition::Hold);

/// Held activities of a centre at the given starts (benchmarks of a district's year: what the
/// inspections and the assessment count); the lifecycle and its audit are skipped on purpose.
pub async fn generate_held(
    db: &Db,
    owner: &Node,
    theme_id: i64,
    starts: &[DateTime<Utc>],
) -> Result<usize> {
    let times: Vec<_> = starts
        .iter()
        .map(|s| (*s, *s + chrono::Duration::minutes(90)))
        .collect();
    let steps = [APPROVE, PUBLISH, HOLD];
    let ids = generate(db, owner, theme_id, "生成的活动", &times, &steps).await?;
    Ok(ids.len())
}

/// Published activities of one centre at the given times, made without review (check-in
/// benchmarks); returns their ids.
pub async fn generate_published(
    db: &Db,
    owner: &Node,
    theme_id: i64,
    times: &[(DateTime<Utc>, DateTime<Utc>)],
) -> Result<Vec<i64>> {
    let title = format!("{}公开课", owner.name);
    generate(db, owner, theme_id, &title, times, &[APPROVE, PUBLISH]).await
}
