//! The year's funds of a town: income and expenses booked with their checks, the budget against
//! the floor of 2 yuan per resident, the ledger per category and per centre.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::rules::{self, Category, Channel};
use super::{EXPENSE, Expense, Income, store};
use crate::access::{Actor, Permission};
use crate::activities::{self, Status as ActivityStatus};
use crate::attachments::{self, Attachment, Subject};
use crate::audit::{self, Entry};
use crate::calendar::Day;
use crate::db::{Db, Tx};
use crate::error::{Error, FieldErrors, Msg, Result};
use crate::org::{self, Kind, Node};
use crate::teachers;
use crate::text;

/// Spending per category.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct CategoryLine {
    pub category: Category,
    pub spent_fen: i64,
}

/// Spending of one centre (or the town school), in total and per category (in the order of
/// `Category::ALL`).
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct NodeLine {
    pub node_id: i64,
    pub node_name: String,
    pub spent_fen: i64,
    pub by_category: Vec<i64>,
}

/// A town's year of funds: the budget against the floor, income, spending, the ledger.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct FundsYear {
    pub town_id: i64,
    pub town_name: String,
    pub year: i32,
    /// The resident population: the sum of the communities' 常住人口.
    pub population: i64,
    /// 2 yuan × population, in fen.
    pub floor_fen: i64,
    /// The government's special budget booked for the year, in fen.
    pub government_fen: i64,
    /// How far the special budget falls short of the floor (0 when met), in fen.
    pub shortfall_fen: i64,
    /// The special budget per resident, in fen.
    pub per_capita_fen: i64,
    /// Income of every channel, in fen.
    pub income_fen: i64,
    pub spent_fen: i64,
    /// Income less spending (negative when spending went beyond the funds), in fen.
    pub balance_fen: i64,
    pub by_category: Vec<CategoryLine>,
    pub by_node: Vec<NodeLine>,
    pub incomes: Vec<Income>,
    pub expenses: Vec<Expense>,
}

/// The government's special budget booked per town under a path for a year: (town path, fen).
pub async fn special_budget_by_town(db: &Db, under: &str, year: i32) -> Result<Vec<(String, i64)>> {
    store::government_by_town(db, under, year).await
}

/// A town's funds for a year (office, leadership, district).
pub async fn year(db: &Db, actor: &Actor, town_id: Option<i64>, year: i32) -> Result<FundsYear> {
    actor.require(Permission::FundsRead)?;
    let town = org::town_for(db, actor, town_id).await?;
    actor.require_sees(&town.path)?;
    let population = org::population_under(db, &town.path).await?;
    let mut tx = db.begin_read().await?;
    let incomes = store::incomes(&mut tx, town.id, year).await?;
    let expenses = store::expenses(&mut tx, town.id, year, None).await?;
    tx.commit().await?;
    let government_fen: i64 = incomes
        .iter()
        .filter(|i| i.channel == Channel::Government)
        .map(|i| i.amount_fen)
        .sum();
    let income_fen: i64 = incomes.iter().map(|i| i.amount_fen).sum();
    let spent_fen: i64 = expenses.iter().map(|e| e.amount_fen).sum();
    let by_category = Category::ALL
        .iter()
        .map(|c| CategoryLine {
            category: *c,
            spent_fen: expenses
                .iter()
                .filter(|e| e.category == *c)
                .map(|e| e.amount_fen)
                .sum(),
        })
        .collect();
    let mut by_node: Vec<NodeLine> = Vec::new();
    for e in &expenses {
        let at = match by_node.iter().position(|n| n.node_id == e.node_id) {
            Some(i) => i,
            None => {
                by_node.push(NodeLine {
                    node_id: e.node_id,
                    node_name: e.node_name.clone(),
                    spent_fen: 0,
                    by_category: vec![0; Category::ALL.len()],
                });
                by_node.len() - 1
            }
        };
        let c = Category::ALL
            .iter()
            .position(|c| *c == e.category)
            .unwrap_or(0);
        by_node[at].spent_fen += e.amount_fen;
        by_node[at].by_category[c] += e.amount_fen;
    }
    by_node.sort_by(|a, b| a.node_name.cmp(&b.node_name));
    Ok(FundsYear {
        town_id: town.id,
        town_name: town.name,
        year,
        population,
        floor_fen: rules::floor_fen(population),
        government_fen,
        shortfall_fen: rules::shortfall_fen(government_fen, population),
        per_capita_fen: if population > 0 {
            government_fen / population
        } else {
            0
        },
        income_fen,
        spent_fen,
        balance_fen: income_fen - spent_fen,
        by_category,
        by_node,
        incomes,
        expenses,
    })
}

