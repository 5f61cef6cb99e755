//! Inspections, rectifications and the year-end assessment under `/api/v1/inspections`,
//! `/api/v1/rectifications` and `/api/v1/assessment`.

use axum::extract::State;
use serde::Deserialize;

use crate::access::Permission as P;
use crate::error::{Error, Msg, Result};
use crate::inspections::{
    self, Assessment, Inspection, InspectionsYear, Rectification, Rectifying, ScheduleInput,
    ScoresInput, Template, TemplateInput, Weights,
};
use crate::web::AppState;
use crate::web::extract::{Created, CurrentActor, Id, Json, Query, TownYear, Upload, UploadForm};
use crate::web::routes::{ATTACHMENT_BODY, Object, Routes, Rule};
use utoipa_axum::routes;

pub(super) fn router() -> Routes {
    let read = Rule::needs(P::InspectionsRead);
    let manage = Rule::needs(P::InspectionsManage);
    Routes::new()
        .api(read, routes!(list_templates))
        .api(manage, routes!(add_template))
        .api(read, routes!(get_year))
        .api(manage, routes!(schedule))
        .api(read.on(Object::Inspection), routes!(get_inspection))
        .api(manage.on(Object::Inspection), routes!(record_scores))
        .api_upload(
            manage.on(Object::Inspection),
            routes!(add_photo),
            ATTACHMENT_BODY,
        )
        .api(read, routes!(open_rectifications))
        .api(read.on(Object::Rectification), routes!(get_rectification))
        .api_upload(
            Rule::either(P::InspectionsAnswer, P::InspectionsManage).on(Object::Rectification),
            routes!(rectify),
            ATTACHMENT_BODY,
        )
        .api(read, routes!(get_assessment))
        .api(manage, routes!(set_weights))
        .api(Rule::needs(P::AssessmentApprove), routes!(approve))
}

/// The scoring templates the actor's district and town work with.
#[utoipa::path(get, path = "/api/v1/inspections/templates", tag = "inspections",
    responses((status = 200, body = Vec<Template>)))]
pub async fn list_templates(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
) -> Result<axum::Json<Vec<Template>>> {
    Ok(axum::Json(inspections::templates(&s.db, &a).await?))
}

/// Add a scoring template of the office's town.
#[utoipa::path(post, path = "/api/v1/inspections/templates", tag = "inspections",
    request_body = TemplateInput,
    responses((status = 201, body = Template), (status = 404, body = super::ApiError), (status = 422, body = super::ApiError)))]
pub async fn add_template(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Json(b): Json<TemplateInput>,
) -> Result<Created<Template>> {
    Ok(Created(inspections::add_template(&s.db, &a, &b).await?))
}

/// A town's inspections planned in a year (a centre head: the own centre's).
#[utoipa::path(get, path = "/api/v1/inspections", tag = "inspections", params(TownYear),
    responses((status = 200, body = InspectionsYear), (status = 404, body = super::ApiError)))]
pub async fn get_year(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Query(q): Query<TownYear>,
) -> Result<axum::Json<InspectionsYear>> {
    Ok(axum::Json(
        inspections::year(&s.db, &a, q.town_id, q.year()).await?,
    ))
}

/// Schedule an inspection of a centre, or record an unannounced one today.
#[utoipa::path(post, path = "/api/v1/inspections", tag = "inspections", request_body = ScheduleInput,
    responses((status = 201, body = Inspection), (status = 404, body = super::ApiError), (status = 422, body = super::ApiError)))]
pub async fn schedule(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Json(b): Json<ScheduleInput>,
) -> Result<Created<Inspection>> {
    Ok(Created(inspections::schedule(&s.db, &a, &b).await?))
}

/// One inspection: each item with its score, note, photos and what the record says for the
/// period; its rectifications.
#[utoipa::path(get, path = "/api/v1/inspections/{id}", tag = "inspections",
    params(("id" = i64, Path)),
    responses((status = 200, body = Inspection), (status = 404, body = super::ApiError)))]
pub async fn get_inspection(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Id(id): Id,
) -> Result<axum::Json<Inspection>> {
    Ok(axum::Json(inspections::get(&s.db, &a, id).await?))
}

/// Record the scores of every item, the summary and the findings (each a rectification).
#[utoipa::path(post, path = "/api/v1/inspections/{id}/scores", tag = "inspections",
    params(("id" = i64, Path)), request_body = ScoresInput,
    responses((status = 200, body = Inspection), (status = 404, body = super::ApiError), (status = 409, body = super::ApiError), (status = 422, body = super::ApiError)))]
pub async fn record_scores(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Id(id): Id,
    Json(b): Json<ScoresInput>,
) -> Result<axum::Json<Inspection>> {
    Ok(axum::Json(
        inspections::record_scores(&s.db, &a, id, &b).await?,
    ))
}

