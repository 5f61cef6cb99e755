//! QR check-in, hand-marked attendance, head counts, ratings and evidence, on both databases: what
//! a resident's phone, a centre head and the town office see, and every refusal the issue lists.

use chrono::{Duration, Utc};
use serde_json::{Value, json};

use crate::both;
use crate::helpers::{Backend, TestApp, TestDb, get, post, spawn_app, spawn_configured, text_of};

/// A published activity of 群力社区学习中心 going on right now (started 5 minutes ago).
pub(crate) async fn running(app: &TestApp, office: &str, title: &str) -> i64 {
    running_at(app, office, title, "群力社区学习中心").await
}

/// A published activity of a centre going on right now (started 5 minutes ago).
pub(crate) async fn running_at(app: &TestApp, office: &str, title: &str, centre: &str) -> i64 {
    let theme = app
        .scalar("select id from themes where name = '卫生'")
        .await;
    let date = (Utc::now() + Duration::days(20)).date_naive().to_string();
    let body = json!({"title": title, "owner_id": app.node_id(centre).await, "theme_id": theme,
        "date": date, "start_time": "09:00", "end_time": "11:00"});
    let (s, v) = post(app, Some(office), "/api/v1/activities", body).await;
    assert_eq!(s, 201, "{v}");
    let id = v[0]["id"].as_i64().unwrap();
    for action in ["submit", "approve", "publish"] {
        let (s, v) = post(
            app,
            Some(office),
            &format!("/api/v1/activities/{id}/transition"),
            json!({"action": action}),
        )
        .await;
        assert_eq!(s, 200, "{action}: {v}");
    }
    let now = Utc::now();
    app.set_activity_times(id, now - Duration::minutes(5), now + Duration::minutes(55))
        .await;
    id
}

pub(crate) async fn code(app: &TestApp, token: &str, id: i64) -> String {
    let (s, v) = get(app, token, &format!("/api/v1/activities/{id}/checkin-code")).await;
    assert_eq!(s, 200, "{v}");
    v["token"].as_str().unwrap().to_string()
}

pub(crate) async fn phone_in(app: &TestApp, community: &str, offset: i64) -> String {
    let c = app.node_id(community).await;
    app.text(&format!("select phone from residents where community_id = {c} and phone is not null order by id limit 1 offset {offset}")).await
}

async fn a_resident_checks_in_once_and_a_second_scan_answers_already(b: Backend) {
    let app = spawn_app(b).await;
    let office = app.token("qunli.office").await;
    let id = running(&app, &office, "健康讲座").await;
    let qr = code(&app, &office, id).await;
    let phone = phone_in(&app, "群力社区", 0).await;
    let (s, v) = post(
        &app,
        None,
        "/api/v1/checkin",
        json!({"token": qr, "phone": phone}),
    )
    .await;
    assert_eq!((s, v["result"].as_str()), (200, Some("checked_in")), "{v}");
    assert_eq!(v["status"], "present");
    assert_eq!(v["activity"]["title"], "健康讲座");
    // The answer names the resident masked: a fresh code and any number must not reveal a full
    // name.
    let full = app
        .text(&format!(
            "select name from residents where phone = '{phone}'"
        ))
        .await;
    let shown = v["resident_name"].as_str().unwrap();
    assert!(
        shown.contains('*') && shown != full && shown.starts_with(full.chars().next().unwrap()),
        "{shown}"
    );
    let (s, v) = post(
        &app,
        None,
        "/api/v1/checkin",
        json!({"token": qr, "phone": phone}),
    )
    .await;
    assert_eq!(
        (s, v["result"].as_str()),
        (200, Some("already_checked_in")),
        "{v}"
    );
    assert_eq!(
        app.scalar(&format!(
            "select count(*) from attendances where activity_id = {id}"
        ))
        .await,
        1
    );
    assert_eq!(
        app.scalar("select count(*) from audit_log where action = 'attendance.checked_in'")
            .await,
        1
    );
    // The audit record names the activity's place and no phone number.
    let after = app
        .text("select after_json from audit_log where action = 'attendance.checked_in'")
        .await;
    assert!(!after.contains(&phone), "{after}");
    // Staff see the check-in with the number masked.
    let (_, sheet) = get(
        &app,
        &office,
        &format!("/api/v1/activities/{id}/attendance"),
    )
    .await;
    assert_eq!(sheet["attended"], 1);
    assert!(sheet["rows"][0]["phone"].as_str().unwrap().contains("****"));
    assert_eq!(sheet["rows"][0]["method"], "qr");
}

