//! The plan form: a new plan (one date or a weekly series) and edits of an existing one.

use super::*;
use crate::paths;

#[derive(Template)]
#[template(path = "activities/form.html")]
pub(super) struct FormPage {
    shell: Shell,
    action: String,
    title: String,
    /// A new plan (the series fields show).
    is_new: bool,
    /// An activity already held, recorded afterwards (补录).
    held: bool,
    owners: Vec<Choice>,
    themes: Vec<Choice>,
    formats: Vec<Choice>,
    targets: Vec<Choice>,
    departments: Vec<Choice>,
    teachers: Vec<TeacherGroup>,
    specials: Vec<Choice>,
    /// The town's open rooms (a booking overlapping another is refused).
    rooms: Vec<Choice>,
    chosen_teachers: Ticked,
    form: FormView,
}

/// One pool of the teacher picker: the town school's pool first, then each centre's.
pub(super) struct TeacherGroup {
    pool: String,
    teachers: Vec<TeacherChoice>,
}

/// A teacher as the picker shows it: name, type and speciality, and the themes the picker's
/// theme filter and search match on.
pub(super) struct TeacherChoice {
    value: String,
    name: String,
    detail: String,
    /// Theme names separated by `|` (matched against the chosen theme's name).
    themes: String,
}

/// The teachers in pools, in the order listed (the town school's pool first).
fn teacher_groups(lang: Lang, list: Vec<teachers::Teacher>) -> Vec<TeacherGroup> {
    let mut groups: Vec<TeacherGroup> = Vec::new();
    let (mut school, mut centres): (Vec<_>, Vec<_>) =
        list.into_iter().partition(|t| t.level == "school");
    school.append(&mut centres);
    for t in school {
        let mut detail =
            vec![i18n::t(lang, &format!("teachers.code.{}", t.teacher_type)).to_string()];
        detail.extend(t.speciality.clone());
        if !t.themes.is_empty() {
            detail.push(t.themes.join("、"));
        }
        let choice = TeacherChoice {
            value: t.id.to_string(),
            name: t.name,
            detail: detail.join(" · "),
            themes: t.themes.join("|"),
        };
        match groups.iter_mut().find(|g| g.pool == t.node_name) {
            Some(g) => g.teachers.push(choice),
            None => groups.push(TeacherGroup {
                pool: t.node_name,
                teachers: vec![choice],
            }),
        }
    }
    groups
}

/// Which form: a new plan, an edit of one, or an activity already held.
#[derive(Clone, Copy)]
pub(super) enum Which {
    New,
    Edit(i64),
    Held,
}

impl Which {
    fn action(self) -> String {
        match self {
            Which::New => paths::ACTIVITIES.into(),
            Which::Edit(id) => paths::activity_edit(id),
            Which::Held => paths::HELD.into(),
        }
    }

    fn title(self) -> &'static str {
        match self {
            Which::New => "activities.new",
            Which::Edit(_) => "activities.edit",
            Which::Held => "activities.record_held",
        }
    }
}

pub(super) async fn form_page(
    state: &AppState,
    cx: &Ctx,
    which: Which,
    form: FormView,
    chosen: Vec<String>,
) -> Result<FormPage> {
    let (actor, lang) = (&cx.actor, cx.lang);
    actor.require(Permission::ActivitiesPlan)?;
    let district = catalogue::district_of(&actor.scope_path).unwrap_or(0);
    let entries = |v: Vec<catalogue::Entry>| v.into_iter().map(Choice::from).collect::<Vec<_>>();
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
        shell: cx.shell(paths::ACTIVITIES),
        action: which.action(),
        title: i18n::t(lang, which.title()).to_string(),
        is_new: matches!(which, Which::New),
        held: matches!(which, Which::Held),
        owners: owner_choices(state, actor).await?,
        themes: activities::plannable_themes(&state.db, actor)
            .await?
            .into_iter()
            .map(Choice::from)
            .collect(),
        formats: entries(catalogue::formats(&state.db, district).await?),
        targets: entries(catalogue::target_groups(&state.db, district).await?),
        departments: departments.items.into_iter().map(Choice::from).collect(),
        teachers: teacher_groups(lang, pool.items),
        specials: SPECIAL_EVENTS
            .iter()
            .map(|s| Choice::new(s, i18n::t(lang, &format!("activities.special.{s}"))))
            .collect(),
        rooms: crate::venues::bookable_rooms(&state.db, &actor.scope_path)
            .await?
            .into_iter()
            .map(|r| {
                let seats = r.capacity.map(|c| format!("({c})")).unwrap_or_default();
                Choice::new(r.id, format!("{} · {}{seats}", r.node_name, r.name))
            })
            .collect(),
        chosen_teachers: Ticked(chosen),
        form,
    })
}

