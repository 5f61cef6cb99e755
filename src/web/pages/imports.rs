//! Spreadsheet import pages: choose what and where, upload (xlsx or csv), read the report of bad
//! rows (also as xlsx), then confirm the valid rows or cancel.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

use super::Ctx;
use super::{html, html_status, see_other};
use crate::access::Permission as P;
use crate::access::{Actor, Permission};
use crate::error::{Error, Msg, Result};
use crate::i18n::{self, Lang};
use crate::importers::{self, Kind as ImportKind};
use crate::imports::{self, Batch};
use crate::org::{self, Kind};
use crate::page::PageRequest;
use crate::paths;
use crate::spreadsheet;
use crate::web::AppState;
use crate::web::extract::{CurrentActor, Form, Id, Upload};
use crate::web::routes::{Object, Routes, Rule};
use crate::web::views::{Choice, FormView, Shell};

/// Uploads may be larger than other requests (a 200,000-row sheet is ~10 MB).
pub const UPLOAD_LIMIT: usize = 40 * 1024 * 1024;

pub(super) fn router() -> Routes {
    let batch = Rule::needs(P::PeopleImport).on(Object::Import);
    Routes::new()
        .get(paths::IMPORTS, Rule::needs(P::PeopleImport), start)
        .upload(
            paths::IMPORTS,
            Rule::needs(P::PeopleImport),
            UPLOAD_LIMIT,
            upload,
        )
        .get(
            paths::IMPORT_TEMPLATE,
            Rule::needs(P::PeopleImport),
            template,
        )
        .get(paths::IMPORT, batch, report)
        .get(paths::IMPORT_REPORT, batch, report_xlsx)
        .post(paths::IMPORT_CONFIRM, batch, confirm)
        .post(paths::IMPORT_CANCEL, batch, cancel)
}

#[derive(Template)]
#[template(path = "people/import.html")]
struct StartPage {
    shell: Shell,
    towns: Vec<Choice>,
    kinds: Vec<Choice>,
    form: FormView,
    error: Option<String>,
}

/// The towns the actor may import into: those in scope, or the town its scope lies in.
async fn towns(state: &AppState, actor: &Actor) -> Result<Vec<Choice>> {
    let page = org::list_nodes(
        &state.db,
        actor,
        &org::NodeFilter {
            kind: Some(Kind::Town),
            ..Default::default()
        },
        PageRequest::new(Some(1), Some(200)),
    )
    .await?;
    let mut out: Vec<Choice> = page.items.into_iter().map(Choice::from).collect();
    if out.is_empty() {
        // A centre head's scope lies inside one town.
        let ids: Vec<i64> = actor
            .scope_path
            .trim_matches('/')
            .split('/')
            .filter_map(|s| s.parse().ok())
            .collect();
        if let Some(town_id) = ids.get(2)
            && let Some(t) = org::get_node_unscoped(&state.db, *town_id).await?
        {
            out.push(Choice::new(t.id, t.name));
        }
    }
    Ok(out)
}

fn kinds(lang: Lang, actor: &Actor) -> Vec<Choice> {
    ImportKind::ALL
        .into_iter()
        .filter(|k| k.permitted(actor))
        .map(|k| Choice {
            value: k.as_str().into(),
            label: i18n::t(lang, &format!("import.kind.{}", k.as_str())).into(),
        })
        .collect()
}

async fn start_page(
    state: &AppState,
    cx: &Ctx,
    form: FormView,
    error: Option<String>,
) -> Result<StartPage> {
    let (actor, lang) = (&cx.actor, cx.lang);
    actor.require(Permission::PeopleImport)?;
    Ok(StartPage {
        shell: cx.shell(paths::RESIDENTS),
        towns: towns(state, actor).await?,
        kinds: kinds(lang, actor),
        form,
        error,
    })
}

#[derive(serde::Deserialize, Default)]
struct StartQuery {
    /// The kind to preselect (`past_activities` from the activity list).
    kind: Option<String>,
}

async fn start(
    cx: Ctx,
    axum::extract::Query(q): axum::extract::Query<StartQuery>,
) -> Result<Response> {
    let state = &cx.state;
    let form = FormView::with(&[("kind", q.kind.unwrap_or_default())]);
    html(&start_page(state, &cx, form, None).await?)
}

async fn template(
    CurrentActor(actor): CurrentActor,
    lang: Lang,
    axum::extract::Path(kind): axum::extract::Path<String>,
) -> Result<Response> {
    actor.require(Permission::PeopleImport)?;
    let kind = ImportKind::parse(kind.trim_end_matches(".xlsx")).ok_or(Error::NotFound)?;
    crate::web::download::xlsx(
        &kind.template(),
        i18n::t(lang, &format!("import.template_file.{}", kind.as_str())),
    )
}

