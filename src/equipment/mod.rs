//! Equipment and venues (教学设备与活动场所; Q三(二), L二1): a standard list owned by a district
//! (Qunli's desks and chairs, TV, amplifier, blackboard, computer and projector where possible,
//! chess sets and balls; Qiling's provincial standard for the street's centre: the digital
//! learning centre, reading room, sports room, training room, archive room, courts); each centre's
//! inventory (quantity, condition, source, date; a purchase may be booked as an expense of the
//! town's funds in the same transaction); its venues and function rooms with capacity; the gap of
//! each centre against its standard (missing, short, broken) per centre and per town.
//! Invariants: a centre head changes only the own centre's inventory and rooms (`may_edit`); an
//! inventory line is edited with its version (two clerks at once: one saved, one told); a
//! written-off line stays in the record with its reason; an activity booked in a room never
//! overlaps another booking of it (`venues::check_free`).

mod gaps;
mod rooms;
pub mod rules;
mod standard;
mod store;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

pub use gaps::*;
pub use rooms::*;
pub use rules::{AppliesTo, Condition, GapStatus, Held, Source, StandardKind};
pub use standard::*;

use crate::access::{Actor, Permission};
use crate::audit::{self, Entry};
use crate::calendar::Day;
use crate::db::Db;
use crate::error::{Error, FieldErrors, Msg, Result};
use crate::funding::{self, ExpenseInput};
use crate::org::{self, Kind, Node};
use crate::text;
use crate::venues::{self, Room};

/// The subject type of an inventory line in the audit log.
pub const ITEM: &str = "equipment_item";
/// The subject type of a line of the standard list.
pub const STANDARD: &str = "equipment_standard";

/// A line of the standard list: what a centre (or the town school) should have.
#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct StandardLine {
    pub id: i64,
    pub owner_id: i64,
    pub kind: StandardKind,
    pub applies_to: AppliesTo,
    pub name: String,
    /// 套, 台, 间 …
    pub unit: String,
    pub quantity: i64,
    /// Required, or optional ("有条件的社区可自行增加").
    pub required: bool,
    /// Where the line comes from (the plan's article, the provincial standard).
    pub basis: String,
}

/// A line of a centre's inventory.
#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct EquipmentItem {
    pub id: i64,
    pub node_id: i64,
    #[serde(skip)]
    pub node_path: String,
    /// The line of the standard list it counts for, if any.
    pub standard_id: Option<i64>,
    pub name: String,
    pub quantity: i64,
    pub condition: Condition,
    pub source: Source,
    pub acquired_on: Option<NaiveDate>,
    pub note: Option<String>,
    /// The expense its purchase was booked as.
    pub expense_id: Option<i64>,
    pub version: i64,
    pub written_off_at: Option<DateTime<Utc>>,
    pub written_off_reason: Option<String>,
}

/// A centre's equipment: its inventory, rooms and gaps against its standard.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct CentreEquipment {
    pub node_id: i64,
    pub node_name: String,
    pub items: Vec<EquipmentItem>,
    pub rooms: Vec<Room>,
    pub gaps: Vec<GapLine>,
}

/// A piece of equipment as typed.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct ItemInput {
    pub node_id: i64,
    /// The line of the standard list it counts for (its name is then the line's).
    pub standard_id: Option<i64>,
    /// Required without a standard line.
    pub name: Option<String>,
    /// A whole number, 1–100000.
    pub quantity: String,
    /// good, repair or broken
    pub condition: String,
    /// office, culture, school, donated or other
    pub source: String,
    /// YYYY-MM-DD
    pub acquired_on: Option<String>,
    pub note: Option<String>,
    /// The purchase price in yuan: booked as an equipment expense of the town's funds (the office).
    pub amount: Option<String>,
    /// Who was paid (required with an amount).
    pub payee: Option<String>,
    /// Required when the purchase takes spending beyond the year's funds.
    pub over_budget_reason: Option<String>,
}

/// A change of an inventory line: its quantity, condition and note.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct ItemChange {
    pub quantity: String,
    pub condition: String,
    pub note: Option<String>,
    /// The version read; a line changed since is refused.
    pub version: i64,
}

/// May the actor change this centre's inventory and rooms? The office of the town, the centre's
/// own head; the page shows its forms and the use-cases act on this one answer.
pub fn may_edit(actor: &Actor, node_path: &str) -> bool {
    actor.can(Permission::EquipmentWrite) && actor.sees(node_path)
}

/// The centre or town school whose equipment is asked for, inside the actor's scope.
async fn place(db: &Db, actor: &Actor, node_id: i64) -> Result<Node> {
    let n = org::get_node(db, actor, node_id).await?;
    if !matches!(n.kind(), Kind::Centre | Kind::School) || n.retired_at.is_some() {
        return Err(Error::NotFound);
    }
    Ok(n)
}

