//! The canary: a distinctive resident, teacher, activity, file and rating in 群力社区 of 群力镇; then
//! every page, API list and detail and export is crawled as each account of the other town (Qiling,
//! another district) and as the head of a sibling centre of the same town. Not one byte of the
//! canary — full, masked or URL-encoded, inside spreadsheets too — may appear in any answer.

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::io::Read;

use serde_json::{Value, json};

use crate::both;
use crate::checkin::{code, running};
use crate::helpers::{Backend, TestApp, api_post, spawn_app};

const RESIDENT: &str = "蔺金丝雀";
const PHONE: &str = "16612349876";
const TEACHER: &str = "瞿金丝雀老师";
const TEACHER_PHONE: &str = "16612345432";
const ACTIVITY: &str = "金丝雀专题讲座";
const FILE: &str = "金丝雀现场照片.png";
const COMMENT: &str = "金丝雀的评价很独特";

/// Every form the canary may take in an answer.
fn needles() -> Vec<(String, &'static str)> {
    let mask = cedu::people::rules::mask_name;
    let phone = cedu::people::rules::mask_phone;
    let url = |s: &str| {
        percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
    };
    let mut out = Vec::new();
    for (s, what) in [
        (RESIDENT, "resident"),
        (TEACHER, "teacher"),
        (ACTIVITY, "activity"),
        (FILE, "file"),
        (COMMENT, "rating"),
    ] {
        out.push((s.to_string(), what));
        out.push((url(s), what));
        out.push((url(s).to_lowercase(), what));
    }
    for (s, what) in [(RESIDENT, "resident masked"), (TEACHER, "teacher masked")] {
        out.push((mask(s), what));
    }
    for (p, what) in [(PHONE, "resident phone"), (TEACHER_PHONE, "teacher phone")] {
        out.push((p.to_string(), what));
        out.push((phone(p), what));
    }
    out
}

/// The text of an answer; a spreadsheet is unpacked first (its cells are compressed inside).
fn readable(content_type: &str, body: &[u8]) -> String {
    if body.starts_with(b"PK\x03\x04") || content_type.contains("spreadsheet") {
        let mut text = String::new();
        if let Ok(mut zip) = zip::ZipArchive::new(std::io::Cursor::new(body)) {
            for i in 0..zip.len() {
                if let Ok(mut f) = zip.by_index(i) {
                    let _ = f.read_to_string(&mut text);
                }
            }
        }
        return text;
    }
    String::from_utf8_lossy(body).into_owned()
}

/// The canary's records, planted through the API as 群力镇's office, its centre head and a resident.
async fn plant(app: &TestApp) -> HashMap<&'static str, i64> {
    let office = app.token("qunli.office").await;
    let community = app.node_id("群力社区").await;
    let centre = app.node_id("群力社区学习中心").await;
    let mut ids = HashMap::new();
    let (s, r) = api_post(app, Some(&office), "/api/v1/residents",
        json!({"name": RESIDENT, "community_id": community, "phone": PHONE, "household": "金丝雀之家"})).await;
    assert_eq!(s, 201, "{r}");
    ids.insert("resident", r["id"].as_i64().unwrap());
    ids.insert("household", r["household_id"].as_i64().unwrap());
    let (s, t) = api_post(
        app,
        Some(&office),
        "/api/v1/teachers",
        json!({"name": TEACHER, "node_id": centre,
        "teacher_type": "part_time", "source": "capable_local", "phone": TEACHER_PHONE}),
    )
    .await;
    assert_eq!(s, 201, "{t}");
    ids.insert("teacher", t["id"].as_i64().unwrap());
    let activity = running(app, &office, ACTIVITY).await;
    ids.insert("activity", activity);
    let form = reqwest::multipart::Form::new().text("kind", "photo").part(
        "file",
        reqwest::multipart::Part::bytes(crate::concurrency::png()).file_name(FILE),
    );
    let r = app
        .client()
        .post(app.url(&format!("/api/v1/activities/{activity}/files")))
        .bearer_auth(&office)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    ids.insert(
        "file",
        r.json::<Value>().await.unwrap()["id"].as_i64().unwrap(),
    );
    let qr = code(app, &office, activity).await;
    let (_, v) = api_post(
        app,
        None,
        "/api/v1/checkin",
        json!({"token": qr, "phone": PHONE}),
    )
    .await;
    assert_eq!(v["result"], "checked_in", "{v}");
    let rating = json!({"token": v["rating_token"], "score": "5", "comment": COMMENT});
    let (s, v) = api_post(app, None, "/api/v1/ratings", rating).await;
    assert_eq!(s, 204, "{v}");
    ids
}

