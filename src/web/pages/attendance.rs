//! An activity's attendance and evidence page (for teachers, centre heads and the town office): who
//! checked in, marking by hand, head counts, the paper sign-in sheet, photos and scans with
//! thumbnails, ratings, and documenting the activity.

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::Ctx;
use super::activities::{ActivityRow, row};
use super::{html, html_status, see_other};
use crate::access::Permission as P;
use crate::activities::{self, Act, Activity, Status, Transition};
use crate::attendance::{self, AttendanceStatus, Method, RatingSummary};
use crate::error::{Error, FieldErrors, Msg, Result};
use crate::evidence::{self, Kind};
use crate::i18n::{self};
use crate::paths;
use crate::web::AppState;
use crate::web::extract::{CurrentActor, Form, Id, RawForm, Session, Upload, check_csrf};
use crate::web::routes::{Object, Routes, Rule};
use crate::web::views::{FormView, Shell};

/// An upload may carry one file of up to 10 MB plus the form around it.
const FILE_LIMIT: usize = evidence::MAX_BYTES + 64 * 1024;

pub(super) fn router() -> Routes {
    let activity = |p| Rule::needs(p).on(Object::Activity);
    let file = Rule::needs(P::ActivitiesRead).on(Object::File);
    Routes::new()
        .get(paths::ATTENDANCE, activity(P::ActivitiesRead), show)
        .post(paths::ATTENDANCE, activity(P::ActivitiesAttend), mark)
        .post(
            paths::ATTENDANCE_PHONE,
            activity(P::ActivitiesAttend),
            mark_phone,
        )
        .post(paths::HEAD_COUNT, activity(P::ActivitiesAttend), head_count)
        .get(
            paths::SIGN_IN_SHEET,
            activity(P::ActivitiesAttend),
            sign_in_sheet,
        )
        // Photos and sign-in scans need attendance rights, lesson materials planning rights.
        .upload(
            paths::ACTIVITY_FILES,
            Rule::either(P::ActivitiesAttend, P::ActivitiesPlan).on(Object::Activity),
            FILE_LIMIT,
            upload,
        )
        .post(
            paths::ACTIVITY_DOCUMENT,
            Rule::both(P::ActivitiesAttend, P::ActivitiesPlan).on(Object::Activity),
            document,
        )
        .get(paths::FILE, file, download)
        .get(paths::THUMBNAIL, file, thumbnail)
}

/// A line of the attendance table.
pub struct AttendanceRow {
    pub resident_id: i64,
    pub name: String,
    pub phone: String,
    pub status: String,
    pub status_label: String,
    pub method_label: String,
    pub time: String,
}

/// A stored file with labels.
pub struct FileRow {
    pub id: i64,
    pub kind_label: String,
    pub name: String,
    pub size: String,
    pub has_thumbnail: bool,
}

#[derive(Template)]
#[template(path = "activities/attendance.html")]
struct AttendancePage {
    shell: Shell,
    a: ActivityRow,
    act: Activity,
    rows: Vec<AttendanceRow>,
    unmarked: Vec<AttendanceRow>,
    attended: i64,
    excused: i64,
    absent: i64,
    head_count: String,
    statuses: Vec<(&'static str, String)>,
    files: Vec<FileRow>,
    ratings: RatingSummary,
    average: String,
    can_mark: bool,
    can_upload: bool,
    can_material: bool,
    can_document: bool,
    show_qr: bool,
    complete: bool,
    error: Option<String>,
    form: FormView,
}

fn size(bytes: i64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MB", bytes as f64 / 1024.0 / 1024.0)
    } else {
        format!("{} KB", (bytes + 1023) / 1024)
    }
}

