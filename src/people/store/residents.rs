//! Storage of single residents: found by phone or ID number, written, corrected, erased, read
//! with their tags.

use super::*;

/// The town of every resident row is its community's parent, set in the statement that writes it.
const TOWN_OF_COMMUNITY: &str = "(select parent_id from org_nodes where id = $1)";

/// The resident with this mobile number in the town's register.
pub(in crate::people) async fn resident_with_phone(
    tx: &mut Tx,
    town_id: i64,
    phone: &str,
) -> Result<Option<i64>> {
    let sql = "select id from residents where town_id = $1 and phone = $2";
    db::scalar_opt(&mut *tx, sql, args![town_id, phone]).await
}

/// The same, read outside a transaction (the phone pages).
pub(in crate::people) async fn resident_id_by_phone(
    db: &Db,
    town_id: i64,
    phone: &str,
) -> Result<Option<i64>> {
    let sql = "select id from residents where town_id = $1 and phone = $2";
    db::scalar_opt(db, sql, args![town_id, phone]).await
}

/// The resident with this ID number in the town's register.
pub(in crate::people) async fn resident_with_id_number(
    tx: &mut Tx,
    town_id: i64,
    n: &str,
) -> Result<Option<i64>> {
    let sql = "select id from residents where town_id = $1 and id_number = $2";
    db::scalar_opt(&mut *tx, sql, args![town_id, n]).await
}

pub(in crate::people) async fn building_id_or_create(
    tx: &mut Tx,
    community_id: i64,
    name: &str,
    kind: &str,
    now: DateTime<Utc>,
) -> Result<i64> {
    let sql = "select id from buildings where community_id = $1 and name = $2";
    let found: Option<i64> = db::scalar_opt(&mut *tx, sql, args![community_id, name]).await?;
    if let Some(id) = found {
        return Ok(id);
    }
    let sql = "insert into buildings (community_id, name, kind, created_at) \
        values ($1, $2, $3, $4) returning id";
    db::scalar(&mut *tx, sql, args![community_id, name, kind, now]).await
}

pub(in crate::people) async fn household_named(
    tx: &mut Tx,
    community_id: i64,
    name: &str,
) -> Result<Option<i64>> {
    let sql = "select id from households where community_id = $1 and name = $2";
    db::scalar_opt(&mut *tx, sql, args![community_id, name]).await
}

pub(in crate::people) async fn insert_household(
    tx: &mut Tx,
    community_id: i64,
    building_id: Option<i64>,
    name: &str,
    now: DateTime<Utc>,
) -> Result<i64> {
    let sql = "insert into households (community_id, building_id, name, created_at) \
        values ($1, $2, $3, $4) returning id";
    db::scalar(&mut *tx, sql, args![community_id, building_id, name, now]).await
}

pub(super) async fn household_id_or_create(
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
pub(super) async fn places(
    tx: &mut Tx,
    v: &ResidentValues,
    now: DateTime<Utc>,
) -> Result<(Option<i64>, Option<i64>)> {
    let sql = "select subtype from org_nodes where id = $1";
    let subtype: Option<String> = db::scalar(&mut *tx, sql, args![v.community_id]).await?;
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

pub(super) async fn set_tags(tx: &mut Tx, id: i64, tags: &[String]) -> Result<()> {
    let sql = "delete from resident_tags where resident_id = $1";
    db::exec(&mut *tx, sql, args![id]).await?;
    for t in tags {
        let sql = "insert into resident_tags (resident_id, tag) \
            values ($1, $2)";
        db::exec(&mut *tx, sql, args![id, t]).await?;
    }
    Ok(())
}

/// The columns a resident's values fill, in the order of the insert and the update ($1–$10).
fn resident_args(
    v: &ResidentValues,
    household: Option<i64>,
    building: Option<i64>,
    now: DateTime<Utc>,
) -> Vec<db::Arg<'_>> {
    args![
        v.community_id,
        &v.name,
        &v.gender,
        v.birth_date,
        &v.phone,
        &v.id_number,
        household,
        building,
        v.guardian_consent,
        now
    ]
}

pub(in crate::people) async fn insert_resident(
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
    let a = resident_args(v, household, building, now);
    let id: i64 = db::scalar(&mut *tx, &sql, a).await?;
    set_tags(tx, id, &v.tags).await?;
    Ok(id)
}

pub(in crate::people) async fn update_resident(
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
    let mut a = resident_args(v, household, building, now);
    a.push(id.into());
    db::exec(&mut *tx, &sql, a).await?;
    set_tags(tx, id, &v.tags).await
}

pub(in crate::people) async fn erase_resident(
    tx: &mut Tx,
    id: i64,
    now: DateTime<Utc>,
) -> Result<()> {
    let sql = "update residents set name = '已注销居民', birth_date = null, phone = null, id_number \
        = null, household_id = null, building_id = null, guardian_consent = false, erased_at = \
        $1, updated_at = $1 where id = $2";
    db::exec(&mut *tx, sql, args![now, id]).await?;
    // A comment on a rating may name the resident; the score stays for the statistics.
    db::exec(
        &mut *tx,
        "update ratings set comment = null where resident_id = $1",
        args![id],
    )
    .await?;
    set_tags(tx, id, &[]).await
}

pub(in crate::people) async fn resident(
    conn: impl Into<Conn<'_>>,
    id: i64,
) -> Result<Option<ResidentRecord>> {
    let sql = format!("{RESIDENT} where r.id = $1");
    db::row_opt(conn, &sql, args![id]).await
}

pub(in crate::people) async fn tags_of(conn: impl Into<Conn<'_>>, id: i64) -> Result<Vec<String>> {
    let sql = "select tag from resident_tags where resident_id = $1 \
        order by tag";
    db::scalars(conn, sql, args![id]).await
}

pub(in crate::people) async fn tags_of_many(
    conn: impl Into<Conn<'_>>,
    ids: &[i64],
) -> Result<HashMap<i64, Vec<String>>> {
    grouped_texts(
        conn,
        "select resident_id, tag from resident_tags where resident_id in ({ids}) order by tag",
        ids,
    )
    .await
}

/// Residents of the communities under a path registered in a span.
pub(in crate::people) async fn registered_between(
    db: &Db,
    under: &str,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<(i64, i64)> {
    // Node-first: the place's communities, then each one's residents through the index by
    // community (SQLite keeps the order of a cross join; residents first scans the register).
    let sql = "select count(*), \
        cast(coalesce(sum(case when r.imported then 1 else 0 end), 0) as bigint) \
        from org_nodes o cross join residents r \
        where r.community_id = o.id and o.path like $1 || '%' \
        and r.created_at >= $2 and r.created_at < $3";
    let (all, imported): (i64, i64) = db::row(db, sql, args![under, from, until]).await?;
    Ok((all - imported, imported))
}
