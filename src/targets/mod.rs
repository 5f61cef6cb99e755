//! Targets (Q二(三)): the plan's KPIs computed live from what is recorded — participation,
//! awareness, approval, satisfaction (surveys and ratings), activities a centre a month, teacher
//! trainings, leadership meetings, special funds a resident — for a district, a town or a centre
//! and a year, each against the district's target with its standing, numerator and denominator;
//! and the same for the places one level down, to compare and drill into.
//!
//! Who reads what: `targets:read` reads the KPIs of a place inside the own scope (a centre head the
//! own community and its centre); the district's administrator (`targets:manage`) sets the
//! district's targets, which start from Qunli's figures.

mod gather;
pub mod rules;
mod store;
pub mod trends;

use chrono::{NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

pub use rules::{Kpi, KpiLine, Standing};
pub use trends::{MonthFigure, ThemeFigure, Trends, trends};

use crate::access::{Actor, Permission};
use crate::activities::CentreMonths;
use crate::audit::{self, Entry};
use crate::calendar::{Day, Year};
use crate::db::Db;
use crate::error::{Error, FieldErrors, Msg, Result};
use crate::org::{self, Kind, Node};

/// The subject type of a district's targets in the audit log.
pub const TARGETS: &str = "kpi_targets";

/// The two sources of satisfaction, shown apart: (satisfied, all) of each.
#[derive(Clone, Copy, Debug, Default, Serialize, utoipa::ToSchema)]
pub struct SatisfactionParts {
    pub survey_satisfied: i64,
    pub survey_answers: i64,
    pub ratings_satisfied: i64,
    pub ratings: i64,
}

/// A centre below the rule of 2 activities in some month of the year.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct CentreBelow {
    pub centre_id: i64,
    pub name: String,
    pub months_below: i64,
    pub months: i64,
}

/// A place's KPIs for a year.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Scorecard {
    pub node_id: i64,
    pub name: String,
    pub kind: Kind,
    #[serde(skip)]
    pub path: String,
    pub year: i32,
    /// The day the figures run to (today for the current year).
    pub as_of: NaiveDate,
    pub population: i64,
    pub lines: Vec<KpiLine>,
    pub satisfaction: SatisfactionParts,
    pub centres_below: Vec<CentreBelow>,
}

impl Scorecard {
    /// The line of a KPI.
    pub fn line(&self, kpi: Kpi) -> Option<&KpiLine> {
        self.lines.iter().find(|l| l.kpi == kpi)
    }
}

/// A place's KPIs and those of the places one level down (a district's towns, a town's
/// communities with their centres), ranked by participation.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Comparison {
    pub place: Scorecard,
    pub parts: Vec<Scorecard>,
    /// The place's learning centres with their activities month by month (the heat map's rows),
    /// from the same gathering.
    #[serde(skip)]
    pub centres: Vec<CentreMonths>,
}

/// A district's target of each KPI (the plan's until the district sets its own).
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct TargetLine {
    pub kpi: Kpi,
    pub target: f64,
    pub plan: f64,
}

/// Targets as typed: KPI name → value (a share in per cent, yuan, a count).
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct TargetsInput {
    pub district_id: Option<i64>,
    pub targets: std::collections::BTreeMap<String, String>,
}

/// The place a KPI (or a report) is read for, as (the place shown, the place whose figures count):
/// a centre is read as its community (its residents and population), named as the centre. The
/// own scope when none is named; 404 outside the reader's scope.
pub async fn place_of(db: &Db, actor: &Actor, node_id: Option<i64>) -> Result<(Node, Node)> {
    actor.require(Permission::TargetsRead)?;
    let id = match node_id {
        Some(id) => id,
        // A centre head's own place is the centre (named so), read as its community.
        None => match org::get_node_unscoped(db, actor.node_id).await? {
            Some(own) if own.kind() == Kind::Centre => own.id,
            _ => actor.scope_node_id,
        },
    };
    let node = org::get_node_unscoped(db, id)
        .await?
        .filter(|n| n.retired_at.is_none())
        .ok_or(Error::NotFound)?;
    let figures = match node.kind() {
        Kind::Centre => match node.parent_id {
            Some(p) => org::get_node_unscoped(db, p)
                .await?
                .ok_or(Error::NotFound)?,
            None => return Err(Error::NotFound),
        },
        Kind::District | Kind::Town | Kind::Community => node.clone(),
        _ => return Err(Error::NotFound),
    };
    if !actor.sees(&node.path) && !actor.sees(&figures.path) {
        return Err(Error::NotFound);
    }
    Ok((node, figures))
}

