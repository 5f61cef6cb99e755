//! Planning and review of activities over real HTTP, on both databases.

use chrono::{Datelike, Duration, Utc};
use serde_json::{Value, json};

use crate::both;
use crate::helpers::{Backend, TestApp, post, spawn_app, text_of};

fn day(offset: i64) -> String {
    (Utc::now() + Duration::hours(8) + Duration::days(offset))
        .date_naive()
        .to_string()
}

async fn theme(app: &TestApp, name: &str) -> i64 {
    app.scalar(&format!("select id from themes where name = '{name}'"))
        .await
}

async fn plan(
    app: &TestApp,
    token: &str,
    owner: &str,
    theme_name: &str,
    date: &str,
) -> (u16, Value) {
    let body = json!({"title": "农业实用技术培训", "owner_id": app.node_id(owner).await, "theme_id": theme(app, theme_name).await,
        "date": date, "start_time": "09:00", "end_time": "11:00", "capacity": "50"});
    post(app, token, "/api/v1/activities", body).await
}

async fn act(
    app: &TestApp,
    token: &str,
    id: i64,
    action: &str,
    reason: Option<&str>,
) -> (u16, Value) {
    post(
        app,
        token,
        &format!("/api/v1/activities/{id}/transition"),
        json!({"action": action, "reason": reason}),
    )
    .await
}

async fn a_lead_department_plans_and_the_town_school_reviews_and_publishes(b: Backend) {
    let app = spawn_app(b).await;
    let dept = app.token("qunli.shebao").await;
    let (s, v) = plan(&app, &dept, "双河村学习中心", "科技(实用技术)", &day(30)).await;
    assert_eq!(s, 201, "{v}");
    let a = &v[0];
    assert_eq!(
        (a["status"].as_str(), a["lead_department_name"].as_str()),
        (Some("draft"), Some("社保所"))
    );
    assert_eq!(
        a["venue"].as_str().map(|s| s.contains("双河村")),
        Some(true),
        "the centre's venue by default"
    );
    let id = a["id"].as_i64().unwrap();
    let (s, v) = act(&app, &dept, id, "submit", None).await;
    assert_eq!(
        (s, v["status"].as_str(), v["late"].as_bool()),
        (200, Some("submitted"), Some(false))
    );
    let (s, _) = act(&app, &dept, id, "approve", None).await;
    assert_eq!(s, 403, "a lead department does not review");
    let office = app.token("qunli.office").await;
    let (s, v) = act(&app, &office, id, "approve", None).await;
    assert_eq!((s, v["status"].as_str()), (200, Some("approved")));
    let (s, v) = act(&app, &office, id, "publish", None).await;
    assert_eq!((s, v["status"].as_str()), (200, Some("published")));
    let audited = app
        .scalar(&format!(
            "select count(*) from audit_log where subject_type = 'activity' and subject_id = {id}"
        ))
        .await;
    assert_eq!(audited, 4, "planned, submitted, approved, published");
}

async fn a_submission_under_fifteen_days_is_accepted_and_marked_late(b: Backend) {
    let app = spawn_app(b).await;
    let head = app.token("wangqi").await;
    let (_, v) = plan(&app, &head, "王齐村工作站", "老年教育", &day(5)).await;
    let id = v[0]["id"].as_i64().unwrap();
    let (s, v) = act(&app, &head, id, "submit", None).await;
    assert_eq!((s, v["late"].as_bool()), (200, Some(true)));
    let (_, v) = plan(&app, &head, "王齐村工作站", "老年教育", &day(16)).await;
    let (_, v) = act(&app, &head, v[0]["id"].as_i64().unwrap(), "submit", None).await;
    assert_eq!(v["late"].as_bool(), Some(false));
}

async fn transitions_that_the_state_does_not_allow_are_refused_with_a_message(b: Backend) {
    let app = spawn_app(b).await;
    let office = app.token("qiling.office").await;
    let (_, v) = plan(&app, &office, "薛家村工作站", "家庭教育", &day(20)).await;
    let id = v[0]["id"].as_i64().unwrap();
    let (s, v) = act(&app, &office, id, "approve", None).await;
    assert_eq!(s, 409);
    assert_eq!(v["error"]["message"], "活动当前为“草稿”,不能进行这一操作");
    act(&app, &office, id, "submit", None).await;
    let (s, v) = act(&app, &office, id, "return", None).await;
    assert_eq!(s, 422, "{v}");
    let (s, v) = act(&app, &office, id, "return", Some("请补充授课教师")).await;
    assert_eq!(
        (s, v["status"].as_str(), v["review_note"].as_str()),
        (200, Some("returned"), Some("请补充授课教师"))
    );
    // A returned plan can be edited and submitted again; a submitted one cannot be edited.
    let edit = json!({"title": "家风家训讲堂", "owner_id": app.node_id("薛家村工作站").await, "theme_id": theme(&app, "家庭教育").await,
        "date": day(21), "start_time": "14:00", "end_time": "15:30"});
    let r = app
        .client()
        .put(app.url(&format!("/api/v1/activities/{id}")))
        .bearer_auth(&office)
        .json(&edit)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    act(&app, &office, id, "submit", None).await;
    let r = app
        .client()
        .put(app.url(&format!("/api/v1/activities/{id}")))
        .bearer_auth(&office)
        .json(&edit)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409);
    let (s, v) = act(&app, &office, id, "cancel", Some("场地维修")).await;
    assert_eq!(
        (s, v["status"].as_str(), v["cancel_reason"].as_str()),
        (200, Some("cancelled"), Some("场地维修"))
    );
    let (s, _) = act(&app, &office, id, "submit", None).await;
    assert_eq!(s, 409);
}

