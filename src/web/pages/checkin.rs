//! QR check-in pages: the full-screen code a teacher or centre head shows (it refreshes itself, no
//! JavaScript), the phone page a scan opens (mobile number, and name the first time), and the
//! rating page a checked-in resident keeps. The phone pages need no account: the signed code is the
//! key.

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use serde::Deserialize;

use super::Ctx;
use super::{html, html_status};
use crate::access::Permission as P;
use crate::activities;
use crate::attendance::{
    self, CheckinForm, CheckinInput, CheckinOutcome, PublicActivity, RatingInput,
};
use crate::error::{Error, Msg, Result};
use crate::i18n::{self, Lang};
use crate::paths;
use crate::web::AppState;
use crate::web::extract::{ClientMeta, Id, PublicForm};
use crate::web::routes::{Object, Routes, Rule};
use crate::web::views::{FormView, Shell};

pub(super) fn router() -> Routes {
    let activity = |p| Rule::needs(p).on(Object::Activity);
    Routes::new()
        .get(paths::ACTIVITY_QR, activity(P::ActivitiesAttend), qr_screen)
        .get(
            paths::ACTIVITY_ENROL_LINK,
            activity(P::ActivitiesRead),
            enrol_link,
        )
        // The phone pages: the signed code or link is the key.
        .get(paths::CHECKIN_CODE, Rule::PUBLIC, open)
        .post(paths::CHECKIN, Rule::PUBLIC, submit)
        .get(paths::RATING, Rule::PUBLIC, rating_page)
        .post(paths::RATING, Rule::PUBLIC, rate)
        .get(paths::ENROL_LINK, Rule::PUBLIC, enrol_page)
        .post(paths::ENROL, Rule::PUBLIC, enrol_submit)
}

#[derive(Template)]
#[template(path = "activities/enrol_link.html")]
struct EnrolLinkPage {
    shell: Shell,
    title: String,
    when: String,
    id: i64,
    svg: String,
    link: String,
    error: Option<String>,
}

/// A staff page shown with the reason the activity refuses it now (409: not published, cancelled);
/// any other error passed on.
fn shown_refused<P: Template>(
    lang: Lang,
    e: Error,
    page: impl FnOnce(String) -> P,
) -> Result<Response> {
    match e {
        Error::Conflict(m) => html_status(StatusCode::CONFLICT, &page(i18n::render(lang, &m))),
        e => Err(e),
    }
}

/// The shareable enrolment link of a published activity, with its QR code to print or post.
async fn enrol_link(cx: Ctx, headers: HeaderMap, Id(id): Id) -> Result<Response> {
    let state = &cx.state;
    let (actor, lang) = (&cx.actor, cx.lang);
    let a = activities::get(&state.db, actor, id).await?;
    let mut page = EnrolLinkPage {
        shell: cx.shell(paths::ACTIVITIES),
        title: a.title.clone(),
        when: crate::calendar::span(a.starts_at, a.ends_at),
        id,
        svg: String::new(),
        link: String::new(),
        error: None,
    };
    match attendance::enrol_link(&state.db, actor, id).await {
        Ok(token) => {
            page.link = format!("{}/e/{token}", base_url(state, &headers));
            page.svg = qr_svg(&page.link)?;
            html(&page)
        }
        Err(e) => shown_refused(lang, e, |error| EnrolLinkPage {
            error: Some(error),
            ..page
        }),
    }
}

#[derive(Template)]
#[template(path = "checkin/enrol.html")]
struct EnrolPage {
    lang: Lang,
    lang_code: &'static str,
    token: String,
    activity: Option<PublicActivity>,
    when: String,
    seats_left: Option<i64>,
    ask_name: bool,
    communities: Vec<(i64, String)>,
    community: Option<i64>,
    form: FormView,
    /// "enrolled", "waiting", "already" or empty.
    done: &'static str,
    error: Option<String>,
}

impl EnrolPage {
    fn t<'a>(&self, key: &'a str) -> &'a str {
        i18n::t(self.lang, key)
    }

    fn is_selected(&self, id: &i64) -> bool {
        self.community == Some(*id)
    }

    async fn open(state: &AppState, lang: Lang, token: &str) -> Result<EnrolPage> {
        let mut p = EnrolPage {
            lang,
            lang_code: lang.code(),
            token: token.to_string(),
            activity: None,
            when: String::new(),
            seats_left: None,
            ask_name: false,
            communities: Vec::new(),
            community: None,
            form: FormView::default(),
            done: "",
            error: None,
        };
        match attendance::open_enrolment(&state.desk, token).await {
            Ok(f) => {
                p.when = crate::calendar::span(f.activity.starts_at, f.activity.ends_at);
                p.activity = Some(f.activity);
                p.seats_left = f.seats_left;
                p.communities = f.communities;
                p.community = f.default_community;
            }
            Err(Error::BadRequest(m) | Error::Conflict(m)) => {
                p.error = Some(i18n::render(lang, &m))
            }
            Err(e) => return Err(e),
        }
        Ok(p)
    }
}

