//! The town's funds: the year's budget against the floor of 2 yuan per resident with the
//! shortfall, income and expenses booked with their checks (an expense with its voucher scan in
//! one form), the ledger per category and per centre, budget execution as xlsx, and Qiling's
//! register of enterprises' and schools' training spend.

use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use super::{Ctx, html, html_status, see_other};
use crate::access::Permission as P;
use crate::activities::{self, Status};
use crate::calendar::Year;
use crate::error::{Error, Result};
use crate::funding::{
    self, Category, Channel, Expense, ExpenseInput, FundsYear, IncomeInput, RegisterEntry,
    RegisterInput, RegisterKind, yuan,
};
use crate::i18n;
use crate::org::{self, Kind};
use crate::page::PageRequest;
use crate::paths;
use crate::spreadsheet::Table;
use crate::teachers::{self, TeacherFilter};
use crate::web::download;
use crate::web::extract::{Form, Id, Query, Session, TownYear, Upload, UploadForm, check_csrf};
use crate::web::routes::{ATTACHMENT_BODY, Object, Routes, Rule};
use crate::web::views::{Choice, FormView, Shell};

pub(super) fn router() -> Routes {
    let read = Rule::needs(P::FundsRead);
    let write = Rule::needs(P::FundsWrite);
    Routes::new()
        .get(paths::FUNDS, read, year_page)
        .get(paths::FUNDS_XLSX, read, export)
        .post(paths::FUND_INCOMES, write, add_income)
        .upload(paths::FUND_EXPENSES, write, ATTACHMENT_BODY, add_expense)
        .get(paths::FUND_EXPENSE, read.on(Object::Expense), show_expense)
        .get(paths::FUND_VOUCHER, read.on(Object::Voucher), voucher)
        .get(paths::FUND_REGISTER, read, register_page)
        .post(paths::FUND_REGISTER, write, add_register)
}

/// Amounts of a year as the page shows them (yuan with two decimals).
struct Money {
    floor: String,
    government: String,
    shortfall: String,
    per_capita: String,
    income: String,
    spent: String,
    balance: String,
}

#[derive(Template)]
#[template(path = "funds/year.html")]
struct YearPage {
    shell: Shell,
    f: FundsYear,
    money: Money,
    towns: Vec<Choice>,
    channels: Vec<Choice>,
    categories: Vec<Choice>,
    nodes: Vec<Choice>,
    teachers: Vec<Choice>,
    activities: Vec<Choice>,
    can_write: bool,
    income: FormView,
    expense: FormView,
    query: String,
    /// What the page says when the special budget is under the floor.
    shortfall_notice: Option<String>,
}

impl YearPage {
    fn yuan(&self, fen: &i64) -> String {
        yuan(*fen)
    }

    fn category(&self, c: &Category) -> String {
        i18n::t(self.shell.lang, &format!("funding.category.{c}")).to_string()
    }

    fn channel(&self, c: &Channel) -> String {
        i18n::t(self.shell.lang, &format!("funding.channel.{c}")).to_string()
    }

    fn year_link(&self, year: i32) -> String {
        paths::link_with(
            paths::FUNDS,
            &[
                ("town_id", self.f.town_id.to_string()),
                ("year", year.to_string()),
            ],
        )
    }
}

fn labelled<T: std::fmt::Display + Copy>(cx: &Ctx, prefix: &str, all: &[T]) -> Vec<Choice> {
    all.iter()
        .map(|v| Choice::new(v, i18n::t(cx.lang, &format!("{prefix}.{v}"))))
        .collect()
}

