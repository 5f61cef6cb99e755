//! Faults of the machine under real use: the data folder's disk fills up and is freed again while
//! clerks save and residents check in. Every write is either acknowledged and kept, or refused with
//! a clear 503 "storage full" (never a 500), `/healthz` says so, and cedu recovers on its own.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::checkin::{code, running};
use crate::helpers::{Backend, TestDb, api_post, spawn_on};

/// A small filesystem of its own (tmpfs), unmounted when dropped. The test runs as root in CI
/// (`.ci/run` installs packages too); a machine that cannot mount fails the test instead of
/// skipping.
struct SmallDisk {
    dir: PathBuf,
}

impl SmallDisk {
    fn mount(at: &Path, megabytes: u32) -> SmallDisk {
        std::fs::create_dir_all(at).unwrap();
        let out = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={megabytes}m"), "tmpfs"])
            .arg(at)
            .output()
            .expect("mount runs");
        assert!(
            out.status.success(),
            "the disk-full test mounts a small tmpfs and needs root: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        SmallDisk {
            dir: at.to_path_buf(),
        }
    }

    /// Writes a filler file until the disk is full.
    fn fill(&self) -> PathBuf {
        use std::io::Write;
        let path = self.dir.join("filler");
        let mut f = std::fs::File::create(&path).unwrap();
        let block = vec![0x5au8; 64 * 1024];
        while f.write_all(&block).is_ok() {}
        let _ = f.sync_all();
        path
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg("-l")
            .arg(&self.dir)
            .status();
    }
}

/// What a writer saw: acknowledged resident numbers and check-in phones, and any answer that was
/// neither a success nor a clear "storage full".
#[derive(Default)]
struct Seen {
    residents: Vec<String>,
    checkins: Vec<String>,
    refused_full: usize,
    wrong: Vec<String>,
}

