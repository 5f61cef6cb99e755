//! Inspection pages: the year's inspections with the form to schedule one (or record one
//! unannounced), the inspector's page (each item beside what the record says; scores, notes,
//! findings; photos), rectifications answered and closed, the scoring templates, the year-end
//! assessment with its weights, approval and xlsx.

use askama::Template as Askama;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use super::{Ctx, html, html_status, see_other};
use crate::access::Permission as P;
use crate::error::{Error, FieldErrors, Msg, Result};
use crate::i18n;
use crate::inspections::{
    self, Assessment, FindingInput, Inspection, InspectionsYear, Measure, Rectification,
    Rectifying, ScheduleInput, ScoreInput, ScoredItem, ScoresInput, Template, TemplateInput,
    TemplateItemInput, Weights,
};
use crate::org;
use crate::paths;
use crate::web::download;
use crate::web::extract::{
    Form, Id, Query, RawForm, Session, TownYear, Upload, UploadForm, check_csrf,
};
use crate::web::routes::{ATTACHMENT_BODY, Object, Routes, Rule};
use crate::web::views::{Choice, FormView, Shell};

pub(super) fn router() -> Routes {
    let read = Rule::needs(P::InspectionsRead);
    let manage = Rule::needs(P::InspectionsManage);
    Routes::new()
        .get(paths::INSPECTIONS, read, year_page)
        .post(paths::INSPECTIONS, manage, schedule)
        .get(paths::INSPECTION_TEMPLATES, read, templates_page)
        .post(paths::INSPECTION_TEMPLATES, manage, add_template)
        .get(paths::INSPECTION, read.on(Object::Inspection), show)
        .post(
            paths::INSPECTION_SCORES,
            manage.on(Object::Inspection),
            scores,
        )
        .upload(
            paths::INSPECTION_PHOTOS,
            manage.on(Object::Inspection),
            ATTACHMENT_BODY,
            photo,
        )
        .get(
            paths::INSPECTION_PHOTO,
            read.on(Object::InspectionPhoto),
            photo_file,
        )
        .upload(
            paths::RECTIFICATION_STEP,
            Rule::either(P::InspectionsAnswer, P::InspectionsManage).on(Object::Rectification),
            ATTACHMENT_BODY,
            rectify,
        )
        .get(
            paths::RECTIFICATION_FILE,
            read.on(Object::RectificationFile),
            rectification_file,
        )
        .get(paths::ASSESSMENT, read, assessment_page)
        .post(paths::ASSESSMENT, manage, set_weights)
        .get(paths::ASSESSMENT_XLSX, read, assessment_xlsx)
        .post(
            paths::ASSESSMENT_APPROVE,
            Rule::needs(P::AssessmentApprove),
            approve,
        )
}

#[derive(Askama)]
#[template(path = "inspections/year.html")]
struct YearPage {
    shell: Shell,
    y: InspectionsYear,
    towns: Vec<Choice>,
    can_manage: bool,
    places: Vec<Choice>,
    templates: Vec<Choice>,
    open: Vec<Rectification>,
    form: FormView,
}

async fn year_view(cx: &Ctx, q: &TownYear, form: FormView) -> Result<YearPage> {
    let db = &cx.state.db;
    let y = inspections::year(db, &cx.actor, q.town_id, q.page_year()).await?;
    let can_manage = inspections::may_manage(&cx.actor);
    let (mut places, mut templates) = (Vec::new(), Vec::new());
    if can_manage {
        let town = org::get_node(db, &cx.actor, y.town_id).await?;
        places = org::places_under(db, &town.path)
            .await?
            .into_iter()
            .map(Choice::from)
            .collect();
        templates = inspections::templates(db, &cx.actor)
            .await?
            .into_iter()
            .map(|t| Choice::new(t.id, format!("{}({}分)", t.name, t.max_points())))
            .collect();
    }
    Ok(YearPage {
        shell: cx.shell(paths::INSPECTIONS),
        towns: org::town_choices(db, &cx.actor)
            .await?
            .into_iter()
            .map(Choice::from)
            .collect(),
        open: inspections::open_rectifications(db, &cx.actor).await?,
        y,
        can_manage,
        places,
        templates,
        form,
    })
}

