//! The monthly report (月报) of a centre or a town — what a town used to fill in by hand and send
//! upward each month: the activities held by theme and format, attendance and distinct
//! participants, the residents newly registered, the ratings, the KPIs of the year so far, and the
//! schedule's rows due in the month with those done; a town's centres side by side.

use chrono::NaiveDate;
use serde::Serialize;

use super::{check_period, optional};
use crate::access::Actor;
use crate::activities;
use crate::attendance::{self, SpanFigures};
use crate::calendar::Month;
use crate::db::Db;
use crate::error::{Error, Result};
use crate::org::{self, Kind};
use crate::people;
use crate::schedule::{self, Status as RowStatus};
use crate::targets::{self, Scorecard};

/// Activities held under one theme in one format.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct HeldLine {
    pub theme: String,
    /// The format's name, or empty when the plan named none.
    pub format: String,
    pub activities: i64,
}

/// One centre's month, side by side with the town's other centres.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct CentreMonth {
    pub node_id: i64,
    pub name: String,
    pub held: i64,
    pub figures: SpanFigures,
    /// Fewer than the plan's 2 activities this month.
    pub below: bool,
}

/// A row of the annual schedule due in the month.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct DueRow {
    pub months: String,
    pub item: String,
    pub units: String,
    pub status: RowStatus,
}

/// A place's month.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct MonthlyReport {
    pub node_id: i64,
    pub name: String,
    pub kind: Kind,
    pub year: i32,
    pub month: u32,
    /// The month's first and last day.
    pub from: NaiveDate,
    pub until: NaiveDate,
    pub held: Vec<HeldLine>,
    pub held_total: i64,
    pub figures: SpanFigures,
    /// Residents registered one by one in the month (the form, a walk-in at a check-in).
    pub new_residents: i64,
    /// Residents who came in with a register imported in the month (a town adopting cedu brings
    /// its whole register at once): shown apart, never as newly registered.
    pub imported_residents: i64,
    /// A town's centres (empty for a centre's own report).
    pub centres: Vec<CentreMonth>,
    /// The KPIs of the year so far.
    pub kpis: Scorecard,
    /// The schedule's rows whose months include this one (the rows the reader may read).
    pub schedule: Vec<DueRow>,
    pub schedule_done: usize,
}

impl MonthlyReport {
    /// Nothing recorded this month: the report is shown empty, not refused.
    pub fn is_empty(&self) -> bool {
        self.held_total == 0
            && self.figures.attendances == 0
            && self.new_residents == 0
            && self.imported_residents == 0
    }
}

/// The monthly report of a place (a centre is read as its community) inside the reader's scope.
pub async fn monthly(
    db: &Db,
    actor: &Actor,
    node_id: Option<i64>,
    year: i32,
    month: u32,
) -> Result<MonthlyReport> {
    check_period(year, Some(month))?;
    let m = Month::new(year, month).ok_or(Error::NotFound)?;
    let (shown, figures) = targets::place_of(db, actor, node_id).await?;
    let (from, until) = (m.start(), m.end());
    let under = figures.path.as_str();
    let held: Vec<HeldLine> = activities::held_by_theme_and_format(db, under, from, until)
        .await?
        .into_iter()
        .map(|(theme, format, activities)| HeldLine {
            theme,
            format,
            activities,
        })
        .collect();
    let mut centres = Vec::new();
    if figures.kind() == Kind::Town {
        for c in org::nodes_under(db, under, &[Kind::Centre]).await? {
            if c.retired_at.is_some() {
                continue;
            }
            let place = org::rules::parent_path(&c.path);
            let held = activities::held_count(db, &place, from, until).await?;
            centres.push(CentreMonth {
                node_id: c.id,
                name: c.name,
                held,
                figures: attendance::span_figures(db, &place, from, until).await?,
                below: held < 2 && c.setup_date.is_none_or(|d| d <= m.last_day().0),
            });
        }
    }
    let kpis = targets::scorecard(db, actor, Some(shown.id), year).await?;
    let (schedule, schedule_done) = due_rows(db, actor, &figures.path, m).await?;
    let (new_residents, imported_residents) =
        people::registered_between(db, under, from, until).await?;
    Ok(MonthlyReport {
        node_id: shown.id,
        name: shown.name.clone(),
        kind: shown.kind(),
        year,
        month,
        from: m.first_day().0,
        until: m.last_day().0,
        held_total: held.iter().map(|h| h.activities).sum(),
        held,
        figures: attendance::span_figures(db, under, from, until).await?,
        new_residents,
        imported_residents,
        centres,
        kpis,
        schedule,
        schedule_done,
    })
}

/// The schedule's rows of the place's town whose months include `m`, as the schedule shows them to
/// the reader (a centre head: the rows naming the centre); none when the reader reads no schedule.
async fn due_rows(db: &Db, actor: &Actor, path: &str, m: Month) -> Result<(Vec<DueRow>, usize)> {
    let Some(town_id) = org::rules::ancestor_id(path, org::rules::TOWN_LEVEL) else {
        return Ok((Vec::new(), 0));
    };
    let Some(table) = optional(schedule::year(db, actor, Some(town_id), m.year).await)? else {
        return Ok((Vec::new(), 0));
    };
    let rows: Vec<DueRow> = table
        .rows
        .iter()
        .filter(|r| r.first_month <= m.month && m.month <= r.last_month)
        .map(|r| DueRow {
            months: r.months.clone(),
            item: r.item.clone(),
            units: r.units_text(),
            status: r.status,
        })
        .collect();
    let done = rows.iter().filter(|r| r.status == RowStatus::Done).count();
    Ok((rows, done))
}
