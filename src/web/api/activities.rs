use axum::extract::State;
use serde::Deserialize;

use crate::access::Permission as P;
use crate::activities::{self, Activity, ActivityFilter, ActivityInput, Grid, Lifecycle};
use crate::attendance::{self, Enrolment};
use crate::error::{Error, Msg, Result};
use crate::page::Page;
use crate::web::AppState;
use crate::web::extract::{Created, CurrentActor, Id, Json, Listing, Paging, Query};
use utoipa_axum::routes;

use crate::web::routes::{Object, Routes, Rule};

pub(super) fn router() -> Routes {
    let activity = |p| Rule::needs(p).on(Object::Activity);
    Routes::new()
        .api(Rule::needs(P::ActivitiesRead), routes!(list_activities))
        .api(Rule::needs(P::ActivitiesPlan), routes!(plan_activity))
        .api(
            Rule::both(P::ActivitiesPlan, P::ActivitiesAttend),
            routes!(record_held_activity),
        )
        .api(
            Rule::both(P::ActivitiesRead, P::OrgRead),
            routes!(month_grid),
        )
        .api(activity(P::ActivitiesRead), routes!(get_activity))
        .api(activity(P::ActivitiesPlan), routes!(update_activity))
        .api(
            Rule::either(P::ActivitiesPlan, P::ActivitiesReview).on(Object::Activity),
            routes!(transition_activity),
        )
        .api(activity(P::PeopleRead), routes!(list_enrolments))
        .api(activity(P::PeopleWrite), routes!(enrol))
        .api(
            Rule::needs(P::PeopleWrite).on(Object::Enrolment),
            routes!(cancel_enrolment),
        )
}

/// Activities inside your scope, soonest first.
#[utoipa::path(
    get,
    path = "/api/v1/activities",
    tag = "activities",
    params(ActivityFilter, Paging),
    responses((status = 200, body = Page<Activity>)),
)]
pub async fn list_activities(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Listing(f, page): Listing<ActivityFilter>,
) -> Result<axum::Json<Page<Activity>>> {
    Ok(axum::Json(activities::list(&s.db, &a, &f, page).await?))
}

/// Plan an activity, or a series (`repeat_weeks` + `repeat_until`), as drafts.
#[utoipa::path(
    post,
    path = "/api/v1/activities",
    tag = "activities",
    request_body = ActivityInput,
    responses((status = 201, body = Vec<Activity>), (status = 422, body = super::ApiError)),
)]
pub async fn plan_activity(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Json(b): Json<ActivityInput>,
) -> Result<Created<Vec<Activity>>> {
    Ok(Created(activities::plan(&s.db, &a, &b).await?))
}

/// Record an activity already held (补录), e.g. one held on paper before the town used cedu: it
/// is stored as held and marked `recorded_afterwards`, with no review and no 15-day notice; the
/// date must not be after today. Its attendance and evidence follow through the attendance
/// endpoints, then `document`.
#[utoipa::path(
    post,
    path = "/api/v1/activities/held",
    tag = "activities",
    request_body = ActivityInput,
    responses((status = 201, body = Activity), (status = 422, body = super::ApiError)),
)]
pub async fn record_held_activity(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Json(b): Json<ActivityInput>,
) -> Result<Created<Activity>> {
    Ok(Created(activities::record_held(&s.db, &a, &b).await?))
}

/// One activity.
#[utoipa::path(
    get,
    path = "/api/v1/activities/{id}",
    tag = "activities",
    params(("id" = i64, Path)),
    responses((status = 200, body = Activity), (status = 404, body = super::ApiError)),
)]
pub async fn get_activity(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Id(id): Id,
) -> Result<axum::Json<Activity>> {
    Ok(axum::Json(activities::get(&s.db, &a, id).await?))
}

/// Edit a draft or returned plan.
#[utoipa::path(
    put,
    path = "/api/v1/activities/{id}",
    tag = "activities",
    params(("id" = i64, Path)),
    request_body = ActivityInput,
    responses(
        (status = 200, body = Activity),
        (status = 409, body = super::ApiError),
        (status = 422, body = super::ApiError),
    ),
)]
pub async fn update_activity(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Id(id): Id,
    Json(b): Json<ActivityInput>,
) -> Result<axum::Json<Activity>> {
    Ok(axum::Json(activities::update(&s.db, &a, id, &b).await?))
}

