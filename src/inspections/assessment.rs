//! The year-end assessment (年终考核): a town's centres and school ranked by the office's weights
//! of the average inspection score and of what the record says (activities against 2 a month,
//! the share documented, participation against the plan's 25 %, rectifications closed), each
//! centre's breakdown shown; frozen once the leadership group approves it. Participation is the
//! participation KPI's: the residents of the centre's community (the school: of the town) who took
//! part in any activity of the year, read from the roll-ups.

use serde_json::json;

use super::rules::{self, Parts, Weights, share};
use super::visits::months_between;
use super::*;
use crate::access::{Actor, Permission};
use crate::audit::{self, Entry};
use crate::calendar::{Day, Year};
use crate::db::Db;
use crate::error::{Error, Msg, Result};
use crate::evidence;
use crate::org::{self, Kind, Node};
use crate::spreadsheet::Printout;

/// A centre's line of the assessment.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AssessmentLine {
    pub rank: usize,
    pub node_id: i64,
    pub node_name: String,
    /// The score in hundredths of a point (8077 = 80.77).
    pub score: i64,
    /// Each part in hundredths of a percent (0–10000).
    pub parts: Parts,
    pub inspections: i64,
    pub held: i64,
    /// 2 a month over the months it ran this year.
    pub expected: i64,
    pub documented: i64,
    /// Residents of the place's community (a school: the town) who took part in the year.
    pub participants: i64,
    pub population: i64,
    pub rectifications: i64,
    pub rectifications_closed: i64,
}

/// A town's assessment of a year.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Assessment {
    pub town_id: i64,
    pub town_name: String,
    pub year: i32,
    pub weights: Weights,
    /// Approved by the leadership group: frozen as it was approved.
    pub approved: bool,
    pub approved_at: Option<chrono::DateTime<chrono::Utc>>,
    pub approver_name: Option<String>,
    /// The version to send back with a change of the weights or the approval (none before the
    /// office set weights).
    pub version: Option<i64>,
    pub lines: Vec<AssessmentLine>,
}

/// The assessment of a town's year: the frozen one once approved, else computed now. A centre
/// head sees the own centre's line, with its rank among the town's.
pub async fn assessment(
    db: &Db,
    actor: &Actor,
    town_id: Option<i64>,
    year: i32,
) -> Result<Assessment> {
    actor.require(Permission::InspectionsRead)?;
    if !(2000..=2100).contains(&year) {
        return Err(Error::NotFound);
    }
    let town = org::town_for(db, actor, town_id).await?;
    let whole_town = actor.sees(&town.path);
    if !whole_town
        && !town.path.starts_with(&actor.scope_path)
        && !actor.scope_path.starts_with(&town.path)
    {
        return Err(Error::NotFound);
    }
    let row = store::assessment(db, town.id, year).await?;
    let weights = row.as_ref().map(|r| r.weights()).unwrap_or_default();
    let frozen = row
        .as_ref()
        .and_then(|r| r.frozen.as_deref())
        .map(serde_json::from_str::<Vec<AssessmentLine>>)
        .transpose()
        .map_err(|e| Error::internal_from("frozen assessment", e))?;
    let mut lines = match frozen {
        Some(lines) => lines,
        None => compute(db, &town, year, &weights).await?,
    };
    if !whole_town {
        let places = org::places_under(db, &actor.scope_path).await?;
        lines.retain(|l| places.iter().any(|p| p.id == l.node_id));
    }
    Ok(Assessment {
        town_id: town.id,
        town_name: town.name,
        year,
        weights,
        approved: row.as_ref().is_some_and(|r| r.status == "approved"),
        approved_at: row.as_ref().and_then(|r| r.approved_at),
        approver_name: row.as_ref().and_then(|r| r.approver_name.clone()),
        version: row.as_ref().map(|r| r.version),
        lines,
    })
}

/// Each place's parts and score under the weights, ranked.
async fn compute(db: &Db, town: &Node, year: i32, w: &Weights) -> Result<Vec<AssessmentLine>> {
    let span = Year(year).span();
    let scores = store::year_scores(db, town.id, span).await?;
    let rects = store::year_rectifications(db, town.id, span).await?;
    let joined = crate::rollups::participants_by_community(db, &town.path, year).await?;
    let today = Day::today().0;
    let last_day = (span.1 - chrono::Days::new(1)).min(today);
    let mut lines = Vec::new();
    for n in org::places_under(db, &town.path).await? {
        let from = n.setup_date.map_or(span.0, |d| d.max(span.0));
        let expected = 2 * months_between(from, last_day);
        let (held, documented) = if from <= last_day {
            evidence::held_of(db, n.id, Day(from).start(), Day(last_day).end()).await?
        } else {
            (0, 0)
        };
        // A centre serves its community; the town school the whole town.
        let (served, participants) = if n.kind() == Kind::School {
            (town.path.clone(), joined.iter().map(|(_, p)| p).sum())
        } else {
            let community = joined.iter().find(|(c, _)| Some(*c) == n.parent_id);
            (
                org::rules::parent_path(&n.path),
                community.map_or(0, |(_, p)| *p),
            )
        };
        let population = org::population_under(db, &served).await?;
        let (inspections, sum) = scores
            .iter()
            .find(|s| s.0 == n.id)
            .map_or((0, 0), |s| (s.1, s.2));
        let (all, closed) = rects
            .iter()
            .find(|r| r.0 == n.id)
            .map_or((0, 0), |r| (r.1, r.2));
        let parts = Parts {
            inspection: if inspections > 0 {
                sum / inspections
            } else {
                0
            },
            activities: share(held, expected, 0),
            // Participation against the plan's 25 %: 4 × participants ÷ population.
            participation: share(4 * participants, population, 0),
            documented: share(documented, held, 0),
            rectification: share(closed, all, 10_000),
        };
        lines.push(AssessmentLine {
            rank: 0,
            node_id: n.id,
            node_name: n.name,
            score: rules::score(w, &parts),
            parts,
            inspections,
            held,
            expected,
            documented,
            participants,
            population,
            rectifications: all,
            rectifications_closed: closed,
        });
    }
    let scores: Vec<i64> = lines.iter().map(|l| l.score).collect();
    let mut ranked = Vec::with_capacity(lines.len());
    for (i, rank) in rules::ranks(&scores) {
        let mut l = lines[i].clone();
        l.rank = rank;
        ranked.push(l);
    }
    Ok(ranked)
}

