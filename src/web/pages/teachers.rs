//! Pages of the teacher pool: the list across both levels, a teacher's page with trainings and
//! service hours, the teacher form, retiring from and returning to the pool, and volunteers' yearly
//! hours.

use askama::Template;
use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use chrono::Datelike;
use serde::Deserialize;

use super::{here, html, html_status, saved_or_again, see_other};
use crate::access::Permission as P;
use crate::access::{Actor, Permission};
use crate::catalogue;
use crate::error::{Error, Result};
use crate::i18n::{self, Lang};
use crate::page::PageRequest;
use crate::teachers::{self, SOURCES, TYPES, Teacher, TeacherFilter, TeacherInput, TimeEntry};
use crate::web::AppState;
use crate::web::extract::{CurrentActor, Form, Id, Query, RawForm};
use crate::web::routes::{Object, Routes, Rule};
use crate::web::views::{Choice, FormView, Pager, Shell};

pub(super) fn router() -> Routes {
    let teacher = |p| Rule::needs(p).on(Object::Teacher);
    Routes::new()
        .get("/teachers", Rule::needs(P::TeachersRead), list)
        .post("/teachers", Rule::needs(P::TeachersWrite), create)
        .get(
            "/teachers/export.xlsx",
            Rule::needs(P::PeopleExport),
            export,
        )
        .get("/teachers/new", Rule::needs(P::TeachersWrite), new_form)
        .get(
            "/teachers/volunteers",
            Rule::needs(P::TeachersRead),
            volunteers,
        )
        .get("/teachers/{id}", teacher(P::TeachersRead), show)
        .get("/teachers/{id}/edit", teacher(P::TeachersWrite), edit_form)
        .post("/teachers/{id}/edit", teacher(P::TeachersWrite), update)
        .post("/teachers/{id}/retire", teacher(P::TeachersWrite), retire)
        .post(
            "/teachers/{id}/reinstate",
            teacher(P::TeachersWrite),
            reinstate,
        )
        .post(
            "/teachers/{id}/trainings",
            teacher(P::TeachersWrite),
            add_training,
        )
        .post(
            "/teachers/{id}/service",
            teacher(P::TeachersWrite),
            add_service,
        )
}

/// A teacher line with labels.
pub struct TeacherRow {
    pub id: i64,
    pub name: String,
    pub pool: String,
    pub level: String,
    pub teacher_type: String,
    pub source: String,
    pub phone: String,
    pub themes: String,
    pub speciality: String,
    pub status: String,
    pub retired: bool,
    pub retired_note: String,
    pub training_hours: String,
}

fn code(lang: Lang, c: &str) -> String {
    i18n::t(lang, &teachers::label_key(c)).to_string()
}

/// Minutes as hours with at most one decimal.
pub fn hours(minutes: i64) -> String {
    let h = minutes as f64 / 60.0;
    if h.fract() == 0.0 {
        format!("{h:.0}")
    } else {
        format!("{h:.1}")
    }
}

fn row(lang: Lang, t: &Teacher) -> TeacherRow {
    TeacherRow {
        id: t.id,
        name: t.name.clone(),
        pool: t.node_name.clone(),
        level: i18n::t(lang, &format!("teachers.level.{}", t.level)).to_string(),
        teacher_type: code(lang, &t.teacher_type),
        source: code(lang, &t.source),
        phone: t.phone.clone().unwrap_or_default(),
        themes: t.themes.join("、"),
        speciality: t.speciality.clone().unwrap_or_default(),
        status: i18n::t(lang, &format!("teachers.status.{}", t.status)).to_string(),
        retired: t.status == "retired",
        retired_note: match (&t.retired_on, &t.retired_reason) {
            (Some(d), Some(r)) => format!("{d} {r}"),
            _ => String::new(),
        },
        training_hours: hours(t.training_minutes),
    }
}

fn codes(lang: Lang, list: &[&str]) -> Vec<Choice> {
    list.iter()
        .map(|c| Choice {
            value: c.to_string(),
            label: code(lang, c),
        })
        .collect()
}

async fn pool_choices(state: &AppState, actor: &Actor, lang: Lang) -> Result<Vec<Choice>> {
    Ok(teachers::pools(&state.db, actor)
        .await?
        .into_iter()
        .map(|n| Choice {
            value: n.id.to_string(),
            label: format!(
                "{} · {}",
                n.name,
                i18n::t(lang, &format!("teachers.level.{}", n.kind))
            ),
        })
        .collect())
}

async fn theme_choices(state: &AppState, actor: &Actor) -> Result<Vec<Choice>> {
    let district = catalogue::district_of(&actor.scope_path).unwrap_or(0);
    Ok(catalogue::themes(&state.db, district)
        .await?
        .into_iter()
        .map(|t| Choice {
            value: t.id.to_string(),
            label: t.name,
        })
        .collect())
}

