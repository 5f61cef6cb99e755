//! The annual report (年报) of a town or a district — the one a town hands upward and the district
//! compares its towns by: every KPI against its target, per centre (a town) or per town (a
//! district), attendance by month and the themes' share, the year-end ranking, the awards, the
//! funds' execution, the inspections' results and the schedule's completion.

use serde::Serialize;

use super::optional;
use crate::access::Actor;
use crate::commendation;
use crate::db::Db;
use crate::error::Result;
use crate::funding;
use crate::inspections;
use crate::org::{self, Kind, Node};
use crate::schedule::{self, Status as RowStatus};
use crate::targets::{self, Kpi, Scorecard, Standing, Trends};

/// A place's line of the year-end ranking: the KPIs met, then participation, decide.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct RankLine {
    pub rank: usize,
    pub node_id: i64,
    pub name: String,
    pub met: usize,
    pub participation: String,
    /// The KPIs at risk or missed.
    pub short: Vec<Kpi>,
}

/// The winners of one category in a town's published rounds of the year.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct AwardLine {
    pub town: String,
    pub category: String,
    /// As the public notice names them (a person's name masked).
    pub winners: Vec<String>,
}

/// A town's funds of the year, in fen.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct FundsLine {
    pub town_id: i64,
    pub town: String,
    pub population: i64,
    pub floor_fen: i64,
    pub government_fen: i64,
    pub shortfall_fen: i64,
    pub income_fen: i64,
    pub spent_fen: i64,
    pub balance_fen: i64,
}

/// The inspections' results: a centre's year-end assessment (a town's report) or a town's centres
/// averaged (a district's).
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct AssessedLine {
    pub rank: usize,
    pub town: String,
    pub place: String,
    pub inspections: i64,
    /// Hundredths of a point.
    pub score: i64,
    /// The leadership group approved the town's assessment.
    pub approved: bool,
}

/// A town's schedule of the year: rows, done, overdue.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ScheduleLine {
    pub town: String,
    pub rows: usize,
    pub done: usize,
    pub overdue: usize,
}

/// A town's or a district's year.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct AnnualReport {
    pub place: Scorecard,
    /// The places one level down, ranked by participation.
    pub parts: Vec<Scorecard>,
    pub trends: Trends,
    pub ranking: Vec<RankLine>,
    pub awards: Vec<AwardLine>,
    pub funds: Vec<FundsLine>,
    pub assessed: Vec<AssessedLine>,
    pub schedule: Vec<ScheduleLine>,
}

impl AnnualReport {
    /// Nothing recorded in the year: shown empty, not refused.
    pub fn is_empty(&self) -> bool {
        self.trends
            .attendance_by_month
            .iter()
            .all(|m| m.attendances == 0)
            && self.trends.themes.is_empty()
    }
}

/// The year-end ranking of places by their KPIs: the most KPIs met first, then the higher
/// participation; equal places share a rank.
pub fn ranking(parts: &[Scorecard]) -> Vec<RankLine> {
    let key = |s: &Scorecard| {
        let met = s
            .lines
            .iter()
            .filter(|l| l.standing == Standing::Met)
            .count();
        let rate = s
            .line(Kpi::Participation)
            .and_then(|l| l.value)
            .unwrap_or(-1.0);
        (met, rate)
    };
    let mut keyed: Vec<(&Scorecard, (usize, f64))> = parts.iter().map(|s| (s, key(s))).collect();
    keyed.sort_by(|a, b| b.1.0.cmp(&a.1.0).then(b.1.1.total_cmp(&a.1.1)));
    let mut out: Vec<RankLine> = Vec::new();
    for (i, (s, k)) in keyed.iter().enumerate() {
        let rank = match i {
            0 => 1,
            _ if keyed[i - 1].1 == *k => out[i - 1].rank,
            _ => i + 1,
        };
        out.push(RankLine {
            rank,
            node_id: s.node_id,
            name: s.name.clone(),
            met: k.0,
            participation: s
                .line(Kpi::Participation)
                .map_or("—".into(), |l| l.shown.clone()),
            short: s
                .lines
                .iter()
                .filter(|l| matches!(l.standing, Standing::AtRisk | Standing::Missed))
                .map(|l| l.kpi)
                .collect(),
        });
    }
    out
}

