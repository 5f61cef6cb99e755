//! A row of the schedule: its units, status, the activities that carried it out and the
//! evidence; the unit marks it done (note and file in one form) or reopens it, links activities;
//! the office edits or removes it.

use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use super::{event_choices, status_class};
use crate::access::Permission as P;
use crate::activities;
use crate::error::{Error, Result};
use crate::i18n;
use crate::paths;
use crate::schedule::{self, MarkDone, Row, RowInput};
use crate::web::download;
use crate::web::extract::{Form, Id, Session, Upload, UploadForm, check_csrf};
use crate::web::pages::{Ctx, html, html_status, see_other};
use crate::web::views::{Choice, FormView, Shell};

#[derive(Template)]
#[template(path = "schedule/row.html")]
struct RowPage {
    shell: Shell,
    r: Row,
    status_label: String,
    status_class: &'static str,
    units_text: String,
    can_mark: bool,
    can_manage: bool,
    events: Vec<Choice>,
    /// Activities of the town in the row's months the reader may link.
    candidates: Vec<Choice>,
    edit: FormView,
    mark: FormView,
    error: Option<String>,
}

impl RowPage {
    fn event_label(&self, e: &str) -> String {
        i18n::t(self.shell.lang, &format!("activities.special.{e}")).to_string()
    }

    fn activity_status(&self, s: &str) -> String {
        i18n::t(self.shell.lang, &format!("activities.status.{s}")).to_string()
    }

    fn when(&self, at: &chrono::DateTime<chrono::Utc>) -> String {
        crate::calendar::short(*at)
    }
}

async fn page(cx: &Ctx, id: i64, edit: Option<FormView>, mark: FormView) -> Result<RowPage> {
    let db = &cx.state.db;
    let r = schedule::get(db, &cx.actor, id).await?;
    let can_mark = schedule::may_mark(&cx.actor, &r);
    let candidates = if can_mark {
        let months = r.months_of();
        let days = crate::calendar::Days {
            first: months.start_month().first_day(),
            last: months.end_month().last_day(),
        };
        let only_town = activities::CalendarFilter {
            town_id: Some(r.town_id),
            ..Default::default()
        };
        activities::calendar(db, &cx.actor, &only_town, days)
            .await?
            .into_iter()
            .filter(|a| !r.carried.iter().any(|c| c.activity_id == a.id))
            .map(|a| {
                Choice::new(
                    a.id,
                    format!("{} · {}", crate::calendar::short(a.starts_at), a.title),
                )
            })
            .collect()
    } else {
        Vec::new()
    };
    let edit = edit.unwrap_or_else(|| {
        FormView::with(&[
            ("months", r.months.clone()),
            ("item", r.item.clone()),
            ("units", r.units_text()),
            ("special_event", r.special_event.clone().unwrap_or_default()),
        ])
    });
    Ok(RowPage {
        shell: cx.shell(paths::SCHEDULE),
        status_label: i18n::t(cx.lang, &format!("schedule.status.{}", r.status)).to_string(),
        status_class: status_class(r.status),
        units_text: r.units_text(),
        can_manage: cx.actor.can(P::ScheduleManage),
        can_mark,
        events: event_choices(cx),
        candidates,
        edit,
        mark,
        error: None,
        r,
    })
}

pub(super) async fn show(cx: Ctx, Id(id): Id) -> Result<Response> {
    html(&page(&cx, id, None, FormView::default()).await?)
}

/// The page again with the refusal: field errors beside the form they came from, a conflict above.
async fn refused(
    cx: &Ctx,
    id: i64,
    e: Error,
    edit: Option<FormView>,
    mark: FormView,
) -> Result<Response> {
    let (edit, mark, error, status) = match e {
        Error::Invalid(fe) => {
            let (edit, mark) = match edit {
                Some(f) => (Some(f.errors(cx.lang, &fe)), mark),
                None => (None, mark.errors(cx.lang, &fe)),
            };
            (edit, mark, None, StatusCode::UNPROCESSABLE_ENTITY)
        }
        Error::Conflict(m) => (
            edit,
            mark,
            Some(i18n::render(cx.lang, &m)),
            StatusCode::CONFLICT,
        ),
        e => return Err(e),
    };
    let mut p = page(cx, id, edit, mark).await?;
    p.error = error;
    html_status(status, &p)
}

