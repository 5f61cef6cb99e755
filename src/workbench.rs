//! The workbench (工作台): what each person has to do this morning, computed from the data, and the
//! few figures their role watches. The town office sees the plans waiting for its review and the
//! centres below two activities this month; a lead department its returned plans and drafts; a
//! centre head the held activities still waiting for their photos; whoever imports, the batches
//! waiting for confirmation. Each to-do has a count and a link to the list behind it; the menu
//! shows the same counts as badges ([`badges`]). Nothing here is stored: it is asked of the
//! concepts.

use serde::Serialize;

use crate::access::{Actor, Permission};
use crate::activities::{self, ActivityFilter, Status, rules::NOTICE_DAYS};
use crate::calendar::{Day, Month};
use crate::db::Db;
use crate::error::Result;
use crate::imports;
use crate::paths;

/// One thing to do: what (an i18n key), how many, and where to do it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Todo {
    /// `reviews_waiting`, `returned`, `drafts`, `late_unless_today`, `undocumented`,
    /// `centres_below`, `imports_pending`, `schedule_overdue`, `nominations_waiting`,
    /// `rectifications_waiting`.
    pub kind: &'static str,
    pub count: i64,
    pub href: String,
    /// Due today (a plan that is late tomorrow, a month about to end).
    pub urgent: bool,
}

/// A figure the role watches.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Figure {
    /// `month_activities`, `year_held`, `centres_below`, `days_left`.
    pub kind: &'static str,
    pub value: i64,
    pub href: String,
}

/// A person's workbench: to-dos with something to do first, then the figures.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Workbench {
    pub todos: Vec<Todo>,
    pub figures: Vec<Figure>,
}

/// The list link of a to-do on the activity list: the same own-work filter as the count.
fn list_href(status: Status) -> String {
    let query = [
        ("status", status.as_str().to_string()),
        ("mine", "1".into()),
    ];
    paths::link_with(paths::ACTIVITIES, &query)
}

/// The activity to-dos of the actor (plans and records), counted in one pass.
async fn activity_todos(db: &Db, actor: &Actor, today: Day) -> Result<Vec<Todo>> {
    let mut out = Vec::new();
    if !actor.can(Permission::ActivitiesRead) {
        return Ok(out);
    }
    // Submitted tomorrow, a plan for this day would come less than 15 days ahead.
    let deadline = today.plus_days(NOTICE_DAYS);
    let counts = activities::to_do_counts(db, actor, today, deadline).await?;
    let todo = |kind, count, status| Todo {
        kind,
        count,
        href: list_href(status),
        urgent: false,
    };
    if actor.can(Permission::ActivitiesReview) {
        out.push(todo("reviews_waiting", counts.submitted, Status::Submitted));
    }
    if actor.can(Permission::ActivitiesPlan) {
        out.push(todo("returned", counts.returned, Status::Returned));
        out.push(todo("drafts", counts.drafts, Status::Draft));
        out.push(Todo {
            kind: "late_unless_today",
            count: counts.late,
            href: format!(
                "{}&month={}",
                list_href(Status::Draft),
                month_param(deadline)
            ),
            urgent: true,
        });
    }
    if actor.can(Permission::ActivitiesAttend) && actor.can(Permission::ActivitiesPlan) {
        out.push(todo("undocumented", counts.undocumented, Status::Held));
    }
    Ok(out)
}

fn month_param(d: Day) -> String {
    let m = d.month();
    format!("{}-{:02}", m.year, m.month)
}

