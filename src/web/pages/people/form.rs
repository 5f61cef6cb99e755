//! The resident form: a new resident and corrections of one.

use super::*;
use crate::paths;

#[derive(Template)]
#[template(path = "people/form.html")]
pub(super) struct FormPage {
    shell: Shell,
    action: String,
    title: String,
    communities: Vec<Choice>,
    tags: Vec<Choice>,
    form: FormView,
    checked_tags: Ticked,
}

pub(super) async fn form_page(
    state: &AppState,
    cx: &Ctx,
    editing: Option<i64>,
    form: FormView,
    checked_tags: Vec<String>,
) -> Result<FormPage> {
    let (actor, lang) = (&cx.actor, cx.lang);
    actor.require(Permission::PeopleWrite)?;
    Ok(FormPage {
        shell: cx.shell(paths::RESIDENTS),
        action: editing.map_or(paths::RESIDENTS.into(), paths::resident_edit),
        title: i18n::t(lang, editing.map_or("people.new", |_| "people.edit")).to_string(),
        communities: community_choices(state, actor).await?,
        tags: tag_choices(lang),
        form,
        checked_tags: Ticked(checked_tags),
    })
}

pub(super) async fn new_form(State(state): State<AppState>, cx: Ctx) -> Result<Response> {
    html(&form_page(&state, &cx, None, FormView::default(), Vec::new()).await?)
}

/// The resident form as posted; `tags` may repeat.
#[derive(Deserialize, Default)]
pub(super) struct ResidentForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    community_id: String,
    gender: Option<String>,
    birth_date: Option<String>,
    phone: Option<String>,
    id_number: Option<String>,
    household: Option<String>,
    building: Option<String>,
    guardian_consent: Option<String>,
}

pub(super) fn tags_of_form(raw: &[u8]) -> Vec<String> {
    url_pairs(raw)
        .into_iter()
        .filter(|(k, _)| k == "tags")
        .map(|(_, v)| v)
        .collect()
}

pub(super) fn url_pairs(raw: &[u8]) -> Vec<(String, String)> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(raw).unwrap_or_default()
}

impl ResidentForm {
    fn input(&self, tags: Vec<String>) -> ResidentInput {
        ResidentInput {
            name: self.name.clone(),
            community_id: self.community_id.trim().parse().unwrap_or(0),
            gender: self.gender.clone(),
            birth_date: self.birth_date.clone(),
            phone: self.phone.clone(),
            id_number: self.id_number.clone(),
            household: self.household.clone(),
            building: self.building.clone(),
            tags,
            guardian_consent: self.guardian_consent.as_deref() == Some("1"),
        }
    }

    fn view(&self) -> FormView {
        let o = |v: &Option<String>| v.clone().unwrap_or_default();
        FormView::with(&[
            ("name", self.name.clone()),
            ("community_id", self.community_id.clone()),
            ("gender", o(&self.gender)),
            ("birth_date", o(&self.birth_date)),
            ("phone", o(&self.phone)),
            ("id_number", o(&self.id_number)),
            ("household", o(&self.household)),
            ("building", o(&self.building)),
            ("guardian_consent", o(&self.guardian_consent)),
        ])
    }
}

pub(super) async fn create(
    cx: Ctx,
    RawForm(actor, f, raw): RawForm<ResidentForm>,
) -> Result<Response> {
    let state = &cx.state;
    let lang = cx.lang;
    let tags = tags_of_form(&raw);
    let result = people::create_resident(&state.db, &actor, &f.input(tags.clone())).await;
    saved_or_again(
        result,
        |r| paths::flashed(&paths::resident(r.id), "created"),
        |fe| form_page(state, &cx, None, f.view().errors(lang, &fe), tags),
    )
    .await
}

pub(super) async fn edit_form(cx: Ctx, Id(id): Id) -> Result<Response> {
    let state = &cx.state;
    let actor = &cx.actor;
    let r = people::get_resident(&state.db, actor, id).await?;
    // Numbers are not put back into the form: an empty field keeps the stored number.
    let form = FormView::with(&[
        ("name", r.name.clone()),
        ("community_id", r.community_id.to_string()),
        ("gender", r.gender.clone().unwrap_or_default()),
        (
            "birth_date",
            r.birth_date.map(|d| d.to_string()).unwrap_or_default(),
        ),
        ("household", r.household_name.clone().unwrap_or_default()),
        ("building", r.building_name.clone().unwrap_or_default()),
        (
            "guardian_consent",
            if r.guardian_consent {
                "1".into()
            } else {
                String::new()
            },
        ),
        ("phone_hint", r.phone.clone().unwrap_or_default()),
        ("id_hint", r.id_number.clone().unwrap_or_default()),
    ]);
    html(&form_page(state, &cx, Some(id), form, r.tags.clone()).await?)
}

pub(super) async fn update(
    cx: Ctx,
    Id(id): Id,
    RawForm(actor, f, raw): RawForm<ResidentForm>,
) -> Result<Response> {
    let state = &cx.state;
    let lang = cx.lang;
    let tags = tags_of_form(&raw);
    // Empty number fields keep what is stored (the form never shows full numbers).
    let input = f.input(tags.clone());
    let result = people::update_resident(&state.db, &actor, id, &input).await;
    saved_or_again(
        result,
        |_| paths::flashed(&paths::resident(id), "saved"),
        |fe| form_page(state, &cx, Some(id), f.view().errors(lang, &fe), tags),
    )
    .await
}
