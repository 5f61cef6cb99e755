//! Surveys' SQL.

use chrono::{DateTime, NaiveDate, Utc};

use super::rules::{AnswerRow, Draft, Heading, QuestionKind, Source, SurveyMeasure};
use super::{Choice, Question, Survey, SurveyLine};
use crate::args;
use crate::db::{self, Db, Tx};
use crate::error::Result;
use crate::org::Node;

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    owner_id: i64,
    owner_name: String,
    owner_path: String,
    title: String,
    intro: Option<String>,
    opens_on: NaiveDate,
    closes_on: NaiveDate,
    named: bool,
    code: String,
    secret: String,
    created_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct QuestionRow {
    id: i64,
    position: i32,
    kind: QuestionKind,
    prompt: String,
    required: bool,
    measure: Option<SurveyMeasure>,
}

const SURVEY: &str = "select s.id, s.owner_id, n.name as owner_name, s.owner_path, s.title, \
    s.intro, s.opens_on, s.closes_on, s.named, s.code, s.secret, s.created_at \
    from surveys s join org_nodes n on n.id = s.owner_id";

async fn assemble(db: &Db, r: Option<Row>) -> Result<Option<Survey>> {
    let Some(r) = r else { return Ok(None) };
    let qs: Vec<QuestionRow> = db::rows(
        db,
        "select id, position, kind, prompt, required, measure from survey_questions \
        where survey_id = $1 order by position",
        args![r.id],
    )
    .await?;
    let options: Vec<Choice> = db::rows(
        db,
        "select o.id, o.question_id, o.label, o.counts from survey_options o \
        join survey_questions q on q.id = o.question_id where q.survey_id = $1 \
        order by o.question_id, o.position",
        args![r.id],
    )
    .await?;
    let questions = qs
        .into_iter()
        .map(|q| Question {
            options: options
                .iter()
                .filter(|o| o.question_id == q.id)
                .cloned()
                .collect(),
            id: q.id,
            position: q.position,
            kind: q.kind,
            prompt: q.prompt,
            required: q.required,
            measure: q.measure,
        })
        .collect();
    Ok(Some(Survey {
        id: r.id,
        owner_id: r.owner_id,
        owner_name: r.owner_name,
        owner_path: r.owner_path,
        title: r.title,
        intro: r.intro,
        opens_on: r.opens_on,
        closes_on: r.closes_on,
        named: r.named,
        code: r.code,
        secret: r.secret,
        created_at: r.created_at,
        questions,
    }))
}

pub(super) async fn survey(db: &Db, id: i64) -> Result<Option<Survey>> {
    let r = db::row_opt(db, &format!("{SURVEY} where s.id = $1"), args![id]).await?;
    assemble(db, r).await
}

pub(super) async fn by_code(db: &Db, code: &str) -> Result<Option<Survey>> {
    let r = db::row_opt(db, &format!("{SURVEY} where s.code = $1"), args![code]).await?;
    assemble(db, r).await
}

/// The surveys a reader at `scope` sees (owned inside it, or above it), with the answers placed
/// inside it.
pub(super) async fn lines(db: &Db, scope: &str) -> Result<Vec<SurveyLine>> {
    let sql = "select s.id, n.name as owner_name, s.title, s.opens_on, s.closes_on, s.named, \
        (select count(*) from survey_responses r where r.survey_id = s.id \
            and r.place_path like $1 || '%') as responses \
        from surveys s join org_nodes n on n.id = s.owner_id \
        where s.owner_path like $1 || '%' or $1 like s.owner_path || '%' \
        order by s.opens_on desc, s.id desc";
    db::rows(db, sql, args![scope]).await
}

