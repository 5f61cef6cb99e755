//! Request decoding: the session middleware, and extractors whose every failure is a crate
//! [`Error`] (so bad input gets the same clear, localised answer everywhere).

use std::net::SocketAddr;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

use super::AppState;
use crate::access::Actor;
use crate::accounts;
use crate::accounts::SignedIn;
use crate::error::{Error, Msg};
use crate::i18n::Lang;
use crate::paths;

/// Session cookie name over plain HTTP (loopback, intranet).
pub const SESSION_COOKIE: &str = "cedu_session";
/// Session cookie name behind TLS (`__Host-` pins it to this host and path `/`).
pub const SECURE_SESSION_COOKIE: &str = "__Host-cedu_session";
/// The language preference cookie.
pub const LANG_COOKIE: &str = "cedu_lang";

/// The authenticated session of a request.
#[derive(Clone, Debug)]
pub struct Session {
    pub actor: Actor,
    /// True when the token came from the cookie (then writes need the CSRF token).
    pub via_cookie: bool,
}

/// Reads one cookie from the request headers.
pub fn cookie<'a>(headers: &'a axum::http::HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

fn client_ip(parts_ext: &axum::http::Extensions) -> Option<String> {
    parts_ext
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ci| ci.0.ip().to_string())
}

/// Resolves the session from the bearer token or the session cookie once per request; an API write
/// made with the cookie must carry the session's CSRF token in `X-CSRF-Token`.
pub async fn resolve_session(
    State(state): State<AppState>,
    mut req: Request,
    next: Next,
) -> Response {
    // Route rules ask the records' concepts: they read the database from the request.
    req.extensions_mut().insert(state.db.clone());
    let headers = req.headers();
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| (t.trim().to_string(), false));
    let name = if state.config.secure_cookies {
        SECURE_SESSION_COOKIE
    } else {
        SESSION_COOKIE
    };
    let token = bearer.or_else(|| cookie(headers, name).map(|t| (t.to_string(), true)));
    if let Some((token, via_cookie)) = token {
        let ip = client_ip(req.extensions());
        let profile = state.config.security_profile;
        match accounts::session_actor(&state.db, &token, ip, profile).await {
            Ok(Some(SignedIn {
                mut actor,
                password_change_due,
            })) => {
                actor.request_id = req
                    .headers()
                    .get("x-request-id")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string);
                let unsafe_method =
                    !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
                // Signing in needs no session, so a stale cookie must not block it.
                let path = req.uri().path();
                if via_cookie
                    && unsafe_method
                    && path.starts_with(paths::API_PREFIX)
                    && path != paths::API_LOGIN
                {
                    let sent = req
                        .headers()
                        .get("x-csrf-token")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("");
                    if !constant_time_eq(sent.as_bytes(), actor.csrf_token.as_bytes()) {
                        return Error::Forbidden(Msg::new("error.csrf")).into_response();
                    }
                }
                let path = req.uri().path();
                if password_change_due && !open_with_expired_password(path) {
                    if path.starts_with(paths::API_PREFIX) {
                        return Error::Forbidden(Msg::new("password.expired")).into_response();
                    }
                    return super::pages::see_other(&paths::flashed(
                        paths::ACCOUNT,
                        "password_expired",
                    ));
                }
                req.extensions_mut().insert(Session { actor, via_cookie });
            }
            Ok(None) => {}
            Err(e) => return e.into_response(),
        }
    }
    next.run(req).await
}

