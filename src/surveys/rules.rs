//! The pure rules of surveys: what a survey must hold, the district's template, when a survey takes
//! answers, what an answer sheet must hold, what counts as knowing, approving or satisfied, and how
//! many answers one address may send in a while.

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::NaiveDate;
use serde::Deserialize;

use crate::calendar::Day;
use crate::error::{FieldErrors, Msg};
use crate::text;

crate::text_enum! {
    /// What a question asks for.
    pub enum QuestionKind {
        /// 单选
        Single = "single",
        /// 多选
        Multiple = "multiple",
        /// 1–5 分
        Scale = "scale",
        /// 填空
        Text = "text",
    }
}

crate::text_enum! {
    /// Which KPI a question's answers feed (Q二(三)).
    pub enum SurveyMeasure {
        /// 知晓率
        Awareness = "awareness",
        /// 认同率
        Approval = "approval",
        /// 满意率
        Satisfaction = "satisfaction",
    }
}

crate::text_enum! {
    /// How an answer sheet came in.
    pub enum Source {
        /// Answered on a phone from the link or QR code.
        Phone = "phone",
        /// A paper questionnaire entered by staff.
        Paper = "paper",
    }
}

/// At most this many questions in a survey.
pub const MAX_QUESTIONS: usize = 40;
/// At most this many options in a question.
pub const MAX_OPTIONS: usize = 20;
/// A scale answer of at least this counts as satisfied (4 满意, 5 非常满意), as a rating does.
pub const SATISFIED_FROM: i32 = 4;
/// One address may send this many answers to one survey within [`THROTTLE_WINDOW`]: a centre's
/// residents at one event share its Wi-Fi, a script sending hundreds does not get through.
pub const THROTTLE_ANSWERS: i64 = 60;
/// The window the address's answers are counted in.
pub const THROTTLE_WINDOW: Duration = Duration::from_secs(10 * 60);
/// The title of the district's template.
pub const TEMPLATE_TITLE: &str = "社区教育知晓率、认同率与满意率调查";

/// An option as typed: its label, and whether choosing it counts as knowing / approving /
/// satisfied when the question measures a KPI.
#[derive(Clone, Debug, Default, Deserialize, serde::Serialize, utoipa::ToSchema)]
pub struct ChoiceInput {
    pub label: String,
    #[serde(default)]
    pub counts: bool,
}

/// A question as typed.
#[derive(Clone, Debug, Default, Deserialize, serde::Serialize, utoipa::ToSchema)]
pub struct QuestionInput {
    /// single, multiple, scale or text
    pub kind: String,
    pub prompt: String,
    #[serde(default)]
    pub required: bool,
    /// awareness, approval or satisfaction: the question feeds that KPI (single choice or scale).
    #[serde(default)]
    pub measure: Option<String>,
    /// The options of a single or multiple choice question.
    #[serde(default)]
    pub options: Vec<ChoiceInput>,
}

/// A survey as typed.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct SurveyInput {
    /// The district, town or centre that runs it; its residents are the audience.
    pub owner_id: i64,
    pub title: String,
    #[serde(default)]
    pub intro: Option<String>,
    /// YYYY-MM-DD, the first day it takes answers.
    pub opens_on: String,
    /// YYYY-MM-DD, the last day it takes answers.
    pub closes_on: String,
    /// Asks for the phone number and takes one answer a person.
    #[serde(default)]
    pub named: bool,
    /// Builds the questions from the district's template (the questions given are then ignored).
    #[serde(default)]
    pub from_template: bool,
    #[serde(default)]
    pub questions: Vec<QuestionInput>,
}

/// A question checked.
#[derive(Clone, Debug, PartialEq)]
pub struct DraftQuestion {
    pub kind: QuestionKind,
    pub prompt: String,
    pub required: bool,
    pub measure: Option<SurveyMeasure>,
    pub options: Vec<(String, bool)>,
}

/// A survey's title, intro and period, checked.
#[derive(Clone, Debug, PartialEq)]
pub struct Heading {
    pub title: String,
    pub intro: Option<String>,
    pub opens_on: NaiveDate,
    pub closes_on: NaiveDate,
}