fn judge(seen: &mut Seen, what: &str, s: u16, v: &Value) -> bool {
    if (200..300).contains(&s) {
        return true;
    }
    let clear = s == 503
        && v["error"]["code"] == "storage_full"
        && v["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("存储空间已满"))
        && v["error"]["request_id"]
            .as_str()
            .is_some_and(|r| !r.is_empty());
    if clear {
        seen.refused_full += 1;
    } else {
        seen.wrong.push(format!("{what}: {s} {v}"));
    }
    false
}

async fn the_data_folder_filling_up_answers_503_keeps_every_acknowledged_write_and_recovers() {
    let test_db = TestDb::new(Backend::Sqlite).await;
    let disk = SmallDisk::mount(&test_db.dir.path().join("small"), 48);
    let url = cedu::db::Db::sqlite_url_in(&disk.dir);
    let test_db = Arc::new(TestDb {
        url,
        dir: test_db.dir,
    });
    let app = Arc::new(spawn_on(test_db, true).await);
    let office = app.token("qunli.office").await;
    let activity = running(&app, &office, "断电演练讲座").await;
    let community = app.node_id("群力社区").await;
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (app, office, stop) = (app.clone(), office.clone(), stop.clone());
        tokio::spawn(async move {
            let mut seen = Seen::default();
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                n += 1;
                let phone = format!("1376{n:07}");
                let body = json!({"name": format!("满盘测试{n}"), "community_id": community,
                    "phone": phone, "household": format!("满盘户{n}")});
                let (s, v) = api_post(&app, Some(&office), "/api/v1/residents", body).await;
                if judge(&mut seen, "resident", s, &v) {
                    seen.residents.push(phone);
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            seen
        })
    };
    let scanner = {
        let (app, office, stop) = (app.clone(), office.clone(), stop.clone());
        tokio::spawn(async move {
            let mut seen = Seen::default();
            let phones = app
                .texts(&format!("select phone from residents where community_id = {community} and phone is not null order by id"))
                .await;
            for phone in phones {
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                let token = code(&app, &office, activity).await;
                let (s, v) = api_post(
                    &app,
                    None,
                    "/api/v1/checkin",
                    json!({"token": token, "phone": phone}),
                )
                .await;
                if judge(&mut seen, "check-in", s, &v) {
                    seen.checkins.push(phone);
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            seen
        })
    };
    let web = app.login("qunli.office").await;
    let csrf = app.csrf(&web).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let filler = disk.fill();
    // While the disk is full: a clear 503 and /healthz says why.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let health = app.client().get(app.url("/healthz")).send().await.unwrap();
    let status = health.status().as_u16();
    let body: Value = health.json().await.unwrap_or_default();
    assert_eq!(
        (status, body["storage"].as_str()),
        (503, Some("full")),
        "{body}"
    );
    // Writes that still fit in the database's free pages and its journal are saved; the first
    // that needs new disk space gets a clear 503.
    let mut saved_while_full = Vec::new();
    let mut refused = None;
    for i in 0..500 {
        let phone = format!("1376556{i:04}");
        let body = json!({"name": "满盘时登记", "community_id": community, "phone": phone});
        match api_post(&app, Some(&office), "/api/v1/residents", body).await {
            (201, _) => saved_while_full.push(phone),
            other => {
                refused = Some(other);
                break;
            }
        }
    }
    let (s, v) = refused.expect("a write is refused once the disk is full");
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (503, Some("storage_full")),
        "{v}"
    );
    // The page says it in Chinese too; pages that only read still open.
    let list = web.get(app.url("/people/residents")).send().await.unwrap();
    assert_eq!(list.status(), 200);
    let community_s = community.to_string();
    let mut page_refused = None;
    for i in 0..100 {
        let name = format!("满盘页面{i}");
        let r = web
            .post(app.url("/people/residents"))
            .form(&[
                ("_csrf", csrf.as_str()),
                ("name", name.as_str()),
                ("community_id", &community_s),
            ])
            .send()
            .await
            .unwrap();
        match r.status().as_u16() {
            303 => continue,
            s => {
                page_refused = Some((s, r.text().await.unwrap()));
                break;
            }
        }
    }
    let (s, page) = page_refused.expect("the form is refused once the disk is full");
    assert_eq!(s, 503);
    assert!(page.contains("存储空间已满"));
    // Space comes back: cedu recovers by itself within seconds (a write is accepted again, and
    // /healthz, whose probe of the disk stands for a second, says so).
    std::fs::remove_file(filler).unwrap();
    let freed = Instant::now();
    let mut written = false;
    for attempt in 0.. {
        if !written {
            let phone = format!("1376555{attempt:04}");
            let body = json!({"name": "恢复后登记", "community_id": community, "phone": phone});
            written = api_post(&app, Some(&office), "/api/v1/residents", body)
                .await
                .0
                == 201;
        }
        let health = app.client().get(app.url("/healthz")).send().await.unwrap();
        if written && health.status() == 200 {
            break;
        }
        assert!(
            freed.elapsed() < Duration::from_secs(10),
            "not recovered 10 s after space returned: healthz {}, written {written}",
            health.status()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let recovered = freed.elapsed();
    tokio::time::sleep(Duration::from_millis(800)).await;
    stop.store(true, Ordering::Relaxed);
    let (w, c) = (writer.await.unwrap(), scanner.await.unwrap());
    assert!(
        w.wrong.is_empty() && c.wrong.is_empty(),
        "answers neither saved nor a clear 503: {:#?} {:#?}",
        w.wrong,
        c.wrong
    );
    assert!(
        w.refused_full + c.refused_full > 0,
        "the disk was full for a while"
    );
    // Logins and writes of everyone work again.
    for user in ["qiling.office", "qunli.centre"] {
        app.token(user).await;
    }
    // Every acknowledged write is there.
    for phone in w.residents.iter().chain(&saved_while_full) {
        assert_eq!(
            app.scalar(&format!(
                "select count(*) from residents where phone = '{phone}'"
            ))
            .await,
            1,
            "resident {phone}"
        );
    }
    for phone in &c.checkins {
        let n = app
            .scalar(&format!("select count(*) from attendances x join residents r on r.id = x.resident_id where x.activity_id = {activity} and r.phone = '{phone}'"))
            .await;
        assert_eq!(n, 1, "check-in {phone}");
    }
    assert_eq!(app.text("pragma integrity_check").await, "ok");
    eprintln!(
        "disk full: {} residents and {} check-ins acknowledged and present, {} refused with 503, recovered {:?} after space returned",
        w.residents.len(),
        c.checkins.len(),
        w.refused_full + c.refused_full,
        recovered
    );
    drop(disk);
    drop(app);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn data_folder_fills_up_and_is_freed() {
    the_data_folder_filling_up_answers_503_keeps_every_acknowledged_write_and_recovers().await;
}

/// What the mixed writers were told was saved, by kind: the key that finds the row again.
#[derive(Default)]
struct Acknowledged {
    residents: Vec<String>,
    households: Vec<String>,
    activities: Vec<String>,
    marks: Vec<String>,
    uploads: Vec<i64>,
    checkins: Vec<String>,
}

impl Acknowledged {
    fn total(&self) -> usize {
        self.residents.len()
            + self.households.len()
            + self.activities.len()
            + self.marks.len()
            + self.uploads.len()
            + self.checkins.len()
    }
}

/// Six clients write residents, households, activities, attendance marks, photos and QR check-ins
/// through a real `cedu serve` until it is killed with SIGKILL; the kinds of write that got an
/// answer are all present afterwards, each with its audit record.
async fn a_server_killed_during_mixed_writes_keeps_every_acknowledged_write(b: Backend) {
    use std::sync::Mutex;
    let app = crate::helpers::spawn_app(b).await;
    let office = app.token("qunli.office").await;
    let head = app.token("qunli.centre").await;
    let activity = running(&app, &office, "拔电源演练").await;
    let qr = code(&app, &office, activity).await;
    let community = app.node_id("群力社区").await;
    let centre = app.node_id("群力社区学习中心").await;
    let theme = app
        .scalar("select id from themes where name = '卫生'")
        .await;
    let phones = app
        .texts(&format!("select phone from residents where community_id = {community} and phone is not null order by id"))
        .await;
    let half = phones.len() / 2;
    let (mark_phones, scan_phones) = (phones[..half].to_vec(), phones[half..].to_vec());
    let url = app.url_of_database();
    let server = crate::binary::serve(&[
        "--database-url",
        &url,
        "--data-dir",
        app.data_dir().to_str().unwrap(),
    ]);
    let base = server.base.clone();
    let acked = Arc::new(Mutex::new(Acknowledged::default()));
    let c = crate::binary::client();
    let date = (chrono::Utc::now() + chrono::Duration::days(30))
        .date_naive()
        .to_string();
    let mut tasks = Vec::new();
    for kind in 0..6 {
        let (c, base, acked, office, head, qr, date) = (
            c.clone(),
            base.clone(),
            acked.clone(),
            office.clone(),
            head.clone(),
            qr.clone(),
            date.clone(),
        );
        let (mark_phones, scan_phones) = (mark_phones.clone(), scan_phones.clone());
        tasks.push(tokio::spawn(async move {
            for n in 0..400usize {
                let send = |path: String, token: Option<&str>, body: Value| {
                    let mut r = c.post(format!("{base}{path}")).json(&body);
                    if let Some(t) = token {
                        r = r.bearer_auth(t);
                    }
                    r.send()
                };
                let sent = match kind {
                    0 => send("/api/v1/residents".into(), Some(&office),
                        json!({"name": format!("断电居民{n}"), "community_id": community, "phone": format!("1375{n:07}")})).await,
                    1 => send("/api/v1/households".into(), Some(&head),
                        json!({"community_id": community, "name": format!("断电户{n}")})).await,
                    2 => send("/api/v1/activities".into(), Some(&office),
                        json!({
                            "title": format!("断电活动{n}"),
                            "owner_id": centre,
                            "theme_id": theme,
                            "date": date,
                            "start_time": "09:00",
                            "end_time": "10:00",
                        })).await,
                    3 => {
                        let Some(p) = mark_phones.get(n) else { return };
                        send(format!("/api/v1/activities/{activity}/attendance/by-phone"), Some(&head),
                            json!({"phone": p, "status": "present"})).await
                    }
                    4 => {
                        let form = reqwest::multipart::Form::new().text("kind", "photo").part(
                            "file",
                            reqwest::multipart::Part::bytes(crate::concurrency::png()).file_name("现场.png"),
                        );
                        c.post(format!("{base}/api/v1/activities/{activity}/files")).bearer_auth(&office).multipart(form).send().await
                    }
                    _ => {
                        let Some(p) = scan_phones.get(n) else { return };
                        send("/api/v1/checkin".into(), None, json!({"token": qr, "phone": p})).await
                    }
                };
                let Ok(r) = sent else { return };
                let ok = r.status().is_success();
                let Ok(v) = r.json::<Value>().await else { return };
                if !ok {
                    continue;
                }
                let mut a = acked.lock().unwrap();
                match kind {
                    0 => a.residents.push(format!("1375{n:07}")),
                    1 => a.households.push(format!("断电户{n}")),
                    2 => a.activities.push(format!("断电活动{n}")),
                    3 => a.marks.push(mark_phones[n].clone()),
                    4 => a.uploads.push(v["id"].as_i64().unwrap_or_default()),
                    _ if v["result"] == "checked_in" => a.checkins.push(scan_phones[n].clone()),
                    _ => {}
                }
            }
        }));
    }
    // Pull the plug with every kind of write in flight.
    let started = Instant::now();
    loop {
        let (total, kinds) = {
            let a = acked.lock().unwrap();
            let kinds = [
                a.residents.len(),
                a.households.len(),
                a.activities.len(),
                a.marks.len(),
                a.uploads.len(),
                a.checkins.len(),
            ];
            (a.total(), kinds)
        };
        if total >= 90 && kinds.iter().all(|k| *k >= 5) {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "writes too slow: {kinds:?}"
        );
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let mut server = server;
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    for t in tasks {
        t.await.unwrap();
    }
    let a = std::mem::take(&mut *acked.lock().unwrap());
    let present = |sql: String| {
        let app = &app;
        async move { app.scalar(&sql).await }
    };
    for p in &a.residents {
        let n = present(format!("select count(*) from residents r where phone = '{p}' and exists \
            (select 1 from audit_log l where l.action = 'people.resident_created' and l.subject_id = r.id)")).await;
        assert_eq!(n, 1, "resident {p}");
    }
    for h in &a.households {
        let n = present(format!("select count(*) from households h where name = '{h}' and exists \
            (select 1 from audit_log l where l.action = 'people.household_created' and l.subject_id = h.id)")).await;
        assert_eq!(n, 1, "household {h}");
    }
    for t in &a.activities {
        let n = present(format!("select count(*) from activities x where title = '{t}' and exists \
            (select 1 from audit_log l where l.action = 'activities.planned' and l.subject_id = x.id)")).await;
        assert_eq!(n, 1, "activity {t}");
    }
    for p in &a.marks {
        let n = present(format!(
            "select count(*) from attendances x join residents r on r.id = x.resident_id \
            where x.activity_id = {activity} and r.phone = '{p}' and x.method = 'staff'"
        ))
        .await;
        assert_eq!(n, 1, "mark {p}");
    }
    for f in &a.uploads {
        let n = present(format!("select count(*) from activity_files f where id = {f} and exists \
            (select 1 from audit_log l where l.action = 'evidence.uploaded' and l.subject_id = f.id)")).await;
        assert_eq!(n, 1, "upload {f}");
    }
    for p in &a.checkins {
        let n = present(format!("select count(*) from attendances x join residents r on r.id = x.resident_id \
            where x.activity_id = {activity} and r.phone = '{p}' and x.method = 'qr' and exists \
            (select 1 from audit_log l where l.action = 'attendance.checked_in' and l.subject_id = x.id)")).await;
        assert_eq!(n, 1, "check-in {p}");
    }
    eprintln!(
        "kill -9 ({b:?}): {} writes acknowledged before the kill ({} residents, {} households, {} activities, {} marks, {} photos, {} check-ins), all present",
        a.total(),
        a.residents.len(),
        a.households.len(),
        a.activities.len(),
        a.marks.len(),
        a.uploads.len(),
        a.checkins.len()
    );
}

crate::both!(a_server_killed_during_mixed_writes_keeps_every_acknowledged_write);

/// A PostgreSQL server of the test's own (initdb in a temporary folder, as the `postgres` user), so
/// it can be restarted under load without disturbing the suite's shared server.
struct PrivatePostgres {
    dir: tempfile::TempDir,
    bin: PathBuf,
    port: u16,
}

impl PrivatePostgres {
    fn as_postgres(&self, program: &str, args: &[&str]) -> std::process::Output {
        let out = std::process::Command::new("runuser")
            .args(["-u", "postgres", "--"])
            .arg(self.bin.join(program))
            .args(args)
            .output()
            .expect("runuser runs PostgreSQL's tools");
        assert!(
            out.status.success(),
            "{program} {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }

    fn data(&self) -> String {
        self.dir.path().join("data").display().to_string()
    }

    fn start() -> PrivatePostgres {
        let bin = std::fs::read_dir("/usr/lib/postgresql")
            .expect("Debian's PostgreSQL is installed")
            .filter_map(Result::ok)
            .map(|e| e.path().join("bin"))
            .find(|p| p.join("initdb").exists())
            .expect("initdb");
        let dir = tempfile::tempdir().unwrap();
        let ok = std::process::Command::new("chown")
            .args(["postgres:postgres"])
            .arg(dir.path())
            .status()
            .unwrap();
        assert!(ok.success());
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let pg = PrivatePostgres { dir, bin, port };
        pg.as_postgres(
            "initdb",
            &[
                "-D",
                &pg.data(),
                "-A",
                "trust",
                "-U",
                "postgres",
                "--no-sync",
            ],
        );
        pg.pg_ctl(&["start"]);
        pg
    }

    fn pg_ctl(&self, args: &[&str]) {
        let log = self.dir.path().join("log").display().to_string();
        let opts = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1",
            self.port,
            self.dir.path().display()
        );
        let data = self.data();
        let mut all = vec!["-D", &data, "-l", &log, "-o", &opts, "-w"];
        all.extend_from_slice(args);
        self.as_postgres("pg_ctl", &all);
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }
}

impl Drop for PrivatePostgres {
    fn drop(&mut self) {
        let _ = std::process::Command::new("runuser")
            .args(["-u", "postgres", "--"])
            .arg(self.bin.join("pg_ctl"))
            .args(["-D", &self.data(), "-m", "immediate", "stop"])
            .output();
    }
}

/// PostgreSQL crashes and restarts while clerks save and residents check in: during the outage
/// writes get a clear 503 (never a 500) and /healthz says unavailable; the server reconnects by
/// itself and every acknowledged write is present.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgresql_restarted_under_load_reconnects_and_keeps_every_acknowledged_write() {
    let pg = PrivatePostgres::start();
    let dir = tempfile::tempdir().unwrap();
    let test_db = Arc::new(TestDb { url: pg.url(), dir });
    let app = Arc::new(spawn_on(test_db, true).await);
    let office = app.token("qunli.office").await;
    let activity = running(&app, &office, "重启演练讲座").await;
    let qr = code(&app, &office, activity).await;
    let community = app.node_id("群力社区").await;
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (app, office, stop) = (app.clone(), office.clone(), stop.clone());
        tokio::spawn(async move {
            let (mut acked, mut refused, mut wrong) = (Vec::new(), 0, Vec::new());
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                n += 1;
                let phone = format!("1374{n:07}");
                let body = json!({"name": format!("重启居民{n}"), "community_id": community, "phone": phone});
                let (s, v) = api_post(&app, Some(&office), "/api/v1/residents", body).await;
                match s {
                    201 => acked.push(phone),
                    503 if v["error"]["code"] == "unavailable" => refused += 1,
                    _ => wrong.push(format!("{s} {v}")),
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            (acked, refused, wrong)
        })
    };
    let scanner = {
        let (app, stop, qr) = (app.clone(), stop.clone(), qr.clone());
        tokio::spawn(async move {
            let phones = app
                .texts(&format!("select phone from residents where community_id = {community} and phone is not null order by id"))
                .await;
            let (mut acked, mut refused, mut wrong) = (Vec::new(), 0, Vec::new());
            for phone in phones {
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                let (s, v) = api_post(
                    &app,
                    None,
                    "/api/v1/checkin",
                    json!({"token": qr, "phone": phone}),
                )
                .await;
                match s {
                    200 if v["result"] == "checked_in" => acked.push(phone),
                    200 => {}
                    503 if v["error"]["code"] == "unavailable" => refused += 1,
                    _ => wrong.push(format!("{s} {v}")),
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            (acked, refused, wrong)
        })
    };
    tokio::time::sleep(Duration::from_millis(700)).await;
    // An administrator's restart (connections are told "terminating connection"), then a crash
    // (immediate stop: no checkpoint, recovery from the log) and a start.
    pg.pg_ctl(&["-m", "fast", "restart"]);
    tokio::time::sleep(Duration::from_millis(700)).await;
    pg.pg_ctl(&["-m", "immediate", "stop"]);
    let health = app.client().get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 503, "healthz while PostgreSQL is down");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    pg.pg_ctl(&["start"]);
    let back = Instant::now();
    loop {
        let body = json!({"name": "重启后登记", "community_id": community, "phone": "13745550001"});
        let (s, _) = api_post(&app, Some(&office), "/api/v1/residents", body).await;
        let health = app
            .client()
            .get(app.url("/healthz"))
            .send()
            .await
            .unwrap()
            .status();
        if s == 201 && health == 200 {
            break;
        }
        assert!(
            back.elapsed() < Duration::from_secs(15),
            "no reconnection 15 s after PostgreSQL came back: {s} {health}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let reconnected = back.elapsed();
    tokio::time::sleep(Duration::from_millis(700)).await;
    stop.store(true, Ordering::Relaxed);
    let (w, c) = (writer.await.unwrap(), scanner.await.unwrap());
    assert!(
        w.2.is_empty() && c.2.is_empty(),
        "answers neither saved nor a clear 503: {:#?} {:#?}",
        w.2,
        c.2
    );
    assert!(w.1 + c.1 > 0, "some writes met the outage");
    for phone in &w.0 {
        assert_eq!(
            app.scalar(&format!(
                "select count(*) from residents where phone = '{phone}'"
            ))
            .await,
            1,
            "resident {phone}"
        );
    }
    for phone in &c.0 {
        let n = app
            .scalar(&format!("select count(*) from attendances x join residents r on r.id = x.resident_id where x.activity_id = {activity} and r.phone = '{phone}'"))
            .await;
        assert_eq!(n, 1, "check-in {phone}");
    }
    eprintln!(
        "PostgreSQL restart: {} residents and {} check-ins acknowledged and present, {} refused with 503 during the outage, writes again {:?} after it was back",
        w.0.len(),
        c.0.len(),
        w.1 + c.1,
        reconnected
    );
}
