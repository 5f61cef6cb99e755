//! The one place where a crate [`Error`] becomes an HTTP answer: JSON envelope under `/api`, an
//! HTML page (or a redirect to the login form) elsewhere, in the request's language. Internal
//! errors are logged once with the request id and never shown.

use std::sync::Arc;

use crate::paths;

use askama::Template;
use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde_json::json;

use super::extract::lang_of;
use crate::error::{Error, Msg};
use crate::i18n::{self, Lang};

#[derive(Clone)]
struct ErrorSlot(Arc<Error>);

fn status_of(e: &Error) -> StatusCode {
    match e {
        Error::Unauthenticated => StatusCode::UNAUTHORIZED,
        Error::Forbidden(_) => StatusCode::FORBIDDEN,
        Error::NotFound => StatusCode::NOT_FOUND,
        Error::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
        Error::Conflict(_) => StatusCode::CONFLICT,
        Error::Throttled(_) => StatusCode::TOO_MANY_REQUESTS,
        Error::BadRequest(m) if m.key == "request.too_large" => StatusCode::PAYLOAD_TOO_LARGE,
        Error::BadRequest(_) => StatusCode::BAD_REQUEST,
        Error::Unavailable(_) | Error::StorageFull(_) => StatusCode::SERVICE_UNAVAILABLE,
        Error::Config(_) | Error::Internal { .. } => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// Stable snake_case code of an error, for API clients.
fn code_of(e: &Error) -> &'static str {
    match e {
        Error::Unauthenticated => "unauthenticated",
        Error::Forbidden(_) => "forbidden",
        Error::NotFound => "not_found",
        Error::Invalid(_) => "invalid",
        Error::Conflict(_) => "conflict",
        Error::Throttled(_) => "throttled",
        Error::BadRequest(_) => "bad_request",
        Error::Unavailable(_) => "unavailable",
        Error::StorageFull(_) => "storage_full",
        Error::Config(_) | Error::Internal { .. } => "internal",
    }
}

/// The message shown to the user.
fn message_of(e: &Error) -> Msg {
    match e {
        Error::Unauthenticated => Msg::new("error.unauthenticated"),
        Error::NotFound => Msg::new("error.not_found"),
        Error::Invalid(_) => Msg::new("error.invalid"),
        Error::Forbidden(m) | Error::Conflict(m) | Error::Throttled(m) | Error::BadRequest(m) => {
            m.clone()
        }
        Error::Unavailable(_) => Msg::new("error.unavailable"),
        Error::StorageFull(_) => Msg::new("error.storage_full"),
        Error::Config(_) | Error::Internal { .. } => Msg::new("error.internal"),
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let mut res = status_of(&self).into_response();
        res.extensions_mut().insert(ErrorSlot(Arc::new(self)));
        res
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    lang: &'static str,
    title: String,
    message: String,
    home: String,
}

/// Renders an error for a request path in a language (also used by the router's fallback).
pub fn render_error_response(
    e: &Error,
    lang: Lang,
    path_and_query: &str,
    request_id: &str,
) -> Response {
    let status = status_of(e);
    match e {
        Error::Internal { .. } => {
            tracing::error!(request_id, error = %e.chain().replace('\n', "\\n"), "internal error")
        }
        Error::Config(detail) => {
            tracing::error!(request_id, error = %detail.replace('\n', "\\n"), "internal error")
        }
        Error::Unavailable(detail) => {
            tracing::warn!(request_id, error = %detail, "database unavailable")
        }
        Error::StorageFull(detail) => {
            tracing::error!(request_id, error = %detail, "storage full: nothing of the request was saved")
        }
        other => tracing::debug!(request_id, code = code_of(other), "request refused"),
    }
    let message = i18n::render(lang, &message_of(e).arg("request_id", request_id));
    if path_and_query.starts_with(paths::API_PREFIX) {
        let fields: Vec<_> = match e {
            Error::Invalid(fe) => fe
                .0
                .iter()
                .map(|(f, m)| json!({"field": f, "code": m.key, "message": i18n::render(lang, m)}))
                .collect(),
            _ => Vec::new(),
        };
        let reason = match e {
            Error::Forbidden(m)
            | Error::Conflict(m)
            | Error::Throttled(m)
            | Error::BadRequest(m) => Some(m.key),
            _ => None,
        };
        let body = json!({"error": {
            "code": code_of(e),
            "reason": reason,
            "message": message,
            "fields": fields,
            "request_id": request_id,
        }});
        return (status, axum::Json(body)).into_response();
    }
    if matches!(e, Error::Unauthenticated) {
        let next: String = percent_encoding::utf8_percent_encode(
            path_and_query,
            percent_encoding::NON_ALPHANUMERIC,
        )
        .to_string();
        return Redirect::to(&format!("{}?next={next}", paths::LOGIN)).into_response();
    }
    let page = ErrorPage {
        lang: lang.code(),
        title: format!("{} {}", status.as_u16(), i18n::t(lang, "error.title")),
        message,
        home: i18n::t(lang, "nav.home").to_string(),
    };
    let html = page.render().unwrap_or_else(|_| "error".into());
    (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        Html(html),
    )
        .into_response()
}

/// Middleware: replaces the empty body of an error response with its rendering (and tells the
/// health report when the disk was full).
pub async fn render_errors(
    axum::extract::State(state): axum::extract::State<super::AppState>,
    req: Request,
    next: Next,
) -> Response {
    let lang = lang_of(req.headers());
    let path = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_default();
    let request_id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let res = next.run(req).await;
    match res.extensions().get::<ErrorSlot>() {
        Some(slot) => {
            if matches!(*slot.0, Error::StorageFull(_)) {
                state.health.storage_full();
            }
            render_error_response(&slot.0, lang, &path, &request_id)
        }
        None => res,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_map_to_4xx_and_only_bugs_to_500() {
        assert_eq!(status_of(&Error::NotFound), StatusCode::NOT_FOUND);
        assert_eq!(
            status_of(&Error::Conflict(Msg::new("org.move_cycle"))),
            StatusCode::CONFLICT
        );
        assert_eq!(
            status_of(&Error::BadRequest(Msg::new("request.too_large"))),
            StatusCode::PAYLOAD_TOO_LARGE
        );
        assert_eq!(
            status_of(&Error::internal("x")),
            StatusCode::INTERNAL_SERVER_ERROR
        );
        assert_eq!(
            message_of(&Error::internal("secret detail")).key,
            "error.internal"
        );
    }
}
