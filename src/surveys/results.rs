//! A survey's results for its reader: per question the answers counted (options, the scale's five
//! values and their average, the share that counts for a measured question), the free-text
//! answers, the xlsx export; and the measured answers of a place and a span that the KPIs read.
//! A reader counts only the answers collected inside their own scope.

use chrono::NaiveDate;
use serde::Serialize;
use serde_json::json;

use super::rules::{QuestionKind, Source, SurveyMeasure};
use super::{SURVEY, Survey, store};
use crate::access::{Actor, Permission};
use crate::audit::{self, Entry};
use crate::db::Db;
use crate::error::Result;
use crate::i18n::{self, Lang};
use crate::spreadsheet::{self, Table};

/// At most this many free-text answers of a question on the page (the export holds all).
pub const TEXTS_SHOWN: i64 = 200;

/// An option (or a scale value) and how many chose it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct OptionCount {
    pub label: String,
    pub count: i64,
    /// Per cent of the responses that answered the question, one decimal.
    pub share: f64,
    /// Counts as knowing / approving / satisfied.
    pub counts: bool,
}

/// A free-text answer, where and when it was given.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct TextAnswer {
    pub text: String,
    pub place: String,
    pub answered_on: NaiveDate,
}

/// One question's results.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct QuestionResult {
    pub id: i64,
    pub position: i32,
    pub kind: QuestionKind,
    pub prompt: String,
    pub measure: Option<SurveyMeasure>,
    /// Responses that answered it.
    pub answered: i64,
    pub options: Vec<OptionCount>,
    /// The scale's average (1–5).
    pub average: Option<f64>,
    /// A measured question: the answers that count, of `answered`.
    pub positive: Option<i64>,
    pub texts: Vec<TextAnswer>,
}

/// A survey's results as its reader sees them.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct SurveyResults {
    pub survey: Survey,
    pub responses: i64,
    pub by_phone: i64,
    pub on_paper: i64,
    pub questions: Vec<QuestionResult>,
    /// The place whose answers these are: the survey's owner for those who see it, else the
    /// reader's own scope.
    #[serde(skip)]
    pub under: String,
}

/// The path whose answers the actor reads: the whole survey for those who see its owner, else the
/// answers collected inside their own scope.
fn view_path<'a>(actor: &'a Actor, s: &'a Survey) -> &'a str {
    if actor.sees(&s.owner_path) {
        &s.owner_path
    } else {
        &actor.scope_path
    }
}

fn share(count: i64, of: i64) -> f64 {
    if of == 0 {
        0.0
    } else {
        (count as f64 * 1000.0 / of as f64).round() / 10.0
    }
}

/// A survey's results, counted inside the actor's scope.
pub async fn results(db: &Db, actor: &Actor, id: i64) -> Result<SurveyResults> {
    let s = super::get(db, actor, id).await?;
    let under = view_path(actor, &s).to_string();
    let (by_phone, on_paper) = store::response_counts(db, id, &under).await?;
    let tallies = store::tallies(db, id, &under).await?;
    let answered = store::answered(db, id, &under).await?;
    let texts = store::texts(db, id, &under, TEXTS_SHOWN * 10).await?;
    let mut questions = Vec::new();
    for q in &s.questions {
        let n = answered
            .iter()
            .find(|(qid, _)| *qid == q.id)
            .map_or(0, |(_, n)| *n);
        let count_of = |pick: &dyn Fn(&store::Tally) -> bool| -> i64 {
            tallies
                .iter()
                .filter(|t| t.question_id == q.id && pick(t))
                .map(|t| t.answers)
                .sum()
        };
        let (options, average) = match q.kind {
            QuestionKind::Scale => {
                let counts: Vec<(i32, i64)> = (1..=5)
                    .map(|v| (v, count_of(&|t| t.scale == Some(v))))
                    .collect();
                let total: i64 = counts.iter().map(|(_, c)| c).sum();
                let sum: i64 = counts.iter().map(|(v, c)| i64::from(*v) * c).sum();
                let options = counts
                    .iter()
                    .map(|(v, c)| OptionCount {
                        label: v.to_string(),
                        count: *c,
                        share: share(*c, n),
                        counts: *v >= super::rules::SATISFIED_FROM,
                    })
                    .collect();
                let avg = (total > 0).then(|| (sum as f64 * 100.0 / total as f64).round() / 100.0);
                (options, avg)
            }
            QuestionKind::Single | QuestionKind::Multiple => {
                let options = q
                    .options
                    .iter()
                    .map(|o| {
                        let c = count_of(&|t| t.option_id == Some(o.id));
                        OptionCount {
                            label: o.label.clone(),
                            count: c,
                            share: share(c, n),
                            counts: o.counts,
                        }
                    })
                    .collect();
                (options, None)
            }
            QuestionKind::Text => (Vec::new(), None),
        };
        let positive = q.measure.map(|_| {
            options
                .iter()
                .filter(|o: &&OptionCount| o.counts)
                .map(|o| o.count)
                .sum()
        });
        questions.push(QuestionResult {
            id: q.id,
            position: q.position,
            kind: q.kind,
            prompt: q.prompt.clone(),
            measure: q.measure,
            answered: n,
            options,
            average,
            positive,
            texts: texts
                .iter()
                .filter(|(qid, ..)| *qid == q.id)
                .take(TEXTS_SHOWN as usize)
                .map(|(_, text, place, day)| TextAnswer {
                    text: text.clone(),
                    place: place.clone(),
                    answered_on: *day,
                })
                .collect(),
        });
    }
    Ok(SurveyResults {
        responses: by_phone + on_paper,
        by_phone,
        on_paper,
        questions,
        under,
        survey: s,
    })
}

