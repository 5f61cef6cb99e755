//! Targets' SQL: the district's own targets, in hundredths.

use chrono::{DateTime, Utc};

use super::Kpi;
use crate::args;
use crate::db::{self, Db, Tx};
use crate::error::Result;

pub(super) async fn targets(db: &Db, district_id: i64) -> Result<Vec<(Kpi, i64)>> {
    let sql = "select kpi, target_x100 from kpi_targets where district_id = $1";
    db::rows(db, sql, args![district_id]).await
}

pub(super) async fn set(
    tx: &mut Tx,
    district_id: i64,
    kpi: Kpi,
    target_x100: i64,
    by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<()> {
    let sql = "insert into kpi_targets (district_id, kpi, target_x100, updated_by, updated_at) \
        values ($1, $2, $3, $4, $5) on conflict (district_id, kpi) do update set \
        target_x100 = excluded.target_x100, updated_by = excluded.updated_by, \
        updated_at = excluded.updated_at";
    db::exec(
        &mut *tx,
        sql,
        args![district_id, kpi.as_str(), target_x100, by, now],
    )
    .await?;
    Ok(())
}
