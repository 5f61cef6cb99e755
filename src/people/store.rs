use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::{
    Building, COUNT_CAP, Household, ResidentFilter, ResidentRecord, ResidentValues, rules,
};
use crate::db::{Db, Tx, bind_chunk, grouped_texts, like_escape, placeholders_from};
use crate::error::{Error, Result};
use crate::page::{Page, PageRequest};
use crate::{on_db, on_tx};

const RESIDENT: &str = "select r.id, r.community_id, n.name as community_name, n.path as \
    community_path, r.name, r.gender, r.birth_date, r.phone, r.id_number, r.household_id, h.name \
    as household_name, r.building_id, b.name as building_name, r.guardian_consent, r.erased_at, \
    r.created_at from residents r join org_nodes n on n.id = r.community_id \
    left join households h on h.id = r.household_id left \
    join buildings b on b.id = r.building_id";

/// A value bound to a dynamically built query.
pub(crate) enum Arg {
    Text(String),
    Int(i64),
}

/// Binds `args` in order to a query built at run time (the text has `$1..$n` in the same order).
macro_rules! bind_all {
    ($q:expr, $args:expr) => {{
        let mut q = $q;
        for a in $args {
            q = match a {
                Arg::Text(s) => q.bind(s.clone()),
                Arg::Int(i) => q.bind(*i),
            };
        }
        q
    }};
}

/// The town of every resident row is its community's parent, set in the statement that writes it.
const TOWN_OF_COMMUNITY: &str = "(select parent_id from org_nodes where id = $1)";

/// The resident with this mobile number in the town's register.
pub(super) async fn resident_with_phone(
    tx: &mut Tx,
    town_id: i64,
    phone: &str,
) -> Result<Option<i64>> {
    let sql = "select id from residents where town_id = $1 and phone = $2";
    Ok(on_tx!(tx, |c| sqlx::query_scalar(sql)
        .bind(town_id)
        .bind(phone)
        .fetch_optional(c)
        .await?))
}

/// The same, read outside a transaction (the phone pages).
pub(super) async fn resident_id_by_phone(
    db: &Db,
    town_id: i64,
    phone: &str,
) -> Result<Option<i64>> {
    let sql = "select id from residents where town_id = $1 and phone = $2";
    Ok(on_db!(db, |p| sqlx::query_scalar(sql)
        .bind(town_id)
        .bind(phone)
        .fetch_optional(p)
        .await?))
}

/// The resident with this ID number in the town's register.
pub(super) async fn resident_with_id_number(
    tx: &mut Tx,
    town_id: i64,
    n: &str,
) -> Result<Option<i64>> {
    let sql = "select id from residents where town_id = $1 and id_number = $2";
    Ok(on_tx!(tx, |c| sqlx::query_scalar(sql)
        .bind(town_id)
        .bind(n)
        .fetch_optional(c)
        .await?))
}

pub(super) async fn building_id_or_create(
    tx: &mut Tx,
    community_id: i64,
    name: &str,
    kind: &str,
    now: DateTime<Utc>,
) -> Result<i64> {
    let sql = "select id from buildings where community_id = $1 and name = $2";
    let found: Option<i64> = on_tx!(tx, |c| sqlx::query_scalar(sql)
        .bind(community_id)
        .bind(name)
        .fetch_optional(c)
        .await?);
    if let Some(id) = found {
        return Ok(id);
    }
    let sql = "insert into buildings (community_id, name, kind, created_at) \
        values ($1, $2, $3, $4) returning id";
    Ok(on_tx!(tx, |c| sqlx::query_scalar(sql)
        .bind(community_id)
        .bind(name)
        .bind(kind)
        .bind(now)
        .fetch_one(c)
        .await?))
}

pub(super) async fn household_named(
    tx: &mut Tx,
    community_id: i64,
    name: &str,
) -> Result<Option<i64>> {
    let sql = "select id from households where community_id = $1 and name = $2";
    Ok(on_tx!(tx, |c| sqlx::query_scalar(sql)
        .bind(community_id)
        .bind(name)
        .fetch_optional(c)
        .await?))
}

