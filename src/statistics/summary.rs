//! The year's work summary (年度工作总结, Qiling's December item) drafted from the figures as an
//! editable Word document: the headline figures against the targets, what each theme's lead
//! departments did (with highlights from the documented summaries), the featured classes and
//! learning teams, the special events, awards, funds, the schedule's completion, and the centres
//! and targets that fell short — plain Chinese sentences for the office to edit.

use chrono::Utc;

use super::annual::{AnnualReport, annual};
use crate::access::Actor;
use crate::activities::{self, Activity, ActivityFilter};
use crate::calendar::{Day, Year};
use crate::db::Db;
use crate::documents::{Block, Document};
use crate::error::Result;
use crate::funding::yuan;
use crate::i18n::{self, Lang};
use crate::page::PageRequest;
use crate::targets::{self, Kpi, Standing};

/// How long a highlight quoted from a documented summary may run, in characters.
const HIGHLIGHT_CHARS: usize = 80;

/// The work summary of a place's year (a town's, as its office writes it), drafted as a document.
pub async fn work_summary(
    db: &Db,
    actor: &Actor,
    node_id: Option<i64>,
    year: i32,
) -> Result<Document> {
    let report = annual(db, actor, node_id, year).await?;
    let held = held_in(db, actor, &report, year).await?;
    Ok(draft(&report, &held))
}

/// The activities the reader may read that were held under the place in the year.
async fn held_in(db: &Db, actor: &Actor, r: &AnnualReport, year: i32) -> Result<Vec<Activity>> {
    let y = Year(year);
    let filter = ActivityFilter {
        from: Day::ymd(year, 1, 1),
        to: Day::ymd(year, 12, 31),
        ..ActivityFilter::default()
    };
    // The place whose activities count (a centre's are its community's), as the KPIs decide it.
    let (_, figures) = targets::place_of(db, actor, Some(r.place.node_id)).await?;
    let under = figures.path;
    let now = Utc::now();
    let mut out = Vec::new();
    for page in 1.. {
        let got = activities::list(
            db,
            actor,
            &filter,
            PageRequest {
                page,
                per_page: 200,
            },
        )
        .await?;
        let last = got.items.len() < 200;
        out.extend(got.items.into_iter().filter(|a| {
            a.status().counts()
                && a.starts_at <= now
                && a.starts_at >= y.start()
                && a.owner_path.starts_with(&under)
        }));
        if last {
            break;
        }
    }
    Ok(out)
}

fn kpi_name(k: Kpi) -> String {
    i18n::t(Lang::Zh, &format!("targets.kpi.{k}")).to_string()
}

fn standing_name(s: Standing) -> String {
    i18n::t(Lang::Zh, &format!("targets.standing.{s}")).to_string()
}

/// The first sentence of a summary, cut to a highlight's length.
fn highlight(text: &str) -> String {
    let first = text
        .split(['。', '\n'])
        .find(|s| !s.trim().is_empty())
        .unwrap_or("")
        .trim();
    let mut out: String = first.chars().take(HIGHLIGHT_CHARS).collect();
    if first.chars().count() > HIGHLIGHT_CHARS {
        out.push('…');
    }
    out
}

