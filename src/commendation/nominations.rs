//! Nominations: a centre nominates inside its scope with the deeds and files (the nominee's own
//! record of the year attached from the data); the office passes or returns, the leadership group
//! approves — within the quota, the reward booked as an expense in the same transaction; a winner's
//! certificate.

use chrono::{NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::categories::district_of_town;
use super::rounds::visible_round;
use super::rules::{self, NomineeKind, Review, Status, Step};
use super::store::{self, NewNomination, NominationRow};
use super::{NOMINATION, Nomination, Record, Round, RoundCategory};
use crate::access::{Actor, Permission};
use crate::attachments::{self, Attachment, Subject};
use crate::audit::{self, Entry};
use crate::calendar::{Day, Year};
use crate::db::Db;
use crate::error::{Error, FieldErrors, Msg, Result};
use crate::funding::{self, CheckedExpense};
use crate::org::{self, Kind};
use crate::people;
use crate::text;
use crate::workflow;

/// A nomination as typed: the category, the nominee (by id, or by name for a unit), the deeds.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct NominationInput {
    pub category: String,
    /// The resident, household, building or community nominated (not for a unit).
    pub nominee_id: Option<i64>,
    /// The unit's name (a unit or an association).
    pub nominee_name: Option<String>,
    /// 事迹材料: what the nominee did.
    pub deeds: String,
}

/// A nominee found inside the actor's scope: its name, its id, and the record of the year.
pub(super) async fn nominee(
    db: &Db,
    actor: &Actor,
    kind: NomineeKind,
    input: &NominationInput,
    year: i32,
) -> Result<(Option<i64>, String, String, Record)> {
    let (from, until) = (Year(year).start(), Year(year).end());
    let unknown = || Error::invalid("nominee_id", Msg::new("commendation.nominee_outside"));
    let id = match kind {
        NomineeKind::Unit => None,
        _ => Some(
            input
                .nominee_id
                .ok_or_else(|| Error::invalid("nominee_id", Msg::new("field.choose")))?,
        ),
    };
    let found = match (kind, id) {
        (NomineeKind::Resident, Some(id)) => {
            let r = people::get_resident(db, actor, id)
                .await
                .map_err(|_| unknown())?;
            let record = store::residents_record(db, "resident", r.id, from, until).await?;
            (r.name, record)
        }
        (NomineeKind::Household, Some(id)) => {
            let (h, members) = people::household(db, actor, id)
                .await
                .map_err(|_| unknown())?;
            let record = store::residents_record(db, "household", h.id, from, until).await?;
            // A family is named by its first member, as a certificate names it: 王芳家庭.
            let name = match members.first() {
                Some(m) => format!("{}家庭({})", m.name, h.name),
                None => h.name,
            };
            (name, record)
        }
        (NomineeKind::Building, Some(id)) => {
            let (name, community) = store::building(db, id).await?.ok_or_else(unknown)?;
            org::get_node(db, actor, community)
                .await
                .map_err(|_| unknown())?;
            (
                name,
                store::residents_record(db, "building", id, from, until).await?,
            )
        }
        (NomineeKind::Community, Some(id)) => {
            let n = org::get_node(db, actor, id).await.map_err(|_| unknown())?;
            if n.kind() != Kind::Community {
                return Err(unknown());
            }
            let record = store::community_record(db, &n.path, from, until).await?;
            (n.name, record)
        }
        _ => {
            let mut fe = FieldErrors::default();
            let name = text::required(
                &mut fe,
                "nominee_name",
                input.nominee_name.as_deref().unwrap_or(""),
                text::max::PLACE,
            );
            fe.into_result()?;
            (name, Record::default())
        }
    };
    let key = match id {
        Some(id) => format!("{kind}:{id}"),
        None => format!("unit:{}", found.0),
    };
    Ok((id, found.0, key, found.1))
}

/// Stores a new nomination; a second of the same nominee and category in the round is the
/// clerk's mistake, named.
pub(super) async fn insert(
    tx: &mut crate::db::Tx,
    new: &NewNomination<'_>,
    actor: &Actor,
    now: chrono::DateTime<Utc>,
) -> Result<i64> {
    store::insert_nomination(tx, new, actor.user_id, now)
        .await
        .map_err(|e| match e {
            Error::Conflict(_) => Error::invalid(
                "nominee_id",
                Msg::new("commendation.duplicate").arg("name", new.name),
            ),
            e => e,
        })
}

