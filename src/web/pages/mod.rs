//! Server-rendered pages, one file per concept, mirroring `templates/`.

mod account;
mod activities;
mod attendance;
mod audit;
mod awards;
mod catalogue;
mod checkin;
mod equipment;
mod funds;
mod imports;
mod inspections;
mod meetings;
mod org;
mod people;
mod schedule;
mod statistics;
mod surveys;
mod targets;
mod teachers;
mod users;
mod workbench;

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use axum::response::{Html, IntoResponse, Response};

use super::extract::{CurrentActor, lang_of};
use super::routes::Routes;
use super::views::Shell;
use crate::access::Actor;
use crate::error::{Error, Result};
use crate::i18n::Lang;
use crate::paths;

pub use account::{clear_cookie, session_cookie};
pub use imports::UPLOAD_LIMIT;

/// Every page route.
pub fn router() -> Routes {
    Routes::new()
        .merge(account::router())
        .merge(org::router())
        .merge(users::router())
        .merge(audit::router())
        .merge(people::router())
        .merge(imports::router())
        .merge(teachers::router())
        .merge(activities::router())
        .merge(attendance::router())
        .merge(catalogue::router())
        .merge(schedule::router())
        .merge(funds::router())
        .merge(awards::router())
        .merge(meetings::router())
        .merge(statistics::router())
        .merge(surveys::router())
        .merge(targets::router())
        .merge(equipment::router())
        .merge(inspections::router())
        .merge(checkin::router())
        .merge(workbench::router())
}

/// Renders an askama template as an HTML response.
pub(crate) fn html<T: askama::Template>(t: &T) -> Result<Response> {
    let body = t
        .render()
        .map_err(|e| Error::internal_from("template", e))?;
    Ok((
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        Html(body),
    )
        .into_response())
}

/// Same, with a status (a refused form is shown again with 422).
pub(crate) fn html_status<T: askama::Template>(
    status: axum::http::StatusCode,
    t: &T,
) -> Result<Response> {
    let mut r = html(t)?;
    *r.status_mut() = status;
    Ok(r)
}

/// The answer to a posted form: on success a redirect to `to(value)`; on field errors the form
/// shown again by `again` (typed values kept, errors beside the fields) with 422; anything else
/// passed on.
pub(crate) async fn saved_or_again<T, P, Fut>(
    result: Result<T>,
    to: impl FnOnce(T) -> String,
    again: impl FnOnce(crate::error::FieldErrors) -> Fut,
) -> Result<Response>
where
    P: askama::Template,
    Fut: std::future::Future<Output = Result<P>>,
{
    match result {
        Ok(v) => Ok(see_other(&to(v))),
        Err(Error::Invalid(fe)) => html_status(
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            &again(fe).await?,
        ),
        Err(e) => Err(e),
    }
}

/// A 303 redirect after a successful POST. A target that cannot be a header value (a line break
/// that slipped through) goes home instead of failing the request.
pub(crate) fn see_other(to: &str) -> Response {
    let to = if axum::http::HeaderValue::from_str(to).is_ok() {
        to
    } else {
        paths::HOME
    };
    axum::response::Redirect::to(to).into_response()
}

/// Only a path of this site is followed after login or a language switch (no open redirect): it
/// starts with one `/`, is not `//…` or `/\…` (another host to a browser), and holds no control
/// character or white space (browsers drop tabs and line breaks, so `/\t/evil.example` would become
/// `//evil.example`). Anything else goes home.
pub(crate) fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n[1..].starts_with('/')
                && !n
                    .chars()
                    .any(|c| c.is_control() || c.is_whitespace() || c == '\\') =>
        {
            n.to_string()
        }
        _ => paths::HOME.into(),
    }
}

/// The path and query of the current request (for the language switch).
pub(crate) fn here(uri: &axum::http::Uri) -> String {
    uri.path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| paths::HOME.into())
}

/// Where the language switch returns to: this page, or — for a form answered with its errors (a
/// POST) — the page the form was sent from, which the switch can show again (the typed values
/// come back with it, kept by the page's script). Only this site's own Referer is used.
fn return_to(parts: &Parts) -> String {
    if parts.method == axum::http::Method::GET {
        return here(&parts.uri);
    }
    let header = |name| {
        parts
            .headers
            .get(name)
            .and_then(|v: &axum::http::HeaderValue| v.to_str().ok())
    };
    let from = header(axum::http::header::REFERER)
        .and_then(|r| r.parse::<axum::http::Uri>().ok())
        .filter(|r| r.authority().map(|a| a.as_str()) == header(axum::http::header::HOST));
    match from {
        Some(r) => safe_next(Some(&here(&r))),
        None => here(&parts.uri),
    }
}

/// What every page handler starts from: who is asking, in which language, the page's path and
/// query (the language switch returns there), and the flash a redirect asked for (`?ok=…`).
/// `cx.shell(paths::TEACHERS)` is the frame around a page, with that menu item marked.
pub(crate) struct Ctx {
    pub state: crate::web::AppState,
    pub actor: Actor,
    pub lang: Lang,
    pub here: String,
    pub ok: Option<String>,
    /// The to-do counts of the menu (`crate::workbench::badges`).
    pub badges: Vec<(&'static str, i64)>,
}

impl Ctx {
    /// The page frame: menu of what the actor may open, the flash, the language switch.
    pub fn shell(&self, active: &str) -> Shell {
        Shell::new(
            &self.actor,
            self.lang,
            active,
            &self.here,
            self.ok.as_deref(),
            &self.badges,
        )
    }
}

impl FromRequestParts<crate::web::AppState> for Ctx {
    type Rejection = Error;
    async fn from_request_parts(parts: &mut Parts, state: &crate::web::AppState) -> Result<Self> {
        let CurrentActor(actor) = CurrentActor::from_request_parts(parts, state).await?;
        let ok = parts.uri.query().and_then(|q| {
            serde_urlencoded::from_str::<Vec<(String, String)>>(q)
                .ok()?
                .into_iter()
                .find_map(|(k, v)| (k == "ok").then_some(v))
        });
        let badges = crate::workbench::badges(&state.db, &actor).await?;
        Ok(Ctx {
            state: state.clone(),
            actor,
            lang: lang_of(&parts.headers),
            here: return_to(parts),
            ok,
            badges,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_paths_of_this_site_are_followed_after_login() {
        for ok in ["/", "/people/residents?q=%E5%BC%A0", "/activities/7#top"] {
            assert_eq!(safe_next(Some(ok)), ok);
        }
        for bad in [
            "//evil.example",
            "/\\evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "/\r\nLocation: x",
            "/ /evil.example",
            "/\u{3000}/evil.example",
            "https://evil.example",
            "evil.example",
            "",
        ] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad:?}");
        }
        assert_eq!(safe_next(None), "/");
    }

    #[test]
    fn a_redirect_never_fails_on_a_bad_target() {
        let r = see_other("/x\ny");
        assert_eq!(r.status(), axum::http::StatusCode::SEE_OTHER);
        assert_eq!(r.headers()["location"], "/");
    }
}