pub(super) async fn insert(
    tx: &mut Tx,
    owner: &Node,
    d: &Draft,
    code: &str,
    by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<i64> {
    let h = &d.heading;
    let sql = "insert into surveys (owner_id, owner_path, title, intro, opens_on, closes_on, \
        named, code, secret, created_by, created_at) \
        values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) returning id";
    let args = args![
        owner.id,
        owner.path.as_str(),
        h.title.as_str(),
        h.intro.as_deref(),
        h.opens_on,
        h.closes_on,
        d.named,
        code,
        crate::text::new_secret(),
        by,
        now
    ];
    let id: i64 = db::scalar(&mut *tx, sql, args).await?;
    for (i, q) in d.questions.iter().enumerate() {
        let sql = "insert into survey_questions (survey_id, position, kind, prompt, required, \
            measure) values ($1, $2, $3, $4, $5, $6) returning id";
        let args = args![
            id,
            i as i32 + 1,
            q.kind.as_str(),
            q.prompt.as_str(),
            q.required,
            q.measure.map(SurveyMeasure::as_str)
        ];
        let qid: i64 = db::scalar(&mut *tx, sql, args).await?;
        for (j, (label, counts)) in q.options.iter().enumerate() {
            let sql = "insert into survey_options (question_id, position, label, counts) \
                values ($1, $2, $3, $4)";
            db::exec(
                &mut *tx,
                sql,
                args![qid, j as i32 + 1, label.as_str(), *counts],
            )
            .await?;
        }
    }
    Ok(id)
}

pub(super) async fn update_period(tx: &mut Tx, id: i64, h: &Heading) -> Result<()> {
    let sql = "update surveys set title = $1, intro = $2, opens_on = $3, closes_on = $4 \
        where id = $5";
    let args = args![
        h.title.as_str(),
        h.intro.as_deref(),
        h.opens_on,
        h.closes_on,
        id
    ];
    db::exec(&mut *tx, sql, args).await?;
    Ok(())
}

/// A response's values.
pub(super) struct NewResponse<'a> {
    pub survey_id: i64,
    pub place: (i64, &'a str),
    pub source: Source,
    pub respondent_key: Option<&'a str>,
    pub resident_id: Option<i64>,
    pub phone_masked: Option<&'a str>,
    pub address_key: Option<&'a str>,
    pub answered_on: NaiveDate,
    pub entered_by: Option<i64>,
}

/// Stores a response with its answers; `None` when the person (a named survey's key) has answered
/// already.
pub(super) async fn insert_response(
    tx: &mut Tx,
    r: &NewResponse<'_>,
    answers: &[AnswerRow],
    now: DateTime<Utc>,
) -> Result<Option<i64>> {
    let sql = "insert into survey_responses (survey_id, place_id, place_path, source, \
        respondent_key, resident_id, phone_masked, address_key, answered_on, submitted_at, \
        entered_by) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
        on conflict (survey_id, respondent_key) do nothing returning id";
    let args = args![
        r.survey_id,
        r.place.0,
        r.place.1,
        r.source.as_str(),
        r.respondent_key,
        r.resident_id,
        r.phone_masked,
        r.address_key,
        r.answered_on,
        now,
        r.entered_by
    ];
    let Some(id): Option<i64> = db::scalar_opt(&mut *tx, sql, args).await? else {
        return Ok(None);
    };
    for a in answers {
        let sql = "insert into survey_answers (response_id, question_id, option_id, scale, text, \
            positive) values ($1, $2, $3, $4, $5, $6)";
        let args = args![
            id,
            a.question_id,
            a.option_id,
            a.scale,
            a.text.as_deref(),
            a.positive
        ];
        db::exec(&mut *tx, sql, args).await?;
    }
    Ok(Some(id))
}

/// How many answers one address sent to a survey since a moment.
pub(super) async fn answers_from(
    db: &Db,
    survey_id: i64,
    address_key: &str,
    since: DateTime<Utc>,
) -> Result<i64> {
    let sql = "select count(*) from survey_responses where survey_id = $1 and address_key = $2 \
        and submitted_at >= $3";
    db::scalar(db, sql, args![survey_id, address_key, since]).await
}

/// Responses of a survey placed under a path: (count, by phone, on paper).
pub(super) async fn response_counts(db: &Db, survey_id: i64, under: &str) -> Result<(i64, i64)> {
    let sql = "select cast(coalesce(sum(case when source = 'phone' then 1 else 0 end), 0) as bigint), \
        cast(coalesce(sum(case when source = 'paper' then 1 else 0 end), 0) as bigint) \
        from survey_responses where survey_id = $1 and place_path like $2 || '%'";
    db::row(db, sql, args![survey_id, under]).await
}

/// Per question and option (or scale value): how many answers, among responses under a path.
#[derive(sqlx::FromRow)]
pub(super) struct Tally {
    pub question_id: i64,
    pub option_id: Option<i64>,
    pub scale: Option<i32>,
    pub answers: i64,
}

pub(super) async fn tallies(db: &Db, survey_id: i64, under: &str) -> Result<Vec<Tally>> {
    let sql = "select a.question_id, a.option_id, a.scale, count(*) as answers \
        from survey_answers a join survey_responses r on r.id = a.response_id \
        where r.survey_id = $1 and r.place_path like $2 || '%' and a.text is null \
        group by a.question_id, a.option_id, a.scale";
    db::rows(db, sql, args![survey_id, under]).await
}

/// How many responses answered each question (a multiple choice counted once a response).
pub(super) async fn answered(db: &Db, survey_id: i64, under: &str) -> Result<Vec<(i64, i64)>> {
    let sql = "select a.question_id, count(distinct a.response_id) \
        from survey_answers a join survey_responses r on r.id = a.response_id \
        where r.survey_id = $1 and r.place_path like $2 || '%' group by a.question_id";
    db::rows(db, sql, args![survey_id, under]).await
}

/// The free-text answers under a path, newest first: (question, text, place, day).
pub(super) async fn texts(
    db: &Db,
    survey_id: i64,
    under: &str,
    limit: i64,
) -> Result<Vec<(i64, String, String, NaiveDate)>> {
    let sql = "select a.question_id, a.text, n.name, r.answered_on \
        from survey_answers a join survey_responses r on r.id = a.response_id \
        join org_nodes n on n.id = r.place_id \
        where r.survey_id = $1 and r.place_path like $2 || '%' and a.text is not null \
        order by r.submitted_at desc, r.id desc limit $3";
    db::rows(db, sql, args![survey_id, under, limit]).await
}

/// One response as the export lists it.
#[derive(sqlx::FromRow)]
pub(super) struct ResponseRow {
    pub id: i64,
    pub place: String,
    pub source: Source,
    pub phone_masked: Option<String>,
    pub answered_on: NaiveDate,
}

pub(super) async fn responses(db: &Db, survey_id: i64, under: &str) -> Result<Vec<ResponseRow>> {
    let sql = "select r.id, n.name as place, r.source, r.phone_masked, r.answered_on \
        from survey_responses r join org_nodes n on n.id = r.place_id \
        where r.survey_id = $1 and r.place_path like $2 || '%' order by r.id";
    db::rows(db, sql, args![survey_id, under]).await
}

/// Every answer of the responses under a path: (response, question, option, scale, text).
pub(super) async fn answers(
    db: &Db,
    survey_id: i64,
    under: &str,
) -> Result<Vec<(i64, i64, Option<i64>, Option<i32>, Option<String>)>> {
    let sql = "select a.response_id, a.question_id, a.option_id, a.scale, a.text \
        from survey_answers a join survey_responses r on r.id = a.response_id \
        where r.survey_id = $1 and r.place_path like $2 || '%' order by a.response_id";
    db::rows(db, sql, args![survey_id, under]).await
}

/// The measured answers placed under a path and answered in a span of days: per measure,
/// (positive, all).
pub(super) async fn measured_by_place(
    db: &Db,
    under: &str,
    from: NaiveDate,
    until: NaiveDate,
) -> Result<Vec<(String, SurveyMeasure, i64, i64)>> {
    let sql = "select r.place_path, q.measure, \
        cast(coalesce(sum(case when a.positive then 1 else 0 end), 0) as bigint), count(*) \
        from survey_answers a join survey_questions q on q.id = a.question_id \
        join survey_responses r on r.id = a.response_id \
        where q.measure is not null and r.place_path like $1 || '%' \
        and r.answered_on >= $2 and r.answered_on < $3 group by r.place_path, q.measure";
    db::rows(db, sql, args![under, from, until]).await
}