/// The multipart upload: `_csrf`, `kind`, `town_id`, `file`.
async fn upload(
    cx: Ctx,
    session: axum::Extension<crate::web::Session>,
    Upload(mut mp): Upload,
) -> Result<Response> {
    let state = &cx.state;
    let actor = &cx.actor;
    let (mut csrf, mut kind, mut town, mut file) =
        (String::new(), String::new(), String::new(), None);
    let bad = || Error::BadRequest(Msg::new("request.unreadable"));
    while let Some(field) = mp.next_field().await.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            Error::BadRequest(Msg::new("request.too_large"))
        } else {
            bad()
        }
    })? {
        match field.name().unwrap_or("") {
            "_csrf" => csrf = field.text().await.map_err(|_| bad())?,
            "kind" => kind = field.text().await.map_err(|_| bad())?,
            "town_id" => town = field.text().await.map_err(|_| bad())?,
            "file" => {
                let name = field.file_name().unwrap_or("upload").to_string();
                let bytes = field.bytes().await.map_err(|e| {
                    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                        Error::BadRequest(Msg::new("request.too_large"))
                    } else {
                        bad()
                    }
                })?;
                file = Some((name, bytes));
            }
            _ => {}
        }
    }
    crate::web::extract::check_csrf(&session, &csrf)?;
    let form = FormView::with(&[("kind", kind.clone()), ("town_id", town.clone())]);
    let refuse = |m: Msg| refused(state, &cx, form.clone_values(), m);
    let Some(kind) = ImportKind::parse(&kind) else {
        return refuse(Msg::new("import.choose_kind")).await;
    };
    let Ok(town_id) = town.parse::<i64>() else {
        return refuse(Msg::new("import.choose_town")).await;
    };
    // No file chosen (the browser sends an empty part with no name), or an empty file chosen.
    let Some((name, bytes)) = file.filter(|(n, b)| !n.trim().is_empty() || !b.is_empty()) else {
        return refuse(Msg::new("import.choose_file")).await;
    };
    if bytes.is_empty() {
        return refuse(Msg::new("sheet.empty")).await;
    }
    // Parsing is CPU work: keep it off the async workers.
    let parsed =
        tokio::task::spawn_blocking(move || spreadsheet::read(&bytes, &name).map(|s| (s, name)))
            .await
            .map_err(|e| Error::internal_from("reading the spreadsheet", e))?;
    let (sheet, name) = match parsed {
        Ok(s) => s,
        Err(Error::BadRequest(m)) => return refuse(m).await,
        Err(e) => return Err(e),
    };
    match importers::preview(&state.db, actor, kind, town_id, &name, &sheet).await {
        Ok(b) => Ok(see_other(&paths::import(b.id))),
        Err(Error::BadRequest(m)) => refuse(m).await,
        Err(e) => Err(e),
    }
}

async fn refused(state: &AppState, cx: &Ctx, form: FormView, m: Msg) -> Result<Response> {
    let lang = cx.lang;
    let page = start_page(state, cx, form, Some(i18n::render(lang, &m))).await?;
    html_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
}

/// A line of the report.
pub struct ErrorRow {
    pub row: usize,
    pub column: String,
    pub reason: String,
    /// The row as written in the file.
    pub values: String,
}

#[derive(Template)]
#[template(path = "people/import_report.html")]
struct ReportPage {
    shell: Shell,
    b: Batch,
    kind_label: String,
    status_label: String,
    errors: Vec<ErrorRow>,
    more: usize,
    /// Rows that update a record already stored, with what changes (the first [`SHOWN`]).
    updates: Vec<imports::RowUpdate>,
    /// How many rows update a stored record, and how many match one without changing anything.
    changed: usize,
    unchanged: usize,
    notice: Option<String>,
}

/// The report page shows the first rows; the xlsx has them all.
const SHOWN: usize = 500;

async fn report_page(
    state: &AppState,
    cx: &Ctx,
    id: i64,
    notice: Option<String>,
) -> Result<ReportPage> {
    let (actor, lang) = (&cx.actor, cx.lang);
    let b = importers::batch(&state.db, actor, id).await?;
    let errors = b
        .errors
        .iter()
        .take(SHOWN)
        .map(|e| ErrorRow {
            row: e.row,
            column: e.column.clone(),
            reason: e.message(lang),
            values: e.values.clone(),
        })
        .collect();
    let changed = b.updates.iter().filter(|u| !u.changes.is_empty()).count();
    Ok(ReportPage {
        updates: b
            .updates
            .iter()
            .filter(|u| !u.changes.is_empty())
            .take(SHOWN)
            .cloned()
            .collect(),
        unchanged: b.updates.len() - changed,
        changed,
        shell: cx.shell(paths::RESIDENTS),
        kind_label: i18n::t(lang, &format!("import.kind.{}", b.kind.as_str())).to_string(),
        status_label: i18n::t(lang, &format!("import.status_{}", b.status)).to_string(),
        more: b.errors.len().saturating_sub(SHOWN),
        errors,
        b,
        notice,
    })
}

async fn report(State(state): State<AppState>, cx: Ctx, Id(id): Id) -> Result<Response> {
    html(&report_page(&state, &cx, id, None).await?)
}

async fn report_xlsx(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    lang: Lang,
    Id(id): Id,
) -> Result<Response> {
    let b = importers::batch(&state.db, &actor, id).await?;
    crate::web::download::xlsx(
        &imports::report_table(&b, lang),
        i18n::t(lang, "import.report_file"),
    )
}

async fn confirm(
    cx: Ctx,
    Id(id): Id,
    Form(actor, _): Form<crate::web::extract::NoFields>,
) -> Result<Response> {
    let state = &cx.state;
    let lang = cx.lang;
    match importers::confirm(&state.db, &actor, id).await {
        Ok(n) => {
            let notice = i18n::t(lang, "import.done").replace("{count}", &n.to_string());
            html(&report_page(state, &cx, id, Some(notice)).await?)
        }
        Err(Error::Conflict(m)) => {
            let page = report_page(state, &cx, id, Some(i18n::render(lang, &m))).await?;
            html_status(StatusCode::CONFLICT, &page)
        }
        Err(e) => Err(e),
    }
}

async fn cancel(
    State(state): State<AppState>,
    Id(id): Id,
    Form(actor, _): Form<crate::web::extract::NoFields>,
) -> Result<Response> {
    importers::cancel(&state.db, &actor, id).await?;
    Ok(see_other(paths::IMPORTS))
}
