//! The town's funds under `/api/v1/funds`. Amounts are sent as text in yuan ("1,250.50", at
//! most two decimals) and answered as integer fen: money never passes through floating point.

use axum::extract::State;

use crate::access::Permission as P;
use crate::attachments::Attachment;
use crate::error::Result;
use crate::funding::{
    self, Expense, ExpenseInput, FundsYear, Income, IncomeInput, RegisterEntry, RegisterInput,
};
use crate::web::AppState;
use crate::web::extract::{Created, CurrentActor, Id, Json, Query, TownYear, Upload, UploadForm};
use crate::web::routes::{ATTACHMENT_BODY, Object, Routes, Rule};
use utoipa_axum::routes;

pub(super) fn router() -> Routes {
    let read = Rule::needs(P::FundsRead);
    let write = Rule::needs(P::FundsWrite);
    Routes::new()
        .api(read, routes!(get_year))
        .api(write, routes!(add_income))
        .api(write, routes!(add_expense))
        .api(read.on(Object::Expense), routes!(get_expense))
        .api_upload(
            write.on(Object::Expense),
            routes!(attach_voucher),
            ATTACHMENT_BODY,
        )
        .api(read, routes!(get_register))
        .api(write, routes!(add_register))
}

/// A town's year of funds: population, the floor (2 yuan a resident), the government's special
/// budget and its shortfall, income, spending per category and per centre, every booking.
#[utoipa::path(
    get,
    path = "/api/v1/funds",
    tag = "funds",
    params(TownYear),
    responses((status = 200, body = FundsYear), (status = 404, body = super::ApiError)),
)]
pub async fn get_year(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Query(q): Query<TownYear>,
) -> Result<axum::Json<FundsYear>> {
    Ok(axum::Json(
        funding::year(&s.db, &a, q.town_id, q.year()).await?,
    ))
}

/// Book income (the government's special budget is channel `government`).
#[utoipa::path(
    post,
    path = "/api/v1/funds/incomes",
    tag = "funds",
    request_body = IncomeInput,
    responses(
        (status = 201, body = Income),
        (status = 404, body = super::ApiError),
        (status = 422, body = super::ApiError),
    ),
)]
pub async fn add_income(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Json(b): Json<IncomeInput>,
) -> Result<Created<Income>> {
    Ok(Created(funding::add_income(&s.db, &a, &b).await?))
}

/// Book an expense. A lecture fee names the teacher and the activity: never to a volunteer,
/// government or community staff, only for an activity the teacher taught that was held.
/// Beyond the year's funds it needs `over_budget_reason`.
#[utoipa::path(
    post,
    path = "/api/v1/funds/expenses",
    tag = "funds",
    request_body = ExpenseInput,
    responses(
        (status = 201, body = Expense),
        (status = 404, body = super::ApiError),
        (status = 422, body = super::ApiError),
    ),
)]
pub async fn add_expense(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Json(b): Json<ExpenseInput>,
) -> Result<Created<Expense>> {
    Ok(Created(funding::add_expense(&s.db, &a, &b, None).await?))
}

/// One expense.
#[utoipa::path(
    get,
    path = "/api/v1/funds/expenses/{id}",
    tag = "funds",
    params(("id" = i64, Path)),
    responses((status = 200, body = Expense), (status = 404, body = super::ApiError)),
)]
pub async fn get_expense(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Id(id): Id,
) -> Result<axum::Json<Expense>> {
    Ok(axum::Json(funding::expense(&s.db, &a, id).await?))
}

/// Attach a voucher scan as multipart form data: `file` (JPG, PNG, PDF or xlsx, at most 10 MB).
#[utoipa::path(
    post,
    path = "/api/v1/funds/expenses/{id}/vouchers",
    tag = "funds",
    params(("id" = i64, Path)),
    responses(
        (status = 201, body = Attachment),
        (status = 413, body = super::ApiError),
        (status = 422, body = super::ApiError),
    ),
)]
pub async fn attach_voucher(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Id(id): Id,
    upload: Upload,
) -> Result<Created<Attachment>> {
    let form = upload.read().await?;
    if form.too_large {
        return Err(UploadForm::too_large_error());
    }
    let (name, bytes) = form.file.unwrap_or_default();
    Ok(Created(
        funding::attach_voucher(&s.db, &a, id, &name, bytes).await?,
    ))
}

/// The register of enterprises and schools with their training spend, each flagged when outside
/// the plan (an enterprise 1.5–2.5 % of its payroll, a school at least 5 % of its funds).
#[utoipa::path(
    get,
    path = "/api/v1/funds/register",
    tag = "funds",
    params(TownYear),
    responses((status = 200, body = Vec<RegisterEntry>), (status = 404, body = super::ApiError)),
)]
pub async fn get_register(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Query(q): Query<TownYear>,
) -> Result<axum::Json<Vec<RegisterEntry>>> {
    Ok(axum::Json(
        funding::register(&s.db, &a, q.town_id, q.year()).await?,
    ))
}

/// Add an enterprise or a school to the register.
#[utoipa::path(
    post,
    path = "/api/v1/funds/register",
    tag = "funds",
    request_body = RegisterInput,
    responses(
        (status = 201, body = RegisterEntry),
        (status = 404, body = super::ApiError),
        (status = 422, body = super::ApiError),
    ),
)]
pub async fn add_register(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Json(b): Json<RegisterInput>,
) -> Result<Created<RegisterEntry>> {
    Ok(Created(funding::add_to_register(&s.db, &a, &b).await?))
}
