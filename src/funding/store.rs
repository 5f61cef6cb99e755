//! The funds' SQL: income, expenses with what they belong to, the training register.

use chrono::{DateTime, NaiveDate, Utc};

use super::ledger::CheckedExpense;
use super::register::RegisterLine;
use super::rules::{Channel, RegisterKind};
use super::{Expense, Income};
use crate::args;
use crate::db::{self, Conn, Db, Tx};
use crate::error::Result;

const INCOME: &str = "select id, year, received_on, channel, amount_fen, source, note, created_at \
    from fund_incomes";

pub(super) async fn incomes(tx: &mut Tx, town_id: i64, year: i32) -> Result<Vec<Income>> {
    let sql = format!("{INCOME} where town_id = $1 and year = $2 order by received_on, id");
    db::rows(&mut *tx, &sql, args![town_id, year]).await
}

pub(super) async fn income(db: &Db, id: i64) -> Result<Option<Income>> {
    db::row_opt(db, &format!("{INCOME} where id = $1"), args![id]).await
}

#[expect(
    clippy::too_many_arguments,
    reason = "one value per column of the income"
)]
pub(super) async fn insert_income(
    tx: &mut Tx,
    town: (i64, &str),
    year: i32,
    date: NaiveDate,
    channel: Channel,
    fen: i64,
    source: Option<&str>,
    note: Option<&str>,
    by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<i64> {
    let sql = "insert into fund_incomes (town_id, town_path, year, received_on, channel, \
        amount_fen, source, note, created_by, created_at) \
        values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) returning id";
    let args = args![
        town.0,
        town.1,
        year,
        date,
        channel.as_str(),
        fen,
        source,
        note,
        by,
        now
    ];
    db::scalar(&mut *tx, sql, args).await
}

const EXPENSE: &str = "select e.id, e.year, e.spent_on, e.category, e.amount_fen, e.payee, \
    e.node_id, n.name as node_name, e.activity_id, a.title as activity_title, e.teacher_id, \
    t.name as teacher_name, e.note, e.over_budget_reason, \
    (select count(*) from attachments f where f.subject_type = 'fund_expense' \
     and f.subject_id = e.id) as vouchers, e.created_at \
    from fund_expenses e join org_nodes n on n.id = e.node_id \
    left join activities a on a.id = e.activity_id left join teachers t on t.id = e.teacher_id";

/// The expenses of a town's year (or those of one activity), by date.
pub(super) async fn expenses(
    tx: &mut Tx,
    town_id: i64,
    year: i32,
    activity: Option<i64>,
) -> Result<Vec<Expense>> {
    let sql = format!(
        "{EXPENSE} where e.town_id = $1 and e.year = $2 and ($3 is null or e.activity_id = $3) \
        order by e.spent_on, e.id"
    );
    db::rows(&mut *tx, &sql, args![town_id, year, activity]).await
}

#[derive(sqlx::FromRow)]
struct PathOf {
    town_path: String,
}

/// One expense and its town's path.
pub(super) async fn expense(db: &Db, id: i64) -> Result<Option<(String, Expense)>> {
    let sql = format!("{EXPENSE} where e.id = $1");
    let Some(e): Option<Expense> = db::row_opt(db, &sql, args![id]).await? else {
        return Ok(None);
    };
    let p: Option<PathOf> = db::row_opt(
        db,
        "select town_path from fund_expenses where id = $1",
        args![id],
    )
    .await?;
    Ok(p.map(|p| (p.town_path, e)))
}

/// The year's income and spending so far, in fen.
pub(super) async fn totals(tx: &mut Tx, town_id: i64, year: i32) -> Result<(i64, i64)> {
    let income: i64 = db::scalar(
        &mut *tx,
        "select cast(coalesce(sum(amount_fen), 0) as bigint) from fund_incomes \
        where town_id = $1 and year = $2",
        args![town_id, year],
    )
    .await?;
    let spent: i64 = db::scalar(
        &mut *tx,
        "select cast(coalesce(sum(amount_fen), 0) as bigint) from fund_expenses \
        where town_id = $1 and year = $2",
        args![town_id, year],
    )
    .await?;
    Ok((income, spent))
}

pub(super) async fn insert_expense(
    tx: &mut Tx,
    e: &CheckedExpense,
    by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<i64> {
    let sql = "insert into fund_expenses (town_id, town_path, node_id, year, spent_on, category, \
        amount_fen, payee, activity_id, teacher_id, note, over_budget_reason, created_by, \
        created_at) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) \
        returning id";
    let args = args![
        e.town.0,
        &e.town.1,
        e.node_id,
        e.year,
        e.date,
        e.category.as_str(),
        e.fen,
        &e.payee,
        e.activity_id,
        e.teacher_id,
        &e.note,
        &e.over_budget_reason,
        by,
        now
    ];
    db::scalar(&mut *tx, sql, args).await
}

const REGISTER: &str =
    "select id, year, kind, name, base_fen, spend_fen, note from training_register";

pub(super) async fn register(
    conn: impl Into<Conn<'_>>,
    town_id: i64,
    year: i32,
) -> Result<Vec<RegisterLine>> {
    let sql = format!("{REGISTER} where town_id = $1 and year = $2 order by kind, name");
    db::rows(conn, &sql, args![town_id, year]).await
}

pub(super) async fn register_line(db: &Db, id: i64) -> Result<Option<RegisterLine>> {
    db::row_opt(db, &format!("{REGISTER} where id = $1"), args![id]).await
}

#[expect(
    clippy::too_many_arguments,
    reason = "one value per column of the register"
)]
pub(super) async fn insert_register(
    tx: &mut Tx,
    town: (i64, &str),
    year: i32,
    kind: RegisterKind,
    name: &str,
    base_fen: i64,
    spend_fen: i64,
    note: Option<&str>,
    now: DateTime<Utc>,
) -> Result<i64> {
    let sql = "insert into training_register (town_id, town_path, year, kind, name, base_fen, \
        spend_fen, note, created_at) values ($1, $2, $3, $4, $5, $6, $7, $8, $9) returning id";
    let args = args![
        town.0,
        town.1,
        year,
        kind.as_str(),
        name,
        base_fen,
        spend_fen,
        note,
        now
    ];
    db::scalar(&mut *tx, sql, args).await
}

pub(super) async fn government_by_town(
    db: &Db,
    under: &str,
    year: i32,
) -> Result<Vec<(String, i64)>> {
    let sql = "select town_path, cast(coalesce(sum(amount_fen), 0) as bigint) from fund_incomes \
        where town_path like $1 || '%' and year = $2 and channel = 'government' \
        group by town_path";
    db::rows(db, sql, args![under, year]).await
}
