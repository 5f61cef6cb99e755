//! The annual schedule's pages: the year as a table with plan against done (the office's,
//! leadership's and district's view; a unit sees the rows naming it), the A4 print page and the
//! xlsx export in the attachment's layout, copying into next year, and a row's page (row.rs).

mod row;

use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use super::{Ctx, html, html_status, see_other};
use crate::access::Permission as P;
use crate::error::{Error, Result};
use crate::i18n;
use crate::org;
use crate::paths;
use crate::schedule::{self, Row, RowInput, YearTable};
use crate::web::download;
use crate::web::extract::{Form, Query, TownYear};
use crate::web::routes::{ATTACHMENT_BODY, Object, Routes, Rule};
use crate::web::views::{Choice, FormView, Shell};

pub(super) fn router() -> Routes {
    let read = Rule::either(P::ScheduleRead, P::ScheduleMark);
    let manage = Rule::needs(P::ScheduleManage);
    let mark = Rule::needs(P::ScheduleMark).on(Object::ScheduleRow);
    Routes::new()
        .get(paths::SCHEDULE, read, year_page)
        .get(paths::SCHEDULE_PRINT, read, print)
        .get(paths::SCHEDULE_XLSX, read, export)
        .post(paths::SCHEDULE_COPY, manage, copy)
        .post(paths::SCHEDULE_ROWS, manage, add)
        .get(paths::SCHEDULE_ROW, read.on(Object::ScheduleRow), row::show)
        .post(
            paths::SCHEDULE_ROW,
            manage.on(Object::ScheduleRow),
            row::edit,
        )
        .post(
            paths::SCHEDULE_ROW_DELETE,
            manage.on(Object::ScheduleRow),
            row::delete,
        )
        .upload(paths::SCHEDULE_ROW_DONE, mark, ATTACHMENT_BODY, row::done)
        .post(paths::SCHEDULE_ROW_REOPEN, mark, row::reopen)
        .post(paths::SCHEDULE_ROW_LINK, mark, row::link)
        .get(
            paths::SCHEDULE_FILE,
            read.on(Object::ScheduleFile),
            row::evidence,
        )
}

/// A row of the table as the page shows it.
pub(super) struct Line {
    pub r: Row,
    /// Rows the month cell spans (0 under a merged month).
    pub span: usize,
    pub status_label: String,
    pub status_class: &'static str,
}

pub(super) fn status_class(s: schedule::Status) -> &'static str {
    match s {
        schedule::Status::Done => "ok",
        schedule::Status::Overdue => "warn",
        schedule::Status::UnderWay => "",
        schedule::Status::Planned => "grey",
    }
}