/// Nominates inside the actor's scope, with files of the deeds (photos, scans, PDF), in one
/// transaction.
pub async fn nominate(
    db: &Db,
    actor: &Actor,
    round_id: i64,
    input: &NominationInput,
    files: Vec<(String, Vec<u8>)>,
) -> Result<Nomination> {
    actor.require(Permission::AwardsNominate)?;
    let r = visible_round(db, actor, round_id).await?;
    rules::check_deadline(Day(r.deadline), Day::today()).map_err(Error::Conflict)?;
    let categories = store::categories(db, r.id, district_of_town(&r.town_path)?).await?;
    let category = categories
        .iter()
        .find(|c| c.category == input.category.trim())
        .ok_or_else(|| {
            Error::invalid("category", Msg::new("commendation.category_not_in_round"))
        })?;
    let mut fe = FieldErrors::default();
    let deeds = text::required_multiline(&mut fe, "deeds", &input.deeds, text::max::DESCRIPTION);
    fe.into_result()?;
    let kind = category.nominee_kind;
    let (nominee_id, name, key, record) = nominee(db, actor, kind, input, r.year).await?;
    let mut prepared = Vec::new();
    for (file_name, bytes) in files {
        prepared.push(
            attachments::prepare(
                "file",
                &file_name,
                bytes,
                attachments::DOCUMENT_TYPES,
                attachments::DOCUMENT,
            )
            .await?,
        );
    }
    let now = Utc::now();
    let mut tx = db.begin().await?;
    let new = NewNomination {
        round: r.id,
        category: &category.category,
        kind,
        nominee_id,
        key: &key,
        name: &name,
        path: &actor.scope_path,
        deeds: &deeds,
        record: &serde_json::to_string(&record)?,
    };
    let id = insert(&mut tx, &new, actor, now).await?;
    for f in &prepared {
        let subject = Subject {
            kind: NOMINATION,
            id,
            path: &actor.scope_path,
        };
        attachments::attach(&mut tx, subject, f, actor.user_id, now).await?;
    }
    let after = json!({"round_id": r.id, "category": category.category, "nominee": name,
        "kind": kind.as_str(), "files": prepared.len()});
    audit::record(
        &mut tx,
        actor,
        Entry::of(
            "commendation.nominated",
            NOMINATION,
            Some(id),
            &actor.scope_path,
        )
        .after(after),
    )
    .await?;
    tx.commit().await?;
    get(db, actor, id).await
}

/// Whether the actor sees a nomination: the round's town for those who read it whole, the own
/// scope's for a centre.
fn sees(actor: &Actor, r: &Round, n: &NominationRow) -> bool {
    actor.sees(&n.node_path) || actor.sees(&r.town_path)
}

/// A nomination as the reader sees it (files listed when `full`).
pub(super) async fn view(
    db: &Db,
    actor: &Actor,
    r: &Round,
    n: NominationRow,
    categories: &[RoundCategory],
    full: bool,
) -> Result<Nomination> {
    let actions = workflow::available::<Review>(actor, n.status, |step| match step {
        Step::Resubmit => actor.sees(&n.node_path),
        _ => actor.sees(&r.town_path),
    })
    .iter()
    .map(|s| s.name)
    .collect();
    Ok(Nomination {
        files: if full {
            attachments::of(db, NOMINATION, n.id).await?
        } else {
            Vec::new()
        },
        record: serde_json::from_str(&n.record).unwrap_or_default(),
        id: n.id,
        round_id: n.round_id,
        category_name: name_of(categories, &n.category),
        category: n.category,
        nominee_kind: n.nominee_kind,
        nominee_id: n.nominee_id,
        nominee_name: n.nominee_name,
        node_path: n.node_path,
        deeds: n.deeds,
        status: n.status,
        review_note: n.review_note,
        expense_id: n.expense_id,
        actions,
    })
}

async fn found(db: &Db, actor: &Actor, id: i64) -> Result<(Round, NominationRow)> {
    actor.require(Permission::AwardsRead)?;
    let n = store::nomination(db, id).await?.ok_or(Error::NotFound)?;
    let r = visible_round(db, actor, n.round_id).await?;
    if sees(actor, &r, &n) {
        Ok((r, n))
    } else {
        Err(Error::NotFound)
    }
}

/// The name a round's category has in the dictionary (its code if it has none).
fn name_of(categories: &[RoundCategory], code: &str) -> String {
    categories
        .iter()
        .find(|c| c.category == code)
        .map_or_else(|| code.to_string(), |c| c.name.clone())
}

/// One nomination with its files, for whoever sees it.
pub async fn get(db: &Db, actor: &Actor, id: i64) -> Result<Nomination> {
    let (r, n) = found(db, actor, id).await?;
    let categories = store::categories(db, r.id, district_of_town(&r.town_path)?).await?;
    view(db, actor, &r, n, &categories, true).await
}

/// 404 unless the actor sees the nomination.
pub async fn require_nomination(db: &Db, actor: &Actor, id: i64) -> Result<()> {
    found(db, actor, id).await.map(|_| ())
}

