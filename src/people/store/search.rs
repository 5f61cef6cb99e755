//! Storage side of finding residents: the filtered list and the export rows.

use super::*;
use crate::db::Arg;

/// The `from … where …` of a resident list, its arguments and its order (shared by pages and
/// exports). Scope is decided by the town each resident is registered in: a scope of whole towns (a
/// district, the platform) is the set of its towns, so a count of a name's matches reads the index
/// `(name, town_id)` alone; a scope inside a town adds the town, then the community's path.
pub(super) fn resident_query(
    scope: &str,
    f: &ResidentFilter,
) -> (String, Vec<Arg<'static>>, &'static str) {
    let (mut conds, mut args) = scope_of(scope, "r.");
    let mut order = "r.id desc";
    if let Some(c) = f.community_id {
        args.push(Arg::from(c));
        conds.push(format!("r.community_id = ${}", args.len()));
        order = "r.name, r.id";
    }
    if !f.include_erased {
        conds.push("r.erased_at is null".into());
    }
    if let Some(t) = f.tag.as_deref().filter(|t| !t.is_empty()) {
        args.push(Arg::from(t.to_string()));
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
            args.push(Arg::from(prefix));
            conds.push(format!("{column} >= ${}", args.len()));
            args.push(Arg::from(upper));
            conds.push(format!("{column} < ${}", args.len()));
            // The order of the (name, town) index: a page is its next fifty entries.
            order = if column == "r.phone" {
                "r.phone"
            } else {
                "r.name, r.town_id, r.id"
            };
        }
    }
    (
        format!("from residents r where {}", conds.join(" and ")),
        args,
        order,
    )
}

/// The conditions that keep a query to the residents (or counts) of a scope, on the columns
/// `town_id` and `community_id` of the table aliased `t` (`"r."`).
fn scope_of(scope: &str, t: &str) -> (Vec<String>, Vec<Arg<'static>>) {
    use crate::org::rules::{TOWN_LEVEL, ancestor_id};
    match ancestor_id(scope, TOWN_LEVEL) {
        // Inside one town: its residents, narrowed to the communities under the scope.
        Some(town) => {
            let mut conds = vec![format!("{t}town_id = $1")];
            let mut args = vec![Arg::from(town)];
            if scope.matches('/').count() > TOWN_LEVEL + 1 {
                args.push(Arg::from(format!("{scope}%")));
                conds.push(format!(
                    "{t}community_id in (select id from org_nodes where path like $2)"
                ));
            }
            (conds, args)
        }
        // Whole towns: the towns under the scope. The `+` keeps SQLite from walking the index by
        // town (then sorting a whole surname's matches): a name's index range is read in order and
        // each entry's town checked from the index itself.
        None => (
            vec![format!(
                "+{t}town_id in (select id from org_nodes where kind = 'town' and path like $1)"
            )],
            vec![Arg::from(format!("{scope}%"))],
        ),
    }
}

/// The exact count of a filter from the surname counts (`resident_name_counts`, kept by
/// triggers), when they can answer it: active residents, no tag, no search or a one-character
/// name (a surname), any community. Its placeholders are those of [`resident_query`] for the same
/// filter (scope first, then the community, then the name's prefix). `None` leaves it to counting
/// the rows.
fn count_from_surnames(scope: &str, f: &ResidentFilter) -> Option<String> {
    let q = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty());
    let surname = match q {
        None => false,
        Some(q) if q.chars().count() == 1 && !q.chars().all(|c| c.is_ascii_digit()) => true,
        Some(_) => return None,
    };
    if f.include_erased || f.tag.as_deref().is_some_and(|t| !t.is_empty()) {
        return None;
    }
    let (mut conds, args) = scope_of(scope, "");
    let mut n = args.len();
    if f.community_id.is_some() {
        n += 1;
        conds.push(format!("community_id = ${n}"));
    }
    if surname {
        conds.push(format!("surname = ${}", n + 1));
    }
    Some(format!(
        "select cast(coalesce(sum(residents), 0) as bigint) from resident_name_counts where {}",
        conds.join(" and ")
    ))
}

/// A page row: the resident, its tags (comma-joined, kept on the row) and the total of the whole
/// selection, all read in one statement.
#[derive(sqlx::FromRow)]
struct PageRow {
    total: i64,
    tag_list: Option<String>,
    #[sqlx(flatten)]
    record: ResidentRecord,
}

impl db::lite::FromLite for PageRow {
    fn from_lite(row: &db::lite::LiteRow<'_>) -> Result<Self> {
        Ok(PageRow {
            total: row.get("total")?,
            tag_list: row.get("tag_list")?,
            record: ResidentRecord::from_lite(row)?,
        })
    }
}

/// A page of residents with their tags, and the exact number the filter selects: one statement
/// (the total rides on each row; a page past the end counts apart).
pub(in crate::people) async fn list_residents(
    db: &Db,
    scope: &str,
    f: &ResidentFilter,
    page: PageRequest,
) -> Result<Page<(ResidentRecord, Vec<String>)>> {
    let (from, args, order) = resident_query(scope, f);
    let count_sql =
        count_from_surnames(scope, f).unwrap_or_else(|| format!("select count(*) {from}"));
    let n = args.len();
    let columns = format!("select ({count_sql}) as total, r.tag_list, ");
    let list_sql = format!(
        "{} where r.id in (select r.id {from} order by {order} limit ${} offset ${}) \
         order by {order}",
        RESIDENT.replacen("select ", &columns, 1),
        n + 1,
        n + 2
    );
    let mut list_args = args.clone();
    list_args.extend([Arg::from(page.limit()), Arg::from(page.offset())]);
    // A tag filter reads through much of the register (~30 ms at a million residents): it runs on
    // sqlx's worker thread, delaying no other request. The other filters are index ranges, read on
    // this thread (`db::lite`).
    let rows: Vec<PageRow> = if f.tag.as_deref().is_some_and(|t| !t.is_empty()) {
        db::rows(db, &list_sql, list_args).await?
    } else {
        db::lite::read_rows(db, &list_sql, list_args).await?
    };
    let total = match rows.first() {
        Some(r) => r.total,
        None if page.offset() == 0 => 0,
        // Past the last page: count the rows (every placeholder of the filter is used there).
        None => db::scalar(db, &format!("select count(*) {from}"), args).await?,
    };
    let items = rows
        .into_iter()
        .map(|r| (r.record, rules::tags_of_list(r.tag_list.as_deref())))
        .collect();
    Ok(Page::new(items, total, page))
}

pub(in crate::people) async fn export_rows(
    db: &Db,
    scope: &str,
    f: &ResidentFilter,
    max: i64,
) -> Result<Vec<crate::people::ExportedResident>> {
    let (from, args, order) = resident_query(scope, f);
    let sql = format!(
        "select r.name, r.gender, cast(r.birth_date as text) as birth_date, r.phone, \
            r.id_number, n.name as community_name, r.household_name, r.building_name, r.tag_list \
            from residents r join org_nodes n on n.id = r.community_id where r.id in (select r.id {from} \
            order by {order} limit {max}) order by {order}"
    );
    db::rows(db, &sql, args).await
}