async fn page(state: &AppState, cx: &Ctx, id: i64) -> Result<AttendancePage> {
    let (actor, lang) = (&cx.actor, cx.lang);
    let a = activities::get(&state.db, actor, id).await?;
    let sheet = attendance::attendance(&state.db, actor, id).await?;
    let files = evidence::list(&state.db, actor, id).await?;
    let ratings = attendance::ratings(&state.db, actor, id).await?;
    let label = |prefix: &str, v: &str| i18n::t(lang, &format!("{prefix}.{v}")).to_string();
    let rows = sheet
        .rows
        .iter()
        .map(|r| AttendanceRow {
            resident_id: r.resident_id,
            name: r.resident_name.clone(),
            phone: r.phone.clone().unwrap_or_default(),
            status: r.status.to_string(),
            status_label: label("attendance.status", r.status.as_str()),
            method_label: label("attendance.method", &r.method),
            time: crate::calendar::short(r.checked_at),
        })
        .collect();
    let unmarked = sheet
        .unmarked
        .iter()
        .map(|e| AttendanceRow {
            resident_id: e.resident_id,
            name: e.resident_name.clone(),
            phone: e.phone.clone().unwrap_or_default(),
            status: String::new(),
            status_label: String::new(),
            method_label: String::new(),
            time: String::new(),
        })
        .collect();
    let status = a.status();
    let open = matches!(status, Status::Published | Status::Held);
    let attend = activities::may(actor, &a, Act::Attend);
    let has_evidence = files.iter().any(|f| f.kind != "material");
    let attended = sheet.taken();
    Ok(AttendancePage {
        shell: cx.shell(paths::ACTIVITIES),
        a: row(lang, &a),
        rows,
        unmarked,
        attended: sheet.attended,
        excused: sheet.excused,
        absent: sheet.absent,
        head_count: sheet.head_count.map(|n| n.to_string()).unwrap_or_default(),
        statuses: AttendanceStatus::ALL
            .iter()
            .map(|s| (s.as_str(), label("attendance.status", s.as_str())))
            .collect(),
        files: files
            .into_iter()
            .map(|f| FileRow {
                id: f.id,
                kind_label: label("evidence.kind", &f.kind),
                name: f.file_name,
                size: size(f.size),
                has_thumbnail: f.has_thumbnail,
            })
            .collect(),
        average: ratings
            .average
            .map(|x| format!("{x:.1}"))
            .unwrap_or_else(|| "—".into()),
        ratings,
        can_mark: attend && open,
        can_upload: attend && open,
        can_material: activities::may(actor, &a, Act::AttachMaterial)
            && !matches!(
                status,
                Status::Cancelled | Status::Documented | Status::Archived
            ),
        can_document: attend
            && open
            && activities::require(actor, &a, Act::Step(Transition::Document)).is_ok(),
        // A past activity recorded afterwards takes its attendance from the paper sheet.
        show_qr: attend && open && !a.recorded_afterwards,
        complete: attended && has_evidence,
        error: None,
        form: FormView::default(),
        act: a,
    })
}

async fn show(State(state): State<AppState>, cx: Ctx, Id(id): Id) -> Result<Response> {
    html(&page(&state, &cx, id).await?)
}

/// Shows the page again with a refusal or field errors; passes anything else on.
async fn refused(
    state: &AppState,
    cx: &Ctx,
    id: i64,
    form: FormView,
    e: Error,
) -> Result<Response> {
    let lang = cx.lang;
    let (status, error, fe) = match e {
        Error::Conflict(m) => (StatusCode::CONFLICT, Some(i18n::render(lang, &m)), None),
        Error::Invalid(fe) => (StatusCode::UNPROCESSABLE_ENTITY, None, Some(fe)),
        e => return Err(e),
    };
    let mut p = page(state, cx, id).await?;
    p.error = error;
    p.form = match fe {
        Some(fe) => form.errors(lang, &fe),
        None => form,
    };
    html_status(status, &p)
}

#[derive(Deserialize)]
struct MarkFields {
    #[serde(default)]
    method: String,
}

/// The marking form: one `s<resident id>` field per row, holding a status (or nothing).
async fn mark(
    cx: Ctx,
    Id(id): Id,
    RawForm(actor, f, raw): RawForm<MarkFields>,
) -> Result<Response> {
    let state = &cx.state;
    let marks: Vec<(i64, String)> = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&raw)
        .map_err(|_| Error::BadRequest(Msg::new("request.bad_form")))?
        .into_iter()
        .filter_map(|(k, v)| Some((k.strip_prefix('s')?.parse().ok()?, v)))
        .collect();
    match attendance::mark(&state.db, &actor, id, &marks, Method::parse(&f.method)).await {
        Ok(_) => Ok(see_other(&paths::flashed(&paths::attendance(id), "saved"))),
        Err(e) => refused(state, &cx, id, FormView::default(), e).await,
    }
}

#[derive(Deserialize)]
struct PhoneMark {
    #[serde(default)]
    phone: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    method: String,
}

async fn mark_phone(cx: Ctx, Id(id): Id, Form(actor, f): Form<PhoneMark>) -> Result<Response> {
    let state = &cx.state;
    let r = attendance::mark_by_phone(
        &state.db,
        &actor,
        id,
        &f.phone,
        &f.status,
        Method::parse(&f.method),
    )
    .await;
    match r {
        Ok(_) => Ok(see_other(&paths::flashed(&paths::attendance(id), "saved"))),
        Err(e) => {
            let form = FormView::with(&[("phone", f.phone), ("status", f.status)]);
            refused(state, &cx, id, form, e).await
        }
    }
}

