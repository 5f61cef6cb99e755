//! Households: the list, a new household, one household's members, the export.

use super::*;
use crate::paths;

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
pub(super) struct HouseholdsPage {
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
pub(super) struct HouseholdQuery {
    q: Option<String>,
    community_id: Option<String>,
    page: Option<u32>,
}

pub(super) async fn households_page(
    state: &AppState,
    cx: &Ctx,
    q: &HouseholdQuery,
    new_form: FormView,
) -> Result<HouseholdsPage> {
    let (actor, lang) = (&cx.actor, cx.lang);
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
        shell: cx.shell(paths::HOUSEHOLDS),
        pager: Pager::of(lang, paths::HOUSEHOLDS, &pairs, &page),
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
        export_link: paths::link_with(paths::HOUSEHOLDS_EXPORT, &pairs),
    })
}

pub(super) async fn households(cx: Ctx, Query(q): Query<HouseholdQuery>) -> Result<Response> {
    let state = &cx.state;
    html(&households_page(state, &cx, &q, FormView::default()).await?)
}

#[derive(Deserialize)]
pub(super) struct HouseholdForm {
    #[serde(default)]
    community_id: String,
    #[serde(default)]
    name: String,
    building: Option<String>,
    building_kind: Option<String>,
}

pub(super) async fn create_household(
    cx: Ctx,
    Form(actor, f): Form<HouseholdForm>,
) -> Result<Response> {
    let state = &cx.state;
    let lang = cx.lang;
    let input = HouseholdInput {
        community_id: f.community_id.trim().parse().unwrap_or(0),
        name: f.name.clone(),
        building: f.building.clone(),
        building_kind: f.building_kind.clone(),
    };
    match people::create_household(&state.db, &actor, &input).await {
        Ok(h) => Ok(see_other(&paths::household(h.id))),
        Err(Error::Invalid(fe)) => {
            let form = FormView::with(&[
                ("community_id", f.community_id),
                ("name", f.name),
                ("building", f.building.unwrap_or_default()),
            ])
            .errors(lang, &fe);
            let page = households_page(state, &cx, &HouseholdQuery::default(), form).await?;
            html_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "people/household.html")]
pub(super) struct HouseholdPage {
    shell: Shell,
    h: HouseholdRow,
    members: Vec<ResidentRow>,
}

pub(super) async fn household(cx: Ctx, Id(id): Id) -> Result<Response> {
    let state = &cx.state;
    let (actor, lang) = (&cx.actor, cx.lang);
    let (h, members) = people::household(&state.db, actor, id).await?;
    html(&HouseholdPage {
        shell: cx.shell(paths::HOUSEHOLDS),
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
pub(super) async fn export_households(
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
        number_columns: Vec::new(),
        charts: Vec::new(),
        notes: vec![],
    };
    let filter = serde_json::json!({"q": q.q, "community_id": community});
    people::audit_export(&state.db, &actor, "households", table.rows.len(), filter).await?;
    crate::web::download::xlsx(&table, i18n::t(lang, "people.households"))
}
