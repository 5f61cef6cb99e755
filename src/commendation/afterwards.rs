//! Results decided on paper, entered afterwards (补录): a town that adopts cedu after its round was
//! decided — or whose leadership group decided at a meeting — has the office enter each winner
//! with the day and the meeting of the decision. Past the deadline, straight to approved, within
//! the category's quota (taking turns with approvals), one per nominee and category, audited. A
//! reward paid then is entered in the funds as its expense, not booked again here.

use chrono::Utc;
use serde::Deserialize;
use serde_json::json;

use super::categories::district_of_town;
use super::nominations::{get, insert, nominee};
use super::rounds::visible_round;
use super::rules::{self, Status};
use super::store::{self, NewNomination};
use super::{NOMINATION, Nomination, NominationInput};
use crate::access::{Actor, Permission};
use crate::audit::{self, Entry};
use crate::calendar::Day;
use crate::db::{Db, turn};
use crate::error::{Error, FieldErrors, Msg, Result};
use crate::text;

/// A result decided on paper.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct DecidedInput {
    /// The category's code in the round.
    pub category: String,
    /// The resident, household, building or community (not for a unit).
    pub nominee_id: Option<i64>,
    /// The unit's name (a unit or an association).
    pub nominee_name: Option<String>,
    /// 事迹材料, as on paper.
    pub deeds: String,
    /// YYYY-MM-DD: the day it was decided (not after today, not before the round's year).
    pub decided_on: String,
    /// Who decided and where, e.g. 领导小组第四次会议.
    pub decided_by: String,
}

/// Enters a winner decided on paper (the office).
pub async fn record_decided(
    db: &Db,
    actor: &Actor,
    round_id: i64,
    input: &DecidedInput,
) -> Result<Nomination> {
    actor.require(Permission::AwardsManage)?;
    let r = visible_round(db, actor, round_id).await?;
    actor.require_sees(&r.town_path)?;
    if r.published_at.is_some() {
        return Err(Error::Conflict(Msg::new("commendation.published_already")));
    }
    let categories = store::categories(db, r.id, district_of_town(&r.town_path)?).await?;
    let category = categories
        .iter()
        .find(|c| c.category == input.category.trim())
        .ok_or_else(|| {
            Error::invalid("category", Msg::new("commendation.category_not_in_round"))
        })?;
    let mut fe = FieldErrors::default();
    let deeds = text::required_multiline(&mut fe, "deeds", &input.deeds, text::max::DESCRIPTION);
    let decided_by = text::required(&mut fe, "decided_by", &input.decided_by, text::max::PLACE);
    let today = Day::today();
    match Day::parse(input.decided_on.trim()) {
        Some(d) if d > today => fe.add("decided_on", Msg::new("commendation.decided_in_future")),
        Some(d) if d.year() < r.year => fe.add(
            "decided_on",
            Msg::new("commendation.decided_before_year").arg("year", r.year),
        ),
        Some(_) => {}
        None => fe.add("decided_on", Msg::new("field.date_format")),
    }
    fe.into_result()?;
    let decided_on = input.decided_on.trim();
    let as_typed = NominationInput {
        category: category.category.clone(),
        nominee_id: input.nominee_id,
        nominee_name: input.nominee_name.clone(),
        deeds: deeds.clone(),
    };
    let kind = category.nominee_kind;
    let (nominee_id, name, key, record) = nominee(db, actor, kind, &as_typed, r.year).await?;
    let now = Utc::now();
    let mut tx = db.begin().await?;
    tx.take_turns(turn::APPROVALS, r.id as i32).await?;
    let approved = store::approved_in(&mut tx, r.id, &category.category).await?;
    rules::check_quota(approved, category.quota).map_err(Error::Conflict)?;
    let new = NewNomination {
        round: r.id,
        category: &category.category,
        kind,
        nominee_id,
        key: &key,
        name: &name,
        path: &r.town_path,
        deeds: &deeds,
        record: &serde_json::to_string(&record)?,
    };
    let id = insert(&mut tx, &new, actor, now).await?;
    let note = format!("{decided_on} · {decided_by}");
    let (from, to) = (Status::Submitted, Status::Approved);
    store::set_status(&mut tx, id, from, to, Some(&note), actor.user_id, now).await?;
    audit::record(
        &mut tx,
        actor,
        Entry::of(
            "commendation.recorded_afterwards",
            NOMINATION,
            Some(id),
            &r.town_path,
        )
        .after(
            json!({"round_id": r.id, "category": category.category, "nominee": name,
            "decided_on": decided_on, "decided_by": decided_by}),
        ),
    )
    .await?;
    tx.commit().await?;
    get(db, actor, id).await
}
