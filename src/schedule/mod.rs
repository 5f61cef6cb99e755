//! The annual schedule (年度工作配档表, SPEC.md "The annual schedule"; Qiling's attachment): per
//! town and year, rows of months ("1-2月", "全年"), a work item and the units responsible for it
//! (a node of the tree, or a unit outside it by name), each row planned, under way, done or
//! overdue. Invariants: a row's months lie in its year; it names at least one unit; it is done
//! once its unit marked it with a note and evidence, or once an activity that carried it out (one
//! linked to it, or for a special-event row one of its kind held in its months) is documented; a
//! row not done whose months are past is overdue. The office (`schedule:manage`) writes the
//! year; whoever reads the whole schedule (`schedule:read`) sees the towns of the scope; a unit
//! (`schedule:mark`) sees and marks the rows that name it. [`sees`] and [`may_mark`] decide it,
//! for pages, API and use-cases alike.

pub mod import;
pub mod printed;
pub mod rows;
pub mod rules;
pub mod sheet;
mod store;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::access::{Actor, Permission};
use crate::attachments::Attachment;
use crate::calendar::Months;

pub use import::ScheduleImport;
pub use printed::*;
pub use rows::*;
pub use rules::{Line, Status, read_line, status, year_in_title};
pub use sheet::{Printed, read_printed};

/// The subject type of a row in the audit log and of its evidence files.
pub const SUBJECT: &str = "schedule_row";

/// A unit responsible for a row: a node of the town's tree, or a unit outside it by name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Unit {
    /// The node, when the unit is one of the tree.
    pub node_id: Option<i64>,
    /// The name as printed.
    pub name: String,
}

/// An activity that carried a row out.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Carried {
    pub activity_id: i64,
    pub title: String,
    pub starts_at: DateTime<Utc>,
    /// The activity's status (`documented` makes the row done).
    pub status: String,
    /// Linked by its special-event kind rather than by hand.
    pub by_kind: bool,
}

impl Carried {
    /// True when the activity is documented (or archived after it).
    pub fn documented(&self) -> bool {
        matches!(self.status.as_str(), "documented" | "archived")
    }
}

/// A row of the schedule.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Row {
    pub id: i64,
    pub town_id: i64,
    #[serde(skip)]
    pub town_path: String,
    pub year: i32,
    pub first_month: u32,
    pub last_month: u32,
    /// The months as printed: "1-2月", "3月", "全年".
    pub months: String,
    pub item: String,
    /// A special event whose documented activities in the row's months carry it out.
    pub special_event: Option<String>,
    pub units: Vec<Unit>,
    pub status: Status,
    pub done_at: Option<DateTime<Utc>>,
    pub done_by: Option<String>,
    pub done_note: Option<String>,
    /// The activities that carried it out.
    pub carried: Vec<Carried>,
    /// The evidence its unit attached (filled when one row is read).
    pub evidence: Vec<Attachment>,
    /// Increases with each change: an edit names the version it was made on.
    pub version: i64,
}

impl Row {
    /// The row's months.
    pub fn months_of(&self) -> Months {
        Months {
            year: self.year,
            first: self.first_month,
            last: self.last_month,
        }
    }

    /// The units as printed, joined by 、.
    pub fn units_text(&self) -> String {
        self.units
            .iter()
            .map(|u| u.name.as_str())
            .collect::<Vec<_>>()
            .join("、")
    }
}

/// True when the actor names one of the row's units (its own node).
pub fn is_unit_of(actor: &Actor, row: &Row) -> bool {
    row.units.iter().any(|u| u.node_id == Some(actor.node_id))
}

/// Whether the actor sees a row: the whole schedule of the towns in scope, or the rows naming the
/// actor's own unit.
pub fn sees(actor: &Actor, row: &Row) -> bool {
    (actor.can(Permission::ScheduleRead) && actor.sees(&row.town_path))
        || (actor.can(Permission::ScheduleMark) && is_unit_of(actor, row))
}

/// Whether the actor may mark a row done (or reopen it, link an activity, attach evidence): the
/// town's office for any row, a unit for its own rows.
pub fn may_mark(actor: &Actor, row: &Row) -> bool {
    (actor.can(Permission::ScheduleManage) && actor.sees(&row.town_path))
        || (actor.can(Permission::ScheduleMark) && is_unit_of(actor, row))
}

/// How the audit log names a row: by its work item; its evidence by the file name.
pub const AUDIT_NAMES: &[crate::audit::view::Namer] = &[
    crate::audit::view::Namer::plain(SUBJECT, "schedule_rows", "item"),
    crate::audit::view::Namer::plain("attachment", "attachments", "file_name"),
];
