//! Storage of imports: which rows are already registered, and many residents written at once
//! with their places resolved in bulk.

use super::*;

/// Phones and ID numbers among `values` that the town's register already holds.
pub(crate) async fn registered(
    tx: &mut Tx,
    town_id: i64,
    column: &str,
    values: &[String],
) -> Result<Vec<String>> {
    if !matches!(column, "phone" | "id_number") {
        return Err(Error::internal(format!("registered: bad column {column}")));
    }
    let mut found = Vec::new();
    let size = bind_chunk(tx.backend());
    for chunk in values.chunks(size) {
        let sql = format!(
            "select {column} from residents where town_id = $1 and {column} in ({})",
            placeholders_from(2, chunk.len())
        );
        let rows: Vec<String> = on_tx!(tx, |c| {
            let mut q = sqlx::query_scalar(&sql).bind(town_id);
            for v in chunk {
                q = q.bind(v);
            }
            q.fetch_all(c).await?
        });
        found.extend(rows);
    }
    Ok(found)
}

/// The residents of the town's register whose phone (or ID number) is among `values`: who a
/// re-import would update.
pub(crate) async fn registered_records(
    tx: &mut Tx,
    town_id: i64,
    column: &str,
    values: &[String],
) -> Result<Vec<ResidentRecord>> {
    if !matches!(column, "phone" | "id_number") {
        return Err(Error::internal(format!("registered: bad column {column}")));
    }
    let mut found = Vec::new();
    for chunk in values.chunks(bind_chunk(tx.backend())) {
        let sql = format!(
            "{RESIDENT} where r.town_id = $1 and r.{column} in ({})",
            placeholders_from(2, chunk.len())
        );
        let rows: Vec<ResidentRecord> = on_tx!(tx, |c| {
            let mut q = sqlx::query_as(&sql).bind(town_id);
            for v in chunk {
                q = q.bind(v);
            }
            q.fetch_all(c).await?
        });
        found.extend(rows);
    }
    Ok(found)
}

/// Inserts many residents of one import in multi-row statements (households and buildings already
/// resolved to ids), marked as imported. Returns the new ids in order.
pub(crate) async fn insert_many(
    tx: &mut Tx,
    rows: &[ResidentValues],
    places: &[(Option<i64>, Option<i64>)],
    now: DateTime<Utc>,
) -> Result<Vec<i64>> {
    let mut ids = Vec::with_capacity(rows.len());
    const COLS: usize = 11;
    let size = bind_chunk(tx.backend());
    let per = size / 4;
    for (chunk, chunk_places) in rows.chunks(per).zip(places.chunks(per)) {
        let values: Vec<String> = (0..chunk.len())
            .map(|i| {
                let b = i * COLS;
                format!(
                    "(${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, (select parent_id from org_nodes where id = ${}), true)",
                    b + 1,
                    b + 2,
                    b + 3,
                    b + 4,
                    b + 5,
                    b + 6,
                    b + 7,
                    b + 8,
                    b + 9,
                    b + 10,
                    b + 11,
                    b + 11,
                    b + 1
                )
            })
            .collect();
        let sql = format!(
            "insert into residents (community_id, name, gender, birth_date, phone, id_number, \
                household_id, building_id, guardian_consent, tag_list, created_at, updated_at, \
                town_id, imported) \
                values {} returning id",
            values.join(", ")
        );
        let new: Vec<i64> = on_tx!(tx, |c| {
            let mut q = sqlx::query_scalar(&sql);
            for (v, (household, building)) in chunk.iter().zip(chunk_places) {
                q = q
                    .bind(v.community_id)
                    .bind(&v.name)
                    .bind(&v.gender)
                    .bind(v.birth_date)
                    .bind(&v.phone)
                    .bind(&v.id_number)
                    .bind(*household)
                    .bind(*building)
                    .bind(v.guardian_consent)
                    // Written with the row, so the tags' trigger finds the list already right.
                    .bind(rules::tag_list(&v.tags))
                    .bind(now);
            }
            q.fetch_all(c).await?
        });
        // Ids come from one writer in insertion order, so sorted ids line up with the rows.
        let mut new = new;
        new.sort_unstable();
        ids.extend(new);
    }
    let tags: Vec<(i64, &String)> = ids
        .iter()
        .zip(rows)
        .flat_map(|(id, v)| v.tags.iter().map(move |t| (*id, t)))
        .collect();
    for chunk in tags.chunks(size) {
        let values: Vec<String> = (0..chunk.len())
            .map(|i| format!("(${}, ${})", i * 2 + 1, i * 2 + 2))
            .collect();
        let sql = format!(
            "insert into resident_tags (resident_id, tag) values {}",
            values.join(", ")
        );
        on_tx!(tx, |c| {
            let mut q = sqlx::query(&sql);
            for (id, t) in chunk {
                q = q.bind(*id).bind(*t);
            }
            q.execute(c).await.map(|r| r.rows_affected())
        })?;
    }
    Ok(ids)
}

