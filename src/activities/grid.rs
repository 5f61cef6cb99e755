//! The month × centre grid of a year against the rule of at least two activities a month.

use std::collections::HashMap;

use super::*;
use crate::reports::{Cell, Heading, MonthCounts, Report, Row, roll_up};

/// One centre's row of the month grid.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct GridRow {
    pub centre_id: i64,
    /// The centre's place in the tree (for roll-ups by town); not part of the API.
    #[serde(skip)]
    pub path: String,
    pub centre_name: String,
    pub community_name: String,
    /// Activities (approved or later) in each month, January first.
    pub counts: Vec<i64>,
    /// Of those, the ones recorded afterwards (补录) from paper records.
    pub recorded_afterwards: Vec<i64>,
    /// Months (1–12) below the rule of 2, counting only months already begun and not before the
    /// centre was set up.
    pub below: Vec<u32>,
    /// Months (1–12) that ended before the centre was set up (or every month while it is still
    /// being set up): no count is expected of them.
    pub not_set_up: Vec<u32>,
    /// Plans of the year submitted less than 15 days ahead (the centre's record of late
    /// submissions).
    pub late: i64,
}

impl GridRow {
    /// The town the centre belongs to.
    pub fn town_id(&self) -> Option<i64> {
        org::rules::ancestor_id(&self.path, org::rules::TOWN_LEVEL)
    }
}

/// One town's line of the grid: its centres' activities per month, and how many of its centres
/// were below the rule in each month (what a district looks at first).
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct GridTown {
    pub town_id: i64,
    pub town_name: String,
    /// Learning centres of the town in the grid.
    pub centres: i64,
    /// Activities (approved or later) of its centres in each month, January first.
    pub counts: Vec<i64>,
    /// Centres below the rule of 2 in each month, January first.
    pub centres_below: Vec<i64>,
    /// Late submissions of its centres in the year.
    pub late: i64,
}

/// The month × centre grid of a year: each centre's count against the rule of at least 2 a month.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Grid {
    pub year: i32,
    pub rows: Vec<GridRow>,
    /// The same per town (one line for a town's own grid): the district's roll-up.
    pub towns: Vec<GridTown>,
    /// Days left in the current month when the year is the current one.
    pub days_left: Option<i64>,
    pub current_month: Option<u32>,
}

/// The grid of every learning centre in the actor's scope for a year.
pub async fn month_grid(db: &Db, actor: &Actor, year: i32) -> Result<Grid> {
    actor.require(Permission::ActivitiesRead)?;
    if !(2000..=2100).contains(&year) {
        return Err(Error::invalid("year", Msg::new("activities.year_range")));
    }
    let centres = org::all_of_kind(db, actor, Kind::Centre).await?;
    let (from, to) = (Year(year).start(), Year(year).end());
    let mut counts = MonthCounts::new(Year(year));
    let mut afterwards = MonthCounts::new(Year(year));
    let counted = store::month_counts(db, &actor.scope_path, year, &counted_statuses()).await?;
    for (owner, month, recorded_afterwards, n) in counted {
        counts.add_in_month(owner, month, n);
        if recorded_afterwards {
            afterwards.add_in_month(owner, month, n);
        }
    }
    let mut late: HashMap<i64, i64> = store::late_by_owner(db, &actor.scope_path, from, to)
        .await?
        .into_iter()
        .collect();
    let today = Day::today();
    let current = (today.year() == year).then(|| today.month());
    let communities: HashMap<i64, String> = org::all_of_kind(db, actor, Kind::Community)
        .await?
        .into_iter()
        .map(|n| (n.id, n.name))
        .collect();
    let mut out = Vec::new();
    for c in centres {
        let community = c
            .parent_id
            .and_then(|p| communities.get(&p).cloned())
            .unwrap_or_default();
        let row = counts.of(c.id).to_vec();
        let (below, not_set_up) = months_of(&c, &row, year, today);
        out.push(GridRow {
            centre_id: c.id,
            path: c.path,
            centre_name: c.name,
            community_name: community,
            counts: row,
            recorded_afterwards: afterwards.of(c.id).to_vec(),
            below,
            not_set_up,
            late: late.remove(&c.id).unwrap_or(0),
        });
    }
    let town_names: HashMap<i64, String> = org::all_of_kind(db, actor, Kind::Town)
        .await?
        .into_iter()
        .map(|n| (n.id, n.name))
        .collect();
    Ok(Grid {
        year,
        towns: by_town(&out, &town_names),
        rows: out,
        days_left: current.and_then(|m| m.days_left_after(today)),
        current_month: current.map(|m| m.month),
    })
}

/// The statuses an activity counts in a centre's month with (approved or later).
fn counted_statuses() -> Vec<&'static str> {
    Status::ALL
        .iter()
        .filter(|s| s.counts())
        .map(|s| s.as_str())
        .collect()
}

/// A centre's months of a year against the rule of 2: (months below it among those begun since the
/// centre was set up, months that ended before it was set up).
fn months_of(c: &Node, row: &[i64], year: i32, today: Day) -> (Vec<u32>, Vec<u32>) {
    let from = c.counted_from();
    let not_set_up: Vec<u32> = Year(year)
        .months()
        .filter(|m| from.is_none_or(|d| m.last_day() < d))
        .map(|m| m.month)
        .collect();
    let below = Year(year)
        .months()
        .filter(|m| {
            m.has_begun(today)
                && !not_set_up.contains(&m.month)
                && row[m.month as usize - 1] < rules::MONTHLY_MINIMUM
        })
        .map(|m| m.month)
        .collect();
    (below, not_set_up)
}

