//! The demo's meetings: Qunli's leadership group met in March (its decisions followed up) and the
//! office holds its routine meetings; Qiling's group has not met yet this year, so its page says
//! so.

use crate::access::Actor;
use crate::calendar::Day;
use crate::db::Db;
use crate::error::Result;
use crate::meetings::{self, DecisionInput, MeetingInput};
use crate::org::{self, Node};

pub(super) async fn load(db: &Db, qunli: &Node) -> Result<()> {
    let year = super::schedule::demo_year();
    let office = Actor::command_line_for_town(qunli.id, &qunli.path);
    let today = Day::today();
    let groups = org::list_nodes(
        db,
        &office,
        &org::NodeFilter {
            kind: Some(org::Kind::Group),
            ..Default::default()
        },
        crate::page::PageRequest::new(None, Some(50)),
    )
    .await?;
    for (kind, date, place, agenda) in [
        (
            "leadership",
            format!("{year}-03-12"),
            "群力镇政府三楼会议室",
            "研究部署年度社区教育工作,审定年度工作配档表",
        ),
        (
            "office",
            format!("{year}-06-05"),
            "群力镇文化服务中心",
            "上半年学习中心活动开展情况通报",
        ),
    ] {
        let Some(day) = Day::parse(&date).filter(|d| *d <= today) else {
            continue;
        };
        let subtype = kind;
        let Some(group) = groups
            .items
            .iter()
            .find(|g| g.path.starts_with(&qunli.path) && g.subtype.as_deref() == Some(subtype))
        else {
            continue;
        };
        let members = org::members(db, &office, group.id).await?;
        let present: Vec<i64> = members
            .iter()
            .take(members.len().saturating_sub(1))
            .map(|m| m.id)
            .collect();
        let input = MeetingInput {
            town_id: qunli.id,
            kind: kind.into(),
            held_on: day.to_string(),
            place: place.into(),
            agenda: agenda.into(),
            minutes: Some("会议听取了社区教育学校的工作汇报,对下一阶段工作作出安排。".into()),
            present,
            decisions: vec![DecisionInput {
                decision: "各学习中心每月开展不少于 2 次活动,月底前上报活动资料".into(),
                owner: "张春林".into(),
                due_on: Some(format!("{year}-12-31")),
            }],
        };
        let m = meetings::record(db, &office, &input).await?;
        if kind == "leadership" {
            meetings::follow_up(db, &office, m.id, m.decisions[0].id, "已在每月例会上通报").await?;
        }
    }
    Ok(())
}
