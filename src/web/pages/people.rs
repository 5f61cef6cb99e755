//! Pages of residents and households: the searchable list with export, a resident's page with
//! masked numbers (revealed on request), the resident form, erasure, and households.

use askama::Template;
use axum::extract::State;
use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::{here, html, html_status, saved_or_again, see_other};
use crate::access::Permission as P;
use crate::access::{Actor, Permission};
use crate::error::{Error, Result};
use crate::i18n::{self, Lang};
use crate::page::PageRequest;
use crate::people::{
    self, HouseholdInput, PersonalField, Resident, ResidentFilter, ResidentInput, TAGS,
};
use crate::spreadsheet::{self, Table};
use crate::web::AppState;
use crate::web::extract::{CurrentActor, Form, Id, Query, RawForm};
use crate::web::routes::{Object, Routes, Rule};
use crate::web::views::{Choice, FormView, Pager, Shell};

pub(super) fn router() -> Routes {
    let resident = |p| Rule::needs(p).on(Object::Resident);
    Routes::new()
        .get("/people/residents", Rule::needs(P::PeopleRead), list)
        .post("/people/residents", Rule::needs(P::PeopleWrite), create)
        .get(
            "/people/residents/export.xlsx",
            Rule::needs(P::PeopleExport),
            export,
        )
        .get(
            "/people/residents/new",
            Rule::needs(P::PeopleWrite),
            new_form,
        )
        .get("/people/residents/{id}", resident(P::PeopleRead), show)
        .get(
            "/people/residents/{id}/edit",
            resident(P::PeopleWrite),
            edit_form,
        )
        .post(
            "/people/residents/{id}/edit",
            resident(P::PeopleWrite),
            update,
        )
        .post(
            "/people/residents/{id}/reveal",
            resident(P::PeopleReveal),
            reveal,
        )
        .post(
            "/people/residents/{id}/erase",
            resident(P::PeopleErase),
            erase,
        )
        .get("/people/households", Rule::needs(P::PeopleRead), households)
        .post(
            "/people/households",
            Rule::needs(P::PeopleWrite),
            create_household,
        )
        .get(
            "/people/households/export.xlsx",
            Rule::needs(P::PeopleExport),
            export_households,
        )
        .get(
            "/people/households/{id}",
            Rule::needs(P::PeopleRead).on(Object::Household),
            household,
        )
}

/// A resident line, labels in the page's language.
pub struct ResidentRow {
    pub id: i64,
    pub name: String,
    pub gender: String,
    pub birth_date: String,
    pub phone: String,
    pub id_number: String,
    pub community: String,
    pub household: String,
    pub building: String,
    pub tags: String,
    pub erased: bool,
}

fn gender_label(lang: Lang, g: Option<&str>) -> String {
    g.map(|g| i18n::t(lang, &format!("people.gender.{g}")).to_string())
        .unwrap_or_default()
}

fn tag_labels(lang: Lang, tags: &[String]) -> String {
    tags.iter()
        .map(|t| i18n::t(lang, &format!("people.tag.{t}")).to_string())
        .collect::<Vec<_>>()
        .join("、")
}

fn row(lang: Lang, r: &Resident) -> ResidentRow {
    ResidentRow {
        id: r.id,
        name: r.name.clone(),
        gender: gender_label(lang, r.gender.as_deref()),
        birth_date: r.birth_date.map(|d| d.to_string()).unwrap_or_default(),
        phone: r.phone.clone().unwrap_or_default(),
        id_number: r.id_number.clone().unwrap_or_default(),
        community: r.community_name.clone(),
        household: r.household_name.clone().unwrap_or_default(),
        building: r.building_name.clone().unwrap_or_default(),
        tags: tag_labels(lang, &r.tags),
        erased: r.erased,
    }
}

fn tag_choices(lang: Lang) -> Vec<Choice> {
    TAGS.iter()
        .map(|t| Choice {
            value: t.to_string(),
            label: i18n::t(lang, &format!("people.tag.{t}")).into(),
        })
        .collect()
}

async fn community_choices(state: &AppState, actor: &Actor) -> Result<Vec<Choice>> {
    Ok(people::communities(&state.db, actor)
        .await?
        .into_iter()
        .map(|(id, name)| Choice {
            value: id.to_string(),
            label: name,
        })
        .collect())
}