async fn a_walk_in_gives_a_name_and_becomes_a_resident_of_the_community(b: Backend) {
    let app = spawn_app(b).await;
    let office = app.token("qunli.office").await;
    let id = running(&app, &office, "反诈宣传").await;
    let qr = code(&app, &office, id).await;
    let (s, v) = post(
        &app,
        None,
        "/api/v1/checkin",
        json!({"token": qr, "phone": "139 0000 1234"}),
    )
    .await;
    assert_eq!((s, v["result"].as_str()), (200, Some("name_needed")), "{v}");
    let community = app.node_id("群力社区").await;
    assert_eq!(v["form"]["default_community"].as_i64(), Some(community));
    let ticket = v["form"]["ticket"].as_str().unwrap().to_string();
    let (s, v) = post(
        &app,
        None,
        "/api/v1/checkin",
        json!({"token": ticket, "phone": "13900001234", "name": "𠮷祥"}),
    )
    .await;
    assert_eq!((s, v["result"].as_str()), (200, Some("checked_in")), "{v}");
    assert_eq!(app.scalar(&format!("select count(*) from residents where phone = '13900001234' and name = '𠮷祥' and community_id = {community}")).await, 1);
    assert_eq!(
        app.scalar("select count(*) from audit_log where action = 'people.walk_in_registered'")
            .await,
        1
    );
    // A bad number is a field error, nothing written.
    let (s, v) = post(
        &app,
        None,
        "/api/v1/checkin",
        json!({"token": ticket, "phone": "12345", "name": "王五"}),
    )
    .await;
    assert_eq!(
        (s, v["error"]["fields"][0]["field"].as_str()),
        (422, Some("phone")),
        "{v}"
    );
}

async fn forged_expired_early_and_cancelled_check_ins_are_refused(b: Backend) {
    let app = spawn_app(b).await;
    let office = app.token("qunli.office").await;
    let id = running(&app, &office, "科普讲座").await;
    let phone = phone_in(&app, "群力社区", 1).await;
    let qr = code(&app, &office, id).await;
    // Forged: another signature, or a code made up for another activity.
    let forged = format!("{}0", &qr[..qr.len() - 1]);
    let forged = if forged == qr {
        format!("{}1", &qr[..qr.len() - 1])
    } else {
        forged
    };
    let (s, v) = post(
        &app,
        None,
        "/api/v1/checkin",
        json!({"token": forged, "phone": phone}),
    )
    .await;
    assert_eq!(
        (s, v["error"]["reason"].as_str()),
        (400, Some("attendance.code_forged")),
        "{v}"
    );
    let (s, _) = post(
        &app,
        None,
        "/api/v1/checkin",
        json!({"token": "q.999999.1.abc", "phone": phone}),
    )
    .await;
    assert_eq!(s, 400);
    // Expired: the code shown two minutes ago (a photo sent to a friend).
    let secret = app
        .text(&format!(
            "select checkin_secret from activities where id = {id}"
        ))
        .await;
    let old = cedu::attendance::rules::qr_token(id, &secret, Utc::now() - Duration::seconds(120));
    let (s, v) = post(
        &app,
        None,
        "/api/v1/checkin",
        json!({"token": old, "phone": phone}),
    )
    .await;
    assert_eq!(
        (s, v["error"]["reason"].as_str()),
        (409, Some("attendance.code_expired")),
        "{v}"
    );
    assert!(v["error"]["message"].as_str().unwrap().contains("过期"));
    // Outside the window: an activity tomorrow.
    let later = running(&app, &office, "明天的讲座").await;
    let tomorrow = Utc::now() + Duration::days(1);
    app.set_activity_times(later, tomorrow, tomorrow + Duration::hours(1))
        .await;
    let qr_later = code(&app, &office, later).await;
    let (s, v) = post(
        &app,
        None,
        "/api/v1/checkin",
        json!({"token": qr_later, "phone": phone}),
    )
    .await;
    assert_eq!(
        (s, v["error"]["reason"].as_str()),
        (409, Some("attendance.window_not_yet")),
        "{v}"
    );
    // Cancelled after the code was shown.
    let gone = running(&app, &office, "取消的讲座").await;
    let qr_gone = code(&app, &office, gone).await;
    let (s, _) = post(
        &app,
        &office,
        &format!("/api/v1/activities/{gone}/transition"),
        json!({"action": "cancel", "reason": "暴雨"}),
    )
    .await;
    assert_eq!(s, 200);
    let (s, v) = post(
        &app,
        None,
        "/api/v1/checkin",
        json!({"token": qr_gone, "phone": phone}),
    )
    .await;
    assert_eq!(
        (s, v["error"]["reason"].as_str()),
        (409, Some("attendance.activity_cancelled")),
        "{v}"
    );
    let (s, _) = get(
        &app,
        &office,
        &format!("/api/v1/activities/{gone}/checkin-code"),
    )
    .await;
    assert_eq!(s, 409, "no code for a cancelled activity");
    assert_eq!(
        app.scalar(&format!(
            "select count(*) from attendances where activity_id in ({id}, {gone})"
        ))
        .await,
        0,
        "nothing written"
    );
}

