//! The thin HTTP layer: server-rendered pages under `/`, the JSON API under `/api/v1`, one session
//! middleware, one CSRF origin check, one place where errors become responses. Handlers decode,
//! call one use-case, render.

pub mod api;
pub(crate) mod download;
mod error;
mod extract;
pub mod pages;
pub mod routes;
mod views;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use tower_http::trace::TraceLayer;

use crate::config::Config;
use crate::db::Db;
use crate::paths;
pub use error::render_error_response;
pub use extract::{SECURE_SESSION_COOKIE, SESSION_COOKIE, Session};

/// Shared by every handler.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<Config>,
    /// The QR check-in queue (group commit).
    pub desk: Arc<crate::attendance::CheckinDesk>,
    /// What `/healthz` remembers between probes.
    pub health: Arc<Health>,
}

/// What `/healthz` reports beyond a probe: the last time a request failed because the database's
/// disk was full (PostgreSQL's disk cannot be probed from here; on SQLite the probe decides).
#[derive(Default)]
pub struct Health {
    storage_full_at: std::sync::Mutex<Option<std::time::Instant>>,
    /// The last probe of the disk and when it ran: `/healthz` is public, so a burst of probes
    /// shares one write of the disk a second (never a 64 KB write and flush per request).
    last_probe: tokio::sync::Mutex<Option<(std::time::Instant, Storage)>>,
}

/// What a probe of the database's disk found.
#[derive(Clone, Copy, PartialEq)]
enum Storage {
    Ok,
    Full,
    Unavailable,
}

/// How long a probe of the disk stands for the disk's state.
const PROBE_EVERY: Duration = Duration::from_secs(1);

impl Health {
    /// A request failed with a full disk.
    pub fn storage_full(&self) {
        if let Ok(mut at) = self.storage_full_at.lock() {
            *at = Some(std::time::Instant::now());
        }
    }

    fn storage_full_lately(&self) -> bool {
        self.storage_full_at
            .lock()
            .ok()
            .and_then(|at| *at)
            .is_some_and(|at| at.elapsed() < Duration::from_secs(30))
    }

    /// The disk's state, probed at most once every [`PROBE_EVERY`] (callers meanwhile wait for
    /// the probe under way, or share the last one).
    async fn storage(&self, db: &crate::db::Db) -> Storage {
        let mut last = self.last_probe.lock().await;
        if let Some((at, found)) = *last
            && at.elapsed() < PROBE_EVERY
        {
            return found;
        }
        let found = match db.probe_storage().await {
            Err(crate::error::Error::StorageFull(_)) => Storage::Full,
            Err(_) => Storage::Unavailable,
            Ok(()) => Storage::Ok,
        };
        *last = Some((std::time::Instant::now(), found));
        found
    }
}

/// The whole application router with its middleware.
pub fn router(state: AppState) -> Router {
    let limit = state.config.max_body_bytes;
    let (routes, _, _) = route_table().into_parts();
    routes
        .fallback(not_found)
        // Innermost first: a panic becomes an internal error (a clear 500, not a dropped
        // connection), then the session, the origin check, and error rendering (which sees them
        // all).
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(panicked))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            extract::resolve_session,
        ))
        .layer(middleware::from_fn(check_origin))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            error::render_errors,
        ))
        .layer(middleware::from_fn(security_headers))
        .layer(DefaultBodyLimit::max(limit))
        // One line per request at the default level: method, path (never the query, which may
        // hold a phone number, nor a resident's link token), status, time and request id.
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|req: &Request| {
                    let id = req
                        .headers()
                        .get("x-request-id")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("")
                        .to_string();
                    tracing::info_span!(
                        "request",
                        method = %req.method(),
                        path = %loggable_path(req.uri().path()),
                        request_id = %id
                    )
                })
                .on_response(
                    tower_http::trace::DefaultOnResponse::new()
                        .level(tracing::Level::INFO)
                        .latency_unit(tower_http::LatencyUnit::Millis),
                ),
        )
        .layer(middleware::from_fn(request_id))
        .with_state(state)
}

/// A request path as the log keeps it: the signed token of a resident's check-in, rating or
/// enrolment link (`/c/…`, `/r/…`, `/e/…`) is a key and stays out of the log.
pub fn loggable_path(path: &str) -> String {
    for prefix in paths::PHONE_PREFIXES {
        if path.starts_with(prefix) && path.len() > prefix.len() {
            return format!("{prefix}…");
        }
    }
    path.to_string()
}

