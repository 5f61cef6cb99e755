pub mod bulk;
pub mod households;
pub mod residents;
pub mod search;
use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::{Building, Household, ResidentFilter, ResidentRecord, ResidentValues, rules};
use crate::args;
use crate::db::{self, Conn, Db, Tx, bind_chunk, grouped_texts, placeholders_from};
use crate::error::{Error, Result};
use crate::on_tx;
use crate::page::{Page, PageRequest};

/// A resident as read everywhere: the household's and building's names are kept on the row
/// (migration 0015, by triggers), so a page of fifty joins only their community.
const RESIDENT: &str = "select r.id, r.community_id, n.name as community_name, n.path as \
    community_path, r.name, r.gender, r.birth_date, r.phone, r.id_number, r.household_id, \
    r.household_name, r.building_id, r.building_name, r.guardian_consent, r.erased_at, \
    r.created_at from residents r join org_nodes n on n.id = r.community_id";

pub(in crate::people) use bulk::*;
pub(in crate::people) use households::*;
pub(in crate::people) use residents::*;
pub(in crate::people) use search::*;

pub(in crate::people) async fn count_residents(db: &Db) -> Result<i64> {
    db::scalar(db, "select count(*) from residents", args![]).await
}

#[cfg(feature = "bench")]
pub(in crate::people) async fn sample_phones(
    db: &Db,
    town_id: Option<i64>,
    n: i64,
) -> Result<Vec<String>> {
    if let Some(town) = town_id {
        let sql = "select phone from residents where town_id = $1 and phone is not null \
            limit $2";
        return db::scalars(db, sql, args![town, n]).await;
    }
    let sql = "select coalesce(max(id), 0) from residents";
    let max: i64 = db::scalar(db, sql, args![]).await?;
    let step = (max / n.max(1)).max(1);
    let sql = "select phone from residents where phone is not null and id % $1 = 0 \
        limit $2";
    db::scalars(db, sql, args![step, n]).await
}