#[derive(Template)]
#[template(path = "teachers/list.html")]
struct ListPage {
    shell: Shell,
    rows: Vec<TeacherRow>,
    pools: Vec<Choice>,
    types: Vec<Choice>,
    sources: Vec<Choice>,
    themes: Vec<Choice>,
    form: FormView,
    pager: Pager,
    can_write: bool,
    can_export: bool,
    export_link: String,
}

#[derive(Deserialize, Default)]
struct ListQuery {
    q: Option<String>,
    node_id: Option<String>,
    teacher_type: Option<String>,
    source: Option<String>,
    status: Option<String>,
    theme_id: Option<String>,
    page: Option<u32>,
    ok: Option<String>,
}

async fn list(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    lang: Lang,
    uri: Uri,
    Query(q): Query<ListQuery>,
) -> Result<Response> {
    let page = teachers::list_teachers(
        &state.db,
        &actor,
        &q.filter(),
        PageRequest::new(q.page, None),
    )
    .await?;
    let pairs = [
        ("q", q.q.clone().unwrap_or_default()),
        ("node_id", q.node_id.clone().unwrap_or_default()),
        ("teacher_type", q.teacher_type.clone().unwrap_or_default()),
        ("source", q.source.clone().unwrap_or_default()),
        ("status", q.status.clone().unwrap_or_default()),
        ("theme_id", q.theme_id.clone().unwrap_or_default()),
    ];
    let export_link = format!(
        "/teachers/export.xlsx?{}",
        serde_urlencoded::to_string(
            pairs
                .iter()
                .filter(|(_, v)| !v.is_empty())
                .collect::<Vec<_>>()
        )
        .unwrap_or_default()
    );
    html(&ListPage {
        export_link,
        can_export: actor.can(Permission::PeopleExport),
        shell: Shell::new(&actor, lang, "/teachers", &here(&uri), q.ok.as_deref()),
        pager: Pager::of(lang, "/teachers", &pairs, &page),
        rows: page.items.iter().map(|t| row(lang, t)).collect(),
        pools: pool_choices(&state, &actor, lang).await?,
        types: codes(lang, &TYPES),
        sources: codes(lang, &SOURCES),
        themes: theme_choices(&state, &actor).await?,
        form: FormView::with(&pairs),
        can_write: actor.can(Permission::TeachersWrite),
    })
}

impl ListQuery {
    fn filter(&self) -> TeacherFilter {
        TeacherFilter {
            q: self.q.clone(),
            node_id: self.node_id.as_deref().and_then(|s| s.parse().ok()),
            teacher_type: self.teacher_type.clone(),
            source: self.source.clone(),
            status: self.status.clone(),
            theme_id: self.theme_id.as_deref().and_then(|s| s.parse().ok()),
        }
    }
}

/// The teacher list as filtered, phones masked, as an xlsx download (audited).
async fn export(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    lang: Lang,
    Query(q): Query<ListQuery>,
) -> Result<Response> {
    actor.require(Permission::PeopleExport)?;
    let all = PageRequest {
        page: 1,
        per_page: crate::people::EXPORT_MAX as u32,
    };
    let page = teachers::list_teachers(&state.db, &actor, &q.filter(), all).await?;
    let t = |k| i18n::t(lang, k).to_string();
    let table = crate::spreadsheet::Table {
        sheet_name: t("teachers.title"),
        headers: [
            "teachers.name",
            "teachers.pool",
            "teachers.type",
            "teachers.source",
            "teachers.themes",
            "teachers.speciality",
            "people.phone",
            "teachers.status_label",
            "teachers.training_hours",
        ]
        .iter()
        .map(|k| t(k))
        .collect(),
        rows: page
            .items
            .iter()
            .map(|x| {
                let r = row(lang, x);
                vec![
                    r.name,
                    format!("{} {}", r.pool, r.level),
                    r.teacher_type,
                    r.source,
                    r.themes,
                    r.speciality,
                    r.phone,
                    format!("{} {}", r.status, r.retired_note)
                        .trim()
                        .to_string(),
                    r.training_hours,
                ]
            })
            .collect(),
        text_columns: vec![6],
        notes: vec![],
    };
    crate::people::audit_export(
        &state.db,
        &actor,
        "teachers",
        table.rows.len(),
        serde_json::json!({"q": q.q, "node_id": q.node_id, "status": q.status}),
    )
    .await?;
    super::people::xlsx_download(&table, i18n::t(lang, "teachers.title"))
}

