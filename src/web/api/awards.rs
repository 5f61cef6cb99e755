//! Commendation under `/api/v1/awards`.

use axum::extract::State;
use serde::Deserialize;

use crate::access::Permission as P;
use crate::commendation::{
    self, AwardCategory, AwardCategoryInput, DecidedInput, Nomination, NominationInput,
    PublicResults, Round, RoundInput, RoundView,
};
use crate::error::Result;
use crate::web::AppState;
use crate::web::extract::{Created, CurrentActor, Id, Json};
use crate::web::routes::{Object, Routes, Rule};
use utoipa_axum::routes;

pub(super) fn router() -> Routes {
    let read = Rule::needs(P::AwardsRead);
    let manage = Rule::needs(P::AwardsManage);
    Routes::new()
        .api(read, routes!(list_rounds))
        .api(manage, routes!(open_round))
        .api(read.on(Object::AwardRound), routes!(get_round))
        .api(manage.on(Object::AwardRound), routes!(publish_round))
        .api(
            Rule::needs(P::AwardsNominate).on(Object::AwardRound),
            routes!(nominate),
        )
        .api(manage.on(Object::AwardRound), routes!(record_decided))
        .api(read.on(Object::Nomination), routes!(get_nomination))
        .api(read.on(Object::Nomination), routes!(take_step))
        .api(read, routes!(list_categories))
        .api(Rule::needs(P::AwardsCategories), routes!(add_category))
        .api(
            Rule::needs(P::AwardsCategories).on(Object::AwardCategory),
            routes!(update_category),
        )
        // The portal's list of a town's published results: no account.
        .api(Rule::PUBLIC, routes!(public_results))
}

/// Enter a winner the leadership group decided on paper (补录, the office): approved at once,
/// past the deadline, within the quota.
#[utoipa::path(post, path = "/api/v1/awards/rounds/{id}/decided", tag = "awards",
    params(("id" = i64, Path)), request_body = DecidedInput,
    responses((status = 201, body = Nomination), (status = 404, body = super::ApiError),
        (status = 409, body = super::ApiError), (status = 422, body = super::ApiError)))]
pub async fn record_decided(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Id(id): Id,
    Json(b): Json<DecidedInput>,
) -> Result<Created<Nomination>> {
    Ok(Created(
        commendation::record_decided(&s.db, &a, id, &b).await?,
    ))
}

/// The categories of your district's dictionary, retired ones too.
#[utoipa::path(get, path = "/api/v1/awards/categories", tag = "awards",
    responses((status = 200, body = Vec<AwardCategory>)))]
pub async fn list_categories(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
) -> Result<axum::Json<Vec<AwardCategory>>> {
    Ok(axum::Json(commendation::categories(&s.db, &a).await?))
}

/// Add a category to your district's dictionary (the district's administrator).
#[utoipa::path(post, path = "/api/v1/awards/categories", tag = "awards",
    request_body = AwardCategoryInput,
    responses((status = 201, body = AwardCategory), (status = 422, body = super::ApiError)))]
pub async fn add_category(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Json(b): Json<AwardCategoryInput>,
) -> Result<Created<AwardCategory>> {
    Ok(Created(commendation::add_category(&s.db, &a, &b).await?))
}

/// Rename, retire or reinstate a category; its nominee kind changes only while no round uses it.
#[utoipa::path(put, path = "/api/v1/awards/categories/{id}", tag = "awards",
    params(("id" = i64, Path)), request_body = AwardCategoryInput,
    responses((status = 200, body = AwardCategory), (status = 404, body = super::ApiError),
        (status = 422, body = super::ApiError)))]
pub async fn update_category(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Id(id): Id,
    Json(b): Json<AwardCategoryInput>,
) -> Result<axum::Json<AwardCategory>> {
    Ok(axum::Json(
        commendation::update_category(&s.db, &a, id, &b).await?,
    ))
}

/// A town's published commendation results (no account: the public portal). Persons' names are
/// masked.
#[utoipa::path(get, path = "/api/v1/public/awards/{id}", tag = "awards",
    params(("id" = i64, Path, description = "the town")), security(()),
    responses((status = 200, body = PublicResults), (status = 404, body = super::ApiError)))]
