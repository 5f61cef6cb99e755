use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::routing::post;
use serde::Deserialize;

use crate::access::Permission as P;
use crate::error::{Error, Msg, Result};
use crate::importers::{self, Kind as ImportKind};
use crate::imports::Batch;
use crate::page::{Page, PageRequest};
use crate::people::{
    self, Household, HouseholdInput, PersonalField, Resident, ResidentFilter, ResidentInput,
};
use crate::spreadsheet;
use crate::teachers::{self, Teacher, TeacherDetail, TeacherFilter, TeacherInput, TimeEntry};
use crate::web::AppState;
use crate::web::extract::{CurrentActor, Id, Json, Query};
use crate::web::routes::{Object, Routes, Rule};
use axum::http::Method;

pub(super) fn router() -> Routes {
    let resident = |p| Rule::needs(p).on(Object::Resident);
    let teacher = |p| Rule::needs(p).on(Object::Teacher);
    let batch = Rule::needs(P::PeopleImport).on(Object::Import);
    Routes::new()
        .get("/residents", Rule::needs(P::PeopleRead), list_residents)
        .post("/residents", Rule::needs(P::PeopleWrite), create_resident)
        .get("/residents/{id}", resident(P::PeopleRead), get_resident)
        .put("/residents/{id}", resident(P::PeopleWrite), update_resident)
        .post("/residents/{id}/reveal", resident(P::PeopleReveal), reveal)
        .post(
            "/residents/{id}/erase",
            resident(P::PeopleErase),
            erase_resident,
        )
        .get("/households", Rule::needs(P::PeopleRead), list_households)
        .post("/households", Rule::needs(P::PeopleWrite), create_household)
        .get("/teachers", Rule::needs(P::TeachersRead), list_teachers)
        .post("/teachers", Rule::needs(P::TeachersWrite), create_teacher)
        .get("/teachers/{id}", teacher(P::TeachersRead), get_teacher)
        .put("/teachers/{id}", teacher(P::TeachersWrite), update_teacher)
        .post(
            "/teachers/{id}/retire",
            teacher(P::TeachersWrite),
            retire_teacher,
        )
        .post(
            "/teachers/{id}/reinstate",
            teacher(P::TeachersWrite),
            reinstate_teacher,
        )
        .post(
            "/teachers/{id}/trainings",
            teacher(P::TeachersWrite),
            add_training,
        )
        .post(
            "/teachers/{id}/service",
            teacher(P::TeachersWrite),
            add_service,
        )
        // Teachers are imported by those who write the pool: the use-case tells by the kind.
        .route(
            Method::POST,
            "/imports",
            Rule::either(P::PeopleImport, P::TeachersWrite),
            post(upload_import).layer(DefaultBodyLimit::max(crate::web::pages::UPLOAD_LIMIT)),
        )
        .get("/imports/{id}", batch, get_import)
        .post("/imports/{id}/confirm", batch, confirm_import)
        .post("/imports/{id}/cancel", batch, cancel_import)
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ResidentQuery {
    /// Start of a name, or digits: start of a mobile number.
    q: Option<String>,
    community_id: Option<i64>,
    /// elderly, youth, women, employee, farmer, disabled, migrant
    tag: Option<String>,
    include_erased: Option<bool>,
    /// From 1 (to 100,000).
    #[param(minimum = 1, maximum = 100000)]
    page: Option<u32>,
    /// 1 to 200 (default 20).
    #[param(minimum = 1, maximum = 200)]
    per_page: Option<u32>,
}

/// Residents inside your scope; phone and ID numbers masked; totals stop counting at 1,000
/// (`capped`).
#[utoipa::path(
    get,
    path = "/api/v1/residents",
    tag = "people",
    params(ResidentQuery),
    responses((status = 200, body = Page<Resident>)),
)]
pub async fn list_residents(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Query(q): Query<ResidentQuery>,
) -> Result<axum::Json<Page<Resident>>> {
    let f = ResidentFilter {
        q: q.q,
        community_id: q.community_id,
        tag: q.tag,
        include_erased: q.include_erased.unwrap_or(false),
    };
    Ok(axum::Json(
        people::list_residents(&s.db, &a, &f, PageRequest::checked(q.page, q.per_page)?).await?,
    ))
}

