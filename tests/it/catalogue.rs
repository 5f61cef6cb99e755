//! The district catalogue: themes with their lead departments, formats and target groups, edited by
//! the district and its town offices; retired entries leave the choices.

use chrono::{Duration, Utc};
use serde_json::json;

use crate::both;
use crate::helpers::*;

async fn the_district_catalogue_is_edited_and_retired_entries_leave_the_choices(b: Backend) {
    let app = spawn_app(b).await;
    let office = app.token("qunli.office").await;
    let (s, v) = post(
        &app,
        &office,
        "/api/v1/catalogue/themes",
        json!({"name": "乡村振兴", "lead_departments": "农业服务中心、社保所"}),
    )
    .await;
    assert_eq!(s, 201, "{v}");
    let theme = v["id"].as_i64().unwrap();
    let (s, v) = post(
        &app,
        &office,
        "/api/v1/catalogue/themes",
        json!({"name": "乡村振兴"}),
    )
    .await;
    assert_eq!(
        (s, v["error"]["fields"][0]["message"].as_str()),
        (422, Some("本区已有同名条目"))
    );
    let (s, v) = post(
        &app,
        &office,
        "/api/v1/catalogue/formats",
        json!({"name": "田间课堂"}),
    )
    .await;
    assert_eq!(s, 201, "{v}");
    let format = v["id"].as_i64().unwrap();
    // The new theme can be chosen for an activity; once retired it cannot, and it stays on the
    // catalogue.
    let date = (Utc::now() + Duration::days(20)).date_naive().to_string();
    let plan = json!({"title": "稻田综合种养", "owner_id": app.node_id("双河村学习中心").await, "theme_id": theme, "format_id": format,
        "date": date, "start_time": "09:00", "end_time": "11:00"});
    let (s, v) = post(&app, &office, "/api/v1/activities", plan.clone()).await;
    assert_eq!(s, 201, "{v}");
    assert_eq!(v[0]["format_name"], "田间课堂");
    let (s, _) = put(
        &app,
        &office,
        &format!("/api/v1/catalogue/themes/{theme}"),
        json!({"name": "乡村振兴", "active": false}),
    )
    .await;
    assert_eq!(s, 200);
    let (s, _) = post(&app, &office, "/api/v1/activities", plan).await;
    assert_eq!(s, 422, "a retired theme is no longer offered");
    let (_, c) = get(&app, &office, "/api/v1/catalogue").await;
    assert!(
        c["themes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["name"] == "乡村振兴" && t["active"] == false)
    );
    assert_eq!(
        app.scalar("select count(*) from audit_log where action like 'catalogue.%'")
            .await,
        3
    );
    // Another district's theme is not found; a centre head cannot edit; Qiling does not see Qunli's
    // entries.
    let qiling = app.token("qiling.office").await;
    let (s, _) = put(
        &app,
        &qiling,
        &format!("/api/v1/catalogue/themes/{theme}"),
        json!({"name": "改名"}),
    )
    .await;
    assert_eq!(s, 404);
    let (_, other) = get(&app, &qiling, "/api/v1/catalogue").await;
    assert!(
        !other["formats"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["name"] == "田间课堂")
    );
    let head = app.token("qunli.centre").await;
    let (s, _) = post(
        &app,
        &head,
        "/api/v1/catalogue/target_groups",
        json!({"name": "新市民"}),
    )
    .await;
    assert_eq!(s, 403);
    // The page: the office edits a target group in place.
    let web = app.login("qunli.office").await;
    let html = web
        .get(app.url("/catalogue"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("value=\"乡村振兴\"") && html.contains("value=\"田间课堂\""),
        "{html}"
    );
    let csrf = app.csrf(&web).await;
    let r = web
        .post(app.url("/catalogue/target_groups"))
        .form(&[("_csrf", csrf.as_str()), ("name", "新市民")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let r = web
        .post(app.url("/catalogue/target_groups"))
        .form(&[("_csrf", csrf.as_str()), ("name", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
}

both!(the_district_catalogue_is_edited_and_retired_entries_leave_the_choices,);