/// A place whose equipment the actor changes: [`may_edit`]'s permission (403 without it), and its
/// scope by reading the place inside the actor's (404 outside).
async fn writable_place(db: &Db, actor: &Actor, node_id: i64) -> Result<Node> {
    actor.require(Permission::EquipmentWrite)?;
    place(db, actor, node_id).await
}

/// The lines of the standard list that apply to a centre or town school: those of its district
/// and town, for its kind.
pub async fn standard_for(db: &Db, node: &Node) -> Result<Vec<StandardLine>> {
    let applies = if node.kind() == Kind::School {
        AppliesTo::School
    } else {
        AppliesTo::Centre
    };
    Ok(store::standards_above(db, &node.path)
        .await?
        .into_iter()
        .filter(|l| l.applies_to == applies)
        .collect())
}

/// A centre's inventory (written-off lines last), rooms and gaps.
pub async fn centre(db: &Db, actor: &Actor, node_id: i64) -> Result<CentreEquipment> {
    actor.require(Permission::EquipmentRead)?;
    let node = place(db, actor, node_id).await?;
    let items = store::items(db, node.id).await?;
    let rooms = venues::rooms_of(db, node.id).await?;
    let standard = standard_for(db, &node).await?;
    let gaps = gaps::lines(&standard, &items, &rooms);
    Ok(CentreEquipment {
        node_id: node.id,
        node_name: node.name,
        items,
        rooms,
        gaps,
    })
}

/// One inventory line, for whoever reads its centre.
pub async fn item(db: &Db, actor: &Actor, id: i64) -> Result<EquipmentItem> {
    actor.require(Permission::EquipmentRead)?;
    let i = store::item(db, id).await?.ok_or(Error::NotFound)?;
    actor.require_sees(&i.node_path)?;
    Ok(i)
}

/// Adds a piece of equipment to a centre's inventory; with an amount, its purchase is booked as an
/// equipment expense of the town's funds in the same transaction (a refusal leaves neither).
pub async fn add_item(db: &Db, actor: &Actor, input: &ItemInput) -> Result<EquipmentItem> {
    let node = writable_place(db, actor, input.node_id).await?;
    let mut fe = FieldErrors::default();
    let standard = match input.standard_id {
        Some(id) => {
            let line = standard_for(db, &node)
                .await?
                .into_iter()
                .find(|l| l.id == id && l.kind == StandardKind::Item);
            if line.is_none() {
                fe.add("standard_id", Msg::new("field.choose"));
            }
            line
        }
        None => None,
    };
    let name = match &standard {
        Some(l) => l.name.clone(),
        // An unknown line is refused already; its name is not asked for as well.
        None if input.standard_id.is_some() => String::new(),
        None => text::required(
            &mut fe,
            "name",
            input.name.as_deref().unwrap_or(""),
            text::max::NAME,
        ),
    };
    let quantity = quantity(&mut fe, &input.quantity);
    let condition = choice(&mut fe, "condition", Condition::parse(&input.condition));
    let source = choice(&mut fe, "source", Source::parse(&input.source));
    let acquired_on = acquired_on(&mut fe, input.acquired_on.as_deref());
    let note = text::optional_multiline(&mut fe, "note", input.note.as_deref(), text::max::NOTE);
    let amount = input
        .amount
        .as_deref()
        .map(str::trim)
        .filter(|a| !a.is_empty());
    let (Some(quantity), Some(condition), Some(source), true) =
        (quantity, condition, source, fe.is_empty())
    else {
        return Err(Error::Invalid(fe));
    };
    let expense = match amount {
        None => None,
        Some(amount) => {
            // The purchase is the town's spending: its funds' rules decide (who may book, the
            // date inside the year, the amount, beyond the year's funds only with a reason).
            let town = org::rules::ancestor_id(&node.path, org::rules::TOWN_LEVEL)
                .ok_or(Error::NotFound)?;
            let date = acquired_on.unwrap_or_else(|| Day::today().0);
            let input = ExpenseInput {
                town_id: town,
                year: chrono::Datelike::year(&date),
                date: date.to_string(),
                category: funding::Category::Equipment.as_str().into(),
                amount: amount.into(),
                payee: input.payee.clone().unwrap_or_default(),
                node_id: Some(node.id),
                activity_id: None,
                teacher_id: None,
                note: Some(format!("{name} × {quantity}")),
                over_budget_reason: input.over_budget_reason.clone(),
            };
            Some(funding::check_expense(db, actor, &input).await?)
        }
    };
    let now = Utc::now();
    let mut tx = db.begin().await?;
    let expense_id = match &expense {
        Some(e) => Some(funding::book(&mut tx, actor, e, now).await?),
        None => None,
    };
    let new = store::NewItem {
        node: (node.id, &node.path),
        standard_id: standard.as_ref().map(|l| l.id),
        name: &name,
        quantity,
        condition,
        source,
        acquired_on,
        note: note.as_deref(),
        expense_id,
    };
    let id = store::insert_item(&mut tx, &new, actor.user_id, now).await?;
    audit::record(
        &mut tx,
        actor,
        Entry::of("equipment.added", ITEM, Some(id), &node.path).after(json!({
            "centre": node.name, "name": name, "quantity": quantity,
            "condition": condition.as_str(), "source": source.as_str(),
            "acquired_on": acquired_on, "expense_id": expense_id})),
    )
    .await?;
    tx.commit().await?;
    item(db, actor, id).await
}

