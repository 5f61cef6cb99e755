//! Every route of the web layer with its access rule, in one table. A route is registered with a
//! [`Rule`]: who may use it (nobody signed in, anyone signed in, or the holders of one permission)
//! and which record its `{id}` names. The rule is enforced before the handler runs (default deny: a
//! route cannot be added without one), by asking the record's concept whether the actor sees it —
//! or, for a change, may change it — so a refusal never depends on what the body holds. Use-cases
//! check again. The table is also what the authorization-matrix test walks.

use axum::Router;
use axum::extract::{DefaultBodyLimit, FromRequestParts, RawPathParams, Request};
use axum::handler::Handler;
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodFilter, MethodRouter, on};

use utoipa::openapi::path::Paths;
use utoipa::openapi::{RefOr, schema::Schema};
use utoipa_axum::router::UtoipaMethodRouter;

use super::AppState;
use super::extract::Session;
use crate::access::{Actor, Permission};
use crate::db::Db;
use crate::error::{Error, Result};

/// Who may use a route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Anyone: the login form, the phone pages of a QR code, the check-in API.
    Public,
    /// Anyone signed in: the own account, signing out.
    SignedIn,
    /// The roles that hold this permission.
    Needs(Permission),
    /// The roles that hold either (the use-case tells which one what it does needs).
    Either(Permission, Permission),
    /// The roles that hold both.
    Both(Permission, Permission),
}

impl Access {
    /// True when the actor's role satisfies it (a signed-in actor).
    pub fn allows(self, actor: &Actor) -> bool {
        match self {
            Access::Public | Access::SignedIn => true,
            Access::Needs(p) => actor.can(p),
            Access::Either(a, b) => actor.can(a) || actor.can(b),
            Access::Both(a, b) => actor.can(a) && actor.can(b),
        }
    }

    /// The permissions it names.
    pub fn permissions(self) -> Vec<Permission> {
        match self {
            Access::Public | Access::SignedIn => Vec::new(),
            Access::Needs(p) => vec![p],
            Access::Either(a, b) | Access::Both(a, b) => vec![a, b],
        }
    }
}

/// The kind of record a route's `{id}` names; its concept decides who sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Object {
    Node,
    Member,
    User,
    Resident,
    Household,
    Teacher,
    Import,
    Activity,
    Enrolment,
    File,
    Theme,
    /// An entry of a catalogue dictionary (`{kind}` names the dictionary).
    Entry,
    /// An account change waiting for the security administrator.
    AccountRequest,
    /// A row of the annual schedule.
    ScheduleRow,
    /// A file of a schedule row's evidence.
    ScheduleFile,
    /// An expense of a town's funds.
    Expense,
    /// The voucher scan of an expense.
    Voucher,
    /// A commendation round.
    AwardRound,
    /// A nomination.
    Nomination,
    /// A file of a nomination's deeds.
    NominationFile,
    /// A category of the district's commendation dictionary.
    AwardCategory,
    /// A meeting of the leadership group or the office.
    Meeting,
    /// The scan of a meeting's signed minutes.
    MeetingFile,
    /// A line of a centre's equipment inventory.
    EquipmentItem,
    /// A venue or function room.
    Room,
    /// A line of a district's standard list of equipment and rooms.
    EquipmentStandard,
    /// An inspection of a centre.
    Inspection,
    /// A photo of an inspection's item.
    InspectionPhoto,
    /// A rectification of an inspection's finding.
    Rectification,
    /// A file of a rectification's evidence.
    RectificationFile,
    /// A survey (问卷).
    Survey,
}

/// A route's access rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rule {
    pub access: Access,
    pub object: Option<Object>,
}

impl Rule {
    /// Open to anyone.
    pub const PUBLIC: Rule = Rule {
        access: Access::Public,
        object: None,
    };
    /// Open to anyone signed in.
    pub const SIGNED_IN: Rule = Rule {
        access: Access::SignedIn,
        object: None,
    };

    /// For the holders of a permission.
    pub const fn needs(p: Permission) -> Rule {
        Rule {
            access: Access::Needs(p),
            object: None,
        }
    }

    /// For the holders of either permission.
    pub const fn either(a: Permission, b: Permission) -> Rule {
        Rule {
            access: Access::Either(a, b),
            object: None,
        }
    }

    /// For the holders of both permissions.
    pub const fn both(a: Permission, b: Permission) -> Rule {
        Rule {
            access: Access::Both(a, b),
            object: None,
        }
    }

    /// … on the record the path's `{id}` names.
    pub const fn on(self, o: Object) -> Rule {
        Rule {
            object: Some(o),
            ..self
        }
    }
}

/// One row of the table.
#[derive(Clone, Debug)]
pub struct Route {
    pub method: Method,
    pub path: String,
    pub rule: Rule,
}

