//! Surveys' pages: the list with the form to start one (from the district's template, or with up
//! to ten questions of one's own), a survey with its link and QR code, its results drawn as charts
//! with their numbers one click away, the paper questionnaires' form, the period's form and the
//! export; the printable QR code of a place; and the phone page residents answer on (no account).

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;

use super::checkin::{base_url, qr_svg};
use super::{Ctx, html, html_status, see_other};
use crate::access::Permission as P;
use crate::charts::{self, Bar};
use crate::error::{Error, FieldErrors, Msg, Result};
use crate::i18n::{self, Lang};
use crate::org::{self, Kind, Node};
use crate::paths;
use crate::surveys::answering::AnswerForm;
use crate::surveys::{
    self, AnswerInput, ChoiceInput, PaperInput, PeriodInput, QuestionInput, QuestionKind,
    QuestionResult, SurveyInput, SurveyLine, SurveyResults,
};
use crate::web::AppState;
use crate::web::download;
use crate::web::extract::{ClientMeta, Form, Id, NoFields, PublicForm, Query, RawForm};
use crate::web::routes::{Object, Routes, Rule};
use crate::web::views::{FormView, Shell};

/// How many question blocks the form to start a survey offers.
const QUESTION_SLOTS: usize = 10;

pub(super) fn router() -> Routes {
    let read = Rule::needs(P::SurveysRead);
    let write = Rule::needs(P::SurveysWrite);
    Routes::new()
        .get(paths::SURVEYS, read, list_page)
        .post(paths::SURVEYS, write, create)
        .get(paths::SURVEY, read.on(Object::Survey), show)
        .post(paths::SURVEY_EDIT, write.on(Object::Survey), edit)
        .post(paths::SURVEY_PAPER, write.on(Object::Survey), paper)
        .get(paths::SURVEY_QR, read.on(Object::Survey), qr_page)
        .get(paths::SURVEY_XLSX, read.on(Object::Survey), export)
        // The phone page: the survey's code is the key.
        .get(paths::SURVEY_ANSWER, Rule::PUBLIC, answer_page)
        .post(paths::SURVEY_ANSWER, Rule::PUBLIC, answer_submit)
}

/// The places a survey may belong to or be collected at, for a select.
async fn places(cx: &Ctx, under: Option<&str>) -> Result<Vec<(i64, String)>> {
    let db = &cx.state.db;
    let mut out: Vec<Node> = Vec::new();
    let scope = org::scope_node(db, &cx.actor).await?;
    let town_or_below = scope.path.matches('/').count() > org::rules::TOWN_LEVEL;
    let kinds: &[Kind] = if town_or_below {
        &[Kind::District, Kind::Town, Kind::Community, Kind::Centre]
    } else {
        &[Kind::District, Kind::Town]
    };
    for k in kinds {
        out.extend(org::all_of_kind(db, &cx.actor, *k).await?);
    }
    out.retain(|n| n.retired_at.is_none() && under.is_none_or(|u| n.path.starts_with(u)));
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out.into_iter().map(|n| (n.id, n.name)).collect())
}

#[derive(Template)]
#[template(path = "surveys/list.html")]
struct ListPage {
    shell: Shell,
    surveys: Vec<SurveyLine>,
    can_write: bool,
    owners: Vec<(i64, String)>,
    form: FormView,
    slots: Vec<usize>,
    template_title: &'static str,
}

impl ListPage {
    fn open_now(&self, s: &SurveyLine) -> bool {
        let today = crate::calendar::Day::today().0;
        s.opens_on <= today && today <= s.closes_on
    }
}

async fn list_view(cx: &Ctx, form: FormView) -> Result<ListPage> {
    let can_write = cx.actor.can(P::SurveysWrite);
    Ok(ListPage {
        shell: cx.shell(paths::SURVEYS),
        surveys: surveys::list(&cx.state.db, &cx.actor).await?,
        owners: if can_write {
            places(cx, None).await?
        } else {
            Vec::new()
        },
        can_write,
        form,
        slots: (1..=QUESTION_SLOTS).collect(),
        template_title: surveys::rules::TEMPLATE_TITLE,
    })
}