/// A survey checked, ready to store.
#[derive(Clone, Debug, PartialEq)]
pub struct Draft {
    pub heading: Heading,
    pub named: bool,
    pub questions: Vec<DraftQuestion>,
}

/// The district's template: each question of the plan's three survey KPIs marked with the KPI it
/// measures and the answers that count, plus what residents took part in and want next.
pub fn template() -> Vec<QuestionInput> {
    let choice = |label: &str, counts: bool| ChoiceInput {
        label: label.into(),
        counts,
    };
    let q =
        |kind: &str, prompt: &str, required: bool, measure: Option<&str>, options| QuestionInput {
            kind: kind.into(),
            prompt: prompt.into(),
            required,
            measure: measure.map(str::to_string),
            options,
        };
    vec![
        q(
            "single",
            "您知道本镇(街道)和社区开展社区教育吗?",
            true,
            Some("awareness"),
            vec![
                choice("知道,参加过", true),
                choice("知道,但没有参加过", true),
                choice("不知道", false),
            ],
        ),
        q(
            "single",
            "您认同社区教育对提升居民素质、促进社区和谐的作用吗?",
            true,
            Some("approval"),
            vec![
                choice("认同", true),
                choice("比较认同", true),
                choice("不太认同", false),
                choice("说不清", false),
            ],
        ),
        q(
            "scale",
            "您对本社区开展的社区教育活动满意吗?(1 很不满意 — 5 非常满意)",
            true,
            Some("satisfaction"),
            Vec::new(),
        ),
        q(
            "multiple",
            "您参加过哪些社区教育活动?",
            false,
            None,
            [
                "健康养生",
                "文化艺术",
                "法治宣传",
                "职业技能培训",
                "家庭教育",
                "老年教育",
                "其他",
            ]
            .into_iter()
            .map(|l| choice(l, false))
            .collect(),
        ),
        q(
            "text",
            "您希望社区增加哪些课程或活动?",
            false,
            None,
            Vec::new(),
        ),
    ]
}

/// Checks a survey as typed: a title, a period, at least one question, each with a prompt and a
/// kind, choice questions with at least two options, a measure only on a single choice or a scale,
/// and a measured single choice with at least one option that counts. Errors name the field:
/// `questions` for the whole, `q{n}` for the n-th question (from 1).
pub fn check_definition(input: &SurveyInput) -> Result<Draft, FieldErrors> {
    let mut fe = FieldErrors::default();
    let heading = check_heading(
        &mut fe,
        &input.title,
        input.intro.as_deref(),
        &input.opens_on,
        &input.closes_on,
    );
    let typed = if input.from_template {
        template()
    } else {
        input.questions.clone()
    };
    let typed: Vec<&QuestionInput> = typed
        .iter()
        .filter(|q| !q.prompt.trim().is_empty() || !q.options.is_empty())
        .collect();
    if typed.is_empty() {
        fe.add("questions", Msg::new("surveys.no_question"));
    } else if typed.len() > MAX_QUESTIONS {
        fe.add(
            "questions",
            Msg::new("surveys.too_many_questions").arg("max", MAX_QUESTIONS),
        );
    }
    let mut questions = Vec::new();
    for (i, q) in typed.iter().enumerate() {
        let field = format!("q{}", i + 1);
        if let Some(d) = check_question(&mut fe, &field, q) {
            questions.push(d);
        }
    }
    match (heading, fe.is_empty()) {
        (Some(heading), true) => Ok(Draft {
            heading,
            named: input.named,
            questions,
        }),
        _ => Err(fe),
    }
}

/// Checks a title, an intro and a period that closes on or after the day it opens.
pub fn check_heading(
    fe: &mut FieldErrors,
    title: &str,
    intro: Option<&str>,
    opens_on: &str,
    closes_on: &str,
) -> Option<Heading> {
    let before = fe.0.len();
    let title = text::required(fe, "title", title, text::max::TITLE);
    let intro = text::optional_multiline(fe, "intro", intro, text::max::DEFINITION);
    let mut day = |field: &str, s: &str| match Day::parse(s.trim()) {
        Some(d) => Some(d.0),
        None => {
            fe.add(field, Msg::new("field.date_format"));
            None
        }
    };
    let opens_on = day("opens_on", opens_on);
    let closes_on = day("closes_on", closes_on);
    if let (Some(o), Some(c)) = (opens_on, closes_on)
        && c < o
    {
        fe.add("closes_on", Msg::new("surveys.closes_before_opens"));
    }
    match (opens_on, closes_on) {
        (Some(opens_on), Some(closes_on)) if fe.0.len() == before => Some(Heading {
            title,
            intro,
            opens_on,
            closes_on,
        }),
        _ => None,
    }
}