/// A handler that panicked (a bug): answered like any internal error, logged once with the request
/// id.
fn panicked(detail: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let detail = detail
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| detail.downcast_ref::<String>().cloned())
        .unwrap_or_default();
    crate::error::Error::internal(format!("panic: {detail}")).into_response()
}

/// Every route with its access rule: pages, the API, health and the stylesheet.
pub fn route_table() -> routes::Routes {
    routes::Routes::new()
        .merge(pages::router())
        .merge(api::router())
        .get(paths::HEALTH, routes::Rule::PUBLIC, healthz)
        .get(paths::STYLESHEET, routes::Rule::PUBLIC, stylesheet)
        .get(paths::SCRIPT, routes::Rule::PUBLIC, script)
}

/// The table of every route and its rule (for the authorization-matrix test and the API document).
pub fn route_rules() -> Vec<routes::Route> {
    route_table().into_parts().1
}

async fn not_found() -> crate::error::Error {
    crate::error::Error::NotFound
}

/// `GET /healthz`: 200 with the backend name when the database answers and its disk takes writes
/// (probed at most once a second);
/// 503 when the database cannot be reached (`unavailable`) or its disk is full (`degraded`,
/// `storage: full`).
async fn healthz(State(state): State<AppState>) -> Response {
    let backend = state.db.backend().name();
    let unavailable = || {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            axum::Json(serde_json::json!({"status": "unavailable", "database": backend})),
        )
            .into_response()
    };
    match tokio::time::timeout(Duration::from_secs(3), state.db.ping()).await {
        Ok(Ok(())) => {}
        _ => return unavailable(),
    }
    let full = match state.health.storage(&state.db).await {
        Storage::Full => true,
        Storage::Unavailable => return unavailable(),
        // SQLite's disk was probed within the second; a PostgreSQL server's is known by what it
        // answered.
        Storage::Ok => {
            state.db.backend() == crate::db::Backend::Postgres && state.health.storage_full_lately()
        }
    };
    if full {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            axum::Json(
                serde_json::json!({"status": "degraded", "database": backend, "storage": "full"}),
            ),
        )
            .into_response();
    }
    axum::Json(serde_json::json!({"status": "ok", "database": backend, "storage": "ok"}))
        .into_response()
}

async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/cedu.css"),
    )
        .into_response()
}

async fn script() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/cedu.js"),
    )
        .into_response()
}

/// Gives every request an id (kept if the client sent a sane one) that logs and audit records
/// carry.
async fn request_id(mut req: Request, next: Next) -> Response {
    let id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| v.len() <= 64 && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
        .map(str::to_string)
        .unwrap_or_else(|| {
            // An id, not a secret: the thread's generator (seeded from the OS) needs no system
            // call.
            format!("{:016x}", rand::random::<u64>())
        });
    if let Ok(v) = HeaderValue::from_str(&id) {
        req.headers_mut().insert("x-request-id", v.clone());
        let mut res = next.run(req).await;
        res.headers_mut().insert("x-request-id", v);
        return res;
    }
    next.run(req).await
}

/// Refuses state-changing requests that a browser marks as coming from another site (CSRF defence
/// in depth; forms also carry a per-session token).
async fn check_origin(req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    let h = req.headers();
    let cross_site = h
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == "cross-site");
    let origin_mismatch = match (
        h.get(header::ORIGIN).and_then(|v| v.to_str().ok()),
        h.get(header::HOST).and_then(|v| v.to_str().ok()),
    ) {
        (Some(origin), Some(host)) => origin.split("://").nth(1) != Some(host),
        (Some(_), None) => true,
        _ => false,
    };
    if cross_site || origin_mismatch {
        return crate::error::Error::Forbidden(crate::error::Msg::new("error.csrf"))
            .into_response();
    }
    next.run(req).await
}

/// Security headers on every response; pages with personal data are never cached.
async fn security_headers(req: Request, next: Next) -> Response {
    let is_static = req.uri().path().starts_with(paths::STATIC_PREFIX);
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
        ),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if !is_static {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_address_of_paths_is_a_registered_route_and_every_page_route_is_in_paths() {
        let registered: std::collections::BTreeSet<String> =
            route_rules().into_iter().map(|r| r.path).collect();
        for p in paths::ALL {
            assert!(
                registered.contains(*p),
                "{p} is in paths but no route serves it"
            );
        }
        for p in &registered {
            assert!(
                p.starts_with("/api/v1/") || paths::ALL.contains(&p.as_str()),
                "{p} is served but not named in paths"
            );
        }
    }
}
