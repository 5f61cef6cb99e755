//! The real binary: `serve --demo` on a free port, two servers on one PostgreSQL, backup while
//! serving, the first admin, bad configuration, and `--help`.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use crate::helpers::{Backend, DEMO_PASSWORD, TestDb};

const BIN: &str = env!("CARGO_BIN_EXE_cedu");

pub(crate) struct Server {
    pub(crate) child: Child,
    pub(crate) base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `cedu serve` with the given arguments and waits for its "listening on" line.
pub(crate) fn serve(args: &[&str]) -> Server {
    let mut child = Command::new(BIN)
        .arg("serve")
        .args(["--port", "0"])
        .args(args)
        .env("CEDU_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("cedu starts");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(url) = line.split("listening on ").nth(1) {
                let _ = tx.send(url.trim().to_string());
            }
        }
    });
    let base = rx
        .recv_timeout(Duration::from_secs(120))
        .expect("server printed its address");
    Server { child, base }
}

pub(crate) fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn run(args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    let mut c = Command::new(BIN);
    c.args(args).env("CEDU_LOG", "warn").stdin(Stdio::null());
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().expect("cedu runs")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_demo_answers_healthz_and_the_login_page_and_restarts_harmlessly() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data = data.to_str().unwrap();
    let s = serve(&["--demo", "--data-dir", data]);
    let c = client();
    let h = c.get(format!("{}/healthz", s.base)).send().await.unwrap();
    assert_eq!(h.status(), 200);
    let login = c.get(format!("{}/login", s.base)).send().await.unwrap();
    assert_eq!(login.status(), 200);
    assert!(login.text().await.unwrap().contains("登录"));
    let css = c
        .get(format!("{}/static/cedu.css", s.base))
        .send()
        .await
        .unwrap();
    assert_eq!(css.headers()["content-type"], "text/css; charset=utf-8");
    // Graceful shutdown on SIGTERM.
    let mut s = s;
    let pid = s.child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let status = s.child.wait().unwrap();
    assert!(status.success(), "clean exit on SIGTERM: {status}");
    // A second start with --demo loads nothing twice.
    let s2 = serve(&["--demo", "--data-dir", data]);
    let token: serde_json::Value = c
        .post(format!("{}/api/v1/auth/login", s2.base))
        .json(&serde_json::json!({"username": "tongnan", "password": DEMO_PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let t = token["token"].as_str().unwrap();
    let districts: serde_json::Value = c
        .get(format!("{}/api/v1/org/nodes?kind=town", s2.base))
        .bearer_auth(t)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        districts["total"], 1,
        "Tongnan still has exactly one town: {districts}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_on_one_postgresql_share_data_and_sessions() {
    let db = TestDb::new(Backend::Postgres).await;
    let a = serve(&[
        "--demo",
        "--database-url",
        &db.url,
        "--data-dir",
        db.dir.path().to_str().unwrap(),
    ]);
    let b = serve(&[
        "--database-url",
        &db.url,
        "--data-dir",
        db.dir.path().to_str().unwrap(),
    ]);
    let c = client();
    let r = c
        .post(format!("{}/login", a.base))
        .form(&[("username", "qunli.office"), ("password", DEMO_PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let cookie = r.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let on_b = reqwest::Client::new()
        .get(format!("{}/org/tree", b.base))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(on_b.status(), 200, "the session made on A is valid on B");
    assert!(on_b.text().await.unwrap().contains("群力镇"));
    // A change through B is visible through A.
    let token: serde_json::Value = c
        .post(format!("{}/api/v1/auth/login", b.base))
        .json(&serde_json::json!({"username": "qunli.office", "password": DEMO_PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let t = token["token"].as_str().unwrap_or_else(|| panic!("{token}"));
    let me = c
        .get(format!("{}/api/v1/me", a.base))
        .bearer_auth(t)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200);
    let tree: serde_json::Value = c
        .get(format!("{}/api/v1/org/tree", a.base))
        .bearer_auth(t)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let town_id = tree["node"]["id"].as_i64().unwrap();
    let made = c.post(format!("{}/api/v1/org/nodes", b.base)).bearer_auth(t)
        .json(&serde_json::json!({"parent_id": town_id, "kind": "department", "name": "退役军人服务站"})).send().await.unwrap();
    assert_eq!(made.status(), 201);
    let seen: serde_json::Value = c
        .get(format!("{}/api/v1/org/nodes?q=退役军人", a.base))
        .bearer_auth(t)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(seen["total"], 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backup_copies_the_sqlite_database_while_it_serves() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data = data.to_str().unwrap();
    let s = serve(&["--demo", "--data-dir", data]);
    let c = client();
    // Keep writing while the backup runs.
    let base = s.base.clone();
    let writer = tokio::spawn(async move {
        let c = client();
        for _ in 0..20 {
            let _ = c
                .post(format!("{base}/login"))
                .form(&[("username", "nobody"), ("password", "wrong-password")])
                .send()
                .await;
        }
    });
    let out = dir.path().join("backup.db");
    let o = run(
        &["backup", "--data-dir", data, "--out", out.to_str().unwrap()],
        &[],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    writer.await.unwrap();
    let copy = sqlx::SqlitePool::connect(&format!("sqlite://{}", out.display()))
        .await
        .unwrap();
    let nodes: i64 = sqlx::query_scalar("select count(*) from org_nodes")
        .fetch_one(&copy)
        .await
        .unwrap();
    let users: i64 = sqlx::query_scalar("select count(*) from users")
        .fetch_one(&copy)
        .await
        .unwrap();
    let check: String = sqlx::query_scalar("pragma integrity_check")
        .fetch_one(&copy)
        .await
        .unwrap();
    assert!(nodes > 30, "{nodes}");
    assert_eq!(users, cedu::demo::DEMO_LOGINS.len() as i64);
    assert_eq!(check, "ok");
    let again = run(
        &["backup", "--data-dir", data, "--out", out.to_str().unwrap()],
        &[],
    );
    assert!(
        !again.status.success(),
        "an existing backup is never overwritten"
    );
    assert!(
        c.get(format!("{}/healthz", s.base))
            .send()
            .await
            .unwrap()
            .status()
            .is_success()
    );
}

#[test]
fn the_first_admin_is_created_on_the_command_line_once() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    let weak = run(
        &[
            "admin",
            "create",
            "--data-dir",
            data,
            "--username",
            "root.admin",
        ],
        &[("CEDU_ADMIN_PASSWORD", "12345678")],
    );
    assert_eq!(weak.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&weak.stderr).contains("太常见"));
    let ok = run(
        &[
            "admin",
            "create",
            "--data-dir",
            data,
            "--username",
            "root.admin",
        ],
        &[("CEDU_ADMIN_PASSWORD", "Tongxin-Gongjin-88")],
    );
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let second = run(
        &[
            "admin",
            "create",
            "--data-dir",
            data,
            "--username",
            "other.admin",
        ],
        &[("CEDU_ADMIN_PASSWORD", "Tongxin-Gongjin-88")],
    );
    assert_eq!(second.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&second.stderr).contains("首个管理员只能在空系统中创建"));
}

#[test]
fn bad_configuration_stops_start_up_with_a_message_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("file");
    std::fs::write(&file, "x").unwrap();
    let o = run(
        &["serve", "--data-dir", file.join("sub").to_str().unwrap()],
        &[],
    );
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("data-dir") && err.contains("无法写入"),
        "{err}"
    );
    let o = run(&["serve", "--log-format", "xml"], &[]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("log-format") && err.contains("只能是"),
        "{err}"
    );
    let o = run(&["serve", "--max-body-bytes", "10"], &[]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("max-body-bytes") && err.contains("不能小于"),
        "{err}"
    );
    let o = run(&["serve", "--database-url", "mysql://localhost/x"], &[]);
    assert!(String::from_utf8_lossy(&o.stderr).contains("database-url: unknown scheme"));
    let cfg = dir.path().join("cedu.toml");
    std::fs::write(&cfg, "port = 8080\nsecret_key = \"hunter2\"\n").unwrap();
    let o = run(&["serve", "--config", cfg.to_str().unwrap()], &[]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("secret_key") && !err.contains("hunter2"),
        "{err}"
    );
}

#[test]
fn every_command_has_help() {
    for args in [
        &["--help"][..],
        &["serve", "--help"],
        &["migrate", "--help"],
        &["demo", "--help"],
        &["admin", "create", "--help"],
        &["backup", "--help"],
    ] {
        let o = run(args, &[]);
        assert!(o.status.success(), "{args:?}");
        assert!(
            String::from_utf8_lossy(&o.stdout).contains("Usage"),
            "{args:?}"
        );
    }
}

/// A data folder with the demo towns loaded (no residents).
fn demo_folder() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data").to_str().unwrap().to_string();
    let demo = run(&["demo", "--data-dir", &data, "--per-community", "0"], &[]);
    assert!(demo.status.success());
    (dir, data)
}

#[test]
fn the_command_line_imports_a_libreoffice_file_and_writes_the_error_report_beside_it() {
    let (dir, data) = demo_folder();
    let data = data.as_str();
    let file = dir.path().join("齐陵居民.xlsx");
    std::fs::copy(
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/libreoffice-residents.xlsx"
        ),
        &file,
    )
    .unwrap();
    let o = run(
        &[
            "import",
            "residents",
            file.to_str().unwrap(),
            "--town",
            "齐陵街道",
            "--yes",
            "--data-dir",
            data,
        ],
        &[],
    );
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success(),
        "{out}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        out.contains("3 行数据") && out.contains("2 行可导入") && out.contains("已导入 2 行"),
        "{out}"
    );
    let report = dir.path().join("齐陵居民.errors.xlsx");
    let sheet = cedu::spreadsheet::read(&std::fs::read(&report).unwrap(), "r.xlsx").unwrap();
    assert_eq!(sheet.rows[1][0].text(), "4");
    let unknown = run(
        &[
            "import",
            "residents",
            file.to_str().unwrap(),
            "--town",
            "不存在镇",
            "--yes",
            "--data-dir",
            data,
        ],
        &[],
    );
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("没有名为“不存在镇”的镇街"));
}

/// The SQLite check-in desk answers "checked in" only after the commit is written and the log
/// flushed: a server killed (SIGKILL) in the middle of a stream of check-ins loses none it has
/// answered.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_killed_mid_stream_keeps_every_check_in_it_answered() {
    use crate::checkin::{code, running};
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    let app = crate::helpers::spawn_app(Backend::Sqlite).await;
    let office = app.token("qunli.office").await;
    let id = running(&app, &office, "断电也不丢的签到").await;
    let qr = code(&app, &office, id).await;
    let phones: Vec<String> = app
        .texts("select phone from residents where phone is not null order by id limit 400")
        .await;
    assert_eq!(phones.len(), 400, "the demo has enough residents");
    // A second server process on the same database file, as after a restart with another build.
    let url = cedu::db::Db::sqlite_url_in(&app.data_dir());
    let mut s = serve(&["--database-url", &url]);
    let answered = Arc::new(std::sync::Mutex::new(Vec::new()));
    let count = Arc::new(AtomicUsize::new(0));
    let c = client();
    let mut tasks = Vec::new();
    for k in 0..16 {
        let (c, base, qr) = (c.clone(), s.base.clone(), qr.clone());
        let (answered, count) = (answered.clone(), count.clone());
        let mine: Vec<String> = phones.iter().skip(k).step_by(16).cloned().collect();
        tasks.push(tokio::spawn(async move {
            for p in mine {
                let Ok(r) = c
                    .post(format!("{base}/api/v1/checkin"))
                    .json(&serde_json::json!({"token": qr, "phone": p}))
                    .send()
                    .await
                else {
                    return;
                };
                let Ok(v) = r.json::<serde_json::Value>().await else {
                    return;
                };
                if v["result"] == "checked_in" {
                    answered.lock().unwrap().push(p);
                    count.fetch_add(1, Ordering::SeqCst);
                }
            }
        }));
    }
    // Pull the plug once a good share has been answered, with requests still in flight.
    while count.load(Ordering::SeqCst) < 120 {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    s.child.kill().unwrap();
    s.child.wait().unwrap();
    for t in tasks {
        t.await.unwrap();
    }
    let answered = answered.lock().unwrap().clone();
    assert!(
        answered.len() >= 120 && answered.len() < 400,
        "killed mid-stream: {}",
        answered.len()
    );
    let stored: Vec<String> = app
        .texts(&format!(
            "select r.phone from attendances a join residents r on r.id = a.resident_id where a.activity_id = {id}"
        ))
        .await;
    let missing: Vec<&String> = answered.iter().filter(|p| !stored.contains(p)).collect();
    assert!(missing.is_empty(), "answered but not stored: {missing:?}");
    let audited = app
        .scalar(&format!(
            "select count(*) from audit_log where action = 'attendance.checked_in' \
             and subject_id in (select id from attendances where activity_id = {id})"
        ))
        .await;
    assert_eq!(
        audited as usize,
        stored.len(),
        "one audit record per stored check-in"
    );
}

/// A database of its own on the test PostgreSQL (a restore replaces a whole database), dropped
/// after.
struct PgDatabase {
    url: String,
    name: String,
}

impl PgDatabase {
    async fn new() -> PgDatabase {
        use sqlx::Connection;
        let name = format!(
            "cedu_restore_{}_{}",
            std::process::id(),
            rand::random::<u32>()
        );
        let mut c = sqlx::PgConnection::connect(&crate::helpers::pg_url())
            .await
            .expect("PostgreSQL");
        sqlx::query(&format!("create database {name}"))
            .execute(&mut c)
            .await
            .expect("create database");
        let base = crate::helpers::pg_url();
        let url = match base.rsplit_once('/') {
            Some((server, _)) => format!("{server}/{name}"),
            None => panic!("{base}"),
        };
        PgDatabase { url, name }
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        let _ = Command::new("psql")
            .args([
                &crate::helpers::pg_url(),
                "-qc",
                &format!("drop database if exists {} with (force)", self.name),
            ])
            .output();
    }
}

/// Row counts of the tables a restore must bring back.
async fn counts(url: &str) -> Vec<(String, i64)> {
    let db = cedu::db::Db::connect(url).await.expect("connect");
    let mut out = Vec::new();
    for t in [
        "org_nodes",
        "users",
        "residents",
        "households",
        "teachers",
        "activities",
        "activity_files",
        "attendances",
        "audit_log",
    ] {
        let sql = format!("select count(*) from {t}");
        let n: i64 = match &db {
            cedu::db::Db::Sqlite(p, _) => sqlx::query_scalar(&sql).fetch_one(p).await,
            cedu::db::Db::Postgres(p) => sqlx::query_scalar(&sql).fetch_one(p).await,
        }
        .expect("count");
        out.push((t.to_string(), n));
    }
    db.close().await;
    out
}

/// The bytes of every stored file, in id order.
async fn file_bodies(url: &str) -> Vec<Vec<u8>> {
    let db = cedu::db::Db::connect(url).await.expect("connect");
    let sql = "select body from activity_files order by id";
    let out = match &db {
        cedu::db::Db::Sqlite(p, _) => sqlx::query_scalar(sql).fetch_all(p).await,
        cedu::db::Db::Postgres(p) => sqlx::query_scalar(sql).fetch_all(p).await,
    }
    .expect("files");
    db.close().await;
    out
}

/// Backup while serving, a change after it, then restore: refused while the server runs and for a
/// damaged copy (nothing changed), then every row and file of the backup is back and the server
/// starts on it.
async fn restore_brings_back_every_row_and_file_of_a_backup(b: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data = data.to_str().unwrap().to_string();
    let pg = match b {
        Backend::Postgres => Some(PgDatabase::new().await),
        Backend::Sqlite => None,
    };
    let url = match &pg {
        Some(p) => p.url.clone(),
        None => cedu::db::Db::sqlite_url_in(std::path::Path::new(&data)),
    };
    let mut target = vec!["--data-dir", data.as_str()];
    if let Some(p) = &pg {
        target.extend(["--database-url", p.url.as_str()]);
    }
    let with = |extra: &[&str]| -> Vec<String> {
        extra
            .iter()
            .chain(target.iter())
            .map(|s| s.to_string())
            .collect()
    };
    let args = with(&["--demo"]);
    let s = serve(&args.iter().map(String::as_str).collect::<Vec<_>>());
    let c = client();
    let token: serde_json::Value = c
        .post(format!("{}/api/v1/auth/login", s.base))
        .json(&serde_json::json!({"username": "qunli.office", "password": DEMO_PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let t = token["token"].as_str().unwrap().to_string();
    let resident = |name: &'static str, phone: &'static str| {
        let (c, base, t) = (c.clone(), s.base.clone(), t.clone());
        async move {
            let tree: serde_json::Value = c
                .get(format!("{base}/api/v1/org/nodes?q=群力社区&kind=community"))
                .bearer_auth(&t)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let community = tree["items"][0]["id"].as_i64().unwrap();
            let r = c
                .post(format!("{base}/api/v1/residents"))
                .bearer_auth(&t)
                .json(&serde_json::json!({"name": name, "community_id": community, "phone": phone}))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 201);
        }
    };
    resident("备份前居民", "13712340001").await;
    // A file: lesson material attached to a planned activity.
    let centres: serde_json::Value = c
        .get(format!(
            "{}/api/v1/org/nodes?q=群力社区学习中心&kind=centre",
            s.base
        ))
        .bearer_auth(&t)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let catalogue: serde_json::Value = c
        .get(format!("{}/api/v1/catalogue", s.base))
        .bearer_auth(&t)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let date = (chrono::Utc::now() + chrono::Duration::days(30))
        .date_naive()
        .to_string();
    let planned: serde_json::Value = c
        .post(format!("{}/api/v1/activities", s.base))
        .bearer_auth(&t)
        .json(&serde_json::json!({"title": "备份演练课", "owner_id": centres["items"][0]["id"],
            "theme_id": catalogue["themes"][0]["id"], "date": date, "start_time": "09:00", "end_time": "10:00"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let activity = planned[0]["id"]
        .as_i64()
        .unwrap_or_else(|| panic!("{planned}"));
    let material = crate::concurrency::png();
    let form = reqwest::multipart::Form::new()
        .text("kind", "material")
        .part(
            "file",
            reqwest::multipart::Part::bytes(material.clone()).file_name("教案.png"),
        );
    let r = c
        .post(format!("{}/api/v1/activities/{activity}/files", s.base))
        .bearer_auth(&t)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let copy = dir.path().join("cedu-backup.db");
    let copy_s = copy.to_str().unwrap();
    let o = run(
        &with(&["backup", "--out", copy_s])
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
        &[],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let at_backup = counts(&url).await;
    let files_at_backup = file_bodies(&url).await;
    assert_eq!(
        files_at_backup.last(),
        Some(&material),
        "the lesson material is the newest file"
    );
    resident("备份后居民", "13712340002").await;
    // Refused while the server uses the database.
    let restore = with(&["restore", "--from", copy_s]);
    let restore: Vec<&str> = restore.iter().map(String::as_str).collect();
    let o = run(&restore, &[]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("正在被 cedu 服务使用"), "{err}");
    drop(s);
    // A damaged copy is refused and changes nothing.
    let damaged = dir.path().join("damaged.db");
    let mut bytes = std::fs::read(&copy).unwrap();
    bytes.truncate(bytes.len() / 3);
    if b == Backend::Sqlite {
        // Keep the header, break the pages.
        let n = bytes.len();
        for x in &mut bytes[4096..n.min(4096 * 8)] {
            *x = 0x5a;
        }
    }
    std::fs::write(&damaged, &bytes).unwrap();
    let damaged_args = with(&["restore", "--from", damaged.to_str().unwrap()]);
    let o = run(
        &damaged_args.iter().map(String::as_str).collect::<Vec<_>>(),
        &[],
    );
    assert!(!o.status.success());
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("备份文件无法使用"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let names = counts(&url).await;
    assert_eq!(
        names.iter().find(|(t, _)| t == "residents").unwrap().1,
        at_backup.iter().find(|(t, _)| t == "residents").unwrap().1 + 1,
        "nothing changed by the refused restore"
    );
    // The restore itself.
    let o = run(&restore, &[]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(
        counts(&url).await,
        at_backup,
        "every table as it was at the backup"
    );
    assert_eq!(
        file_bodies(&url).await,
        files_at_backup,
        "the file came back byte for byte"
    );
    if b == Backend::Sqlite {
        let kept = std::fs::read_dir(&data)
            .unwrap()
            .filter_map(Result::ok)
            .any(|e| {
                e.file_name()
                    .to_string_lossy()
                    .starts_with("cedu.db.before-restore-")
            });
        assert!(kept, "the replaced database is kept beside it");
    }
    // The server starts on the restored database: the resident from before the backup is there, the
    // one from after it is not.
    let s = serve(&target);
    let token: serde_json::Value = c
        .post(format!("{}/api/v1/auth/login", s.base))
        .json(&serde_json::json!({"username": "qunli.office", "password": DEMO_PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let t = token["token"].as_str().unwrap();
    let found = |q: &'static str| {
        let (c, base) = (c.clone(), s.base.clone());
        async move {
            let v: serde_json::Value = c
                .get(format!("{base}/api/v1/residents?q={q}"))
                .bearer_auth(t)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            v["total"].as_i64().unwrap()
        }
    };
    assert_eq!(found("备份前居民").await, 1);
    assert_eq!(found("备份后居民").await, 0);
}

crate::both!(restore_brings_back_every_row_and_file_of_a_backup);

/// Peak resident memory (KB) of a `cedu` command, measured by GNU time; its output.
fn run_measured(args: &[&str]) -> (std::process::Output, u64) {
    let o = Command::new("/usr/bin/time")
        .args(["-f", "peak-rss-kb %M", BIN])
        .args(args)
        .env("CEDU_LOG", "warn")
        .stdin(Stdio::null())
        .output()
        .expect("GNU time runs cedu (.ci/run installs it)");
    let err = String::from_utf8_lossy(&o.stderr);
    let kb = err
        .lines()
        .rev()
        .find_map(|l| l.strip_prefix("peak-rss-kb "))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("no peak figure in {err}"));
    (o, kb)
}

/// A 250 KB xlsx whose shared strings inflate to 250 MB is refused before any part is parsed: the
/// import's peak memory stays near that of a small import instead of growing by the inflated size.
#[test]
fn a_spreadsheet_that_inflates_to_250_mb_is_refused_before_it_is_read() {
    let (dir, data) = demo_folder();
    let data = data.as_str();
    let bomb = dir.path().join("bomb.xlsx");
    std::fs::write(
        &bomb,
        crate::helpers::shared_strings_bomb(250 * 1024 * 1024 / 17),
    )
    .unwrap();
    let size = std::fs::metadata(&bomb).unwrap().len();
    assert!(
        size < 1024 * 1024,
        "the bomb is small on disk: {size} bytes"
    );
    let small = dir.path().join("small.xlsx");
    std::fs::copy(
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/libreoffice-residents.xlsx"
        ),
        &small,
    )
    .unwrap();
    let import = |file: &std::path::Path| {
        run_measured(&[
            "import",
            "residents",
            file.to_str().unwrap(),
            "--town",
            "群力镇",
            "--data-dir",
            data,
        ])
    };
    let (_, small_kb) = import(&small);
    let (o, bomb_kb) = import(&bomb);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("文件解压后过大"), "{err}");
    eprintln!(
        "peak memory: small import {} MB, 250 MB bomb {} MB",
        small_kb / 1024,
        bomb_kb / 1024
    );
    assert!(
        bomb_kb < small_kb + 32 * 1024,
        "bomb {bomb_kb} KB against a small import's {small_kb} KB"
    );
}

/// At the default log level the server writes one line per request — method, path, status, time
/// and request id — and never the query (a phone number may be in it) nor a resident's link token.
#[test]
fn the_server_logs_one_line_per_request_without_tokens_or_personal_data() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut child = Command::new(BIN)
        .args(["serve", "--port", "0", "--data-dir", data.to_str().unwrap()])
        .env_remove("CEDU_LOG")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("cedu starts");
    let (tx, rx) = mpsc::channel::<String>();
    for out in [
        Box::new(child.stdout.take().unwrap()) as Box<dyn std::io::Read + Send>,
        Box::new(child.stderr.take().unwrap()),
    ] {
        let tx = tx.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
    }
    let mut lines = Vec::new();
    let base = loop {
        let line = rx.recv_timeout(Duration::from_secs(120)).expect("started");
        if let Some(url) = line.split("listening on ").nth(1) {
            break url.trim().to_string();
        }
        lines.push(line);
    };
    let rt = tokio::runtime::Runtime::new().unwrap();
    let request_id = rt.block_on(async {
        let c = client();
        c.get(format!("{base}/c/SECRET-TOKEN-123"))
            .send()
            .await
            .unwrap();
        c.get(format!("{base}/people/residents?q=13912345678"))
            .send()
            .await
            .unwrap();
        let r = c.get(format!("{base}/healthz")).send().await.unwrap();
        r.headers()["x-request-id"].to_str().unwrap().to_string()
    });
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while std::time::Instant::now() < deadline {
        match rx.recv_timeout(Duration::from_millis(300)) {
            Ok(line) => lines.push(line),
            Err(_) if lines.iter().any(|l| l.contains(&request_id)) => break,
            Err(_) => {}
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    let all = lines.join("\n");
    let health: Vec<&String> = lines.iter().filter(|l| l.contains(&request_id)).collect();
    assert_eq!(health.len(), 1, "one line for the request: {all}");
    let line = health[0];
    assert!(
        line.contains("GET")
            && line.contains("/healthz")
            && line.contains("200")
            && line.contains("ms"),
        "{line}"
    );
    assert!(all.contains("/people/residents"), "{all}");
    assert!(
        !all.contains("SECRET-TOKEN-123"),
        "a link token in the log: {all}"
    );
    assert!(
        !all.contains("13912345678"),
        "a phone number in the log: {all}"
    );
}