/// The annual report of a place inside the reader's scope (a town, a district; a centre's is its
/// KPIs and charts alone).
pub async fn annual(
    db: &Db,
    actor: &Actor,
    node_id: Option<i64>,
    year: i32,
) -> Result<AnnualReport> {
    super::check_period(year, None)?;
    let c = targets::compare(db, actor, node_id, year).await?;
    let trends = targets::trends(db, actor, Some(c.place.node_id), year).await?;
    let towns: Vec<Node> = match c.place.kind {
        Kind::District => org::nodes_under(db, &c.place.path, &[Kind::Town]).await?,
        Kind::Town => org::get_node_unscoped(db, c.place.node_id)
            .await?
            .into_iter()
            .collect(),
        _ => Vec::new(),
    };
    let whole_district = c.place.kind == Kind::District;
    let mut report = AnnualReport {
        ranking: ranking(&c.parts),
        place: c.place,
        parts: c.parts,
        trends,
        awards: Vec::new(),
        funds: Vec::new(),
        assessed: Vec::new(),
        schedule: Vec::new(),
    };
    for t in towns.iter().filter(|t| t.retired_at.is_none()) {
        town_sections(db, actor, t, year, whole_district, &mut report).await?;
    }
    if whole_district {
        let scores: Vec<i64> = report.assessed.iter().map(|a| a.score).collect();
        let mut ranked = Vec::with_capacity(scores.len());
        for (i, rank) in inspections::rules::ranks(&scores) {
            let mut a = report.assessed[i].clone();
            a.rank = rank;
            ranked.push(a);
        }
        report.assessed = ranked;
    }
    Ok(report)
}

/// One town's awards, funds, inspections and schedule, each as its concept shows it to the reader.
async fn town_sections(
    db: &Db,
    actor: &Actor,
    town: &Node,
    year: i32,
    per_town: bool,
    report: &mut AnnualReport,
) -> Result<()> {
    let published = commendation::published_results(db, town.id).await?;
    let mut awards: Vec<AwardLine> = Vec::new();
    for round in published.rounds.iter().filter(|r| r.year == year) {
        for w in &round.winners {
            match awards.iter_mut().find(|a| a.category == w.category) {
                Some(a) => a.winners.push(w.name.clone()),
                None => awards.push(AwardLine {
                    town: town.name.clone(),
                    category: w.category.clone(),
                    winners: vec![w.name.clone()],
                }),
            }
        }
    }
    report.awards.extend(awards);
    if let Some(f) = optional(funding::year(db, actor, Some(town.id), year).await)? {
        report.funds.push(FundsLine {
            town_id: town.id,
            town: town.name.clone(),
            population: f.population,
            floor_fen: f.floor_fen,
            government_fen: f.government_fen,
            shortfall_fen: f.shortfall_fen,
            income_fen: f.income_fen,
            spent_fen: f.spent_fen,
            balance_fen: f.balance_fen,
        });
    }
    if let Some(a) = optional(inspections::assessment(db, actor, Some(town.id), year).await)? {
        if per_town {
            let scored = a.lines.len().max(1) as i64;
            report.assessed.push(AssessedLine {
                rank: 0,
                town: town.name.clone(),
                place: town.name.clone(),
                inspections: a.lines.iter().map(|l| l.inspections).sum(),
                score: a.lines.iter().map(|l| l.score).sum::<i64>() / scored,
                approved: a.approved,
            });
        } else {
            report.assessed.extend(a.lines.iter().map(|l| AssessedLine {
                rank: l.rank,
                town: town.name.clone(),
                place: l.node_name.clone(),
                inspections: l.inspections,
                score: l.score,
                approved: a.approved,
            }));
        }
    }
    if let Some(s) = optional(schedule::year(db, actor, Some(town.id), year).await)? {
        report.schedule.push(ScheduleLine {
            town: town.name.clone(),
            rows: s.rows.len(),
            done: s
                .rows
                .iter()
                .filter(|r| r.status == RowStatus::Done)
                .count(),
            overdue: s
                .rows
                .iter()
                .filter(|r| r.status == RowStatus::Overdue)
                .count(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::targets::rules::line;

    fn card(id: i64, name: &str, participants: i64, met_awareness: bool) -> Scorecard {
        let aware = if met_awareness { (8, 10) } else { (1, 10) };
        Scorecard {
            node_id: id,
            name: name.into(),
            kind: Kind::Town,
            path: String::new(),
            year: 2025,
            as_of: chrono::NaiveDate::from_ymd_opt(2025, 12, 31).unwrap(),
            population: 100,
            lines: vec![
                line(Kpi::Participation, participants, 100, 25.0, 1.0, "x"),
                line(Kpi::Awareness, aware.0, aware.1, 70.0, 1.0, "x"),
            ],
            satisfaction: Default::default(),
            centres_below: Vec::new(),
        }
    }

    #[test]
    fn places_rank_by_kpis_met_then_participation_and_ties_share_a_rank() {
        let parts = [
            card(1, "甲镇", 40, false),
            card(2, "乙镇", 30, true),
            card(3, "丙镇", 20, false),
            card(4, "丁镇", 40, false),
        ];
        let r = ranking(&parts);
        let got: Vec<(usize, &str, usize)> =
            r.iter().map(|l| (l.rank, l.name.as_str(), l.met)).collect();
        assert_eq!(
            got,
            [
                (1, "乙镇", 2),
                (2, "甲镇", 1),
                (2, "丁镇", 1),
                (4, "丙镇", 0)
            ]
        );
        assert_eq!(r[3].short, [Kpi::Participation, Kpi::Awareness]);
        assert_eq!(r[0].participation, "30.0%");
    }
}