/// The district a place lies in.
fn district_of(path: &str) -> Option<i64> {
    org::rules::ancestor_id(path, org::rules::TOWN_LEVEL - 1)
}

/// A place's KPIs for a year (the current year up to today).
pub async fn scorecard(
    db: &Db,
    actor: &Actor,
    node_id: Option<i64>,
    year: i32,
) -> Result<Scorecard> {
    if !(2000..=2100).contains(&year) {
        return Err(Error::NotFound);
    }
    let (shown, figures) = place_of(db, actor, node_id).await?;
    compute(db, &shown, &figures, year).await
}

async fn compute(db: &Db, shown: &Node, figures: &Node, year: i32) -> Result<Scorecard> {
    let gathered = gather::gather(db, &figures.path, year).await?;
    let targets = targets_of(db, district_of(&figures.path)).await?;
    Ok(card(shown, &gathered.under(&figures.path), &targets, year))
}

/// A place's scorecard from its figures against the district's targets.
fn card(shown: &Node, f: &gather::Figures, targets: &[TargetLine], year: i32) -> Scorecard {
    let y = Year(year);
    let today = Day::today();
    let elapsed = rules::elapsed(y, today);
    let target = |k: Kpi| {
        targets
            .iter()
            .find(|t| t.kpi == k)
            .map_or(k.plan_target(), |t| t.target)
    };
    let asked = &f.asked;
    let ratings = f.ratings;
    let towns = f.towns;
    let population = f.population;
    let line = |k: Kpi, n: i64, d: i64, why: &str| rules::line(k, n, d, target(k), elapsed, why);
    let satisfaction = SatisfactionParts {
        survey_satisfied: asked.satisfaction.0,
        survey_answers: asked.satisfaction.1,
        ratings_satisfied: ratings.0,
        ratings: ratings.1,
    };
    let town_level = if towns > 0 { population } else { 0 };
    let lines = vec![
        line(
            Kpi::Participation,
            f.participants,
            population,
            "targets.no_population",
        ),
        line(
            Kpi::Awareness,
            asked.awareness.0,
            asked.awareness.1,
            "targets.no_answers",
        ),
        line(
            Kpi::Approval,
            asked.approval.0,
            asked.approval.1,
            "targets.no_answers",
        ),
        line(
            Kpi::Satisfaction,
            asked.satisfaction.0 + ratings.0,
            asked.satisfaction.1 + ratings.1,
            "targets.no_answers",
        ),
        line(
            Kpi::ActivitiesPerCentre,
            f.centres.iter().map(|c| c.activities).sum(),
            f.centres.iter().map(|c| c.months).sum(),
            "targets.no_centres",
        ),
        line(
            Kpi::TeacherTrainings,
            f.trainings,
            towns,
            "targets.of_towns",
        ),
        line(
            Kpi::LeadershipMeetings,
            f.meetings,
            towns,
            "targets.of_towns",
        ),
        line(
            Kpi::FundsPerResident,
            f.funds_fen,
            town_level,
            if towns > 0 {
                "targets.no_population"
            } else {
                "targets.of_towns"
            },
        ),
    ];
    let until = NaiveDate::from_ymd_opt(year + 1, 1, 1).unwrap_or_default();
    let as_of = if elapsed >= 1.0 {
        until.pred_opt().unwrap_or(until)
    } else {
        today.0
    };
    Scorecard {
        node_id: shown.id,
        name: shown.name.clone(),
        kind: shown.kind(),
        path: shown.path.clone(),
        year,
        as_of,
        population,
        lines,
        satisfaction,
        centres_below: f
            .centres
            .iter()
            .filter(|c| c.months_below > 0)
            .map(|c| CentreBelow {
                centre_id: c.centre_id,
                name: c.name.clone(),
                months_below: c.months_below,
                months: c.months,
            })
            .collect(),
    }
}