/// Sets the weights of a town's year (the office), while the leadership group has not approved
/// it; with the version read, once there is one.
pub async fn set_weights(
    db: &Db,
    actor: &Actor,
    town_id: i64,
    year: i32,
    weights: &Weights,
    version: Option<i64>,
) -> Result<Assessment> {
    actor.require(Permission::InspectionsManage)?;
    let before = assessment(db, actor, Some(town_id), year).await?;
    if before.approved {
        return Err(Error::Conflict(Msg::new("inspections.assessment_frozen")));
    }
    if !weights.valid() {
        return Err(Error::invalid(
            "weights",
            Msg::new("inspections.weights_sum"),
        ));
    }
    let town = org::town_for(db, actor, Some(town_id)).await?;
    let mut tx = db.begin().await?;
    let key = (town.id, town.path.as_str(), year);
    let version = version.or(before.version);
    if !store::set_weights(&mut tx, key, weights, version, chrono::Utc::now()).await? {
        return Err(Error::Conflict(Msg::new(
            "inspections.changed_meanwhile_plain",
        )));
    }
    audit::record(
        &mut tx,
        actor,
        Entry::of("inspections.weights_set", ASSESSMENT, None, &town.path)
            .before(json!(before.weights))
            .after(json!({"year": year, "weights": weights})),
    )
    .await?;
    tx.commit().await?;
    assessment(db, actor, Some(town.id), year).await
}

/// Approves the assessment (the leadership group): the ranking as computed now is kept and
/// never changes afterwards.
pub async fn approve_assessment(
    db: &Db,
    actor: &Actor,
    town_id: i64,
    year: i32,
    version: Option<i64>,
) -> Result<Assessment> {
    actor.require(Permission::AssessmentApprove)?;
    let now = assessment(db, actor, Some(town_id), year).await?;
    if now.approved {
        return Err(Error::Conflict(Msg::new("inspections.assessment_frozen")));
    }
    if year > Year::current().0 {
        return Err(Error::Conflict(Msg::new("inspections.assessment_future")));
    }
    let town = org::town_for(db, actor, Some(town_id)).await?;
    let frozen =
        serde_json::to_string(&now.lines).map_err(|e| Error::internal_from("assessment", e))?;
    let at = chrono::Utc::now();
    let mut tx = db.begin().await?;
    let key = (town.id, town.path.as_str(), year);
    // The version the leader read: approving refuses a ranking changed since.
    let version = match version.or(now.version) {
        Some(v) => v,
        None => {
            // Approved with the default weights: the row is made first.
            store::set_weights(&mut tx, key, &now.weights, None, at).await?;
            1
        }
    };
    let id = store::assessment(&mut tx, town.id, year)
        .await?
        .map_or(0, |r| r.id);
    let by = (actor.user_id, actor.display_name.as_str());
    if !store::approve(&mut tx, id, version, &frozen, by, at).await? {
        return Err(Error::Conflict(Msg::new(
            "inspections.changed_meanwhile_plain",
        )));
    }
    audit::record(
        &mut tx,
        actor,
        Entry::of(
            "inspections.assessment_approved",
            ASSESSMENT,
            None,
            &town.path,
        )
        .after(json!({"year": year, "weights": now.weights,
                "first": now.lines.first().map(|l| l.node_name.clone())})),
    )
    .await?;
    tx.commit().await?;
    assessment(db, actor, Some(town.id), year).await
}

/// The title of a town's assessment.
pub fn assessment_title(a: &Assessment) -> String {
    format!("{}年{}社区教育学习中心年终考核排名", a.year, a.town_name)
}

/// The assessment laid out for print: a row per centre with its breakdown.
pub fn assessment_printout(a: &Assessment) -> Printout {
    let pct = |v: i64| format!("{}%", rules::hundredths(v));
    let rows = a
        .lines
        .iter()
        .map(|l| {
            vec![
                l.rank.to_string(),
                l.node_name.clone(),
                rules::hundredths(l.score),
                format!("{}({}次)", pct(l.parts.inspection), l.inspections),
                format!("{}({}/{})", pct(l.parts.activities), l.held, l.expected),
                format!("{}({}/{})", pct(l.parts.documented), l.documented, l.held),
                format!(
                    "{}({}/{})",
                    pct(l.parts.participation),
                    l.participants,
                    l.population
                ),
                format!(
                    "{}({}/{})",
                    pct(l.parts.rectification),
                    l.rectifications_closed,
                    l.rectifications
                ),
            ]
        })
        .collect();
    let w = a.weights;
    Printout {
        sheet_name: "年终考核".into(),
        title: assessment_title(a),
        headers: vec![
            "名次".into(),
            "单位".into(),
            "得分".into(),
            format!("督查平均分 {}%", w.inspection),
            format!("活动开展 {}%", w.activities),
            format!("资料归档 {}%", w.documented),
            format!("居民参与 {}%", w.participation),
            format!("整改销号 {}%", w.rectification),
        ],
        widths: vec![6.0, 24.0, 8.0, 16.0, 16.0, 16.0, 18.0, 16.0],
        rows,
        landscape: true,
    }
}