async fn enrol_page(
    State(state): State<AppState>,
    lang: Lang,
    axum::extract::Path(token): axum::extract::Path<String>,
) -> Result<Response> {
    let p = EnrolPage::open(&state, lang, &token).await?;
    if p.error.is_some() {
        html_status(StatusCode::CONFLICT, &p)
    } else {
        html(&p)
    }
}

/// What the check-in and enrolment phone forms send: the signed key (`ticket` on the check-in form,
/// `token` on the enrolment form), the number, and name and community the first time.
#[derive(Deserialize)]
struct PhoneFields {
    #[serde(default, alias = "ticket")]
    token: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    community_id: Option<String>,
}

impl PhoneFields {
    fn input(&self) -> CheckinInput {
        CheckinInput {
            token: self.token.clone(),
            phone: self.phone.clone(),
            name: self.name.clone(),
            community_id: self
                .community_id
                .as_deref()
                .and_then(|c| c.trim().parse().ok()),
        }
    }
}

/// A resident's page with a form and room for the reason it was refused.
trait PublicFormPage: Template {
    fn parts(&mut self) -> (&mut FormView, &mut Option<String>);
}

impl PublicFormPage for EnrolPage {
    fn parts(&mut self) -> (&mut FormView, &mut Option<String>) {
        (&mut self.form, &mut self.error)
    }
}

impl PublicFormPage for RatePage {
    fn parts(&mut self) -> (&mut FormView, &mut Option<String>) {
        (&mut self.form, &mut self.error)
    }
}

/// A resident's form refused: shown again with the errors beside its fields (422), or with the
/// reason (409: closed, not published, too many tries); any other error passed on.
fn public_refused<P: PublicFormPage>(lang: Lang, mut page: P, e: Error) -> Result<Response> {
    let (form, error) = page.parts();
    let status = match e {
        Error::Invalid(fe) => {
            *form = std::mem::take(form).errors(lang, &fe);
            StatusCode::UNPROCESSABLE_ENTITY
        }
        Error::BadRequest(m) | Error::Conflict(m) => {
            *error = Some(i18n::render(lang, &m));
            StatusCode::CONFLICT
        }
        e => return Err(e),
    };
    html_status(status, &page)
}

async fn enrol_submit(
    State(state): State<AppState>,
    lang: Lang,
    meta: ClientMeta,
    PublicForm(f): PublicForm<PhoneFields>,
) -> Result<Response> {
    let r = attendance::self_enrol(&state.desk, &f.input(), meta.ip, meta.request_id).await;
    let mut p = EnrolPage::open(&state, lang, &f.token).await?;
    p.form = FormView::with(&[
        ("phone", f.phone),
        ("name", f.name.clone().unwrap_or_default()),
    ]);
    match r {
        Ok(attendance::SelfEnrolment::Done { enrolment }) => {
            p.done = if enrolment.status == crate::attendance::EnrolmentStatus::Waiting {
                "waiting"
            } else {
                "enrolled"
            };
            html(&p)
        }
        Ok(attendance::SelfEnrolment::Already) => {
            p.done = "already";
            html(&p)
        }
        Ok(attendance::SelfEnrolment::NameNeeded) => {
            p.ask_name = true;
            html(&p)
        }
        Err(e) => {
            p.ask_name = matches!(e, Error::Invalid(_)) && f.name.is_some();
            public_refused(lang, p, e)
        }
    }
}

#[derive(Template)]
#[template(path = "activities/qr.html")]
struct QrScreen {
    shell: Shell,
    title: String,
    when: String,
    id: i64,
    svg: String,
    link: String,
    /// Seconds until the page looks again; none when nothing will change.
    refresh: Option<i64>,
    /// Check-in is not open (yet, or any more): said instead of a code.
    notice: Option<String>,
    error: Option<String>,
}

/// The address residents' phones reach this server by: the configured public address, or else the
/// host the screen itself was opened on.
pub(super) fn base_url(state: &AppState, headers: &HeaderMap) -> String {
    if let Some(url) = &state.config.public_url {
        return url.clone();
    }
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .filter(|h| crate::config::is_host(h))
        .unwrap_or("localhost");
    let scheme = if state.config.secure_cookies {
        "https"
    } else {
        "http"
    };
    format!("{scheme}://{host}")
}

