//! The demo's commendation round in Qunli for the year of its history: families and buildings,
//! nominated by the 群力社区 centre's head, one passed by the office and approved by the
//! leadership group (its reward booked), one waiting for the office.

use crate::access::{Actor, Role};
use crate::calendar::Day;
use crate::commendation::{self, CategoryInput, NominationInput, RoundInput};
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

pub(super) async fn load(db: &Db, qunli: &Node) -> Result<()> {
    let year = super::schedule::demo_year();
    let office = Actor::command_line_for_town(qunli.id, &qunli.path);
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