/// Routes being registered: the router, the table and the OpenAPI operations, built together.
pub struct Routes {
    router: Router<AppState>,
    rows: Vec<Route>,
    api: ApiOperations,
}

/// The OpenAPI operations of the API routes registered, with the schemas their bodies name.
#[derive(Default)]
pub struct ApiOperations {
    pub paths: Paths,
    pub schemas: Vec<(String, RefOr<Schema>)>,
}

impl Default for Routes {
    fn default() -> Self {
        Routes::new()
    }
}

/// The body of a form or API call carrying one attachment: the file and room for its fields.
pub const ATTACHMENT_BODY: usize = crate::attachments::MAX_BYTES + 64 * 1024;

impl Routes {
    /// An empty table.
    pub fn new() -> Routes {
        Routes {
            router: Router::new(),
            rows: Vec::new(),
            api: ApiOperations::default(),
        }
    }

    /// A `GET` route.
    pub fn get<H: Handler<T, AppState>, T: 'static>(self, path: &str, rule: Rule, h: H) -> Self {
        self.route(Method::GET, path, rule, on(MethodFilter::GET, h))
    }

    /// A `POST` route.
    pub fn post<H: Handler<T, AppState>, T: 'static>(self, path: &str, rule: Rule, h: H) -> Self {
        self.route(Method::POST, path, rule, on(MethodFilter::POST, h))
    }

    /// A `PUT` route.
    pub fn put<H: Handler<T, AppState>, T: 'static>(self, path: &str, rule: Rule, h: H) -> Self {
        self.route(Method::PUT, path, rule, on(MethodFilter::PUT, h))
    }

    /// A `DELETE` route.
    pub fn delete<H: Handler<T, AppState>, T: 'static>(self, path: &str, rule: Rule, h: H) -> Self {
        self.route(Method::DELETE, path, rule, on(MethodFilter::DELETE, h))
    }

    /// A `POST` that takes a file: its body may be as large as `limit` (the files' own limit and
    /// room for the form's fields, e.g. [`ATTACHMENT_BODY`]) instead of the forms' default.
    pub fn upload<H: Handler<T, AppState>, T: 'static>(
        self,
        path: &str,
        rule: Rule,
        limit: usize,
        h: H,
    ) -> Self {
        let handler = on(MethodFilter::POST, h).layer(DefaultBodyLimit::max(limit));
        self.route(Method::POST, path, rule, handler)
    }

    /// An API route that takes a file, its body up to `limit` (see [`Routes::upload`]).
    pub fn api_upload(self, rule: Rule, route: UtoipaMethodRouter<AppState>, limit: usize) -> Self {
        self.api_with(rule, route, |h| h.layer(DefaultBodyLimit::max(limit)))
    }

    /// A route of one method with layers of its own (a larger body limit).
    pub fn route(
        mut self,
        method: Method,
        path: &str,
        rule: Rule,
        handler: MethodRouter<AppState>,
    ) -> Self {
        let guarded = handler.layer(axum::middleware::from_fn(
            move |req: Request, next: Next| guard(rule, req, next),
        ));
        self.router = self.router.route(path, guarded);
        self.rows.push(Route {
            method,
            path: path.to_string(),
            rule,
        });
        self
    }

    /// An API route, written `.api(rule, routes!(handler))`: its method and path are those of the
    /// handler's `#[utoipa::path]`, and its operation joins the OpenAPI document, so the router
    /// and the document cannot disagree.
    pub fn api(self, rule: Rule, route: UtoipaMethodRouter<AppState>) -> Self {
        self.api_with(rule, route, |handler| handler)
    }

    /// An API route with layers of its own (a larger body limit for an upload).
    pub fn api_with(
        self,
        rule: Rule,
        (schemas, paths, handler): UtoipaMethodRouter<AppState>,
        layers: impl FnOnce(MethodRouter<AppState>) -> MethodRouter<AppState>,
    ) -> Self {
        let mut operations = paths.paths.iter().flat_map(|(path, item)| {
            [
                (Method::GET, item.get.is_some()),
                (Method::POST, item.post.is_some()),
                (Method::PUT, item.put.is_some()),
                (Method::DELETE, item.delete.is_some()),
            ]
            .into_iter()
            .filter(|(_, present)| *present)
            .map(move |(method, _)| (method, path.clone()))
        });
        let (Some((method, path)), None) = (operations.next(), operations.next()) else {
            panic!("an API route is one handler with one method and path");
        };
        let mut routes = self.route(method, &path, rule, layers(handler));
        routes.api.paths.merge(paths);
        routes.api.schemas.extend(schemas);
        routes
    }

    /// Adds another table's routes.
    pub fn merge(mut self, other: Routes) -> Self {
        self.router = self.router.merge(other.router);
        self.rows.extend(other.rows);
        self.api.paths.merge(other.api.paths);
        self.api.schemas.extend(other.api.schemas);
        self
    }

    /// The router, the table and the API's operations.
    pub fn into_parts(self) -> (Router<AppState>, Vec<Route>, ApiOperations) {
        (self.router, self.rows, self.api)
    }
}