/// Register a resident (phone and ID number validated and unique).
#[utoipa::path(
    post,
    path = "/api/v1/residents",
    tag = "people",
    request_body = ResidentInput,
    responses((status = 201, body = Resident), (status = 422, body = super::ApiError)),
)]
pub async fn create_resident(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Json(b): Json<ResidentInput>,
) -> Result<(StatusCode, axum::Json<Resident>)> {
    Ok((
        StatusCode::CREATED,
        axum::Json(people::create_resident(&s.db, &a, &b).await?),
    ))
}

/// One resident, masked.
#[utoipa::path(
    get,
    path = "/api/v1/residents/{id}",
    tag = "people",
    params(("id" = i64, Path)),
    responses((status = 200, body = Resident), (status = 404, body = super::ApiError)),
)]
pub async fn get_resident(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Id(id): Id,
) -> Result<axum::Json<Resident>> {
    Ok(axum::Json(people::get_resident(&s.db, &a, id).await?))
}

/// Replace a resident's data; an empty or missing phone / ID number keeps the stored one.
#[utoipa::path(
    put,
    path = "/api/v1/residents/{id}",
    tag = "people",
    params(("id" = i64, Path)),
    request_body = ResidentInput,
    responses(
        (status = 200, body = Resident),
        (status = 422, body = super::ApiError),
        (status = 404, body = super::ApiError),
    ),
)]
pub async fn update_resident(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Id(id): Id,
    Json(b): Json<ResidentInput>,
) -> Result<axum::Json<Resident>> {
    Ok(axum::Json(
        people::update_resident(&s.db, &a, id, &b).await?,
    ))
}

/// Which number to reveal.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct RevealRequest {
    /// phone or id_number
    field: String,
}

/// The full value of one number.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Revealed {
    field: String,
    value: Option<String>,
}

/// Show one full phone or ID number (roles that need it; every view is audited).
#[utoipa::path(
    post,
    path = "/api/v1/residents/{id}/reveal",
    tag = "people",
    params(("id" = i64, Path)),
    request_body = RevealRequest,
    responses((status = 200, body = Revealed), (status = 403, body = super::ApiError)),
)]
pub async fn reveal(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Id(id): Id,
    Json(b): Json<RevealRequest>,
) -> Result<axum::Json<Revealed>> {
    let field = match b.field.as_str() {
        "phone" => PersonalField::Phone,
        "id_number" => PersonalField::IdNumber,
        _ => return Err(Error::invalid("field", Msg::new("field.choose"))),
    };
    let value = people::reveal(&s.db, &a, id, field).await?;
    Ok(axum::Json(Revealed {
        field: b.field,
        value,
    }))
}

/// Erase a resident's personal data on request (attendance stays, anonymously).
#[utoipa::path(
    post,
    path = "/api/v1/residents/{id}/erase",
    tag = "people",
    params(("id" = i64, Path)),
    responses((status = 200, body = Resident), (status = 409, body = super::ApiError)),
)]
pub async fn erase_resident(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Id(id): Id,
) -> Result<axum::Json<Resident>> {
    Ok(axum::Json(people::erase_resident(&s.db, &a, id).await?))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HouseholdQuery {
    community_id: Option<i64>,
    q: Option<String>,
    /// From 1 (to 100,000).
    #[param(minimum = 1, maximum = 100000)]
    page: Option<u32>,
    /// 1 to 200 (default 20).
    #[param(minimum = 1, maximum = 200)]
    per_page: Option<u32>,
}

/// Households inside your scope.
#[utoipa::path(
    get,
    path = "/api/v1/households",
    tag = "people",
    params(HouseholdQuery),
    responses((status = 200, body = Page<Household>)),
)]
pub async fn list_households(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Query(q): Query<HouseholdQuery>,
) -> Result<axum::Json<Page<Household>>> {
    Ok(axum::Json(
        people::list_households(
            &s.db,
            &a,
            q.community_id,
            q.q.as_deref(),
            PageRequest::checked(q.page, q.per_page)?,
        )
        .await?,
    ))
}