pub(super) async fn insert_household(
    tx: &mut Tx,
    community_id: i64,
    building_id: Option<i64>,
    name: &str,
    now: DateTime<Utc>,
) -> Result<i64> {
    let sql = "insert into households (community_id, building_id, name, created_at) \
        values ($1, $2, $3, $4) returning id";
    Ok(on_tx!(tx, |c| sqlx::query_scalar(sql)
        .bind(community_id)
        .bind(building_id)
        .bind(name)
        .bind(now)
        .fetch_one(c)
        .await?))
}

async fn household_id_or_create(
    tx: &mut Tx,
    community_id: i64,
    building_id: Option<i64>,
    name: &str,
    now: DateTime<Utc>,
) -> Result<i64> {
    match household_named(tx, community_id, name).await? {
        Some(id) => Ok(id),
        None => insert_household(tx, community_id, building_id, name, now).await,
    }
}

/// Resolves the household and building names of a resident to ids, creating them in the community.
async fn places(
    tx: &mut Tx,
    v: &ResidentValues,
    now: DateTime<Utc>,
) -> Result<(Option<i64>, Option<i64>)> {
    let sql = "select subtype from org_nodes where id = $1";
    let subtype: Option<String> = on_tx!(tx, |c| sqlx::query_scalar(sql)
        .bind(v.community_id)
        .fetch_one(c)
        .await?);
    let kind = if subtype.as_deref() == Some("village") {
        "village_group"
    } else {
        "building"
    };
    let building = match &v.building {
        Some(b) => Some(building_id_or_create(tx, v.community_id, b, kind, now).await?),
        None => None,
    };
    let household = match &v.household {
        Some(h) => Some(household_id_or_create(tx, v.community_id, building, h, now).await?),
        None => None,
    };
    Ok((household, building))
}