/// Enforces a route's rule before its handler.
async fn guard(rule: Rule, req: Request, next: Next) -> Response {
    let (mut parts, body) = req.into_parts();
    let checked = async {
        let session = parts.extensions.get::<Session>().cloned();
        let actor = match (rule.access, &session) {
            (Access::Public, _) => return Ok(()),
            (_, None) => return Err(Error::Unauthenticated),
            (access, Some(s)) if access.allows(&s.actor) => &s.actor,
            (access, Some(_)) => {
                let names: Vec<&str> = access.permissions().iter().map(|p| p.as_str()).collect();
                return Err(Error::Forbidden(
                    crate::error::Msg::new("error.forbidden").arg("permission", names.join(" + ")),
                ));
            }
        };
        let Some(object) = rule.object else {
            return Ok(());
        };
        let params = RawPathParams::from_request_parts(&mut parts, &())
            .await
            .map_err(|_| Error::NotFound)?;
        let param = |name: &str| {
            params
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        };
        let id: i64 = param("id")
            .and_then(|v| v.parse().ok())
            .ok_or(Error::NotFound)?;
        let db = parts
            .extensions
            .get::<Db>()
            .cloned()
            .ok_or_else(|| Error::internal("no database on the request"))?;
        let write = !matches!(parts.method, Method::GET | Method::HEAD);
        locate(&db, actor, object, id, param("kind").as_deref(), write).await
    }
    .await;
    match checked {
        Ok(()) => next.run(Request::from_parts(parts, body)).await,
        Err(e) => e.into_response(),
    }
}

/// Asks the record's concept whether the actor sees it (and, for a change, may change it).
async fn locate(
    db: &Db,
    actor: &Actor,
    object: Object,
    id: i64,
    kind: Option<&str>,
    write: bool,
) -> Result<()> {
    match object {
        Object::Node => crate::org::get_node(db, actor, id).await.map(|_| ()),
        Object::Member => crate::org::require_member(db, actor, id).await,
        Object::User => crate::accounts::get_user(db, actor, id).await.map(|_| ()),
        Object::Resident => crate::people::get_resident(db, actor, id).await.map(|_| ()),
        Object::Household => crate::people::require_household(db, actor, id).await,
        Object::Teacher => crate::teachers::require_teacher(db, actor, id, write).await,
        Object::Import => crate::importers::batch(db, actor, id).await.map(|_| ()),
        Object::Activity => crate::activities::require_activity(db, actor, id, write).await,
        Object::Enrolment => crate::attendance::require_enrolment(db, actor, id).await,
        Object::File => crate::evidence::require_file(db, actor, id).await,
        Object::Theme => crate::catalogue::require_entry(db, actor, None, id).await,
        Object::Entry => crate::catalogue::require_entry(db, actor, kind, id).await,
        Object::AccountRequest => crate::accounts::require_request(db, actor, id).await,
        Object::ScheduleRow => crate::schedule::require_row(db, actor, id, write).await,
        Object::ScheduleFile => crate::schedule::require_evidence(db, actor, id).await,
        Object::Expense => crate::funding::expense(db, actor, id).await.map(|_| ()),
        Object::Voucher => crate::funding::require_voucher(db, actor, id).await,
        Object::AwardRound => crate::commendation::require_round(db, actor, id).await,
        Object::Nomination => crate::commendation::require_nomination(db, actor, id).await,
        Object::NominationFile => crate::commendation::require_file(db, actor, id).await,
        Object::AwardCategory => {
            crate::commendation::categories::require_category(db, actor, id).await
        }
        Object::Meeting => crate::meetings::get(db, actor, id).await.map(|_| ()),
        Object::MeetingFile => crate::meetings::require_scan(db, actor, id).await,
        Object::EquipmentItem => crate::equipment::item(db, actor, id).await.map(|_| ()),
        Object::Room => crate::venues::room(db, actor, id).await.map(|_| ()),
        Object::EquipmentStandard => crate::equipment::require_standard(db, actor, id).await,
        Object::Inspection => crate::inspections::get(db, actor, id).await.map(|_| ()),
        Object::InspectionPhoto => crate::inspections::require_photo(db, actor, id).await,
        Object::Rectification => crate::inspections::rectification(db, actor, id)
            .await
            .map(|_| ()),
        Object::RectificationFile => {
            crate::inspections::require_rectification_file(db, actor, id).await
        }
        Object::Survey => crate::surveys::require_survey(db, actor, id, write).await,
    }
}
