//! The KPIs' figures of a place gathered once, per node (community, owner, town, place of an
//! answer), so that a place and every place one level down are read from the same few queries —
//! a district's thirty towns compared cost what the district alone costs.

use chrono::NaiveDate;

use crate::activities::{self, CentreMonths};
use crate::attendance;
use crate::calendar::Year;
use crate::db::Db;
use crate::error::Result;
use crate::funding;
use crate::meetings;
use crate::org::{self, Kind};
use crate::rollups;
use crate::surveys::{self, MeasureCounts};

/// Everything under a path that a KPI counts, each figure with the path of the node it belongs to.
pub(super) struct Gathered {
    /// The active towns, communities and centres under the path (the path's own node included).
    pub nodes: Vec<org::Node>,
    /// (community path, population, participants of the year).
    communities: Vec<(String, i64, i64)>,
    towns: Vec<String>,
    measured: Vec<(String, MeasureCounts)>,
    ratings: Vec<(String, i64, i64)>,
    centres: Vec<CentreMonths>,
    trainings: Vec<(String, i64)>,
    meetings: Vec<(String, i64)>,
    funds: Vec<(String, i64)>,
}

/// The figures of one place, summed from what was gathered.
#[derive(Default)]
pub(super) struct Figures {
    pub population: i64,
    pub participants: i64,
    pub asked: MeasureCounts,
    pub ratings: (i64, i64),
    pub centres: Vec<CentreMonths>,
    /// Towns inside the place (1 for a town, 0 for a community).
    pub towns: i64,
    pub trainings: i64,
    pub meetings: i64,
    pub funds_fen: i64,
}

/// Reads the figures of a year under a path: a handful of grouped queries whatever its size.
pub(super) async fn gather(db: &Db, path: &str, year: i32) -> Result<Gathered> {
    let nodes = org::nodes_under(db, path, &[Kind::Town, Kind::Community, Kind::Centre]).await?;
    let participants = rollups::participants_by_community(db, path, year).await?;
    let communities = nodes
        .iter()
        .filter(|n| n.kind() == Kind::Community && n.retired_at.is_none())
        .map(|n| {
            let joined = participants
                .iter()
                .find(|(c, _)| *c == n.id)
                .map_or(0, |(_, p)| *p);
            (n.path.clone(), n.population.unwrap_or(0), joined)
        })
        .collect();
    let (from, until) = (
        NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or_default(),
        NaiveDate::from_ymd_opt(year + 1, 1, 1).unwrap_or_default(),
    );
    Ok(Gathered {
        communities,
        towns: nodes
            .iter()
            .filter(|n| n.kind() == Kind::Town)
            .map(|n| n.path.clone())
            .collect(),
        measured: surveys::measured_by_place(db, path, from, until).await?,
        ratings: attendance::figures::rating_counts_by_owner(db, path, Year(year)).await?,
        centres: activities::centre_months(db, path, &nodes, year).await?,
        trainings: activities::trainings_by_town(db, path, year).await?,
        meetings: meetings::leadership_by_town(db, path, year).await?,
        funds: funding::special_budget_by_town(db, path, year).await?,
        nodes,
    })
}

fn sum_under(rows: &[(String, i64)], prefix: &str) -> i64 {
    rows.iter()
        .filter(|(p, _)| p.starts_with(prefix))
        .map(|(_, n)| n)
        .sum()
}

impl Gathered {
    /// The figures of the place at `prefix` (the gathered path or a path inside it).
    pub(super) fn under(&self, prefix: &str) -> Figures {
        let mut f = Figures::default();
        for (path, population, joined) in &self.communities {
            if path.starts_with(prefix) {
                f.population += population;
                f.participants += joined;
            }
        }
        for (_, m) in self.measured.iter().filter(|(p, _)| p.starts_with(prefix)) {
            for (total, part) in [
                (&mut f.asked.awareness, m.awareness),
                (&mut f.asked.approval, m.approval),
                (&mut f.asked.satisfaction, m.satisfaction),
            ] {
                total.0 += part.0;
                total.1 += part.1;
            }
        }
        for (_, satisfied, all) in self.ratings.iter().filter(|r| r.0.starts_with(prefix)) {
            f.ratings.0 += satisfied;
            f.ratings.1 += all;
        }
        f.centres = self
            .centres
            .iter()
            .filter(|c| c.path.starts_with(prefix))
            .cloned()
            .collect();
        // A town's own figures: its path is the prefix, or the prefix lies inside it (a
        // community's town does not make it a town).
        f.towns = self.towns.iter().filter(|t| t.starts_with(prefix)).count() as i64;
        if f.towns > 0 {
            f.trainings = sum_under(&self.trainings, prefix);
            f.meetings = sum_under(&self.meetings, prefix);
            f.funds_fen = sum_under(&self.funds, prefix);
        }
        f
    }
}
