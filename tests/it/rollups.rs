//! The roll-ups the KPIs read equal the live GROUP BY over the attendance after every kind of
//! change — QR check-ins (twenty phones at once), hand marks, a paper sheet, a mark changed to
//! absent, a cancelled activity, an erasure, a resident moved — and after a rebuild; the
//! activities' roll-up equals the activities counted live after a plan is written, moved, reviewed
//! and cancelled; on both databases, through the real server.

use serde_json::json;

use crate::both;
use crate::checkin::{code, phone_in, running};
use crate::helpers::{Backend, TestApp, futures_join, post, spawn_app};

async fn agree(app: &TestApp, after: &str) {
    let d = cedu::rollups::differences(&app.db).await.unwrap();
    assert!(d.is_empty(), "after {after}: {d:?}");
}

/// The centre's attended rows this month, as the roll-up keeps them.
async fn this_month(app: &TestApp, centre: i64) -> i64 {
    let month = cedu::rollups::month_key(chrono::Utc::now());
    app.scalar(&format!(
        "select cast(coalesce(sum(attendances), 0) as bigint) from attendance_months \
        where owner_id = {centre} and month = {month}"
    ))
    .await
}

async fn roll_ups_equal_the_live_count_after_every_kind_of_change(b: Backend) {
    let app = spawn_app(b).await;
    agree(&app, "the demo's year").await;
    let office = app.token("qunli.office").await;
    let centre = app.node_id("群力社区学习中心").await;
    let start = this_month(&app, centre).await;
    let id = running(&app, &office, "统计讲座").await;
    let qr = code(&app, &office, id).await;
    // Twenty residents scan at once: the desk's batches add them.
    let mut phones = Vec::new();
    for i in 0..20 {
        phones.push(phone_in(&app, "群力社区", i).await);
    }
    let scans = futures_join(
        phones
            .iter()
            .map(|p| {
                post(
                    &app,
                    None,
                    "/api/v1/checkin",
                    json!({"token": qr, "phone": p}),
                )
            })
            .collect(),
    )
    .await;
    assert!(scans.iter().all(|(s, _)| *s == 200), "{scans:?}");
    agree(&app, "twenty check-ins at once").await;
    assert_eq!(this_month(&app, centre).await, start + 20);
    // A hand mark for someone else, one check-in corrected to absent, a name from the paper sheet.
    let others: Vec<i64> = app
        .texts(&format!(
            "select cast(id as text) from residents where community_id = {} and erased_at is null \
            and id not in (select resident_id from attendances where activity_id = {id}) \
            order by id limit 2",
            app.node_id("群力社区").await
        ))
        .await
        .iter()
        .map(|s| s.parse().unwrap())
        .collect();
    let first = app
        .scalar(&format!(
            "select resident_id from attendances where activity_id = {id} order by id limit 1"
        ))
        .await;
    let (s, v) = post(
        &app,
        &office,
        &format!("/api/v1/activities/{id}/attendance"),
        json!({"marks": [{"resident_id": others[0], "status": "late"},
            {"resident_id": first, "status": "absent"}], "method": "staff"}),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    agree(&app, "hand marks").await;
    let (s, v) = post(
        &app,
        &office,
        &format!("/api/v1/activities/{id}/attendance"),
        json!({"marks": [{"resident_id": others[1], "status": "present"}], "method": "sheet"}),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    agree(&app, "the paper sheet").await;
    assert_eq!(
        this_month(&app, centre).await,
        start + 21,
        "20 − 1 absent + 2"
    );
    // A resident moved to another community takes the year's participation along.
    let (s, v) =
        crate::helpers::get(&app, &office, &format!("/api/v1/residents/{}", others[1])).await;
    assert_eq!(s, 200, "{v}");
    let moved = json!({"name": v["name"], "community_id": app.node_id("双河村").await});
    let (s, v) = crate::helpers::put(
        &app,
        &office,
        &format!("/api/v1/residents/{}", others[1]),
        moved,
    )
    .await;
    assert_eq!(s, 200, "{v}");
    agree(&app, "a resident moved").await;
    // An erasure keeps the attendance, anonymised: still counted.
    let (s, v) = post(
        &app,
        &office,
        &format!("/api/v1/residents/{}/erase", others[0]),
        json!({}),
    )
    .await;
    assert!((200..300).contains(&s), "{s} {v}");
    agree(&app, "an erasure").await;
    // Cancelled: none of its check-ins count any more.
    let (s, v) = post(
        &app,
        &office,
        &format!("/api/v1/activities/{id}/transition"),
        json!({"action": "cancel", "reason": "停电"}),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    agree(&app, "a cancelled activity").await;
    assert_eq!(this_month(&app, centre).await, start);
    // Counts lost (a restore of an old copy, a bug): the check sees it, a rebuild mends it.
    app.exec("delete from participation").await.unwrap();
    app.exec("update attendance_months set attendances = attendances + 1")
        .await
        .unwrap();
    let d = cedu::rollups::differences(&app.db).await.unwrap();
    assert!(!d.is_empty());
    let (months, people) = cedu::rollups::rebuild(&app.db).await.unwrap();
    assert!(months > 0 && people > 0);
    agree(&app, "a rebuild").await;
}

both!(roll_ups_equal_the_live_count_after_every_kind_of_change);

/// A centre's count in a month of the month grid (year of the month), as the API answers it.
async fn grid_count(app: &TestApp, who: &str, centre: i64, day: chrono::NaiveDate) -> i64 {
    use chrono::Datelike;
    let (s, v) = crate::helpers::get(
        app,
        who,
        &format!("/api/v1/activities/grid?year={}", day.year()),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    v["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["centre_id"].as_i64() == Some(centre))
        .map_or(0, |r| r["counts"][day.month0() as usize].as_i64().unwrap())
}

/// The activities' roll-up (what the month grid, the KPI of activities a centre a month and the
/// themes' share read) follows a plan edited to another month, centre and theme, its review and
/// its cancellation.
async fn activity_months_follow_every_write(b: Backend) {
    let app = spawn_app(b).await;
    agree(&app, "the demo's activities").await;
    let office = app.token("qunli.office").await;
    let (here, there) = (
        app.node_id("群力社区学习中心").await,
        app.node_id("双河村学习中心").await,
    );
    // Two themes of Qunli's district.
    let health = app
        .scalar("select id from themes where name = '卫生'")
        .await;
    let other = app
        .scalar(&format!(
            "select id from themes where district_id = (select district_id from themes \
            where id = {health}) and id <> {health} order by id limit 1"
        ))
        .await;
    let first = (chrono::Utc::now() + chrono::Duration::days(20)).date_naive();
    let later = first + chrono::Duration::days(45);
    let before = (
        grid_count(&app, &office, here, first).await,
        grid_count(&app, &office, there, later).await,
    );
    let plan = |owner: i64, theme: i64, day: chrono::NaiveDate| {
        json!({"title": "月度统计讲座", "owner_id": owner, "theme_id": theme,
            "date": day.to_string(), "start_time": "09:00", "end_time": "11:00"})
    };
    let (s, v) = post(
        &app,
        &office,
        "/api/v1/activities",
        plan(here, health, first),
    )
    .await;
    assert_eq!(s, 201, "{v}");
    let id = v[0]["id"].as_i64().unwrap();
    agree(&app, "a plan written").await;
    let (s, v) = crate::helpers::put(
        &app,
        &office,
        &format!("/api/v1/activities/{id}"),
        plan(there, other, later),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    agree(&app, "a plan moved to another month, centre and theme").await;
    for action in ["submit", "approve"] {
        let (s, v) = post(
            &app,
            &office,
            &format!("/api/v1/activities/{id}/transition"),
            json!({"action": action}),
        )
        .await;
        assert_eq!(s, 200, "{action}: {v}");
    }
    agree(&app, "a plan approved").await;
    // Approved, it counts in the new month of the new centre, not where it was first planned.
    assert_eq!(
        (
            grid_count(&app, &office, here, first).await,
            grid_count(&app, &office, there, later).await
        ),
        (before.0, before.1 + 1)
    );
    let (s, v) = post(
        &app,
        &office,
        &format!("/api/v1/activities/{id}/transition"),
        json!({"action": "cancel", "reason": "场地维修"}),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    agree(&app, "a plan cancelled").await;
    assert_eq!(grid_count(&app, &office, there, later).await, before.1);
}

both!(activity_months_follow_every_write);

/// The community's participants this year, as the roll-up keeps them.
async fn participants_this_year(app: &TestApp, community: i64) -> i64 {
    let year = cedu::rollups::month_key(chrono::Utc::now()) / 100;
    app.scalar(&format!(
        "select cast(coalesce(sum(participants), 0) as bigint) from participation \
        where community_id = {community} and year = {year}"
    ))
    .await
}

struct Request {
    who: Option<String>,
    path: String,
    body: serde_json::Value,
}

/// Sends the requests at the same moment; each must succeed.
async fn at_once(app: &TestApp, requests: Vec<Request>) {
    let answers = futures_join(
        requests
            .iter()
            .map(|r| post(app, r.who.as_deref(), &r.path, r.body.clone()))
            .collect(),
    )
    .await;
    for (r, (s, v)) in requests.iter().zip(&answers) {
        assert_eq!(*s, 200, "{} {}: {v}", r.path, r.body);
    }
}

/// Staff marking a resident by hand at one activity while the same resident scans the code of
/// another, both the resident's first attendance of the year: the resident is one participant, not
/// two; a mark taking a resident's only attendance away while they check in elsewhere leaves them
/// counted once.
async fn a_hand_mark_racing_a_check_in_of_the_same_resident_counts_them_once(b: Backend) {
    let app = spawn_app(b).await;
    let office = app.token("qunli.office").await;
    let community = app.node_id("群力社区").await;
    let year = cedu::rollups::month_key(chrono::Utc::now()) / 100;
    let scanned = running(&app, &office, "扫码的讲座").await;
    let marked = running(&app, &office, "点名的讲座").await;
    let later = running(&app, &office, "又一场讲座").await;
    let (qr, qr_later) = (
        code(&app, &office, scanned).await,
        code(&app, &office, later).await,
    );
    // Residents who have not taken part this year yet.
    let people: Vec<(i64, String)> = app
        .texts(&format!(
            "select cast(id as text) || ' ' || phone from residents where community_id = {community} \
            and phone is not null and erased_at is null \
            and id not in (select resident_id from participants where year = {year}) \
            order by id limit 12"
        ))
        .await
        .iter()
        .map(|s| {
            let (id, phone) = s.split_once(' ').unwrap();
            (id.parse().unwrap(), phone.to_string())
        })
        .collect();
    assert_eq!(people.len(), 12, "the demo has residents yet to take part");
    let before = participants_this_year(&app, community).await;
    let scan = |token: &str, phone: &str| Request {
        who: None,
        path: "/api/v1/checkin".into(),
        body: json!({"token": token, "phone": phone}),
    };
    let mark = |activity: i64, resident: i64, status: &str| Request {
        who: Some(office.clone()),
        path: format!("/api/v1/activities/{activity}/attendance"),
        body: json!({"marks": [{"resident_id": resident, "status": status}], "method": "staff"}),
    };
    // Eight residents: a scan at one activity and a hand mark at another, at the same moment.
    let mut requests = Vec::new();
    for (id, phone) in &people[..8] {
        requests.push(scan(&qr, phone));
        requests.push(mark(marked, *id, "present"));
    }
    at_once(&app, requests).await;
    agree(&app, "hand marks racing check-ins").await;
    assert_eq!(participants_this_year(&app, community).await, before + 8);
    // Four more scan first; then their scan is marked absent while they scan at another activity.
    for (_, phone) in &people[8..] {
        at_once(&app, vec![scan(&qr, phone)]).await;
    }
    assert_eq!(participants_this_year(&app, community).await, before + 12);
    let mut requests = Vec::new();
    for (id, phone) in &people[8..] {
        requests.push(mark(scanned, *id, "absent"));
        requests.push(scan(&qr_later, phone));
    }
    at_once(&app, requests).await;
    agree(&app, "a mark taking an attendance away racing a check-in").await;
    assert_eq!(participants_this_year(&app, community).await, before + 12);
    // And their only attendance taken away: no longer counted.
    let mut requests = Vec::new();
    for (id, _) in &people[8..] {
        requests.push(mark(later, *id, "absent"));
    }
    at_once(&app, requests).await;
    agree(&app, "their only attendance taken away").await;
    assert_eq!(participants_this_year(&app, community).await, before + 8);
}

both!(a_hand_mark_racing_a_check_in_of_the_same_resident_counts_them_once);
