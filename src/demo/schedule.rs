//! The demo's annual schedules (配档表) for the year of its history: Qiling's attachment as
//! printed, entered through the schedule import from a sheet laid out like the attachment (the
//! months merged), and Qunli's year typed row by row; a few rows marked done with a note and a
//! photo, one carried out by a documented activity, the rest planned, under way or overdue as the
//! day makes them.

use super::history::{months_so_far, placeholder_photo};
use crate::access::Actor;
use crate::calendar::Day;
use crate::db::Db;
use crate::error::Result;
use crate::imports::{self, Town};
use crate::org::Node;
use crate::page::PageRequest;
use crate::schedule::{self, MarkDone, RowInput, ScheduleImport};
use crate::spreadsheet::{self, Printout};

/// Qiling's 配档表 (the attachment of its work plan): months, work item, responsible unit.
pub(super) const QILING: [(&str, &str, &str); 20] = [
    ("1-2月", "加强社区防疫工作", "齐陵街道社区教育中心"),
    ("3月", "庆三八系列活动", "齐陵街道办事处"),
    ("4月", "社会实践活动", "齐陵街道中心校"),
    ("5月", "家校共育培训活动", "齐陵街道中心校"),
    ("5月", "五四青年节志愿服务", "齐陵街道社区教育中心"),
    ("6月", "“六一”活动及亲子教育", "齐陵街道中心校"),
    ("6月", "家庭教育培训", "齐陵街道社区教育中心"),
    ("7月", "“七一”系列活动", "齐陵街道办事处"),
    ("7月", "青少年暑假安全培训", "齐陵街道社区教育中心"),
    ("8月", "学生社会实践活动", "齐陵街道中心校"),
    ("8月", "中小学教师网络研修", "齐陵街道中心校"),
    ("8月", "社区教育中心开放月活动", "齐陵街道社区教育中心"),
    ("9月", "科技活动月", "齐陵街道办事处"),
    ("9月", "庆祝教师节活动", "齐陵街道中心校"),
    ("10月", "国庆节系列活动", "齐陵街道社区教育中心"),
    ("10月", "全民终身学习活动周", "齐陵街道办事处"),
    ("11月", "法制进校园", "齐陵街道中心校"),
    ("11月", "学习型家庭评选", "齐陵街道社区教育中心"),
    ("12月", "年度工作总结", "齐陵街道社区教育中心"),
    ("12月", "走访慰问困难群众", "齐陵街道办事处"),
];

/// Qunli's year as its office would type it (Q三–五: the leadership group's meeting, trainings,
/// the special events, the commendation, the summary): months, item, units, special event.
const QUNLI: [(&str, &str, &str, Option<&str>); 12] = [
    (
        "全年",
        "各学习中心每月开展不少于2次活动",
        "群力镇社区教育学校",
        None,
    ),
    ("全年", "社区读书会", "群力社区学习中心", None),
    (
        "3月",
        "召开社区教育工作领导小组会议",
        "群力社区教育工作领导小组",
        None,
    ),
    (
        "3月",
        "庆三八系列活动",
        "群力镇人民政府、社区教育管理办公室",
        None,
    ),
    (
        "4月",
        "师资培训(第一期)",
        "群力镇社区教育学校",
        Some("teacher_training"),
    ),
    ("5月", "健康知识进社区", "卫生服务中心", None),
    ("6月", "防范电信诈骗宣传", "派出所、司法所", None),
    (
        "9月",
        "全民终身学习活动周",
        "群力镇社区教育学校",
        Some("learning_week"),
    ),
    ("10月", "国庆系列活动", "文化服务中心", Some("national_day")),
    (
        "10月",
        "师资培训(第二期)",
        "群力镇社区教育学校",
        Some("teacher_training"),
    ),
    (
        "11月",
        "学习型家庭、学习型楼栋评选",
        "社区教育管理办公室",
        None,
    ),
    (
        "12月",
        "庆元旦·迎新春文艺汇演暨年度表彰",
        "文化服务中心",
        Some("new_year_gala"),
    ),
];