async fn year_view(
    cx: &Ctx,
    q: &TownYear,
    income: FormView,
    expense: FormView,
) -> Result<YearPage> {
    let db = &cx.state.db;
    let actor = &cx.actor;
    let f = funding::year(db, actor, q.town_id, q.page_year()).await?;
    let can_write = actor.can(P::FundsWrite);
    let towns = org::town_choices(db, actor)
        .await?
        .into_iter()
        .map(Choice::from)
        .collect();
    let (mut nodes, mut teachers, mut activities) = (Vec::new(), Vec::new(), Vec::new());
    if can_write {
        let town = org::get_node(db, actor, f.town_id).await?;
        for kind in [Kind::School, Kind::Centre] {
            nodes.extend(
                org::all_of_kind(db, actor, kind)
                    .await?
                    .into_iter()
                    .filter(|n| n.path.starts_with(&town.path))
                    .map(Choice::from),
            );
        }
        teachers = teachers::list_teachers(
            db,
            actor,
            &TeacherFilter::default(),
            PageRequest::new(None, Some(200)),
        )
        .await?
        .items
        .into_iter()
        .map(|t| Choice::new(t.id, format!("{}({})", t.name, t.node_name)))
        .collect();
        // The year's activities that were held (a lecture fee needs one), newest first: every
        // one of them, not the first page — December's fees are booked too.
        let year = Year(f.year);
        let days = crate::calendar::Days {
            first: year.first_month().first_day(),
            last: year.first_month().plus(11).last_day(),
        };
        let town_only = activities::CalendarFilter {
            town_id: Some(f.town_id),
            ..Default::default()
        };
        let held = [Status::Held, Status::Documented, Status::Archived];
        activities = activities::calendar(db, actor, &town_only, days)
            .await?
            .into_iter()
            .rev()
            .filter(|a| held.contains(&a.status))
            .map(|a| {
                Choice::new(
                    a.id,
                    format!("{} · {}", crate::calendar::short(a.starts_at), a.title),
                )
            })
            .collect();
    }
    let money = Money {
        floor: yuan(f.floor_fen),
        government: yuan(f.government_fen),
        shortfall: yuan(f.shortfall_fen),
        per_capita: yuan(f.per_capita_fen),
        income: yuan(f.income_fen),
        spent: yuan(f.spent_fen),
        balance: yuan(f.balance_fen),
    };
    let shortfall_notice = (f.shortfall_fen > 0).then(|| {
        i18n::t(cx.lang, "funding.shortfall_notice")
            .replace("{shortfall}", &money.shortfall)
            .replace("{floor}", &money.floor)
            .replace("{population}", &f.population.to_string())
    });
    Ok(YearPage {
        shortfall_notice,
        shell: cx.shell(paths::FUNDS),
        query: paths::link_with(
            "",
            &[
                ("town_id", f.town_id.to_string()),
                ("year", f.year.to_string()),
            ],
        ),
        money,
        f,
        towns,
        channels: labelled(cx, "funding.channel", &Channel::ALL),
        categories: labelled(cx, "funding.category", &Category::ALL),
        nodes,
        teachers,
        activities,
        can_write,
        income,
        expense,
    })
}

async fn year_page(cx: Ctx, Query(q): Query<TownYear>) -> Result<Response> {
    html(&year_view(&cx, &q, FormView::default(), FormView::default()).await?)
}

/// Budget execution as xlsx: spending per centre and category, the budget against the floor.
async fn export(cx: Ctx, Query(q): Query<TownYear>) -> Result<Response> {
    let f = funding::year(&cx.state.db, &cx.actor, q.town_id, q.page_year()).await?;
    let t = |k: &str| i18n::t(cx.lang, k).to_string();
    let mut headers = vec![t("funding.unit")];
    headers.extend(
        Category::ALL
            .iter()
            .map(|c| t(&format!("funding.category.{c}"))),
    );
    headers.push(t("funding.total"));
    let mut rows: Vec<Vec<String>> = f
        .by_node
        .iter()
        .map(|n| {
            let mut r = vec![n.node_name.clone()];
            r.extend(n.by_category.iter().map(|v| yuan(*v)));
            r.push(yuan(n.spent_fen));
            r
        })
        .collect();
    let mut total = vec![t("funding.total")];
    total.extend(f.by_category.iter().map(|c| yuan(c.spent_fen)));
    total.push(yuan(f.spent_fen));
    rows.push(total);
    let line = |k: &str, v: String| format!("{}:{v}", t(k));
    let table = Table {
        sheet_name: t("funding.execution"),
        headers,
        rows,
        text_columns: vec![],
        number_columns: Vec::new(),
        charts: Vec::new(),
        notes: vec![
            line("funding.population", f.population.to_string()),
            line("funding.floor", yuan(f.floor_fen)),
            line("funding.government", yuan(f.government_fen)),
            line("funding.shortfall", yuan(f.shortfall_fen)),
            line("funding.income", yuan(f.income_fen)),
            line("funding.spent", yuan(f.spent_fen)),
            line("funding.balance", yuan(f.balance_fen)),
        ],
    };
    download::xlsx(&table, &format!("{}{}年经费预算执行", f.town_name, f.year))
}