#[derive(Template)]
#[template(path = "teachers/form.html")]
struct FormPage {
    shell: Shell,
    action: String,
    title: String,
    pools: Vec<Choice>,
    types: Vec<Choice>,
    sources: Vec<Choice>,
    themes: Vec<Choice>,
    checked: Vec<String>,
    form: FormView,
}

impl FormPage {
    fn has_theme(&self, id: &str) -> bool {
        self.checked.iter().any(|c| c == id)
    }
}

#[allow(
    clippy::too_many_arguments,
    reason = "page context plus what the form shows"
)]
async fn form_page(
    state: &AppState,
    actor: &Actor,
    lang: Lang,
    uri: &Uri,
    action: String,
    title: &str,
    form: FormView,
    checked: Vec<String>,
) -> Result<FormPage> {
    actor.require(Permission::TeachersWrite)?;
    Ok(FormPage {
        shell: Shell::new(actor, lang, "/teachers", &here(uri), None),
        action,
        title: i18n::t(lang, title).to_string(),
        pools: pool_choices(state, actor, lang).await?,
        types: codes(lang, &TYPES),
        sources: codes(lang, &SOURCES),
        themes: theme_choices(state, actor).await?,
        checked,
        form,
    })
}

async fn new_form(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    lang: Lang,
    uri: Uri,
) -> Result<Response> {
    html(
        &form_page(
            &state,
            &actor,
            lang,
            &uri,
            "/teachers".into(),
            "teachers.new",
            FormView::default(),
            Vec::new(),
        )
        .await?,
    )
}

#[derive(Deserialize, Default)]
struct TeacherForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    node_id: String,
    gender: Option<String>,
    phone: Option<String>,
    #[serde(default)]
    teacher_type: String,
    #[serde(default)]
    source: String,
    speciality: Option<String>,
}

impl TeacherForm {
    fn input(&self, raw: &[u8]) -> (TeacherInput, Vec<String>) {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(raw).unwrap_or_default();
        let themes: Vec<String> = pairs
            .into_iter()
            .filter(|(k, _)| k == "theme_ids")
            .map(|(_, v)| v)
            .collect();
        (
            TeacherInput {
                name: self.name.clone(),
                node_id: self.node_id.trim().parse().unwrap_or(0),
                gender: self.gender.clone(),
                phone: self.phone.clone(),
                teacher_type: self.teacher_type.clone(),
                source: self.source.clone(),
                speciality: self.speciality.clone(),
                theme_ids: themes.iter().filter_map(|t| t.parse().ok()).collect(),
            },
            themes,
        )
    }

    fn view(&self) -> FormView {
        let o = |v: &Option<String>| v.clone().unwrap_or_default();
        FormView::with(&[
            ("name", self.name.clone()),
            ("node_id", self.node_id.clone()),
            ("gender", o(&self.gender)),
            ("phone", o(&self.phone)),
            ("teacher_type", self.teacher_type.clone()),
            ("source", self.source.clone()),
            ("speciality", o(&self.speciality)),
        ])
    }
}

async fn create(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    RawForm(actor, f, raw): RawForm<TeacherForm>,
) -> Result<Response> {
    let (input, themes) = f.input(&raw);
    let result = teachers::create_teacher(&state.db, &actor, &input).await;
    saved_or_again(
        result,
        |t| format!("/teachers/{}?ok=created", t.id),
        |fe| {
            form_page(
                &state,
                &actor,
                lang,
                &uri,
                "/teachers".into(),
                "teachers.new",
                f.view().errors(lang, &fe),
                themes,
            )
        },
    )
    .await
}

async fn edit_form(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    lang: Lang,
    uri: Uri,
    Id(id): Id,
) -> Result<Response> {
    let d = teachers::get_teacher(&state.db, &actor, id).await?;
    let t = &d.teacher;
    let form = FormView::with(&[
        ("name", t.name.clone()),
        ("node_id", t.node_id.to_string()),
        ("gender", t.gender.clone().unwrap_or_default()),
        ("phone", t.phone.clone().unwrap_or_default()),
        ("teacher_type", t.teacher_type.clone()),
        ("source", t.source.clone()),
        ("speciality", t.speciality.clone().unwrap_or_default()),
    ]);
    let themes = theme_choices(&state, &actor).await?;
    let checked = themes
        .iter()
        .filter(|c| t.themes.contains(&c.label))
        .map(|c| c.value.clone())
        .collect();
    html(
        &form_page(
            &state,
            &actor,
            lang,
            &uri,
            format!("/teachers/{id}/edit"),
            "teachers.edit",
            form,
            checked,
        )
        .await?,
    )
}