async fn year_page(cx: Ctx, Query(q): Query<TownYear>) -> Result<Response> {
    html(&year_view(&cx, &q, FormView::default()).await?)
}

#[derive(Deserialize)]
struct ScheduleFields {
    node_id: Option<i64>,
    template_id: Option<i64>,
    #[serde(default)]
    kind: String,
    planned_on: Option<String>,
}

async fn schedule(cx: Ctx, Form(actor, f): Form<ScheduleFields>) -> Result<Response> {
    let input = ScheduleInput {
        node_id: f.node_id.unwrap_or(0),
        template_id: f.template_id.unwrap_or(0),
        kind: f.kind.clone(),
        planned_on: f.planned_on.clone(),
    };
    let r = match f.node_id {
        Some(_) => inspections::schedule(&cx.state.db, &actor, &input).await,
        None => Err(Error::invalid("node_id", Msg::new("field.choose"))),
    };
    match r {
        Ok(i) => Ok(see_other(&paths::flashed(
            &paths::inspection(i.id),
            "saved",
        ))),
        Err(Error::Invalid(fe)) => {
            let typed = [
                (
                    "node_id",
                    f.node_id.map(|n| n.to_string()).unwrap_or_default(),
                ),
                (
                    "template_id",
                    f.template_id.map(|n| n.to_string()).unwrap_or_default(),
                ),
                ("kind", f.kind),
                ("planned_on", f.planned_on.unwrap_or_default()),
            ];
            let form = FormView::with(&typed).errors(cx.lang, &fe);
            let page = year_view(&cx, &TownYear::default(), form).await?;
            html_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(e) => Err(e),
    }
}

#[derive(Askama)]
#[template(path = "inspections/show.html")]
struct ShowPage {
    shell: Shell,
    i: Inspection,
    can_manage: bool,
    /// The steps the actor may take on each rectification.
    steps: Vec<(i64, Vec<&'static str>)>,
    form: FormView,
    error: Option<String>,
}

impl ShowPage {
    /// What the record says beside an item, in words.
    fn data_says(&self, s: &ScoredItem) -> String {
        let (Some(m), Some(f)) = (s.item.measure, s.data) else {
            return String::new();
        };
        let key = format!("inspections.data.{m}");
        i18n::t(self.shell.lang, &key)
            .replace("{value}", &f.value.to_string())
            .replace("{of}", &f.of.to_string())
    }
    fn short(&self, s: &ScoredItem) -> bool {
        match (s.item.measure, s.data) {
            (Some(Measure::Equipment), Some(f)) => f.value > 0,
            (Some(_), Some(f)) => f.value < f.of,
            _ => false,
        }
    }
    fn steps(&self, r: &Rectification) -> Vec<&'static str> {
        self.steps
            .iter()
            .find(|(id, _)| *id == r.id)
            .map(|(_, s)| s.clone())
            .unwrap_or_default()
    }
    fn status(&self, r: &Rectification) -> String {
        i18n::t(
            self.shell.lang,
            &format!("inspections.rectification_status.{}", r.status),
        )
        .to_string()
    }
}

async fn show_view(cx: &Ctx, id: i64, form: FormView, error: Option<String>) -> Result<ShowPage> {
    let i = inspections::get(&cx.state.db, &cx.actor, id).await?;
    Ok(ShowPage {
        shell: cx.shell(paths::INSPECTIONS),
        steps: i
            .rectifications
            .iter()
            .map(|r| (r.id, inspections::rectify_steps(&cx.actor, r)))
            .collect(),
        i,
        can_manage: inspections::may_manage(&cx.actor),
        form,
        error,
    })
}

async fn show(cx: Ctx, Id(id): Id) -> Result<Response> {
    html(&show_view(&cx, id, FormView::default(), None).await?)
}

/// A page's answer to a refused form: the page again with the messages.
async fn refused(cx: &Ctx, id: i64, e: Error, typed: &[(String, String)]) -> Result<Response> {
    let typed: Vec<(&str, String)> = typed.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
    match e {
        Error::Invalid(fe) => {
            let form = FormView::with(&typed).errors(cx.lang, &fe);
            html_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &show_view(cx, id, form, None).await?,
            )
        }
        Error::Conflict(m) => {
            let msg = Some(i18n::render(cx.lang, &m));
            let page = show_view(cx, id, FormView::with(&typed), msg).await?;
            html_status(StatusCode::CONFLICT, &page)
        }
        e => Err(e),
    }
}

