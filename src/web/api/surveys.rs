//! Surveys under `/api/v1/surveys`, and the residents' answering under `/api/v1/public/surveys`.

use axum::extract::{Path, State};
use serde::Deserialize;

use crate::access::Permission as P;
use crate::error::Result;
use crate::surveys::answering::{AnswerForm, GivenAnswer};
use crate::surveys::{
    self, AnswerInput, PaperInput, PeriodInput, QuestionInput, Survey, SurveyInput, SurveyLine,
    SurveyResults,
};
use crate::web::AppState;
use crate::web::extract::{ClientMeta, Created, CurrentActor, Id, Json, Query};
use crate::web::routes::{Object, Routes, Rule};
use utoipa_axum::routes;

pub(super) fn router() -> Routes {
    let read = Rule::needs(P::SurveysRead);
    let write = Rule::needs(P::SurveysWrite);
    Routes::new()
        .api(read, routes!(list))
        .api(write, routes!(create))
        .api(read, routes!(template))
        .api(read.on(Object::Survey), routes!(get_survey))
        .api(write.on(Object::Survey), routes!(edit))
        .api(read.on(Object::Survey), routes!(get_results))
        .api(write.on(Object::Survey), routes!(paper))
        .api(Rule::PUBLIC, routes!(public_form))
        .api(Rule::PUBLIC, routes!(public_answer))
}

/// The surveys of the scope and those above it that ask its residents, newest first, with the
/// answers collected inside the scope.
#[utoipa::path(get, path = "/api/v1/surveys", tag = "surveys",
    responses((status = 200, body = Vec<SurveyLine>)))]
pub async fn list(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
) -> Result<axum::Json<Vec<SurveyLine>>> {
    Ok(axum::Json(surveys::list(&s.db, &a).await?))
}

/// The district's template: the questions of 社区教育知晓率、认同率与满意率调查, each marked with the
/// KPI it measures and the answers that count.
#[utoipa::path(get, path = "/api/v1/surveys/template", tag = "surveys",
    responses((status = 200, body = Vec<QuestionInput>)))]
pub async fn template() -> axum::Json<Vec<QuestionInput>> {
    axum::Json(surveys::rules::template())
}

/// Create a survey for a node of the scope (a district, town, community or centre): from the
/// template (`from_template`) or with its questions.
#[utoipa::path(post, path = "/api/v1/surveys", tag = "surveys", request_body = SurveyInput,
    responses((status = 201, body = Survey), (status = 422, body = super::ApiError)))]
pub async fn create(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Json(b): Json<SurveyInput>,
) -> Result<Created<Survey>> {
    Ok(Created(surveys::create(&s.db, &a, &b).await?))
}

/// One survey with its questions and public link code.
#[utoipa::path(get, path = "/api/v1/surveys/{id}", tag = "surveys", params(("id" = i64, Path)),
    responses((status = 200, body = Survey), (status = 404, body = super::ApiError)))]
pub async fn get_survey(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Id(id): Id,
) -> Result<axum::Json<Survey>> {
    Ok(axum::Json(surveys::get(&s.db, &a, id).await?))
}

/// Change a survey's title, intro and period (extend it, close it early); the questions stay.
#[utoipa::path(put, path = "/api/v1/surveys/{id}", tag = "surveys", params(("id" = i64, Path)),
    request_body = PeriodInput,
    responses((status = 200, body = Survey), (status = 403, body = super::ApiError), (status = 422, body = super::ApiError)))]
pub async fn edit(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Id(id): Id,
    Json(b): Json<PeriodInput>,
) -> Result<axum::Json<Survey>> {
    Ok(axum::Json(surveys::edit(&s.db, &a, id, &b).await?))
}

/// A survey's results counted inside the reader's scope: per question the options' counts and
/// shares, the scale's average, the measured share, the free-text answers.
#[utoipa::path(get, path = "/api/v1/surveys/{id}/results", tag = "surveys", params(("id" = i64, Path)),
    responses((status = 200, body = SurveyResults), (status = 404, body = super::ApiError)))]
pub async fn get_results(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Id(id): Id,
) -> Result<axum::Json<SurveyResults>> {
    Ok(axum::Json(surveys::results(&s.db, &a, id).await?))
}

/// A paper questionnaire as staff enter it.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct PaperSheet {
    /// YYYY-MM-DD: the day it was filled in, inside the period.
    pub answered_on: String,
    /// Where it was collected (a node of the audience inside the scope); the own scope when absent.
    #[serde(default)]
    pub place_id: Option<i64>,
    /// A named survey's respondent.
    #[serde(default)]
    pub phone: Option<String>,
    pub answers: Vec<GivenAnswer>,
}

/// The id of a stored answer sheet.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ResponseId {
    pub response_id: i64,
}

/// Enter a paper questionnaire.
#[utoipa::path(post, path = "/api/v1/surveys/{id}/paper", tag = "surveys", params(("id" = i64, Path)),
    request_body = PaperSheet,
    responses((status = 201, body = ResponseId), (status = 409, body = super::ApiError), (status = 422, body = super::ApiError)))]
pub async fn paper(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Id(id): Id,
    Json(b): Json<PaperSheet>,
) -> Result<Created<ResponseId>> {
    let input = PaperInput {
        answered_on: b.answered_on,
        sheet: AnswerInput::from_given(b.place_id, b.phone, &b.answers),
    };
    let response_id = surveys::enter_paper(&s.db, &a, id, &input).await?;
    Ok(Created(ResponseId { response_id }))
}

/// Where a phone form is opened (the printed QR code's place).
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AtPlace {
    /// The node the answers are counted at (inside the survey's audience).
    pub p: Option<i64>,
}

/// The questions a resident's phone shows (no account); 409 with the reason outside the period.
#[utoipa::path(get, path = "/api/v1/public/surveys/{code}", tag = "surveys",
    params(("code" = String, Path), AtPlace),
    responses((status = 200, body = AnswerForm), (status = 404, body = super::ApiError), (status = 409, body = super::ApiError)))]
pub async fn public_form(
    State(s): State<AppState>,
    Path(code): Path<String>,
    Query(q): Query<AtPlace>,
) -> Result<axum::Json<AnswerForm>> {
    Ok(axum::Json(surveys::open_form(&s.db, &code, q.p).await?))
}

/// A resident's answers.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct PublicAnswer {
    #[serde(default)]
    pub place_id: Option<i64>,
    /// A named survey asks for the mobile number (one answer a person).
    #[serde(default)]
    pub phone: Option<String>,
    pub answers: Vec<GivenAnswer>,
}

/// Answer a survey (no account): 409 outside the period or answered already, 429 when one address
/// has sent too many in a while, 422 naming the question.
#[utoipa::path(post, path = "/api/v1/public/surveys/{code}", tag = "surveys",
    params(("code" = String, Path)), request_body = PublicAnswer,
    responses((status = 201, body = ResponseId), (status = 404, body = super::ApiError), (status = 409, body = super::ApiError),
        (status = 422, body = super::ApiError), (status = 429, body = super::ApiError)))]
pub async fn public_answer(
    State(s): State<AppState>,
    meta: ClientMeta,
    Path(code): Path<String>,
    Json(b): Json<PublicAnswer>,
) -> Result<Created<ResponseId>> {
    let input = AnswerInput::from_given(b.place_id, b.phone, &b.answers);
    let response_id = surveys::answer(&s.db, &code, &input, meta.ip.as_deref()).await?;
    Ok(Created(ResponseId { response_id }))
}
