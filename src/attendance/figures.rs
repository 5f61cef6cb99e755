//! What the KPIs read of attendance: distinct participants per home community, and the ratings'
//! satisfied share. Attended means present or late at an activity that was not cancelled; the
//! year is the activity's. A resident erased later still counted (the row stays, anonymised);
//! a walk-in is a resident of the town like any other.

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

/// Ratings of the activities owned under `under` that started in the year: (4 or 5, all).
pub async fn rating_counts(db: &Db, under: &str, year: Year) -> Result<(i64, i64)> {
    store::rating_counts(db, under, year.start(), year.end()).await
}
