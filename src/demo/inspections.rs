//! The demo's inspections: the districts' scoring templates (Qunli's 五(三), the provincial model
//! for Linzi); Qunli's office inspected the 群力社区 centre in June of the demo year, found its
//! amplifier and balls short, and the centre head has answered; 双河村's inspection is scheduled
//! next month; Qiling's centre was inspected by the provincial model.

use crate::access::{Actor, Role};
use crate::calendar::Day;
use crate::db::Db;
use crate::error::Result;
use crate::inspections::{self, FindingInput, ScheduleInput, ScoreInput, ScoresInput};
use crate::org::{self, Node};

pub(super) async fn load(
    db: &Db,
    (tongnan, linzi): (&Node, &Node),
    qunli: &Node,
    qiling: &Node,
) -> Result<()> {
    inspections::seed_template(db, tongnan, inspections::QUNLI_CHECK).await?;
    inspections::seed_template(db, linzi, inspections::PROVINCIAL_CHECK).await?;
    let year = super::schedule::demo_year();
    let today = Day::today();
    let day = Day::ymd(year, 6, 18)
        .filter(|d| *d <= today)
        .unwrap_or(today);
    for (town, office_name, centre, points, finding) in [
        (
            qunli,
            "张春林",
            "群力社区学习中心",
            &[22, 16, 13, 9, 11, 12][..],
            Some("扩音器待维修,球类不足 4 个,请尽快配齐"),
        ),
        (
            qiling,
            "齐陵街道社区教育办公室",
            "齐陵街道社区教育中心",
            &[13, 15, 12, 17, 13, 12][..],
            None,
        ),
    ] {
        let mut office = Actor::command_line_for_town(town.id, &town.path);
        office.display_name = office_name.into();
        let places = org::places_under(db, &town.path).await?;
        let Some(place) = places.iter().find(|n| n.name == centre) else {
            continue;
        };
        let templates = inspections::templates(db, &office).await?;
        let Some(template) = templates.first() else {
            continue;
        };
        if !inspections::year(db, &office, Some(town.id), year)
            .await?
            .inspections
            .is_empty()
        {
            continue;
        }
        let planned = ScheduleInput {
            node_id: place.id,
            template_id: template.id,
            kind: "scheduled".into(),
            planned_on: Some(day.to_string()),
        };
        let i = inspections::schedule(db, &office, &planned).await?;
        let scores = ScoresInput {
            version: i.version,
            inspected_on: Some(day.to_string()),
            scores: template
                .items
                .iter()
                .zip(points)
                .map(|(item, p)| ScoreInput {
                    item_id: item.id,
                    points: p.to_string(),
                    note: None,
                })
                .collect(),
            summary: Some("活动开展正常,资料基本齐全。".into()),
            findings: finding
                .map(|f| FindingInput {
                    finding: f.into(),
                    due_on: day.plus_days(30).to_string(),
                })
                .into_iter()
                .collect(),
        };
        let i = inspections::record_scores(db, &office, i.id, &scores).await?;
        // The centre head answers the finding.
        if let Some(r) = i.rectifications.first() {
            let mut head = office.clone();
            head.role = Role::CentreHead;
            head.display_name = format!("{centre}负责人");
            head.node_id = place.id;
            head.scope_path = place.path.clone();
            head.scope_node_id = place.id;
            let answer = "扩音器已送修,球类已向文化服务中心申请配发";
            inspections::rectify(
                db,
                &head,
                r.id,
                inspections::RectifyStep::Answer,
                Some(answer),
                None,
            )
            .await?;
        }
        // The next centre's inspection is planned for next month.
        if let Some(next) = places.iter().find(|n| n.name == "双河村学习中心") {
            let planned = ScheduleInput {
                node_id: next.id,
                template_id: template.id,
                kind: "scheduled".into(),
                planned_on: Some(today.plus_days(30).to_string()),
            };
            inspections::schedule(db, &office, &planned).await?;
        }
    }
    Ok(())
}
