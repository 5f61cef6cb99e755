//! Generated attendance for benchmarks: every `modulus`-th resident of a centre's community at
//! each of the centre's activities, present, written in one statement (the check-in path and its
//! audit are skipped on purpose: this is generated history; the roll-ups are rebuilt after it).

use super::*;

/// Marks present at each activity owned by `owner_id` the residents of its community whose id
/// plus the activity's id divides by `modulus`; the rows written.
pub async fn attend_by_rule(db: &Db, owner_id: i64, modulus: i64) -> Result<u64> {
    store::attend_by_rule(db, owner_id, modulus.max(1)).await
}
