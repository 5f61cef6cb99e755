//! Enrolment with capacity and waiting list, on both databases, including two people taking the
//! last seat at once.

use chrono::{Duration, Utc};
use serde_json::{Value, json};

use crate::both;
use crate::checkin::phone_in;
use crate::helpers::{Backend, TestApp, get, post, spawn_app, text_of};

/// A published activity of 双河村学习中心 with this capacity.
async fn published(app: &TestApp, token: &str, capacity: i64) -> i64 {
    let theme = app
        .scalar("select id from themes where name = '卫生'")
        .await;
    let date = (Utc::now() + Duration::days(20)).date_naive().to_string();
    let body = json!({"title": "家庭护理培训", "owner_id": app.node_id("双河村学习中心").await, "theme_id": theme,
        "date": date, "start_time": "09:00", "end_time": "10:00", "capacity": capacity.to_string()});
    let (s, v) = post(app, token, "/api/v1/activities", body).await;
    assert_eq!(s, 201, "{v}");
    let id = v[0]["id"].as_i64().unwrap();
    for action in ["submit", "approve", "publish"] {
        let (s, v) = post(
            app,
            token,
            &format!("/api/v1/activities/{id}/transition"),
            json!({"action": action}),
        )
        .await;
        assert_eq!(s, 200, "{action}: {v}");
    }
    id
}

async fn residents(app: &TestApp, community: &str, n: i64) -> Vec<i64> {
    let c = app.node_id(community).await;
    let mut out = Vec::new();
    for k in 0..n {
        out.push(app.scalar(&format!("select id from residents where community_id = {c} and erased_at is null order by id limit 1 offset {k}")).await);
    }
    out
}

async fn beyond_capacity_residents_wait_and_a_cancellation_moves_the_first_up(b: Backend) {
    let app = spawn_app(b).await;
    let office = app.token("qunli.office").await;
    let id = published(&app, &office, 2).await;
    let people = residents(&app, "双河村", 3).await;
    let mut statuses = Vec::new();
    let mut ids = Vec::new();
    for r in &people {
        let (s, v) = post(
            &app,
            &office,
            &format!("/api/v1/activities/{id}/enrolments"),
            json!({"resident_id": r}),
        )
        .await;
        assert_eq!(s, 201, "{v}");
        statuses.push(v["status"].as_str().unwrap().to_string());
        ids.push(v["id"].as_i64().unwrap());
    }
    assert_eq!(statuses, vec!["enrolled", "enrolled", "waiting"]);
    let (s, v) = post(
        &app,
        &office,
        &format!("/api/v1/activities/{id}/enrolments"),
        json!({"resident_id": people[0]}),
    )
    .await;
    assert_eq!(
        (s, v["error"]["message"].as_str()),
        (409, Some("该居民已报名(或在候补名单中)"))
    );
    let (s, v) = post(
        &app,
        &office,
        &format!("/api/v1/enrolments/{}/cancel", ids[0]),
        json!({}),
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(v["promoted"]["id"].as_i64(), Some(ids[2]));
    assert_eq!(v["promoted"]["status"], "enrolled");
    let list: Value = app
        .client()
        .get(app.url(&format!("/api/v1/activities/{id}/enrolments")))
        .bearer_auth(&office)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let statuses: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, vec!["enrolled", "enrolled"]);
    assert!(list[0]["phone"].as_str().is_none_or(|p| p.contains("****")));
    assert_eq!(
        app.scalar("select count(*) from audit_log where action = 'attendance.promoted'")
            .await,
        1
    );
    let (s, _) = post(
        &app,
        &office,
        &format!("/api/v1/enrolments/{}/cancel", ids[0]),
        json!({}),
    )
    .await;
    assert_eq!(s, 409, "already cancelled");
    // The cancelled resident may enrol again (and now waits, the activity being full).
    let (s, v) = post(
        &app,
        &office,
        &format!("/api/v1/activities/{id}/enrolments"),
        json!({"resident_id": people[0]}),
    )
    .await;
    assert_eq!((s, v["status"].as_str()), (201, Some("waiting")));
}