/// One account crawling: every GET route of the table with the canary's ids (and a search for it),
/// then every link of every page it reaches.
async fn crawl(
    app: &TestApp,
    user: &str,
    ids: &HashMap<&'static str, i64>,
) -> (usize, Vec<String>) {
    let web = app.login(user).await;
    let token = app.token(user).await;
    let mut queue: VecDeque<String> = VecDeque::new();
    for route in cedu::web::route_rules() {
        if route.method != reqwest::Method::GET || route.path.contains("{token}") {
            continue;
        }
        let path = route.path.replace("{kind}", "residents");
        if path.contains("{id}") {
            for id in ids.values() {
                queue.push_back(path.replace("{id}", &id.to_string()));
            }
        } else {
            queue.push_back(path.clone());
            for q in [
                "?q=金丝雀",
                "?q=蔺",
                "?q=166",
                "?per_page=200",
                "?year=2026",
            ] {
                queue.push_back(format!("{path}{q}"));
            }
        }
    }
    let needles = needles();
    let mut seen = BTreeSet::new();
    let mut leaks = Vec::new();
    let mut requests = 0;
    while let Some(path) = queue.pop_front() {
        if !seen.insert(path.clone()) || seen.len() > 1500 {
            continue;
        }
        let req = if path.starts_with("/api/") {
            app.client().get(app.url(&path)).bearer_auth(&token)
        } else {
            web.get(app.url(&path))
        };
        let Ok(r) = req.send().await else { continue };
        requests += 1;
        let content_type = r
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let body = r.bytes().await.unwrap_or_default();
        let text = readable(&content_type, &body);
        for (needle, what) in &needles {
            if text.contains(needle.as_str()) {
                leaks.push(format!("{user} {path}: the canary's {what} ({needle})"));
            }
        }
        if content_type.starts_with("text/html") {
            for link in text
                .split("href=\"")
                .skip(1)
                .filter_map(|s| s.split('"').next())
            {
                let link = link.replace("&amp;", "&");
                if link.starts_with('/') && !link.starts_with("//") && !link.starts_with("/static/")
                {
                    queue.push_back(link);
                }
            }
        }
    }
    (requests, leaks)
}

async fn no_byte_of_another_towns_canary_reaches_any_page_api_or_export(b: Backend) {
    let app = spawn_app(b).await;
    let ids = plant(&app).await;
    // The head of a sibling centre of the same town (双河村).
    let office = app.token("qunli.office").await;
    let shuanghe = app.node_id("双河村学习中心").await;
    let (s, v) = api_post(
        &app,
        Some(&office),
        "/api/v1/users",
        json!({"username": "shuanghe.head",
        "display_name": "双河村学习中心负责人", "role": "centre_head", "node_id": shuanghe,
        "password": crate::helpers::DEMO_PASSWORD}),
    )
    .await;
    assert_eq!(s, 201, "{v}");
    let mut total = 0;
    let mut leaks = Vec::new();
    for user in [
        "linzi",
        "qiling.office",
        "wangqi",
        "xuejia",
        "shuanghe.head",
    ] {
        let (n, found) = crawl(&app, user, &ids).await;
        total += n;
        leaks.extend(found);
    }
    assert!(leaks.is_empty(), "the canary leaked:\n{}", leaks.join("\n"));
    // The crawl is not blind: the town's own office finds the canary where it should.
    let (_, own) = crawl(&app, "qunli.office", &ids).await;
    for what in [
        "resident (",
        "resident phone (166****",
        "teacher (",
        "activity (",
        "file (",
        "rating (",
    ] {
        assert!(
            own.iter().any(|l| l.contains(what)),
            "the town's own office finds the canary's {what}"
        );
    }
    eprintln!(
        "canary ({b:?}): {total} requests as 5 accounts of the other town and a sibling centre, 0 leaks"
    );
}

both!(no_byte_of_another_towns_canary_reaches_any_page_api_or_export);