#[derive(Deserialize)]
struct IncomeFields {
    town_id: Option<i64>,
    year: Option<i32>,
    #[serde(default)]
    date: String,
    #[serde(default)]
    channel: String,
    #[serde(default)]
    amount: String,
    source: Option<String>,
    note: Option<String>,
}

fn back(town: i64, year: i32) -> String {
    paths::link_with(
        paths::FUNDS,
        &[("town_id", town.to_string()), ("year", year.to_string())],
    )
}

async fn add_income(cx: Ctx, Form(actor, f): Form<IncomeFields>) -> Result<Response> {
    let q = TownYear {
        year: f.year,
        town_id: f.town_id,
    };
    let input = IncomeInput {
        town_id: q.posted_town()?,
        year: q.page_year(),
        date: f.date.clone(),
        channel: f.channel.clone(),
        amount: f.amount.clone(),
        source: f.source.clone(),
        note: f.note.clone(),
    };
    match funding::add_income(&cx.state.db, &actor, &input).await {
        Ok(_) => Ok(see_other(&paths::flashed(
            &back(input.town_id, input.year),
            "saved",
        ))),
        Err(Error::Invalid(fe)) => {
            let form = FormView::with(&[
                ("date", f.date),
                ("channel", f.channel),
                ("amount", f.amount),
                ("source", f.source.unwrap_or_default()),
                ("note", f.note.unwrap_or_default()),
            ])
            .errors(cx.lang, &fe);
            let page = year_view(&cx, &q, form, FormView::default()).await?;
            html_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(e) => Err(e),
    }
}

/// The expense form (multipart, with the voucher): read whole, the CSRF checked, one use-case.
async fn add_expense(
    cx: Ctx,
    session: axum::Extension<Session>,
    upload: Upload,
) -> Result<Response> {
    let form: UploadForm = upload.read().await?;
    let id = |k: &str| form.text(k).trim().parse::<i64>().ok();
    let q = TownYear {
        year: form.text("year").parse().ok(),
        town_id: id("town_id"),
    };
    let keep = [
        "date",
        "category",
        "amount",
        "payee",
        "node_id",
        "activity_id",
        "teacher_id",
        "note",
        "over_budget_reason",
    ];
    let typed = FormView::with(&keep.map(|k| (k, form.text(k))));
    let result = if form.too_large {
        Err(UploadForm::too_large_error())
    } else {
        check_csrf(&session, &form.text("_csrf"))?;
        let input = ExpenseInput {
            town_id: q.posted_town()?,
            year: q.page_year(),
            date: form.text("date"),
            category: form.text("category"),
            amount: form.text("amount"),
            payee: form.text("payee"),
            node_id: id("node_id"),
            activity_id: id("activity_id"),
            teacher_id: id("teacher_id"),
            note: Some(form.text("note")),
            over_budget_reason: Some(form.text("over_budget_reason")),
        };
        funding::add_expense(&cx.state.db, &cx.actor, &input, form.file.clone()).await
    };
    match result {
        Ok(e) => Ok(see_other(&paths::flashed(
            &paths::fund_expense(e.id),
            "saved",
        ))),
        Err(Error::Invalid(fe)) => {
            let page = year_view(&cx, &q, FormView::default(), typed.errors(cx.lang, &fe)).await?;
            html_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "funds/expense.html")]
struct ExpensePage {
    shell: Shell,
    e: Expense,
    amount: String,
    category: String,
    vouchers: Vec<crate::attachments::Attachment>,
}

async fn show_expense(cx: Ctx, Id(id): Id) -> Result<Response> {
    let db = &cx.state.db;
    let e = funding::expense(db, &cx.actor, id).await?;
    let vouchers = funding::vouchers(db, &cx.actor, id).await?;
    html(&ExpensePage {
        shell: cx.shell(paths::FUNDS),
        amount: yuan(e.amount_fen),
        category: i18n::t(cx.lang, &format!("funding.category.{}", e.category)).to_string(),
        e,
        vouchers,
    })
}

async fn voucher(cx: Ctx, Id(id): Id) -> Result<Response> {
    let (f, body) = funding::voucher(&cx.state.db, &cx.actor, id).await?;
    Ok(download::stored(body, &f.content_type, &f.file_name))
}

#[derive(Template)]
#[template(path = "funds/register.html")]
struct RegisterPage {
    shell: Shell,
    town_id: i64,
    year: i32,
    entries: Vec<RegisterEntry>,
    kinds: Vec<Choice>,
    can_write: bool,
    form: FormView,
}

impl RegisterPage {
    fn yuan(&self, fen: &i64) -> String {
        yuan(*fen)
    }

    fn share(&self, bp: &i64) -> String {
        format!("{}.{:02}%", bp / 100, bp % 100)
    }

    fn kind(&self, k: &RegisterKind) -> String {
        i18n::t(self.shell.lang, &format!("funding.register_kind.{k}")).to_string()
    }
}

async fn register_view(cx: &Ctx, q: &TownYear, form: FormView) -> Result<RegisterPage> {
    let db = &cx.state.db;
    let town = org::town_for(db, &cx.actor, q.town_id).await?;
    let entries = funding::register(db, &cx.actor, Some(town.id), q.page_year()).await?;
    Ok(RegisterPage {
        shell: cx.shell(paths::FUNDS),
        town_id: town.id,
        year: q.page_year(),
        entries,
        kinds: labelled(cx, "funding.register_kind", &RegisterKind::ALL),
        can_write: cx.actor.can(P::FundsWrite),
        form,
    })
}

async fn register_page(cx: Ctx, Query(q): Query<TownYear>) -> Result<Response> {
    html(&register_view(&cx, &q, FormView::default()).await?)
}

#[derive(Deserialize)]
struct RegisterFields {
    town_id: Option<i64>,
    year: Option<i32>,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    base: String,
    #[serde(default)]
    spend: String,
    note: Option<String>,
}

async fn add_register(cx: Ctx, Form(actor, f): Form<RegisterFields>) -> Result<Response> {
    let q = TownYear {
        year: f.year,
        town_id: f.town_id,
    };
    let input = RegisterInput {
        town_id: q.posted_town()?,
        year: q.page_year(),
        kind: f.kind.clone(),
        name: f.name.clone(),
        base: f.base.clone(),
        spend: f.spend.clone(),
        note: f.note.clone(),
    };
    match funding::add_to_register(&cx.state.db, &actor, &input).await {
        Ok(_) => Ok(see_other(&paths::flashed(
            &paths::link_with(
                paths::FUND_REGISTER,
                &[
                    ("town_id", input.town_id.to_string()),
                    ("year", input.year.to_string()),
                ],
            ),
            "saved",
        ))),
        Err(Error::Invalid(fe)) => {
            let form = FormView::with(&[
                ("kind", f.kind),
                ("name", f.name),
                ("base", f.base),
                ("spend", f.spend),
                ("note", f.note.unwrap_or_default()),
            ])
            .errors(cx.lang, &fe);
            html_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &register_view(&cx, &q, form).await?,
            )
        }
        Err(e) => Err(e),
    }
}
