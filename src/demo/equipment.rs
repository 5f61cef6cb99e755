//! The demo's equipment: Tongnan's standard list (Qunli's, for every learning centre) and Linzi's
//! (the provincial standard for the street's centre); Qunli's 群力社区 centre nearly equipped (its
//! amplifier needs repair, its balls are short), 双河村 with gaps; Qiling's centre with its five
//! function rooms but no courts or table-tennis room yet, and a broken projector.

use crate::access::Actor;
use crate::db::Db;
use crate::equipment::{self, ItemInput};
use crate::error::Result;
use crate::org::{self, Node};
use crate::venues::RoomInput;

pub(super) async fn load(
    db: &Db,
    tongnan: &Node,
    linzi: &Node,
    qunli: &Node,
    qiling: &Node,
) -> Result<()> {
    equipment::seed_standard(db, tongnan, equipment::QUNLI_CENTRE).await?;
    equipment::seed_standard(db, linzi, equipment::SHANDONG_SCHOOL).await?;
    let year = super::schedule::demo_year();
    let date = format!("{year}-03-01");
    let place = |name: &'static str| async move {
        let found = org::places_under(db, "/").await?;
        Ok::<_, crate::error::Error>(found.into_iter().find(|n| n.name == name))
    };
    for (town, centre, lines, rooms) in [
        (
            qunli,
            "群力社区学习中心",
            &[
                ("课桌椅", 20, "good", "office"),
                ("电视机", 1, "good", "office"),
                ("扩音器", 1, "repair", "office"),
                ("黑板", 1, "good", "office"),
                ("电脑", 1, "good", "donated"),
                ("棋类", 4, "good", "culture"),
                ("球类", 2, "good", "culture"),
            ][..],
            &[("活动室", 40)][..],
        ),
        (
            qunli,
            "双河村学习中心",
            &[
                ("课桌椅", 12, "good", "school"),
                ("黑板", 1, "good", "school"),
            ][..],
            &[("村委会议室", 30)][..],
        ),
        (
            qiling,
            "齐陵街道社区教育中心",
            &[
                ("课桌凳", 40, "good", "school"),
                ("电视机", 2, "good", "school"),
                ("投影机", 1, "broken", "school"),
                ("音响", 1, "good", "school"),
                ("打印机", 1, "good", "school"),
            ][..],
            &[
                ("数字化学习中心", 60),
                ("图书阅览室", 40),
                ("文体活动室", 50),
                ("培训教室", 50),
                ("档案资料室", 10),
            ][..],
        ),
    ] {
        let Some(node) = place(centre).await? else {
            continue;
        };
        let office = Actor::command_line_for_town(town.id, &town.path);
        let standard = equipment::standard_for(db, &node).await?;
        let line = |name: &str| standard.iter().find(|l| l.name == name).map(|l| l.id);
        if !equipment::centre(db, &office, node.id)
            .await?
            .items
            .is_empty()
        {
            continue;
        }
        for (name, quantity, condition, source) in lines {
            let input = ItemInput {
                node_id: node.id,
                standard_id: line(name),
                name: Some(name.to_string()),
                quantity: quantity.to_string(),
                condition: condition.to_string(),
                source: source.to_string(),
                acquired_on: Some(date.clone()),
                ..Default::default()
            };
            equipment::add_item(db, &office, &input).await?;
        }
        for (name, capacity) in rooms {
            let input = RoomInput {
                node_id: node.id,
                standard_id: line(name),
                name: name.to_string(),
                capacity: Some(capacity.to_string()),
                note: None,
            };
            equipment::add_room(db, &office, &input).await?;
        }
    }
    Ok(())
}