#[derive(Deserialize, Default)]
struct ListQuery {
    q: Option<String>,
    community_id: Option<String>,
    tag: Option<String>,
    erased: Option<String>,
    page: Option<u32>,
}

impl ListQuery {
    fn filter(&self) -> ResidentFilter {
        ResidentFilter {
            q: self.q.clone(),
            community_id: self.community_id.as_deref().and_then(|s| s.parse().ok()),
            tag: self.tag.clone().filter(|t| TAGS.contains(&t.as_str())),
            include_erased: self.erased.as_deref() == Some("1"),
        }
    }

    fn pairs(&self) -> [(&'static str, String); 4] {
        [
            ("q", self.q.clone().unwrap_or_default()),
            (
                "community_id",
                self.community_id.clone().unwrap_or_default(),
            ),
            ("tag", self.tag.clone().unwrap_or_default()),
            ("erased", self.erased.clone().unwrap_or_default()),
        ]
    }
}

#[derive(Template)]
#[template(path = "people/list.html")]
struct ListPage {
    shell: Shell,
    rows: Vec<ResidentRow>,
    communities: Vec<Choice>,
    tags: Vec<Choice>,
    form: FormView,
    pager: Pager,
    export_link: String,
    can_write: bool,
    can_import: bool,
    can_export: bool,
}

async fn list(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    lang: Lang,
    uri: Uri,
    Query(q): Query<ListQuery>,
) -> Result<Response> {
    let page = people::list_residents(
        &state.db,
        &actor,
        &q.filter(),
        PageRequest::new(q.page, None),
    )
    .await?;
    let pairs = q.pairs();
    let mut pager = Pager::of(lang, "/people/residents", &pairs, &page);
    if page.capped {
        pager.summary =
            i18n::t(lang, "people.list_capped").replace("{total}", &page.total.to_string());
    }
    let export_link = format!(
        "/people/residents/export.xlsx?{}",
        serde_urlencoded::to_string(
            pairs
                .iter()
                .filter(|(_, v)| !v.is_empty())
                .collect::<Vec<_>>()
        )
        .unwrap_or_default()
    );
    html(&ListPage {
        shell: Shell::new(&actor, lang, "/people/residents", &here(&uri), None),
        rows: page.items.iter().map(|r| row(lang, r)).collect(),
        communities: community_choices(&state, &actor).await?,
        tags: tag_choices(lang),
        form: FormView::with(&pairs),
        pager,
        export_link,
        can_write: actor.can(Permission::PeopleWrite),
        can_import: actor.can(Permission::PeopleImport),
        can_export: actor.can(Permission::PeopleExport),
    })
}

/// The resident list as the user filtered it, masked, as an xlsx download (audited).
async fn export(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    lang: Lang,
    Query(q): Query<ListQuery>,
) -> Result<Response> {
    let table = export_table(&state, &actor, lang, &q.filter()).await?;
    xlsx_download(&table, i18n::t(lang, "people.export_file"))
}

/// Builds the export table and records the export in the audit log.
pub async fn export_table(
    state: &AppState,
    actor: &Actor,
    lang: Lang,
    filter: &ResidentFilter,
) -> Result<Table> {
    let rows = people::export_residents(&state.db, actor, filter).await?;
    let table = people::residents_table(lang, &rows);
    let filter = serde_json::json!({
        "q": filter.q, "community_id": filter.community_id, "tag": filter.tag, "include_erased": filter.include_erased
    });
    people::audit_export(&state.db, actor, "residents", table.rows.len(), filter).await?;
    Ok(table)
}

/// An xlsx attachment response.
pub(crate) fn xlsx_download(table: &Table, name: &str) -> Result<Response> {
    let bytes = spreadsheet::to_xlsx(table)?;
    let encoded =
        percent_encoding::utf8_percent_encode(name, percent_encoding::NON_ALPHANUMERIC).to_string();
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"export.xlsx\"; filename*=UTF-8''{encoded}.xlsx"),
            ),
        ],
        bytes,
    )
        .into_response())
}