async fn scores(
    cx: Ctx,
    Id(id): Id,
    RawForm(actor, _, raw): RawForm<crate::web::extract::NoFields>,
) -> Result<Response> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&raw).unwrap_or_default();
    let v = |k: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let scores = pairs
        .iter()
        .filter_map(|(k, p)| {
            let item = k.strip_prefix("score_")?.parse().ok()?;
            Some(ScoreInput {
                item_id: item,
                points: p.clone(),
                note: Some(v(&format!("note_{item}"))),
            })
        })
        .collect();
    let findings = (1..=3)
        .map(|n| FindingInput {
            finding: v(&format!("finding_{n}")),
            due_on: v(&format!("due_{n}")),
        })
        .collect();
    let input = ScoresInput {
        version: v("version").parse().unwrap_or(0),
        inspected_on: Some(v("inspected_on")),
        scores,
        summary: Some(v("summary")),
        findings,
    };
    match inspections::record_scores(&cx.state.db, &actor, id, &input).await {
        Ok(_) => Ok(see_other(&paths::flashed(&paths::inspection(id), "saved"))),
        Err(e) => refused(&cx, id, e, &pairs).await,
    }
}

async fn photo(
    cx: Ctx,
    session: axum::Extension<Session>,
    Id(id): Id,
    upload: Upload,
) -> Result<Response> {
    let form: UploadForm = upload.read().await?;
    let result = if form.too_large {
        Err(UploadForm::too_large_error())
    } else {
        check_csrf(&session, &form.text("_csrf"))?;
        let item = form.text("item_id").trim().parse().unwrap_or(0);
        let (name, bytes) = form.file.clone().unwrap_or_default();
        inspections::attach_photo(&cx.state.db, &cx.actor, id, item, &name, bytes).await
    };
    match result {
        Ok(_) => Ok(see_other(&paths::flashed(&paths::inspection(id), "saved"))),
        Err(e) => refused(&cx, id, e, &[]).await,
    }
}

async fn photo_file(cx: Ctx, Id(id): Id) -> Result<Response> {
    let (f, body) = inspections::photo(&cx.state.db, &cx.actor, id).await?;
    Ok(download::stored(body, &f.content_type, &f.file_name))
}

async fn rectify(
    cx: Ctx,
    session: axum::Extension<Session>,
    Id(id): Id,
    upload: Upload,
) -> Result<Response> {
    let form: UploadForm = upload.read().await?;
    let r = inspections::rectification(&cx.state.db, &cx.actor, id).await?;
    let result = if form.too_large {
        Err(UploadForm::too_large_error())
    } else {
        check_csrf(&session, &form.text("_csrf"))?;
        match crate::workflow::parse::<Rectifying>(form.text("step").trim()) {
            Some(step) => {
                let text = form.text("text");
                inspections::rectify(&cx.state.db, &cx.actor, id, step, Some(&text), form.file)
                    .await
            }
            None => Err(Error::invalid("step", Msg::new("field.choose"))),
        }
    };
    match result {
        Ok(_) => Ok(see_other(&paths::flashed(
            &paths::inspection(r.inspection_id),
            "saved",
        ))),
        Err(Error::Invalid(fe)) => {
            // The refusal is shown under the rectification's own form.
            let fe = FieldErrors(
                fe.0.into_iter()
                    .map(|(_, m)| (format!("rect_{id}"), m))
                    .collect(),
            );
            refused(&cx, r.inspection_id, Error::Invalid(fe), &[]).await
        }
        Err(e) => refused(&cx, r.inspection_id, e, &[]).await,
    }
}

