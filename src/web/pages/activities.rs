//! Pages of activities: the list, the plan form (one-off or a series), an activity's page with the
//! review actions its state and the user's role allow, and the month × centre grid.

use askama::Template;
use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use serde::Deserialize;

use super::{here, html, html_status, saved_or_again, see_other};
use crate::access::Permission as P;
use crate::access::{Actor, Permission};
use crate::activities::{
    self, Act, Activity, ActivityFilter, ActivityInput, Lifecycle, SPECIAL_EVENTS, Status,
};
use crate::attendance;
use crate::calendar::{Day, Days};
use crate::catalogue;
use crate::error::{Error, Result};
use crate::i18n::{self, Lang};
use crate::org::{self, Kind, NodeFilter};
use crate::page::PageRequest;
use crate::teachers::{self, TeacherFilter};
use crate::web::AppState;
use crate::web::extract::{CurrentActor, Form, Id, Query, RawForm};
use crate::web::routes::{Object, Routes, Rule};
use crate::web::views::{Choice, FormView, Pager, Shell};

pub(super) fn router() -> Routes {
    let activity = |p| Rule::needs(p).on(Object::Activity);
    Routes::new()
        .get("/activities", Rule::needs(P::ActivitiesRead), list)
        .post("/activities", Rule::needs(P::ActivitiesPlan), create)
        .get("/activities/new", Rule::needs(P::ActivitiesPlan), new_form)
        // The grid and the calendar list the centres of the scope: they read the tree too.
        .get(
            "/activities/grid",
            Rule::both(P::ActivitiesRead, P::OrgRead),
            grid,
        )
        .get(
            "/activities/calendar",
            Rule::both(P::ActivitiesRead, P::OrgRead),
            calendar,
        )
        .get("/activities/{id}", activity(P::ActivitiesRead), show)
        .get(
            "/activities/{id}/edit",
            activity(P::ActivitiesPlan),
            edit_form,
        )
        .post("/activities/{id}/edit", activity(P::ActivitiesPlan), update)
        .post(
            "/activities/{id}/transition",
            Rule::either(P::ActivitiesPlan, P::ActivitiesReview).on(Object::Activity),
            transition,
        )
        .post("/activities/{id}/enrol", activity(P::PeopleWrite), enrol)
        .post(
            "/enrolments/{id}/cancel",
            Rule::needs(P::PeopleWrite).on(Object::Enrolment),
            cancel_enrolment,
        )
}

/// An activity line with labels.
pub struct ActivityRow {
    pub id: i64,
    pub when: String,
    pub title: String,
    pub owner: String,
    pub theme: String,
    pub status: String,
    pub late: bool,
}

fn when(a: &Activity) -> String {
    crate::calendar::span(a.starts_at, a.ends_at)
}

pub(super) fn row(lang: Lang, a: &Activity) -> ActivityRow {
    ActivityRow {
        id: a.id,
        when: when(a),
        title: a.title.clone(),
        owner: a.owner_name.clone(),
        theme: a.theme_name.clone(),
        status: i18n::t(lang, &format!("activities.status.{}", a.status)).to_string(),
        late: a.late,
    }
}

fn status_choices(lang: Lang) -> Vec<Choice> {
    Status::ALL
        .iter()
        .map(|s| Choice {
            value: s.as_str().into(),
            label: i18n::t(lang, &format!("activities.status.{}", s.as_str())).into(),
        })
        .collect()
}

async fn owner_choices(state: &AppState, actor: &Actor) -> Result<Vec<Choice>> {
    if !actor.can(Permission::TeachersRead) {
        // A teacher's list holds only the activities of the place they teach at.
        return Ok(Vec::new());
    }
    Ok(teachers::pools(&state.db, actor)
        .await?
        .into_iter()
        .map(|n| Choice {
            value: n.id.to_string(),
            label: n.name,
        })
        .collect())
}