async fn set_tags(tx: &mut Tx, id: i64, tags: &[String]) -> Result<()> {
    let sql = "delete from resident_tags where resident_id = $1";
    on_tx!(tx, |c| sqlx::query(sql)
        .bind(id)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    for t in tags {
        let sql = "insert into resident_tags (resident_id, tag) \
            values ($1, $2)";
        on_tx!(tx, |c| sqlx::query(sql)
            .bind(id)
            .bind(t)
            .execute(c)
            .await
            .map(|r| r.rows_affected()))?;
    }
    Ok(())
}

pub(super) async fn insert_resident(
    tx: &mut Tx,
    v: &ResidentValues,
    now: DateTime<Utc>,
) -> Result<i64> {
    let (household, building) = places(tx, v, now).await?;
    let sql = format!(
        "insert into residents (community_id, name, gender, birth_date, phone, id_number, \
            household_id, building_id, guardian_consent, created_at, updated_at, town_id) \
            values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, {TOWN_OF_COMMUNITY}) \
            returning id"
    );
    let id: i64 = on_tx!(tx, |c| sqlx::query_scalar(&sql)
        .bind(v.community_id)
        .bind(&v.name)
        .bind(&v.gender)
        .bind(v.birth_date)
        .bind(&v.phone)
        .bind(&v.id_number)
        .bind(household)
        .bind(building)
        .bind(v.guardian_consent)
        .bind(now)
        .fetch_one(c)
        .await?);
    set_tags(tx, id, &v.tags).await?;
    Ok(id)
}

pub(super) async fn update_resident(
    tx: &mut Tx,
    id: i64,
    v: &ResidentValues,
    now: DateTime<Utc>,
) -> Result<()> {
    let (household, building) = places(tx, v, now).await?;
    let sql = format!(
        "update residents set community_id = $1, name = $2, gender = $3, birth_date = $4, phone \
            = $5, id_number = $6, household_id = $7, building_id = $8, guardian_consent = $9, \
            updated_at = $10, town_id = {TOWN_OF_COMMUNITY} where id = $11"
    );
    on_tx!(tx, |c| sqlx::query(&sql)
        .bind(v.community_id)
        .bind(&v.name)
        .bind(&v.gender)
        .bind(v.birth_date)
        .bind(&v.phone)
        .bind(&v.id_number)
        .bind(household)
        .bind(building)
        .bind(v.guardian_consent)
        .bind(now)
        .bind(id)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    set_tags(tx, id, &v.tags).await
}

pub(super) async fn erase_resident(tx: &mut Tx, id: i64, now: DateTime<Utc>) -> Result<()> {
    let sql = "update residents set name = '已注销居民', birth_date = null, phone = null, id_number \
        = null, household_id = null, building_id = null, guardian_consent = false, erased_at = \
        $1, updated_at = $1 where id = $2";
    on_tx!(tx, |c| sqlx::query(sql)
        .bind(now)
        .bind(id)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    // A comment on a rating may name the resident; the score stays for the statistics.
    on_tx!(tx, |c| sqlx::query(
        "update ratings set comment = null where resident_id = $1"
    )
    .bind(id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    set_tags(tx, id, &[]).await
}

pub(super) async fn resident(db: &Db, id: i64) -> Result<Option<ResidentRecord>> {
    let sql = format!("{RESIDENT} where r.id = $1");
    Ok(on_db!(db, |p| sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(p)
        .await?))
}

pub(super) async fn resident_tx(tx: &mut Tx, id: i64) -> Result<Option<ResidentRecord>> {
    let sql = format!("{RESIDENT} where r.id = $1");
    Ok(on_tx!(tx, |c| sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(c)
        .await?))
}

pub(super) async fn tags_of(db: &Db, id: i64) -> Result<Vec<String>> {
    let sql = "select tag from resident_tags where resident_id = $1 \
        order by tag";
    Ok(on_db!(db, |p| sqlx::query_scalar(sql)
        .bind(id)
        .fetch_all(p)
        .await?))
}

pub(super) async fn tags_of_tx(tx: &mut Tx, id: i64) -> Result<Vec<String>> {
    let sql = "select tag from resident_tags where resident_id = $1 \
        order by tag";
    Ok(on_tx!(tx, |c| sqlx::query_scalar(sql)
        .bind(id)
        .fetch_all(c)
        .await?))
}

pub(super) async fn tags_of_many(db: &Db, ids: &[i64]) -> Result<HashMap<i64, Vec<String>>> {
    grouped_texts(
        db,
        "select resident_id, tag from resident_tags where resident_id in ({ids}) order by tag",
        ids,
    )
    .await
}

/// The `from … where …` of a resident list, its arguments and its order (shared by pages and
/// exports).
fn resident_query(scope: &str, f: &ResidentFilter) -> (String, Vec<Arg>, &'static str) {
    let mut conds = vec!["n.path like $1".to_string()];
    let mut args = vec![Arg::Text(format!("{scope}%"))];
    let mut order = "r.id desc";
    if let Some(c) = f.community_id {
        args.push(Arg::Int(c));
        conds.push(format!("r.community_id = ${}", args.len()));
        order = "r.name, r.id";
    }
    if !f.include_erased {
        conds.push("r.erased_at is null".into());
    }
    if let Some(t) = f.tag.as_deref().filter(|t| !t.is_empty()) {
        args.push(Arg::Text(t.to_string()));
        conds.push(format!(
            "r.id in (select t.resident_id from resident_tags t where t.tag = ${})",
            args.len()
        ));
    }
    if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let digits = rules::normalize_digits(q);
        // A prefix search that an index answers: column >= prefix and column < next(prefix).
        let (column, prefix) = if digits.chars().all(|c| c.is_ascii_digit()) {
            ("r.phone", digits)
        } else {
            ("r.name", q.to_string())
        };
        if let Some(upper) = rules::prefix_upper_bound(&prefix) {
            args.push(Arg::Text(prefix));
            conds.push(format!("{column} >= ${}", args.len()));
            args.push(Arg::Text(upper));
            conds.push(format!("{column} < ${}", args.len()));
            order = if column == "r.phone" {
                "r.phone"
            } else {
                "r.name, r.id"
            };
        }
    }
    (
        format!(
            "from residents r join org_nodes n on n.id = r.community_id where {}",
            conds.join(" and ")
        ),
        args,
        order,
    )
}

pub(super) async fn list_residents(
    db: &Db,
    scope: &str,
    f: &ResidentFilter,
    page: PageRequest,
) -> Result<Page<ResidentRecord>> {
    let (from, args, order) = resident_query(scope, f);
    let count_sql = format!(
        "select count(*) from (select 1 {from} limit {}) x",
        COUNT_CAP + 1
    );
    let n = args.len();
    let list_sql = format!(
        "{RESIDENT} where r.id in (select r.id {from} order by {order} \
            limit ${} offset ${}) order by {order}",
        n + 1,
        n + 2
    );
    let (total, items) = on_db!(db, |p| {
        let total: i64 = bind_all!(sqlx::query_scalar(&count_sql), &args)
            .fetch_one(p)
            .await?;
        let items: Vec<ResidentRecord> = bind_all!(sqlx::query_as(&list_sql), &args)
            .bind(page.limit())
            .bind(page.offset())
            .fetch_all(p)
            .await?;
        (total, items)
    });
    let capped = total > COUNT_CAP;
    Ok(Page {
        items,
        total: total.min(COUNT_CAP),
        page: page.page,
        per_page: page.per_page,
        capped,
    })
}

/// What an export writes of a resident (fewer columns than a page: decoding is the export's cost).
#[derive(sqlx::FromRow)]
pub(super) struct ExportRow {
    pub id: i64,
    pub name: String,
    pub gender: Option<String>,
    pub birth_date: Option<String>,
    pub phone: Option<String>,
    pub id_number: Option<String>,
    pub community_name: String,
    pub household_name: Option<String>,
    pub building_name: Option<String>,
}

pub(super) async fn export_rows(
    db: &Db,
    scope: &str,
    f: &ResidentFilter,
    max: i64,
) -> Result<Vec<ExportRow>> {
    let (from, args, order) = resident_query(scope, f);
    let sql = format!(
        "select r.id, r.name, r.gender, cast(r.birth_date as text) as birth_date, r.phone, \
            r.id_number, n.name as community_name, h.name as household_name, b.name as \
            building_name from residents r join org_nodes n on n.id = r.community_id \
            left join households h on h.id = r.household_id left \
            join buildings b on b.id = r.building_id where r.id in (select r.id {from} \
            order by {order} limit {max}) order by {order}"
    );
    Ok(on_db!(db, |p| bind_all!(sqlx::query_as(&sql), &args)
        .fetch_all(p)
        .await?))
}

/// The tags of every resident an export selects, in one statement.
pub(super) async fn all_tags(
    db: &Db,
    scope: &str,
    f: &ResidentFilter,
    max: i64,
) -> Result<HashMap<i64, Vec<String>>> {
    let (from, args, order) = resident_query(scope, f);
    let sql = format!(
        "select t.resident_id, t.tag from resident_tags t where t.resident_id in (select r.id \
            {from} order by {order} limit {max}) order by t.tag"
    );
    let rows: Vec<(i64, String)> = on_db!(db, |p| bind_all!(sqlx::query_as(&sql), &args)
        .fetch_all(p)
        .await?);
    let mut out: HashMap<i64, Vec<String>> = HashMap::new();
    for (id, tag) in rows {
        out.entry(id).or_default().push(tag);
    }
    Ok(out)
}

const HOUSEHOLD: &str = "select h.id, h.community_id, n.name as community_name, h.building_id, \
    b.name as building_name, h.name, (select count(*) from residents r \
    where r.household_id = h.id and r.erased_at is null) as members \
    from households h join org_nodes n on n.id = h.community_id \
    left join buildings b on b.id = h.building_id";

pub(super) async fn list_households(
    db: &Db,
    scope: &str,
    community_id: Option<i64>,
    q: Option<&str>,
    page: PageRequest,
) -> Result<Page<Household>> {
    let scope = format!("{scope}%");
    let q = q
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| format!("%{}%", like_escape(s)));
    let filter = " where n.path like $1 and ($2 is null or h.community_id = $2) and ($3 is null \
        or h.name like $3 escape '\\')";
    let count_sql = format!(
        "select count(*) from households h join org_nodes n on n.id = h.community_id{filter}"
    );
    let list_sql = format!("{HOUSEHOLD}{filter} order by n.path, h.name limit $4 offset $5");
    let (total, items) = on_db!(db, |p| {
        let total: i64 = sqlx::query_scalar(&count_sql)
            .bind(&scope)
            .bind(community_id)
            .bind(&q)
            .fetch_one(p)
            .await?;
        let items: Vec<Household> = sqlx::query_as(&list_sql)
            .bind(&scope)
            .bind(community_id)
            .bind(&q)
            .bind(page.limit())
            .bind(page.offset())
            .fetch_all(p)
            .await?;
        (total, items)
    });
    Ok(Page::new(items, total, page))
}

pub(super) async fn household(db: &Db, id: i64) -> Result<Option<(Household, String)>> {
    let sql = format!("{HOUSEHOLD} where h.id = $1");
    let h: Option<Household> = on_db!(db, |p| sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(p)
        .await?);
    let Some(h) = h else { return Ok(None) };
    let sql = "select path from org_nodes where id = $1";
    let path: String = on_db!(db, |p| sqlx::query_scalar(sql)
        .bind(h.community_id)
        .fetch_one(p)
        .await?);
    Ok(Some((h, path)))
}

pub(super) async fn household_members(db: &Db, id: i64) -> Result<Vec<ResidentRecord>> {
    let sql = format!("{RESIDENT} where r.household_id = $1 order by r.birth_date, r.id");
    Ok(on_db!(db, |p| sqlx::query_as(&sql)
        .bind(id)
        .fetch_all(p)
        .await?))
}

pub(super) async fn buildings(db: &Db, community_id: i64) -> Result<Vec<Building>> {
    let sql = "select id, community_id, name, kind from buildings \
        where community_id = $1 order by name";
    Ok(on_db!(db, |p| sqlx::query_as(sql)
        .bind(community_id)
        .fetch_all(p)
        .await?))
}

/// Phones and ID numbers among `values` that the town's register already holds.
pub(crate) async fn registered(
    tx: &mut Tx,
    town_id: i64,
    column: &str,
    values: &[String],
) -> Result<Vec<String>> {
    if !matches!(column, "phone" | "id_number") {
        return Err(Error::Internal(format!("registered: bad column {column}")));
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

/// Inserts many residents of one import in multi-row statements (households and buildings already
/// resolved to ids). Returns the new ids in order.
pub(crate) async fn insert_many(
    tx: &mut Tx,
    rows: &[ResidentValues],
    places: &[(Option<i64>, Option<i64>)],
    now: DateTime<Utc>,
) -> Result<Vec<i64>> {
    let mut ids = Vec::with_capacity(rows.len());
    const COLS: usize = 10;
    let size = bind_chunk(tx.backend());
    let per = size / 4;
    for (chunk, chunk_places) in rows.chunks(per).zip(places.chunks(per)) {
        let values: Vec<String> = (0..chunk.len())
            .map(|i| {
                let b = i * COLS;
                format!(
                    "(${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, (select parent_id from org_nodes where id = ${}))",
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
                    b + 10,
                    b + 1
                )
            })
            .collect();
        let sql = format!(
            "insert into residents (community_id, name, gender, birth_date, phone, id_number, \
                household_id, building_id, guardian_consent, created_at, updated_at, town_id) \
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
        let subtype: Option<String> = on_tx!(tx, |conn| sqlx::query_scalar(sql)
            .bind(*c)
            .fetch_one(conn)
            .await?);
        let kind = if subtype.as_deref() == Some("village") {
            "village_group"
        } else {
            "building"
        };
        let sql = "select id, name from buildings where community_id = $1";
        let found: Vec<(i64, String)> = on_tx!(tx, |conn| sqlx::query_as(sql)
            .bind(*c)
            .fetch_all(conn)
            .await?);
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
        let found: Vec<(i64, String)> = on_tx!(tx, |conn| sqlx::query_as(sql)
            .bind(*c)
            .fetch_all(conn)
            .await?);
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
            let found: Vec<(i64, String)> = on_tx!(tx, |conn| sqlx::query_as(sql)
                .bind(*c)
                .fetch_all(conn)
                .await?);
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

pub(super) async fn count_residents(db: &Db) -> Result<i64> {
    Ok(on_db!(db, |p| sqlx::query_scalar(
        "select count(*) from residents"
    )
    .fetch_one(p)
    .await?))
}

#[cfg(feature = "bench")]
pub(super) async fn sample_phones(db: &Db, town_id: Option<i64>, n: i64) -> Result<Vec<String>> {
    if let Some(town) = town_id {
        let sql = "select phone from residents where town_id = $1 and phone is not null \
            limit $2";
        return Ok(on_db!(db, |p| sqlx::query_scalar(sql)
            .bind(town)
            .bind(n)
            .fetch_all(p)
            .await?));
    }
    let sql = "select coalesce(max(id), 0) from residents";
    let max: i64 = on_db!(db, |p| sqlx::query_scalar(sql).fetch_one(p).await?);
    let step = (max / n.max(1)).max(1);
    let sql = "select phone from residents where phone is not null and id % $1 = 0 \
        limit $2";
    Ok(on_db!(db, |p| sqlx::query_scalar(sql)
        .bind(step)
        .bind(n)
        .fetch_all(p)
        .await?))
}