pub(super) async fn new_form(State(state): State<AppState>, cx: Ctx) -> Result<Response> {
    // A department's own account plans what it leads: its name is already chosen.
    let form = if cx.actor.role == crate::access::Role::LeadDepartment {
        FormView::with(&[("lead_department_id", cx.actor.node_id.to_string())])
    } else {
        FormView::default()
    };
    html(&form_page(&state, &cx, Which::New, form, Vec::new()).await?)
}

/// The form of an activity already held (补录).
pub(super) async fn held_form(State(state): State<AppState>, cx: Ctx) -> Result<Response> {
    html(&form_page(&state, &cx, Which::Held, FormView::default(), Vec::new()).await?)
}

/// Records an activity already held, then opens its attendance page for the head count or names,
/// photos and sign-in sheet.
pub(super) async fn create_held(
    cx: Ctx,
    RawForm(actor, f, raw): RawForm<PlanForm>,
) -> Result<Response> {
    let state = &cx.state;
    let (input, chosen) = f.input(&raw);
    let result = activities::record_held(&state.db, &actor, &input).await;
    saved_or_again(
        result,
        |a| paths::flashed(&paths::attendance(a.id), "recorded_afterwards"),
        |fe| {
            let view = f.view().errors(cx.lang, &fe);
            form_page(state, &cx, Which::Held, view, chosen)
        },
    )
    .await
}

/// The plan form as posted.
#[derive(Deserialize, Default)]
pub(super) struct PlanForm {
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
    room_id: Option<String>,
    capacity: Option<String>,
    description: Option<String>,
    featured: Option<String>,
    learning_team: Option<String>,
    special_event: Option<String>,
    repeat_weeks: Option<String>,
    repeat_until: Option<String>,
}

pub(super) fn id_of(s: &Option<String>) -> Option<i64> {
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
                room_id: id_of(&self.room_id),
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
            ("room_id", o(&self.room_id)),
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

pub(super) async fn create(cx: Ctx, RawForm(actor, f, raw): RawForm<PlanForm>) -> Result<Response> {
    let state = &cx.state;
    let lang = cx.lang;
    let (input, chosen) = f.input(&raw);
    let result = activities::plan(&state.db, &actor, &input).await;
    saved_or_again(
        result,
        |list| {
            let first = list.first().map(|a| a.id).unwrap_or(0);
            paths::flashed(&paths::activity(first), "created")
        },
        |fe| form_page(state, &cx, Which::New, f.view().errors(lang, &fe), chosen),
    )
    .await
}

pub(super) async fn edit_form(cx: Ctx, Id(id): Id) -> Result<Response> {
    let state = &cx.state;
    let actor = &cx.actor;
    let a = activities::get(&state.db, actor, id).await?;
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
            "room_id",
            a.room_id.map(|r| r.to_string()).unwrap_or_default(),
        ),
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
    let chosen = activities::teachers(&state.db, actor, id)
        .await?
        .into_iter()
        .map(|(i, _)| i.to_string())
        .collect();
    html(&form_page(state, &cx, Which::Edit(id), form, chosen).await?)
}

pub(super) async fn update(
    cx: Ctx,
    Id(id): Id,
    RawForm(actor, f, raw): RawForm<PlanForm>,
) -> Result<Response> {
    let state = &cx.state;
    let lang = cx.lang;
    let (input, chosen) = f.input(&raw);
    let result = activities::update(&state.db, &actor, id, &input).await;
    saved_or_again(
        result,
        |_| paths::flashed(&paths::activity(id), "saved"),
        |fe| {
            form_page(
                state,
                &cx,
                Which::Edit(id),
                f.view().errors(lang, &fe),
                chosen,
            )
        },
    )
    .await
}