#[derive(Template)]
#[template(path = "activities/list.html")]
struct ListPage {
    shell: Shell,
    rows: Vec<ActivityRow>,
    statuses: Vec<Choice>,
    owners: Vec<Choice>,
    form: FormView,
    pager: Pager,
    can_plan: bool,
}

#[derive(Deserialize, Default)]
struct ListQuery {
    status: Option<String>,
    owner_id: Option<String>,
    month: Option<String>,
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
    let month = q.month.as_deref().and_then(crate::calendar::Month::parse);
    let filter = ActivityFilter {
        status: q.status.clone(),
        owner_id: q.owner_id.as_deref().and_then(|s| s.parse().ok()),
        theme_id: None,
        from: month.map(|m| m.first_day()),
        to: month.map(|m| m.last_day()),
    };
    let page = activities::list(&state.db, &actor, &filter, PageRequest::new(q.page, None)).await?;
    let pairs = [
        ("status", q.status.clone().unwrap_or_default()),
        ("owner_id", q.owner_id.clone().unwrap_or_default()),
        ("month", q.month.clone().unwrap_or_default()),
    ];
    html(&ListPage {
        shell: Shell::new(&actor, lang, "/activities", &here(&uri), q.ok.as_deref()),
        pager: Pager::of(lang, "/activities", &pairs, &page),
        rows: page.items.iter().map(|a| row(lang, a)).collect(),
        statuses: status_choices(lang),
        owners: owner_choices(&state, &actor).await?,
        form: FormView::with(&pairs),
        can_plan: actor.can(Permission::ActivitiesPlan),
    })
}

#[derive(Template)]
#[template(path = "activities/form.html")]
struct FormPage {
    shell: Shell,
    action: String,
    title: String,
    is_new: bool,
    owners: Vec<Choice>,
    themes: Vec<Choice>,
    formats: Vec<Choice>,
    targets: Vec<Choice>,
    departments: Vec<Choice>,
    teachers: Vec<Choice>,
    specials: Vec<Choice>,
    chosen_teachers: Vec<String>,
    form: FormView,
}

impl FormPage {
    fn has_teacher(&self, id: &str) -> bool {
        self.chosen_teachers.iter().any(|t| t == id)
    }
}

#[expect(
    clippy::too_many_arguments,
    reason = "page context plus what the form shows"
)]
async fn form_page(
    state: &AppState,
    actor: &Actor,
    lang: Lang,
    uri: &Uri,
    action: String,
    is_new: bool,
    form: FormView,
    chosen: Vec<String>,
) -> Result<FormPage> {
    actor.require(Permission::ActivitiesPlan)?;
    let district = catalogue::district_of(&actor.scope_path).unwrap_or(0);
    let entries = |v: Vec<catalogue::Entry>| {
        v.into_iter()
            .map(|e| Choice {
                value: e.id.to_string(),
                label: e.name,
            })
            .collect::<Vec<_>>()
    };
    let departments = org::list_nodes(
        &state.db,
        actor,
        &NodeFilter {
            kind: Some(Kind::Department),
            ..Default::default()
        },
        PageRequest::new(Some(1), Some(200)),
    )
    .await?;
    let pool = teachers::list_teachers(
        &state.db,
        actor,
        &TeacherFilter::default(),
        PageRequest {
            page: 1,
            per_page: 1000,
        },
    )
    .await?;
    Ok(FormPage {
        shell: Shell::new(actor, lang, "/activities", &here(uri), None),
        action,
        title: i18n::t(
            lang,
            if is_new {
                "activities.new"
            } else {
                "activities.edit"
            },
        )
        .to_string(),
        is_new,
        owners: owner_choices(state, actor).await?,
        themes: activities::plannable_themes(&state.db, actor)
            .await?
            .into_iter()
            .map(|t| Choice {
                value: t.id.to_string(),
                label: t.name,
            })
            .collect(),
        formats: entries(catalogue::formats(&state.db, district).await?),
        targets: entries(catalogue::target_groups(&state.db, district).await?),
        departments: departments
            .items
            .into_iter()
            .map(|n| Choice {
                value: n.id.to_string(),
                label: n.name,
            })
            .collect(),
        teachers: pool
            .items
            .into_iter()
            .map(|t| Choice {
                value: t.id.to_string(),
                label: format!("{} · {}", t.name, t.node_name),
            })
            .collect(),
        specials: SPECIAL_EVENTS
            .iter()
            .map(|s| Choice {
                value: s.to_string(),
                label: i18n::t(lang, &format!("activities.special.{s}")).into(),
            })
            .collect(),
        chosen_teachers: chosen,
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
            "/activities".into(),
            true,
            FormView::default(),
            Vec::new(),
        )
        .await?,
    )
}