/// The results as an xlsx workbook: the counts per question and option, and every response as a
/// row (a named survey's numbers masked). Each export is audited.
pub async fn export(db: &Db, actor: &Actor, lang: Lang, id: i64) -> Result<(String, Vec<u8>)> {
    let t = |key: &str| i18n::t(lang, &format!("surveys.xlsx.{key}")).to_string();
    actor.require(Permission::SurveysRead)?;
    let r = results(db, actor, id).await?;
    let (s, under) = (&r.survey, &r.under);
    let mut summary = Table {
        sheet_name: t("summary"),
        headers: ["number", "question", "option", "count", "share"]
            .map(t)
            .to_vec(),
        number_columns: vec![0, 3, 4],
        notes: vec![
            t("responses")
                .replace("{all}", &r.responses.to_string())
                .replace("{phone}", &r.by_phone.to_string())
                .replace("{paper}", &r.on_paper.to_string()),
        ],
        ..Table::default()
    };
    for q in &r.questions {
        for o in &q.options {
            let label = if q.kind == QuestionKind::Scale {
                t("points").replace("{n}", &o.label)
            } else {
                o.label.clone()
            };
            summary.rows.push(vec![
                q.position.to_string(),
                q.prompt.clone(),
                label,
                o.count.to_string(),
                o.share.to_string(),
            ]);
        }
        if let Some(avg) = q.average {
            summary.rows.push(vec![
                q.position.to_string(),
                q.prompt.clone(),
                t("average"),
                String::new(),
                avg.to_string(),
            ]);
        }
        if q.kind == QuestionKind::Text {
            summary.rows.push(vec![
                q.position.to_string(),
                q.prompt.clone(),
                t("text_answers"),
                q.answered.to_string(),
                String::new(),
            ]);
        }
    }
    let mut sheets = Table {
        sheet_name: t("answers"),
        headers: ["row", "place", "source", "phone", "date"]
            .map(t)
            .into_iter()
            .chain(
                s.questions
                    .iter()
                    .map(|q| format!("{}. {}", q.position, q.prompt)),
            )
            .collect(),
        text_columns: vec![3],
        ..Table::default()
    };
    let responses = store::responses(db, id, under).await?;
    let answers = store::answers(db, id, under).await?;
    let mut at = 0;
    for (i, resp) in responses.iter().enumerate() {
        let mut row = vec![
            (i + 1).to_string(),
            resp.place.clone(),
            match resp.source {
                Source::Phone => t("by_phone"),
                Source::Paper => t("on_paper"),
            },
            resp.phone_masked.clone().unwrap_or_default(),
            resp.answered_on.to_string(),
        ];
        let mut cells = vec![Vec::<String>::new(); s.questions.len()];
        while at < answers.len() && answers[at].0 < resp.id {
            at += 1;
        }
        while at < answers.len() && answers[at].0 == resp.id {
            let (_, qid, option, scale, text) = &answers[at];
            if let Some(pos) = s.questions.iter().position(|q| q.id == *qid) {
                let q = &s.questions[pos];
                let v = match (option, scale, text) {
                    (Some(o), ..) => q
                        .options
                        .iter()
                        .find(|c| c.id == *o)
                        .map(|c| c.label.clone())
                        .unwrap_or_default(),
                    (_, Some(n), _) => n.to_string(),
                    (.., Some(t)) => t.clone(),
                    _ => String::new(),
                };
                cells[pos].push(v);
            }
            at += 1;
        }
        row.extend(cells.into_iter().map(|c| c.join("、")));
        sheets.rows.push(row);
    }
    let bytes = spreadsheet::to_xlsx_sheets(&[summary, sheets])?;
    audit::record_now(
        db,
        actor,
        Entry::of("surveys.exported", SURVEY, Some(id), &s.owner_path)
            .after(json!({"responses": r.responses, "under": under})),
    )
    .await?;
    Ok((format!("{}.xlsx", s.title), bytes))
}

/// The measured answers placed under a path and answered in `[from, until)`, per measure.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct MeasureCounts {
    pub awareness: (i64, i64),
    pub approval: (i64, i64),
    pub satisfaction: (i64, i64),
}

/// What the KPIs read of surveys per place where the answers were collected: (place path,
/// counts) under a path in a span — one query for a district's towns compared.
pub async fn measured_by_place(
    db: &Db,
    under: &str,
    from: NaiveDate,
    until: NaiveDate,
) -> Result<Vec<(String, MeasureCounts)>> {
    let mut out: Vec<(String, MeasureCounts)> = Vec::new();
    for (place, measure, positive, all) in store::measured_by_place(db, under, from, until).await? {
        let i = match out.iter().position(|(p, _)| *p == place) {
            Some(i) => i,
            None => {
                out.push((place, MeasureCounts::default()));
                out.len() - 1
            }
        };
        let m = &mut out[i].1;
        let slot = match measure {
            SurveyMeasure::Awareness => &mut m.awareness,
            SurveyMeasure::Approval => &mut m.approval,
            SurveyMeasure::Satisfaction => &mut m.satisfaction,
        };
        *slot = (positive, all);
    }
    Ok(out)
}
