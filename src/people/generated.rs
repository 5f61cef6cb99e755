//! Samples for benchmarks, outside scope and audit; built only with the `bench` feature.

use super::store;
use crate::db::Db;
use crate::error::Result;

/// Some stored phone numbers spread over the table, or of one town's register (benchmark inputs).
pub async fn sample_phones(db: &Db, town_id: Option<i64>, n: i64) -> Result<Vec<String>> {
    store::sample_phones(db, town_id, n).await
}