async fn two_people_taking_the_last_seat_at_once_get_one_seat(b: Backend) {
    let app = spawn_app(b).await;
    let office = app.token("qunli.office").await;
    let people = residents(&app, "双河村", 10).await;
    for round in 0..5 {
        let id = published(&app, &office, 1).await;
        let (a, c) = (people[round * 2], people[round * 2 + 1]);
        let path = format!("/api/v1/activities/{id}/enrolments");
        let (first, second) = tokio::join!(
            post(&app, &office, &path, json!({"resident_id": a})),
            post(&app, &office, &path, json!({"resident_id": c}))
        );
        assert_eq!((first.0, second.0), (201, 201), "{first:?} {second:?}");
        let mut got = vec![
            first.1["status"].as_str().unwrap().to_string(),
            second.1["status"].as_str().unwrap().to_string(),
        ];
        got.sort();
        assert_eq!(got, vec!["enrolled", "waiting"], "round {round}");
        assert_eq!(
            app.scalar(&format!(
                "select count(*) from enrolments where activity_id = {id} and status = 'enrolled'"
            ))
            .await,
            1
        );
    }
}

async fn enrolment_needs_a_published_activity_and_a_resident_in_scope(b: Backend) {
    let app = spawn_app(b).await;
    let office = app.token("qunli.office").await;
    let theme = app
        .scalar("select id from themes where name = '文体'")
        .await;
    let date = (Utc::now() + Duration::days(20)).date_naive().to_string();
    let (_, v) = post(
        &app,
        &office,
        "/api/v1/activities",
        json!({"title": "书画班", "owner_id": app.node_id("群力社区学习中心").await,
        "theme_id": theme, "date": date, "start_time": "14:00", "end_time": "16:00"}),
    )
    .await;
    let draft = v[0]["id"].as_i64().unwrap();
    let someone = residents(&app, "群力社区", 1).await[0];
    let (s, v) = post(
        &app,
        &office,
        &format!("/api/v1/activities/{draft}/enrolments"),
        json!({"resident_id": someone}),
    )
    .await;
    assert_eq!(
        (s, v["error"]["message"].as_str()),
        (409, Some("活动尚未发布或已经开始,现在不能报名"))
    );
    let id = published(&app, &office, 30).await;
    let qiling_resident = residents(&app, "王齐村", 1).await[0];
    let (s, _) = post(
        &app,
        &office,
        &format!("/api/v1/activities/{id}/enrolments"),
        json!({"resident_id": qiling_resident}),
    )
    .await;
    assert_eq!(s, 404, "a resident of another town");
    let (s, v) = post(
        &app,
        &office,
        &format!("/api/v1/activities/{id}/enrolments"),
        json!({"phone": "13000000000"}),
    )
    .await;
    assert_eq!(
        (s, v["error"]["fields"][0]["field"].as_str()),
        (422, Some("phone"))
    );
    let wangqi = app.token("wangqi").await;
    let (s, _) = post(
        &app,
        &wangqi,
        &format!("/api/v1/activities/{id}/enrolments"),
        json!({"resident_id": qiling_resident}),
    )
    .await;
    assert_eq!(s, 404, "an activity of another town");
}

