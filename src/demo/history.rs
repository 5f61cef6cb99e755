//! The demo's year so far: both towns started using cedu this month and entered the months since
//! January from their paper records through the past-activity import (补录), as a clerk would.
//! Most centres held two or three activities a month, some only one in a few months (as real
//! towns do); each has a head count, some the names from the sign-in sheet. The older months are
//! documented with a photo; last month's are partly left to document, so the centre heads' home
//! pages have something to do. Seeded: the same on every start.

use chrono::Datelike;

use super::generator::Generator;
use crate::access::Actor;
use crate::activities::ActivityInput;
use crate::attendance::import::{PastActivity, PastActivityImport};
use crate::calendar::{Day, Month, Year};
use crate::db::Db;
use crate::error::Result;
use crate::evidence;
use crate::imports::{self, Town};
use crate::org::{self, Kind, Node};
use crate::page::PageRequest;
use crate::people::{self, ResidentFilter};

/// Titles of the demo's activities, as centres name them.
pub(super) const TITLES: [&str; 12] = [
    "健康养生知识讲座",
    "广场舞教学",
    "法律知识进社区",
    "农业实用技术培训",
    "文明礼仪讲堂",
    "剪纸技艺培训",
    "家庭教育沙龙",
    "消防安全知识宣传",
    "书法兴趣班",
    "防范电信诈骗讲座",
    "智能手机使用培训",
    "传统节日民俗体验",
];

/// The months of history: this year's before the current one (last year's in January).
pub(super) fn months_so_far(today: Day) -> Vec<Month> {
    let this = today.month();
    if this.month == 1 {
        Year(today.year() - 1).months().collect()
    } else {
        Year(today.year())
            .months()
            .take_while(|m| m.month < this.month)
            .collect()
    }
}

/// Imports a town's year so far and documents the older activities.
pub(super) async fn year_so_far(db: &Db, g: &mut Generator, town: &Node) -> Result<()> {
    let office = Actor::command_line_for_town(town.id, &town.path);
    let district = crate::catalogue::district_of(&town.path).unwrap_or(0);
    let themes = crate::catalogue::themes(db, district).await?;
    let today = Day::today();
    let months = months_so_far(today);
    let centres: Vec<Node> = org::all_of_kind(db, &office, Kind::Centre)
        .await?
        .into_iter()
        .filter(|c| c.path.starts_with(&town.path))
        .collect();
    let mut rows = Vec::new();
    for c in &centres {
        let Some(from) = c.counted_from() else {
            continue;
        };
        let residents: Vec<i64> = match c.parent_id {
            Some(community) => {
                let filter = ResidentFilter {
                    community_id: Some(community),
                    ..Default::default()
                };
                people::list_residents(db, &office, &filter, PageRequest::new(None, Some(200)))
                    .await?
                    .items
                    .into_iter()
                    .map(|r| r.id)
                    .collect()
            }
            None => Vec::new(),
        };
        for m in months.iter().filter(|m| m.last_day() >= from) {
            let held = match g.between(0, 99) {
                0..=11 => 1,
                12..=61 => 2,
                _ => 3,
            };
            for k in 0..held {
                let day = m.first_day().plus_days(2 + k * 9 + g.between(0, 5));
                let day = if day > m.last_day() {
                    m.last_day()
                } else {
                    day
                };
                if day >= today {
                    continue;
                }
                let afternoon = g.between(0, 1) == 1;
                let mut attendees = Vec::new();
                if !residents.is_empty() && g.between(0, 2) == 0 {
                    for _ in 0..g.between(4, 10) {
                        let r = residents[g.between(0, residents.len() as i64 - 1) as usize];
                        if !attendees.contains(&r) {
                            attendees.push(r);
                        }
                    }
                }
                rows.push(PastActivity {
                    activity: ActivityInput {
                        title: TITLES[g.between(0, TITLES.len() as i64 - 1) as usize].into(),
                        owner_id: c.id,
                        theme_id: themes[g.between(0, themes.len() as i64 - 1) as usize].id,
                        date: day.to_string(),
                        start_time: if afternoon { "14:30" } else { "09:00" }.into(),
                        end_time: if afternoon { "16:00" } else { "10:30" }.into(),
                        ..Default::default()
                    },
                    head_count: Some(attendees.len() as i64 + g.between(12, 45)),
                    attendees,
                });
            }
        }
    }
    let target = Town {
        id: town.id,
        path: town.path.clone(),
    };
    imports::write_checked::<PastActivityImport>(db, &office, &target, &rows).await?;
    document_older(db, g, &office, &months).await
}

/// Documents the imported activities of every month but the last with a placeholder photo, and
/// about half of the last month's; the rest stay held, waiting for their photos.
async fn document_older(
    db: &Db,
    g: &mut Generator,
    office: &Actor,
    months: &[Month],
) -> Result<()> {
    let photo = placeholder_photo();
    let last = months.last().copied();
    for m in months {
        let filter = crate::activities::ActivityFilter {
            status: Some("held".into()),
            from: Some(m.first_day()),
            to: Some(m.last_day()),
            ..Default::default()
        };
        let held =
            crate::activities::list(db, office, &filter, PageRequest::new(None, Some(200))).await?;
        for a in held.items {
            if Some(*m) == last && g.between(0, 1) == 0 {
                continue;
            }
            let name = format!("活动照片{}.jpg", a.starts_at.day());
            evidence::upload(
                db,
                office,
                a.id,
                evidence::Kind::Photo,
                &name,
                photo.clone(),
            )
            .await?;
            evidence::document(db, office, a.id, "据纸质签到表和照片补录。").await?;
        }
    }
    Ok(())
}

/// A small photo-like picture (a warm gradient) to stand for the activity's photos.
pub(super) fn placeholder_photo() -> Vec<u8> {
    let img = image::RgbImage::from_fn(96, 64, |x, y| {
        image::Rgb([200 + (x % 50) as u8, 150 + (y % 80) as u8, 120])
    });
    let mut out = Vec::new();
    image::DynamicImage::ImageRgb8(img)
        .write_to(
            &mut std::io::Cursor::new(&mut out),
            image::ImageFormat::Jpeg,
        )
        .map(|_| out)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn history_runs_from_january_to_last_month_or_over_last_year_in_january() {
        let months = months_so_far(Day::ymd(2026, 12, 1).unwrap());
        assert_eq!(months.len(), 11);
        assert_eq!(months[0].label(), "1月");
        let january = months_so_far(Day::ymd(2027, 1, 5).unwrap());
        assert_eq!((january.len(), january[0].year), (12, 2026));
    }
}