/// A step of the review lifecycle.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct TransitionRequest {
    /// submit, approve, return, publish, hold, archive or cancel
    action: String,
    /// Required to return or cancel.
    reason: Option<String>,
}

/// Submit, approve, return, publish, start or cancel an activity (409 when the state does not allow
/// it).
#[utoipa::path(
    post,
    path = "/api/v1/activities/{id}/transition",
    tag = "activities",
    params(("id" = i64, Path)),
    request_body = TransitionRequest,
    responses(
        (status = 200, body = Activity),
        (status = 409, body = super::ApiError),
        (status = 403, body = super::ApiError),
    ),
)]
pub async fn transition_activity(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Id(id): Id,
    Json(b): Json<TransitionRequest>,
) -> Result<axum::Json<Activity>> {
    let t = crate::workflow::parse::<Lifecycle>(&b.action)
        .ok_or_else(|| Error::invalid("action", Msg::new("field.choose")))?;
    Ok(axum::Json(
        activities::transition(&s.db, &a, id, t, b.reason.as_deref()).await?,
    ))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct GridQuery {
    /// 2000 to 2100.
    #[param(minimum = 2000, maximum = 2100)]
    year: i32,
}

/// Each learning centre's activities per month against the rule of at least 2.
#[utoipa::path(
    get,
    path = "/api/v1/activities/grid",
    tag = "activities",
    params(GridQuery),
    responses((status = 200, body = Grid)),
)]
pub async fn month_grid(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Query(q): Query<GridQuery>,
) -> Result<axum::Json<Grid>> {
    Ok(axum::Json(activities::month_grid(&s.db, &a, q.year).await?))
}

/// The enrolled and waiting residents of an activity (phones masked).
#[utoipa::path(
    get,
    path = "/api/v1/activities/{id}/enrolments",
    tag = "activities",
    params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Enrolment>), (status = 404, body = super::ApiError)),
)]
pub async fn list_enrolments(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Id(id): Id,
) -> Result<axum::Json<Vec<Enrolment>>> {
    Ok(axum::Json(attendance::list(&s.db, &a, id).await?))
}

/// Who to enrol: a resident id, or a mobile number registered in your scope.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct EnrolRequest {
    resident_id: Option<i64>,
    phone: Option<String>,
}

/// Enrol a resident in a published activity; beyond capacity they join the waiting list.
#[utoipa::path(
    post,
    path = "/api/v1/activities/{id}/enrolments",
    tag = "activities",
    params(("id" = i64, Path)),
    request_body = EnrolRequest,
    responses(
        (status = 201, body = Enrolment),
        (status = 409, body = super::ApiError),
        (status = 422, body = super::ApiError),
    ),
)]
pub async fn enrol(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Id(id): Id,
    Json(b): Json<EnrolRequest>,
) -> Result<Created<Enrolment>> {
    let e = match (b.resident_id, b.phone) {
        (Some(r), _) => attendance::enrol(&s.db, &a, id, r).await?,
        (None, Some(p)) => attendance::enrol_by_phone(&s.db, &a, id, &p).await?,
        (None, None) => return Err(Error::invalid("resident_id", Msg::new("field.required"))),
    };
    Ok(Created(e))
}

/// Who moved up from the waiting list, if anyone.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Cancelled {
    promoted: Option<Enrolment>,
}

/// Cancel an enrolment; the first waiting resident moves up.
#[utoipa::path(
    post,
    path = "/api/v1/enrolments/{id}/cancel",
    tag = "activities",
    params(("id" = i64, Path)),
    responses((status = 200, body = Cancelled), (status = 409, body = super::ApiError)),
)]
pub async fn cancel_enrolment(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Id(id): Id,
) -> Result<axum::Json<Cancelled>> {
    Ok(axum::Json(Cancelled {
        promoted: attendance::cancel(&s.db, &a, id).await?,
    }))
}