/// The QR code of a link as an SVG drawing.
pub(super) fn qr_svg(link: &str) -> Result<String> {
    let code = qrcode::QrCode::with_error_correction_level(link, qrcode::EcLevel::M)
        .map_err(|e| Error::internal_from("qr", e))?;
    Ok(code
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(320, 320)
        .quiet_zone(true)
        .build())
}

async fn qr_screen(cx: Ctx, headers: HeaderMap, Id(id): Id) -> Result<Response> {
    let state = &cx.state;
    let (actor, lang) = (&cx.actor, cx.lang);
    let a = activities::get(&state.db, actor, id).await?;
    let shell = cx.shell(paths::ACTIVITIES);
    let mut page = QrScreen {
        shell,
        title: a.title.clone(),
        when: crate::calendar::span(a.starts_at, a.ends_at),
        id,
        svg: String::new(),
        link: String::new(),
        refresh: None,
        notice: None,
        error: None,
    };
    match attendance::qr_code(&state.db, actor, id).await {
        Ok(code) if code.closed => {
            page.notice = Some(i18n::t(lang, "attendance.window_closed").to_string());
            html(&page)
        }
        Ok(code) => {
            if let Some(opens) = code.opens_at {
                // Not open yet: say when, and look again when it opens (at least every 5 minutes,
                // so a cancellation or a new time shows).
                let wait = (opens - chrono::Utc::now()).num_seconds() + 1;
                page.refresh = Some(wait.clamp(1, 300));
                page.notice = Some(i18n::render(
                    lang,
                    &Msg::new("checkin.opens_at").arg("time", crate::calendar::minute(opens)),
                ));
                return html(&page);
            }
            page.link = format!("{}/c/{}", base_url(state, &headers), code.token);
            page.svg = qr_svg(&page.link)?;
            // Reload just after the code rotates: once per rotation, never twice.
            page.refresh = Some(code.rotates_in.max(1) + 1);
            html(&page)
        }
        Err(e) => shown_refused(lang, e, |error| QrScreen {
            error: Some(error),
            ..page
        }),
    }
}

/// The phone page: the form, or the result of a check-in.
#[derive(Template)]
#[template(path = "checkin/phone.html")]
struct PhonePage {
    lang: Lang,
    lang_code: &'static str,
    activity: Option<PublicActivity>,
    when: String,
    ticket: String,
    /// The number is not registered yet: ask for a name and community.
    ask_name: bool,
    communities: Vec<(i64, String)>,
    community: Option<i64>,
    form: FormView,
    /// "checked_in", "already" or empty.
    done: &'static str,
    late: bool,
    resident_name: String,
    rating_link: String,
    error: Option<String>,
}

impl PhonePage {
    fn t<'a>(&self, key: &'a str) -> &'a str {
        i18n::t(self.lang, key)
    }

    fn new(lang: Lang) -> PhonePage {
        PhonePage {
            lang,
            lang_code: lang.code(),
            activity: None,
            when: String::new(),
            ticket: String::new(),
            ask_name: false,
            communities: Vec::new(),
            community: None,
            form: FormView::default(),
            done: "",
            late: false,
            resident_name: String::new(),
            rating_link: String::new(),
            error: None,
        }
    }

    fn with_form(mut self, f: CheckinForm) -> PhonePage {
        self.when = crate::calendar::span(f.activity.starts_at, f.activity.ends_at);
        self.activity = Some(f.activity);
        self.ticket = f.ticket;
        self.community = f.default_community;
        self.communities = f.communities;
        self
    }

    fn failed(lang: Lang, m: &Msg) -> PhonePage {
        let mut p = PhonePage::new(lang);
        p.error = Some(i18n::render(lang, m));
        p
    }

    fn is_selected(&self, id: &i64) -> bool {
        self.community == Some(*id)
    }
}

/// Refusals a resident can act on (wrong or old code, closed window) are shown on the phone page.
fn phone_error(lang: Lang, e: Error) -> Result<Response> {
    match e {
        Error::BadRequest(m) => html_status(StatusCode::BAD_REQUEST, &PhonePage::failed(lang, &m)),
        Error::Conflict(m) => html_status(StatusCode::CONFLICT, &PhonePage::failed(lang, &m)),
        e => Err(e),
    }
}

async fn open(
    State(state): State<AppState>,
    lang: Lang,
    axum::extract::Path(token): axum::extract::Path<String>,
) -> Result<Response> {
    match attendance::open_checkin(&state.desk, &token).await {
        Ok(f) => html(&PhonePage::new(lang).with_form(f)),
        Err(e) => phone_error(lang, e),
    }
}