/// Takes a review step: pass or return (the office), resubmit (the centre), approve (the
/// leadership group: within the quota, the reward booked as an expense of the award category in
/// the same transaction — if the funds refuse it, nothing is approved).
pub async fn step(
    db: &Db,
    actor: &Actor,
    id: i64,
    name: &str,
    reason: Option<&str>,
) -> Result<Nomination> {
    let (r, n) = found(db, actor, id).await?;
    let step = workflow::parse::<Review>(name)
        .ok_or_else(|| Error::invalid("action", Msg::new("field.choose")))?;
    let refusal = match step {
        Step::Resubmit if !actor.sees(&n.node_path) => Some(Msg::new("commendation.not_yours")),
        Step::Pass | Step::Return | Step::Approve if !actor.sees(&r.town_path) => {
            Some(Msg::new("commendation.not_yours"))
        }
        _ => None,
    };
    let checked = workflow::check::<Review>(actor, n.status, step, refusal, reason)?;
    let now = Utc::now();
    let mut tx = db.begin().await?;
    let mut after = json!({"status": checked.to.as_str(), "reason": checked.reason});
    if step == Step::Approve {
        tx.take_turns(crate::db::turn::APPROVALS, r.id as i32)
            .await?;
        let district = district_of_town(&r.town_path)?;
        let categories = store::categories(&mut tx, r.id, district).await?;
        let c = categories
            .iter()
            .find(|c| c.category == n.category)
            .ok_or(Error::NotFound)?;
        let approved = store::approved_in(&mut tx, r.id, &n.category).await?;
        rules::check_quota(approved, c.quota).map_err(Error::Conflict)?;
        if c.reward_fen > 0 {
            // The reward is the town school's expense (where the office keeps its funds).
            let school = org::nodes_under(db, &r.town_path, &[Kind::School])
                .await?
                .into_iter()
                .find(|s| s.retired_at.is_none())
                .ok_or(Error::NotFound)?;
            let today = Day::today();
            let expense = CheckedExpense {
                town: (r.town_id, r.town_path.clone()),
                node_id: school.id,
                year: r.year,
                date: if today.year() == r.year {
                    today.0
                } else {
                    NaiveDate::from_ymd_opt(r.year, 12, 31).unwrap_or(today.0)
                },
                category: funding::Category::Award,
                fen: c.reward_fen,
                payee: n.nominee_name.clone(),
                activity_id: None,
                teacher_id: None,
                note: Some(format!("{}:{}", r.title, n.nominee_name)),
                over_budget_reason: None,
            };
            let expense_id =
                funding::book(&mut tx, actor, &expense, now)
                    .await
                    .map_err(|e| match e {
                        Error::Invalid(fe) => Error::Conflict(
                            fe.0.into_iter()
                                .next()
                                .map(|(_, m)| m)
                                .unwrap_or_else(|| Msg::new("funding.over_budget")),
                        ),
                        e => e,
                    })?;
            store::set_expense(&mut tx, n.id, expense_id).await?;
            after["expense_id"] = json!(expense_id);
            after["reward"] = json!(funding::yuan(c.reward_fen));
        }
    }
    if !store::set_status(
        &mut tx,
        n.id,
        checked.from,
        checked.to,
        checked.reason.as_deref(),
        actor.user_id,
        now,
    )
    .await?
    {
        return Err(Error::Conflict(Msg::new("commendation.changed_meanwhile")));
    }
    let action = workflow::rule::<Review>(step).action;
    audit::record(
        &mut tx,
        actor,
        Entry::of(action, NOMINATION, Some(n.id), &n.node_path).after(after),
    )
    .await?;
    tx.commit().await?;
    get(db, actor, id).await
}

/// What a winner's certificate (奖状) says.
#[derive(Clone, Debug, Serialize)]
pub struct Certificate {
    pub town_name: String,
    pub year: i32,
    pub round_title: String,
    /// The category's name in the dictionary.
    pub category: String,
    pub nominee_name: String,
}

/// The certificate of an approved nomination.
pub async fn certificate(db: &Db, actor: &Actor, id: i64) -> Result<Certificate> {
    let (r, n) = found(db, actor, id).await?;
    if n.status != Status::Approved {
        return Err(Error::Conflict(Msg::new("commendation.not_approved")));
    }
    let categories = store::categories(db, r.id, district_of_town(&r.town_path)?).await?;
    Ok(Certificate {
        town_name: r.town_name,
        year: r.year,
        round_title: r.title,
        category: name_of(&categories, &n.category),
        nominee_name: n.nominee_name,
    })
}

/// A file of a nomination's deeds, for whoever sees the nomination.
pub async fn file(db: &Db, actor: &Actor, file_id: i64) -> Result<(Attachment, Vec<u8>)> {
    require_file(db, actor, file_id).await?;
    Ok((
        attachments::meta(db, file_id).await?,
        attachments::body(db, file_id).await?,
    ))
}

/// 404 unless the file belongs to a nomination the actor sees.
pub async fn require_file(db: &Db, actor: &Actor, file_id: i64) -> Result<()> {
    let meta = attachments::meta(db, file_id).await?;
    if meta.subject_type != NOMINATION {
        return Err(Error::NotFound);
    }
    require_nomination(db, actor, meta.subject_id).await
}