fn lines(cx: &Ctx, t: &YearTable) -> Vec<Line> {
    schedule::month_spans(t)
        .into_iter()
        .zip(&t.rows)
        .map(|(span, r)| Line {
            span,
            status_label: i18n::t(cx.lang, &format!("schedule.status.{}", r.status)).to_string(),
            status_class: status_class(r.status),
            r: r.clone(),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "schedule/year.html")]
struct YearPage {
    shell: Shell,
    t: YearTable,
    lines: Vec<Line>,
    towns: Vec<Choice>,
    events: Vec<Choice>,
    can_manage: bool,
    form: FormView,
    error: Option<String>,
    query: String,
}

impl YearPage {
    fn year_link(&self, year: i32) -> String {
        paths::link_with(
            paths::SCHEDULE,
            &[
                ("town_id", self.t.town_id.to_string()),
                ("year", year.to_string()),
            ],
        )
    }
}

fn query_of(t: &YearTable) -> String {
    paths::link_with(
        "",
        &[
            ("town_id", t.town_id.to_string()),
            ("year", t.year.to_string()),
        ],
    )
}

pub(super) fn event_choices(cx: &Ctx) -> Vec<Choice> {
    crate::activities::SPECIAL_EVENTS
        .iter()
        .map(|e| Choice::new(e, i18n::t(cx.lang, &format!("activities.special.{e}"))))
        .collect()
}

async fn year_view(cx: &Ctx, q: &TownYear, form: FormView) -> Result<YearPage> {
    let db = &cx.state.db;
    let t = schedule::year(db, &cx.actor, q.town_id, q.page_year()).await?;
    let towns = org::town_choices(db, &cx.actor)
        .await?
        .into_iter()
        .map(Choice::from)
        .collect();
    Ok(YearPage {
        shell: cx.shell(paths::SCHEDULE),
        lines: lines(cx, &t),
        query: query_of(&t),
        t,
        towns,
        events: event_choices(cx),
        can_manage: cx.actor.can(P::ScheduleManage),
        form,
        error: None,
    })
}

async fn year_page(cx: Ctx, Query(q): Query<TownYear>) -> Result<Response> {
    html(&year_view(&cx, &q, FormView::default()).await?)
}

#[derive(Template)]
#[template(path = "schedule/print.html")]
struct PrintPage {
    lang_code: &'static str,
    title: String,
    lines: Vec<Line>,
}

/// The year on A4 as the attachment prints it (the browser's print dialog makes the paper).
async fn print(cx: Ctx, Query(q): Query<TownYear>) -> Result<Response> {
    let t = schedule::year(&cx.state.db, &cx.actor, q.town_id, q.page_year()).await?;
    html(&PrintPage {
        lang_code: cx.lang.code(),
        title: schedule::title(&t),
        lines: lines(&cx, &t),
    })
}

/// The year as xlsx in the same layout (the import reads it back).
async fn export(cx: Ctx, Query(q): Query<TownYear>) -> Result<Response> {
    let t = schedule::year(&cx.state.db, &cx.actor, q.town_id, q.page_year()).await?;
    download::printout(&schedule::printout(&t), &schedule::title(&t))
}

#[derive(Deserialize)]
struct AddFields {
    town_id: Option<i64>,
    year: Option<i32>,
    #[serde(default)]
    months: String,
    #[serde(default)]
    item: String,
    #[serde(default)]
    units: String,
    special_event: Option<String>,
}

async fn add(cx: Ctx, Form(actor, f): Form<AddFields>) -> Result<Response> {
    let q = TownYear {
        year: f.year,
        town_id: f.town_id,
    };
    let input = RowInput {
        months: f.months.clone(),
        item: f.item.clone(),
        units: f.units.clone(),
        special_event: f.special_event.clone(),
        version: None,
    };
    let town = q.posted_town()?;
    let r = schedule::add(&cx.state.db, &actor, town, q.page_year(), &input).await;
    match r {
        Ok(_) => Ok(see_other(&paths::flashed(
            &paths::link_with(
                paths::SCHEDULE,
                &[
                    ("town_id", town.to_string()),
                    ("year", q.page_year().to_string()),
                ],
            ),
            "saved",
        ))),
        Err(Error::Invalid(fe)) => {
            let form = FormView::with(&[
                ("months", f.months),
                ("item", f.item),
                ("units", f.units),
                ("special_event", f.special_event.unwrap_or_default()),
            ])
            .errors(cx.lang, &fe);
            html_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &year_view(&cx, &q, form).await?,
            )
        }
        Err(e) => Err(e),
    }
}

#[derive(Deserialize)]
struct CopyFields {
    town_id: Option<i64>,
    year: Option<i32>,
}

async fn copy(cx: Ctx, Form(actor, f): Form<CopyFields>) -> Result<Response> {
    let q = TownYear {
        year: f.year,
        town_id: f.town_id,
    };
    let town = q.posted_town()?;
    match schedule::copy_forward(&cx.state.db, &actor, town, q.page_year()).await {
        Ok(_) => Ok(see_other(&paths::flashed(
            &paths::link_with(
                paths::SCHEDULE,
                &[
                    ("town_id", town.to_string()),
                    ("year", (q.page_year() + 1).to_string()),
                ],
            ),
            "schedule_copied",
        ))),
        Err(Error::Conflict(m)) => {
            let mut p = year_view(&cx, &q, FormView::default()).await?;
            p.error = Some(i18n::render(cx.lang, &m));
            html_status(StatusCode::CONFLICT, &p)
        }
        Err(e) => Err(e),
    }
}