async fn update(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    Id(id): Id,
    RawForm(actor, f, raw): RawForm<TeacherForm>,
) -> Result<Response> {
    let (input, themes) = f.input(&raw);
    let result = teachers::update_teacher(&state.db, &actor, id, &input).await;
    saved_or_again(
        result,
        |_| format!("/teachers/{id}?ok=saved"),
        |fe| {
            form_page(
                &state,
                &actor,
                lang,
                &uri,
                format!("/teachers/{id}/edit"),
                "teachers.edit",
                f.view().errors(lang, &fe),
                themes,
            )
        },
    )
    .await
}

/// A training or service line.
pub struct EntryRow {
    pub date: String,
    pub title: String,
    pub organiser: String,
    pub hours: String,
}

#[derive(Template)]
#[template(path = "teachers/show.html")]
struct ShowPage {
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

#[derive(Deserialize, Default)]
struct ShowQuery {
    ok: Option<String>,
}

async fn show_page(
    state: &AppState,
    actor: &Actor,
    lang: Lang,
    uri: &Uri,
    id: i64,
    ok: Option<&str>,
) -> Result<ShowPage> {
    let d = teachers::get_teacher(&state.db, actor, id).await?;
    Ok(ShowPage {
        shell: Shell::new(actor, lang, "/teachers", &here(uri), ok),
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

async fn show(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    lang: Lang,
    uri: Uri,
    Id(id): Id,
    Query(q): Query<ShowQuery>,
) -> Result<Response> {
    html(&show_page(&state, &actor, lang, &uri, id, q.ok.as_deref()).await?)
}

async fn refused(
    state: &AppState,
    actor: &Actor,
    lang: Lang,
    uri: &Uri,
    id: i64,
    e: Error,
    form: FormView,
) -> Result<Response> {
    let mut page = show_page(state, actor, lang, uri, id, None).await?;
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
struct RetireForm {
    #[serde(default)]
    retired_on: String,
    #[serde(default)]
    retired_reason: String,
}

async fn retire(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    Id(id): Id,
    Form(actor, f): Form<RetireForm>,
) -> Result<Response> {
    match teachers::set_status(
        &state.db,
        &actor,
        id,
        Some((f.retired_on.clone(), f.retired_reason.clone())),
    )
    .await
    {
        Ok(_) => Ok(see_other(&format!("/teachers/{id}?ok=saved"))),
        Err(e) => {
            refused(
                &state,
                &actor,
                lang,
                &uri,
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

#[derive(Deserialize)]
struct Empty {}

async fn reinstate(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    Id(id): Id,
    Form(actor, _): Form<Empty>,
) -> Result<Response> {
    match teachers::set_status(&state.db, &actor, id, None).await {
        Ok(_) => Ok(see_other(&format!("/teachers/{id}?ok=saved"))),
        Err(e) => refused(&state, &actor, lang, &uri, id, e, FormView::default()).await,
    }
}

#[derive(Deserialize)]
struct EntryForm {
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

async fn add_training(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    Id(id): Id,
    Form(actor, f): Form<EntryForm>,
) -> Result<Response> {
    match teachers::add_training(&state.db, &actor, id, &f.entry()).await {
        Ok(()) => Ok(see_other(&format!("/teachers/{id}?ok=saved"))),
        Err(e) => refused(&state, &actor, lang, &uri, id, e, f.view("training")).await,
    }
}

async fn add_service(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    Id(id): Id,
    Form(actor, f): Form<EntryForm>,
) -> Result<Response> {
    match teachers::add_service(&state.db, &actor, id, &f.entry()).await {
        Ok(()) => Ok(see_other(&format!("/teachers/{id}?ok=saved"))),
        Err(e) => refused(&state, &actor, lang, &uri, id, e, f.view("service")).await,
    }
}

#[derive(Template)]
#[template(path = "teachers/volunteers.html")]
struct VolunteersPage {
    shell: Shell,
    year: i32,
    rows: Vec<(TeacherRow, String)>,
    total: String,
}

#[derive(Deserialize, Default)]
struct YearQuery {
    year: Option<i32>,
}

async fn volunteers(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    lang: Lang,
    uri: Uri,
    Query(q): Query<YearQuery>,
) -> Result<Response> {
    let year = q
        .year
        .filter(|y| (2000..=2100).contains(y))
        .unwrap_or_else(|| chrono::Utc::now().year());
    let rows = teachers::service_totals(&state.db, &actor, year).await?;
    let total: i64 = rows.iter().map(|(_, m)| m).sum();
    html(&VolunteersPage {
        shell: Shell::new(&actor, lang, "/teachers", &here(&uri), None),
        year,
        rows: rows
            .iter()
            .map(|(t, m)| (row(lang, t), hours(*m)))
            .collect(),
        total: hours(total),
    })
}
