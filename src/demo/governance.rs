//! The year's governance of every town of a generated district, for benchmarks: the annual
//! schedule (Qiling's 20 rows, units the town's own), the funds (the floor from the government,
//! other income, four expenses a month), a commendation round with units nominated, the
//! leadership group's and the office's meetings, each centre's inventory and rooms, held
//! activities (2 a month), two inspections a centre scored with a finding. Written through the
//! use-cases (what a clerk would do), so it costs what the real records cost.

use crate::access::{Actor, Role};
use crate::calendar::Day;
use crate::commendation::{self, CategoryInput, NominationInput, RoundInput};
use crate::db::Db;
use crate::equipment::{self, ItemInput};
use crate::error::{Error, Result};
use crate::funding::{self, ExpenseInput, IncomeInput};
use crate::inspections::{self, FindingInput, ScheduleInput, ScoreInput, ScoresInput};
use crate::meetings::{self, MeetingInput};
use crate::org::{self, Kind, Node};
use crate::schedule::{self, RowInput};
use crate::venues::RoomInput;

use super::generator::Generator;

/// What was written, for the benchmark's report.
#[derive(Debug, Default)]
pub struct Written {
    pub schedule_rows: usize,
    pub expenses: usize,
    pub nominations: usize,
    pub meetings: usize,
    pub items: usize,
    pub activities: usize,
    pub inspections: usize,
}