/// The draft, made from the figures alone (no database: tested as it is).
pub fn draft(r: &AnnualReport, held: &[Activity]) -> Document {
    let p = &r.place;
    let mut d = Document::new(format!("{}{}年社区教育工作总结(初稿)", p.name, p.year));
    d.push(Block::Paragraph(format!(
        "本稿由 cedu 根据截至 {} 登记的数据自动生成,数字均可在系统中逐项核对,请办公室修改补充后使用。",
        p.as_of
    )));
    let attendances: i64 = r
        .trends
        .attendance_by_month
        .iter()
        .map(|m| m.attendances)
        .sum();
    let participation = p.line(Kpi::Participation);
    d.push(Block::Heading(1, "一、总体情况".into()));
    d.push(Block::Paragraph(format!(
        "{}年,{}共开展社区教育活动{}场,居民参加{}人次{}。常住人口{}人{}。",
        p.year,
        p.name,
        held.len(),
        attendances,
        participation.map_or(String::new(), |l| format!(",参与居民{}人", l.numerator)),
        p.population,
        participation
            .and_then(|l| l.value.map(|_| l))
            .map_or(String::new(), |l| format!(
                ",参与率{}(目标 ≥ {}),{}",
                l.shown,
                l.target_shown,
                standing_name(l.standing)
            )),
    )));
    d.push(Block::Heading(1, "二、主要指标完成情况".into()));
    let mut table = vec![vec![
        "指标".to_string(),
        "完成".into(),
        "目标".into(),
        "情况".into(),
    ]];
    for l in &p.lines {
        table.push(vec![
            kpi_name(l.kpi),
            l.shown.clone(),
            format!("≥ {}", l.target_shown),
            standing_name(l.standing),
        ]);
    }
    d.push(Block::Table(table));
    d.push(Block::Paragraph(format!(
        "满意率来自问卷 {} / {} 份满意、活动评价 {} / {} 条 4–5 分。",
        p.satisfaction.survey_satisfied,
        p.satisfaction.survey_answers,
        p.satisfaction.ratings_satisfied,
        p.satisfaction.ratings
    )));
    d.push(Block::Heading(1, "三、各主题工作开展情况".into()));
    themes(&mut d, held);
    d.push(Block::Heading(1, "四、特色课堂与学习团队".into()));
    let featured: Vec<&Activity> = held.iter().filter(|a| a.featured).collect();
    let teams: Vec<&Activity> = held.iter().filter(|a| a.learning_team).collect();
    d.push(Block::Paragraph(format!(
        "全年开展特色课堂{}场、学习团队活动{}场。",
        featured.len(),
        teams.len()
    )));
    for a in featured.iter().chain(teams.iter()).take(12) {
        d.push(Block::Bullet(format!(
            "{}({},{})",
            a.title,
            a.owner_name,
            Day::of(a.starts_at)
        )));
    }
    d.push(Block::Heading(1, "五、重点活动".into()));
    let mut any_event = false;
    for kind in activities::SPECIAL_EVENTS {
        let of: Vec<&Activity> = held
            .iter()
            .filter(|a| a.special_event.as_deref() == Some(kind))
            .collect();
        if of.is_empty() {
            continue;
        }
        any_event = true;
        let key = format!("activities.special.{kind}");
        let name = i18n::t(Lang::Zh, &key);
        let titles: Vec<&str> = of.iter().take(3).map(|a| a.title.as_str()).collect();
        d.push(Block::Bullet(format!(
            "{name}:{}场,如{}",
            of.len(),
            titles.join("、")
        )));
    }
    if !any_event {
        d.push(Block::Paragraph("本年度没有登记重点活动。".into()));
    }
    d.push(Block::Heading(1, "六、评选表彰".into()));
    if r.awards.is_empty() {
        d.push(Block::Paragraph("本年度没有公布的评选表彰结果。".into()));
    }
    for a in &r.awards {
        d.push(Block::Bullet(format!(
            "{}:{}名({})",
            a.category,
            a.winners.len(),
            a.winners.join("、")
        )));
    }
    d.push(Block::Heading(1, "七、经费保障".into()));
    if r.funds.is_empty() {
        d.push(Block::Paragraph("(经费情况请办公室补充。)".into()));
    }
    for f in &r.funds {
        let floor = if f.shortfall_fen > 0 {
            format!(",距每人 2 元的标准还差 {} 元", yuan(f.shortfall_fen))
        } else {
            ",达到每人 2 元的标准".to_string()
        };
        d.push(Block::Paragraph(format!(
            "{}全年到位经费 {} 元,其中政府专项 {} 元{};支出 {} 元,结余 {} 元。",
            f.town,
            yuan(f.income_fen),
            yuan(f.government_fen),
            floor,
            yuan(f.spent_fen),
            yuan(f.balance_fen)
        )));
    }
    d.push(Block::Heading(1, "八、配档表完成情况".into()));
    for s in &r.schedule {
        d.push(Block::Paragraph(format!(
            "{}年度配档表共 {} 项工作,已完成 {} 项,逾期 {} 项。",
            s.town, s.rows, s.done, s.overdue
        )));
    }
    shortfalls(&mut d, r);
    d.push(Block::Heading(1, "十、下一年工作打算".into()));
    d.push(Block::Paragraph("(请办公室补充。)".into()));
    d
}

/// Each theme: how many activities, led by which departments, with a highlight or two.
fn themes(d: &mut Document, held: &[Activity]) {
    let mut names: Vec<&str> = Vec::new();
    for a in held {
        if !names.contains(&a.theme_name.as_str()) {
            names.push(&a.theme_name);
        }
    }
    if names.is_empty() {
        d.push(Block::Paragraph("本年度没有登记已开展的活动。".into()));
    }
    for theme in names {
        let of: Vec<&Activity> = held.iter().filter(|a| a.theme_name == theme).collect();
        let mut leads: Vec<&str> = Vec::new();
        for a in &of {
            if let Some(l) = a.lead_department_name.as_deref()
                && !leads.contains(&l)
            {
                leads.push(l);
            }
        }
        let led = if leads.is_empty() {
            String::new()
        } else {
            format!(",由{}牵头", leads.join("、"))
        };
        d.push(Block::Heading(2, theme.to_string()));
        let mut text = format!("全年开展{}活动{}场{}。", theme, of.len(), led);
        for a in of
            .iter()
            .filter(|a| a.summary.as_deref().is_some_and(|s| !s.trim().is_empty()))
            .take(2)
        {
            let said = highlight(a.summary.as_deref().unwrap_or(""));
            text.push_str(&format!("如“{}”:{}。", a.title, said));
        }
        d.push(Block::Paragraph(text));
    }
}

/// What fell short: the KPIs at risk or missed, the centres below 2 activities a month.
fn shortfalls(d: &mut Document, r: &AnnualReport) {
    d.push(Block::Heading(1, "九、存在的不足".into()));
    let short: Vec<String> = r
        .place
        .lines
        .iter()
        .filter(|l| matches!(l.standing, Standing::AtRisk | Standing::Missed))
        .map(|l| {
            format!(
                "{}为{}(目标 ≥ {})",
                kpi_name(l.kpi),
                l.shown,
                l.target_shown
            )
        })
        .collect();
    if short.is_empty() {
        d.push(Block::Paragraph(
            "各项指标均已达到或按进度可达到目标。".into(),
        ));
    } else {
        d.push(Block::Paragraph(format!(
            "{},未达到目标。",
            short.join(";")
        )));
    }
    for c in &r.place.centres_below {
        d.push(Block::Bullet(format!(
            "{}有 {} 个月(共 {} 个月)活动少于 2 次。",
            c.name, c.months_below, c.months
        )));
    }
    for p in r.parts.iter().filter(|p| {
        p.line(Kpi::Participation)
            .is_some_and(|l| matches!(l.standing, Standing::AtRisk | Standing::Missed))
    }) {
        if let Some(l) = p.line(Kpi::Participation) {
            d.push(Block::Bullet(format!(
                "{}参与率 {},低于目标 {}。",
                p.name, l.shown, l.target_shown
            )));
        }
    }
}