/// Changes a line's quantity, condition or note (with the version read).
pub async fn change_item(
    db: &Db,
    actor: &Actor,
    id: i64,
    input: &ItemChange,
) -> Result<EquipmentItem> {
    let before = item(db, actor, id).await?;
    writable_place(db, actor, before.node_id).await?;
    if before.written_off_at.is_some() {
        return Err(Error::Conflict(Msg::new("equipment.written_off_already")));
    }
    let mut fe = FieldErrors::default();
    let quantity = quantity(&mut fe, &input.quantity);
    let condition = choice(&mut fe, "condition", Condition::parse(&input.condition));
    let note = text::optional_multiline(&mut fe, "note", input.note.as_deref(), text::max::NOTE);
    let (Some(quantity), Some(condition), true) = (quantity, condition, fe.is_empty()) else {
        return Err(Error::Invalid(fe));
    };
    let mut tx = db.begin().await?;
    let change = (quantity, condition, note.as_deref());
    if !store::change_item(&mut tx, id, input.version, change, Utc::now()).await? {
        return Err(Error::Conflict(Msg::new("equipment.changed_meanwhile")));
    }
    audit::record(
        &mut tx,
        actor,
        Entry::of("equipment.changed", ITEM, Some(id), &before.node_path)
            .before(json!({"quantity": before.quantity, "condition": before.condition.as_str()}))
            .after(json!({"quantity": quantity, "condition": condition.as_str(), "note": note})),
    )
    .await?;
    tx.commit().await?;
    item(db, actor, id).await
}

/// Writes a line off (报废, lost, given away) with the reason; it stays in the record.
pub async fn write_off(db: &Db, actor: &Actor, id: i64, reason: &str) -> Result<EquipmentItem> {
    let before = item(db, actor, id).await?;
    writable_place(db, actor, before.node_id).await?;
    let mut fe = FieldErrors::default();
    let reason = text::required(&mut fe, "reason", reason, text::max::REASON);
    fe.into_result()?;
    let mut tx = db.begin().await?;
    if !store::write_off(&mut tx, id, &reason, Utc::now()).await? {
        return Err(Error::Conflict(Msg::new("equipment.written_off_already")));
    }
    audit::record(
        &mut tx,
        actor,
        Entry::of("equipment.written_off", ITEM, Some(id), &before.node_path)
            .before(json!({"name": before.name, "quantity": before.quantity}))
            .after(json!({"reason": reason})),
    )
    .await?;
    tx.commit().await?;
    item(db, actor, id).await
}

fn quantity(fe: &mut FieldErrors, typed: &str) -> Option<i64> {
    let n = text::whole_number(fe, "quantity", Some(typed), (1, 100_000));
    if n.is_none() && typed.trim().is_empty() {
        fe.add("quantity", Msg::new("field.required"));
    }
    n
}

fn choice<T>(fe: &mut FieldErrors, field: &str, value: Option<T>) -> Option<T> {
    if value.is_none() {
        fe.add(field, Msg::new("field.choose"));
    }
    value
}

fn acquired_on(fe: &mut FieldErrors, typed: Option<&str>) -> Option<NaiveDate> {
    let typed = typed.map(str::trim).filter(|s| !s.is_empty())?;
    match Day::parse(typed) {
        Some(d) if d > Day::today() => {
            fe.add("acquired_on", Msg::new("equipment.acquired_in_future"));
            None
        }
        Some(d) if d.year() < 1950 => {
            fe.add("acquired_on", Msg::new("field.date_format"));
            None
        }
        Some(d) => Some(d.0),
        None => {
            fe.add("acquired_on", Msg::new("field.date_format"));
            None
        }
    }
}

/// How the audit log names equipment records.
pub const AUDIT_NAMES: &[crate::audit::view::Namer] = &[
    crate::audit::view::Namer::plain(ITEM, "equipment_items", "name"),
    crate::audit::view::Namer::plain(STANDARD, "equipment_standards", "name"),
    crate::audit::view::Namer::plain(venues::ROOM, "rooms", "name"),
];
