//! Storage of households and buildings.

use super::*;

const HOUSEHOLD: &str = "select h.id, h.community_id, n.name as community_name, h.building_id, \
    b.name as building_name, h.name, (select count(*) from residents r \
    where r.household_id = h.id and r.erased_at is null) as members \
    from households h join org_nodes n on n.id = h.community_id \
    left join buildings b on b.id = h.building_id";

pub(in crate::people) async fn list_households(
    db: &Db,
    scope: &str,
    community_id: Option<i64>,
    q: Option<&str>,
    page: PageRequest,
) -> Result<Page<Household>> {
    let scope = format!("{scope}%");
    let q = db::contains_pattern(q);
    let filter = " where n.path like $1 and ($2 is null or h.community_id = $2) and ($3 is null \
        or h.name like $3 escape '\\')";
    let count_sql = format!(
        "select count(*) from households h join org_nodes n on n.id = h.community_id{filter}"
    );
    let list_sql = format!("{HOUSEHOLD}{filter} order by n.path, h.name limit $4 offset $5");
    db::page(
        db,
        &count_sql,
        &list_sql,
        args![&scope, community_id, &q],
        page,
    )
    .await
}

pub(in crate::people) async fn household(db: &Db, id: i64) -> Result<Option<(Household, String)>> {
    let sql = format!("{HOUSEHOLD} where h.id = $1");
    let h: Option<Household> = db::row_opt(db, &sql, args![id]).await?;
    let Some(h) = h else { return Ok(None) };
    let sql = "select path from org_nodes where id = $1";
    let path: String = db::scalar(db, sql, args![h.community_id]).await?;
    Ok(Some((h, path)))
}

pub(in crate::people) async fn household_members(db: &Db, id: i64) -> Result<Vec<ResidentRecord>> {
    let sql = format!("{RESIDENT} where r.household_id = $1 order by r.birth_date, r.id");
    db::rows(db, &sql, args![id]).await
}

pub(in crate::people) async fn buildings(db: &Db, community_id: i64) -> Result<Vec<Building>> {
    let sql = "select id, community_id, name, kind from buildings \
        where community_id = $1 order by name";
    db::rows(db, sql, args![community_id]).await
}