async fn list_page(cx: Ctx) -> Result<Response> {
    html(&list_view(&cx, FormView::default()).await?)
}

/// The form's question blocks: `q{n}_prompt`, `q{n}_kind`, `q{n}_required`, `q{n}_measure` and
/// `q{n}_options` (one option a line; a line starting with `+` counts for the measure).
fn typed_questions(v: &dyn Fn(&str) -> String) -> Vec<QuestionInput> {
    (1..=QUESTION_SLOTS)
        .map(|n| QuestionInput {
            kind: v(&format!("q{n}_kind")),
            prompt: v(&format!("q{n}_prompt")),
            required: !v(&format!("q{n}_required")).is_empty(),
            measure: Some(v(&format!("q{n}_measure"))),
            options: v(&format!("q{n}_options"))
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(|l| match l.strip_prefix('+') {
                    Some(rest) => ChoiceInput {
                        label: rest.trim().to_string(),
                        counts: true,
                    },
                    None => ChoiceInput {
                        label: l.to_string(),
                        counts: false,
                    },
                })
                .collect(),
        })
        .collect()
}

async fn create(cx: Ctx, RawForm(actor, NoFields {}, raw): RawForm<NoFields>) -> Result<Response> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&raw)
        .map_err(|_| Error::BadRequest(Msg::new("request.bad_form")))?;
    let v = |k: &str| {
        pairs
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let input = SurveyInput {
        owner_id: v("owner_id").parse().unwrap_or(0),
        title: v("title"),
        intro: Some(v("intro")),
        opens_on: v("opens_on"),
        closes_on: v("closes_on"),
        named: !v("named").is_empty(),
        from_template: v("questions_from") != "own",
        questions: typed_questions(&v),
    };
    match surveys::create(&cx.state.db, &actor, &input).await {
        Ok(s) => Ok(see_other(&paths::flashed(&paths::survey(s.id), "saved"))),
        Err(Error::Invalid(fe)) => {
            let form = FormView::from_pairs(&pairs).errors(cx.lang, &fe);
            html_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &list_view(&cx, form).await?,
            )
        }
        Err(e) => Err(e),
    }
}

/// One question's results drawn: its chart and its numbers.
struct Drawn {
    q: QuestionResult,
    chart: String,
    measured: String,
}

#[derive(Template)]
#[template(path = "surveys/show.html")]
struct ShowPage {
    shell: Shell,
    r: SurveyResults,
    drawn: Vec<Drawn>,
    link: String,
    qr: String,
    places: Vec<(i64, String)>,
    can_manage: bool,
    can_paper: bool,
    open_now: bool,
    status: String,
    form: FormView,
    paper_form: FormView,
}

impl ShowPage {
    fn kind(&self, k: &QuestionKind) -> String {
        i18n::t(self.shell.lang, &format!("surveys.kind.{k}")).to_string()
    }
}

fn draw(lang: Lang, q: QuestionResult) -> Drawn {
    let bars: Vec<Bar> = q
        .options
        .iter()
        .map(|o| Bar {
            label: if q.kind == QuestionKind::Scale {
                format!("{} {}", o.label, i18n::t(lang, "surveys.points"))
            } else {
                o.label.clone()
            },
            value: o.count as f64,
            shown: format!("{}({}%)", o.count, o.share),
            marked: false,
        })
        .collect();
    let chart = if bars.is_empty() {
        String::new()
    } else {
        charts::horizontal_bars(&q.prompt, &bars, None, None)
    };
    let measured = match (q.measure, q.positive) {
        (Some(m), Some(p)) => {
            let key = format!("surveys.measure.{m}");
            let label = i18n::t(lang, &key);
            let share = if q.answered == 0 {
                "—".to_string()
            } else {
                format!("{:.1}%", p as f64 * 100.0 / q.answered as f64)
            };
            format!("{label}:{share}({p} / {})", q.answered)
        }
        _ => String::new(),
    };
    Drawn { q, chart, measured }
}