#[derive(Template)]
#[template(path = "people/form.html")]
struct FormPage {
    shell: Shell,
    action: String,
    title: String,
    communities: Vec<Choice>,
    tags: Vec<Choice>,
    form: FormView,
    checked_tags: Vec<String>,
}

impl FormPage {
    fn checked(&self, tag: &str) -> bool {
        self.checked_tags.iter().any(|t| t == tag)
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
    title_key: &str,
    form: FormView,
    checked_tags: Vec<String>,
) -> Result<FormPage> {
    actor.require(Permission::PeopleWrite)?;
    Ok(FormPage {
        shell: Shell::new(actor, lang, "/people/residents", &here(uri), None),
        action,
        title: i18n::t(lang, title_key).to_string(),
        communities: community_choices(state, actor).await?,
        tags: tag_choices(lang),
        form,
        checked_tags,
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
            "/people/residents".into(),
            "people.new",
            FormView::default(),
            Vec::new(),
        )
        .await?,
    )
}

/// The resident form as posted; `tags` may repeat.
#[derive(Deserialize, Default)]
struct ResidentForm {
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

fn tags_of_form(raw: &[u8]) -> Vec<String> {
    url_pairs(raw)
        .into_iter()
        .filter(|(k, _)| k == "tags")
        .map(|(_, v)| v)
        .collect()
}

fn url_pairs(raw: &[u8]) -> Vec<(String, String)> {
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

async fn create(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    RawForm(actor, f, raw): RawForm<ResidentForm>,
) -> Result<Response> {
    let tags = tags_of_form(&raw);
    let result = people::create_resident(&state.db, &actor, &f.input(tags.clone())).await;
    saved_or_again(
        result,
        |r| format!("/people/residents/{}?ok=created", r.id),
        |fe| {
            form_page(
                &state,
                &actor,
                lang,
                &uri,
                "/people/residents".into(),
                "people.new",
                f.view().errors(lang, &fe),
                tags,
            )
        },
    )
    .await
}

#[derive(Template)]
#[template(path = "people/show.html")]
struct ShowPage {
    shell: Shell,
    r: ResidentRow,
    community_id: i64,
    household_id: Option<i64>,
    guardian_consent: bool,
    revealed: Option<(String, String)>,
    can_write: bool,
    can_reveal: bool,
    can_erase: bool,
    /// (activity id, when, title, centre, status label)
    enrolments: Vec<(i64, String, String, String, String)>,
    /// Activities attended (or marked), with the resident's rating.
    attended: Vec<AttendedRow>,
}

/// A line of a resident's attendance.
pub struct AttendedRow {
    pub activity_id: i64,
    pub when: String,
    pub title: String,
    pub owner: String,
    pub status: String,
    /// "4 分 · comment", or empty.
    pub rating: String,
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
    let r = people::get_resident(&state.db, actor, id).await?;
    let enrolments = crate::attendance::of_resident(&state.db, actor, id)
        .await?
        .into_iter()
        .map(|e| {
            let when = crate::calendar::minute(e.starts_at);
            (
                e.activity_id,
                when,
                e.title,
                e.owner_name,
                i18n::t(lang, &format!("attendance.{}", e.status)).to_string(),
            )
        })
        .collect();
    let attended = crate::attendance::attendance_of_resident(&state.db, actor, id)
        .await?
        .into_iter()
        .map(|x| AttendedRow {
            activity_id: x.activity_id,
            when: crate::calendar::minute(x.starts_at),
            title: x.title,
            owner: x.owner_name,
            status: i18n::t(lang, &format!("attendance.status.{}", x.status)).to_string(),
            rating: match (x.score, x.comment) {
                (Some(s), c) => {
                    let score = i18n::t(lang, "rating.points").replace("{score}", &s.to_string());
                    c.map_or(score.clone(), |c| format!("{score} · {c}"))
                }
                _ => String::new(),
            },
        })
        .collect();
    Ok(ShowPage {
        enrolments,
        attended,
        shell: Shell::new(actor, lang, "/people/residents", &here(uri), ok),
        r: row(lang, &r),
        community_id: r.community_id,
        household_id: r.household_id,
        guardian_consent: r.guardian_consent,
        revealed: None,
        can_write: actor.can(Permission::PeopleWrite) && !r.erased,
        can_reveal: actor.can(Permission::PeopleReveal) && !r.erased,
        can_erase: actor.can(Permission::PeopleErase) && !r.erased,
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

#[derive(Deserialize)]
struct RevealForm {
    #[serde(default)]
    field: String,
}

/// Shows the page again with one full number (a POST, because the view is recorded).
async fn reveal(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    Id(id): Id,
    Form(actor, f): Form<RevealForm>,
) -> Result<Response> {
    let field = match f.field.as_str() {
        "id_number" => PersonalField::IdNumber,
        _ => PersonalField::Phone,
    };
    let value = people::reveal(&state.db, &actor, id, field).await?;
    let mut page = show_page(&state, &actor, lang, &uri, id, None).await?;
    let label = if field == PersonalField::Phone {
        "people.phone"
    } else {
        "people.id_number"
    };
    page.revealed = Some((i18n::t(lang, label).to_string(), value.unwrap_or_default()));
    html(&page)
}

#[derive(Deserialize)]
struct EraseForm {
    confirm: Option<String>,
}

async fn erase(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    Id(id): Id,
    Form(actor, f): Form<EraseForm>,
) -> Result<Response> {
    if f.confirm.as_deref() != Some("1") {
        let mut page = show_page(&state, &actor, lang, &uri, id, None).await?;
        page.shell.flash = Some(i18n::t(lang, "people.erase_confirm_needed").to_string());
        return html_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    people::erase_resident(&state.db, &actor, id).await?;
    Ok(see_other(&format!("/people/residents/{id}?ok=erased")))
}

async fn edit_form(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    lang: Lang,
    uri: Uri,
    Id(id): Id,
) -> Result<Response> {
    let r = people::get_resident(&state.db, &actor, id).await?;
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
    html(
        &form_page(
            &state,
            &actor,
            lang,
            &uri,
            format!("/people/residents/{id}/edit"),
            "people.edit",
            form,
            r.tags.clone(),
        )
        .await?,
    )
}

async fn update(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    Id(id): Id,
    RawForm(actor, f, raw): RawForm<ResidentForm>,
) -> Result<Response> {
    let tags = tags_of_form(&raw);
    // Empty number fields keep what is stored (the form never shows full numbers).
    let input = f.input(tags.clone());
    let result = people::update_resident(&state.db, &actor, id, &input).await;
    saved_or_again(
        result,
        |_| format!("/people/residents/{id}?ok=saved"),
        |fe| {
            form_page(
                &state,
                &actor,
                lang,
                &uri,
                format!("/people/residents/{id}/edit"),
                "people.edit",
                f.view().errors(lang, &fe),
                tags,
            )
        },
    )
    .await
}

/// A household line.
pub struct HouseholdRow {
    pub id: i64,
    pub name: String,
    pub community: String,
    pub building: String,
    pub members: i64,
}

#[derive(Template)]
#[template(path = "people/households.html")]
struct HouseholdsPage {
    shell: Shell,
    rows: Vec<HouseholdRow>,
    communities: Vec<Choice>,
    form: FormView,
    new_form: FormView,
    pager: Pager,
    can_write: bool,
    can_export: bool,
    export_link: String,
}

#[derive(Deserialize, Default)]
struct HouseholdQuery {
    q: Option<String>,
    community_id: Option<String>,
    page: Option<u32>,
    ok: Option<String>,
}

async fn households_page(
    state: &AppState,
    actor: &Actor,
    lang: Lang,
    uri: &Uri,
    q: &HouseholdQuery,
    new_form: FormView,
) -> Result<HouseholdsPage> {
    let community = q.community_id.as_deref().and_then(|s| s.parse().ok());
    let page = people::list_households(
        &state.db,
        actor,
        community,
        q.q.as_deref(),
        PageRequest::new(q.page, None),
    )
    .await?;
    let pairs = [
        ("q", q.q.clone().unwrap_or_default()),
        ("community_id", q.community_id.clone().unwrap_or_default()),
    ];
    Ok(HouseholdsPage {
        shell: Shell::new(
            actor,
            lang,
            "/people/households",
            &here(uri),
            q.ok.as_deref(),
        ),
        pager: Pager::of(lang, "/people/households", &pairs, &page),
        rows: page
            .items
            .iter()
            .map(|h| HouseholdRow {
                id: h.id,
                name: h.name.clone(),
                community: h.community_name.clone(),
                building: h.building_name.clone().unwrap_or_default(),
                members: h.members,
            })
            .collect(),
        communities: community_choices(state, actor).await?,
        form: FormView::with(&pairs),
        new_form,
        can_write: actor.can(Permission::PeopleWrite),
        can_export: actor.can(Permission::PeopleExport),
        export_link: format!(
            "/people/households/export.xlsx?{}",
            serde_urlencoded::to_string(
                pairs
                    .iter()
                    .filter(|(_, v)| !v.is_empty())
                    .collect::<Vec<_>>()
            )
            .unwrap_or_default()
        ),
    })
}

async fn households(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    lang: Lang,
    uri: Uri,
    Query(q): Query<HouseholdQuery>,
) -> Result<Response> {
    html(&households_page(&state, &actor, lang, &uri, &q, FormView::default()).await?)
}

#[derive(Deserialize)]
struct HouseholdForm {
    #[serde(default)]
    community_id: String,
    #[serde(default)]
    name: String,
    building: Option<String>,
    building_kind: Option<String>,
}

async fn create_household(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    Form(actor, f): Form<HouseholdForm>,
) -> Result<Response> {
    let input = HouseholdInput {
        community_id: f.community_id.trim().parse().unwrap_or(0),
        name: f.name.clone(),
        building: f.building.clone(),
        building_kind: f.building_kind.clone(),
    };
    match people::create_household(&state.db, &actor, &input).await {
        Ok(h) => Ok(see_other(&format!("/people/households/{}", h.id))),
        Err(Error::Invalid(fe)) => {
            let form = FormView::with(&[
                ("community_id", f.community_id),
                ("name", f.name),
                ("building", f.building.unwrap_or_default()),
            ])
            .errors(lang, &fe);
            let page =
                households_page(&state, &actor, lang, &uri, &HouseholdQuery::default(), form)
                    .await?;
            html_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "people/household.html")]
struct HouseholdPage {
    shell: Shell,
    h: HouseholdRow,
    members: Vec<ResidentRow>,
}

async fn household(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    lang: Lang,
    uri: Uri,
    Id(id): Id,
) -> Result<Response> {
    let (h, members) = people::household(&state.db, &actor, id).await?;
    html(&HouseholdPage {
        shell: Shell::new(&actor, lang, "/people/households", &here(&uri), None),
        h: HouseholdRow {
            id: h.id,
            name: h.name,
            community: h.community_name,
            building: h.building_name.unwrap_or_default(),
            members: h.members,
        },
        members: members.iter().map(|r| row(lang, r)).collect(),
    })
}

/// The household list as filtered, as an xlsx download (audited).
async fn export_households(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    lang: Lang,
    Query(q): Query<HouseholdQuery>,
) -> Result<Response> {
    actor.require(Permission::PeopleExport)?;
    let community = q.community_id.as_deref().and_then(|s| s.parse().ok());
    let all = PageRequest {
        page: 1,
        per_page: people::EXPORT_MAX as u32,
    };
    let page = people::list_households(&state.db, &actor, community, q.q.as_deref(), all).await?;
    let t = |k| i18n::t(lang, k).to_string();
    let table = Table {
        sheet_name: t("people.households"),
        headers: vec![
            t("people.household"),
            t("people.community"),
            t("people.building"),
            t("people.members"),
        ],
        rows: page
            .items
            .iter()
            .map(|h| {
                vec![
                    h.name.clone(),
                    h.community_name.clone(),
                    h.building_name.clone().unwrap_or_default(),
                    h.members.to_string(),
                ]
            })
            .collect(),
        text_columns: vec![],
        notes: vec![],
    };
    let filter = serde_json::json!({"q": q.q, "community_id": community});
    people::audit_export(&state.db, &actor, "households", table.rows.len(), filter).await?;
    xlsx_download(&table, i18n::t(lang, "people.households"))
}
