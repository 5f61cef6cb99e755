//! Sign-in, sign-out, language switch, home and the own-account page.

use askama::Template;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::Ctx;
use super::{html, html_status, safe_next, see_other};
use crate::accounts;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::i18n::{self, Lang};
use crate::paths;
use crate::web::AppState;
use crate::web::extract::{
    ClientMeta, Form, LANG_COOKIE, MaybeActor, PublicForm, Query, SECURE_SESSION_COOKIE,
    SESSION_COOKIE,
};
use crate::web::routes::{Routes, Rule};
use crate::web::views::{FormView, Shell};

pub(super) fn router() -> Routes {
    Routes::new()
        .get(paths::HOME, Rule::PUBLIC, home)
        .get(paths::LOGIN, Rule::PUBLIC, login_form)
        .post(paths::LOGIN, Rule::PUBLIC, login)
        .post(paths::LOGOUT, Rule::SIGNED_IN, logout)
        .post(paths::LANG, Rule::PUBLIC, switch_lang)
        .get(paths::ACCOUNT, Rule::SIGNED_IN, account)
        .post(paths::ACCOUNT_PASSWORD, Rule::SIGNED_IN, change_password)
}

/// The `Set-Cookie` value that starts a session (no Max-Age: the server enforces the timeouts).
pub fn session_cookie(config: &Config, token: &str) -> String {
    if config.secure_cookies {
        format!("{SECURE_SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Secure")
    } else {
        format!("{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax")
    }
}

/// The `Set-Cookie` value that removes the session cookie.
pub fn clear_cookie(config: &Config) -> String {
    if config.secure_cookies {
        format!("{SECURE_SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Secure; Max-Age=0")
    } else {
        format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0")
    }
}

async fn home(MaybeActor(actor): MaybeActor) -> Response {
    match actor {
        // Everyone starts the day on their workbench: what to do, with counts and links.
        Some(_) => see_other(paths::WORKBENCH),
        None => see_other(paths::LOGIN),
    }
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    lang: Lang,
    lang_code: &'static str,
    switch_to: &'static str,
    switch_label: &'static str,
    next: String,
    form: FormView,
    notice: Option<String>,
    error: Option<String>,
}

impl LoginPage {
    fn t<'a>(&self, key: &'a str) -> &'a str {
        i18n::t(self.lang, key)
    }

    fn new(lang: Lang, next: String, form: FormView) -> LoginPage {
        let (switch_to, switch_label) = if lang == Lang::Zh {
            ("en", "English")
        } else {
            ("zh", "中文")
        };
        LoginPage {
            lang,
            lang_code: lang.code(),
            switch_to,
            switch_label,
            next,
            form,
            notice: None,
            error: None,
        }
    }
}

#[derive(Deserialize, Default)]
struct LoginQuery {
    next: Option<String>,
    changed: Option<String>,
}

async fn login_form(lang: Lang, Query(q): Query<LoginQuery>) -> Result<Response> {
    let mut page = LoginPage::new(lang, safe_next(q.next.as_deref()), FormView::default());
    if q.changed.is_some() {
        page.notice = Some(i18n::t(lang, "login.password_changed").to_string());
    }
    html(&page)
}

#[derive(Deserialize)]
struct LoginInput {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

async fn login(
    State(state): State<AppState>,
    lang: Lang,
    meta: ClientMeta,
    PublicForm(input): PublicForm<LoginInput>,
) -> Result<Response> {
    let next = safe_next(input.next.as_deref());
    match accounts::login(&state.db, &input.username, &input.password, meta.ip).await {
        Ok(outcome) => {
            let mut r = see_other(&next);
            r.headers_mut().insert(
                header::SET_COOKIE,
                session_cookie(&state.config, &outcome.token.0)
                    .parse()
                    .map_err(|_| Error::internal("cookie"))?,
            );
            Ok(r)
        }
        Err(Error::Invalid(fe)) => {
            let form = FormView::with(&[("username", input.username.clone())]).errors(lang, &fe);
            html_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &LoginPage::new(lang, next, form),
            )
        }
        Err(Error::Throttled(m)) => {
            let mut page = LoginPage::new(
                lang,
                next,
                FormView::with(&[("username", input.username.clone())]),
            );
            page.error = Some(i18n::render(lang, &m));
            html_status(StatusCode::TOO_MANY_REQUESTS, &page)
        }
        Err(e) => Err(e),
    }
}

async fn logout(
    State(state): State<AppState>,
    Form(actor, _): Form<crate::web::extract::NoFields>,
) -> Result<Response> {
    accounts::logout(&state.db, &actor).await?;
    signed_out(paths::LOGIN, &state.config)
}

/// A redirect to `to` that also clears the session cookie (the session itself is already ended).
fn signed_out(to: &str, config: &crate::config::Config) -> Result<Response> {
    let mut r = see_other(to);
    let cookie = clear_cookie(config)
        .parse()
        .map_err(|_| Error::internal("cookie"))?;
    r.headers_mut().insert(header::SET_COOKIE, cookie);
    Ok(r)
}

#[derive(Deserialize)]
struct LangInput {
    lang: String,
    next: Option<String>,
}

/// Stores the language preference in a cookie (a preference, not server state).
async fn switch_lang(PublicForm(input): PublicForm<LangInput>) -> Response {
    let lang = Lang::parse(&input.lang);
    let code = if lang == Lang::En { "en" } else { "zh" };
    let mut r = see_other(&safe_next(input.next.as_deref()));
    if let Ok(v) = format!("{LANG_COOKIE}={code}; Path=/; SameSite=Lax; Max-Age=31536000").parse() {
        r.headers_mut().insert(header::SET_COOKIE, v);
    }
    r
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    shell: Shell,
    username: String,
    scope_name: String,
    form: FormView,
}

async fn account(State(state): State<AppState>, cx: Ctx) -> Result<Response> {
    let actor = &cx.actor;
    let scope_name = crate::org::scope_node(&state.db, actor)
        .await
        .map(|n| n.name)
        .unwrap_or_default();
    html(&AccountPage {
        shell: cx.shell(paths::ACCOUNT),
        username: actor.username.clone(),
        scope_name,
        form: FormView::default(),
    })
}

#[derive(Deserialize)]
struct PasswordInput {
    #[serde(default)]
    current: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirm: String,
}

async fn change_password(cx: Ctx, Form(actor, input): Form<PasswordInput>) -> Result<Response> {
    let state = &cx.state;
    let lang = cx.lang;
    match accounts::change_password(
        &state.db,
        &actor,
        &input.current,
        &input.password,
        &input.confirm,
        state.config.security_profile,
    )
    .await
    {
        Ok(()) => signed_out(
            &paths::link_with(paths::LOGIN, &[("changed", "1".into())]),
            &state.config,
        ),
        Err(Error::Invalid(fe)) => {
            let scope_name = crate::org::scope_node(&state.db, &actor)
                .await
                .map(|n| n.name)
                .unwrap_or_default();
            let page = AccountPage {
                shell: cx.shell(paths::ACCOUNT),
                username: actor.username.clone(),
                scope_name,
                form: FormView::default().errors(lang, &fe),
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, html(&page)?).into_response())
        }
        Err(e) => Err(e),
    }
}
