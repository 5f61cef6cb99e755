//! Pages of the teacher pool: the list across both levels, a teacher's page with trainings and
//! service hours, the teacher form, retiring from and returning to the pool, and volunteers' yearly
//! hours.

mod form;
mod list;
mod show;
mod volunteers;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use super::Ctx;
use super::{html, html_status, saved_or_again, see_other};
use crate::access::Permission as P;
use crate::access::{Actor, Permission};
use crate::catalogue;
use crate::error::{Error, Result};
use crate::i18n::{self, Lang};
use crate::page::PageRequest;
use crate::paths;
use crate::teachers::{self, SOURCES, TYPES, Teacher, TeacherFilter, TeacherInput, TimeEntry};
use crate::web::AppState;
use crate::web::extract::{Form, Id, Query, RawForm};
use crate::web::routes::{Object, Routes, Rule};
use crate::web::views::{Choice, FormView, Pager, Shell, Ticked};

use form::*;
use list::*;
use show::*;
use volunteers::*;

pub(super) fn router() -> Routes {
    let teacher = |p| Rule::needs(p).on(Object::Teacher);
    Routes::new()
        .get(paths::TEACHERS, Rule::needs(P::TeachersRead), list)
        .post(paths::TEACHERS, Rule::needs(P::TeachersWrite), create)
        .get(paths::TEACHERS_EXPORT, Rule::needs(P::PeopleExport), export)
        .get(paths::TEACHER_NEW, Rule::needs(P::TeachersWrite), new_form)
        .get(paths::VOLUNTEERS, Rule::needs(P::TeachersRead), volunteers)
        .get(paths::TEACHER, teacher(P::TeachersRead), show)
        .get(paths::TEACHER_EDIT, teacher(P::TeachersWrite), edit_form)
        .post(paths::TEACHER_EDIT, teacher(P::TeachersWrite), update)
        .post(paths::TEACHER_RETIRE, teacher(P::TeachersWrite), retire)
        .post(
            paths::TEACHER_REINSTATE,
            teacher(P::TeachersWrite),
            reinstate,
        )
        .post(
            paths::TEACHER_TRAININGS,
            teacher(P::TeachersWrite),
            add_training,
        )
        .post(
            paths::TEACHER_SERVICE,
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
        retired: t.status == crate::teachers::TeacherStatus::Retired,
        retired_note: match (&t.retired_on, &t.retired_reason) {
            (Some(d), Some(r)) => format!("{d} {r}"),
            _ => String::new(),
        },
        training_hours: hours(t.training_minutes),
    }
}

fn codes(lang: Lang, list: &[&str]) -> Vec<Choice> {
    list.iter().map(|c| Choice::new(c, code(lang, c))).collect()
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
        .map(Choice::from)
        .collect())
}
