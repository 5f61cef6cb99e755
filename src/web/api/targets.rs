//! KPIs against their targets under `/api/v1/kpis`.

use axum::extract::State;
use serde::Deserialize;

use crate::access::Permission as P;
use crate::error::Result;
use crate::targets::{self, Comparison, TargetLine, TargetsInput, Trends};
use crate::web::AppState;
use crate::web::extract::{CurrentActor, Json, Query};
use crate::web::routes::{Routes, Rule};
use utoipa_axum::routes;

pub(super) fn router() -> Routes {
    Routes::new()
        .api(Rule::needs(P::TargetsRead), routes!(get_kpis))
        .api(Rule::needs(P::TargetsRead), routes!(get_targets))
        .api(Rule::needs(P::TargetsRead), routes!(get_trends))
        .api(Rule::needs(P::TargetsManage), routes!(set_targets))
}

/// Which place and year.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PlaceYear {
    /// A district, town, community or centre in scope; the own scope when absent.
    pub node_id: Option<i64>,
    /// 2000–2100; this year when absent.
    pub year: Option<i32>,
}

/// A place's KPIs for a year — value, target, standing (met, on track, at risk, missed, no data),
/// numerator and denominator — and those of the places one level down, ranked by participation.
#[utoipa::path(get, path = "/api/v1/kpis", tag = "kpis", params(PlaceYear),
    responses((status = 200, body = Comparison), (status = 404, body = super::ApiError)))]
pub async fn get_kpis(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Query(q): Query<PlaceYear>,
) -> Result<axum::Json<Comparison>> {
    let year = q.year.unwrap_or(crate::calendar::Year::current().0);
    Ok(axum::Json(
        targets::compare(&s.db, &a, q.node_id, year).await?,
    ))
}

/// The district's targets (the plan's until the district sets its own).
#[utoipa::path(get, path = "/api/v1/kpis/targets", tag = "kpis",
    responses((status = 200, body = Vec<TargetLine>)))]
pub async fn get_targets(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
) -> Result<axum::Json<Vec<TargetLine>>> {
    Ok(axum::Json(targets::targets(&s.db, &a).await?))
}

/// Set the district's targets: KPI name → value (per cent, an average, a count, yuan).
#[utoipa::path(put, path = "/api/v1/kpis/targets", tag = "kpis", request_body = TargetsInput,
    responses((status = 200, body = Vec<TargetLine>), (status = 404, body = super::ApiError), (status = 422, body = super::ApiError)))]
pub async fn set_targets(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Json(b): Json<TargetsInput>,
) -> Result<axum::Json<Vec<TargetLine>>> {
    Ok(axum::Json(targets::set_targets(&s.db, &a, &b).await?))
}

/// A place's attendance by month (January first) and the themes of the activities it held, most
/// first: what its dashboard draws.
#[utoipa::path(get, path = "/api/v1/kpis/trends", tag = "kpis", params(PlaceYear),
    responses((status = 200, body = Trends), (status = 404, body = super::ApiError)))]
pub async fn get_trends(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Query(q): Query<PlaceYear>,
) -> Result<axum::Json<Trends>> {
    let year = q.year.unwrap_or(crate::calendar::Year::current().0);
    Ok(axum::Json(
        targets::trends(&s.db, &a, q.node_id, year).await?,
    ))
}