/// Income as typed: the amount in yuan as text ("12,000.50"), never a floating-point number.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct IncomeInput {
    pub town_id: i64,
    pub year: i32,
    /// YYYY-MM-DD, inside the year.
    pub date: String,
    /// government, community, higher_level, donation or other.
    pub channel: String,
    /// Yuan, at most two decimals ("12000", "12,000.50").
    pub amount: String,
    pub source: Option<String>,
    pub note: Option<String>,
}

/// The town the office books into (`funds:write`, inside the scope).
/// May the actor book income and expenses for a place (a town, or a centre of it)? The town
/// office; pages show the amount fields on this answer, the use-cases require the same.
pub fn may_book(actor: &Actor, place_path: &str) -> bool {
    actor.can(Permission::FundsWrite) && actor.sees(place_path)
}

async fn writable_town(db: &Db, actor: &Actor, town_id: i64) -> Result<Node> {
    actor.require(Permission::FundsWrite)?;
    let town = org::town_for(db, actor, Some(town_id)).await?;
    actor.require_sees(&town.path)?;
    Ok(town)
}

/// A date of the year, or the field's refusal.
fn date_in(fe: &mut FieldErrors, field: &str, text: &str, year: i32) -> Option<NaiveDate> {
    if !(2000..=2100).contains(&year) {
        fe.add("year", Msg::new("schedule.year_invalid"));
        return None;
    }
    match Day::parse(text.trim()) {
        None if text.trim().is_empty() => fe.add(field, Msg::new("field.required")),
        None => fe.add(field, Msg::new("field.date_format")),
        Some(d) if d.year() != year => fe.add(
            field,
            Msg::new("funding.date_outside_year").arg("year", year),
        ),
        Some(d) => return Some(d.0),
    }
    None
}

fn amount(fe: &mut FieldErrors, text: &str) -> i64 {
    rules::parse_yuan(text).unwrap_or_else(|m| {
        fe.add("amount", m);
        0
    })
}

/// Books income for a town's year.
pub async fn add_income(db: &Db, actor: &Actor, input: &IncomeInput) -> Result<Income> {
    let town = writable_town(db, actor, input.town_id).await?;
    let mut fe = FieldErrors::default();
    let date = date_in(&mut fe, "date", &input.date, input.year);
    let channel = Channel::parse(input.channel.trim());
    if channel.is_none() {
        fe.add("channel", Msg::new("field.choose"));
    }
    let fen = amount(&mut fe, &input.amount);
    let source = text::optional(&mut fe, "source", input.source.as_deref(), text::max::PLACE);
    let note = text::optional_multiline(&mut fe, "note", input.note.as_deref(), text::max::NOTE);
    let (Some(date), Some(channel), true) = (date, channel, fe.is_empty()) else {
        return Err(Error::Invalid(fe));
    };
    let mut tx = db.begin().await?;
    let id = store::insert_income(
        &mut tx,
        (town.id, &town.path),
        input.year,
        date,
        channel,
        fen,
        source.as_deref(),
        note.as_deref(),
        actor.user_id,
        Utc::now(),
    )
    .await?;
    let entry = Entry::of("funding.income_booked", "fund_income", Some(id), &town.path).after(
        json!({"year": input.year, "date": date, "channel": channel.as_str(),
            "amount": rules::yuan(fen), "source": source}),
    );
    audit::record(&mut tx, actor, entry).await?;
    tx.commit().await?;
    store::income(db, id).await?.ok_or(Error::NotFound)
}

/// An expense as typed.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct ExpenseInput {
    pub town_id: i64,
    pub year: i32,
    /// YYYY-MM-DD, inside the year.
    pub date: String,
    /// lecture_fee, lost_work, award, activity or equipment.
    pub category: String,
    /// Yuan, at most two decimals ("800", "1,250.50").
    pub amount: String,
    pub payee: String,
    /// The centre or the town school it is spent for.
    pub node_id: Option<i64>,
    /// The activity it belongs to (required for a lecture fee).
    pub activity_id: Option<i64>,
    /// The teacher paid (required for a lecture fee).
    pub teacher_id: Option<i64>,
    pub note: Option<String>,
    /// Required when the expense takes spending beyond the year's funds: why the office allows it.
    pub over_budget_reason: Option<String>,
}

/// An expense checked, ready to book (inside a transaction of its own or of another use-case:
/// an award's reward is booked with the award).
#[derive(Clone, Debug)]
pub struct CheckedExpense {
    pub town: (i64, String),
    pub node_id: i64,
    pub year: i32,
    pub date: NaiveDate,
    pub category: Category,
    pub fen: i64,
    pub payee: String,
    pub activity_id: Option<i64>,
    pub teacher_id: Option<i64>,
    pub note: Option<String>,
    pub over_budget_reason: Option<String>,
}

