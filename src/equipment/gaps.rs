//! The gap report (配备缺口): each centre of a town (and its school) against the standard lines
//! that apply to it — missing, short, broken — as a page, the API and an xlsx laid out for print.

use super::rules::{gap_status, lacking};
use super::*;
use crate::spreadsheet::Printout;
use crate::venues::{self, Room};

/// How a centre stands against one line of its standard.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct GapLine {
    pub standard_id: i64,
    pub kind: StandardKind,
    pub name: String,
    pub unit: String,
    /// The quantity the standard asks for.
    pub quantity: i64,
    pub required: bool,
    pub held: Held,
    pub status: GapStatus,
    /// Units to buy (missing or short).
    pub to_buy: i64,
    /// Units to repair.
    pub to_repair: i64,
}

/// A centre's gaps (only the lines that are gaps).
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct CentreGaps {
    pub node_id: i64,
    pub node_name: String,
    pub missing: i64,
    pub short: i64,
    pub broken: i64,
    pub gaps: Vec<GapLine>,
}

/// The gaps of a town's centres and school.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct TownGaps {
    pub town_id: i64,
    pub town_name: String,
    pub centres: Vec<CentreGaps>,
}

/// The lines of a standard against an inventory and rooms (written-off lines and closed rooms do
/// not count).
pub fn lines(standard: &[StandardLine], items: &[EquipmentItem], rooms: &[Room]) -> Vec<GapLine> {
    standard
        .iter()
        .map(|l| {
            let mut held = Held::default();
            match l.kind {
                StandardKind::Item => {
                    for i in items
                        .iter()
                        .filter(|i| i.standard_id == Some(l.id) && i.written_off_at.is_none())
                    {
                        if i.condition == Condition::Good {
                            held.good += i.quantity;
                        } else {
                            held.faulty += i.quantity;
                        }
                    }
                }
                StandardKind::Room => {
                    held.good = rooms
                        .iter()
                        .filter(|r| r.standard_id == Some(l.id) && r.closed_at.is_none())
                        .count() as i64;
                }
            }
            let status = gap_status(l.quantity, l.required, held);
            let (to_buy, to_repair) = if status.is_gap() {
                lacking(l.quantity, held)
            } else {
                (0, 0)
            };
            GapLine {
                standard_id: l.id,
                kind: l.kind,
                name: l.name.clone(),
                unit: l.unit.clone(),
                quantity: l.quantity,
                required: l.required,
                held,
                status,
                to_buy,
                to_repair,
            }
        })
        .collect()
}

/// The gaps of every centre and the school of a town (the office's, the leadership's and the
/// district's view; a centre head sees the own centre).
pub async fn town_gaps(db: &Db, actor: &Actor, town_id: Option<i64>) -> Result<TownGaps> {
    actor.require(Permission::EquipmentRead)?;
    let town = org::town_for(db, actor, town_id).await?;
    let places: Vec<Node> = org::places_under(db, &town.path)
        .await?
        .into_iter()
        .filter(|n| actor.sees(&n.path))
        .collect();
    if places.is_empty() && !actor.sees(&town.path) {
        return Err(Error::NotFound);
    }
    let items = store::items_under(db, &town.path).await?;
    let rooms = venues::open_rooms_under(db, &town.path).await?;
    let lists = store::standards_above(db, &town.path).await?;
    let mut centres = Vec::new();
    for n in places {
        let applies = if n.kind() == Kind::School {
            AppliesTo::School
        } else {
            AppliesTo::Centre
        };
        let standard: Vec<StandardLine> = lists
            .iter()
            .filter(|l| l.applies_to == applies)
            .cloned()
            .collect();
        let own_items: Vec<EquipmentItem> = items
            .iter()
            .filter(|i| i.node_id == n.id)
            .cloned()
            .collect();
        let own_rooms: Vec<Room> = rooms
            .iter()
            .filter(|r| r.node_id == n.id)
            .cloned()
            .collect();
        let gaps: Vec<GapLine> = lines(&standard, &own_items, &own_rooms)
            .into_iter()
            .filter(|g| g.status.is_gap())
            .collect();
        let count = |s: GapStatus| gaps.iter().filter(|g| g.status == s).count() as i64;
        centres.push(CentreGaps {
            node_id: n.id,
            node_name: n.name,
            missing: count(GapStatus::Missing),
            short: count(GapStatus::Short),
            broken: count(GapStatus::Broken),
            gaps,
        });
    }
    Ok(TownGaps {
        town_id: town.id,
        town_name: town.name,
        centres,
    })
}

/// The title of a town's gap report.
pub fn gaps_title(g: &TownGaps) -> String {
    format!("{}社区教育设施设备配备缺口表", g.town_name)
}

/// The gap report laid out for print: a row per gap, the centre's cell merged over its rows.
pub fn gaps_printout(g: &TownGaps) -> Printout {
    let status = |s: GapStatus| match s {
        GapStatus::Missing => "缺少",
        GapStatus::Short => "数量不足",
        GapStatus::Broken => "损坏待修",
        GapStatus::Met => "达标",
        GapStatus::Optional => "可选",
    };
    let mut rows = Vec::new();
    for c in &g.centres {
        if c.gaps.is_empty() {
            rows.push(vec![
                c.node_name.clone(),
                "全部达标".into(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
            ]);
        }
        for l in &c.gaps {
            rows.push(vec![
                c.node_name.clone(),
                l.name.clone(),
                format!("{}{}", l.quantity, l.unit),
                format!("{}{}", l.held.good, l.unit),
                format!("{}{}", l.held.faulty, l.unit),
                status(l.status).into(),
                match (l.to_buy, l.to_repair) {
                    (0, r) => format!("维修 {r}{}", l.unit),
                    (b, 0) => format!("添置 {b}{}", l.unit),
                    (b, r) => format!("添置 {b}{u},维修 {r}{u}", u = l.unit),
                },
            ]);
        }
    }
    Printout {
        sheet_name: "配备缺口".into(),
        title: gaps_title(g),
        headers: ["单位", "项目", "标准", "完好", "待修/损坏", "缺口", "需要"]
            .map(String::from)
            .to_vec(),
        widths: vec![26.0, 18.0, 8.0, 8.0, 10.0, 10.0, 22.0],
        rows,
        landscape: false,
    }
}
