//! The roll-ups' additions on the check-in desk's own SQLite connection (rusqlite, inside the
//! desk's transaction): the counts [`super::counting_added_pg`] keeps on PostgreSQL, by cached
//! statements — each month and each community's participants added to once a batch.

use std::collections::HashMap;

use rusqlite::{Connection, OptionalExtension, named_params, params};

use crate::error::Result;

/// New attended rows (activity, resident) of a batch, added to the counts; `starts` caches each
/// activity's (owner, month key).
pub fn attended(
    c: &Connection,
    rows: &[(i64, i64)],
    starts: &mut HashMap<i64, Option<(i64, i32)>>,
) -> Result<()> {
    let mut per_key: HashMap<(i64, i32), i64> = HashMap::new();
    let mut joined_per_community: HashMap<(i64, i32), i64> = HashMap::new();
    for (a, r) in rows {
        let key = match starts.get(a) {
            Some(k) => *k,
            None => {
                let k = c
                    .prepare_cached("select owner_id, starts_at from activities where id = $1")?
                    .query_row(params![a], |row| {
                        Ok((row.get::<_, i64>(0)?, row.get::<_, String>(1)?))
                    })
                    .optional()?
                    .and_then(|(owner, at)| {
                        chrono::DateTime::parse_from_rfc3339(&at)
                            .ok()
                            .map(|t| (owner, super::month_key(t.with_timezone(&chrono::Utc))))
                    });
                starts.insert(*a, k);
                k
            }
        };
        let Some((owner, month)) = key else { continue };
        *per_key.entry((owner, month)).or_default() += 1;
        let joined: Option<i64> = c
            .prepare_cached(super::JOIN_YEAR)?
            // `$2` comes first in the text: SQLite numbers parameters by first appearance.
            .query_row(named_params! {"$1": r, "$2": month / 100}, |row| row.get(0))
            .optional()?;
        if let Some(community) = joined {
            *joined_per_community
                .entry((community, month / 100))
                .or_default() += 1;
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