async fn staff_enrol_by_phone_on_the_activity_page_and_the_resident_page_lists_it(b: Backend) {
    let app = spawn_app(b).await;
    let office = app.token("qunli.office").await;
    let id = published(&app, &office, 20).await;
    let community = app.node_id("双河村").await;
    let resident = app.scalar(&format!("select id from residents where community_id = {community} and phone is not null order by id limit 1")).await;
    let phone = app
        .scalar(&format!(
            "select cast(phone as bigint) from residents where id = {resident}"
        ))
        .await
        .to_string();
    let web = app.login("qunli.office").await;
    let csrf = app.csrf(&web).await;
    let page = text_of(
        &web.get(app.url(&format!("/activities/{id}")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    );
    assert!(page.contains("按居民手机号报名") && page.contains("0 / 20"));
    let r = web
        .post(app.url(&format!("/activities/{id}/enrol")))
        .form(&[("_csrf", csrf.as_str()), ("phone", phone.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let page = text_of(
        &web.get(app.url(&format!("/activities/{id}?ok=enrolled")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    );
    assert!(page.contains("已报名") && page.contains("1 / 20"), "{page}");
    let bad = web
        .post(app.url(&format!("/activities/{id}/enrol")))
        .form(&[("_csrf", csrf.as_str()), ("phone", "123")])
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 422);
    assert!(text_of(&bad.text().await.unwrap()).contains("手机号码应为 11 位数字"));
    let resident_page = text_of(
        &web.get(app.url(&format!("/people/residents/{resident}")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    );
    assert!(
        resident_page.contains("报名的活动")
            && resident_page.contains("家庭护理培训")
            && resident_page.contains("已报名"),
        "{resident_page}"
    );
}

both!(
    beyond_capacity_residents_wait_and_a_cancellation_moves_the_first_up,
    two_people_taking_the_last_seat_at_once_get_one_seat,
    enrolment_needs_a_published_activity_and_a_resident_in_scope,
    staff_enrol_by_phone_on_the_activity_page_and_the_resident_page_lists_it
);

async fn residents_enrol_themselves_with_the_shared_link_and_wait_beyond_capacity(b: Backend) {
    let app = spawn_app(b).await;
    let office = app.token("qunli.office").await;
    let theme = app
        .scalar("select id from themes where name = '卫生'")
        .await;
    let date = (Utc::now() + Duration::days(20)).date_naive().to_string();
    let (_, v) = post(&app, &office, "/api/v1/activities", json!({"title": "中医养生讲座", "owner_id": app.node_id("群力社区学习中心").await,
        "theme_id": theme, "date": date, "start_time": "09:00", "end_time": "10:00", "capacity": "1"})).await;
    let id = v[0]["id"].as_i64().unwrap();
    let (s, _) = get(
        &app,
        &office,
        &format!("/api/v1/activities/{id}/enrol-link"),
    )
    .await;
    assert_eq!(s, 409, "no link before publication");
    for action in ["submit", "approve", "publish"] {
        post(
            &app,
            &office,
            &format!("/api/v1/activities/{id}/transition"),
            json!({"action": action}),
        )
        .await;
    }
    let (_, v) = get(
        &app,
        &office,
        &format!("/api/v1/activities/{id}/enrol-link"),
    )
    .await;
    let link = v["token"].as_str().unwrap().to_string();
    let first = phone_in(&app, "群力社区", 0).await;
    let (s, v) = post(
        &app,
        None,
        "/api/v1/enrol",
        json!({"token": link, "phone": first}),
    )
    .await;
    assert_eq!(
        (s, v["result"].as_str(), v["enrolment"]["status"].as_str()),
        (200, Some("done"), Some("enrolled")),
        "{v}"
    );
    let (_, v) = post(
        &app,
        None,
        "/api/v1/enrol",
        json!({"token": link, "phone": first}),
    )
    .await;
    assert_eq!(v["result"], "already");
    // A first-timer is asked for a name, then registered and put on the waiting list (capacity 1).
    let (_, v) = post(
        &app,
        None,
        "/api/v1/enrol",
        json!({"token": link, "phone": "13600001111"}),
    )
    .await;
    assert_eq!(v["result"], "name_needed");
    let (_, v) = post(
        &app,
        None,
        "/api/v1/enrol",
        json!({"token": link, "phone": "13600001111", "name": "陈新"}),
    )
    .await;
    assert_eq!(v["enrolment"]["status"], "waiting", "{v}");
    let (s, _) = post(
        &app,
        None,
        "/api/v1/enrol",
        json!({"token": format!("{link}0"), "phone": first}),
    )
    .await;
    assert_eq!(s, 400, "a forged link");
    assert_eq!(
        app.scalar(&format!(
            "select count(*) from enrolments where activity_id = {id}"
        ))
        .await,
        2
    );
    // The phone page says so in words.
    let phone = app.client();
    let page = text_of(
        &phone
            .get(app.url(&format!("/e/{link}")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    );
    assert!(
        page.contains("中医养生讲座") && page.contains("名额已满"),
        "{page}"
    );
    let second = phone_in(&app, "群力社区", 1).await;
    let r = phone
        .post(app.url("/e"))
        .form(&[("token", link.as_str()), ("phone", second.as_str())])
        .send()
        .await
        .unwrap();
    assert!(text_of(&r.text().await.unwrap()).contains("候补名单"));
}

both!(residents_enrol_themselves_with_the_shared_link_and_wait_beyond_capacity,);
