//! The demo's first plans: next month's activities of every centre, one approved and one waiting
//! for review (one of them returned), made through the activities' lifecycle like a clerk's.

use chrono::Datelike;

use super::generator::Generator;
use crate::access::Actor;
use crate::activities::{self, ActivityInput, Transition};
use crate::db::Db;
use crate::error::Result;
use crate::org::Node;

/// Next month's plans of every centre of a town: two each, one approved, one waiting for review
/// (the last centre's came back with a reason).
pub(super) async fn next_month(db: &Db, g: &mut Generator, town: &Node) -> Result<()> {
    let office = Actor::command_line_for_town(town.id, &town.path);
    let district = crate::catalogue::district_of(&town.path).unwrap_or(0);
    let themes = crate::catalogue::themes(db, district).await?;
    let formats = crate::catalogue::formats(db, district).await?;
    let today = crate::calendar::Day::today().0;
    let next = if today.month() == 12 {
        (today.year() + 1, 1)
    } else {
        (today.year(), today.month() + 1)
    };
    // The first eight of the titles the history uses.
    let titles = &super::history::TITLES[..8];
    let pools = crate::teachers::pools(db, &office).await?;
    let centres: Vec<_> = pools
        .iter()
        .filter(|p| p.kind == crate::org::Kind::Centre)
        .collect();
    for (i, pool) in centres.iter().enumerate() {
        for k in 0..2 {
            let day = chrono::NaiveDate::from_ymd_opt(
                next.0,
                next.1,
                (6 + k * 10 + (i % 5) as u32).min(28),
            )
            .unwrap_or(today);
            let input = ActivityInput {
                title: titles[g.between(0, titles.len() as i64 - 1) as usize].into(),
                owner_id: pool.id,
                theme_id: themes[g.between(0, themes.len() as i64 - 1) as usize].id,
                format_id: formats.first().map(|f| f.id),
                date: day.to_string(),
                start_time: "09:00".into(),
                end_time: "10:30".into(),
                capacity: Some("40".into()),
                featured: k == 0 && i % 3 == 0,
                ..Default::default()
            };
            let planned = activities::plan(db, &office, &input).await?;
            for a in planned {
                activities::transition(db, &office, a.id, Transition::Submit, None).await?;
                if k == 0 {
                    activities::transition(db, &office, a.id, Transition::Approve, None).await?;
                } else if i + 1 == centres.len() {
                    // One plan came back: the centre has to complete it and submit again.
                    let reason = Some("请补充授课教师和具体活动地点后重新报送");
                    activities::transition(db, &office, a.id, Transition::Return, reason).await?;
                }
            }
        }
    }
    Ok(())
}