/// What an account whose password expired (等保 profile) may still reach: the page that changes it,
/// signing out, the language switch and the stylesheet. Everything else sends it to that page.
fn open_with_expired_password(path: &str) -> bool {
    matches!(
        path,
        paths::ACCOUNT | paths::ACCOUNT_PASSWORD | paths::LOGOUT | paths::LANG | paths::API_LOGOUT
    ) || path.starts_with(paths::STATIC_PREFIX)
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The signed-in actor; pages redirect to the login form, the API answers 401, when there is none.
pub struct CurrentActor(pub Actor);

impl<S: Send + Sync> FromRequestParts<S> for CurrentActor {
    type Rejection = Error;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Error> {
        parts
            .extensions
            .get::<Session>()
            .map(|s| CurrentActor(s.actor.clone()))
            .ok_or(Error::Unauthenticated)
    }
}

/// The signed-in actor, if any.
pub struct MaybeActor(pub Option<Actor>);

impl<S: Send + Sync> FromRequestParts<S> for MaybeActor {
    type Rejection = Error;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Error> {
        Ok(MaybeActor(
            parts.extensions.get::<Session>().map(|s| s.actor.clone()),
        ))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = Error;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Error> {
        Ok(lang_of(&parts.headers))
    }
}

/// The language chosen by cookie; Chinese when none.
pub fn lang_of(headers: &axum::http::HeaderMap) -> Lang {
    cookie(headers, LANG_COOKIE)
        .map(Lang::parse)
        .unwrap_or_default()
}

/// Where a request came from, for audit records made before anyone is signed in.
pub struct ClientMeta {
    pub ip: Option<String>,
    /// The request id the `request_id` middleware set (audit records carry it).
    pub request_id: Option<String>,
}

impl<S: Send + Sync> FromRequestParts<S> for ClientMeta {
    type Rejection = Error;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Error> {
        Ok(ClientMeta {
            ip: client_ip(&parts.extensions),
            request_id: parts
                .headers
                .get("x-request-id")
                .and_then(|v| v.to_str().ok())
                .map(str::to_string),
        })
    }
}

async fn body_bytes<S: Send + Sync>(req: Request, state: &S) -> Result<Bytes, Error> {
    Bytes::from_request(req, state).await.map_err(|rej| {
        if rej.status() == StatusCode::PAYLOAD_TOO_LARGE {
            Error::BadRequest(Msg::new("request.too_large"))
        } else {
            Error::BadRequest(Msg::new("request.unreadable"))
        }
    })
}

/// Decodes an `application/x-www-form-urlencoded` body, refusing bytes that are not UTF-8 (also
/// inside percent escapes) instead of silently replacing them.
pub fn decode_form<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Error> {
    let bad = || Error::BadRequest(Msg::new("request.not_utf8"));
    let s = std::str::from_utf8(bytes).map_err(|_| bad())?;
    for pair in s.split('&') {
        for part in pair.splitn(2, '=') {
            let plus = part.replace('+', " ");
            let value = percent_encoding::percent_decode_str(&plus)
                .decode_utf8()
                .map_err(|_| bad())?;
            // No text anywhere holds a NUL, and PostgreSQL refuses it outright.
            if value.contains('\0') {
                return Err(Error::BadRequest(Msg::new("request.nul")));
            }
        }
    }
    serde_urlencoded::from_bytes(bytes).map_err(|_| Error::BadRequest(Msg::new("request.bad_form")))
}

/// A form posted by a signed-in user: the hidden `_csrf` field must match the session's token.
pub struct Form<T>(pub Actor, pub T);

/// A form whose fields are none of the handler's business (a button with its `_csrf`), or are
/// read one by one from the raw body (`RawForm`).
#[derive(serde::Deserialize)]
pub struct NoFields {}

#[derive(serde::Deserialize)]
struct CsrfField {
    #[serde(rename = "_csrf", default)]
    csrf: String,
}

impl<T: DeserializeOwned + Send> FromRequest<AppState> for Form<T> {
    type Rejection = Error;
    async fn from_request(req: Request, state: &AppState) -> Result<Self, Error> {
        let (session, bytes) = signed_in_body(req, state).await?;
        check_form(&session, &bytes)
    }
}

/// The session of a signed-in request and its body.
async fn signed_in_body(req: Request, state: &AppState) -> Result<(Session, Bytes), Error> {
    let session = req
        .extensions()
        .get::<Session>()
        .cloned()
        .ok_or(Error::Unauthenticated)?;
    Ok((session, body_bytes(req, state).await?))
}

/// Checks a form body's CSRF field against the session and decodes it.
pub fn check_form<T: DeserializeOwned>(session: &Session, bytes: &[u8]) -> Result<Form<T>, Error> {
    let token: CsrfField = decode_form(bytes)?;
    check_csrf(session, &token.csrf)?;
    Ok(Form(session.actor.clone(), decode_form(bytes)?))
}

/// Refuses a token that is not the session's.
pub fn check_csrf(session: &Session, token: &str) -> Result<(), Error> {
    if constant_time_eq(token.as_bytes(), session.actor.csrf_token.as_bytes()) {
        Ok(())
    } else {
        Err(Error::Forbidden(Msg::new("error.csrf")))
    }
}

/// A signed-in form with its raw body too, for fields that repeat (checkboxes).
pub struct RawForm<T>(pub Actor, pub T, pub Vec<u8>);

impl<T: DeserializeOwned + Send> FromRequest<AppState> for RawForm<T> {
    type Rejection = Error;
    async fn from_request(req: Request, state: &AppState) -> Result<Self, Error> {
        let (session, bytes) = signed_in_body(req, state).await?;
        let Form(actor, value) = check_form(&session, &bytes)?;
        Ok(RawForm(actor, value, bytes.to_vec()))
    }
}

/// A form posted without a session (the login form; its CSRF defence is the origin check).
pub struct PublicForm<T>(pub T);

impl<T: DeserializeOwned + Send> FromRequest<AppState> for PublicForm<T> {
    type Rejection = Error;
    async fn from_request(req: Request, state: &AppState) -> Result<Self, Error> {
        let bytes = body_bytes(req, state).await?;
        Ok(PublicForm(decode_form(&bytes)?))
    }
}

/// A JSON body; malformed or non-UTF-8 JSON is a 400 with the parser's reason.
pub struct Json<T>(pub T);

impl<T: DeserializeOwned + Send> FromRequest<AppState> for Json<T> {
    type Rejection = Error;
    async fn from_request(req: Request, state: &AppState) -> Result<Self, Error> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json"));
        if !is_json {
            return Err(Error::BadRequest(Msg::new("request.not_json")));
        }
        let bytes = body_bytes(req, state).await?;
        if bytes.contains(&0) || bytes.windows(6).any(|w| w.eq_ignore_ascii_case(b"\\u0000")) {
            return Err(Error::BadRequest(Msg::new("request.nul")));
        }
        serde_json::from_slice(&bytes)
            .map(Json)
            .map_err(|e| Error::BadRequest(Msg::new("request.bad_json").arg("detail", e)))
    }
}

/// A `multipart/form-data` body (uploads); anything else is a 400 in the usual envelope.
pub struct Upload(pub axum::extract::Multipart);

impl<S: Send + Sync> FromRequest<S> for Upload {
    type Rejection = Error;
    async fn from_request(req: Request, state: &S) -> Result<Self, Error> {
        axum::extract::Multipart::from_request(req, state)
            .await
            .map(Upload)
            .map_err(|_| Error::BadRequest(Msg::new("request.not_multipart")))
    }
}

/// A multipart form read whole: its text fields and its file (name and bytes).
#[derive(Default)]
pub struct UploadForm {
    pub fields: std::collections::HashMap<String, String>,
    pub file: Option<(String, Vec<u8>)>,
    /// The body passed the size limit: nothing after the cut was read (the CSRF field may be
    /// missing), the file is refused as too large.
    pub too_large: bool,
}

impl UploadForm {
    /// A text field, empty when absent.
    pub fn text(&self, name: &str) -> String {
        self.fields.get(name).cloned().unwrap_or_default()
    }

    /// The refusal of a file past the limit, in the form's words.
    pub fn too_large_error() -> Error {
        UploadForm::too_large_for(crate::attachments::MAX_BYTES)
    }

    /// The refusal of a file past a limit of its own (an activity's evidence).
    pub fn too_large_for(max_bytes: usize) -> Error {
        Error::invalid(
            "file",
            Msg::new("evidence.too_large").arg("max_mb", max_bytes / 1024 / 1024),
        )
    }
}

impl Upload {
    /// Reads every field, the file (`file`) up to the body limit and never further.
    pub async fn read(mut self) -> Result<UploadForm, Error> {
        let bad = || Error::BadRequest(Msg::new("request.unreadable"));
        let cut = |e: &axum::extract::multipart::MultipartError| {
            e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE
        };
        let mut form = UploadForm::default();
        loop {
            let field = match self.0.next_field().await {
                Ok(Some(f)) => f,
                Ok(None) => break,
                Err(e) if cut(&e) => {
                    form.too_large = true;
                    break;
                }
                Err(_) => return Err(bad()),
            };
            let name = field.name().unwrap_or("").to_string();
            if name == "file" {
                let file_name = field.file_name().unwrap_or("upload").to_string();
                match field.bytes().await {
                    Ok(b) if b.is_empty() && file_name.is_empty() => {}
                    Ok(b) => form.file = Some((file_name, b.to_vec())),
                    Err(e) if cut(&e) => {
                        form.too_large = true;
                        break;
                    }
                    Err(_) => return Err(bad()),
                }
            } else {
                let value = field.text().await.map_err(|_| bad())?;
                form.fields.insert(name, value);
            }
        }
        Ok(form)
    }
}

/// Query-string parameters; a malformed query is a 400, not a crash.
pub struct Query<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Query<T> {
    type Rejection = Error;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Error> {
        let q = parts.uri.query().unwrap_or("");
        decode_form(q.as_bytes()).map(Query)
    }
}

/// Which year of which town a yearly page or API answer is about (`?year=&town_id=`): the schedule,
/// the funds, the meetings, the grid, the assessment.
#[derive(Clone, Copy, Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TownYear {
    /// 2000–2100; this year when absent.
    pub year: Option<i32>,
    /// The town (a district chooses; an office reads its own).
    pub town_id: Option<i64>,
}

