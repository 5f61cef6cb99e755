//! What the KPIs read of attendance: distinct participants per home community, and the ratings'
//! satisfied share. Attended means present or late at an activity that was not cancelled; the
//! year is the activity's. A resident erased later still counted (the row stays, anonymised);
//! a walk-in is a resident of the town like any other.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::*;
use crate::calendar::Year;

/// Distinct residents of the communities under `under` who attended at least one activity that
/// started in the year, per home community: (community id, residents).
pub async fn participants_by_community(
    db: &Db,
    under: &str,
    year: Year,
) -> Result<Vec<(i64, i64)>> {
    crate::rollups::participants_by_community(db, under, year.0).await
}

/// Ratings of the activities owned under `under` that started in the year, per owner: (owner
/// path, 4 or 5, all).
pub async fn rating_counts_by_owner(
    db: &Db,
    under: &str,
    year: Year,
) -> Result<Vec<(String, i64, i64)>> {
    store::rating_counts_by_owner(db, under, year.start(), year.end()).await
}

/// Attendance and ratings of the activities owned under a path that started in a span.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema,
)]
pub struct SpanFigures {
    /// Present or late, the activity not cancelled.
    pub attendances: i64,
    /// Distinct residents among them.
    pub participants: i64,
    pub ratings: i64,
    /// Ratings of 4 or 5.
    pub satisfied: i64,
    /// The ratings' scores added up.
    pub score_sum: i64,
}

impl SpanFigures {
    /// The average rating with one decimal, or "—" without ratings.
    pub fn average_shown(&self) -> String {
        if self.ratings > 0 {
            format!("{:.1}", self.score_sum as f64 / self.ratings as f64)
        } else {
            "—".to_string()
        }
    }
}

/// The attendance (present or late) and the ratings of the activities owned under `under` that
/// started from `from` until `until`, live (a month of a town reads a few thousand rows).
pub async fn span_figures(
    db: &Db,
    under: &str,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<SpanFigures> {
    store::span_figures(db, under, from, until).await
}
