//! spawn_app on either database, logged-in clients, and small readers of pages.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use cedu::app::App;
use cedu::config::Config;
use cedu::db::Db;
use sqlx::Connection;
use tempfile::TempDir;
use tokio::sync::{OnceCell, oneshot};

pub use cedu::demo::DEMO_PASSWORD;

/// Which database a scenario runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs each scenario — an ordinary `async fn name(b: Backend)` — as two tests, `name::sqlite` and
/// `name::postgres`: `both!(scenario_one, scenario_two);`.
#[macro_export]
macro_rules! both {
    ($($name:ident),+ $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$name($crate::helpers::Backend::Sqlite).await
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    super::$name($crate::helpers::Backend::Postgres).await
                }
            }
        )+
    };
}

/// The PostgreSQL the suite uses.
pub fn pg_url() -> String {
    std::env::var("TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

static PG_SWEPT: OnceCell<()> = OnceCell::const_new();

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Drops test schemas older than an hour (left by earlier runs), once per suite run.
async fn sweep_old_schemas() {
    PG_SWEPT
        .get_or_init(|| async {
            let mut c = sqlx::PgConnection::connect(&pg_url()).await.unwrap_or_else(|e| {
                panic!("PostgreSQL at {} is required by the test suite and could not be reached: {e}", pg_url())
            });
            let names: Vec<String> = sqlx::query_scalar("select nspname::text from pg_namespace where nspname like 'cedu_t_%'")
                .fetch_all(&mut c)
                .await
                .expect("list schemas");
            let cutoff = now_secs().saturating_sub(3600);
            for n in names {
                let ts: u64 = n.split('_').nth(2).and_then(|s| s.parse().ok()).unwrap_or(0);
                if ts < cutoff {
                    let _ = sqlx::query(&format!("drop schema if exists {n} cascade")).execute(&mut c).await;
                }
            }
        })
        .await;
}

/// A fresh, empty database of the chosen backend, and the URL that reaches it.
pub struct TestDb {
    pub url: String,
    pub dir: TempDir,
}

impl TestDb {
    pub async fn new(b: Backend) -> TestDb {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = match b {
            Backend::Sqlite => Db::sqlite_url_in(dir.path()),
            Backend::Postgres => {
                sweep_old_schemas().await;
                let schema = format!("cedu_t_{}_{}", now_secs(), rand_suffix());
                let mut c = sqlx::PgConnection::connect(&pg_url())
                    .await
                    .expect("PostgreSQL reachable");
                sqlx::query(&format!("create schema {schema}"))
                    .execute(&mut c)
                    .await
                    .expect("create schema");
                let sep = if pg_url().contains('?') { '&' } else { '?' };
                format!("{}{sep}options=-c%20search_path%3D{schema}", pg_url())
            }
        };
        TestDb { url, dir }
    }

    /// A pool on it with migrations applied.
    pub async fn connect(&self) -> Db {
        let db = Db::connect(&self.url).await.expect("connect");
        db.migrate().await.expect("migrate");
        cedu::org::ensure_root(&db).await.expect("root");
        db
    }
}

fn rand_suffix() -> String {
    use rand::Rng;
    let mut r = rand::thread_rng();
    (0..8)
        .map(|_| char::from(b'a' + r.gen_range(0..26u8)))
        .collect()
}

/// A running server on a free loopback port, with the demo towns loaded.
pub struct TestApp {
    pub base: String,
    pub db: Db,
    /// The server's check-in desk (its writer's figures).
    pub desk: Arc<cedu::attendance::CheckinDesk>,
    /// Keeps the temporary data folder alive as long as the server.
    _test_db: Arc<TestDb>,
    stop: Option<oneshot::Sender<()>>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
    }
}

/// Starts cedu on `b` with the demo data.
pub async fn spawn_app(b: Backend) -> TestApp {
    let test_db = Arc::new(TestDb::new(b).await);
    spawn_on(test_db, true).await
}

/// Starts cedu on an existing test database.
pub async fn spawn_on(test_db: Arc<TestDb>, demo: bool) -> TestApp {
    spawn_configured(test_db, demo, |_| {}).await
}

/// Server logs in the test output when `CEDU_TEST_LOG` holds a filter (e.g. `warn`), to look into a
/// failing test.
fn test_logs() {
    if let Ok(filter) = std::env::var("CEDU_TEST_LOG") {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
            .with_test_writer()
            .try_init();
    }
}

/// Starts cedu on an existing test database with some configuration changed.
pub async fn spawn_configured(
    test_db: Arc<TestDb>,
    demo: bool,
    change: impl FnOnce(&mut Config),
) -> TestApp {
    test_logs();
    let mut config = Config {
        port: 0,
        data_dir: test_db.dir.path().to_path_buf(),
        database_url: Some(test_db.url.clone()),
        ..Config::default()
    };
    change(&mut config);
    let db = Db::connect(&test_db.url).await.expect("connect");
    let app = App::build_with_db(config, db.clone(), demo)
        .await
        .expect("app builds");
    let base = format!("http://{}", app.addr);
    let desk = app.desk.clone();
    let (tx, rx) = oneshot::channel::<()>();
    tokio::spawn(app.run_until(async {
        let _ = rx.await;
    }));
    TestApp {
        base,
        db,
        desk,
        _test_db: test_db,
        stop: Some(tx),
    }
}

impl TestApp {
    /// A browser-like client: keeps cookies, does not follow redirects (tests look at them).
    pub fn client(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client")
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Signs in through the login form; panics unless it succeeds.
    pub async fn login(&self, username: &str) -> reqwest::Client {
        let c = self.client();
        let r = c
            .post(self.url("/login"))
            .form(&[
                ("username", username),
                ("password", DEMO_PASSWORD),
                ("next", "/"),
            ])
            .send()
            .await
            .expect("login request");
        assert_eq!(r.status(), 303, "login of {username} should redirect");
        c
    }

    /// The visible text of a page as a signed-in browser (`login`) reads it.
    pub async fn page_text(&self, browser: &reqwest::Client, path: &str) -> String {
        let html = browser
            .get(self.url(path))
            .send()
            .await
            .expect("page request")
            .text()
            .await
            .expect("page body");
        text_of(&html)
    }

    /// Signs in through the API and returns the bearer token.
    pub async fn token(&self, username: &str) -> String {
        let r = self
            .client()
            .post(self.url("/api/v1/auth/login"))
            .json(&serde_json::json!({"username": username, "password": DEMO_PASSWORD}))
            .send()
            .await
            .expect("api login");
        assert_eq!(r.status(), 200);
        let v: serde_json::Value = r.json().await.expect("json");
        v["token"].as_str().expect("token").to_string()
    }

    /// The CSRF token of a signed-in client's session, read from a page's hidden field.
    pub async fn csrf(&self, c: &reqwest::Client) -> String {
        let html = c
            .get(self.url("/account"))
            .send()
            .await
            .expect("account page")
            .text()
            .await
            .expect("body");
        let start = html.find("name=\"_csrf\" value=\"").expect("csrf field") + 20;
        html[start..]
            .split('"')
            .next()
            .expect("csrf value")
            .to_string()
    }

    /// The id of the active node with this exact name (demo names are unique).
    pub async fn node_id(&self, name: &str) -> i64 {
        let sql = "select id from org_nodes where name = $1 and retired_at is null";
        match &self.db {
            Db::Sqlite(p, _) => sqlx::query_scalar(sql).bind(name).fetch_one(p).await,
            Db::Postgres(p) => sqlx::query_scalar(sql).bind(name).fetch_one(p).await,
        }
        .unwrap_or_else(|e| panic!("node {name}: {e}"))
    }

    /// The URL of the server's database (to start another server process on it).
    pub fn url_of_database(&self) -> String {
        self._test_db.url.clone()
    }

    /// The server's data folder (the SQLite files).
    pub fn data_dir(&self) -> std::path::PathBuf {
        self._test_db.dir.path().to_path_buf()
    }

    /// One number from the database.
    pub async fn scalar(&self, sql: &str) -> i64 {
        match &self.db {
            Db::Sqlite(p, _) => sqlx::query_scalar(sql).fetch_one(p).await,
            Db::Postgres(p) => sqlx::query_scalar(sql).fetch_one(p).await,
        }
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    /// One text from the database.
    pub async fn text(&self, sql: &str) -> String {
        match &self.db {
            Db::Sqlite(p, _) => sqlx::query_scalar(sql).fetch_one(p).await,
            Db::Postgres(p) => sqlx::query_scalar(sql).fetch_one(p).await,
        }
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    /// A column of texts from the database.
    pub async fn texts(&self, sql: &str) -> Vec<String> {
        match &self.db {
            Db::Sqlite(p, _) => sqlx::query_scalar(sql).fetch_all(p).await,
            Db::Postgres(p) => sqlx::query_scalar(sql).fetch_all(p).await,
        }
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    /// Moves an activity in time (to be inside or outside its check-in window now).
    pub async fn set_activity_times(
        &self,
        id: i64,
        starts: chrono::DateTime<chrono::Utc>,
        ends: chrono::DateTime<chrono::Utc>,
    ) {
        let sql = "update activities set starts_at = $1, ends_at = $2 where id = $3";
        match &self.db {
            Db::Sqlite(p, _) => sqlx::query(sql)
                .bind(starts)
                .bind(ends)
                .bind(id)
                .execute(p)
                .await
                .map(|_| ()),
            Db::Postgres(p) => sqlx::query(sql)
                .bind(starts)
                .bind(ends)
                .bind(id)
                .execute(p)
                .await
                .map(|_| ()),
        }
        .expect("activity times");
    }

    /// Runs a statement directly (to set up states such as an aged session).
    pub async fn exec(&self, sql: &str) -> Result<u64, sqlx::Error> {
        match &self.db {
            Db::Sqlite(p, _) => sqlx::query(sql).execute(p).await.map(|r| r.rows_affected()),
            Db::Postgres(p) => sqlx::query(sql).execute(p).await.map(|r| r.rows_affected()),
        }
    }
}

/// The visible text of an HTML page, tags removed and whitespace folded (to assert what a person
/// reads).
pub fn text_of(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for ch in html.chars() {
        match ch {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A JSON request through the API (bearer token or none); the status and the JSON answer.
pub async fn api(
    app: &TestApp,
    method: reqwest::Method,
    token: Option<&str>,
    path: &str,
    body: Option<serde_json::Value>,
) -> (u16, serde_json::Value) {
    let mut r = app.client().request(method, app.url(path));
    if let Some(t) = token {
        r = r.bearer_auth(t);
    }
    if let Some(b) = body {
        r = r.json(&b);
    }
    let r = r.send().await.expect("request");
    (r.status().as_u16(), r.json().await.unwrap_or_default())
}

/// `POST` with a JSON body.
pub async fn api_post(
    app: &TestApp,
    token: Option<&str>,
    path: &str,
    body: serde_json::Value,
) -> (u16, serde_json::Value) {
    api(app, reqwest::Method::POST, token, path, Some(body)).await
}

/// Who a test request is from: a bearer token, or nobody (`None`, a resident's phone).
pub trait Bearer {
    fn token(&self) -> Option<&str>;
}

impl Bearer for &str {
    fn token(&self) -> Option<&str> {
        Some(self)
    }
}

impl Bearer for &String {
    fn token(&self) -> Option<&str> {
        Some(self.as_str())
    }
}

impl Bearer for Option<&str> {
    fn token(&self) -> Option<&str> {
        *self
    }
}

/// `POST` of a JSON body through the API; the status and the JSON answer.
pub async fn post(
    app: &TestApp,
    who: impl Bearer,
    path: &str,
    body: serde_json::Value,
) -> (u16, serde_json::Value) {
    api(app, reqwest::Method::POST, who.token(), path, Some(body)).await
}

/// `PUT` of a JSON body through the API.
pub async fn put(
    app: &TestApp,
    who: impl Bearer,
    path: &str,
    body: serde_json::Value,
) -> (u16, serde_json::Value) {
    api(app, reqwest::Method::PUT, who.token(), path, Some(body)).await
}

/// `GET` through the API.
pub async fn get(app: &TestApp, who: impl Bearer, path: &str) -> (u16, serde_json::Value) {
    api(app, reqwest::Method::GET, who.token(), path, None).await
}

/// An xlsx in the resident template's layout whose shared strings are replaced by `count` tiny
/// strings: a few hundred KB on disk that inflate to `count` × 17 bytes (a zip bomb of the kind a
/// spreadsheet can carry).
pub fn shared_strings_bomb(count: usize) -> Vec<u8> {
    use std::io::{Read, Write};
    let template = cedu::importers::Kind::Residents.template();
    let plain = cedu::spreadsheet::to_xlsx(&template).expect("template");
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(plain)).expect("zip");
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let deflated = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(9))
        .large_file(true);
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).expect("entry");
        let name = entry.name().expect("name").to_string();
        out.start_file(name.as_str(), deflated).expect("start");
        if name == "xl/sharedStrings.xml" {
            write!(out, r#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{count}" uniqueCount="{count}">"#).unwrap();
            let chunk = "<si><t>x</t></si>".repeat(4096);
            for _ in 0..count / 4096 {
                out.write_all(chunk.as_bytes()).unwrap();
            }
            out.write_all(b"</sst>").unwrap();
        } else {
            let mut body = Vec::new();
            entry.read_to_end(&mut body).expect("read");
            out.write_all(&body).unwrap();
        }
    }
    out.finish().expect("finish").into_inner()
}

/// The refused fields of an API answer: (field, message key), in order.
pub fn field_codes(v: &serde_json::Value) -> Vec<(String, String)> {
    v["error"]["fields"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| {
            (
                f["field"].as_str().unwrap_or("").to_string(),
                f["code"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

/// The precise reason key of a refused API answer.
pub fn reason(v: &serde_json::Value) -> &str {
    v["error"]["reason"].as_str().unwrap_or("")
}

/// Runs the futures at the same time and returns their answers in order.
pub async fn futures_join<F: std::future::Future>(fs: Vec<F>) -> Vec<F::Output> {
    let mut pinned: Vec<_> = fs.into_iter().map(Box::pin).collect();
    let mut out: Vec<Option<F::Output>> = pinned.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut done = true;
        for (f, slot) in pinned.iter_mut().zip(out.iter_mut()) {
            if slot.is_none() {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => *slot = Some(v),
                    std::task::Poll::Pending => done = false,
                }
            }
        }
        if done {
            std::task::Poll::Ready(())
        } else {
            std::task::Poll::Pending
        }
    })
    .await;
    out.into_iter().map(Option::unwrap).collect()
}