impl TownYear {
    /// The year as asked (the use-case refuses one outside 2000–2100), or this year.
    pub fn year(&self) -> i32 {
        self.year
            .unwrap_or_else(|| crate::calendar::Year::current().0)
    }

    /// The year a page shows: one outside 2000–2100 (a hand-edited link) shows this year.
    pub fn page_year(&self) -> i32 {
        self.year
            .filter(|y| (2000..=2100).contains(y))
            .unwrap_or_else(|| crate::calendar::Year::current().0)
    }

    /// The town a posted form names (its pages always send it).
    pub fn posted_town(&self) -> Result<i64, Error> {
        self.town_id
            .ok_or_else(|| Error::invalid("town_id", Msg::new("field.choose")))
    }
}

/// The paging parameters of an API list.
#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Paging {
    /// From 1 (to 100,000).
    #[param(minimum = 1, maximum = 100000)]
    page: Option<u32>,
    /// 1 to 200 (default 20).
    #[param(minimum = 1, maximum = 200)]
    per_page: Option<u32>,
}

/// An API list's query string: the list's filter `F` and its page, checked against the bounds the
/// document states (out of range is a field error, not silently clamped). The operation documents
/// `params(F, Paging)`.
pub struct Listing<F>(pub F, pub crate::page::PageRequest);

