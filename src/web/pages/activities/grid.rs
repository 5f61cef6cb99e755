//! The month × centre grid page.

use super::*;

#[derive(Template)]
#[template(path = "activities/grid.html")]
pub(super) struct GridPage {
    shell: Shell,
    year: i32,
    prev: i32,
    next: i32,
    rows: Vec<GridLine>,
    notice: Option<String>,
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

#[derive(Deserialize, Default)]
pub(super) struct YearQuery {
    year: Option<i32>,
}

impl YearQuery {
    /// The year asked for, or this year when none (or one out of range) is given.
    fn year(&self) -> i32 {
        self.year
            .filter(|y| (2000..=2100).contains(y))
            .unwrap_or_else(|| crate::calendar::Year::current().0)
    }
}

pub(super) async fn grid(
    State(state): State<AppState>,
    cx: Ctx,
    Query(q): Query<YearQuery>,
) -> Result<Response> {
    let (actor, lang) = (&cx.actor, cx.lang);
    let year = q.year();
    let g = activities::month_grid(&state.db, actor, year).await?;
    let notice = match (g.current_month, g.days_left) {
        (Some(m), Some(d)) => {
            let below = g.rows.iter().filter(|r| r.below.contains(&m)).count();
            Some(
                i18n::t(lang, "activities.grid_notice")
                    .replace("{below}", &below.to_string())
                    .replace("{days}", &d.to_string()),
            )
        }
        _ => None,
    };
    let rows = g
        .rows
        .into_iter()
        .map(|r| GridLine {
            cells: (1..=12u32)
                .map(|m| GridCell {
                    count: r.counts[m as usize - 1],
                    below: r.below.contains(&m),
                    not_set_up: r.not_set_up.contains(&m),
                    afterwards: r.recorded_afterwards[m as usize - 1],
                    href: format!("/activities?owner_id={}&month={year}-{m:02}", r.centre_id),
                })
                .collect(),
            centre: r.centre_name,
            community: r.community_name,
            late: r.late,
        })
        .collect();
    html(&GridPage {
        shell: cx.shell("/activities/grid"),
        year,
        prev: year - 1,
        next: year + 1,
        rows,
        notice,
    })
}

/// The grid of a year as an xlsx file: centres, then each town's totals.
pub(super) async fn grid_xlsx(
    State(state): State<AppState>,
    cx: Ctx,
    Query(q): Query<YearQuery>,
) -> Result<Response> {
    grid_file(&state, &cx, q, "xlsx").await
}

/// The same as CSV.
pub(super) async fn grid_csv(
    State(state): State<AppState>,
    cx: Ctx,
    Query(q): Query<YearQuery>,
) -> Result<Response> {
    grid_file(&state, &cx, q, "csv").await
}

async fn grid_file(state: &AppState, cx: &Ctx, q: YearQuery, format: &str) -> Result<Response> {
    let year = q.year();
    let report = activities::month_grid_report(&state.db, &cx.actor, year).await?;
    crate::web::download::report(&report, cx.lang, format, &format!(" {year}"))
}
