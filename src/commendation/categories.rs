//! The district's dictionary of commendation categories (SPEC.md "Commendation": "a district
//! dictionary"): each category has a name and the kind of nominee it is for; the six of the plans
//! are seeded for every district; the district adds its own, renames and retires them. Rounds and
//! nominations keep a category's code, so a rename relabels past rounds and certificates and a
//! retired category stays on them — it is only no longer offered for a new round.

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::rules::{self, NomineeKind};
use super::store;
use crate::access::{Actor, Permission};
use crate::audit::{self, Entry};
use crate::db::{Conn, Db, turn};
use crate::error::{Error, FieldErrors, Msg, Result};
use crate::org::rules::{DISTRICT_LEVEL, ancestor_id, ancestor_path};
use crate::text;

/// The subject type of a category in the audit log.
pub const AWARD_CATEGORY: &str = "award_category";

/// A category of a district's dictionary.
#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct AwardCategory {
    pub id: i64,
    /// What rounds, nominations and the API name the category by; stable across renames.
    pub code: String,
    pub name: String,
    /// Whom the category is for.
    pub nominee_kind: NomineeKind,
    /// False: retired, not offered for a new round (past rounds keep it).
    pub active: bool,
}

/// A category as the form / API sends it.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct AwardCategoryInput {
    #[schema(min_length = 1, max_length = 50)]
    pub name: String,
    /// resident, household, building, community or unit. Fixed once a round uses the category.
    pub nominee_kind: String,
    /// False retires the category.
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

/// May the actor change the dictionary? The district's administrator (the awards page shows its
/// forms on this answer; the use-cases require the same).
pub fn may_edit(actor: &Actor) -> bool {
    actor.can(Permission::AwardsCategories) && district_of(actor).is_ok()
}

/// The district of the actor's scope (a town's or centre's account: its district).
fn district_of(actor: &Actor) -> Result<(i64, String)> {
    let id = ancestor_id(&actor.scope_path, DISTRICT_LEVEL).ok_or(Error::NotFound)?;
    let path = ancestor_path(&actor.scope_path, DISTRICT_LEVEL).ok_or(Error::NotFound)?;
    Ok((id, path))
}

/// The district a town belongs to.
pub(super) fn district_of_town(town_path: &str) -> Result<i64> {
    ancestor_id(town_path, DISTRICT_LEVEL).ok_or(Error::NotFound)
}

/// Every category of a district, retired ones too, in the dictionary's order.
pub(super) async fn of_district(
    conn: impl Into<Conn<'_>>,
    district_id: i64,
) -> Result<Vec<AwardCategory>> {
    store::dictionary(conn, district_id).await
}

/// A district's dictionary, the plans' six seeded first when it has none (a district set up
/// after the migration that seeded the others).
pub(super) async fn dictionary(db: &Db, district_id: i64) -> Result<Vec<AwardCategory>> {
    let found = of_district(db, district_id).await?;
    if !found.is_empty() {
        return Ok(found);
    }
    seed_categories(db, district_id).await?;
    of_district(db, district_id).await
}

/// The dictionary of the actor's district (the round form offers its active categories).
pub async fn categories(db: &Db, actor: &Actor) -> Result<Vec<AwardCategory>> {
    actor.require(Permission::AwardsRead)?;
    let (district, _) = district_of(actor)?;
    dictionary(db, district).await
}

/// Seeds the plans' six categories into a district that has none.
pub async fn seed_categories(db: &Db, district_id: i64) -> Result<()> {
    let mut tx = db.begin().await?;
    tx.take_turns(turn::AWARD_CATEGORIES, district_id as i32)
        .await?;
    if store::dictionary(&mut tx, district_id).await?.is_empty() {
        for (sort, (code, name, kind)) in rules::DEFAULT_CATEGORIES.iter().enumerate() {
            store::insert_dictionary(&mut tx, district_id, code, name, *kind, sort as i64 + 1)
                .await?;
        }
    }
    tx.commit().await
}

