//! The town's funds (经费, SPEC.md "Funding"; Q三(五), L三3): per town and year the special budget
//! from the government checked against the floor of 2 yuan per resident (the sum of the
//! communities' 常住人口), income from other channels, and expenses by category for a centre or
//! the town school, with a voucher. Invariants: money is integer fen, never floating point; an
//! amount is more than 0 and at most 10 million yuan, dated inside its year; no lecture fee to a
//! volunteer, government staff or community staff, and a lecture fee only for an activity the
//! teacher taught and that was held; spending beyond the year's funds needs the office's reason
//! (audited). The office writes (`funds:write`); leadership and district read (`funds:read`); a
//! lead department or centre sees no funding. Qiling's register of enterprises and schools with
//! their training spend is kept beside the ledger.

pub mod ledger;
pub mod register;
pub mod rules;
mod store;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

pub use ledger::*;
pub use register::*;
pub use rules::{Category, Channel, RegisterKind, floor_fen, parse_yuan, shortfall_fen, yuan};

/// The subject type of an expense in the audit log and of its voucher.
pub const EXPENSE: &str = "fund_expense";

/// Income booked for a year.
#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Income {
    pub id: i64,
    pub year: i32,
    pub received_on: NaiveDate,
    pub channel: Channel,
    /// Exact amount in fen (1 yuan = 100 fen).
    pub amount_fen: i64,
    /// Who gave it (the street office, the district's bureau, a donor).
    pub source: Option<String>,
    pub note: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// An expense.
#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Expense {
    pub id: i64,
    pub year: i32,
    pub spent_on: NaiveDate,
    pub category: Category,
    /// Exact amount in fen (1 yuan = 100 fen).
    pub amount_fen: i64,
    pub payee: String,
    /// The centre or town school it was spent for.
    pub node_id: i64,
    pub node_name: String,
    pub activity_id: Option<i64>,
    pub activity_title: Option<String>,
    pub teacher_id: Option<i64>,
    pub teacher_name: Option<String>,
    pub note: Option<String>,
    /// The office's reason for spending beyond the year's funds.
    pub over_budget_reason: Option<String>,
    /// How many voucher scans are attached.
    pub vouchers: i64,
    pub created_at: DateTime<Utc>,
}

/// How the audit log names funding records.
pub const AUDIT_NAMES: &[crate::audit::view::Namer] = &[
    crate::audit::view::Namer::plain(EXPENSE, "fund_expenses", "payee"),
    crate::audit::view::Namer::plain("fund_income", "fund_incomes", "source"),
    crate::audit::view::Namer::plain("training_register", "training_register", "name"),
];