async fn submit(
    State(state): State<AppState>,
    lang: Lang,
    meta: ClientMeta,
    PublicForm(f): PublicForm<PhoneFields>,
) -> Result<Response> {
    let outcome = attendance::check_in(&state.desk, &f.input(), meta.ip, meta.request_id).await;
    let mut page = PhonePage::new(lang);
    match outcome {
        Ok(CheckinOutcome::CheckedIn {
            status,
            resident_name,
            activity,
            rating_token,
            ..
        }) => {
            page.done = "checked_in";
            page.late = status == attendance::AttendanceStatus::Late;
            page.resident_name = resident_name;
            page.when = crate::calendar::span(activity.starts_at, activity.ends_at);
            page.activity = Some(activity);
            page.rating_link = paths::rating(rating_token);
            html(&page)
        }
        Ok(CheckinOutcome::AlreadyCheckedIn {
            resident_name,
            activity,
            rating_token,
        }) => {
            page.done = "already";
            page.resident_name = resident_name;
            page.when = crate::calendar::span(activity.starts_at, activity.ends_at);
            page.activity = Some(activity);
            page.rating_link = paths::rating(rating_token);
            html(&page)
        }
        Ok(CheckinOutcome::NameNeeded { form }) => {
            let mut page = page.with_form(form);
            page.ask_name = true;
            page.form = FormView::with(&[("phone", f.phone)]);
            html(&page)
        }
        Err(Error::Invalid(fe)) => {
            // Show the form again with the typed values (the ticket is still good).
            let form = attendance::open_ticket(&state.desk, &f.token).await?;
            let mut page = page.with_form(form);
            page.ask_name = f.name.is_some();
            if let Some(c) = f.community_id.as_deref().and_then(|c| c.parse().ok()) {
                page.community = Some(c);
            }
            page.form = FormView::with(&[("phone", f.phone), ("name", f.name.unwrap_or_default())])
                .errors(lang, &fe);
            html_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(e) => phone_error(lang, e),
    }
}

#[derive(Template)]
#[template(path = "checkin/rate.html")]
struct RatePage {
    lang: Lang,
    lang_code: &'static str,
    activity: Option<PublicActivity>,
    when: String,
    token: String,
    resident_name: String,
    form: FormView,
    saved: bool,
    error: Option<String>,
}

impl RatePage {
    fn t<'a>(&self, key: &'a str) -> &'a str {
        i18n::t(self.lang, key)
    }
}

async fn rating_page(
    State(state): State<AppState>,
    lang: Lang,
    axum::extract::Path(token): axum::extract::Path<String>,
) -> Result<Response> {
    let mut page = RatePage {
        lang,
        lang_code: lang.code(),
        activity: None,
        when: String::new(),
        token: token.clone(),
        resident_name: String::new(),
        form: FormView::default(),
        saved: false,
        error: None,
    };
    match attendance::open_rating(&state.desk, &token).await {
        Ok(f) => {
            page.when = crate::calendar::span(f.activity.starts_at, f.activity.ends_at);
            page.activity = Some(f.activity);
            page.resident_name = f.resident_name;
            html(&page)
        }
        Err(Error::BadRequest(m) | Error::Conflict(m)) => {
            page.error = Some(i18n::render(lang, &m));
            html_status(StatusCode::CONFLICT, &page)
        }
        Err(e) => Err(e),
    }
}

#[derive(Deserialize)]
struct RateFields {
    #[serde(default)]
    score: String,
    #[serde(default)]
    comment: Option<String>,
}

async fn rate(
    State(state): State<AppState>,
    lang: Lang,
    meta: ClientMeta,
    axum::extract::Path(token): axum::extract::Path<String>,
    PublicForm(f): PublicForm<RateFields>,
) -> Result<Response> {
    let input = RatingInput {
        token: token.clone(),
        score: f.score.clone(),
        comment: f.comment.clone(),
    };
    let result = attendance::rate(&state.desk, &input, meta.ip, meta.request_id).await;
    let form = attendance::open_rating(&state.desk, &token).await;
    let mut page = RatePage {
        lang,
        lang_code: lang.code(),
        activity: None,
        when: String::new(),
        token,
        resident_name: String::new(),
        form: FormView::with(&[
            ("score", f.score),
            ("comment", f.comment.unwrap_or_default()),
        ]),
        saved: false,
        error: None,
    };
    if let Ok(f) = form {
        page.when = crate::calendar::span(f.activity.starts_at, f.activity.ends_at);
        page.activity = Some(f.activity);
        page.resident_name = f.resident_name;
    }
    match result {
        Ok(()) => {
            page.saved = true;
            html(&page)
        }
        Err(e) => public_refused(lang, page, e),
    }
}