/// Create a household.
#[utoipa::path(
    post,
    path = "/api/v1/households",
    tag = "people",
    request_body = HouseholdInput,
    responses((status = 201, body = Household), (status = 422, body = super::ApiError)),
)]
pub async fn create_household(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Json(b): Json<HouseholdInput>,
) -> Result<(StatusCode, axum::Json<Household>)> {
    Ok((
        StatusCode::CREATED,
        axum::Json(people::create_household(&s.db, &a, &b).await?),
    ))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TeacherQuery {
    q: Option<String>,
    /// The pool: a town school or a learning centre.
    node_id: Option<i64>,
    teacher_type: Option<String>,
    source: Option<String>,
    /// active (default), retired or all
    status: Option<String>,
    theme_id: Option<i64>,
    /// From 1 (to 100,000).
    #[param(minimum = 1, maximum = 100000)]
    page: Option<u32>,
    /// 1 to 200 (default 20).
    #[param(minimum = 1, maximum = 200)]
    per_page: Option<u32>,
}

/// Teachers you may see: your scope's pools and your town school's pool.
#[utoipa::path(
    get,
    path = "/api/v1/teachers",
    tag = "teachers",
    params(TeacherQuery),
    responses((status = 200, body = Page<Teacher>)),
)]
pub async fn list_teachers(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Query(q): Query<TeacherQuery>,
) -> Result<axum::Json<Page<Teacher>>> {
    let f = TeacherFilter {
        q: q.q,
        node_id: q.node_id,
        teacher_type: q.teacher_type,
        source: q.source,
        status: q.status,
        theme_id: q.theme_id,
    };
    Ok(axum::Json(
        teachers::list_teachers(&s.db, &a, &f, PageRequest::checked(q.page, q.per_page)?).await?,
    ))
}

/// Add a teacher to a pool.
#[utoipa::path(
    post,
    path = "/api/v1/teachers",
    tag = "teachers",
    request_body = TeacherInput,
    responses((status = 201, body = Teacher), (status = 422, body = super::ApiError)),
)]
pub async fn create_teacher(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Json(b): Json<TeacherInput>,
) -> Result<(StatusCode, axum::Json<Teacher>)> {
    Ok((
        StatusCode::CREATED,
        axum::Json(teachers::create_teacher(&s.db, &a, &b).await?),
    ))
}

/// A teacher with trainings and service hours.
#[utoipa::path(
    get,
    path = "/api/v1/teachers/{id}",
    tag = "teachers",
    params(("id" = i64, Path)),
    responses((status = 200, body = TeacherDetail), (status = 404, body = super::ApiError)),
)]
pub async fn get_teacher(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Id(id): Id,
) -> Result<axum::Json<TeacherDetail>> {
    Ok(axum::Json(teachers::get_teacher(&s.db, &a, id).await?))
}

/// Replace a teacher's data.
#[utoipa::path(
    put,
    path = "/api/v1/teachers/{id}",
    tag = "teachers",
    params(("id" = i64, Path)),
    request_body = TeacherInput,
    responses((status = 200, body = Teacher), (status = 422, body = super::ApiError)),
)]
pub async fn update_teacher(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Id(id): Id,
    Json(b): Json<TeacherInput>,
) -> Result<axum::Json<Teacher>> {
    Ok(axum::Json(
        teachers::update_teacher(&s.db, &a, id, &b).await?,
    ))
}

/// When and why a teacher leaves the pool.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct RetireRequest {
    /// YYYY-MM-DD
    retired_on: String,
    retired_reason: String,
}

/// Retire a teacher from the pool.
#[utoipa::path(
    post,
    path = "/api/v1/teachers/{id}/retire",
    tag = "teachers",
    params(("id" = i64, Path)),
    request_body = RetireRequest,
    responses((status = 200, body = Teacher), (status = 409, body = super::ApiError)),
)]
pub async fn retire_teacher(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Id(id): Id,
    Json(b): Json<RetireRequest>,
) -> Result<axum::Json<Teacher>> {
    Ok(axum::Json(
        teachers::set_status(&s.db, &a, id, Some((b.retired_on, b.retired_reason))).await?,
    ))
}