#[derive(Deserialize)]
struct HeadCount {
    #[serde(default)]
    head_count: String,
}

async fn head_count(cx: Ctx, Id(id): Id, Form(actor, f): Form<HeadCount>) -> Result<Response> {
    let state = &cx.state;
    match attendance::record_head_count(&state.db, &actor, id, &f.head_count).await {
        Ok(_) => Ok(see_other(&paths::flashed(&paths::attendance(id), "saved"))),
        Err(e) => {
            let form = FormView::with(&[("head_count", f.head_count)]);
            refused(state, &cx, id, form, e).await
        }
    }
}

#[derive(Template)]
#[template(path = "activities/sheet.html")]
struct SheetPage {
    shell: Shell,
    a: ActivityRow,
    act: Activity,
    rows: Vec<attendance::SheetRow>,
    blanks: Vec<usize>,
}

async fn sign_in_sheet(State(state): State<AppState>, cx: Ctx, Id(id): Id) -> Result<Response> {
    let (actor, lang) = (&cx.actor, cx.lang);
    let a = activities::get(&state.db, actor, id).await?;
    let rows = attendance::sign_in_sheet(&state.db, actor, id).await?;
    // Room for walk-ins: at least 10 blank lines, and the page filled to 30.
    let blanks = (rows.len() + 1..=(rows.len() + 10).max(30)).collect();
    html(&SheetPage {
        shell: cx.shell(paths::ACTIVITIES),
        a: row(lang, &a),
        act: a,
        rows,
        blanks,
    })
}

/// The multipart upload: `_csrf`, `kind`, `file` (read up to the limit, never further).
async fn upload(
    cx: Ctx,
    session: axum::Extension<Session>,
    Id(id): Id,
    upload: Upload,
) -> Result<Response> {
    let state = &cx.state;
    let actor = &cx.actor;
    let read = upload.read().await?;
    let form = FormView::with(&[("kind", read.text("kind"))]);
    if read.too_large {
        // The body was cut off before the CSRF field could be read: nothing was stored.
        let e = crate::web::extract::UploadForm::too_large_for(evidence::MAX_BYTES);
        return refused(state, &cx, id, form, e).await;
    }
    check_csrf(&session, &read.text("_csrf"))?;
    let Some(kind) = Kind::parse(&read.text("kind")) else {
        let mut fe = FieldErrors::default();
        fe.add("kind", Msg::new("field.choose"));
        return refused(state, &cx, id, form, Error::Invalid(fe)).await;
    };
    let (name, bytes) = read.file.unwrap_or_default();
    match evidence::upload(&state.db, actor, id, kind, &name, bytes).await {
        Ok(_) => Ok(see_other(&paths::flashed(&paths::attendance(id), "saved"))),
        Err(e) => refused(state, &cx, id, form, e).await,
    }
}

#[derive(Deserialize)]
struct DocumentForm {
    #[serde(default)]
    summary: String,
}

async fn document(cx: Ctx, Id(id): Id, Form(actor, f): Form<DocumentForm>) -> Result<Response> {
    let state = &cx.state;
    match evidence::document(&state.db, &actor, id, &f.summary).await {
        Ok(_) => Ok(see_other(&paths::flashed(&paths::attendance(id), "saved"))),
        Err(e) => {
            let form = FormView::with(&[("summary", f.summary)]);
            refused(state, &cx, id, form, e).await
        }
    }
}

/// Sends a stored file: as an attachment (never rendered in the page's origin), type from the
/// content.
fn send(content_type: &str, name: &str, body: Vec<u8>, inline: bool) -> Response {
    let mut r = body.into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(content_type)
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    let encoded = percent_encoding::utf8_percent_encode(name, percent_encoding::NON_ALPHANUMERIC);
    let disposition = format!(
        "{}; filename=\"file\"; filename*=UTF-8''{encoded}",
        if inline { "inline" } else { "attachment" }
    );
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    r
}

async fn download(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Id(id): Id,
) -> Result<Response> {
    let (f, body) = evidence::download(&state.db, &actor, id, false).await?;
    Ok(send(&f.content_type, &f.file_name, body, false))
}

async fn thumbnail(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Id(id): Id,
) -> Result<Response> {
    let (f, body) = evidence::download(&state.db, &actor, id, true).await?;
    // Thumbnails are JPEGs cedu made itself: safe to show inside the page.
    Ok(send(
        "image/jpeg",
        &format!("{}-thumb.jpg", f.id),
        body,
        true,
    ))
}