/// A place's KPIs and those one level down: a district's towns, a town's communities (named by
/// their learning centre), ranked by participation, highest first.
pub async fn compare(
    db: &Db,
    actor: &Actor,
    node_id: Option<i64>,
    year: i32,
) -> Result<Comparison> {
    if !(2000..=2100).contains(&year) {
        return Err(Error::NotFound);
    }
    let (shown, figures) = place_of(db, actor, node_id).await?;
    // One gathering of the place's figures serves the place and every place one level down.
    let gathered = gather::gather(db, &figures.path, year).await?;
    let one_down: &[Kind] = match figures.kind() {
        Kind::District => &[Kind::Town],
        Kind::Town => &[Kind::Community, Kind::Centre],
        _ => &[],
    };
    let (centres, below): (Vec<&Node>, Vec<&Node>) = gathered
        .nodes
        .iter()
        .filter(|n| one_down.contains(&n.kind()))
        .partition(|n| n.kind() == Kind::Centre);
    let targets = targets_of(db, district_of(&figures.path)).await?;
    let own = gathered.under(&figures.path);
    let place = card(&shown, &own, &targets, year);
    let mut parts = Vec::new();
    for n in below.iter().filter(|n| n.id != figures.id) {
        // A community is shown as its learning centre, where it has one.
        let shown = centres
            .iter()
            .find(|c| c.parent_id == Some(n.id))
            .copied()
            .unwrap_or(n);
        parts.push(card(shown, &gathered.under(&n.path), &targets, year));
    }
    Ok(Comparison {
        place,
        parts: ranked_by(parts, Kpi::Participation),
        centres: own.centres,
    })
}

/// Places ranked on one KPI, the highest value first, those without a value last (a stable sort:
/// equal places keep their order).
pub fn ranked_by(mut parts: Vec<Scorecard>, kpi: Kpi) -> Vec<Scorecard> {
    let value = |s: &Scorecard| s.line(kpi).and_then(|l| l.value).unwrap_or(-1.0);
    parts.sort_by(|a, b| value(b).total_cmp(&value(a)));
    parts
}

/// A district's targets (the plan's where it has set none).
pub async fn targets_of(db: &Db, district_id: Option<i64>) -> Result<Vec<TargetLine>> {
    let set = match district_id {
        Some(d) => store::targets(db, d).await?,
        None => Vec::new(),
    };
    Ok(Kpi::ALL
        .iter()
        .map(|k| TargetLine {
            kpi: *k,
            plan: k.plan_target(),
            target: set
                .iter()
                .find(|(kpi, _)| kpi == k)
                .map_or(k.plan_target(), |(_, v)| *v as f64 / 100.0),
        })
        .collect())
}

/// The targets of the actor's district, for whoever reads KPIs.
pub async fn targets(db: &Db, actor: &Actor) -> Result<Vec<TargetLine>> {
    actor.require(Permission::TargetsRead)?;
    targets_of(db, district_of(&actor.scope_path)).await
}

/// Sets the district's targets (its administrator); each value a non-negative number, shares at
/// most 100. Audited with before and after.
pub async fn set_targets(db: &Db, actor: &Actor, input: &TargetsInput) -> Result<Vec<TargetLine>> {
    actor.require(Permission::TargetsManage)?;
    let district = input
        .district_id
        .or_else(|| district_of(&actor.scope_path))
        .ok_or(Error::NotFound)?;
    let node = org::get_node_unscoped(db, district)
        .await?
        .filter(|n| n.kind() == Kind::District && actor.sees(&n.path))
        .ok_or(Error::NotFound)?;
    let mut fe = FieldErrors::default();
    let mut values = Vec::new();
    for (name, raw) in &input.targets {
        let Some(kpi) = Kpi::parse(name) else {
            fe.add(name, Msg::new("targets.unknown_kpi"));
            continue;
        };
        let max = if kpi.scale() == 100.0 {
            100.0
        } else {
            10_000.0
        };
        match raw.trim().parse::<f64>() {
            Ok(v) if (0.0..=max).contains(&v) => values.push((kpi, (v * 100.0).round() as i64)),
            _ => fe.add(name, Msg::new("targets.bad_value").arg("max", max)),
        }
    }
    fe.into_result()?;
    let before = targets_of(db, Some(district)).await?;
    let mut tx = db.begin().await?;
    for (kpi, v) in &values {
        store::set(&mut tx, district, *kpi, *v, actor.user_id, Utc::now()).await?;
    }
    let show = |lines: &[(Kpi, f64)]| {
        json!(
            lines
                .iter()
                .map(|(k, v)| (k.as_str(), *v))
                .collect::<std::collections::BTreeMap<_, _>>()
        )
    };
    let old: Vec<(Kpi, f64)> = before
        .iter()
        .filter(|t| values.iter().any(|(k, _)| *k == t.kpi))
        .map(|t| (t.kpi, t.target))
        .collect();
    let new: Vec<(Kpi, f64)> = values
        .iter()
        .map(|(k, v)| (*k, *v as f64 / 100.0))
        .collect();
    audit::record(
        &mut tx,
        actor,
        Entry::of("targets.set", TARGETS, Some(district), &node.path)
            .before(json!({"targets": show(&old)}))
            .after(json!({"targets": show(&new)})),
    )
    .await?;
    tx.commit().await?;
    targets_of(db, Some(district)).await
}