/// Checks an expense: the fields, the centre, and for a lecture fee the teacher (no volunteer,
/// government or community staff) and the activity (one the teacher taught, held).
pub async fn check_expense(db: &Db, actor: &Actor, input: &ExpenseInput) -> Result<CheckedExpense> {
    let town = writable_town(db, actor, input.town_id).await?;
    let mut fe = FieldErrors::default();
    let date = date_in(&mut fe, "date", &input.date, input.year);
    let category = Category::parse(input.category.trim());
    if category.is_none() {
        fe.add("category", Msg::new("field.choose"));
    }
    let fen = amount(&mut fe, &input.amount);
    let payee = text::required(&mut fe, "payee", &input.payee, text::max::PLACE);
    let note = text::optional_multiline(&mut fe, "note", input.note.as_deref(), text::max::NOTE);
    let reason = text::optional(
        &mut fe,
        "over_budget_reason",
        input.over_budget_reason.as_deref(),
        text::max::REASON,
    );
    let node = match input.node_id {
        Some(id) => org::get_node_unscoped(db, id).await?.filter(|n| {
            matches!(n.kind(), Kind::School | Kind::Centre) && n.path.starts_with(&town.path)
        }),
        None => None,
    };
    if node.is_none() {
        fe.add("node_id", Msg::new("field.choose"));
    }
    let activity = match input.activity_id {
        Some(id) => match activities::get(db, actor, id).await {
            Ok(a) if a.town_id == town.id => Some(a),
            Ok(_) | Err(Error::NotFound) => {
                fe.add("activity_id", Msg::new("funding.activity_unknown"));
                None
            }
            Err(e) => return Err(e),
        },
        None => None,
    };
    let teacher = match input.teacher_id {
        Some(id) => match teachers::get_teacher(db, actor, id).await {
            Ok(t) => Some(t.teacher),
            Err(Error::NotFound) => {
                fe.add("teacher_id", Msg::new("funding.teacher_unknown"));
                None
            }
            Err(e) => return Err(e),
        },
        None => None,
    };
    if category == Some(Category::LectureFee) {
        match &teacher {
            Some(t) => {
                if let Some(m) = rules::lecture_fee_refusal(&t.teacher_type, &t.source) {
                    fe.add("teacher_id", m.arg("name", &t.name));
                }
            }
            None if input.teacher_id.is_none() => {
                fe.add("teacher_id", Msg::new("funding.fee_needs_teacher"))
            }
            None => {}
        }
        match &activity {
            Some(a) => {
                if !matches!(
                    a.status(),
                    ActivityStatus::Held | ActivityStatus::Documented | ActivityStatus::Archived
                ) {
                    fe.add(
                        "activity_id",
                        Msg::new("funding.fee_not_held").arg("title", &a.title),
                    );
                } else if let Some(t) = &teacher {
                    let taught = activities::teachers(db, actor, a.id).await?;
                    if !taught.iter().any(|(id, _)| *id == t.id) {
                        fe.add(
                            "activity_id",
                            Msg::new("funding.fee_not_taught")
                                .arg("name", &t.name)
                                .arg("title", &a.title),
                        );
                    }
                }
            }
            None if input.activity_id.is_none() => {
                fe.add("activity_id", Msg::new("funding.fee_needs_activity"))
            }
            None => {}
        }
    }
    match (date, category, node) {
        (Some(date), Some(category), Some(node)) if fe.is_empty() => Ok(CheckedExpense {
            town: (town.id, town.path),
            node_id: node.id,
            year: input.year,
            date,
            category,
            fen,
            payee,
            activity_id: activity.map(|a| a.id),
            teacher_id: teacher.map(|t| t.id),
            note,
            over_budget_reason: reason,
        }),
        _ => Err(Error::Invalid(fe)),
    }
}

