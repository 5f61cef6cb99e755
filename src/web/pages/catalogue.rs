//! The catalogue page: a district's themes (with their lead departments), teaching formats and
//! target groups, each editable in place; retired entries stay listed so they can be reinstated.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use super::Ctx;
use super::{html, html_status, see_other};
use crate::access::Permission as P;
use crate::access::Permission;
use crate::catalogue::{self, Catalogue, Dictionary, DictionaryEntry, EntryInput, ThemeInput};
use crate::error::{Error, Result};
use crate::i18n::{self};
use crate::paths;
use crate::web::AppState;
use crate::web::extract::{Form, Id};
use crate::web::routes::{Object, Routes, Rule};
use crate::web::views::Shell;

pub(super) fn router() -> Routes {
    let manage = Rule::needs(P::CatalogueManage);
    Routes::new()
        .get(paths::CATALOGUE, Rule::needs(P::ActivitiesRead), show)
        .post(paths::THEMES, manage, add_theme)
        .post(paths::THEME, manage.on(Object::Theme), edit_theme)
        .post(paths::ENTRIES, manage, add_entry)
        .post(paths::ENTRY, manage.on(Object::Entry), edit_entry)
}

#[derive(Template)]
#[template(path = "catalogue.html")]
struct CataloguePage {
    shell: Shell,
    c: Catalogue,
    /// (URL name, title key, entries) of the formats and target groups.
    dictionaries: Vec<(&'static str, &'static str, Vec<DictionaryEntry>)>,
    can_edit: bool,
    error: Option<String>,
}

async fn page(state: &AppState, cx: &Ctx) -> Result<CataloguePage> {
    let actor = &cx.actor;
    let c = catalogue::catalogue(&state.db, actor).await?;
    Ok(CataloguePage {
        shell: cx.shell(paths::CATALOGUE),
        dictionaries: vec![
            ("formats", "catalogue.formats", c.formats.clone()),
            (
                "target_groups",
                "catalogue.target_groups",
                c.target_groups.clone(),
            ),
        ],
        c,
        can_edit: actor.can(Permission::CatalogueManage),
        error: None,
    })
}

async fn show(State(state): State<AppState>, cx: Ctx) -> Result<Response> {
    html(&page(&state, &cx).await?)
}

/// Back to the page when saved; the page with the reason beside the lists when not.
async fn saved<T>(state: &AppState, cx: &Ctx, r: Result<T>) -> Result<Response> {
    let lang = cx.lang;
    let m = match r {
        Ok(_) => return Ok(see_other(&paths::flashed(paths::CATALOGUE, "saved"))),
        Err(Error::Invalid(fe)) => fe.0.first().map(|(_, m)| m.clone()),
        Err(Error::Conflict(m)) => Some(m),
        Err(e) => return Err(e),
    };
    let mut p = page(state, cx).await?;
    p.error = m.map(|m| i18n::render(lang, &m));
    html_status(StatusCode::UNPROCESSABLE_ENTITY, &p)
}

#[derive(Deserialize)]
struct ThemeFields {
    #[serde(default)]
    name: String,
    lead_departments: Option<String>,
    description: Option<String>,
    /// A checkbox: present when ticked.
    active: Option<String>,
}

impl ThemeFields {
    fn input(self, new: bool) -> ThemeInput {
        ThemeInput {
            name: self.name,
            lead_departments: self.lead_departments,
            description: self.description,
            active: new || self.active.is_some(),
        }
    }
}

async fn add_theme(cx: Ctx, Form(actor, f): Form<ThemeFields>) -> Result<Response> {
    let state = &cx.state;
    let r = catalogue::create_theme(&state.db, &actor, &f.input(true)).await;
    saved(state, &cx, r).await
}

async fn edit_theme(cx: Ctx, Id(id): Id, Form(actor, f): Form<ThemeFields>) -> Result<Response> {
    let state = &cx.state;
    let r = catalogue::update_theme(&state.db, &actor, id, &f.input(false)).await;
    saved(state, &cx, r).await
}

#[derive(Deserialize)]
struct EntryFields {
    #[serde(default)]
    name: String,
    active: Option<String>,
}

async fn add_entry(
    cx: Ctx,
    axum::extract::Path(kind): axum::extract::Path<String>,
    Form(actor, f): Form<EntryFields>,
) -> Result<Response> {
    let state = &cx.state;
    let d = Dictionary::parse(&kind).ok_or(Error::NotFound)?;
    let input = EntryInput {
        name: f.name,
        active: true,
    };
    let r = catalogue::add_entry(&state.db, &actor, d, &input).await;
    saved(state, &cx, r).await
}

async fn edit_entry(
    cx: Ctx,
    axum::extract::Path((kind, id)): axum::extract::Path<(String, String)>,
    Form(actor, f): Form<EntryFields>,
) -> Result<Response> {
    let state = &cx.state;
    let d = Dictionary::parse(&kind).ok_or(Error::NotFound)?;
    let id: i64 = id.parse().map_err(|_| Error::NotFound)?;
    let input = EntryInput {
        name: f.name,
        active: f.active.is_some(),
    };
    let r = catalogue::update_entry(&state.db, &actor, d, id, &input).await;
    saved(state, &cx, r).await
}
