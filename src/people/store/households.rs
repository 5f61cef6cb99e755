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

pub(in crate::people) async fn household(db: &Db, id: i64) -> Result<Option<(Household, String)>> {
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

pub(in crate::people) async fn household_members(db: &Db, id: i64) -> Result<Vec<ResidentRecord>> {
    let sql = format!("{RESIDENT} where r.household_id = $1 order by r.birth_date, r.id");
    Ok(on_db!(db, |p| sqlx::query_as(&sql)
        .bind(id)
        .fetch_all(p)
        .await?))
}

pub(in crate::people) async fn buildings(db: &Db, community_id: i64) -> Result<Vec<Building>> {
    let sql = "select id, community_id, name, kind from buildings \
        where community_id = $1 order by name";
    Ok(on_db!(db, |p| sqlx::query_as(sql)
        .bind(community_id)
        .fetch_all(p)
        .await?))
}
