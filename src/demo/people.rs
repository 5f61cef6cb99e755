//! The demo's people: the catalogue's themes of each plan, registered residents of every community
//! (generated, written through the residents' import plug-in with its audit record) and the teacher
//! pools with their training and service hours.

use super::DemoOptions;
use super::generator::{self, Generator};
use crate::access::Actor;
use crate::db::Db;
use crate::error::Result;
use crate::imports::{self, Town};
use crate::org::{self, Node, NodeFilter};
use crate::page::PageRequest;
use crate::people::import::{ResidentImport, ResidentRow};

/// Themes of Q's five "into the community" themes (潼南) or L's programme lines (临淄).
const QUNLI_THEMES: &[(&str, &str, &str)] = &[
    (
        "科技(实用技术)",
        "社保所",
        "技能培训、科普讲座、农业实用技术、国防安全知识、招聘会",
    ),
    (
        "文体",
        "文化服务中心",
        "送电影进社区,书画、摄影、广场舞、交谊舞、乐器等文体教学",
    ),
    (
        "卫生",
        "卫生服务中心、食药监所",
        "健康养生讲座、义诊、食药品安全、家庭护理培训",
    ),
    (
        "法律",
        "执法大队、司法所、派出所",
        "法律知识培训,消防、安全生产知识宣传,居规民约",
    ),
    (
        "思想道德",
        "党建办、文化服务中心",
        "文明礼仪、党员教育、梦想课堂、道德讲堂、中华魂读书活动",
    ),
];
const QILING_THEMES: &[(&str, &str, &str)] = &[
    (
        "老年教育",
        "齐陵街道社区教育中心",
        "健康保健、休闲娱乐、老有所为",
    ),
    (
        "青少年校外教育",
        "齐陵街道中心校",
        "文明、爱国、法律主题的暑期活动,课后服务",
    ),
    ("家庭教育", "齐陵街道中心校", "家长学校、科学育儿、家风家训"),
    (
        "乡村记忆与民俗技艺",
        "齐陵街道社区教育中心",
        "剪纸、版画、沥粉,村史馆与齐文化",
    ),
    (
        "职业技能培训",
        "齐陵街道办事处",
        "企业职工岗位培训,农林牧业从业人员培训",
    ),
    (
        "社会主义核心价值观教育",
        "齐陵街道党政办公室",
        "核心价值观宣讲与践行",
    ),
    (
        "特殊人群教育",
        "齐陵街道社区教育中心",
        "妇女、残疾人、外来人口等专门教育",
    ),
];

/// Residents of every community of a town, then the town's and the centres' teacher pools.
pub(super) async fn people_and_teachers(
    db: &Db,
    g: &mut Generator,
    district: &Node,
    town: &Node,
    opts: &DemoOptions,
) -> Result<()> {
    let themes = if district.name.contains("临淄") {
        QILING_THEMES
    } else {
        QUNLI_THEMES
    };
    let existing = crate::catalogue::themes(db, district.id).await?;
    if existing.is_empty() {
        for (name, lead, description) in themes {
            crate::catalogue::add_theme(db, district.id, name, Some(lead), Some(description))
                .await?;
        }
    }
    let theme_ids: Vec<i64> = crate::catalogue::themes(db, district.id)
        .await?
        .iter()
        .map(|t| t.id)
        .collect();
    let region = generator::region_code(&district.name);
    let mut serial: u64 = if district.name.contains("临淄") {
        20_000_000
    } else {
        10_000_000
    };
    generated_residents(
        db,
        g,
        town,
        region,
        Some(opts.residents_per_community),
        &mut serial,
    )
    .await?;

    let office = Actor::command_line_for_town(town.id, &town.path);
    let pools = crate::teachers::pools(db, &office).await?;
    let sources = crate::teachers::SOURCES;
    let specialities = [
        "书法",
        "广场舞",
        "农业实用技术",
        "家庭护理",
        "法律咨询",
        "剪纸",
        "摄影",
        "太极拳",
        "电脑入门",
        "家风家训",
    ];
    for pool in pools.iter().filter(|p| p.path.starts_with(&town.path)) {
        let count = if pool.kind == crate::org::Kind::School {
            6
        } else {
            2
        };
        for i in 0..count {
            let ty = match (pool.kind.as_str(), i) {
                ("school", 0) => "full_time",
                (_, i) if i % 3 == 2 => "volunteer",
                _ => "part_time",
            };
            let source = if ty == "volunteer" {
                [
                    "retired_teacher",
                    "retired_cadre",
                    "university_student",
                    "capable_local",
                ][g.between(0, 3) as usize]
            } else {
                sources[g.between(0, sources.len() as i64 - 1) as usize]
            };
            let first = theme_ids[g.between(0, theme_ids.len() as i64 - 1) as usize];
            let input = crate::teachers::TeacherInput {
                name: g.person_name(),
                node_id: pool.id,
                gender: Some(
                    if g.between(0, 1) == 0 {
                        "female"
                    } else {
                        "male"
                    }
                    .into(),
                ),
                phone: Some(format!("137{:08}", 30_000_000 + pool.id * 10 + i as i64)),
                teacher_type: ty.into(),
                source: source.into(),
                speciality: Some(
                    specialities[g.between(0, specialities.len() as i64 - 1) as usize].into(),
                ),
                theme_ids: vec![first],
            };
            let t = crate::teachers::create_teacher(db, &office, &input).await?;
            let training = crate::teachers::TimeEntry {
                date: "2020-05-16".into(),
                title: "社区教育管理人员与专兼职教师培训".into(),
                organiser: Some(format!("{}社区教育学院", district.name)),
                hours: "3".into(),
            };
            crate::teachers::add_training(db, &office, t.id, &training).await?;
            if ty == "volunteer" {
                for (date, title, hours) in [
                    ("2020-09-26", "庆祝中华人民共和国成立71周年", "2.5"),
                    ("2020-12-30", "庆元旦·迎新春文艺汇演", "3"),
                ] {
                    let e = crate::teachers::TimeEntry {
                        date: date.into(),
                        title: title.into(),
                        organiser: None,
                        hours: hours.into(),
                    };
                    crate::teachers::add_service(db, &office, t.id, &e).await?;
                }
            }
        }
    }
    Ok(())
}

/// Registered residents of every community of a town: `per_community`, or each community's
/// population.
pub(super) async fn generated_residents(
    db: &Db,
    g: &mut Generator,
    town: &Node,
    region: &str,
    per_community: Option<usize>,
    serial: &mut u64,
) -> Result<()> {
    let office = Actor::command_line_for_town(town.id, &town.path);
    let today = crate::calendar::Day::today().0;
    let target = Town {
        id: town.id,
        path: town.path.clone(),
    };
    let communities = org::list_nodes(
        db,
        &office,
        &NodeFilter {
            kind: Some(org::Kind::Community),
            ..Default::default()
        },
        PageRequest::new(None, Some(200)),
    )
    .await?;
    for c in communities.items {
        let n = per_community.unwrap_or(c.population.unwrap_or(0).max(0) as usize);
        let village = c.subtype.as_deref() == Some("village");
        let rows: Vec<ResidentRow> =
            generator::residents(g, c.id, village, region, n, serial, today)
                .into_iter()
                .map(ResidentRow::from)
                .collect();
        for chunk in rows.chunks(20_000) {
            imports::write_checked::<ResidentImport>(db, &office, &target, chunk).await?;
        }
    }
    Ok(())
}