async fn bad_plans_are_refused_and_nothing_is_written(b: Backend) {
    let app = spawn_app(b).await;
    let head = app.token("wangqi").await;
    let before = app.scalar("select count(*) from activities").await;
    let (s, v) = plan(&app, &head, "王齐村工作站", "老年教育", &day(-1)).await;
    assert_eq!(
        (s, v["error"]["fields"][0]["message"].as_str()),
        (422, Some("活动日期不能早于今天"))
    );
    let (s, v) = plan(&app, &head, "双河村学习中心", "老年教育", &day(10)).await;
    assert_eq!(
        (s, v["error"]["fields"][0]["field"].as_str()),
        (422, Some("owner_id")),
        "another town's centre"
    );
    let qunli_teacher = app.scalar("select t.id from teachers t join org_nodes n on n.id = t.node_id where n.name = '群力镇社区教育学校' limit 1").await;
    let body = json!({"title": "剪纸", "owner_id": app.node_id("王齐村工作站").await, "theme_id": theme(&app, "乡村记忆与民俗技艺").await,
        "date": day(10), "start_time": "09:00", "end_time": "08:00", "teacher_ids": [qunli_teacher]});
    let (s, v) = post(&app, &head, "/api/v1/activities", body.clone()).await;
    assert_eq!(s, 422);
    assert_eq!(v["error"]["fields"][0]["message"], "结束时间应晚于开始时间");
    let mut fixed = body;
    fixed["end_time"] = json!("10:00");
    let (s, v) = post(&app, &head, "/api/v1/activities", fixed).await;
    assert_eq!(
        (s, v["error"]["fields"][0]["message"].as_str()),
        (422, Some("授课教师须是本镇街师资库中在库的教师"))
    );
    let (s, _) = plan(&app, &head, "王齐村工作站", "科技(实用技术)", &day(10)).await;
    assert_eq!(s, 422, "a theme of another district's catalogue");
    assert_eq!(app.scalar("select count(*) from activities").await, before);
}

async fn a_series_repeats_every_second_week_until_its_end(b: Backend) {
    let app = spawn_app(b).await;
    let head = app.token("qunli.centre").await;
    let body = json!({"title": "广场舞教学", "owner_id": app.node_id("群力社区学习中心").await, "theme_id": theme(&app, "文体").await,
        "date": day(7), "start_time": "19:00", "end_time": "20:30", "learning_team": true, "repeat_weeks": 2, "repeat_until": day(7 + 84)});
    let (s, v) = post(&app, &head, "/api/v1/activities", body).await;
    assert_eq!(s, 201, "{v}");
    let list = v.as_array().unwrap();
    assert_eq!(list.len(), 7);
    let series = list[0]["series_id"].as_i64();
    assert!(
        series.is_some()
            && list
                .iter()
                .all(|a| a["series_id"].as_i64() == series && a["learning_team"] == true)
    );
    // Another centre's head cannot see them.
    let other = app.token("qiling.office").await;
    let r = app
        .client()
        .get(app.url(&format!("/api/v1/activities/{}", list[0]["id"])))
        .bearer_auth(&other)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
}