async fn show_view(
    cx: &Ctx,
    headers: &HeaderMap,
    id: i64,
    form: FormView,
    paper_form: FormView,
) -> Result<ShowPage> {
    let db = &cx.state.db;
    let r = surveys::results(db, &cx.actor, id).await?;
    let s = &r.survey;
    let link = format!(
        "{}{}",
        base_url(&cx.state, headers),
        paths::survey_answer(&s.code)
    );
    let status = match s.refusal_today() {
        Some(m) => i18n::render(cx.lang, &m),
        None => i18n::t(cx.lang, "surveys.open_now").replace("{day}", &s.closes_on.to_string()),
    };
    Ok(ShowPage {
        shell: cx.shell(paths::SURVEYS),
        qr: qr_svg(&link)?,
        link,
        places: places(cx, Some(&r.under)).await?,
        can_manage: surveys::may_manage(&cx.actor, s),
        can_paper: surveys::may_enter_paper(&cx.actor, s),
        open_now: s.is_open(),
        status,
        drawn: r
            .questions
            .iter()
            .cloned()
            .map(|q| draw(cx.lang, q))
            .collect(),
        r,
        form,
        paper_form,
    })
}

async fn show(cx: Ctx, headers: HeaderMap, Id(id): Id) -> Result<Response> {
    let page = show_view(&cx, &headers, id, FormView::default(), FormView::default()).await?;
    html(&page)
}

#[derive(Deserialize)]
struct PeriodFields {
    #[serde(default)]
    title: String,
    #[serde(default)]
    intro: String,
    #[serde(default)]
    opens_on: String,
    #[serde(default)]
    closes_on: String,
}

async fn edit(
    cx: Ctx,
    headers: HeaderMap,
    Id(id): Id,
    Form(actor, f): Form<PeriodFields>,
) -> Result<Response> {
    let input = PeriodInput {
        title: f.title.clone(),
        intro: Some(f.intro.clone()),
        opens_on: f.opens_on.clone(),
        closes_on: f.closes_on.clone(),
    };
    match surveys::edit(&cx.state.db, &actor, id, &input).await {
        Ok(_) => Ok(see_other(&paths::flashed(&paths::survey(id), "saved"))),
        Err(Error::Invalid(fe)) => {
            let typed = [
                ("title", f.title),
                ("intro", f.intro),
                ("opens_on", f.opens_on),
                ("closes_on", f.closes_on),
            ];
            let form = FormView::with(&typed).errors(cx.lang, &fe);
            let page = show_view(&cx, &headers, id, form, FormView::default()).await?;
            html_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(e) => Err(e),
    }
}

/// A refused answer sheet shown again with its errors (422) or the reason (409).
fn refused_form(
    lang: Lang,
    pairs: &[(String, String)],
    e: Error,
) -> Result<(StatusCode, FormView)> {
    let form = FormView::from_pairs(pairs);
    match e {
        Error::Invalid(fe) => Ok((StatusCode::UNPROCESSABLE_ENTITY, form.errors(lang, &fe))),
        Error::Conflict(m) | Error::Throttled(m) => {
            let mut fe = FieldErrors::default();
            fe.add("sheet", m);
            Ok((StatusCode::CONFLICT, form.errors(lang, &fe)))
        }
        e => Err(e),
    }
}

async fn paper(
    cx: Ctx,
    headers: HeaderMap,
    Id(id): Id,
    RawForm(actor, NoFields {}, raw): RawForm<NoFields>,
) -> Result<Response> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&raw)
        .map_err(|_| Error::BadRequest(Msg::new("request.bad_form")))?;
    let answered_on = pairs
        .iter()
        .find(|(k, _)| k == "answered_on")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let input = PaperInput {
        answered_on,
        sheet: AnswerInput::from_pairs(&pairs),
    };
    match surveys::enter_paper(&cx.state.db, &actor, id, &input).await {
        Ok(_) => Ok(see_other(&paths::flashed(&paths::survey(id), "saved"))),
        Err(e) => {
            let (status, form) = refused_form(cx.lang, &pairs, e)?;
            let page = show_view(&cx, &headers, id, FormView::default(), form).await?;
            html_status(status, &page)
        }
    }
}