async fn rectification_file(cx: Ctx, Id(id): Id) -> Result<Response> {
    let (f, body) = inspections::rectification_file(&cx.state.db, &cx.actor, id).await?;
    Ok(download::stored(body, &f.content_type, &f.file_name))
}

#[derive(Askama)]
#[template(path = "inspections/templates.html")]
struct TemplatesPage {
    shell: Shell,
    templates: Vec<Template>,
    measures: Vec<Choice>,
    can_manage: bool,
    form: FormView,
}

impl TemplatesPage {
    fn measure(&self, m: &Option<Measure>) -> String {
        m.map(|m| i18n::t(self.shell.lang, &format!("inspections.measure.{m}")).to_string())
            .unwrap_or_default()
    }
}

async fn templates_view(cx: &Ctx, form: FormView) -> Result<TemplatesPage> {
    Ok(TemplatesPage {
        shell: cx.shell(paths::INSPECTIONS),
        templates: inspections::templates(&cx.state.db, &cx.actor).await?,
        measures: Measure::ALL
            .iter()
            .map(|m| {
                Choice::new(
                    m.as_str(),
                    i18n::t(cx.lang, &format!("inspections.measure.{m}")),
                )
            })
            .collect(),
        can_manage: inspections::may_manage(&cx.actor),
        form,
    })
}

async fn templates_page(cx: Ctx) -> Result<Response> {
    html(&templates_view(&cx, FormView::default()).await?)
}

async fn add_template(
    cx: Ctx,
    RawForm(actor, _, raw): RawForm<crate::web::extract::NoFields>,
) -> Result<Response> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&raw).unwrap_or_default();
    let v = |k: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let items = (1..=8)
        .map(|n| TemplateItemInput {
            title: v(&format!("title_{n}")),
            max_points: v(&format!("max_{n}")),
            guidance: Some(v(&format!("guidance_{n}"))),
            measure: Some(v(&format!("measure_{n}"))),
        })
        .collect();
    let input = TemplateInput {
        name: v("name"),
        basis: v("basis"),
        items,
    };
    match inspections::add_template(&cx.state.db, &actor, &input).await {
        Ok(_) => Ok(see_other(&paths::flashed(
            paths::INSPECTION_TEMPLATES,
            "saved",
        ))),
        Err(Error::Invalid(fe)) => {
            let form = FormView::from_pairs(&pairs).errors(cx.lang, &fe);
            html_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &templates_view(&cx, form).await?,
            )
        }
        Err(e) => Err(e),
    }
}

#[derive(Askama)]
#[template(path = "inspections/assessment.html")]
struct AssessmentPage {
    shell: Shell,
    a: Assessment,
    towns: Vec<Choice>,
    can_manage: bool,
    can_approve: bool,
    form: FormView,
    error: Option<String>,
}

impl AssessmentPage {
    fn pct(&self, v: &i64) -> String {
        format!("{}%", inspections::rules::hundredths(*v))
    }
    fn points(&self, v: &i64) -> String {
        inspections::rules::hundredths(*v)
    }
    fn approved_at(&self) -> String {
        self.a
            .approved_at
            .map(|at| format!(" · {}", crate::calendar::short(at)))
            .unwrap_or_default()
    }
}

async fn assessment_view(
    cx: &Ctx,
    q: &TownYear,
    form: FormView,
    error: Option<String>,
) -> Result<AssessmentPage> {
    let db = &cx.state.db;
    Ok(AssessmentPage {
        shell: cx.shell(paths::INSPECTIONS),
        a: inspections::assessment(db, &cx.actor, q.town_id, q.page_year()).await?,
        towns: org::town_choices(db, &cx.actor)
            .await?
            .into_iter()
            .map(Choice::from)
            .collect(),
        can_manage: inspections::may_manage(&cx.actor),
        can_approve: cx.actor.can(P::AssessmentApprove),
        form,
        error,
    })
}

