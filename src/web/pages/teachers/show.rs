//! A teacher's page: the record, trainings and service hours, suspension and return.

use super::*;
use crate::paths;

/// A training or service line.
pub struct EntryRow {
    pub date: String,
    pub title: String,
    pub organiser: String,
    pub hours: String,
}

#[derive(Template)]
#[template(path = "teachers/show.html")]
pub(super) struct ShowPage {
    shell: Shell,
    t: TeacherRow,
    is_volunteer: bool,
    trainings: Vec<EntryRow>,
    service: Vec<EntryRow>,
    by_year: Vec<(i32, String)>,
    /// (activity id, when, title, place, status label, hours if it took place)
    taught: Vec<(i64, String, String, String, String, String)>,
    taught_by_year: Vec<(i32, String)>,
    can_write: bool,
    form: FormView,
    error: Option<String>,
}

pub(super) async fn show_page(state: &AppState, cx: &Ctx, id: i64) -> Result<ShowPage> {
    let (actor, lang) = (&cx.actor, cx.lang);
    let d = teachers::get_teacher(&state.db, actor, id).await?;
    Ok(ShowPage {
        shell: cx.shell(paths::TEACHERS),
        is_volunteer: d.teacher.teacher_type == "volunteer",
        t: row(lang, &d.teacher),
        trainings: d
            .trainings
            .iter()
            .map(|x| EntryRow {
                date: x.held_on.to_string(),
                title: x.title.clone(),
                organiser: x.organiser.clone().unwrap_or_default(),
                hours: hours(x.minutes),
            })
            .collect(),
        service: d
            .service
            .iter()
            .map(|x| EntryRow {
                date: x.served_on.to_string(),
                title: x.activity_title.clone(),
                organiser: String::new(),
                hours: hours(x.minutes),
            })
            .collect(),
        taught: d
            .taught
            .iter()
            .map(|a| {
                (
                    a.activity_id,
                    crate::calendar::minute(a.starts_at),
                    a.title.clone(),
                    a.owner_name.clone(),
                    i18n::t(lang, &format!("activities.status.{}", a.status)).to_string(),
                    if a.took_place() {
                        hours(a.minutes())
                    } else {
                        String::new()
                    },
                )
            })
            .collect(),
        taught_by_year: d
            .taught_by_year
            .iter()
            .map(|(y, m)| (*y, hours(*m)))
            .collect(),
        by_year: d
            .service_by_year
            .iter()
            .map(|(y, m)| (*y, hours(*m)))
            .collect(),
        can_write: d.may_write,
        form: FormView::default(),
        error: None,
    })
}

pub(super) async fn show(State(state): State<AppState>, cx: Ctx, Id(id): Id) -> Result<Response> {
    html(&show_page(&state, &cx, id).await?)
}

pub(super) async fn refused(
    state: &AppState,
    cx: &Ctx,
    id: i64,
    e: Error,
    form: FormView,
) -> Result<Response> {
    let lang = cx.lang;
    let mut page = show_page(state, cx, id).await?;
    match e {
        Error::Invalid(fe) => {
            page.form = form.errors(lang, &fe);
            html_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Error::Conflict(m) => {
            page.error = Some(i18n::render(lang, &m));
            html_status(StatusCode::CONFLICT, &page)
        }
        other => Err(other),
    }
}

#[derive(Deserialize)]
pub(super) struct RetireForm {
    #[serde(default)]
    retired_on: String,
    #[serde(default)]
    retired_reason: String,
}

pub(super) async fn retire(
    cx: Ctx,
    Id(id): Id,
    Form(actor, f): Form<RetireForm>,
) -> Result<Response> {
    let state = &cx.state;
    match teachers::set_status(
        &state.db,
        &actor,
        id,
        Some((f.retired_on.clone(), f.retired_reason.clone())),
    )
    .await
    {
        Ok(_) => Ok(see_other(&paths::flashed(&paths::teacher(id), "saved"))),
        Err(e) => {
            refused(
                state,
                &cx,
                id,
                e,
                FormView::with(&[
                    ("retired_on", f.retired_on),
                    ("retired_reason", f.retired_reason),
                ]),
            )
            .await
        }
    }
}

pub(super) async fn reinstate(
    cx: Ctx,
    Id(id): Id,
    Form(actor, _): Form<crate::web::extract::NoFields>,
) -> Result<Response> {
    let state = &cx.state;
    match teachers::set_status(&state.db, &actor, id, None).await {
        Ok(_) => Ok(see_other(&paths::flashed(&paths::teacher(id), "saved"))),
        Err(e) => refused(state, &cx, id, e, FormView::default()).await,
    }
}

#[derive(Deserialize)]
pub(super) struct EntryForm {
    #[serde(default)]
    date: String,
    #[serde(default)]
    title: String,
    organiser: Option<String>,
    #[serde(default)]
    hours: String,
}

impl EntryForm {
    fn entry(&self) -> TimeEntry {
        TimeEntry {
            date: self.date.clone(),
            title: self.title.clone(),
            organiser: self.organiser.clone(),
            hours: self.hours.clone(),
        }
    }

    fn view(&self, prefix: &str) -> FormView {
        FormView::with(&[
            ("form", prefix.to_string()),
            ("date", self.date.clone()),
            ("title", self.title.clone()),
            ("organiser", self.organiser.clone().unwrap_or_default()),
            ("hours", self.hours.clone()),
        ])
    }
}

pub(super) async fn add_training(
    cx: Ctx,
    Id(id): Id,
    Form(actor, f): Form<EntryForm>,
) -> Result<Response> {
    let state = &cx.state;
    match teachers::add_training(&state.db, &actor, id, &f.entry()).await {
        Ok(()) => Ok(see_other(&paths::flashed(&paths::teacher(id), "saved"))),
        Err(e) => refused(state, &cx, id, e, f.view("training")).await,
    }
}

pub(super) async fn add_service(
    cx: Ctx,
    Id(id): Id,
    Form(actor, f): Form<EntryForm>,
) -> Result<Response> {
    let state = &cx.state;
    match teachers::add_service(&state.db, &actor, id, &f.entry()).await {
        Ok(()) => Ok(see_other(&paths::flashed(&paths::teacher(id), "saved"))),
        Err(e) => refused(state, &cx, id, e, f.view("service")).await,
    }
}