/// Attach a photo to a scored item (multipart: `item_id`, `file`).
#[utoipa::path(post, path = "/api/v1/inspections/{id}/photos", tag = "inspections",
    params(("id" = i64, Path)),
    responses((status = 200, body = Inspection), (status = 413, body = super::ApiError), (status = 422, body = super::ApiError)))]
pub async fn add_photo(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Id(id): Id,
    upload: Upload,
) -> Result<axum::Json<Inspection>> {
    let form: UploadForm = upload.read().await?;
    if form.too_large {
        return Err(UploadForm::too_large_error());
    }
    let item = form.text("item_id").trim().parse().unwrap_or(0);
    let (name, bytes) = form.file.unwrap_or_default();
    Ok(axum::Json(
        inspections::attach_photo(&s.db, &a, id, item, &name, bytes).await?,
    ))
}

/// The rectifications not closed yet in your scope, oldest deadline first.
#[utoipa::path(get, path = "/api/v1/rectifications", tag = "inspections",
    responses((status = 200, body = Vec<Rectification>)))]
pub async fn open_rectifications(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
) -> Result<axum::Json<Vec<Rectification>>> {
    Ok(axum::Json(
        inspections::open_rectifications(&s.db, &a).await?,
    ))
}

/// One rectification with its evidence.
#[utoipa::path(get, path = "/api/v1/rectifications/{id}", tag = "inspections",
    params(("id" = i64, Path)),
    responses((status = 200, body = Rectification), (status = 404, body = super::ApiError)))]
pub async fn get_rectification(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Id(id): Id,
) -> Result<axum::Json<Rectification>> {
    Ok(axum::Json(inspections::rectification(&s.db, &a, id).await?))
}

/// A step of a rectification (multipart: `step` answer / close / reopen; `text`: the answer or
/// the reason; `file`: evidence with an answer).
#[utoipa::path(post, path = "/api/v1/rectifications/{id}/steps", tag = "inspections",
    params(("id" = i64, Path)),
    responses((status = 200, body = Rectification), (status = 403, body = super::ApiError), (status = 409, body = super::ApiError), (status = 422, body = super::ApiError)))]
pub async fn rectify(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Id(id): Id,
    upload: Upload,
) -> Result<axum::Json<Rectification>> {
    let form: UploadForm = upload.read().await?;
    if form.too_large {
        return Err(UploadForm::too_large_error());
    }
    let step = crate::workflow::parse::<Rectifying>(form.text("step").trim())
        .ok_or_else(|| Error::invalid("step", Msg::new("field.choose")))?;
    let text = form.text("text");
    let r = inspections::rectify(&s.db, &a, id, step, Some(&text), form.file).await?;
    Ok(axum::Json(r))
}

/// A town's year-end assessment: frozen once approved, else computed now.
#[utoipa::path(get, path = "/api/v1/assessment", tag = "inspections", params(TownYear),
    responses((status = 200, body = Assessment), (status = 404, body = super::ApiError)))]
pub async fn get_assessment(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Query(q): Query<TownYear>,
) -> Result<axum::Json<Assessment>> {
    Ok(axum::Json(
        inspections::assessment(&s.db, &a, q.town_id, q.year()).await?,
    ))
}

/// The office's weights of a town's year.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct WeightsBody {
    pub town_id: i64,
    pub year: i32,
    pub weights: Weights,
    /// The version read (none before weights were first set).
    pub version: Option<i64>,
}

/// Set the weights (percent, summing to 100) while the assessment is not approved.
#[utoipa::path(put, path = "/api/v1/assessment", tag = "inspections", request_body = WeightsBody,
    responses((status = 200, body = Assessment), (status = 404, body = super::ApiError), (status = 409, body = super::ApiError), (status = 422, body = super::ApiError)))]
pub async fn set_weights(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Json(b): Json<WeightsBody>,
) -> Result<axum::Json<Assessment>> {
    Ok(axum::Json(
        inspections::set_weights(&s.db, &a, b.town_id, b.year, &b.weights, b.version).await?,
    ))
}

/// The assessment approved.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct ApproveBody {
    pub town_id: i64,
    pub year: i32,
    /// The version read: a ranking changed since is not approved.
    pub version: Option<i64>,
}

/// Approve the assessment (the leadership group): frozen from now on.
#[utoipa::path(post, path = "/api/v1/assessment/approve", tag = "inspections", request_body = ApproveBody,
    responses((status = 200, body = Assessment), (status = 404, body = super::ApiError), (status = 409, body = super::ApiError)))]
pub async fn approve(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Json(b): Json<ApproveBody>,
) -> Result<axum::Json<Assessment>> {
    Ok(axum::Json(
        inspections::approve_assessment(&s.db, &a, b.town_id, b.year, b.version).await?,
    ))
}