/// The year the demo's history covers (last year's in January).
pub(super) fn demo_year() -> i32 {
    months_so_far(Day::today())
        .first()
        .map_or_else(|| Day::today().year(), |m| m.year)
}

/// Marks the rows with these items done with a note and a photo, as their unit would.
async fn mark(db: &Db, office: &Actor, year: &schedule::YearTable, items: &[&str]) -> Result<()> {
    for r in year
        .rows
        .iter()
        .filter(|r| items.contains(&r.item.as_str()))
    {
        let m = MarkDone {
            note: format!("{}已按计划完成,照片和通知存档。", r.item),
            file: Some((format!("{}.jpg", r.item), placeholder_photo())),
        };
        schedule::mark_done(db, office, r.id, m).await?;
    }
    Ok(())
}

/// Qiling's schedule through the import, as the office would bring it from the Word document.
pub(super) async fn qiling(db: &Db, town: &Node) -> Result<()> {
    let office = Actor::command_line_for_town(town.id, &town.path);
    let year = demo_year();
    let printout = Printout {
        sheet_name: "工作配档表".into(),
        title: format!("{year}年齐陵街道社区教育中心工作配档表"),
        headers: ["月份", "工 作 安 排", "主 管 单 位"]
            .map(String::from)
            .to_vec(),
        widths: vec![10.0, 40.0, 30.0],
        rows: QILING
            .iter()
            .map(|(m, i, u)| vec![m.to_string(), i.to_string(), u.to_string()])
            .collect(),
        landscape: false,
    };
    let sheet = spreadsheet::read(&spreadsheet::printout_xlsx(&printout)?, "配档表.xlsx")?;
    let target = Town {
        id: town.id,
        path: town.path.clone(),
    };
    let batch =
        imports::preview::<ScheduleImport>(db, &office, &target, "配档表.xlsx", &sheet).await?;
    imports::confirm::<ScheduleImport>(db, &office, &batch, &target).await?;
    let table = schedule::year(db, &office, Some(town.id), year).await?;
    mark(db, &office, &table, &["庆三八系列活动", "家校共育培训活动"]).await
}

/// Qunli's schedule typed row by row; the May row carried out by a documented activity.
pub(super) async fn qunli(db: &Db, town: &Node) -> Result<()> {
    let office = Actor::command_line_for_town(town.id, &town.path);
    let year = demo_year();
    for (months, item, units, event) in QUNLI {
        let input = RowInput {
            months: months.into(),
            item: item.into(),
            units: units.into(),
            special_event: event.map(String::from),
            version: None,
        };
        schedule::add(db, &office, town.id, year, &input).await?;
    }
    let table = schedule::year(db, &office, Some(town.id), year).await?;
    let past = |item: &str| {
        table
            .rows
            .iter()
            .any(|r| r.item == item && r.months_of().is_past(Day::today()))
    };
    let done: Vec<&str> = [
        "召开社区教育工作领导小组会议",
        "庆三八系列活动",
        "防范电信诈骗宣传",
    ]
    .into_iter()
    .filter(|i| past(i))
    .collect();
    mark(db, &office, &table, &done).await?;
    if let Some(may) = table.rows.iter().find(|r| r.item == "健康知识进社区") {
        let months = may.months_of();
        let filter = crate::activities::ActivityFilter {
            status: Some("documented".into()),
            from: Some(months.start_month().first_day()),
            to: Some(months.end_month().last_day()),
            ..Default::default()
        };
        let held =
            crate::activities::list(db, &office, &filter, PageRequest::new(None, Some(1))).await?;
        if let Some(a) = held.items.first() {
            schedule::link(db, &office, may.id, a.id, true).await?;
        }
    }
    Ok(())
}
