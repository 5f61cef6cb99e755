//! Faults of the machine under real use: the data folder's disk fills up and is freed again while
//! clerks save and residents check in. Every write is either acknowledged and kept, or refused with a
//! clear 503 "storage full" (never a 500), `/healthz` says so, and cedu recovers on its own.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::checkin::{code, running};
use crate::helpers::{Backend, TestDb, api_post, spawn_on};

/// A small filesystem of its own (tmpfs), unmounted when dropped. The test runs as root in CI
/// (`.ci/run` installs packages too); a machine that cannot mount fails the test instead of skipping.
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
    let body = json!({"name": "满盘时登记", "community_id": community, "phone": "13765550000"});
    let (s, v) = api_post(&app, Some(&office), "/api/v1/residents", body).await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (503, Some("storage_full")),
        "{v}"
    );
    // The page says it in Chinese too; pages that only read still open.
    let list = web.get(app.url("/people/residents")).send().await.unwrap();
    assert_eq!(list.status(), 200);
    let community_s = community.to_string();
    let r = web
        .post(app.url("/people/residents"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("name", "满盘页面"),
            ("community_id", &community_s),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 503);
    assert!(r.text().await.unwrap().contains("存储空间已满"));
    // Space comes back: cedu recovers by itself within seconds.
    std::fs::remove_file(filler).unwrap();
    let freed = Instant::now();
    loop {
        let health = app.client().get(app.url("/healthz")).send().await.unwrap();
        let body = json!({"name": "恢复后登记", "community_id": community, "phone": "13765550001"});
        let (s, _) = api_post(&app, Some(&office), "/api/v1/residents", body).await;
        if health.status() == 200 && s == 201 {
            break;
        }
        assert!(
            freed.elapsed() < Duration::from_secs(10),
            "not recovered 10 s after space returned: healthz {}, write {s}",
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
    for phone in &w.residents {
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
