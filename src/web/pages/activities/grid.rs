//! The month × centre grid page.

use super::*;
use crate::paths;

#[derive(Template)]
#[template(path = "activities/grid.html")]
pub(super) struct GridPage {
    shell: Shell,
    year: i32,
    prev: i32,
    next: i32,
    rows: Vec<GridLine>,
    /// A district's view: a line per town (its centres' grid one click away).
    towns: Vec<TownLine>,
    /// The town shown, when a district narrowed its grid to one (`?town_id=`).
    town: Option<(i64, String)>,
    /// `&town_id=…` of the year links while a town is shown.
    town_query: String,
    notice: Option<String>,
}

/// One town of a district's grid: activities per month and the centres below the rule.
pub struct TownLine {
    pub id: i64,
    pub name: String,
    pub centres: i64,
    pub cells: Vec<TownCell>,
    pub late: i64,
}

pub struct TownCell {
    pub count: i64,
    pub centres_below: i64,
    /// The town's activity list of the month.
    pub href: String,
}

/// One centre's line: a cell per month.
pub struct GridLine {
    pub centre: String,
    pub community: String,
    pub cells: Vec<GridCell>,
    /// Late submissions in the year.
    pub late: i64,
}

/// One month of a centre: its count, how it stands against the rule, and the list behind it.
pub struct GridCell {
    pub count: i64,
    pub below: bool,
    /// A month before the centre was set up: nothing expected.
    pub not_set_up: bool,
    /// Activities of the month recorded afterwards (补录).
    pub afterwards: i64,
    /// The activity list of this centre and month.
    pub href: String,
}

pub(super) async fn grid(
    cx: Ctx,
    Query(q): Query<crate::web::extract::TownYear>,
) -> Result<Response> {
    let state = &cx.state;
    let (actor, lang) = (&cx.actor, cx.lang);
    let year = q.page_year();
    let g = activities::month_grid(&state.db, actor, year).await?;
    let town = q
        .town_id
        .and_then(|id| g.towns.iter().find(|t| t.town_id == id))
        .map(|t| (t.town_id, t.town_name.clone()));
    // More than one town and none chosen: the district sees its towns first.
    let district_view = g.towns.len() > 1 && town.is_none();
    let centres: Vec<activities::GridRow> = g
        .rows
        .into_iter()
        .filter(|r| town.as_ref().is_none_or(|(id, _)| r.town_id() == Some(*id)))
        .collect();
    let notice = match (g.current_month, g.days_left) {
        (Some(m), Some(d)) => {
            let below = centres.iter().filter(|r| r.below.contains(&m)).count();
            Some(
                i18n::t(lang, "activities.grid_notice")
                    .replace("{below}", &below.to_string())
                    .replace("{days}", &d.to_string()),
            )
        }
        _ => None,
    };
    let towns = if district_view {
        g.towns
            .into_iter()
            .map(|t| TownLine {
                cells: (1..=12u32)
                    .map(|m| TownCell {
                        count: t.counts[m as usize - 1],
                        centres_below: t.centres_below[m as usize - 1],
                        href: month_link("town_id", t.town_id, year, m),
                    })
                    .collect(),
                id: t.town_id,
                name: t.town_name,
                centres: t.centres,
                late: t.late,
            })
            .collect()
    } else {
        Vec::new()
    };
    let rows = if district_view {
        Vec::new()
    } else {
        centres.into_iter().map(|r| centre_line(year, r)).collect()
    };
    html(&GridPage {
        shell: cx.shell(paths::GRID),
        year,
        prev: year - 1,
        next: year + 1,
        rows,
        towns,
        town_query: town
            .as_ref()
            .map(|(id, _)| format!("&town_id={id}"))
            .unwrap_or_default(),
        town,
        notice,
    })
}

/// A centre's line: each month's count linked to the activities behind it.
fn centre_line(year: i32, r: activities::GridRow) -> GridLine {
    GridLine {
        cells: (1..=12u32)
            .map(|m| GridCell {
                count: r.counts[m as usize - 1],
                below: r.below.contains(&m),
                not_set_up: r.not_set_up.contains(&m),
                afterwards: r.recorded_afterwards[m as usize - 1],
                href: month_link("owner_id", r.centre_id, year, m),
            })
            .collect(),
        centre: r.centre_name,
        community: r.community_name,
        late: r.late,
    }
}

/// The grid of a year as an xlsx file: centres, then each town's totals.
pub(super) async fn grid_xlsx(
    cx: Ctx,
    Query(q): Query<crate::web::extract::TownYear>,
) -> Result<Response> {
    let state = &cx.state;
    grid_file(state, &cx, q, "xlsx").await
}

/// The same as CSV.
pub(super) async fn grid_csv(
    cx: Ctx,
    Query(q): Query<crate::web::extract::TownYear>,
) -> Result<Response> {
    let state = &cx.state;
    grid_file(state, &cx, q, "csv").await
}

async fn grid_file(
    state: &AppState,
    cx: &Ctx,
    q: crate::web::extract::TownYear,
    format: &str,
) -> Result<Response> {
    let year = q.page_year();
    let report = activities::month_grid_report(&state.db, &cx.actor, year).await?;
    crate::web::download::report(&report, cx.lang, format, &format!(" {year}"))
}

/// The activity list of one town's or centre's month, behind a cell of the grid.
fn month_link(by: &str, id: i64, year: i32, m: u32) -> String {
    let query = [(by, id.to_string()), ("month", format!("{year}-{m:02}"))];
    paths::link_with(paths::ACTIVITIES, &query)
}
