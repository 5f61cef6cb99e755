//! A town's yearly round: opened by the office with its categories, quotas, rewards and deadline,
//! read with its nominations, published with its winners.

use chrono::Utc;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::categories::{dictionary, district_of_town};
use super::rules::Status;
use super::{Nomination, Round, RoundCategory, store};
use crate::access::{Actor, Permission};
use crate::audit::{self, Entry};
use crate::calendar::Day;
use crate::db::Db;
use crate::error::{Error, FieldErrors, Msg, Result};
use crate::funding;
use crate::org;
use crate::text;

/// A category of a new round as typed: its quota and its reward in yuan ("0" or blank: none).
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct CategoryInput {
    /// The category's code in the district's dictionary.
    pub category: String,
    pub quota: i64,
    pub reward: Option<String>,
}

/// A new round.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct RoundInput {
    pub town_id: i64,
    pub year: i32,
    pub title: String,
    /// YYYY-MM-DD: the last day nominations are taken.
    pub deadline: String,
    pub categories: Vec<CategoryInput>,
}

/// A round with its categories and the nominations the reader sees.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct RoundView {
    pub round: Round,
    pub categories: Vec<RoundCategory>,
    pub nominations: Vec<Nomination>,
    /// Nominations are still taken (the deadline has not passed).
    pub open: bool,
}

/// Opens a town's round for a year (one a year).
pub async fn open_round(db: &Db, actor: &Actor, input: &RoundInput) -> Result<RoundView> {
    actor.require(Permission::AwardsManage)?;
    let town = org::town_for(db, actor, Some(input.town_id)).await?;
    actor.require_sees(&town.path)?;
    let mut fe = FieldErrors::default();
    let title = text::required(&mut fe, "title", &input.title, text::max::TITLE);
    if !(2000..=2100).contains(&input.year) {
        fe.add("year", Msg::new("schedule.year_invalid"));
    }
    let deadline = match Day::parse(input.deadline.trim()) {
        Some(d) if d.year() == input.year => Some(d),
        Some(_) => {
            fe.add(
                "deadline",
                Msg::new("funding.date_outside_year").arg("year", input.year),
            );
            None
        }
        None => {
            fe.add("deadline", Msg::new("field.date_format"));
            None
        }
    };
    let dictionary = dictionary(db, district_of_town(&town.path)?).await?;
    let mut categories: Vec<(&str, i64, i64)> = Vec::new();
    for c in &input.categories {
        let Some(category) = dictionary
            .iter()
            .find(|d| d.active && d.code == c.category.trim())
        else {
            fe.add("categories", Msg::new("field.choose"));
            continue;
        };
        let category = category.code.as_str();
        if !(1..=1000).contains(&c.quota) {
            fe.add("categories", Msg::new("commendation.quota_invalid"));
        }
        let reward = match c.reward.as_deref().map(str::trim) {
            None | Some("") | Some("0") => 0,
            Some(r) => funding::parse_yuan(r).unwrap_or_else(|m| {
                fe.add("categories", m);
                0
            }),
        };
        if categories.iter().any(|(x, ..)| *x == category) {
            fe.add("categories", Msg::new("commendation.category_twice"));
        }
        categories.push((category, c.quota, reward));
    }
    if categories.is_empty() && fe.is_empty() {
        fe.add("categories", Msg::new("commendation.categories_required"));
    }
    let (Some(deadline), true) = (deadline, fe.is_empty()) else {
        return Err(Error::Invalid(fe));
    };
    let now = Utc::now();
    let mut tx = db.begin().await?;
    let id = store::insert_round(
        &mut tx,
        (town.id, &town.path),
        input.year,
        &title,
        deadline.0,
        now,
    )
    .await
    .map_err(|e| match e {
        Error::Conflict(_) => Error::invalid(
            "year",
            Msg::new("commendation.round_exists").arg("year", input.year),
        ),
        e => e,
    })?;
    for (c, quota, reward) in &categories {
        store::insert_category(&mut tx, id, c, *quota, *reward).await?;
    }
    let after = json!({"year": input.year, "title": title, "deadline": deadline.0,
        "categories": categories.iter().map(|(c, q, r)| json!({"category": c, "quota": q,
            "reward": funding::yuan(*r)})).collect::<Vec<_>>()});
    audit::record(
        &mut tx,
        actor,
        Entry::of(
            "commendation.round_opened",
            "award_round",
            Some(id),
            &town.path,
        )
        .after(after),
    )
    .await?;
    tx.commit().await?;
    round(db, actor, id).await
}