/// The plan form as posted.
#[derive(Deserialize, Default)]
struct PlanForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    owner_id: String,
    #[serde(default)]
    theme_id: String,
    lead_department_id: Option<String>,
    format_id: Option<String>,
    target_group_id: Option<String>,
    #[serde(default)]
    date: String,
    #[serde(default)]
    start_time: String,
    #[serde(default)]
    end_time: String,
    venue: Option<String>,
    capacity: Option<String>,
    description: Option<String>,
    featured: Option<String>,
    learning_team: Option<String>,
    special_event: Option<String>,
    repeat_weeks: Option<String>,
    repeat_until: Option<String>,
}

fn id_of(s: &Option<String>) -> Option<i64> {
    s.as_deref().and_then(|s| s.trim().parse().ok())
}

impl PlanForm {
    fn input(&self, raw: &[u8]) -> (ActivityInput, Vec<String>) {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(raw).unwrap_or_default();
        let chosen: Vec<String> = pairs
            .into_iter()
            .filter(|(k, _)| k == "teacher_ids")
            .map(|(_, v)| v)
            .collect();
        (
            ActivityInput {
                title: self.title.clone(),
                owner_id: self.owner_id.trim().parse().unwrap_or(0),
                theme_id: self.theme_id.trim().parse().unwrap_or(0),
                lead_department_id: id_of(&self.lead_department_id),
                format_id: id_of(&self.format_id),
                target_group_id: id_of(&self.target_group_id),
                teacher_ids: chosen.iter().filter_map(|t| t.parse().ok()).collect(),
                date: self.date.clone(),
                start_time: self.start_time.clone(),
                end_time: self.end_time.clone(),
                venue: self.venue.clone(),
                capacity: self.capacity.clone(),
                description: self.description.clone(),
                featured: self.featured.as_deref() == Some("1"),
                learning_team: self.learning_team.as_deref() == Some("1"),
                special_event: self.special_event.clone(),
                repeat_weeks: self
                    .repeat_weeks
                    .as_deref()
                    .and_then(|s| s.trim().parse().ok()),
                repeat_until: self.repeat_until.clone(),
            },
            chosen,
        )
    }

    fn view(&self) -> FormView {
        let o = |v: &Option<String>| v.clone().unwrap_or_default();
        FormView::with(&[
            ("title", self.title.clone()),
            ("owner_id", self.owner_id.clone()),
            ("theme_id", self.theme_id.clone()),
            ("lead_department_id", o(&self.lead_department_id)),
            ("format_id", o(&self.format_id)),
            ("target_group_id", o(&self.target_group_id)),
            ("date", self.date.clone()),
            ("start_time", self.start_time.clone()),
            ("end_time", self.end_time.clone()),
            ("venue", o(&self.venue)),
            ("capacity", o(&self.capacity)),
            ("description", o(&self.description)),
            ("featured", o(&self.featured)),
            ("learning_team", o(&self.learning_team)),
            ("special_event", o(&self.special_event)),
            ("repeat_weeks", o(&self.repeat_weeks)),
            ("repeat_until", o(&self.repeat_until)),
        ])
    }
}