async fn assessment_page(cx: Ctx, Query(q): Query<TownYear>) -> Result<Response> {
    html(&assessment_view(&cx, &q, FormView::default(), None).await?)
}

async fn assessment_xlsx(cx: Ctx, Query(q): Query<TownYear>) -> Result<Response> {
    let a = inspections::assessment(&cx.state.db, &cx.actor, q.town_id, q.page_year()).await?;
    download::printout(
        &inspections::assessment_printout(&a),
        &inspections::assessment_title(&a),
    )
}

#[derive(Deserialize)]
struct WeightFields {
    town_id: Option<i64>,
    year: Option<i32>,
    version: Option<i64>,
    #[serde(default)]
    inspection: String,
    #[serde(default)]
    activities: String,
    #[serde(default)]
    documented: String,
    #[serde(default)]
    participation: String,
    #[serde(default)]
    rectification: String,
}

async fn set_weights(cx: Ctx, Form(actor, f): Form<WeightFields>) -> Result<Response> {
    let q = TownYear {
        year: f.year,
        town_id: f.town_id,
    };
    let mut fe = FieldErrors::default();
    let mut w = |field: &str, v: &str| {
        crate::text::whole_number(&mut fe, field, Some(v), (0, 100)).unwrap_or(-1)
    };
    let weights = Weights {
        inspection: w("inspection", &f.inspection),
        activities: w("activities", &f.activities),
        documented: w("documented", &f.documented),
        participation: w("participation", &f.participation),
        rectification: w("rectification", &f.rectification),
    };
    let r = match (fe.is_empty(), q.posted_town()) {
        (true, Ok(town)) => {
            inspections::set_weights(
                &cx.state.db,
                &actor,
                town,
                q.page_year(),
                &weights,
                f.version,
            )
            .await
        }
        (_, Err(e)) => Err(e),
        (false, _) => Err(Error::Invalid(fe)),
    };
    let back = paths::link_with(
        paths::ASSESSMENT,
        &[
            (
                "town_id",
                f.town_id.map(|t| t.to_string()).unwrap_or_default(),
            ),
            ("year", q.page_year().to_string()),
        ],
    );
    match r {
        Ok(_) => Ok(see_other(&paths::flashed(&back, "saved"))),
        Err(Error::Invalid(fe)) => {
            let typed = [
                ("inspection", f.inspection),
                ("activities", f.activities),
                ("documented", f.documented),
                ("participation", f.participation),
                ("rectification", f.rectification),
            ];
            let form = FormView::with(&typed).errors(cx.lang, &fe);
            let page = assessment_view(&cx, &q, form, None).await?;
            html_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(Error::Conflict(m)) => {
            let msg = Some(i18n::render(cx.lang, &m));
            let page = assessment_view(&cx, &q, FormView::default(), msg).await?;
            html_status(StatusCode::CONFLICT, &page)
        }
        Err(e) => Err(e),
    }
}

#[derive(Deserialize)]
struct ApproveFields {
    town_id: Option<i64>,
    year: Option<i32>,
    version: Option<i64>,
}

async fn approve(cx: Ctx, Form(actor, f): Form<ApproveFields>) -> Result<Response> {
    let q = TownYear {
        year: f.year,
        town_id: f.town_id,
    };
    let town = q.posted_town()?;
    let r =
        inspections::approve_assessment(&cx.state.db, &actor, town, q.page_year(), f.version).await;
    match r {
        Ok(_) => {
            let back = paths::link_with(
                paths::ASSESSMENT,
                &[
                    ("town_id", town.to_string()),
                    ("year", q.page_year().to_string()),
                ],
            );
            Ok(see_other(&paths::flashed(&back, "saved")))
        }
        Err(Error::Conflict(m)) => {
            let msg = Some(i18n::render(cx.lang, &m));
            let page = assessment_view(&cx, &q, FormView::default(), msg).await?;
            html_status(StatusCode::CONFLICT, &page)
        }
        Err(e) => Err(e),
    }
}
