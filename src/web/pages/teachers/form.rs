//! The teacher form: a new teacher and edits of one.

use super::*;
use crate::paths;

#[derive(Template)]
#[template(path = "teachers/form.html")]
pub(super) struct FormPage {
    shell: Shell,
    action: String,
    title: String,
    pools: Vec<Choice>,
    types: Vec<Choice>,
    sources: Vec<Choice>,
    themes: Vec<Choice>,
    checked: Ticked,
    form: FormView,
}

pub(super) async fn form_page(
    state: &AppState,
    cx: &Ctx,
    editing: Option<i64>,
    form: FormView,
    checked: Vec<String>,
) -> Result<FormPage> {
    let (actor, lang) = (&cx.actor, cx.lang);
    actor.require(Permission::TeachersWrite)?;
    Ok(FormPage {
        shell: cx.shell(paths::TEACHERS),
        action: editing.map_or(paths::TEACHERS.into(), paths::teacher_edit),
        title: i18n::t(lang, editing.map_or("teachers.new", |_| "teachers.edit")).to_string(),
        pools: pool_choices(state, actor, lang).await?,
        types: codes(lang, &TYPES),
        sources: codes(lang, &SOURCES),
        themes: theme_choices(state, actor).await?,
        checked: Ticked(checked),
        form,
    })
}

pub(super) async fn new_form(State(state): State<AppState>, cx: Ctx) -> Result<Response> {
    html(&form_page(&state, &cx, None, FormView::default(), Vec::new()).await?)
}

#[derive(Deserialize, Default)]
pub(super) struct TeacherForm {
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

pub(super) async fn create(
    cx: Ctx,
    RawForm(actor, f, raw): RawForm<TeacherForm>,
) -> Result<Response> {
    let state = &cx.state;
    let lang = cx.lang;
    let (input, themes) = f.input(&raw);
    let result = teachers::create_teacher(&state.db, &actor, &input).await;
    saved_or_again(
        result,
        |t| paths::flashed(&paths::teacher(t.id), "created"),
        |fe| form_page(state, &cx, None, f.view().errors(lang, &fe), themes),
    )
    .await
}

pub(super) async fn edit_form(cx: Ctx, Id(id): Id) -> Result<Response> {
    let state = &cx.state;
    let actor = &cx.actor;
    let d = teachers::get_teacher(&state.db, actor, id).await?;
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
    let themes = theme_choices(state, actor).await?;
    let checked = themes
        .iter()
        .filter(|c| t.themes.contains(&c.label))
        .map(|c| c.value.clone())
        .collect();
    html(&form_page(state, &cx, Some(id), form, checked).await?)
}

pub(super) async fn update(
    cx: Ctx,
    Id(id): Id,
    RawForm(actor, f, raw): RawForm<TeacherForm>,
) -> Result<Response> {
    let state = &cx.state;
    let lang = cx.lang;
    let (input, themes) = f.input(&raw);
    let result = teachers::update_teacher(&state.db, &actor, id, &input).await;
    saved_or_again(
        result,
        |_| paths::flashed(&paths::teacher(id), "saved"),
        |fe| form_page(state, &cx, Some(id), f.view().errors(lang, &fe), themes),
    )
    .await
}