async fn concurrent_check_ins_share_commits_and_none_is_lost_or_doubled(b: Backend) {
    let app = spawn_app(b).await;
    let office = app.token("qunli.office").await;
    let id = running(&app, &office, "全民终身学习活动周开幕").await;
    let qr = code(&app, &office, id).await;
    let c = app.node_id("群力社区").await;
    let mut phones = Vec::new();
    for k in 0..40 {
        phones.push(app.text(&format!("select phone from residents where community_id = {c} and phone is not null order by id limit 1 offset {k}")).await);
    }
    // 40 residents at once, the first five of them scanning three times each.
    let mut tasks = Vec::new();
    for (k, p) in phones.iter().enumerate() {
        for _ in 0..(if k < 5 { 3 } else { 1 }) {
            let (app_url, qr, p) = (app.url("/api/v1/checkin"), qr.clone(), p.clone());
            let client = app.client();
            tasks.push(tokio::spawn(async move {
                let r = client
                    .post(app_url)
                    .json(&json!({"token": qr, "phone": p}))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status(), 200);
                let v: Value = r.json().await.unwrap();
                v["result"].as_str().unwrap().to_string()
            }));
        }
    }
    let mut results = Vec::new();
    for t in tasks {
        results.push(t.await.unwrap());
    }
    assert_eq!(results.iter().filter(|r| *r == "checked_in").count(), 40);
    assert_eq!(
        results
            .iter()
            .filter(|r| *r == "already_checked_in")
            .count(),
        10
    );
    assert_eq!(
        app.scalar(&format!(
            "select count(*) from attendances where activity_id = {id}"
        ))
        .await,
        40
    );
    assert_eq!(
        app.scalar("select count(*) from audit_log where action = 'attendance.checked_in'")
            .await,
        40
    );
    // Every scan went through the writer (how many shared a commit depends on timing), and on
    // SQLite each commit's log was flushed before its answers went out.
    let f = app.desk.figures();
    assert_eq!(f.checkins, 50);
    assert!(f.commits >= 1 && f.commits <= f.checkins, "{f:?}");
    match b {
        Backend::Sqlite => assert_eq!(f.flushes, f.commits, "{f:?}"),
        Backend::Postgres => assert_eq!(f.flushes, 0, "{f:?}"),
    }
}

