//! The roll-ups' additions on the check-in desk's own SQLite connection (rusqlite, inside the
//! desk's transaction): the counts [`super::counting_added_pg`] keeps on PostgreSQL, by cached
//! statements — each month and each community's participants added to once a batch.

use std::collections::HashMap;

use rusqlite::{Connection, params};

use crate::error::Result;

/// A resident's year of taking part, with the community known to the caller; nothing if counted
/// already.
const JOIN_YEAR_OF: &str = "insert into participants (resident_id, year, community_id) \
    values ($1, $2, $3) on conflict (resident_id, year) do nothing";

/// A new attended row as the roll-ups count it: the activity's owner and month (YYYYMM), the
/// resident and their community.
#[derive(Clone, Copy, Debug)]
pub struct Attended {
    pub owner: i64,
    pub month: i32,
    pub resident: i64,
    pub community: i64,
}

/// A batch's new attended rows added to the counts: each month once, each resident's year if new,
/// each community's participants once.
pub fn attended(c: &Connection, rows: &[Attended]) -> Result<()> {
    let mut per_key: HashMap<(i64, i32), i64> = HashMap::new();
    let mut joined_per_community: HashMap<(i64, i32), i64> = HashMap::new();
    for a in rows {
        *per_key.entry((a.owner, a.month)).or_default() += 1;
        let year = a.month / 100;
        if c.prepare_cached(JOIN_YEAR_OF)?
            .execute(params![a.resident, year, a.community])?
            == 1
        {
            *joined_per_community.entry((a.community, year)).or_default() += 1;
        }
    }
    for ((community, year), n) in joined_per_community {
        c.prepare_cached(super::ADD_PARTICIPANTS)?
            .execute(params![community, year, n])?;
    }
    for ((owner, month), n) in per_key {
        c.prepare_cached(super::ADD_MONTH)?
            .execute(params![owner, month, n])?;
    }
    Ok(())
}