/// May the actor run this round — publish it, enter results decided on paper? The town's
/// office; the round page shows its forms on this answer and the use-cases require the same.
pub fn may_manage(actor: &Actor, r: &Round) -> bool {
    actor.can(Permission::AwardsManage) && actor.sees(&r.town_path)
}

/// 404 unless the actor sees the round (the routes ask this before a handler runs: the round
/// alone, not its nominations).
pub async fn require_round(db: &Db, actor: &Actor, id: i64) -> Result<()> {
    visible_round(db, actor, id).await.map(|_| ())
}

/// A round's categories (names and nominee kinds from the dictionary), for whoever sees it.
pub async fn round_categories(db: &Db, actor: &Actor, id: i64) -> Result<Vec<RoundCategory>> {
    let r = visible_round(db, actor, id).await?;
    store::categories(db, r.id, district_of_town(&r.town_path)?).await
}

/// 404 unless the round is of a town the actor reads or works in.
pub(super) async fn visible_round(db: &Db, actor: &Actor, id: i64) -> Result<Round> {
    actor.require(Permission::AwardsRead)?;
    let r = store::round(db, id).await?.ok_or(Error::NotFound)?;
    if actor.sees(&r.town_path) || actor.scope_path.starts_with(&r.town_path) {
        Ok(r)
    } else {
        Err(Error::NotFound)
    }
}

/// A round with its categories and the nominations the reader sees (a centre its own).
pub async fn round(db: &Db, actor: &Actor, id: i64) -> Result<RoundView> {
    let r = visible_round(db, actor, id).await?;
    let categories = store::categories(db, r.id, district_of_town(&r.town_path)?).await?;
    let mut nominations = Vec::new();
    for row in store::nominations(db, r.id).await? {
        if actor.sees(&row.node_path) || actor.sees(&r.town_path) {
            let n = super::nominations::view(db, actor, &r, row, &categories, false).await?;
            nominations.push(n);
        }
    }
    Ok(RoundView {
        open: Day::today() <= Day(r.deadline),
        round: r,
        categories,
        nominations,
    })
}

/// The rounds of the towns the actor reads or works in, newest first.
pub async fn rounds(db: &Db, actor: &Actor) -> Result<Vec<Round>> {
    actor.require(Permission::AwardsRead)?;
    let town = org::rules::ancestor_id(&actor.scope_path, org::rules::TOWN_LEVEL);
    let scope = match town {
        Some(id) => org::get_node_unscoped(db, id)
            .await?
            .map(|t| t.path)
            .unwrap_or_default(),
        None => actor.scope_path.clone(),
    };
    store::rounds(db, &scope).await
}

/// Publishes a round's results: its approved nominations are its winners (the office).
pub async fn publish(db: &Db, actor: &Actor, id: i64) -> Result<RoundView> {
    actor.require(Permission::AwardsManage)?;
    let r = visible_round(db, actor, id).await?;
    actor.require_sees(&r.town_path)?;
    let mut tx = db.begin().await?;
    if !store::publish(&mut tx, r.id, Utc::now()).await? {
        return Err(Error::Conflict(Msg::new("commendation.published_already")));
    }
    let winners = store::nominations(&mut tx, r.id)
        .await?
        .iter()
        .filter(|n| n.status == Status::Approved)
        .count();
    audit::record(
        &mut tx,
        actor,
        Entry::of(
            "commendation.published",
            "award_round",
            Some(r.id),
            &r.town_path,
        )
        .after(json!({"winners": winners})),
    )
    .await?;
    tx.commit().await?;
    round(db, actor, id).await
}

/// The nominations waiting for the actor's step in the unpublished rounds (the office's review,
/// the leadership group's approval, a centre's returned ones), and the round they are in when
/// there is one such round.
pub async fn waiting(db: &Db, actor: &Actor) -> Result<(i64, Option<i64>)> {
    if !actor.can(Permission::AwardsRead) {
        return Ok((0, None));
    }
    let (mut count, mut rounds_with) = (0, Vec::new());
    for r in rounds(db, actor)
        .await?
        .into_iter()
        .filter(|r| r.published_at.is_none())
    {
        let view = round(db, actor, r.id).await?;
        let n = view
            .nominations
            .iter()
            .filter(|n| !n.actions.is_empty())
            .count() as i64;
        if n > 0 {
            count += n;
            rounds_with.push(r.id);
        }
    }
    Ok((count, (rounds_with.len() == 1).then(|| rounds_with[0])))
}