async fn the_month_grid_counts_approved_activities_and_flags_centres_below_two(b: Backend) {
    let app = spawn_app(b).await;
    let office = app.token("qiling.office").await;
    let today = (Utc::now() + Duration::hours(8)).date_naive();
    let grid: Value = app
        .client()
        .get(app.url(&format!("/api/v1/activities/grid?year={}", today.year())))
        .bearer_auth(&office)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let rows = grid["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 6, "the six work stations");
    let m = today.month() as usize;
    // Nothing counts yet this month: every station is below the rule, and days left are given.
    assert!(rows.iter().all(|r| {
        r["below"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x.as_u64() == Some(m as u64))
    }));
    assert!(grid["days_left"].as_i64().is_some());
    // The demo planned two activities per station next month and approved one of each.
    let next_year = if m == 12 {
        today.year() + 1
    } else {
        today.year()
    };
    let next = if m == 12 { 1 } else { m + 1 };
    let grid: Value = app
        .client()
        .get(app.url(&format!("/api/v1/activities/grid?year={next_year}")))
        .bearer_auth(&office)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let wangqi = grid["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["centre_name"] == "王齐村工作站")
        .unwrap()
        .clone();
    assert_eq!(wangqi["counts"][next - 1], 1);
    let waiting = app.scalar("select a.id from activities a join org_nodes o on o.id = a.owner_id where o.name = '王齐村工作站' and a.status = 'submitted' limit 1").await;
    act(&app, &office, waiting, "approve", None).await;
    let grid: Value = app
        .client()
        .get(app.url(&format!("/api/v1/activities/grid?year={next_year}")))
        .bearer_auth(&office)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let wangqi = grid["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["centre_name"] == "王齐村工作站")
        .unwrap()
        .clone();
    assert_eq!(wangqi["counts"][next - 1], 2);
    let page = text_of(
        &app.login("qiling.office")
            .await
            .get(app.url(&format!("/activities/grid?year={}", today.year())))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    );
    assert!(
        page.contains("每个学习中心每月至少组织 2 次活动")
            && page.contains("个中心活动次数尚不足 2 次"),
        "{page}"
    );
    // A plan submitted five days ahead is late, and the lateness shows in the station's record.
    let soon = (Utc::now() + Duration::hours(8) + Duration::days(5)).date_naive();
    let body = json!({"title": "临时加开的讲座", "owner_id": app.node_id("王齐村工作站").await, "theme_id": theme(&app, "家庭教育").await,
        "date": soon.to_string(), "start_time": "09:00", "end_time": "10:00"});
    let (s, v) = post(&app, &office, "/api/v1/activities", body).await;
    assert_eq!(s, 201, "{v}");
    let rushed = v[0]["id"].as_i64().unwrap();
    act(&app, &office, rushed, "submit", None).await;
    let expected = app.scalar("select count(*) from activities a join org_nodes o on o.id = a.owner_id where o.name = '王齐村工作站' and a.late").await;
    let grid: Value = app
        .client()
        .get(app.url(&format!("/api/v1/activities/grid?year={}", soon.year())))
        .bearer_auth(&office)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let wangqi = grid["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["centre_name"] == "王齐村工作站")
        .unwrap()
        .clone();
    let late = wangqi["late"].as_i64().unwrap();
    assert!(late >= 1 && late <= expected, "{late} of {expected}");
}

/// The grid of a year downloads as xlsx and CSV from the grid page: a line per station with the
/// same counts as the page and the API (a month below the rule starred), then the town's totals.
async fn the_month_grid_downloads_as_a_file_with_each_towns_totals(b: Backend) {
    let app = spawn_app(b).await;
    let office = app.token("qiling.office").await;
    let year = (Utc::now() + Duration::hours(8)).year();
    let grid: Value = app
        .client()
        .get(app.url(&format!("/api/v1/activities/grid?year={year}")))
        .bearer_auth(&office)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let web = app.login("qiling.office").await;
    let page = web
        .get(app.url(&format!("/activities/grid?year={year}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains(&format!("/activities/grid.xlsx?year={year}")));
    let file = web
        .get(app.url(&format!("/activities/grid.xlsx?year={year}")))
        .send()
        .await
        .unwrap();
    assert_eq!(file.status(), 200);
    let sheet = cedu::spreadsheet::read(&file.bytes().await.unwrap(), "grid.xlsx").unwrap();
    let text: Vec<Vec<String>> = sheet
        .rows
        .iter()
        .map(|r| r.iter().map(|c| c.text()).collect())
        .collect();
    assert_eq!(text[0][0], "学习中心/工作站");
    assert_eq!((text[0][2].as_str(), text[0][13].as_str()), ("1月", "12月"));
    let stations = grid["rows"].as_array().unwrap();
    let mut totals = [0i64; 12];
    for r in stations {
        let line = text
            .iter()
            .find(|l| l[0] == r["centre_name"].as_str().unwrap())
            .unwrap_or_else(|| panic!("{} missing from {text:?}", r["centre_name"]));
        for m in 0..12 {
            let n = r["counts"][m].as_i64().unwrap();
            totals[m] += n;
            let below = r["below"]
                .as_array()
                .unwrap()
                .iter()
                .any(|x| x.as_u64() == Some(m as u64 + 1));
            let shown = if below {
                format!("{n}*")
            } else {
                n.to_string()
            };
            assert_eq!(line[m + 2], shown, "{} month {}", line[0], m + 1);
        }
    }
    let town = text
        .iter()
        .find(|l| l[0] == "齐陵街道")
        .expect("the town's totals");
    let shown: Vec<i64> = town[2..14].iter().map(|c| c.parse().unwrap()).collect();
    assert_eq!(shown, totals);
    let csv = web
        .get(app.url(&format!("/activities/grid.csv?year={year}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(csv.lines().any(|l| l.starts_with("齐陵街道,,")), "{csv}");
    assert_eq!(csv.lines().count(), stations.len() + 2);
}

async fn the_activity_pages_plan_keep_typed_values_and_show_the_review_actions(b: Backend) {
    let app = spawn_app(b).await;
    let web = app.login("qunli.office").await;
    let csrf = app.csrf(&web).await;
    let form = text_of(
        &web.get(app.url("/activities/new"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    );
    assert!(form.contains("请至少提前 15 天") && form.contains("专家讲座"));
    let owner = app.node_id("檬子村学习中心").await.to_string();
    let theme_id = theme(&app, "卫生").await.to_string();
    let bad = web
        .post(app.url("/activities"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("title", "义诊进社区"),
            ("owner_id", owner.as_str()),
            ("theme_id", theme_id.as_str()),
            ("date", "2001-01-01"),
            ("start_time", "09:00"),
            ("end_time", "10:00"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 422);
    let html = bad.text().await.unwrap();
    assert!(
        html.contains("value=\"义诊进社区\"") && text_of(&html).contains("活动日期不能早于今天")
    );
    let date = day(40);
    let ok = web
        .post(app.url("/activities"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("title", "义诊进社区"),
            ("owner_id", owner.as_str()),
            ("theme_id", theme_id.as_str()),
            ("date", date.as_str()),
            ("start_time", "09:00"),
            ("end_time", "10:00"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 303);
    let loc = ok.headers()["location"].to_str().unwrap().to_string();
    let page = text_of(
        &web.get(app.url(&loc))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    );
    assert!(
        page.contains("义诊进社区")
            && page.contains("草稿")
            && page.contains("报送审核")
            && page.contains("取消活动")
    );
    let id = loc
        .trim_start_matches("/activities/")
        .split('?')
        .next()
        .unwrap()
        .to_string();
    let r = web
        .post(app.url(&format!("/activities/{id}/transition")))
        .form(&[("_csrf", csrf.as_str()), ("action", "submit")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let page = text_of(
        &web.get(app.url(&format!("/activities/{id}")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    );
    assert!(page.contains("待审核") && page.contains("审核通过") && page.contains("退回"));
    let list = text_of(
        &web.get(app.url("/activities?status=submitted"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    );
    assert!(list.contains("义诊进社区"));
}

both!(
    a_lead_department_plans_and_the_town_school_reviews_and_publishes,
    a_submission_under_fifteen_days_is_accepted_and_marked_late,
    transitions_that_the_state_does_not_allow_are_refused_with_a_message,
    bad_plans_are_refused_and_nothing_is_written,
    a_series_repeats_every_second_week_until_its_end,
    the_month_grid_counts_approved_activities_and_flags_centres_below_two,
    the_month_grid_downloads_as_a_file_with_each_towns_totals,
    the_activity_pages_plan_keep_typed_values_and_show_the_review_actions
);

/// 社保所 sees every activity of its town but acts only on those it leads: editing, submitting,
/// holding, cancelling and attaching material to 司法所's 法律 activity are refused with the reason,
/// and nothing changes (the lead department is not silently reassigned); it cannot plan under 法律,
/// and its own page offers no buttons on the other department's activity.
async fn a_lead_department_acts_only_on_the_activities_it_leads(b: Backend) {
    let app = spawn_app(b).await;
    let office = app.token("qunli.office").await;
    let shebao = app.token("qunli.shebao").await;
    let sifa = app.node_id("司法所").await;
    let law = theme(&app, "法律").await;
    let centre = app.node_id("群力社区学习中心").await;
    let body = |title: &str, theme: i64| {
        json!({"title": title, "owner_id": centre, "theme_id": theme, "lead_department_id": sifa,
            "date": day(30), "start_time": "09:00", "end_time": "10:30"})
    };
    let (s, v) = post(&app, &office, "/api/v1/activities", body("普法讲座", law)).await;
    assert_eq!(s, 201, "{v}");
    let draft = v[0]["id"].as_i64().unwrap();
    let (_, v) = post(&app, &office, "/api/v1/activities", body("反诈宣传", law)).await;
    let published = v[0]["id"].as_i64().unwrap();
    for action in ["submit", "approve", "publish"] {
        assert_eq!(act(&app, &office, published, action, None).await.0, 200);
    }
    // Reading is fine; the detail offers 社保所 no step on it.
    let (s, v) = crate::helpers::api(
        &app,
        reqwest::Method::GET,
        Some(&shebao),
        &format!("/api/v1/activities/{draft}"),
        None,
    )
    .await;
    assert_eq!(
        (s, v["actions"].as_array().map(Vec::len)),
        (200, Some(0)),
        "{v}"
    );
    let refused = |(s, v): (u16, Value)| {
        assert_eq!(s, 403, "{v}");
        let m = v["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        assert!(m.contains("司法所牵头"), "{m}");
    };
    let edit = crate::helpers::api(
        &app,
        reqwest::Method::PUT,
        Some(&shebao),
        &format!("/api/v1/activities/{draft}"),
        Some(body("社保所改过的标题", law)),
    )
    .await;
    refused(edit);
    refused(act(&app, &shebao, draft, "submit", None).await);
    refused(act(&app, &shebao, draft, "cancel", Some("不办了")).await);
    refused(act(&app, &shebao, published, "hold", None).await);
    refused(act(&app, &shebao, published, "cancel", Some("不办了")).await);
    let form = reqwest::multipart::Form::new()
        .text("kind", "material")
        .part(
            "file",
            reqwest::multipart::Part::bytes(crate::concurrency::png()).file_name("课件.png"),
        );
    let r = app
        .client()
        .post(app.url(&format!("/api/v1/activities/{draft}/files")))
        .bearer_auth(&shebao)
        .multipart(form)
        .send()
        .await
        .unwrap();
    refused((r.status().as_u16(), r.json().await.unwrap_or_default()));
    let (title, dept, status): (String, i64, String) = (
        app.text(&format!("select title from activities where id = {draft}"))
            .await,
        app.scalar(&format!(
            "select lead_department_id from activities where id = {draft}"
        ))
        .await,
        app.text(&format!(
            "select status from activities where id = {published}"
        ))
        .await,
    );
    assert_eq!(
        (title.as_str(), dept, status.as_str()),
        ("普法讲座", sifa, "published"),
        "nothing changed"
    );
    assert_eq!(
        app.scalar(&format!(
            "select count(*) from activity_files where activity_id = {draft}"
        ))
        .await,
        0
    );
    // Planning under a theme 社保所 does not lead is a field error.
    let (s, v) = post(
        &app,
        &shebao,
        "/api/v1/activities",
        body("社保所的法律课", law),
    )
    .await;
    assert_eq!(
        (s, v["error"]["fields"][0]["field"].as_str()),
        (422, Some("theme_id")),
        "{v}"
    );
    // Its own activity it edits, submits and cancels.
    let (s, v) = plan(
        &app,
        &shebao,
        "群力社区学习中心",
        "科技(实用技术)",
        &day(30),
    )
    .await;
    assert_eq!(s, 201, "{v}");
    let own = v[0]["id"].as_i64().unwrap();
    assert_eq!(v[0]["actions"], json!(["submit", "cancel"]));
    assert_eq!(act(&app, &shebao, own, "submit", None).await.0, 200);
    assert_eq!(
        act(&app, &shebao, own, "cancel", Some("天气原因")).await.0,
        200
    );
    // The page shows no edit or step buttons on 司法所's activity.
    let page = app
        .login("qunli.shebao")
        .await
        .get(app.url(&format!("/activities/{draft}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        !page.contains("action-submit") && !page.contains(&format!("/activities/{draft}/edit")),
        "{}",
        text_of(&page)
    );
}

both!(a_lead_department_acts_only_on_the_activities_it_leads);

async fn month_and_week_calendars_by_centre_town_and_theme(b: Backend) {
    let app = spawn_app(b).await;
    let office = app.token("qunli.office").await;
    let day = (Utc::now() + Duration::days(40)).date_naive();
    let health = app
        .scalar("select id from themes where name = '卫生'")
        .await;
    let sports = app
        .scalar("select id from themes where name = '文体'")
        .await;
    let plan = |title: &'static str, centre: &'static str, theme: i64| {
        let (app, office) = (&app, office.clone());
        async move {
            let body = json!({"title": title, "owner_id": app.node_id(centre).await, "theme_id": theme,
                "date": day.to_string(), "start_time": "14:00", "end_time": "15:30"});
            let (s, v) = post(app, &office, "/api/v1/activities", body).await;
            assert_eq!(s, 201, "{v}");
            v[0]["id"].as_i64().unwrap()
        }
    };
    let a = plan("艾灸养生讲座", "群力社区学习中心", health).await;
    plan("广场舞培训", "双河村学习中心", sports).await;
    for action in ["submit", "approve"] {
        post(
            &app,
            &office,
            &format!("/api/v1/activities/{a}/transition"),
            json!({"action": action}),
        )
        .await;
    }
    let web = app.login("qunli.office").await;
    let page = |q: String| {
        let (web, url) = (web.clone(), app.url(&format!("/activities/calendar?{q}")));
        async move {
            let r = web.get(url).send().await.unwrap();
            assert_eq!(r.status(), 200);
            text_of(&r.text().await.unwrap())
        }
    };
    let month = page(format!("view=month&date={day}")).await;
    assert!(
        month.contains("艾灸养生讲座") && month.contains("广场舞培训"),
        "{month}"
    );
    assert!(month.contains("草稿"), "the draft is marked");
    let by_theme = page(format!("view=month&date={day}&theme_id={health}")).await;
    assert!(by_theme.contains("艾灸养生讲座") && !by_theme.contains("广场舞培训"));
    let centre = app.node_id("双河村学习中心").await;
    let by_centre = page(format!("view=week&date={day}&owner_id={centre}")).await;
    assert!(
        by_centre.contains("广场舞培训") && !by_centre.contains("艾灸养生讲座"),
        "{by_centre}"
    );
    let next_week = page(format!("view=week&date={}", day + Duration::days(7))).await;
    assert!(!next_week.contains("广场舞培训"));
    // Another street's staff see none of it; a bad date falls back to today.
    let qiling = app.login("qiling.office").await;
    let other = text_of(
        &qiling
            .get(app.url(&format!("/activities/calendar?date={day}")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    );
    assert!(!other.contains("艾灸养生讲座"));
    assert!(page("date=2026-13-45".into()).await.contains("活动日历"));
}

both!(month_and_week_calendars_by_centre_town_and_theme,);

/// A plan submitted three days ahead is late; the audit record of every later step says so too.
async fn the_audit_of_a_review_step_keeps_the_late_mark(b: Backend) {
    let app = spawn_app(b).await;
    let dept = app.token("qunli.shebao").await;
    let office = app.token("qunli.office").await;
    let (s, v) = plan(&app, &dept, "双河村学习中心", "科技(实用技术)", &day(3)).await;
    assert_eq!(s, 201, "{v}");
    let id = v[0]["id"].as_i64().unwrap();
    let (s, v) = act(&app, &dept, id, "submit", None).await;
    assert_eq!((s, v["late"].as_bool()), (200, Some(true)), "{v}");
    let (s, v) = act(&app, &office, id, "approve", None).await;
    assert_eq!(s, 200, "{v}");
    let (s, audit) = crate::helpers::get(
        &app,
        app.token("auditor").await.as_str(),
        &format!("/api/v1/audit?subject_type=activity&subject_id={id}"),
    )
    .await;
    assert_eq!(s, 200, "{audit}");
    let approved = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["action"] == "activities.approved")
        .unwrap_or_else(|| panic!("{audit}"));
    let after: Value = serde_json::from_str(approved["after_json"].as_str().unwrap()).unwrap();
    assert_eq!(after["late"], true, "{approved}");
}

both!(the_audit_of_a_review_step_keeps_the_late_mark);

/// The audit page tells a review step in words: the activity by its title, each field by its
/// Chinese label with before → after, Beijing time; filtering by object type and number shows
/// the activity's records only, not a node or a member that shares the number.
async fn the_audit_page_tells_a_review_step_in_words(b: Backend) {
    let app = spawn_app(b).await;
    let dept = app.token("qunli.shebao").await;
    let office = app.token("qunli.office").await;
    let (s, v) = plan(&app, &dept, "双河村学习中心", "科技(实用技术)", &day(3)).await;
    assert_eq!(s, 201, "{v}");
    let id = v[0]["id"].as_i64().unwrap();
    assert_eq!(act(&app, &dept, id, "submit", None).await.0, 200);
    assert_eq!(act(&app, &office, id, "approve", None).await.0, 200);
    let auditor = app.login("auditor").await;
    let activity = app
        .page_text(
            &auditor,
            &format!("/audit?subject_type=activity&subject_id={id}"),
        )
        .await;
    for words in [
        format!("活动「农业实用技术培训」#{id}"),
        "审核通过".to_string(),
        "状态 待审核 → 已通过".to_string(),
        "逾期报送 是".to_string(),
        "举办单位 双河村学习中心".to_string(),
        "成功".to_string(),
    ] {
        assert!(
            activity.contains(&words),
            "{words} missing from: {activity}"
        );
    }
    assert!(!activity.contains("\"status\""), "no raw JSON: {activity}");
    assert!(
        activity.contains("共 3 条"),
        "planned, submitted, approved: {activity}"
    );
    // The plan's start in Beijing time: 09:00 on its day.
    assert!(
        activity.contains(&format!("开始时间 {} 09:00", day(3))),
        "{activity}"
    );
    // The same number as a node is another object.
    let node = app
        .page_text(
            &auditor,
            &format!("/audit?subject_type=org_node&subject_id={id}"),
        )
        .await;
    assert!(!node.contains("农业实用技术培训"), "{node}");
    assert!(!node.contains("共 3 条"), "{node}");
}

both!(the_audit_page_tells_a_review_step_in_words);

/// A district with two towns sees its grid as a line per town — the towns' month totals and how
/// many of their centres fell below 2 — each town's centres one click away; the API gives the same
/// roll-up.
async fn a_districts_grid_rolls_up_by_town(b: Backend) {
    let app = spawn_app(b).await;
    let district = app.token("tongnan").await;
    let tongnan = app.node_id("潼南区").await;
    let (s, town) = post(
        &app,
        &district,
        "/api/v1/org/nodes",
        json!({"parent_id": tongnan, "kind": "town", "subtype": "town", "name": "柏梓镇"}),
    )
    .await;
    assert_eq!(s, 201, "{town}");
    let (s, v) = post(
        &app,
        &district,
        "/api/v1/org/nodes",
        json!({"parent_id": town["id"], "kind": "community", "subtype": "community",
            "name": "柏梓社区", "population": "3200"}),
    )
    .await;
    assert_eq!(s, 201, "{v}");
    let (s, v) = post(
        &app,
        &district,
        "/api/v1/org/nodes",
        json!({"parent_id": v["id"], "kind": "centre", "subtype": "learning_centre",
            "name": "柏梓社区学习中心", "setup_status": "set_up"}),
    )
    .await;
    assert_eq!(s, 201, "{v}");
    let year = (Utc::now() + Duration::hours(8)).year();
    let (s, grid) = crate::helpers::get(
        &app,
        district.as_str(),
        &format!("/api/v1/activities/grid?year={year}"),
    )
    .await;
    assert_eq!(s, 200, "{grid}");
    let towns = grid["towns"].as_array().unwrap();
    assert_eq!(
        towns.len(),
        2,
        "{towns:?} {:?}",
        grid["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["centre_name"].clone())
            .collect::<Vec<_>>()
    );
    let qunli = towns.iter().find(|t| t["town_name"] == "群力镇").unwrap();
    let rows = grid["rows"].as_array().unwrap();
    let qunli_centres: Vec<&Value> = rows
        .iter()
        .filter(|r| r["centre_name"] != "柏梓社区学习中心")
        .collect();
    assert_eq!(
        qunli["centres"].as_i64().unwrap() as usize,
        qunli_centres.len()
    );
    for m in 0..12 {
        let sum: i64 = qunli_centres
            .iter()
            .map(|r| r["counts"][m].as_i64().unwrap())
            .sum();
        assert_eq!(qunli["counts"][m], sum, "month {}", m + 1);
        let below = qunli_centres
            .iter()
            .filter(|r| r["below"].as_array().unwrap().contains(&json!(m + 1)))
            .count();
        assert_eq!(qunli["centres_below"][m], below as i64, "month {}", m + 1);
    }
    assert!(
        qunli["counts"][0].as_i64().unwrap() > 0,
        "the demo's January: {qunli}"
    );
    // The page: towns first, each town's centres a click away.
    let web = app.login("tongnan").await;
    let get = |path: String| {
        let (web, url) = (web.clone(), app.url(&path));
        async move { web.get(url).send().await.unwrap().text().await.unwrap() }
    };
    let page = get(format!("/activities/grid?year={year}"))
        .await
        .replace("&amp;", "&")
        .replace("&#38;", "&");
    assert!(page.contains(r#"id="town-grid""#), "{page}");
    assert!(!page.contains(r#"id="month-grid""#));
    let qunli_id = qunli["town_id"].as_i64().unwrap();
    let link = format!("/activities/grid?year={year}&town_id={qunli_id}");
    assert!(page.contains(&link), "{page}");
    assert!(page.contains(&format!("/activities?town_id={qunli_id}&month={year}-01")));
    let one = app
        .page_text(
            &web,
            &format!("/activities/grid?year={year}&town_id={qunli_id}"),
        )
        .await;
    assert!(
        one.contains("群力社区学习中心") && !one.contains("柏梓社区学习中心"),
        "{one}"
    );
    assert!(one.contains("返回全部镇街"), "{one}");
    // The month's list of the town holds its activities only.
    let list = app
        .page_text(
            &web,
            &format!("/activities?town_id={qunli_id}&month={year}-01"),
        )
        .await;
    let held = qunli["counts"][0].as_i64().unwrap();
    assert!(list.contains("共 "), "{list}");
    let total: i64 = list
        .split("共 ")
        .nth(1)
        .and_then(|t| t.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{list}"));
    assert!(total >= held, "{total} listed, {held} counted");
    assert!(
        !list.contains("王齐村工作站"),
        "another district's station: {list}"
    );
}

both!(a_districts_grid_rolls_up_by_town);

/// Every field, object type and action the demo's log holds has its words in both languages: a
/// new field written by a use-case without a label would show as a raw key.
async fn every_audit_field_of_the_demo_has_a_label(b: Backend) {
    let app = spawn_app(b).await;
    let mut fields = std::collections::BTreeSet::new();
    for json in app
        .texts("select coalesce(before_json, '{}') || '\n' || coalesce(after_json, '{}') from audit_log")
        .await
    {
        for side in json.split('\n') {
            if let Ok(Value::Object(m)) = serde_json::from_str::<Value>(side) {
                fields.extend(m.keys().cloned());
            }
        }
    }
    assert!(
        fields.contains("status") && fields.contains("title"),
        "{fields:?}"
    );
    let types = app
        .texts("select distinct subject_type from audit_log")
        .await;
    let actions = app.texts("select distinct action from audit_log").await;
    for lang in [cedu::i18n::Lang::Zh, cedu::i18n::Lang::En] {
        let missing: Vec<String> = fields
            .iter()
            .map(|f| format!("audit.field.{f}"))
            .chain(types.iter().map(|t| format!("audit.subject_type.{t}")))
            .chain(actions.iter().map(|a| format!("action.{a}")))
            .filter(|k| cedu::i18n::find(lang, k).is_none())
            .collect();
        assert!(missing.is_empty(), "{lang:?} lacks {missing:?}");
    }
}

both!(every_audit_field_of_the_demo_has_a_label);

/// What the first hour tripped over on the plan form and the calendar: a department's own form
/// has the department chosen, an empty time says 此项必填, and the month calendar says 上个月 /
/// 下个月 and names the centre of each activity.
async fn the_plan_form_and_calendar_speak_the_clerks_language(b: Backend) {
    let app = spawn_app(b).await;
    let dept = app.login("qunli.shebao").await;
    let shebao = app.node_id("社保所").await;
    let form = dept
        .get(app.url("/activities/new"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        form.contains(&format!(
            r#"<option value="{shebao}" selected>社保所</option>"#
        )),
        "the department is preset"
    );
    let token = app.token("qunli.shebao").await;
    let body = json!({"title": "讲座", "owner_id": app.node_id("双河村学习中心").await,
        "theme_id": theme(&app, "科技(实用技术)").await, "date": day(20), "start_time": "",
        "end_time": "11:00"});
    let (s, v) = post(&app, &token, "/api/v1/activities", body).await;
    assert_eq!(s, 422);
    assert_eq!(
        (
            v["error"]["fields"][0]["field"].as_str(),
            v["error"]["fields"][0]["message"].as_str()
        ),
        (Some("start_time"), Some("此项必填")),
        "{v}"
    );
    let office = app.login("qunli.office").await;
    let month = (Utc::now() + Duration::hours(8) + Duration::days(31))
        .date_naive()
        .to_string();
    let cal = office
        .get(app.url(&format!("/activities/calendar?view=month&date={month}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let text = text_of(&cal);
    assert!(
        text.contains("上个月") && text.contains("下个月") && !text.contains("上一页"),
        "{text}"
    );
    assert!(
        cal.contains(r#"<span class="muted small event-owner">"#),
        "centres named"
    );
    assert!(text.contains("学习中心"), "{text}");
}

both!(the_plan_form_and_calendar_speak_the_clerks_language);

/// The review page's two reason fields say which is which (退回原因, 取消原因), and a missing
/// reason is shown at the field of the step asked for, not as a banner.
async fn a_missing_reason_is_shown_at_its_field(b: Backend) {
    let app = spawn_app(b).await;
    let waiting = app
        .scalar(
            "select a.id from activities a join org_nodes o on o.id = a.owner_id \
             where o.name = '王齐村工作站' and a.status = 'submitted' limit 1",
        )
        .await;
    let web = app.login("qiling.office").await;
    let page = web
        .get(app.url(&format!("/activities/{waiting}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("退回原因") && page.contains("取消原因"),
        "{}",
        text_of(&page)
    );
    let csrf = app.csrf(&web).await;
    let r = web
        .post(app.url(&format!("/activities/{waiting}/transition")))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("action", "return"),
            ("reason", " "),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let page = r.text().await.unwrap();
    assert!(
        page.contains(r#"id="reason-error-return""#),
        "{}",
        text_of(&page)
    );
    assert!(!page.contains(r#"id="reason-error-cancel""#));
    assert!(
        !page.contains(r#"role="alert""#),
        "no banner: {}",
        text_of(&page)
    );
}

both!(a_missing_reason_is_shown_at_its_field);
