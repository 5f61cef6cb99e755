//! The demo's surveys: each town runs the district's template (知晓率、认同率与满意率调查), open
//! since two months ago; its centres' paper questionnaires are entered on the days they were
//! filled in and residents have answered on their phones today, so the results page, the KPIs and
//! the dashboards have answers to show.

use std::collections::BTreeMap;

use super::generator::Generator;
use crate::access::Actor;
use crate::calendar::Day;
use crate::db::Db;
use crate::error::Result;
use crate::org::{self, Kind, Node};
use crate::surveys::{self, AnswerInput, PaperInput, QuestionKind, Survey, SurveyInput};

/// One resident's answers: knowing and approving likelier than not, ratings mostly 3–5.
fn sheet(g: &mut Generator, s: &Survey, place: i64) -> AnswerInput {
    let mut answers = BTreeMap::new();
    for q in &s.questions {
        let values: Vec<String> = match q.kind {
            QuestionKind::Single => {
                // The counting options come first in the template: weight them.
                let n = q.options.len() as i64;
                let i = if g.between(1, 100) <= 78 {
                    g.between(0, 1.min(n - 1))
                } else {
                    g.between(0, n - 1)
                };
                vec![q.options[i as usize].id.to_string()]
            }
            QuestionKind::Multiple => q
                .options
                .iter()
                .filter(|_| g.between(1, 100) <= 35)
                .map(|o| o.id.to_string())
                .collect(),
            QuestionKind::Scale => {
                vec![[5, 5, 4, 4, 4, 3, 3, 2, 5, 4][g.between(0, 9) as usize].to_string()]
            }
            QuestionKind::Text => match g.between(1, 12) {
                1 => vec!["希望多开一些书法和绘画课".into()],
                2 => vec!["晚上的课多一些,白天要上班".into()],
                3 => vec!["想学智能手机使用".into()],
                _ => Vec::new(),
            },
        };
        if !values.is_empty() {
            answers.insert(q.id, values);
        }
    }
    AnswerInput {
        place_id: Some(place),
        phone: None,
        answers,
    }
}

pub(super) async fn load(db: &Db, g: &mut Generator, towns: &[&Node]) -> Result<()> {
    let today = Day::today();
    let year_start = Day::ymd(today.year(), 1, 1).unwrap_or(today);
    let opens = today.plus_days(-60).max(year_start);
    for town in towns {
        let office = Actor::command_line_for_town(town.id, &town.path);
        let input = SurveyInput {
            owner_id: town.id,
            title: format!("{}年{}", today.year(), surveys::rules::TEMPLATE_TITLE),
            intro: Some("请您花两分钟填写,帮助我们办好家门口的社区教育。".into()),
            opens_on: opens.to_string(),
            closes_on: today.plus_days(30).to_string(),
            named: false,
            from_template: true,
            questions: Vec::new(),
        };
        let s = surveys::create(db, &office, &input).await?;
        let centres = org::nodes_under(db, &town.path, &[Kind::Centre]).await?;
        let days = opens.days_until(today).max(0);
        for centre in &centres {
            for _ in 0..g.between(8, 16) {
                let day = opens.plus_days(g.between(0, days));
                let paper = PaperInput {
                    answered_on: day.to_string(),
                    sheet: sheet(g, &s, centre.id),
                };
                surveys::enter_paper(db, &office, s.id, &paper).await?;
            }
            for _ in 0..g.between(3, 8) {
                let phone = sheet(g, &s, centre.id);
                surveys::answer(db, &s.code, &phone, None).await?;
            }
        }
    }
    Ok(())
}
