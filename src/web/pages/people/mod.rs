//! Pages of residents and households: the searchable list with export, a resident's page with
//! masked numbers (revealed on request), the resident form, erasure, and households.

mod form;
mod households;
mod list;
mod show;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use super::Ctx;
use super::{html, html_status, saved_or_again, see_other};
use crate::access::Permission as P;
use crate::access::{Actor, Permission};
use crate::error::{Error, Result};
use crate::i18n::{self, Lang};
use crate::page::PageRequest;
use crate::paths;
use crate::people::{
    self, HouseholdInput, PersonalField, Resident, ResidentFilter, ResidentInput, TAGS,
};
use crate::spreadsheet::Table;
use crate::web::AppState;
use crate::web::extract::{CurrentActor, Form, Id, Query, RawForm};
use crate::web::routes::{Object, Routes, Rule};
use crate::web::views::{Choice, FormView, Pager, Shell, Ticked};

use form::*;
use households::*;
use list::*;
use show::*;

pub(super) fn router() -> Routes {
    let resident = |p| Rule::needs(p).on(Object::Resident);
    Routes::new()
        .get(paths::RESIDENTS, Rule::needs(P::PeopleRead), list)
        .post(paths::RESIDENTS, Rule::needs(P::PeopleWrite), create)
        .get(
            paths::RESIDENTS_EXPORT,
            Rule::needs(P::PeopleExport),
            export,
        )
        .get(paths::RESIDENT_NEW, Rule::needs(P::PeopleWrite), new_form)
        .get(paths::RESIDENT, resident(P::PeopleRead), show)
        .get(paths::RESIDENT_EDIT, resident(P::PeopleWrite), edit_form)
        .post(paths::RESIDENT_EDIT, resident(P::PeopleWrite), update)
        .post(paths::RESIDENT_REVEAL, resident(P::PeopleReveal), reveal)
        .post(paths::RESIDENT_ERASE, resident(P::PeopleErase), erase)
        .get(paths::HOUSEHOLDS, Rule::needs(P::PeopleRead), households)
        .post(
            paths::HOUSEHOLDS,
            Rule::needs(P::PeopleWrite),
            create_household,
        )
        .get(
            paths::HOUSEHOLDS_EXPORT,
            Rule::needs(P::PeopleExport),
            export_households,
        )
        .get(
            paths::HOUSEHOLD,
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
        .map(|t| Choice::new(t, i18n::t(lang, &format!("people.tag.{t}"))))
        .collect()
}

async fn community_choices(state: &AppState, actor: &Actor) -> Result<Vec<Choice>> {
    Ok(people::communities(&state.db, actor)
        .await?
        .into_iter()
        .map(|(id, name)| Choice::new(id, name))
        .collect())
}