/// Everything the actor has to do, and the figures the role watches.
pub async fn workbench(db: &Db, actor: &Actor) -> Result<Workbench> {
    let today = Day::today();
    let mut todos = activity_todos(db, actor, today).await?;
    let mut figures = Vec::new();
    if actor.can(Permission::ActivitiesRead) && actor.can(Permission::OrgRead) {
        let month = today.month();
        let grid = activities::month_grid(db, actor, month.year).await?;
        let below = grid
            .rows
            .iter()
            .filter(|r| r.below.contains(&month.month))
            .count() as i64;
        if !grid.rows.is_empty() {
            todos.push(Todo {
                kind: "centres_below",
                count: below,
                href: paths::link_with(paths::GRID, &[("year", month.year.to_string())]),
                urgent: month.days_left_after(today).is_some_and(|d| d <= 7),
            });
        }
        let this_month: i64 = grid
            .rows
            .iter()
            .map(|r| r.counts[month.month as usize - 1])
            .sum();
        figures.push(Figure {
            kind: "month_activities",
            value: this_month,
            href: paths::link_with(paths::ACTIVITIES, &[("month", month_param(today))]),
        });
        figures.push(Figure {
            kind: "days_left",
            value: month.days_left_after(today).unwrap_or(0),
            href: paths::link_with(paths::GRID, &[("year", month.year.to_string())]),
        });
        figures.push(Figure {
            kind: "year_held",
            value: year_held(db, actor, month).await?,
            href: paths::link_with(paths::ACTIVITIES, &[("status", "documented".into())]),
        });
    }
    if let Some(overdue) = schedule_overdue(db, actor, today).await? {
        todos.push(Todo {
            kind: "schedule_overdue",
            count: overdue,
            href: paths::link_with(paths::SCHEDULE, &[("year", today.year().to_string())]),
            urgent: false,
        });
    }
    if actor.can(Permission::AwardsManage)
        || actor.can(Permission::AwardsApprove)
        || actor.can(Permission::AwardsNominate)
    {
        let (count, round) = crate::commendation::waiting(db, actor).await?;
        todos.push(Todo {
            kind: "nominations_waiting",
            count,
            href: round.map_or_else(|| paths::AWARDS.to_string(), paths::award_round),
            urgent: false,
        });
    }
    if actor.can(Permission::InspectionsAnswer) || actor.can(Permission::InspectionsManage) {
        // A centre head's findings to put right; the office's answers to check and close.
        let waiting_for = if actor.can(Permission::InspectionsManage) {
            crate::inspections::RectificationStatus::Answered
        } else {
            crate::inspections::RectificationStatus::Open
        };
        let mine: Vec<_> = crate::inspections::open_rectifications(db, actor)
            .await?
            .into_iter()
            .filter(|r| r.status == waiting_for)
            .collect();
        todos.push(Todo {
            kind: "rectifications_waiting",
            count: mine.len() as i64,
            href: match mine.as_slice() {
                [one] => paths::inspection(one.inspection_id),
                _ => paths::INSPECTIONS.into(),
            },
            urgent: mine.iter().any(|r| r.overdue),
        });
    }
    if actor.can(Permission::PeopleImport) {
        let pending = imports::pending(db, actor).await?;
        todos.push(Todo {
            kind: "imports_pending",
            count: pending.len() as i64,
            href: match pending.as_slice() {
                [one] => paths::import(one.id),
                _ => paths::IMPORTS.into(),
            },
            urgent: false,
        });
    }
    Ok(Workbench { todos, figures })
}

/// Activities held so far this year in the actor's scope (held, documented or archived).
async fn year_held(db: &Db, actor: &Actor, month: Month) -> Result<i64> {
    let mut n = 0;
    for status in [Status::Held, Status::Documented, Status::Archived] {
        n += activities::count(
            db,
            actor,
            &ActivityFilter {
                status: Some(status.as_str().into()),
                from: Some(crate::calendar::Year(month.year).first_month().first_day()),
                ..Default::default()
            },
        )
        .await?;
    }
    Ok(n)
}

/// The rows of this year's schedule that are overdue and the actor's to carry out: the whole
/// town's for its office, a unit's own for a centre or department; none for those who only read.
async fn schedule_overdue(db: &Db, actor: &Actor, today: Day) -> Result<Option<i64>> {
    if !actor.can(Permission::ScheduleMark) {
        return Ok(None);
    }
    match crate::schedule::year(db, actor, None, today.year()).await {
        Ok(t) => Ok(Some(
            t.rows
                .iter()
                .filter(|r| {
                    r.status == crate::schedule::Status::Overdue
                        && crate::schedule::may_mark(actor, r)
                })
                .count() as i64,
        )),
        Err(crate::error::Error::NotFound) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The to-do counts the menu shows as badges, by menu entry: the activity list gets the actor's
/// activity to-dos, the import page the batches waiting. Cheap enough for every page.
pub async fn badges(db: &Db, actor: &Actor) -> Result<Vec<(&'static str, i64)>> {
    let today = Day::today();
    // "Late unless today" plans are drafts or returned ones already counted.
    let activity: i64 = activity_todos(db, actor, today)
        .await?
        .iter()
        .filter(|t| t.kind != "late_unless_today")
        .map(|t| t.count)
        .sum();
    let imports = if actor.can(Permission::PeopleImport) {
        imports::pending(db, actor).await?.len() as i64
    } else {
        0
    };
    Ok(vec![
        (paths::WORKBENCH, activity + imports),
        (paths::ACTIVITIES, activity),
    ])
}