async fn create(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    RawForm(actor, f, raw): RawForm<PlanForm>,
) -> Result<Response> {
    let (input, chosen) = f.input(&raw);
    let result = activities::plan(&state.db, &actor, &input).await;
    saved_or_again(
        result,
        |list| {
            format!(
                "/activities/{}?ok=created",
                list.first().map(|a| a.id).unwrap_or(0)
            )
        },
        |fe| {
            form_page(
                &state,
                &actor,
                lang,
                &uri,
                "/activities".into(),
                true,
                f.view().errors(lang, &fe),
                chosen,
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
    let a = activities::get(&state.db, &actor, id).await?;
    let s = crate::calendar::local(a.starts_at);
    let e = crate::calendar::local(a.ends_at);
    let o = |v: Option<i64>| v.map(|i| i.to_string()).unwrap_or_default();
    let form = FormView::with(&[
        ("title", a.title.clone()),
        ("owner_id", a.owner_id.to_string()),
        ("theme_id", a.theme_id.to_string()),
        ("lead_department_id", o(a.lead_department_id)),
        ("format_id", o(a.format_id)),
        ("target_group_id", o(a.target_group_id)),
        ("date", s.format("%Y-%m-%d").to_string()),
        ("start_time", s.format("%H:%M").to_string()),
        ("end_time", e.format("%H:%M").to_string()),
        ("venue", a.venue.clone().unwrap_or_default()),
        (
            "capacity",
            a.capacity.map(|c| c.to_string()).unwrap_or_default(),
        ),
        ("description", a.description.clone().unwrap_or_default()),
        (
            "featured",
            if a.featured {
                "1".into()
            } else {
                String::new()
            },
        ),
        (
            "learning_team",
            if a.learning_team {
                "1".into()
            } else {
                String::new()
            },
        ),
        ("special_event", a.special_event.clone().unwrap_or_default()),
    ]);
    let chosen = activities::teachers(&state.db, &actor, id)
        .await?
        .into_iter()
        .map(|(i, _)| i.to_string())
        .collect();
    html(
        &form_page(
            &state,
            &actor,
            lang,
            &uri,
            format!("/activities/{id}/edit"),
            false,
            form,
            chosen,
        )
        .await?,
    )
}

async fn update(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    Id(id): Id,
    RawForm(actor, f, raw): RawForm<PlanForm>,
) -> Result<Response> {
    let (input, chosen) = f.input(&raw);
    let result = activities::update(&state.db, &actor, id, &input).await;
    saved_or_again(
        result,
        |_| format!("/activities/{id}?ok=saved"),
        |fe| {
            form_page(
                &state,
                &actor,
                lang,
                &uri,
                format!("/activities/{id}/edit"),
                false,
                f.view().errors(lang, &fe),
                chosen,
            )
        },
    )
    .await
}

/// A review action offered on an activity's page.
pub struct ActionButton {
    pub action: &'static str,
    pub label: String,
    pub needs_reason: bool,
}

#[derive(Template)]
#[template(path = "activities/show.html")]
struct ShowPage {
    shell: Shell,
    a: ActivityRow,
    act: Activity,
    teachers: String,
    format: String,
    target: String,
    special: String,
    actions: Vec<ActionButton>,
    can_edit: bool,
    error: Option<String>,
    /// Enrolled and waiting residents (None when the user may not see them).
    enrolments: Option<Vec<EnrolmentRow>>,
    can_enrol: bool,
    enrolled: usize,
    form: FormView,
    /// Attendance and evidence exist from publication on.
    show_attendance: bool,
}

/// A line of the enrolment list.
pub struct EnrolmentRow {
    pub id: i64,
    pub resident_id: i64,
    pub name: String,
    pub phone: String,
    pub waiting: bool,
}

async fn show_page(
    state: &AppState,
    actor: &Actor,
    lang: Lang,
    uri: &Uri,
    id: i64,
    ok: Option<&str>,
) -> Result<ShowPage> {
    let a = activities::get(&state.db, actor, id).await?;
    let teachers = activities::teachers(&state.db, actor, id)
        .await?
        .into_iter()
        .map(|(_, n)| n)
        .collect::<Vec<_>>()
        .join("、");
    let status = a.status();
    let actions = activities::steps(actor, &a)
        .into_iter()
        .map(|step| ActionButton {
            action: step.name,
            label: i18n::t(lang, &format!("activities.action.{}", step.name)).to_string(),
            needs_reason: step.reason.is_some(),
        })
        .collect();
    let enrolments = if actor.can(Permission::PeopleRead) {
        Some(
            attendance::list(&state.db, actor, id)
                .await?
                .into_iter()
                .map(|e| EnrolmentRow {
                    id: e.id,
                    resident_id: e.resident_id,
                    name: e.resident_name,
                    phone: e.phone.unwrap_or_default(),
                    waiting: e.status == "waiting",
                })
                .collect::<Vec<_>>(),
        )
    } else {
        None
    };
    Ok(ShowPage {
        enrolled: enrolments
            .as_ref()
            .map(|l| l.iter().filter(|e| !e.waiting).count())
            .unwrap_or(0),
        can_enrol: actor.can(Permission::PeopleWrite) && status == Status::Published,
        // Lesson materials attach from the draft on; attendance and evidence from publication.
        show_attendance: status != Status::Cancelled,
        enrolments,
        form: FormView::default(),
        shell: Shell::new(actor, lang, "/activities", &here(uri), ok),
        a: row(lang, &a),
        teachers,
        format: a.format_name.clone().unwrap_or_default(),
        target: a.target_group_name.clone().unwrap_or_default(),
        special: a
            .special_event
            .as_deref()
            .map(|s| i18n::t(lang, &format!("activities.special.{s}")).to_string())
            .unwrap_or_default(),
        actions,
        can_edit: activities::may(actor, &a, Act::Edit),
        error: None,
        act: a,
    })
}

#[derive(Deserialize, Default)]
struct ShowQuery {
    ok: Option<String>,
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

#[derive(Deserialize)]
struct TransitionForm {
    #[serde(default)]
    action: String,
    reason: Option<String>,
}

async fn transition(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    Id(id): Id,
    Form(actor, f): Form<TransitionForm>,
) -> Result<Response> {
    let t = crate::workflow::parse::<Lifecycle>(&f.action)
        .ok_or_else(|| Error::invalid("action", crate::error::Msg::new("field.choose")));
    let done = match t {
        Ok(t) => activities::transition(&state.db, &actor, id, t, f.reason.as_deref()).await,
        Err(e) => Err(e),
    };
    match done {
        Ok(_) => Ok(see_other(&format!("/activities/{id}?ok=saved"))),
        Err(Error::Conflict(m)) => {
            let mut page = show_page(&state, &actor, lang, &uri, id, None).await?;
            page.error = Some(i18n::render(lang, &m));
            html_status(StatusCode::CONFLICT, &page)
        }
        Err(Error::Invalid(fe)) => {
            let mut page = show_page(&state, &actor, lang, &uri, id, None).await?;
            page.error = fe.0.first().map(|(_, m)| i18n::render(lang, m));
            html_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "activities/grid.html")]
struct GridPage {
    shell: Shell,
    year: i32,
    prev: i32,
    next: i32,
    rows: Vec<GridLine>,
    notice: Option<String>,
}

/// One centre's line: (count, below the rule) per month.
pub struct GridLine {
    pub centre: String,
    pub community: String,
    pub cells: Vec<(i64, bool)>,
    /// Late submissions in the year.
    pub late: i64,
}

#[derive(Deserialize, Default)]
struct YearQuery {
    year: Option<i32>,
}

async fn grid(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    lang: Lang,
    uri: Uri,
    Query(q): Query<YearQuery>,
) -> Result<Response> {
    let year = q
        .year
        .filter(|y| (2000..=2100).contains(y))
        .unwrap_or_else(|| crate::calendar::Year::current().0);
    let g = activities::month_grid(&state.db, &actor, year).await?;
    let notice = match (g.current_month, g.days_left) {
        (Some(m), Some(d)) => {
            let below = g.rows.iter().filter(|r| r.below.contains(&m)).count();
            Some(
                i18n::t(lang, "activities.grid_notice")
                    .replace("{below}", &below.to_string())
                    .replace("{days}", &d.to_string()),
            )
        }
        _ => None,
    };
    let rows = g
        .rows
        .into_iter()
        .map(|r| GridLine {
            cells: r
                .counts
                .iter()
                .enumerate()
                .map(|(i, c)| (*c, r.below.contains(&(i as u32 + 1))))
                .collect(),
            centre: r.centre_name,
            community: r.community_name,
            late: r.late,
        })
        .collect();
    html(&GridPage {
        shell: Shell::new(&actor, lang, "/activities/grid", &here(&uri), None),
        year,
        prev: year - 1,
        next: year + 1,
        rows,
        notice,
    })
}

#[derive(Deserialize)]
struct EnrolForm {
    #[serde(default)]
    phone: String,
}

async fn enrol(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    Id(id): Id,
    Form(actor, f): Form<EnrolForm>,
) -> Result<Response> {
    match attendance::enrol_by_phone(&state.db, &actor, id, &f.phone).await {
        Ok(e) => Ok(see_other(&format!(
            "/activities/{id}?ok={}",
            if e.status == "waiting" {
                "waiting"
            } else {
                "enrolled"
            }
        ))),
        Err(Error::Invalid(fe)) => {
            let mut page = show_page(&state, &actor, lang, &uri, id, None).await?;
            page.form = FormView::with(&[("phone", f.phone)]).errors(lang, &fe);
            html_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(Error::Conflict(m)) => {
            let mut page = show_page(&state, &actor, lang, &uri, id, None).await?;
            page.error = Some(i18n::render(lang, &m));
            html_status(StatusCode::CONFLICT, &page)
        }
        Err(e) => Err(e),
    }
}

#[derive(Deserialize)]
struct CancelForm {
    #[serde(default)]
    activity_id: String,
}

async fn cancel_enrolment(
    State(state): State<AppState>,
    Id(id): Id,
    Form(actor, f): Form<CancelForm>,
) -> Result<Response> {
    attendance::cancel(&state.db, &actor, id).await?;
    Ok(see_other(&format!(
        "/activities/{}?ok=saved",
        f.activity_id.trim().parse::<i64>().unwrap_or(0)
    )))
}

/// One activity in a calendar cell.
pub struct CalendarItem {
    pub id: i64,
    pub time: String,
    pub title: String,
    pub owner: String,
    /// Shown when the activity is not yet approved (draft, submitted, returned).
    pub pending: Option<String>,
}

/// One day of a calendar.
pub struct CalendarDay {
    pub date: String,
    pub label: String,
    pub in_period: bool,
    pub today: bool,
    pub items: Vec<CalendarItem>,
}

#[derive(Template)]
#[template(path = "activities/calendar.html")]
struct CalendarPage {
    shell: Shell,
    title: String,
    week_view: bool,
    weeks: Vec<Vec<CalendarDay>>,
    weekdays: Vec<String>,
    prev: String,
    next: String,
    today: String,
    date: String,
    towns: Vec<Choice>,
    owners: Vec<Choice>,
    themes: Vec<Choice>,
    form: FormView,
    /// The filters as a query string to keep across the navigation links.
    keep: String,
    capped: bool,
}

#[derive(Deserialize, Default)]
struct CalendarQuery {
    view: Option<String>,
    date: Option<String>,
    town_id: Option<String>,
    owner_id: Option<String>,
    theme_id: Option<String>,
}

async fn calendar(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    lang: Lang,
    uri: Uri,
    Query(q): Query<CalendarQuery>,
) -> Result<Response> {
    let today = Day::today();
    let date = q
        .date
        .as_deref()
        .and_then(Day::parse)
        .filter(|d| (2000..=2100).contains(&d.year()))
        .unwrap_or(today);
    let week_view = q.view.as_deref() == Some("week");
    let id = |s: &Option<String>| s.as_deref().and_then(|v| v.trim().parse::<i64>().ok());
    let filter = activities::CalendarFilter {
        town_id: id(&q.town_id),
        owner_id: id(&q.owner_id),
        theme_id: id(&q.theme_id),
    };
    let period = if week_view {
        Days::week_of(date)
    } else {
        Days::of_month(date.month())
    };
    let shown = period.whole_weeks();
    let items = activities::calendar(&state.db, &actor, &filter, shown).await?;
    let capped = items.len() as i64 >= activities::CALENDAR_LIMIT;
    let weeks = period
        .grid(&items, |a| Day::of(a.starts_at))
        .into_iter()
        .map(|week| {
            week.into_iter()
                .map(|(day, on_day)| CalendarDay {
                    date: day.to_string(),
                    label: if week_view || day.day_of_month() == 1 {
                        day.0.format("%m-%d").to_string()
                    } else {
                        day.day_of_month().to_string()
                    },
                    in_period: period.contains(day),
                    today: day == today,
                    items: on_day
                        .into_iter()
                        .map(|a| CalendarItem {
                            id: a.id,
                            time: crate::calendar::local(a.starts_at)
                                .format("%H:%M")
                                .to_string(),
                            title: a.title.clone(),
                            owner: a.owner_name.clone(),
                            pending: (!a.status().counts() && a.status() != Status::Cancelled)
                                .then(|| {
                                    i18n::t(lang, &format!("activities.status.{}", a.status))
                                        .to_string()
                                }),
                        })
                        .collect(),
                })
                .collect()
        })
        .collect();
    let (prev, next) = if week_view {
        (date.plus_days(-7), date.plus_days(7))
    } else {
        (
            date.month().prev().first_day(),
            date.month().next().first_day(),
        )
    };
    let towns: Vec<Choice> = org::list_nodes(
        &state.db,
        &actor,
        &NodeFilter {
            kind: Some(Kind::Town),
            ..Default::default()
        },
        PageRequest::new(Some(1), Some(100)),
    )
    .await?
    .items
    .into_iter()
    .map(|n| Choice {
        value: n.id.to_string(),
        label: n.name,
    })
    .collect();
    let district = catalogue::district_of(&actor.scope_path).unwrap_or(0);
    let themes = catalogue::themes(&state.db, district)
        .await?
        .into_iter()
        .map(|t| Choice {
            value: t.id.to_string(),
            label: t.name,
        })
        .collect();
    let pairs = [
        ("town_id", q.town_id.clone().unwrap_or_default()),
        ("owner_id", q.owner_id.clone().unwrap_or_default()),
        ("theme_id", q.theme_id.clone().unwrap_or_default()),
    ];
    let keep = serde_urlencoded::to_string(
        pairs
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .collect::<Vec<_>>(),
    )
    .unwrap_or_default();
    let title = if week_view {
        format!("{} – {}", period.first, period.last.0.format("%m-%d"))
    } else {
        period.first.0.format("%Y-%m").to_string()
    };
    let mut values = pairs.to_vec();
    values.push((
        "view",
        if week_view {
            "week".into()
        } else {
            "month".into()
        },
    ));
    html(&CalendarPage {
        shell: Shell::new(&actor, lang, "/activities/calendar", &here(&uri), None),
        title,
        week_view,
        weeks,
        weekdays: (1..=7)
            .map(|d| i18n::t(lang, &format!("calendar.weekday_{d}")).to_string())
            .collect(),
        prev: prev.to_string(),
        next: next.to_string(),
        today: today.to_string(),
        date: date.to_string(),
        towns: if towns.len() > 1 { towns } else { Vec::new() },
        owners: owner_choices(&state, &actor).await?,
        themes,
        form: FormView::with(&values),
        keep,
        capped,
    })
}