/// A category's name and kind, trimmed and checked.
fn checked(input: &AwardCategoryInput) -> Result<(String, NomineeKind)> {
    let mut fe = FieldErrors::default();
    let name = text::required(&mut fe, "name", &input.name, text::max::NAME);
    let kind = NomineeKind::parse(input.nominee_kind.trim());
    if kind.is_none() {
        fe.add("nominee_kind", Msg::new("field.choose"));
    }
    fe.into_result()?;
    Ok((name, kind.unwrap_or(NomineeKind::Unit)))
}

/// Adds a category to the actor's district.
pub async fn add_category(
    db: &Db,
    actor: &Actor,
    input: &AwardCategoryInput,
) -> Result<AwardCategory> {
    set_category(db, actor, None, input).await
}

/// Renames, retires or reinstates a category of the actor's district; its kind changes only while
/// no round uses it.
pub async fn update_category(
    db: &Db,
    actor: &Actor,
    id: i64,
    input: &AwardCategoryInput,
) -> Result<AwardCategory> {
    set_category(db, actor, Some(id), input).await
}

async fn set_category(
    db: &Db,
    actor: &Actor,
    id: Option<i64>,
    input: &AwardCategoryInput,
) -> Result<AwardCategory> {
    actor.require(Permission::AwardsCategories)?;
    let (district, path) = district_of(actor)?;
    let (name, kind) = checked(input)?;
    dictionary(db, district).await?;
    let mut tx = db.begin().await?;
    // Two administrators at once: the name check and the new code take turns per district.
    tx.take_turns(turn::AWARD_CATEGORIES, district as i32)
        .await?;
    let all = store::dictionary(&mut tx, district).await?;
    let before = match id {
        Some(id) => Some(
            all.iter()
                .find(|c| c.id == id)
                .cloned()
                .ok_or(Error::NotFound)?,
        ),
        None => None,
    };
    if all.iter().any(|c| c.name == name && Some(c.id) != id) {
        return Err(Error::invalid("name", Msg::new("catalogue.name_taken")));
    }
    let id = match &before {
        Some(b) => {
            if b.nominee_kind != kind && store::category_in_use(&mut tx, &path, &b.code).await? {
                return Err(Error::invalid(
                    "nominee_kind",
                    Msg::new("commendation.kind_in_use").arg("name", &b.name),
                ));
            }
            store::update_dictionary(&mut tx, b.id, &name, kind, input.active).await?;
            b.id
        }
        None => {
            let sort = all.len() as i64 + 1;
            store::insert_dictionary(&mut tx, district, &rules::new_code(sort), &name, kind, sort)
                .await?
        }
    };
    let active = input.active || before.is_none();
    let (action, before_json) = match &before {
        Some(b) => (
            "commendation.category_updated",
            Some(
                json!({"name": b.name, "nominee_kind": b.nominee_kind.as_str(), "active": b.active}),
            ),
        ),
        None => ("commendation.category_added", None),
    };
    audit::record(
        &mut tx,
        actor,
        Entry::of(action, AWARD_CATEGORY, Some(id), &path)
            .before(before_json)
            .after(json!({"name": name, "nominee_kind": kind.as_str(), "active": active})),
    )
    .await?;
    let saved = store::dictionary(&mut tx, district)
        .await?
        .into_iter()
        .find(|c| c.id == id)
        .ok_or(Error::NotFound)?;
    tx.commit().await?;
    Ok(saved)
}

/// 404 unless the category belongs to the actor's district.
pub async fn require_category(db: &Db, actor: &Actor, id: i64) -> Result<()> {
    actor.require(Permission::AwardsRead)?;
    let (district, _) = district_of(actor)?;
    if of_district(db, district).await?.iter().any(|c| c.id == id) {
        Ok(())
    } else {
        Err(Error::NotFound)
    }
}
