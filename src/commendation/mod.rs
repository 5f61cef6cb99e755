//! Commendation (评选表彰, SPEC.md "Commendation"; Q三(四), L二10): a yearly round per town opened
//! by the office with its categories, quotas, rewards and deadline; a centre nominates a resident,
//! household, building or village group, community or named unit inside its scope with the deeds
//! and files, the nominee's own record of the year attached from the data; the office passes or
//! returns it, the leadership group approves it — a reward booked in the same transaction as an
//! expense of the award category — and the results are published with a certificate (奖状) for
//! each winner. Invariants: one nomination per nominee and category in a round; none after the
//! deadline; no approval beyond a category's quota; every step follows [`rules::Review`] and is
//! audited. The categories are a district dictionary ([`categories`]); published results are
//! public ([`results`]).

pub mod afterwards;
pub mod categories;
pub mod nominations;
pub mod results;
pub mod rounds;
pub mod rules;
mod store;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

pub use afterwards::{DecidedInput, record_decided};
pub use categories::{
    AwardCategory, AwardCategoryInput, add_category, categories, seed_categories, update_category,
};
pub use nominations::*;
pub use results::{PublicResults, PublicRound, PublicWinner, published_results};
pub use rounds::*;
pub use rules::{NomineeKind, Status};

/// The subject type of a nomination in the audit log and of its files.
pub const NOMINATION: &str = "nomination";

/// A category of a round: its quota and reward, and how many nominations it has and approved.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct RoundCategory {
    /// The category's code in the district's dictionary.
    pub category: String,
    /// Its name in the dictionary now.
    pub name: String,
    /// Whom it is for.
    pub nominee_kind: NomineeKind,
    pub quota: i64,
    /// The material reward per winner, in fen (0: a certificate only).
    pub reward_fen: i64,
    pub nominated: i64,
    pub approved: i64,
}

/// A round as stored.
#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Round {
    pub id: i64,
    pub town_id: i64,
    #[serde(skip)]
    pub town_path: String,
    pub town_name: String,
    pub year: i32,
    pub title: String,
    pub deadline: NaiveDate,
    pub published_at: Option<DateTime<Utc>>,
}

/// The nominee's own record of the year, from the data: activities attended and their hours,
/// ratings given (a resident, the members of a household or building), or activities held by the
/// community's centre and their participants.
#[derive(Clone, Debug, Default, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Record {
    pub members: i64,
    pub activities_attended: i64,
    pub minutes_attended: i64,
    pub ratings_given: i64,
    pub activities_held: i64,
    pub participants: i64,
}

/// A nomination.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Nomination {
    pub id: i64,
    pub round_id: i64,
    /// The category's code.
    pub category: String,
    /// Its name in the district's dictionary.
    pub category_name: String,
    pub nominee_kind: NomineeKind,
    pub nominee_id: Option<i64>,
    pub nominee_name: String,
    #[serde(skip)]
    pub node_path: String,
    pub deeds: String,
    pub record: Record,
    pub status: Status,
    pub review_note: Option<String>,
    pub expense_id: Option<i64>,
    pub files: Vec<crate::attachments::Attachment>,
    /// The review steps the reader may take now.
    pub actions: Vec<&'static str>,
}

/// How the audit log names commendation records.
pub const AUDIT_NAMES: &[crate::audit::view::Namer] = &[
    crate::audit::view::Namer::plain(NOMINATION, "nominations", "nominee_name"),
    crate::audit::view::Namer::plain("award_round", "award_rounds", "title"),
    crate::audit::view::Namer::plain(
        categories::AWARD_CATEGORY,
        "commendation_categories",
        "name",
    ),
];