impl<F: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Listing<F> {
    type Rejection = Error;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Error> {
        let q = parts.uri.query().unwrap_or("").as_bytes();
        let filter = decode_form(q)?;
        let p: Paging = decode_form(q)?;
        Ok(Listing(
            filter,
            crate::page::PageRequest::checked(p.page, p.per_page)?,
        ))
    }
}

/// A resource the request created: 201 with its JSON.
pub struct Created<T>(pub T);

impl<T: serde::Serialize> IntoResponse for Created<T> {
    fn into_response(self) -> Response {
        (StatusCode::CREATED, axum::Json(self.0)).into_response()
    }
}

/// A numeric id in the path; anything else is simply not found.
pub struct Id(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for Id {
    type Rejection = Error;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Error> {
        let axum::extract::Path(raw): axum::extract::Path<String> =
            axum::extract::Path::from_request_parts(parts, state)
                .await
                .map_err(|_| Error::NotFound)?;
        raw.parse().map(Id).map_err(|_| Error::NotFound)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug)]
    struct F {
        name: String,
    }

    #[test]
    fn forms_keep_unicode_and_refuse_broken_utf8() {
        let f: F = decode_form("name=%F0%A0%AE%B7%E3%9B%83+%C2%B7".as_bytes()).unwrap();
        assert_eq!(f.name, "𠮷㛃 ·");
        assert!(
            matches!(decode_form::<F>(b"name=%FF%FE"), Err(Error::BadRequest(m)) if m.key == "request.not_utf8")
        );
        assert!(matches!(
            decode_form::<F>(b"name=\xff"),
            Err(Error::BadRequest(_))
        ));
        // PostgreSQL refuses a NUL in text: it is a clear 400 before any query.
        assert!(
            matches!(decode_form::<F>(b"name=a%00b"), Err(Error::BadRequest(m)) if m.key == "request.nul")
        );
    }

    #[test]
    fn cookies_are_found_by_exact_name() {
        let mut h = axum::http::HeaderMap::new();
        h.insert(
            header::COOKIE,
            "a=1; cedu_session=abc; cedu_session_x=2".parse().unwrap(),
        );
        assert_eq!(cookie(&h, SESSION_COOKIE), Some("abc"));
        assert_eq!(cookie(&h, "b"), None);
    }
}