#[derive(Template)]
#[template(path = "surveys/qr.html")]
struct QrPage {
    lang: Lang,
    lang_code: &'static str,
    title: String,
    place: String,
    closes_on: String,
    link: String,
    svg: String,
}

impl QrPage {
    fn t<'a>(&self, key: &'a str) -> &'a str {
        i18n::t(self.lang, key)
    }
}

#[derive(Deserialize)]
struct AtPlace {
    p: Option<i64>,
}

/// The QR code of a place to print and post (A4): answers through it are counted at the place.
async fn qr_page(
    cx: Ctx,
    headers: HeaderMap,
    Id(id): Id,
    Query(q): Query<AtPlace>,
) -> Result<Response> {
    let s = surveys::get(&cx.state.db, &cx.actor, id).await?;
    let form = surveys::open_form(&cx.state.db, &s.code, q.p).await?;
    let mut link = format!(
        "{}{}",
        base_url(&cx.state, &headers),
        paths::survey_answer(&s.code)
    );
    if form.place_id != s.owner_id {
        link = paths::link_with(&link, &[("p", form.place_id.to_string())]);
    }
    html(&QrPage {
        lang: cx.lang,
        lang_code: cx.lang.code(),
        title: s.title,
        place: form.place_name,
        closes_on: s.closes_on.to_string(),
        svg: qr_svg(&link)?,
        link,
    })
}

async fn export(cx: Ctx, Id(id): Id) -> Result<Response> {
    let (name, bytes) = surveys::results::export(&cx.state.db, &cx.actor, cx.lang, id).await?;
    Ok(download::workbook(bytes, &name))
}

#[derive(Template)]
#[template(path = "checkin/survey.html")]
struct AnswerPage {
    lang: Lang,
    lang_code: &'static str,
    code: String,
    survey: Option<AnswerForm>,
    form: FormView,
    saved: bool,
    error: Option<String>,
}

impl AnswerPage {
    fn t<'a>(&self, key: &'a str) -> &'a str {
        i18n::t(self.lang, key)
    }

    async fn open(state: &AppState, lang: Lang, code: &str, place: Option<i64>) -> Result<Self> {
        let mut p = AnswerPage {
            lang,
            lang_code: lang.code(),
            code: code.to_string(),
            survey: None,
            form: FormView::default(),
            saved: false,
            error: None,
        };
        match surveys::open_form(&state.db, code, place).await {
            Ok(f) => p.survey = Some(f),
            Err(Error::Conflict(m)) => p.error = Some(i18n::render(lang, &m)),
            Err(e) => return Err(e),
        }
        Ok(p)
    }
}

async fn answer_page(
    State(state): State<AppState>,
    lang: Lang,
    Path(code): Path<String>,
    Query(q): Query<AtPlace>,
) -> Result<Response> {
    let p = AnswerPage::open(&state, lang, &code, q.p).await?;
    if p.error.is_some() {
        html_status(StatusCode::CONFLICT, &p)
    } else {
        html(&p)
    }
}

async fn answer_submit(
    State(state): State<AppState>,
    lang: Lang,
    meta: ClientMeta,
    Path(code): Path<String>,
    PublicForm(pairs): PublicForm<Vec<(String, String)>>,
) -> Result<Response> {
    let input = AnswerInput::from_pairs(&pairs);
    let r = surveys::answer(&state.db, &code, &input, meta.ip.as_deref()).await;
    let mut p = AnswerPage::open(&state, lang, &code, input.place_id).await?;
    match r {
        Ok(_) => {
            p.saved = true;
            html(&p)
        }
        Err(e) => {
            let throttled = matches!(e, Error::Throttled(_));
            let (status, form) = refused_form(lang, &pairs, e)?;
            p.error = form.has("sheet").then(|| form.e("sheet").to_string());
            p.form = form;
            let status = if throttled {
                StatusCode::TOO_MANY_REQUESTS
            } else {
                status
            };
            html_status(status, &p)
        }
    }
}