/// Books a checked expense inside the caller's transaction: spending beyond the year's funds is
/// refused unless the office gave its reason (the check and the write take turns per town, so
/// two clerks at once cannot both pass it); audited; the id.
pub async fn book(
    tx: &mut Tx,
    actor: &Actor,
    e: &CheckedExpense,
    now: DateTime<Utc>,
) -> Result<i64> {
    let (town_id, town_path) = (e.town.0, e.town.1.as_str());
    tx.take_turns(crate::db::turn::FUNDS, town_id as i32)
        .await?;
    let (income, spent) = store::totals(tx, town_id, e.year).await?;
    let beyond = spent + e.fen > income;
    if beyond && e.over_budget_reason.is_none() {
        return Err(Error::invalid(
            "over_budget_reason",
            Msg::new("funding.over_budget")
                .arg("funds", rules::yuan(income))
                .arg("spent", rules::yuan(spent))
                .arg("amount", rules::yuan(e.fen)),
        ));
    }
    let id = store::insert_expense(tx, e, actor.user_id, now).await?;
    let mut after = json!({"year": e.year, "date": e.date, "category": e.category.as_str(),
        "amount": rules::yuan(e.fen), "payee": e.payee, "node_id": e.node_id,
        "activity_id": e.activity_id, "teacher_id": e.teacher_id});
    if beyond {
        after["over_budget_reason"] = json!(e.over_budget_reason);
        after["balance"] = json!(rules::yuan(income - spent - e.fen));
    }
    let entry = Entry::of("funding.expense_booked", EXPENSE, Some(id), town_path).after(after);
    audit::record(tx, actor, entry).await?;
    Ok(id)
}

/// Books an expense with its voucher scan (optional), in one transaction.
pub async fn add_expense(
    db: &Db,
    actor: &Actor,
    input: &ExpenseInput,
    voucher: Option<(String, Vec<u8>)>,
) -> Result<Expense> {
    let checked = check_expense(db, actor, input).await?;
    let file = match voucher {
        Some((name, bytes)) => Some(
            attachments::prepare(
                "voucher",
                &name,
                bytes,
                attachments::DOCUMENT_TYPES,
                attachments::DOCUMENT,
            )
            .await?,
        ),
        None => None,
    };
    let now = Utc::now();
    let mut tx = db.begin().await?;
    let id = book(&mut tx, actor, &checked, now).await?;
    if let Some(f) = &file {
        let subject = Subject {
            kind: EXPENSE,
            id,
            path: &checked.town.1,
        };
        attachments::attach(&mut tx, subject, f, actor.user_id, now).await?;
    }
    tx.commit().await?;
    expense(db, actor, id).await
}

/// One expense, for whoever reads the town's funds.
pub async fn expense(db: &Db, actor: &Actor, id: i64) -> Result<Expense> {
    actor.require(Permission::FundsRead)?;
    let (path, e) = store::expense(db, id).await?.ok_or(Error::NotFound)?;
    actor.require_sees(&path)?;
    Ok(e)
}

/// The vouchers of an expense.
pub async fn vouchers(db: &Db, actor: &Actor, id: i64) -> Result<Vec<Attachment>> {
    let e = expense(db, actor, id).await?;
    attachments::of(db, EXPENSE, e.id).await
}

/// A voucher's content, for whoever reads the town's funds.
pub async fn voucher(db: &Db, actor: &Actor, file_id: i64) -> Result<(Attachment, Vec<u8>)> {
    require_voucher(db, actor, file_id).await?;
    let meta = attachments::meta(db, file_id).await?;
    Ok((meta, attachments::body(db, file_id).await?))
}

/// 404 unless the file is a voucher of an expense the actor may read.
pub async fn require_voucher(db: &Db, actor: &Actor, file_id: i64) -> Result<()> {
    let meta = attachments::meta(db, file_id).await?;
    if meta.subject_type != EXPENSE {
        return Err(Error::NotFound);
    }
    expense(db, actor, meta.subject_id).await.map(|_| ())
}

/// Attaches a voucher scan to an expense booked earlier (the office).
pub async fn attach_voucher(
    db: &Db,
    actor: &Actor,
    id: i64,
    name: &str,
    bytes: Vec<u8>,
) -> Result<Attachment> {
    actor.require(Permission::FundsWrite)?;
    let (path, e) = store::expense(db, id).await?.ok_or(Error::NotFound)?;
    actor.require_sees(&path)?;
    let f = attachments::prepare(
        "voucher",
        name,
        bytes,
        attachments::DOCUMENT_TYPES,
        attachments::DOCUMENT,
    )
    .await?;
    let now = Utc::now();
    let mut tx = db.begin().await?;
    let subject = Subject {
        kind: EXPENSE,
        id: e.id,
        path: &path,
    };
    let file_id = attachments::attach(&mut tx, subject, &f, actor.user_id, now).await?;
    let entry = Entry::of("funding.voucher_attached", EXPENSE, Some(e.id), &path)
        .after(json!({"file": f.file_name, "sha256": f.sha256, "attachment_id": file_id}));
    audit::record(&mut tx, actor, entry).await?;
    tx.commit().await?;
    attachments::meta(db, file_id).await
}
