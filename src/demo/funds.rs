//! The demo's funds for the year of its history: Qunli's special budget exactly at the floor of
//! 2 yuan per resident, Qiling's under it (the page shows the shortfall), income from other
//! channels, the year's expenses of the centres, and Qiling's register of enterprises and
//! schools (one enterprise under 1.5 %, the school under 5 %). Booked through the use-cases.

use crate::access::Actor;
use crate::db::Db;
use crate::error::Result;
use crate::funding::{self, ExpenseInput, IncomeInput, RegisterInput, floor_fen, yuan};
use crate::org::{self, Kind, Node};

/// The year of the demo's history.
fn demo_year() -> i32 {
    super::schedule::demo_year()
}

async fn income(
    db: &Db,
    office: &Actor,
    town: &Node,
    year: i32,
    (date, channel, fen, source): (&str, &str, i64, &str),
) -> Result<()> {
    let input = IncomeInput {
        town_id: town.id,
        year,
        date: format!("{year}-{date}"),
        channel: channel.into(),
        amount: yuan(fen),
        source: Some(source.into()),
        note: None,
    };
    funding::add_income(db, office, &input).await.map(|_| ())
}

/// Expenses of the year for the town's school and centres, spread over the months so far.
async fn expenses(db: &Db, office: &Actor, town: &Node, year: i32, last_month: u32) -> Result<()> {
    let mut units = org::all_of_kind(db, office, Kind::School).await?;
    units.extend(org::all_of_kind(db, office, Kind::Centre).await?);
    let units: Vec<Node> = units
        .into_iter()
        .filter(|n| n.path.starts_with(&town.path))
        .collect();
    let lines = [
        ("activity", "120000", "宣传展板及资料印制", "群力印务"),
        ("lost_work", "36000", "志愿者误工补助", "志愿服务队"),
        ("equipment", "258000", "投影仪一台", "县电器商场"),
        ("activity", "54050", "活动用品", "新华文具店"),
        ("award", "80000", "学习型家庭奖品", "百货商店"),
    ];
    for (i, unit) in units.iter().enumerate().take(6) {
        let (category, fen, note, payee) = lines[i % lines.len()];
        let month = (i as u32 % last_month.max(1)) + 1;
        let input = ExpenseInput {
            town_id: town.id,
            year,
            date: format!("{year}-{month:02}-15"),
            category: category.into(),
            amount: yuan(fen.parse().unwrap_or(0)),
            payee: payee.into(),
            node_id: Some(unit.id),
            note: Some(note.into()),
            ..Default::default()
        };
        funding::add_expense(db, office, &input, None).await?;
    }
    Ok(())
}

/// Both towns' funds.
pub(super) async fn load(db: &Db, qunli: &Node, qiling: &Node) -> Result<()> {
    let year = demo_year();
    let last_month = super::history::months_so_far(crate::calendar::Day::today())
        .last()
        .map_or(1, |m| m.month);
    // Qunli: the special budget exactly at the floor.
    let office = Actor::command_line_for_town(qunli.id, &qunli.path);
    let floor = floor_fen(org::population_under(db, &qunli.path).await?);
    income(
        db,
        &office,
        qunli,
        year,
        ("01-10", "government", floor, "群力镇人民政府"),
    )
    .await?;
    income(
        db,
        &office,
        qunli,
        year,
        ("03-05", "higher_level", 2_000_000, "潼南区教委"),
    )
    .await?;
    expenses(db, &office, qunli, year, last_month).await?;
    // Qiling: the special budget 80 % of the floor, rounded down to a thousand yuan.
    let office = Actor::command_line_for_town(qiling.id, &qiling.path);
    let floor = floor_fen(org::population_under(db, &qiling.path).await?);
    let budget = (floor * 8 / 10) / 100_000 * 100_000;
    income(
        db,
        &office,
        qiling,
        year,
        ("01-20", "government", budget.max(100_000), "齐陵街道办事处"),
    )
    .await?;
    income(
        db,
        &office,
        qiling,
        year,
        ("05-08", "donation", 500_000, "辖区企业捐赠"),
    )
    .await?;
    expenses(db, &office, qiling, year, last_month).await?;
    for (kind, name, base, spend) in [
        ("enterprise", "齐鲁石化配件厂", "1,200,000", "24,000"),
        ("enterprise", "临淄纺织厂", "2,000,000", "20,000"),
        ("school", "齐陵街道中心校", "800,000", "32,000"),
    ] {
        let input = RegisterInput {
            town_id: qiling.id,
            year,
            kind: kind.into(),
            name: name.into(),
            base: base.into(),
            spend: spend.into(),
            note: None,
        };
        funding::add_to_register(db, &office, &input).await?;
    }
    Ok(())
}