/// A centre's year as the KPI of activities per centre and month reads it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct CentreMonths {
    pub centre_id: i64,
    pub name: String,
    #[serde(skip)]
    pub path: String,
    /// Activities (approved or later) in the months counted.
    pub activities: i64,
    /// Months begun since the centre was set up.
    pub months: i64,
    /// Of those, the months below the rule of 2.
    pub months_below: i64,
    /// Activities (approved or later) in each month, January first (the heat map's row).
    #[serde(skip)]
    pub counts: Vec<i64>,
    /// Months (1–12) that ended before the centre was set up: no count is expected of them.
    #[serde(skip)]
    pub not_set_up: Vec<u32>,
}

/// Every learning centre under a path (among `centres`, the path's nodes the caller read) with its
/// activities and months of a year, without a scope check (the KPIs check the reader's).
pub async fn centre_months(
    db: &Db,
    under: &str,
    centres: &[Node],
    year: i32,
) -> Result<Vec<CentreMonths>> {
    let mut counts = MonthCounts::new(Year(year));
    for (owner, month, _, n) in store::month_counts(db, under, year, &counted_statuses()).await? {
        counts.add_in_month(owner, month, n);
    }
    let today = Day::today();
    Ok(centres
        .iter()
        .filter(|c| c.kind() == Kind::Centre)
        .map(|c| {
            let row = counts.of(c.id).to_vec();
            let (below, not_set_up) = months_of(c, &row, year, today);
            let begun: Vec<u32> = Year(year)
                .months()
                .filter(|m| m.has_begun(today) && !not_set_up.contains(&m.month))
                .map(|m| m.month)
                .collect();
            CentreMonths {
                activities: begun.iter().map(|m| row[*m as usize - 1]).sum(),
                months: begun.len() as i64,
                months_below: below.len() as i64,
                centre_id: c.id,
                name: c.name.clone(),
                path: c.path.clone(),
                counts: row,
                not_set_up,
            }
        })
        .collect())
}

/// The activities held (held, documented, archived) under a path in a year per theme, most first:
/// (theme, activities).
pub async fn held_by_theme(db: &Db, under: &str, year: i32) -> Result<Vec<(String, i64)>> {
    store::held_by_theme(db, under, year).await
}

/// The activities a centre's month counts under a path in a span (Beijing instants) per theme and
/// format, most first: those approved or later, as the month grid counts them.
pub async fn held_by_theme_and_format(
    db: &Db,
    under: &str,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<Vec<(String, String, i64)>> {
    store::held_by_theme_and_format(db, under, from, until, &counted_statuses()).await
}

/// The activities a centre's month counts under a path in a span.
pub async fn held_count(
    db: &Db,
    under: &str,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<i64> {
    Ok(held_by_theme_and_format(db, under, from, until)
        .await?
        .iter()
        .map(|(_, _, n)| n)
        .sum())
}

/// The teacher trainings held under a path in a year, per town: (town path, trainings).
pub async fn trainings_by_town(db: &Db, under: &str, year: i32) -> Result<Vec<(String, i64)>> {
    store::trainings_by_town(db, under, Year(year).start(), Year(year).end()).await
}

/// The centres' lines summed per town, towns in the order their first centre comes.
pub fn by_town(rows: &[GridRow], names: &HashMap<i64, String>) -> Vec<GridTown> {
    let mut towns: Vec<GridTown> = Vec::new();
    for r in rows {
        let Some(town_id) = r.town_id() else {
            continue;
        };
        let i = match towns.iter().position(|t| t.town_id == town_id) {
            Some(i) => i,
            None => {
                towns.push(GridTown {
                    town_id,
                    town_name: names.get(&town_id).cloned().unwrap_or_default(),
                    centres: 0,
                    counts: vec![0; 12],
                    centres_below: vec![0; 12],
                    late: 0,
                });
                towns.len() - 1
            }
        };
        let t = &mut towns[i];
        t.centres += 1;
        t.late += r.late;
        for (sum, n) in t.counts.iter_mut().zip(&r.counts) {
            *sum += n;
        }
        for m in &r.below {
            t.centres_below[*m as usize - 1] += 1;
        }
    }
    towns
}

/// The grid as a report for files: a line per centre (a month below the rule starred), then a
/// line per town with the town's totals.
pub async fn month_grid_report(db: &Db, actor: &Actor, year: i32) -> Result<Report> {
    let grid = month_grid(db, actor, year).await?;
    let towns: HashMap<i64, String> = grid
        .towns
        .iter()
        .map(|t| (t.town_id, t.town_name.clone()))
        .collect();
    let mut headings = vec![
        Heading::Key("activities.centre"),
        Heading::Key("activities.grid_community"),
    ];
    headings.extend(Year(year).months().map(|m| Heading::Text(m.label())));
    headings.push(Heading::Key("activities.late"));
    let mut rows: Vec<Row> = grid
        .rows
        .into_iter()
        .map(|r| {
            let mut cells = vec![Cell::Text(r.centre_name), Cell::Text(r.community_name)];
            cells.extend(r.counts.iter().zip(1u32..).map(|(n, m)| {
                if r.not_set_up.contains(&m) && *n == 0 {
                    Cell::NotExpected
                } else if r.below.contains(&m) {
                    Cell::Flagged(*n)
                } else {
                    Cell::Count(*n)
                }
            }));
            cells.push(Cell::Count(r.late));
            Row {
                node_id: r.centre_id,
                path: r.path,
                cells,
            }
        })
        .collect();
    let totals = roll_up(&rows, org::rules::TOWN_LEVEL, &towns);
    rows.extend(totals);
    Ok(Report {
        title: "activities.grid",
        headings,
        rows,
        notes: vec!["activities.grid_file_note"],
    })
}
