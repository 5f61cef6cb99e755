//! Server-rendered pages, one file per concept, mirroring `templates/`.

mod account;
mod activities;
mod attendance;
mod audit;
mod catalogue;
mod checkin;
mod imports;
mod org;
mod people;
mod teachers;
mod users;

use axum::Router;
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};

use super::AppState;
use crate::error::{Error, Result};

pub use account::{clear_cookie, session_cookie};
pub use imports::UPLOAD_LIMIT;

/// Every page route.
pub fn router() -> Router<AppState> {
    Router::new()
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
        .merge(checkin::router())
}

/// Renders an askama template as an HTML response.
pub(crate) fn html<T: askama::Template>(t: &T) -> Result<Response> {
    let body = t
        .render()
        .map_err(|e| Error::Internal(format!("template: {e}")))?;
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

/// The answer to a posted form: on success a redirect to `to(value)`; on field errors the form shown
/// again by `again` (typed values kept, errors beside the fields) with 422; anything else passed on.
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

/// A 303 redirect after a successful POST.
/// The flash message a redirect asked for (`?ok=…`; the shell shows only known ones).
#[derive(serde::Deserialize, Default)]
pub(crate) struct OkQuery {
    pub ok: Option<String>,
}

pub(crate) fn see_other(to: &str) -> Response {
    axum::response::Redirect::to(to).into_response()
}

/// Only local paths are followed after login or a language switch (no open redirect).
pub(crate) fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_string(),
        _ => "/".into(),
    }
}

/// The path and query of the current request (for the language switch).
pub(crate) fn here(uri: &axum::http::Uri) -> String {
    uri.path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "/".into())
}