fn check_question(fe: &mut FieldErrors, field: &str, q: &QuestionInput) -> Option<DraftQuestion> {
    let before = fe.0.len();
    let prompt = text::required(fe, field, &q.prompt, text::max::QUESTION);
    let Some(kind) = QuestionKind::parse(&q.kind) else {
        fe.add(field, Msg::new("surveys.kind_unknown"));
        return None;
    };
    let measure = match q
        .measure
        .as_deref()
        .map(str::trim)
        .filter(|m| !m.is_empty())
    {
        None => None,
        Some(m) => match SurveyMeasure::parse(m) {
            Some(m) => Some(m),
            None => {
                fe.add(field, Msg::new("surveys.measure_unknown"));
                None
            }
        },
    };
    let mut options = Vec::new();
    let choice = matches!(kind, QuestionKind::Single | QuestionKind::Multiple);
    if choice {
        for o in q.options.iter().filter(|o| !o.label.trim().is_empty()) {
            let label = text::required(fe, field, &o.label, text::max::TITLE);
            if options.iter().any(|(l, _)| *l == label) {
                fe.add(
                    field,
                    Msg::new("surveys.option_twice").arg("option", &label),
                );
            }
            options.push((label, o.counts));
        }
        if options.len() < 2 {
            fe.add(field, Msg::new("surveys.too_few_options"));
        } else if options.len() > MAX_OPTIONS {
            fe.add(
                field,
                Msg::new("surveys.too_many_options").arg("max", MAX_OPTIONS),
            );
        }
    }
    if measure.is_some() {
        match kind {
            QuestionKind::Single if !options.iter().any(|(_, c)| *c) => {
                fe.add(field, Msg::new("surveys.measure_no_counting_option"));
            }
            QuestionKind::Multiple | QuestionKind::Text => {
                fe.add(field, Msg::new("surveys.measure_kind"));
            }
            _ => {}
        }
    }
    (fe.0.len() == before).then_some(DraftQuestion {
        kind,
        prompt,
        required: q.required,
        measure,
        options,
    })
}

/// Why a survey open from `opens_on` to `closes_on` takes no answer today, if it does not.
pub fn period_refusal(opens_on: NaiveDate, closes_on: NaiveDate, today: Day) -> Option<Msg> {
    if today.0 < opens_on {
        Some(Msg::new("surveys.not_open_yet").arg("day", opens_on))
    } else if today.0 > closes_on {
        Some(Msg::new("surveys.closed").arg("day", closes_on))
    } else {
        None
    }
}

/// A question of a stored survey, as the answer check reads it.
pub struct Asked<'a> {
    pub id: i64,
    pub kind: QuestionKind,
    pub required: bool,
    pub measure: Option<SurveyMeasure>,
    /// (option id, counts)
    pub options: &'a [(i64, bool)],
}

/// One stored answer row: a chosen option, a scale value or a text; `positive` for a measured
/// question's answer.
#[derive(Clone, Debug, PartialEq)]
pub struct AnswerRow {
    pub question_id: i64,
    pub option_id: Option<i64>,
    pub scale: Option<i32>,
    pub text: Option<String>,
    pub positive: Option<bool>,
}