/// Writes a year of governance for each town (the year so far when it is this year).
pub async fn towns(db: &Db, towns: &[Node], year: i32, theme_id: i64) -> Result<Written> {
    let mut g = Generator::new(year as u64);
    let mut w = Written::default();
    let today = Day::today();
    let last = Day::ymd(year, 12, 31)
        .filter(|d| *d <= today)
        .unwrap_or(today);
    let months = chrono::Datelike::month(&last.0);
    for town in towns {
        let office = Actor::command_line_for_town(town.id, &town.path);
        let places = org::places_under(db, &town.path).await?;
        let units: Vec<&str> = places.iter().map(|p| p.name.as_str()).collect();
        // The annual schedule.
        for (i, (m, item, _)) in super::schedule::QILING.iter().enumerate() {
            let input = RowInput {
                months: (*m).into(),
                item: (*item).into(),
                units: units[i % units.len().max(1)].into(),
                special_event: None,
                version: None,
            };
            // A town of the demo may have the row already (refused as a duplicate).
            match schedule::add(db, &office, town.id, year, &input).await {
                Ok(_) => w.schedule_rows += 1,
                Err(Error::Invalid(_)) => {}
                Err(e) => return Err(e),
            }
        }
        // The funds: the floor from the government, other income, four expenses a month.
        let population = org::population_under(db, &town.path).await?;
        for (channel, fen) in [("government", population * 200), ("community", 500_000)] {
            let input = IncomeInput {
                town_id: town.id,
                year,
                date: format!("{year}-01-15"),
                channel: channel.into(),
                amount: format!("{}.{:02}", fen / 100, fen % 100),
                source: None,
                note: None,
            };
            funding::add_income(db, &office, &input).await?;
        }
        let categories = ["activity", "lost_work", "award", "equipment"];
        for month in 1..=months {
            for k in 0..4 {
                let place = &places[g.between(0, places.len() as i64 - 1) as usize];
                let input = ExpenseInput {
                    town_id: town.id,
                    year,
                    date: format!("{year}-{month:02}-{:02}", 3 + k * 6),
                    category: categories[k as usize].into(),
                    amount: g.between(200, 3000).to_string(),
                    payee: "镇文具店".into(),
                    node_id: Some(place.id),
                    activity_id: None,
                    teacher_id: None,
                    note: None,
                    over_budget_reason: Some("生成的数据".into()),
                };
                funding::add_expense(db, &office, &input, None).await?;
                w.expenses += 1;
            }
        }
        // Commendation: a round (unless the town has its own already), units nominated by two
        // centres.
        let round = match commendation::open_round(
            db,
            &office,
            &RoundInput {
                town_id: town.id,
                year,
                title: format!("{year}年度学习型单位评选"),
                deadline: format!("{year}-12-31"),
                categories: vec![CategoryInput {
                    category: "learning_unit".into(),
                    quota: 5,
                    reward: None,
                }],
            },
        )
        .await
        {
            Ok(r) => Some(r),
            Err(Error::Invalid(_) | Error::Conflict(_)) => None,
            Err(e) => return Err(e),
        };
        if let Some(round) = round.filter(|r| Day::today() <= Day(r.round.deadline)) {
            for centre in places.iter().filter(|p| p.kind() == Kind::Centre).take(2) {
                let head = Actor {
                    role: Role::CentreHead,
                    node_id: centre.id,
                    scope_path: org::rules::parent_path(&centre.path),
                    scope_node_id: centre.id,
                    ..Actor::command_line()
                };
                let n = NominationInput {
                    category: "learning_unit".into(),
                    nominee_id: None,
                    nominee_name: Some(format!("{}农民合作社", centre.name)),
                    deeds: "组织社员参加农业实用技术培训十余次,带动周边农户共同学习。".into(),
                };
                commendation::nominate(db, &head, round.round.id, &n, Vec::new()).await?;
                w.nominations += 1;
            }
        }
        // Meetings: the leadership group twice, the office quarterly.
        for (kind, month) in [
            ("leadership", 3),
            ("office", 4),
            ("office", 7),
            ("leadership", 9),
        ] {
            let Some(day) = Day::ymd(year, month, 10).filter(|d| *d <= today) else {
                continue;
            };
            let input = MeetingInput {
                town_id: town.id,
                kind: kind.into(),
                held_on: day.to_string(),
                place: "镇政府会议室".into(),
                agenda: "研究部署社区教育工作".into(),
                minutes: Some("会议听取了各学习中心工作汇报。".into()),
                present: Vec::new(),
                decisions: Vec::new(),
            };
            meetings::record(db, &office, &input).await?;
            w.meetings += 1;
        }
        // Each place: its inventory and a room, held activities, two inspections.
        let templates = inspections::templates(db, &office).await?;
        for place in &places {
            let standard = equipment::standard_for(db, place).await?;
            for line in standard
                .iter()
                .filter(|l| l.kind == equipment::StandardKind::Item)
            {
                let held = g.between(0, line.quantity + 1);
                if held == 0 {
                    continue;
                }
                let input = ItemInput {
                    node_id: place.id,
                    standard_id: Some(line.id),
                    quantity: held.to_string(),
                    condition: if g.between(0, 9) == 0 {
                        "repair"
                    } else {
                        "good"
                    }
                    .into(),
                    source: "office".into(),
                    acquired_on: Some(format!("{year}-02-20")),
                    ..Default::default()
                };
                equipment::add_item(db, &office, &input).await?;
                w.items += 1;
            }
            let room = RoomInput {
                node_id: place.id,
                standard_id: None,
                name: "活动室".into(),
                capacity: Some("40".into()),
                note: None,
            };
            match equipment::add_room(db, &office, &room).await {
                Ok(_) | Err(Error::Invalid(_)) => {}
                Err(e) => return Err(e),
            }
            let starts: Vec<_> = (1..=months)
                .flat_map(|m| [8, 22].map(move |d| (m, d)))
                .filter_map(|(m, d)| Day::ymd(year, m, d).filter(|x| *x < today))
                .map(|d| d.at(chrono::NaiveTime::from_hms_opt(9, 0, 0).unwrap_or_default()))
                .collect();
            w.activities +=
                crate::activities::generated::generate_held(db, place, theme_id, &starts).await?;
            let Some(template) = templates.first() else {
                continue;
            };
            for month in [3, 9] {
                let Some(day) = Day::ymd(year, month, 15).filter(|d| *d <= today) else {
                    continue;
                };
                let planned = ScheduleInput {
                    node_id: place.id,
                    template_id: template.id,
                    kind: "scheduled".into(),
                    planned_on: Some(day.to_string()),
                };
                let i = inspections::schedule(db, &office, &planned).await?;
                let scores = template
                    .items
                    .iter()
                    .map(|item| ScoreInput {
                        item_id: item.id,
                        points: g.between(item.max_points / 2, item.max_points).to_string(),
                        note: None,
                    })
                    .collect();
                let input = ScoresInput {
                    version: i.version,
                    inspected_on: Some(day.to_string()),
                    scores,
                    summary: None,
                    findings: vec![FindingInput {
                        finding: "活动资料归档不及时".into(),
                        due_on: day.plus_days(30).to_string(),
                    }],
                };
                inspections::record_scores(db, &office, i.id, &input).await?;
                w.inspections += 1;
            }
        }
    }
    Ok(w)
}

/// The path of a node's parent (a centre head's scope is its community).
/// The towns of a district (benchmarks).
pub async fn district_towns(db: &Db, district: &Node) -> Result<Vec<Node>> {
    let all = org::all_of_kind(db, &Actor::command_line(), Kind::Town).await?;
    let towns: Vec<Node> = all
        .into_iter()
        .filter(|t| t.path.starts_with(&district.path))
        .collect();
    if towns.is_empty() {
        return Err(Error::NotFound);
    }
    Ok(towns)
}
