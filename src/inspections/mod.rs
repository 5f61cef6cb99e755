//! Inspections and the year-end assessment (督查考核, 年终考核; Q五(三): "通过定期、不定期的督查,对
//! 各社区教育学习中心的活动开展情况、资料收集整理情况进行检查评分,并将检查结果纳入年终考核"; L's provincial
//! evaluation standard). Scoring templates of items with maximum points, guidance and the data each
//! rests on; inspections of a centre, scheduled or unannounced (recorded on the day), scored item
//! by item with a note and photos beside what the data says for the period; findings become
//! rectifications the centre head answers with evidence and the inspector closes or reopens; the
//! assessment ranks a town's centres of a year by the office's weights and is frozen once the
//! leadership group approves it.
//! Invariants: a centre head sees the own centre's inspections and answers its rectifications;
//! every item of the template is scored, 0 to its maximum; an inspection is scored once; a
//! rectification moves by the workflow's table with a compare-and-set; an approved assessment
//! never changes.

mod assessment;
mod rectify;
pub mod rules;
mod store;
mod templates;
mod visits;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// May the actor inspect, keep the templates and set the assessment? The office; pages show
/// their forms on this answer and the use-cases require the same permission (the records they
/// reach are read inside the actor's scope).
pub fn may_manage(actor: &crate::access::Actor) -> bool {
    actor.can(crate::access::Permission::InspectionsManage)
}

pub use assessment::*;
pub use rectify::*;
pub use rules::{
    InspectionKind, InspectionStatus, Measure, Parts, RectificationStatus, RectifyStep, Rectifying,
    Weights,
};
pub use templates::*;
pub use visits::*;

use crate::attachments::Attachment;

/// The subject type of an inspection in the audit log.
pub const INSPECTION: &str = "inspection";
/// The subject type of an item's score (its photos are attachments of it).
pub const SCORE: &str = "inspection_score";
/// The subject type of a rectification (its evidence is attached to it).
pub const RECTIFICATION: &str = "rectification";
/// The subject type of a year's assessment.
pub const ASSESSMENT: &str = "assessment";
/// The subject type of a scoring template.
pub const TEMPLATE: &str = "inspection_template";

/// An item of a scoring template.
#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct TemplateItem {
    pub id: i64,
    pub title: String,
    pub max_points: i64,
    pub guidance: Option<String>,
    /// The data shown beside it.
    pub measure: Option<Measure>,
}

/// A scoring template.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Template {
    pub id: i64,
    pub owner_id: i64,
    pub name: String,
    pub basis: String,
    pub items: Vec<TemplateItem>,
}

impl Template {
    /// The most points an inspection by it gives.
    pub fn max_points(&self) -> i64 {
        self.items.iter().map(|i| i.max_points).sum()
    }
}

/// A figure of the record and what it is measured against.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct RecordFigure {
    pub value: i64,
    pub of: i64,
}

/// An item as scored, beside what the data said.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ScoredItem {
    pub item: TemplateItem,
    /// The score's id (its photos are attached to it), once scored.
    pub score_id: Option<i64>,
    pub points: Option<i64>,
    pub note: Option<String>,
    /// What the record says for the period, by the item's measure: activities held of 2 a month;
    /// documented, with a sign-in sheet, with photos of those held; equipment gaps of the lines
    /// of its standard; distinct participants of the attendances.
    pub data: Option<RecordFigure>,
    pub photos: Vec<Attachment>,
}

/// A finding and its rectification.
#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Rectification {
    pub id: i64,
    pub inspection_id: i64,
    #[serde(skip)]
    pub node_path: String,
    pub node_name: String,
    pub finding: String,
    pub due_on: NaiveDate,
    pub status: RectificationStatus,
    pub answer: Option<String>,
    pub answered_at: Option<DateTime<Utc>>,
    pub reopen_reason: Option<String>,
    pub closed_at: Option<DateTime<Utc>>,
    /// Still open after its deadline.
    #[sqlx(skip)]
    pub overdue: bool,
    /// The centre head's evidence (filled when one is read).
    #[sqlx(skip)]
    pub evidence: Vec<Attachment>,
}

/// An inspection of a centre.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Inspection {
    pub id: i64,
    pub town_id: i64,
    pub node_id: i64,
    pub node_name: String,
    #[serde(skip)]
    pub node_path: String,
    pub template_id: i64,
    pub template_name: String,
    pub kind: InspectionKind,
    pub planned_on: NaiveDate,
    pub inspected_on: Option<NaiveDate>,
    pub status: InspectionStatus,
    pub inspector_name: Option<String>,
    pub summary: Option<String>,
    pub points: Option<i64>,
    pub max_points: i64,
    pub version: i64,
    /// The period the data beside each item covers.
    pub period_from: NaiveDate,
    pub period_until: NaiveDate,
    /// The record of the period.
    pub record: crate::evidence::PlaceRecord,
    pub items: Vec<ScoredItem>,
    pub rectifications: Vec<Rectification>,
}

/// A score as typed.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct ScoreInput {
    pub item_id: i64,
    /// A whole number from 0 to the item's maximum.
    pub points: String,
    pub note: Option<String>,
}

/// A finding as typed: what must be put right, and by when.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct FindingInput {
    pub finding: String,
    /// YYYY-MM-DD, after the inspection.
    pub due_on: String,
}

/// How the audit log names these records.
pub const AUDIT_NAMES: &[crate::audit::view::Namer] = &[
    crate::audit::view::Namer::plain(INSPECTION, "inspections", "cast(planned_on as text)"),
    crate::audit::view::Namer::plain(RECTIFICATION, "rectifications", "finding"),
    crate::audit::view::Namer::plain(TEMPLATE, "inspection_templates", "name"),
    crate::audit::view::Namer::plain(ASSESSMENT, "assessments", "cast(year as text)"),
];
