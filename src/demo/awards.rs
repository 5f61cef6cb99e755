//! The demo's commendation round in Qunli for the year of its history: families and buildings,
//! nominated by the 群力社区 centre's head, one passed by the office and approved by the
//! leadership group (its reward booked), one waiting for the office; and last year's round, decided
//! on paper before the town used cedu, entered afterwards by the office and published (the
//! portal's public list has something to show).

use crate::access::{Actor, Role};
use crate::calendar::Day;
use crate::commendation::{self, CategoryInput, DecidedInput, NominationInput, RoundInput};
use crate::db::Db;
use crate::error::Result;
use crate::org::{self, Node};
use crate::page::PageRequest;
use crate::people;

/// An actor of a role bound to a node (the demo acts as the people the plans name).
fn acting(role: Role, node: &Node, scope: &str) -> Actor {
    Actor {
        role,
        node_id: node.id,
        scope_path: scope.to_string(),
        scope_node_id: node.id,
        ..Actor::command_line()
    }
}

/// Last year's round as decided on paper at the group's year-end meeting: two families and one
/// learning individual, entered afterwards, published.
async fn last_year_on_paper(db: &Db, qunli: &Node, office: &Actor, centre: &Actor) -> Result<()> {
    let year = super::schedule::demo_year() - 1;
    let category = |code: &str, quota| CategoryInput {
        category: code.into(),
        quota,
        reward: None,
    };
    let input = RoundInput {
        town_id: qunli.id,
        year,
        title: format!("{year}年度学习型家庭、学习型个人评选表彰"),
        deadline: format!("{year}-11-30"),
        categories: vec![
            category("learning_family", 3),
            category("learning_individual", 2),
        ],
    };
    let round = commendation::open_round(db, office, &input).await?.round;
    let households =
        people::list_households(db, centre, None, None, PageRequest::new(Some(2), Some(2))).await?;
    let residents = people::list_residents(
        db,
        centre,
        &people::ResidentFilter::default(),
        PageRequest::new(Some(3), Some(1)),
    )
    .await?;
    let mut winners: Vec<(&str, i64, &str)> = households
        .items
        .iter()
        .map(|h| {
            (
                "learning_family",
                h.id,
                "全家参加社区读书会和家庭教育讲座,带动邻里。",
            )
        })
        .collect();
    winners.extend(residents.items.iter().map(|r| {
        (
            "learning_individual",
            r.id,
            "坚持参加老年大学智能手机班,义务辅导同伴。",
        )
    }));
    for (code, id, deeds) in winners {
        let decided = DecidedInput {
            category: code.into(),
            nominee_id: Some(id),
            nominee_name: None,
            deeds: deeds.into(),
            decided_on: format!("{year}-12-26"),
            decided_by: "社区教育工作领导小组年终会议".into(),
        };
        commendation::record_decided(db, office, round.id, &decided).await?;
    }
    commendation::publish(db, office, round.id).await?;
    Ok(())
}

pub(super) async fn load(db: &Db, qunli: &Node) -> Result<()> {
    let year = super::schedule::demo_year();
    let office = Actor::command_line_for_town(qunli.id, &qunli.path);
    if let Some(community) = org::communities_under(db, &qunli.path)
        .await?
        .into_iter()
        .find(|(_, n)| n == "群力社区")
        && let Some(node) = org::get_node_unscoped(db, community.0).await?
    {
        let centre = acting(Role::CentreHead, &node, &node.path);
        last_year_on_paper(db, qunli, &office, &centre).await?;
    }
    let input = RoundInput {
        town_id: qunli.id,
        year,
        title: format!("{year}年度学习型家庭、学习型楼栋评选表彰"),
        deadline: format!("{year}-12-31"),
        categories: vec![
            CategoryInput {
                category: "learning_family".into(),
                quota: 5,
                reward: Some("200".into()),
            },
            CategoryInput {
                category: "learning_building".into(),
                quota: 2,
                reward: None,
            },
        ],
    };
    let round = commendation::open_round(db, &office, &input).await?.round;
    if Day::today() > Day(round.deadline) {
        return Ok(());
    }
    let Some(community) = org::communities_under(db, &qunli.path)
        .await?
        .into_iter()
        .find(|(_, n)| n == "群力社区")
    else {
        return Ok(());
    };
    let community = org::get_node_unscoped(db, community.0)
        .await?
        .ok_or(crate::error::Error::NotFound)?;
    let centre = acting(Role::CentreHead, &community, &community.path);
    let households =
        people::list_households(db, &centre, None, None, PageRequest::new(None, Some(2))).await?;
    let deeds = [
        "全家三代坚持参加社区读书会和健康讲座,家中藏书三百余册,带动邻里共同学习。",
        "夫妻二人常年参加广场舞和智能手机培训,主动教楼里的老人用手机。",
    ];
    let mut ids = Vec::new();
    for (h, deeds) in households.items.iter().zip(deeds) {
        let n = NominationInput {
            category: "learning_family".into(),
            nominee_id: Some(h.id),
            nominee_name: None,
            deeds: deeds.into(),
        };
        ids.push(
            commendation::nominate(db, &centre, round.id, &n, Vec::new())
                .await?
                .id,
        );
    }
    if let Some(first) = ids.first() {
        commendation::step(db, &office, *first, "pass", None).await?;
        let leader = acting(Role::Leadership, qunli, &qunli.path);
        commendation::step(db, &leader, *first, "approve", None).await?;
    }
    Ok(())
}