#[derive(Deserialize)]
pub(super) struct EditFields {
    #[serde(default)]
    months: String,
    #[serde(default)]
    item: String,
    #[serde(default)]
    units: String,
    special_event: Option<String>,
    version: Option<i64>,
}

pub(super) async fn edit(
    cx: Ctx,
    Id(id): Id,
    Form(actor, f): Form<EditFields>,
) -> Result<Response> {
    let input = RowInput {
        months: f.months.clone(),
        item: f.item.clone(),
        units: f.units.clone(),
        special_event: f.special_event.clone(),
        version: f.version,
    };
    match schedule::edit(&cx.state.db, &actor, id, &input).await {
        Ok(_) => Ok(see_other(&paths::flashed(
            &paths::schedule_row(id),
            "saved",
        ))),
        Err(e) => {
            let form = FormView::with(&[
                ("months", f.months),
                ("item", f.item),
                ("units", f.units),
                ("special_event", f.special_event.unwrap_or_default()),
            ]);
            refused(&cx, id, e, Some(form), FormView::default()).await
        }
    }
}

pub(super) async fn delete(
    cx: Ctx,
    Id(id): Id,
    Form(actor, _): Form<crate::web::extract::NoFields>,
) -> Result<Response> {
    let row = schedule::get(&cx.state.db, &actor, id).await?;
    schedule::remove(&cx.state.db, &actor, id).await?;
    let back = paths::link_with(
        paths::SCHEDULE,
        &[
            ("town_id", row.town_id.to_string()),
            ("year", row.year.to_string()),
        ],
    );
    Ok(see_other(&paths::flashed(&back, "deleted")))
}

/// The multipart form of marking done: `_csrf`, `note`, `file` (read up to the limit, never
/// further).
pub(super) async fn done(
    cx: Ctx,
    session: axum::Extension<Session>,
    Id(id): Id,
    upload: Upload,
) -> Result<Response> {
    let form: UploadForm = upload.read().await?;
    let mark = FormView::with(&[("note", form.text("note"))]);
    if form.too_large {
        // The body was cut off before the CSRF field could be read: nothing was stored.
        return refused(&cx, id, UploadForm::too_large_error(), None, mark).await;
    }
    check_csrf(&session, &form.text("_csrf"))?;
    let m = MarkDone {
        note: form.text("note"),
        file: form.file,
    };
    match schedule::mark_done(&cx.state.db, &cx.actor, id, m).await {
        Ok(_) => Ok(see_other(&paths::flashed(
            &paths::schedule_row(id),
            "schedule_done",
        ))),
        Err(e) => refused(&cx, id, e, None, mark).await,
    }
}

#[derive(Deserialize)]
pub(super) struct ReasonFields {
    #[serde(default)]
    reason: String,
}

pub(super) async fn reopen(
    cx: Ctx,
    Id(id): Id,
    Form(actor, f): Form<ReasonFields>,
) -> Result<Response> {
    match schedule::reopen(&cx.state.db, &actor, id, &f.reason).await {
        Ok(_) => Ok(see_other(&paths::flashed(
            &paths::schedule_row(id),
            "schedule_reopened",
        ))),
        Err(e) => {
            let mark = FormView::with(&[("reason", f.reason)]);
            refused(&cx, id, e, None, mark).await
        }
    }
}

#[derive(Deserialize)]
pub(super) struct LinkFields {
    activity_id: Option<i64>,
    /// "0" unlinks.
    linked: Option<String>,
}

pub(super) async fn link(
    cx: Ctx,
    Id(id): Id,
    Form(actor, f): Form<LinkFields>,
) -> Result<Response> {
    let linked = f.linked.as_deref() != Some("0");
    let Some(activity) = f.activity_id else {
        let e = Error::invalid("activity_id", crate::error::Msg::new("field.choose"));
        return refused(&cx, id, e, None, FormView::default()).await;
    };
    match schedule::link(&cx.state.db, &actor, id, activity, linked).await {
        Ok(_) => Ok(see_other(&paths::flashed(
            &paths::schedule_row(id),
            "saved",
        ))),
        Err(e) => refused(&cx, id, e, None, FormView::default()).await,
    }
}

pub(super) async fn evidence(cx: Ctx, Id(id): Id) -> Result<Response> {
    let (f, body) = schedule::evidence(&cx.state.db, &cx.actor, id).await?;
    Ok(download::stored(body, &f.content_type, &f.file_name))
}
