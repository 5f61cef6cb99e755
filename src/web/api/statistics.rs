//! The monthly and annual reports under `/api/v1/reports`.

use axum::extract::State;
use serde::Deserialize;

use crate::access::Permission as P;
use crate::calendar::{Month, Year};
use crate::error::Result;
use crate::statistics::{self, AnnualReport, MonthlyReport};
use crate::web::AppState;
use crate::web::extract::{CurrentActor, Query};
use crate::web::routes::{Routes, Rule};
use utoipa_axum::routes;

pub(super) fn router() -> Routes {
    Routes::new()
        .api(Rule::needs(P::TargetsRead), routes!(get_monthly))
        .api(Rule::needs(P::TargetsRead), routes!(get_annual))
}

/// Which place and month.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PlaceMonth {
    /// A town, community or centre in scope; the own scope when absent.
    pub node_id: Option<i64>,
    /// 2000–2100; this year when absent.
    pub year: Option<i32>,
    /// 1–12; this month when absent.
    pub month: Option<u32>,
}

/// Which place and year.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportYear {
    /// A district or town in scope; the own scope when absent.
    pub node_id: Option<i64>,
    /// 2000–2100; this year when absent.
    pub year: Option<i32>,
}

/// The monthly report of a centre or a town: activities held by theme and format, attendance and
/// distinct participants, new residents, ratings, the KPIs of the year so far, the schedule's
/// rows due in the month and those done. A month with nothing recorded is an empty report.
#[utoipa::path(get, path = "/api/v1/reports/monthly", tag = "reports", params(PlaceMonth),
    responses((status = 200, body = MonthlyReport), (status = 404, body = super::ApiError), (status = 422, body = super::ApiError)))]
pub async fn get_monthly(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Query(q): Query<PlaceMonth>,
) -> Result<axum::Json<MonthlyReport>> {
    let now = Month::current();
    let report = statistics::monthly(
        &s.db,
        &a,
        q.node_id,
        q.year.unwrap_or(now.year),
        q.month.unwrap_or(now.month),
    )
    .await?;
    Ok(axum::Json(report))
}

/// The annual report of a town or a district: every KPI against its target, per centre or per
/// town, attendance by month, themes, the year-end ranking, awards, funds, inspections and the
/// schedule's completion.
#[utoipa::path(get, path = "/api/v1/reports/annual", tag = "reports", params(ReportYear),
    responses((status = 200, body = AnnualReport), (status = 404, body = super::ApiError), (status = 422, body = super::ApiError)))]
pub async fn get_annual(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Query(q): Query<ReportYear>,
) -> Result<axum::Json<AnnualReport>> {
    let year = q.year.unwrap_or(Year::current().0);
    Ok(axum::Json(
        statistics::annual(&s.db, &a, q.node_id, year).await?,
    ))
}