/// Resolves (community, household, building) names of an import to ids, creating what is missing.
pub(crate) async fn resolve_places(
    tx: &mut Tx,
    v: &ResidentValues,
    now: DateTime<Utc>,
) -> Result<(Option<i64>, Option<i64>)> {
    places(tx, v, now).await
}

/// Resolves the households and buildings of many residents at once: existing ones are read per
/// community, missing buildings and households are created (households in multi-row statements).
pub(crate) async fn resolve_places_bulk(
    tx: &mut Tx,
    rows: &[ResidentValues],
    now: DateTime<Utc>,
) -> Result<Vec<(Option<i64>, Option<i64>)>> {
    let communities: std::collections::BTreeSet<i64> = rows
        .iter()
        .filter(|r| r.household.is_some() || r.building.is_some())
        .map(|r| r.community_id)
        .collect();
    let mut buildings: HashMap<(i64, String), i64> = HashMap::new();
    let mut households: HashMap<(i64, String), i64> = HashMap::new();
    for c in &communities {
        let sql = "select subtype from org_nodes where id = $1";
        let subtype: Option<String> = db::scalar(&mut *tx, sql, args![*c]).await?;
        let kind = if subtype.as_deref() == Some("village") {
            "village_group"
        } else {
            "building"
        };
        let sql = "select id, name from buildings where community_id = $1";
        let found: Vec<(i64, String)> = db::rows(&mut *tx, sql, args![*c]).await?;
        for (id, name) in found {
            buildings.insert((*c, name), id);
        }
        let wanted: std::collections::BTreeSet<&String> = rows
            .iter()
            .filter(|r| r.community_id == *c)
            .filter_map(|r| r.building.as_ref())
            .collect();
        for name in wanted {
            if let std::collections::hash_map::Entry::Vacant(slot) =
                buildings.entry((*c, name.clone()))
            {
                slot.insert(building_id_or_create(tx, *c, name, kind, now).await?);
            }
        }
        let sql = "select id, name from households where community_id = $1";
        let found: Vec<(i64, String)> = db::rows(&mut *tx, sql, args![*c]).await?;
        for (id, name) in found {
            households.insert((*c, name), id);
        }
    }
    // Missing households, first building mentioned for each.
    let mut missing: Vec<(i64, String, Option<i64>)> = Vec::new();
    let mut planned: std::collections::HashSet<(i64, String)> = std::collections::HashSet::new();
    for r in rows {
        if let Some(h) = &r.household {
            let key = (r.community_id, h.clone());
            if !households.contains_key(&key) && planned.insert(key) {
                let b = r
                    .building
                    .as_ref()
                    .and_then(|b| buildings.get(&(r.community_id, b.clone())).copied());
                missing.push((r.community_id, h.clone(), b));
            }
        }
    }
    let size = bind_chunk(tx.backend());
    for chunk in missing.chunks(size / 2) {
        let values: Vec<String> = (0..chunk.len())
            .map(|i| {
                format!(
                    "(${}, ${}, ${}, ${})",
                    i * 4 + 1,
                    i * 4 + 2,
                    i * 4 + 3,
                    i * 4 + 4
                )
            })
            .collect();
        let sql = format!(
            "insert into households (community_id, name, building_id, created_at) values {}",
            values.join(", ")
        );
        on_tx!(tx, |conn| {
            let mut q = sqlx::query(&sql);
            for (c, name, b) in chunk {
                q = q.bind(*c).bind(name).bind(*b).bind(now);
            }
            q.execute(conn).await.map(|r| r.rows_affected())
        })?;
    }
    if !missing.is_empty() {
        for c in &communities {
            let sql = "select id, name from households where community_id = $1";
            let found: Vec<(i64, String)> = db::rows(&mut *tx, sql, args![*c]).await?;
            for (id, name) in found {
                households.insert((*c, name), id);
            }
        }
    }
    Ok(rows
        .iter()
        .map(|r| {
            let h = r
                .household
                .as_ref()
                .and_then(|h| households.get(&(r.community_id, h.clone())).copied());
            let b = r
                .building
                .as_ref()
                .and_then(|b| buildings.get(&(r.community_id, b.clone())).copied());
            (h, b)
        })
        .collect())
}