pub async fn public_results(
    State(s): State<AppState>,
    Id(id): Id,
) -> Result<axum::Json<PublicResults>> {
    Ok(axum::Json(
        commendation::published_results(&s.db, id).await?,
    ))
}

/// The rounds of your town (a district's: of its towns), newest first.
#[utoipa::path(get, path = "/api/v1/awards/rounds", tag = "awards",
    responses((status = 200, body = Vec<Round>)))]
pub async fn list_rounds(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
) -> Result<axum::Json<Vec<Round>>> {
    Ok(axum::Json(commendation::rounds(&s.db, &a).await?))
}

/// Open the year's round: categories with quotas and rewards (yuan as text), the deadline.
#[utoipa::path(post, path = "/api/v1/awards/rounds", tag = "awards", request_body = RoundInput,
    responses((status = 201, body = RoundView), (status = 404, body = super::ApiError), (status = 422, body = super::ApiError)))]
pub async fn open_round(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Json(b): Json<RoundInput>,
) -> Result<Created<RoundView>> {
    Ok(Created(commendation::open_round(&s.db, &a, &b).await?))
}

/// A round with its categories and the nominations you see.
#[utoipa::path(get, path = "/api/v1/awards/rounds/{id}", tag = "awards", params(("id" = i64, Path)),
    responses((status = 200, body = RoundView), (status = 404, body = super::ApiError)))]
pub async fn get_round(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Id(id): Id,
) -> Result<axum::Json<RoundView>> {
    Ok(axum::Json(commendation::round(&s.db, &a, id).await?))
}

/// Publish the results (the approved nominations are the winners).
#[utoipa::path(post, path = "/api/v1/awards/rounds/{id}/publish", tag = "awards", params(("id" = i64, Path)),
    responses((status = 200, body = RoundView), (status = 409, body = super::ApiError)))]
pub async fn publish_round(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Id(id): Id,
) -> Result<axum::Json<RoundView>> {
    Ok(axum::Json(commendation::publish(&s.db, &a, id).await?))
}

/// Nominate inside your scope before the deadline: one nomination per nominee and category.
#[utoipa::path(post, path = "/api/v1/awards/rounds/{id}/nominations", tag = "awards", params(("id" = i64, Path)),
    request_body = NominationInput,
    responses((status = 201, body = Nomination), (status = 409, body = super::ApiError), (status = 422, body = super::ApiError)))]
pub async fn nominate(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Id(id): Id,
    Json(b): Json<NominationInput>,
) -> Result<Created<Nomination>> {
    Ok(Created(
        commendation::nominate(&s.db, &a, id, &b, Vec::new()).await?,
    ))
}

/// One nomination with the nominee's record and its files.
#[utoipa::path(get, path = "/api/v1/awards/nominations/{id}", tag = "awards", params(("id" = i64, Path)),
    responses((status = 200, body = Nomination), (status = 404, body = super::ApiError)))]
pub async fn get_nomination(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Id(id): Id,
) -> Result<axum::Json<Nomination>> {
    Ok(axum::Json(commendation::get(&s.db, &a, id).await?))
}

/// A review step and its reason (a return needs one).
#[derive(Deserialize, utoipa::ToSchema)]
pub struct StepRequest {
    /// pass, return, resubmit or approve
    pub action: String,
    pub reason: Option<String>,
}

/// Take a review step: the office passes or returns, the centre resubmits, the leadership group
/// approves (within the quota; a reward is booked as an expense in the same transaction).
#[utoipa::path(post, path = "/api/v1/awards/nominations/{id}/step", tag = "awards", params(("id" = i64, Path)),
    request_body = StepRequest,
    responses((status = 200, body = Nomination), (status = 409, body = super::ApiError), (status = 422, body = super::ApiError)))]
pub async fn take_step(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Id(id): Id,
    Json(b): Json<StepRequest>,
) -> Result<axum::Json<Nomination>> {
    Ok(axum::Json(
        commendation::step(&s.db, &a, id, &b.action, b.reason.as_deref()).await?,
    ))
}