/// Return a teacher to the pool.
#[utoipa::path(
    post,
    path = "/api/v1/teachers/{id}/reinstate",
    tag = "teachers",
    params(("id" = i64, Path)),
    responses((status = 200, body = Teacher), (status = 409, body = super::ApiError)),
)]
pub async fn reinstate_teacher(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Id(id): Id,
) -> Result<axum::Json<Teacher>> {
    Ok(axum::Json(teachers::set_status(&s.db, &a, id, None).await?))
}

/// Record a training a teacher attended.
#[utoipa::path(
    post,
    path = "/api/v1/teachers/{id}/trainings",
    tag = "teachers",
    params(("id" = i64, Path)),
    request_body = TimeEntry,
    responses((status = 204), (status = 422, body = super::ApiError)),
)]
pub async fn add_training(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Id(id): Id,
    Json(b): Json<TimeEntry>,
) -> Result<StatusCode> {
    teachers::add_training(&s.db, &a, id, &b).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Record a volunteer's service hours for an activity.
#[utoipa::path(
    post,
    path = "/api/v1/teachers/{id}/service",
    tag = "teachers",
    params(("id" = i64, Path)),
    request_body = TimeEntry,
    responses((status = 204), (status = 409, body = super::ApiError)),
)]
pub async fn add_service(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Id(id): Id,
    Json(b): Json<TimeEntry>,
) -> Result<StatusCode> {
    teachers::add_service(&s.db, &a, id, &b).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// residents, households or teachers
    kind: String,
    town_id: i64,
    /// The file name (decides csv when the content is plain text).
    file_name: Option<String>,
}

/// Check a spreadsheet (the request body: xlsx or csv bytes). Nothing is written until confirmed.
#[utoipa::path(
    post,
    path = "/api/v1/imports",
    tag = "people",
    params(ImportQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 201, body = Batch), (status = 400, body = super::ApiError)),
)]
pub async fn upload_import(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Query(q): Query<ImportQuery>,
    body: axum::body::Bytes,
) -> Result<(StatusCode, axum::Json<Batch>)> {
    let kind = ImportKind::parse(&q.kind)
        .ok_or_else(|| Error::invalid("kind", Msg::new("import.choose_kind")))?;
    let name = q.file_name.unwrap_or_else(|| "upload.xlsx".into());
    let n = name.clone();
    let sheet = tokio::task::spawn_blocking(move || spreadsheet::read(&body, &n))
        .await
        .map_err(|e| Error::internal_from("reading the spreadsheet", e))??;
    Ok((
        StatusCode::CREATED,
        axum::Json(importers::preview(&s.db, &a, kind, q.town_id, &name, &sheet).await?),
    ))
}

/// A batch of yours with its report.
#[utoipa::path(
    get,
    path = "/api/v1/imports/{id}",
    tag = "people",
    params(("id" = i64, Path)),
    responses((status = 200, body = Batch), (status = 404, body = super::ApiError)),
)]
pub async fn get_import(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Id(id): Id,
) -> Result<axum::Json<Batch>> {
    Ok(axum::Json(importers::batch(&s.db, &a, id).await?))
}

/// How many rows were imported.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Imported {
    imported: usize,
}

/// Import the valid rows of a batch, all in one transaction.
#[utoipa::path(
    post,
    path = "/api/v1/imports/{id}/confirm",
    tag = "people",
    params(("id" = i64, Path)),
    responses((status = 200, body = Imported), (status = 409, body = super::ApiError)),
)]
pub async fn confirm_import(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Id(id): Id,
) -> Result<axum::Json<Imported>> {
    Ok(axum::Json(Imported {
        imported: importers::confirm(&s.db, &a, id).await?,
    }))
}

/// Drop a pending batch.
#[utoipa::path(
    post,
    path = "/api/v1/imports/{id}/cancel",
    tag = "people",
    params(("id" = i64, Path)),
    responses((status = 204), (status = 409, body = super::ApiError)),
)]
pub async fn cancel_import(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Id(id): Id,
) -> Result<StatusCode> {
    importers::cancel(&s.db, &a, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
