//! Pages of activities: the list, the plan form (one-off or a series), an activity's page with the
//! review actions its state and the user's role allow, and the month × centre grid.

mod calendar;
mod form;
mod grid;
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
use crate::paths;
use crate::teachers::{self, TeacherFilter};
use crate::web::AppState;
use crate::web::extract::{Form, Id, Query, RawForm};
use crate::web::routes::{Object, Routes, Rule};
use crate::web::views::{Choice, FormView, Pager, Shell, Ticked};

use calendar::*;
use form::*;
use grid::*;
use list::*;
use show::*;

pub(super) fn router() -> Routes {
    let activity = |p| Rule::needs(p).on(Object::Activity);
    Routes::new()
        .get(paths::ACTIVITIES, Rule::needs(P::ActivitiesRead), list)
        .post(paths::ACTIVITIES, Rule::needs(P::ActivitiesPlan), create)
        .get(
            paths::ACTIVITY_NEW,
            Rule::needs(P::ActivitiesPlan),
            new_form,
        )
        // Recording a held activity afterwards also takes its attendance.
        .get(
            paths::HELD_NEW,
            Rule::both(P::ActivitiesPlan, P::ActivitiesAttend),
            held_form,
        )
        .post(
            paths::HELD,
            Rule::both(P::ActivitiesPlan, P::ActivitiesAttend),
            create_held,
        )
        // The grid and the calendar list the centres of the scope: they read the tree too.
        .get(paths::GRID, Rule::both(P::ActivitiesRead, P::OrgRead), grid)
        .get(
            paths::GRID_XLSX,
            Rule::both(P::ActivitiesRead, P::OrgRead),
            grid_xlsx,
        )
        .get(
            paths::GRID_CSV,
            Rule::both(P::ActivitiesRead, P::OrgRead),
            grid_csv,
        )
        .get(
            paths::CALENDAR,
            Rule::both(P::ActivitiesRead, P::OrgRead),
            calendar,
        )
        .get(paths::ACTIVITY, activity(P::ActivitiesRead), show)
        .get(paths::ACTIVITY_EDIT, activity(P::ActivitiesPlan), edit_form)
        .post(paths::ACTIVITY_EDIT, activity(P::ActivitiesPlan), update)
        .post(
            paths::ACTIVITY_TRANSITION,
            Rule::either(P::ActivitiesPlan, P::ActivitiesReview).on(Object::Activity),
            transition,
        )
        .post(paths::ACTIVITY_ENROL, activity(P::PeopleWrite), enrol)
        .post(
            paths::ENROLMENT_CANCEL,
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
    /// Recorded afterwards (补录).
    pub afterwards: bool,
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
        afterwards: a.recorded_afterwards,
    }
}

fn status_choices(lang: Lang) -> Vec<Choice> {
    Status::ALL
        .iter()
        .map(|s| Choice::new(s, i18n::t(lang, &format!("activities.status.{s}"))))
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
        .map(Choice::from)
        .collect())
}