/// Checks an answer sheet (question id → the values given, as typed) against the questions: every
/// required question answered, one option of the question for a single choice, options of the
/// question for a multiple choice, 1–5 for a scale, a bounded text. Errors name `q_{id}`.
pub fn check_answers(
    asked: &[Asked<'_>],
    given: &BTreeMap<i64, Vec<String>>,
) -> Result<Vec<AnswerRow>, FieldErrors> {
    let mut fe = FieldErrors::default();
    let mut rows = Vec::new();
    for q in asked {
        let field = format!("q_{}", q.id);
        let values: Vec<&str> = given
            .get(&q.id)
            .map(|v| {
                v.iter()
                    .map(|s| s.trim())
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        if values.is_empty() {
            if q.required {
                fe.add(&field, Msg::new("surveys.answer_required"));
            }
            continue;
        }
        let row = |option_id, scale, text, positive| AnswerRow {
            question_id: q.id,
            option_id,
            scale,
            text,
            positive: q.measure.map(|_| positive),
        };
        match q.kind {
            QuestionKind::Single | QuestionKind::Multiple => {
                if q.kind == QuestionKind::Single && values.len() > 1 {
                    fe.add(&field, Msg::new("surveys.one_option"));
                    continue;
                }
                let mut seen = Vec::new();
                for v in values {
                    match v
                        .parse::<i64>()
                        .ok()
                        .and_then(|id| q.options.iter().find(|(o, _)| *o == id))
                    {
                        Some((id, counts)) if !seen.contains(id) => {
                            seen.push(*id);
                            rows.push(row(Some(*id), None, None, *counts));
                        }
                        Some(_) => {}
                        None => fe.add(&field, Msg::new("surveys.option_unknown")),
                    }
                }
            }
            QuestionKind::Scale => match values[..] {
                [v] => match v.parse::<i32>() {
                    Ok(n) if (1..=5).contains(&n) => {
                        rows.push(row(None, Some(n), None, n >= SATISFIED_FROM))
                    }
                    _ => fe.add(&field, Msg::new("surveys.scale_range")),
                },
                _ => fe.add(&field, Msg::new("surveys.scale_range")),
            },
            QuestionKind::Text => {
                let joined = values.join("\n");
                let t = text::optional_multiline(
                    &mut fe,
                    &field,
                    Some(&joined),
                    text::max::DESCRIPTION,
                );
                rows.push(row(None, None, t, false));
            }
        }
    }
    if fe.is_empty() { Ok(rows) } else { Err(fe) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(questions: Vec<QuestionInput>) -> SurveyInput {
        SurveyInput {
            owner_id: 1,
            title: "居民满意度调查".into(),
            opens_on: "2026-03-01".into(),
            closes_on: "2026-03-31".into(),
            questions,
            ..SurveyInput::default()
        }
    }

    fn field_keys(fe: &FieldErrors) -> Vec<(String, String)> {
        fe.0.iter()
            .map(|(f, m)| (f.to_string(), m.key.to_string()))
            .collect()
    }

    #[test]
    fn the_template_is_a_valid_survey_measuring_all_three() {
        let d = check_definition(&SurveyInput {
            from_template: true,
            ..input(Vec::new())
        })
        .unwrap();
        let measures: Vec<_> = d.questions.iter().filter_map(|q| q.measure).collect();
        assert_eq!(
            measures,
            [
                SurveyMeasure::Awareness,
                SurveyMeasure::Approval,
                SurveyMeasure::Satisfaction
            ]
        );
        assert_eq!(d.questions.len(), 5);
        // 知道 counts twice, 不知道 does not.
        assert_eq!(d.questions[0].options.iter().filter(|(_, c)| *c).count(), 2);
    }

    #[test]
    fn a_survey_needs_a_question_and_choices_need_two_options() {
        let fe = check_definition(&input(Vec::new())).unwrap_err();
        assert_eq!(
            field_keys(&fe),
            [("questions".into(), "surveys.no_question".into())]
        );
        let one_option = QuestionInput {
            kind: "single".into(),
            prompt: "您住在哪个社区?".into(),
            options: vec![ChoiceInput {
                label: "群力社区".into(),
                counts: false,
            }],
            ..QuestionInput::default()
        };
        let fe = check_definition(&input(vec![one_option])).unwrap_err();
        assert_eq!(
            field_keys(&fe),
            [("q1".into(), "surveys.too_few_options".into())]
        );
    }

    #[test]
    fn a_measure_needs_a_single_choice_with_a_counting_option_or_a_scale() {
        let q = |kind: &str, counts| QuestionInput {
            kind: kind.into(),
            prompt: "您知道社区教育吗?".into(),
            measure: Some("awareness".into()),
            options: vec![
                ChoiceInput {
                    label: "知道".into(),
                    counts,
                },
                ChoiceInput {
                    label: "不知道".into(),
                    counts: false,
                },
            ],
            ..QuestionInput::default()
        };
        let fe =
            check_definition(&input(vec![q("single", false), q("multiple", true)])).unwrap_err();
        assert_eq!(
            field_keys(&fe),
            [
                ("q1".into(), "surveys.measure_no_counting_option".into()),
                ("q2".into(), "surveys.measure_kind".into())
            ]
        );
        assert!(check_definition(&input(vec![q("single", true)])).is_ok());
    }

    #[test]
    fn the_period_is_checked_and_closes_after_it_opens() {
        let mut i = input(template());
        i.closes_on = "2026-02-01".into();
        let fe = check_definition(&i).unwrap_err();
        assert_eq!(
            field_keys(&fe),
            [("closes_on".into(), "surveys.closes_before_opens".into())]
        );
        let (o, c) = (
            NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(),
            NaiveDate::from_ymd_opt(2026, 3, 31).unwrap(),
        );
        let day = |d| Day::ymd(2026, 3, d).unwrap();
        assert_eq!(period_refusal(o, c, day(1)), None);
        assert_eq!(period_refusal(o, c, day(31)), None);
        assert_eq!(
            period_refusal(o, c, Day::ymd(2026, 4, 1).unwrap()).map(|m| m.key),
            Some("surveys.closed")
        );
        assert_eq!(
            period_refusal(o, c, Day::ymd(2026, 2, 28).unwrap()).map(|m| m.key),
            Some("surveys.not_open_yet")
        );
    }

    #[test]
    fn answers_are_checked_against_the_questions() {
        let single = [(11, true), (12, false)];
        let multi = [(21, false), (22, false)];
        let asked = [
            Asked {
                id: 1,
                kind: QuestionKind::Single,
                required: true,
                measure: Some(SurveyMeasure::Awareness),
                options: &single,
            },
            Asked {
                id: 2,
                kind: QuestionKind::Scale,
                required: true,
                measure: Some(SurveyMeasure::Satisfaction),
                options: &[],
            },
            Asked {
                id: 3,
                kind: QuestionKind::Multiple,
                required: false,
                measure: None,
                options: &multi,
            },
            Asked {
                id: 4,
                kind: QuestionKind::Text,
                required: false,
                measure: None,
                options: &[],
            },
        ];
        let given = |pairs: &[(i64, &str)]| {
            let mut m: BTreeMap<i64, Vec<String>> = BTreeMap::new();
            for (q, v) in pairs {
                m.entry(*q).or_default().push(v.to_string());
            }
            m
        };
        let rows = check_answers(
            &asked,
            &given(&[(1, "11"), (2, "4"), (3, "21"), (3, "22"), (4, "多开书法课")]),
        )
        .unwrap();
        assert_eq!(rows.len(), 5);
        assert_eq!(rows[0].positive, Some(true));
        assert_eq!((rows[1].scale, rows[1].positive), (Some(4), Some(true)));
        assert_eq!(rows[2].positive, None);
        assert_eq!(rows[4].text.as_deref(), Some("多开书法课"));
        // 3 is not satisfied; 12 does not count.
        let rows = check_answers(&asked, &given(&[(1, "12"), (2, "3")])).unwrap();
        assert_eq!(rows[0].positive, Some(false));
        assert_eq!(rows[1].positive, Some(false));
        let fe = check_answers(&asked, &given(&[(1, "21"), (2, "6"), (3, "99")])).unwrap_err();
        assert_eq!(
            field_keys(&fe),
            [
                ("q_1".into(), "surveys.option_unknown".into()),
                ("q_2".into(), "surveys.scale_range".into()),
                ("q_3".into(), "surveys.option_unknown".into())
            ]
        );
        let fe = check_answers(&asked, &given(&[(1, "11"), (1, "12")])).unwrap_err();
        assert_eq!(
            field_keys(&fe),
            [
                ("q_1".into(), "surveys.one_option".into()),
                ("q_2".into(), "surveys.answer_required".into())
            ]
        );
    }
}