async fn staff_mark_by_hand_enter_a_paper_sheet_and_count_heads(b: Backend) {
    let app = spawn_app(b).await;
    let office = app.token("qunli.office").await;
    let id = running(&app, &office, "老年智能手机课").await;
    let c = app.node_id("群力社区").await;
    let r1 = app.scalar(&format!("select id from residents where community_id = {c} and erased_at is null order by id limit 1")).await;
    let r2 = app.scalar(&format!("select id from residents where community_id = {c} and erased_at is null order by id limit 1 offset 1")).await;
    // Enrolment closes when the activity has started; marks do not need it.
    let (s, v) = post(&app, &office, &format!("/api/v1/activities/{id}/attendance"),
        json!({"marks": [{"resident_id": r1, "status": "late"}, {"resident_id": r2, "status": "excused"}]})).await;
    assert_eq!((s, v["changed"].as_i64()), (200, Some(2)), "{v}");
    let (s, v) = post(
        &app,
        &office,
        &format!("/api/v1/activities/{id}/attendance"),
        json!({"marks": [{"resident_id": r1, "status": "sleeping"}]}),
    )
    .await;
    assert_eq!(s, 422, "{v}");
    let phone = phone_in(&app, "群力社区", 5).await;
    let (s, v) = post(
        &app,
        &office,
        &format!("/api/v1/activities/{id}/attendance/by-phone"),
        json!({"phone": phone, "status": "present", "method": "sheet"}),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    let (s, v) = post(
        &app,
        &office,
        &format!("/api/v1/activities/{id}/head-count"),
        json!({"head_count": 85}),
    )
    .await;
    assert_eq!((s, v["head_count"].as_i64()), (200, Some(85)));
    let (s, _) = post(
        &app,
        &office,
        &format!("/api/v1/activities/{id}/head-count"),
        json!({"head_count": -3}),
    )
    .await;
    assert_eq!(s, 422);
    let (_, sheet) = get(
        &app,
        &office,
        &format!("/api/v1/activities/{id}/attendance"),
    )
    .await;
    assert_eq!(
        (
            sheet["attended"].as_i64(),
            sheet["excused"].as_i64(),
            sheet["head_count"].as_i64()
        ),
        (Some(2), Some(1), Some(85))
    );
    let methods: Vec<&str> = sheet["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["method"].as_str().unwrap())
        .collect();
    assert!(methods.contains(&"sheet") && methods.contains(&"staff"));
    assert_eq!(
        app.scalar("select count(*) from audit_log where action = 'attendance.marked'")
            .await,
        3
    );
    // A centre head of Qiling cannot see, let alone mark, a Qunli activity.
    let wangqi = app.token("wangqi").await;
    let (s, _) = post(
        &app,
        &wangqi,
        &format!("/api/v1/activities/{id}/attendance"),
        json!({"marks": [{"resident_id": r1, "status": "present"}]}),
    )
    .await;
    assert_eq!(s, 404);
    // The printable sheet lists enrolled residents and blank lines.
    let web = app.login("qunli.office").await;
    let html = web
        .get(app.url(&format!("/activities/{id}/sign-in-sheet")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(text_of(&html).contains("老年智能手机课 签到表"));
    assert!(html.matches("<tr>").count() >= 31, "header and 30 lines");
}

async fn documenting_needs_attendance_and_a_photo_and_photos_lose_their_exif(b: Backend) {
    let app = spawn_app(b).await;
    let office = app.token("qunli.office").await;
    let id = running(&app, &office, "书法班").await;
    let upload = |kind: &'static str, name: &'static str, bytes: Vec<u8>| {
        let (client, url, office) = (
            app.client(),
            app.url(&format!("/api/v1/activities/{id}/files")),
            office.clone(),
        );
        async move {
            let form = reqwest::multipart::Form::new().text("kind", kind).part(
                "file",
                reqwest::multipart::Part::bytes(bytes).file_name(name),
            );
            let r = client
                .post(url)
                .bearer_auth(office)
                .multipart(form)
                .send()
                .await
                .unwrap();
            (
                r.status().as_u16(),
                r.json::<Value>().await.unwrap_or_default(),
            )
        }
    };
    let (s, v) = post(
        &app,
        &office,
        &format!("/api/v1/activities/{id}/document"),
        json!({"summary": "共 30 人参加"}),
    )
    .await;
    assert_eq!(
        (s, v["error"]["reason"].as_str()),
        (409, Some("evidence.needs_attendance")),
        "{v}"
    );
    post(
        &app,
        &office,
        &format!("/api/v1/activities/{id}/head-count"),
        json!({"head_count": 30}),
    )
    .await;
    let (s, v) = post(
        &app,
        &office,
        &format!("/api/v1/activities/{id}/document"),
        json!({"summary": "共 30 人参加"}),
    )
    .await;
    assert_eq!(
        (s, v["error"]["reason"].as_str()),
        (409, Some("evidence.needs_evidence")),
        "{v}"
    );
    // Not an image, a disguised program, and a file over 10 MB: refused, nothing stored.
    let (s, v) = upload("photo", "scan.pdf", b"%PDF-1.4 sign-in".to_vec()).await;
    assert_eq!(
        (s, v["error"]["fields"][0]["message"].as_str()),
        (422, Some("活动照片只接受 JPG 或 PNG 图片")),
        "{v}"
    );
    let (s, _) = upload(
        "photo",
        "photo.jpg",
        b"MZ\x90\x00 not really a photo".to_vec(),
    )
    .await;
    assert_eq!(s, 422);
    let (s, v) = upload("photo", "big.jpg", vec![0xFF; 11 * 1024 * 1024]).await;
    assert!(s == 413 || s == 422, "{s} {v}");
    let (s, v) = upload("photo", "huge.jpg", vec![0xFF; 50 * 1024 * 1024]).await;
    assert!(s == 413 || s == 422, "{s} {v}");
    let files = format!("select count(*) from activity_files where activity_id = {id}");
    assert_eq!(app.scalar(&files).await, 0);
    // A phone photo with GPS in its EXIF: stored without it, with a thumbnail.
    let photo = exif_photo();
    let (s, v) = upload("photo", "现场.jpg", photo).await;
    assert_eq!(s, 201, "{v}");
    assert_eq!(
        (v["file_name"].as_str(), v["has_thumbnail"].as_bool()),
        (Some("现场.jpg"), Some(true))
    );
    let file = v["id"].as_i64().unwrap();
    let body = app
        .client()
        .get(app.url(&format!("/api/v1/files/{file}")))
        .bearer_auth(&office)
        .send()
        .await
        .unwrap();
    assert_eq!(
        body.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .split(';')
            .next(),
        Some("attachment")
    );
    let bytes = body.bytes().await.unwrap();
    assert!(bytes.starts_with(&[0xFF, 0xD8]));
    assert!(
        !bytes.windows(12).any(|w| w == b"GPS 31.2304N"),
        "EXIF removed"
    );
    // Another town's staff get 404 for the file.
    let qiling = app.token("qiling.office").await;
    let r = app
        .client()
        .get(app.url(&format!("/api/v1/files/{file}")))
        .bearer_auth(&qiling)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let (s, v) = post(
        &app,
        &office,
        &format!("/api/v1/activities/{id}/document"),
        json!({"summary": "  "}),
    )
    .await;
    assert_eq!(s, 422, "a summary is required: {v}");
    let (s, v) = post(
        &app,
        &office,
        &format!("/api/v1/activities/{id}/document"),
        json!({"summary": "共 30 人参加,反响良好"}),
    )
    .await;
    assert_eq!((s, v["status"].as_str()), (200, Some("documented")), "{v}");
    assert_eq!(app.scalar(&format!("select count(*) from audit_log where action in ('activities.held', 'activities.documented', 'evidence.uploaded') and ((subject_type = 'activity' and subject_id = {id}) or (subject_type = 'activity_file' and subject_id = {file}))")).await, 3);
    // Documented: attendance is closed, the town school archives.
    let (s, _) = post(
        &app,
        &office,
        &format!("/api/v1/activities/{id}/head-count"),
        json!({"head_count": 31}),
    )
    .await;
    assert_eq!(s, 409);
    let (s, v) = post(
        &app,
        &office,
        &format!("/api/v1/activities/{id}/transition"),
        json!({"action": "archive"}),
    )
    .await;
    assert_eq!((s, v["status"].as_str()), (200, Some("archived")), "{v}");
}

async fn residents_who_attended_rate_and_their_page_shows_it(b: Backend) {
    let app = spawn_app(b).await;
    let office = app.token("qunli.office").await;
    let id = running(&app, &office, "家庭教育讲座").await;
    let qr = code(&app, &office, id).await;
    let phone = phone_in(&app, "群力社区", 2).await;
    let (_, v) = post(
        &app,
        None,
        "/api/v1/checkin",
        json!({"token": qr, "phone": phone}),
    )
    .await;
    let rating = v["rating_token"].as_str().unwrap().to_string();
    let (s, v) = post(
        &app,
        None,
        "/api/v1/ratings",
        json!({"token": rating, "score": "7"}),
    )
    .await;
    assert_eq!(
        (s, v["error"]["fields"][0]["field"].as_str()),
        (422, Some("score"))
    );
    let (s, _) = post(
        &app,
        None,
        "/api/v1/ratings",
        json!({"token": rating, "score": "5", "comment": "老师讲得很好"}),
    )
    .await;
    assert_eq!(s, 204);
    let (s, _) = post(
        &app,
        None,
        "/api/v1/ratings",
        json!({"token": rating, "score": "4", "comment": "老师讲得很好"}),
    )
    .await;
    assert_eq!(s, 204, "a second rating replaces the first");
    // A forged link, and a resident who did not attend.
    let secret = app
        .text(&format!(
            "select checkin_secret from activities where id = {id}"
        ))
        .await;
    let someone = app.scalar(&format!("select id from residents where phone <> '{phone}' and erased_at is null order by id limit 1")).await;
    let not_there = cedu::attendance::rules::rating_token(id, someone, &secret);
    let (s, v) = post(
        &app,
        None,
        "/api/v1/ratings",
        json!({"token": not_there, "score": "1"}),
    )
    .await;
    assert_eq!(
        (s, v["error"]["reason"].as_str()),
        (409, Some("attendance.rating_not_attended"))
    );
    let (s, _) = post(
        &app,
        None,
        "/api/v1/ratings",
        json!({"token": rating.replace("r.", "r.9"), "score": "1"}),
    )
    .await;
    assert_eq!(s, 400);
    let (_, summary) = get(&app, &office, &format!("/api/v1/activities/{id}/ratings")).await;
    assert_eq!(
        (summary["count"].as_i64(), summary["average"].as_f64()),
        (Some(1), Some(4.0))
    );
    assert_eq!(summary["comments"][0]["comment"], "老师讲得很好");
    // The resident's page lists the activity with the attendance and the rating.
    let resident = app
        .scalar(&format!("select id from residents where phone = '{phone}'"))
        .await;
    let web = app.login("qunli.office").await;
    let html = web
        .get(app.url(&format!("/people/residents/{resident}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let text = text_of(&html);
    assert!(
        text.contains("家庭教育讲座") && text.contains("出席") && text.contains("4 分"),
        "{text}"
    );
    // Erasure keeps the attendance and the score, drops the comment.
    let (s, _) = post(
        &app,
        &office,
        &format!("/api/v1/residents/{resident}/erase"),
        json!({}),
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(
        app.scalar(&format!(
            "select count(*) from attendances where activity_id = {id}"
        ))
        .await,
        1
    );
    assert_eq!(app.scalar(&format!("select count(*) from ratings where activity_id = {id} and comment is null and score = 4")).await, 1);
}

async fn qr_codes_and_enrolment_links_use_the_configured_public_address(b: Backend) {
    let test_db = std::sync::Arc::new(TestDb::new(b).await);
    let app = spawn_configured(test_db, true, |c| {
        c.public_url = Some("https://sq.example.gov.cn/cedu".into());
    })
    .await;
    let office = app.token("qunli.office").await;
    let id = running(&app, &office, "社区书法课").await;
    let head = app.login("qunli.centre").await;
    // The screen is opened on the server's own address; the code points phones to the public one.
    for (page, shown) in [
        ("qr", "id=\"qr-link\">https://sq.example.gov.cn/cedu/c/q."),
        ("enrol-link", "value=\"https://sq.example.gov.cn/cedu/e/"),
    ] {
        let html = head
            .get(app.url(&format!("/activities/{id}/{page}")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(html.contains(shown), "{page}: {html}");
        assert!(
            !html.contains(&app.base),
            "{page} names the address it was opened on"
        );
    }
}

async fn the_phone_pages_check_in_without_an_account(b: Backend) {
    let app = spawn_app(b).await;
    let office = app.token("qunli.office").await;
    let id = running(&app, &office, "垃圾分类宣传").await;
    // The full-screen code page of the centre head holds an SVG code and refreshes itself.
    let head = app.login("qunli.centre").await;
    let html = head
        .get(app.url(&format!("/activities/{id}/qr")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("<svg") && html.contains("http-equiv=\"refresh\""),
        "{html}"
    );
    let start = html.find("id=\"qr-link\">").unwrap() + 13;
    let link = html[start..].split('<').next().unwrap().to_string();
    let path = link
        .split_once("/c/")
        .map(|(_, t)| format!("/c/{t}"))
        .unwrap();
    let phone = app.client();
    let page = phone
        .get(app.url(&path))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(text_of(&page).contains("垃圾分类宣传"));
    let ticket_at = page.find("name=\"ticket\" value=\"").unwrap() + 21;
    let ticket = page[ticket_at..].split('"').next().unwrap().to_string();
    let number = phone_in(&app, "群力社区", 3).await;
    let r = phone
        .post(app.url("/c"))
        .form(&[("ticket", ticket.as_str()), ("phone", number.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let text = text_of(&r.text().await.unwrap());
    assert!(text.contains("签到成功"), "{text}");
    let r = phone
        .post(app.url("/c"))
        .form(&[("ticket", ticket.as_str()), ("phone", number.as_str())])
        .send()
        .await
        .unwrap();
    assert!(text_of(&r.text().await.unwrap()).contains("您已经签到过了"));
    // An unknown number is asked for a name; a broken code gets a clear page.
    let r = phone
        .post(app.url("/c"))
        .form(&[("ticket", ticket.as_str()), ("phone", "13700007777")])
        .send()
        .await
        .unwrap();
    let html = r.text().await.unwrap();
    assert!(html.contains("id=\"name\"") && text_of(&html).contains("第一次参加"));
    let r = phone.get(app.url("/c/q.1.2.3")).send().await.unwrap();
    assert_eq!(r.status(), 400);
    assert!(text_of(&r.text().await.unwrap()).contains("二维码无效"));
    // The centre head's attendance page lists the check-in.
    let html = head
        .get(app.url(&format!("/activities/{id}/attendance")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(text_of(&html).contains("扫码签到"));
}

both!(
    a_resident_checks_in_once_and_a_second_scan_answers_already,
    a_walk_in_gives_a_name_and_becomes_a_resident_of_the_community,
    forged_expired_early_and_cancelled_check_ins_are_refused,
    concurrent_check_ins_share_commits_and_none_is_lost_or_doubled,
    staff_mark_by_hand_enter_a_paper_sheet_and_count_heads,
    documenting_needs_attendance_and_a_photo_and_photos_lose_their_exif,
    residents_who_attended_rate_and_their_page_shows_it,
    qr_codes_and_enrolment_links_use_the_configured_public_address,
    the_phone_pages_check_in_without_an_account
);

/// A JPEG whose EXIF block holds a GPS-like text (as a phone writes).
fn exif_photo() -> Vec<u8> {
    let img = image::DynamicImage::new_rgb8(64, 48);
    let mut plain = Vec::new();
    img.write_to(
        &mut std::io::Cursor::new(&mut plain),
        image::ImageFormat::Jpeg,
    )
    .unwrap();
    let mut app1 = b"Exif\x00\x00MM\x00\x2a\x00\x00\x00\x08\x00\x00".to_vec();
    app1.extend_from_slice(b"GPS 31.2304N 121.4737E");
    let len = (app1.len() + 2) as u16;
    let mut out = plain[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(&app1);
    out.extend_from_slice(&plain[2..]);
    out
}

/// A number registered in another town is, at this town's check-in, a first-time visitor: the
/// answer asks for a name (it does not reveal the other town's resident, masked or not), the
/// visitor is registered in this town, and the other town's resident gets no attendance. The
/// enrolment link and staff marking by number look in the activity's town only too.
async fn a_number_from_another_town_is_a_first_time_visitor_and_reveals_nothing(b: Backend) {
    let app = spawn_app(b).await;
    let office = app.token("qunli.office").await;
    let id = running(&app, &office, "防诈骗讲座").await;
    let qr = code(&app, &office, id).await;
    let phone = phone_in(&app, "王齐村", 0).await;
    let (other, other_name) = (
        app.scalar(&format!("select id from residents where phone = '{phone}'"))
            .await,
        app.text(&format!(
            "select name from residents where phone = '{phone}'"
        ))
        .await,
    );
    let masked = cedu::people::rules::mask_name(&other_name);
    let (s, v) = post(
        &app,
        None,
        "/api/v1/checkin",
        json!({"token": qr, "phone": phone}),
    )
    .await;
    assert_eq!((s, v["result"].as_str()), (200, Some("name_needed")), "{v}");
    let answer = v.to_string();
    assert!(
        !answer.contains(&other_name) && !answer.contains(&masked),
        "{answer}"
    );
    let ticket = v["form"]["ticket"].as_str().unwrap().to_string();
    let community = app.node_id("群力社区").await;
    let body =
        json!({"token": ticket, "phone": phone, "name": "外镇来客", "community_id": community});
    let (s, v) = post(&app, None, "/api/v1/checkin", body).await;
    assert_eq!((s, v["result"].as_str()), (200, Some("checked_in")), "{v}");
    assert_eq!(
        v["resident_name"],
        cedu::people::rules::mask_name("外镇来客")
    );
    let here = app
        .scalar(&format!("select count(*) from residents where phone = '{phone}' and name = '外镇来客' and community_id = {community}"))
        .await;
    assert_eq!(here, 1, "registered in this town's register");
    assert_eq!(
        app.scalar(&format!(
            "select count(*) from attendances where resident_id = {other} and activity_id = {id}"
        ))
        .await,
        0
    );
    let (_, sheet) = get(
        &app,
        &office,
        &format!("/api/v1/activities/{id}/attendance"),
    )
    .await;
    assert!(!sheet.to_string().contains(&other_name), "{sheet}");
    // Staff marking by that town's other numbers find no one here.
    let phone2 = phone_in(&app, "王齐村", 1).await;
    let body = json!({"phone": phone2, "status": "present"});
    let (s, v) = post(
        &app,
        &office,
        &format!("/api/v1/activities/{id}/attendance/by-phone"),
        body,
    )
    .await;
    assert_eq!(
        (s, v["error"]["fields"][0]["field"].as_str()),
        (422, Some("phone")),
        "{v}"
    );
    // The enrolment link of a coming activity asks for a name too.
    let later = running(&app, &office, "明天的防诈骗讲座").await;
    let tomorrow = Utc::now() + Duration::days(1);
    app.set_activity_times(later, tomorrow, tomorrow + Duration::hours(1))
        .await;
    let (_, link) = get(
        &app,
        &office,
        &format!("/api/v1/activities/{later}/enrol-link"),
    )
    .await;
    let body = json!({"token": link["token"], "phone": phone2});
    let (s, v) = post(&app, None, "/api/v1/enrol", body).await;
    assert_eq!((s, v["result"].as_str()), (200, Some("name_needed")), "{v}");
    assert!(
        !v.to_string().contains(&cedu::people::rules::mask_name(
            &app.text(&format!(
                "select name from residents where phone = '{phone2}'"
            ))
            .await
        ))
    );
}

both!(a_number_from_another_town_is_a_first_time_visitor_and_reveals_nothing);
