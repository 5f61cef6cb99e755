//! The two-level teacher pool: who reads and writes which teachers, imports of teachers, trainings
//! and service hours, and the activities a teacher taught.

use chrono::{Duration, Utc};
use serde_json::json;

use crate::both;
use crate::helpers::*;
use crate::people::upload;

async fn a_teachers_page_lists_the_activities_taught_and_their_hours(b: Backend) {
    let app = spawn_app(b).await;
    let office = app.token("qunli.office").await;
    let teacher = app.scalar("select t.id from teachers t join org_nodes n on n.id = t.node_id where n.name = '群力镇社区教育学校' and t.status = 'active' order by t.id limit 1").await;
    let theme = app
        .scalar("select id from themes where name = '卫生'")
        .await;
    let date = (Utc::now() + Duration::days(20)).date_naive().to_string();
    let (s, v) = post(&app, &office, "/api/v1/activities", json!({"title": "急救知识讲座", "owner_id": app.node_id("群力社区学习中心").await,
        "theme_id": theme, "teacher_ids": [teacher], "date": date, "start_time": "09:00", "end_time": "11:30"})).await;
    assert_eq!(s, 201, "{v}");
    let id = v[0]["id"].as_i64().unwrap();
    for action in ["submit", "approve", "publish", "hold"] {
        let (s, v) = post(
            &app,
            &office,
            &format!("/api/v1/activities/{id}/transition"),
            json!({"action": action}),
        )
        .await;
        assert_eq!(s, 200, "{action}: {v}");
    }
    let (_, detail) = get(&app, &office, &format!("/api/v1/teachers/{teacher}")).await;
    assert_eq!(detail["taught"][0]["title"], "急救知识讲座");
    let year = detail["taught_by_year"][0].as_array().unwrap();
    assert_eq!(
        year[1].as_i64(),
        Some(150),
        "two and a half hours: {detail}"
    );
    let web = app.login("qunli.office").await;
    let html = web
        .get(app.url(&format!("/teachers/{teacher}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let text = text_of(&html);
    assert!(
        text.contains("急救知识讲座") && text.contains("2.5"),
        "{text}"
    );
}

both!(a_teachers_page_lists_the_activities_taught_and_their_hours,);

async fn the_two_level_teacher_pool_follows_the_town(b: Backend) {
    let app = spawn_app(b).await;
    let office = app.token("qunli.office").await;
    let school = app.node_id("群力镇社区教育学校").await;
    let shuanghe = app.node_id("双河村学习中心").await;
    let c = app.client();
    let new = |node: i64, name: &str, ty: &str| {
        serde_json::json!({
            "name": name,
            "node_id": node,
            "teacher_type": ty,
            "source": "retired_teacher",
            "phone": format!("1365555{:04}", node % 10000),
        })
    };
    let t1: serde_json::Value = c
        .post(app.url("/api/v1/teachers"))
        .bearer_auth(&office)
        .json(&new(school, "镇级老师", "part_time"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let t2: serde_json::Value = c
        .post(app.url("/api/v1/teachers"))
        .bearer_auth(&office)
        .json(&new(shuanghe, "双河志愿者", "volunteer"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let (t1, t2) = (t1["id"].as_i64().unwrap(), t2["id"].as_i64().unwrap());
    // The head of 群力社区's centre sees the town's pool and its own, not 双河村's.
    let head = app.token("qunli.centre").await;
    assert_eq!(
        c.get(app.url(&format!("/api/v1/teachers/{t1}")))
            .bearer_auth(&head)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(
        c.get(app.url(&format!("/api/v1/teachers/{t2}")))
            .bearer_auth(&head)
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    let edit = c
        .put(app.url(&format!("/api/v1/teachers/{t1}")))
        .bearer_auth(&head)
        .json(&new(school, "改名", "part_time"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        edit.status(),
        404,
        "a centre head does not edit the town's pool"
    );
    // Qiling sees neither.
    let qiling = app.token("qiling.office").await;
    assert_eq!(
        c.get(app.url(&format!("/api/v1/teachers/{t1}")))
            .bearer_auth(&qiling)
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    // Service hours are for volunteers; totals per year.
    let e =
        serde_json::json!({"date": "2020-09-26", "title": "国庆71周年庆祝活动", "hours": "2.5"});
    assert_eq!(
        c.post(app.url(&format!("/api/v1/teachers/{t2}/service")))
            .bearer_auth(&office)
            .json(&e)
            .send()
            .await
            .unwrap()
            .status(),
        204
    );
    let refused = c
        .post(app.url(&format!("/api/v1/teachers/{t1}/service")))
        .bearer_auth(&office)
        .json(&e)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 409);
    let d: serde_json::Value = c
        .get(app.url(&format!("/api/v1/teachers/{t2}")))
        .bearer_auth(&office)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(d["service_by_year"], serde_json::json!([[2020, 150]]));
    // Dynamic management: retired teachers leave the default list, with date and reason kept.
    let r = c
        .post(app.url(&format!("/api/v1/teachers/{t1}/retire")))
        .bearer_auth(&office)
        .json(&serde_json::json!({"retired_on": "2020-12-31", "retired_reason": "外出务工"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let active: serde_json::Value = c
        .get(app.url("/api/v1/teachers?q=镇级老师"))
        .bearer_auth(&office)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(active["total"], 0);
    let retired: serde_json::Value = c
        .get(app.url("/api/v1/teachers?q=镇级老师&status=retired"))
        .bearer_auth(&office)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(retired["items"][0]["retired_reason"], "外出务工");
    assert_eq!(
        retired["items"][0]["phone"].as_str().unwrap().len(),
        11,
        "masked in lists: 136****xxxx"
    );
    assert!(
        retired["items"][0]["phone"]
            .as_str()
            .unwrap()
            .contains("****")
    );
}

async fn a_teacher_sheet_imports_into_the_right_pools(b: Backend) {
    let app = spawn_app(b).await;
    let token = app.token("qunli.office").await;
    let mut t = cedu::importers::Kind::Teachers.template();
    t.notes.clear();
    t.rows = [
        [
            "李建国",
            "男",
            "13912345678",
            "兼职",
            "退休教师",
            "群力镇社区教育学校",
            "文体、卫生",
            "书法",
        ],
        [
            "王小红",
            "女",
            "13912345679",
            "志愿者",
            "大学生",
            "双河村学习中心",
            "文体",
            "舞蹈",
        ],
        [
            "张三",
            "男",
            "",
            "临时工",
            "退休教师",
            "王齐村工作站",
            "烹饪",
            "",
        ],
    ]
    .iter()
    .map(|r| r.iter().map(|c| c.to_string()).collect())
    .collect();
    let (s, batch) = upload(
        &app,
        &token,
        "teachers",
        "群力镇",
        "师资.xlsx",
        cedu::spreadsheet::to_xlsx(&t).unwrap(),
    )
    .await;
    assert_eq!(s, 201, "{batch}");
    assert_eq!(batch["valid_rows"], 2);
    let keys: Vec<&str> = batch["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["key"].as_str().unwrap())
        .collect();
    assert!(
        keys.contains(&"teachers.import.pool_unknown")
            && keys.contains(&"teachers.import.theme_unknown")
            && keys.contains(&"field.choose"),
        "{keys:?}"
    );
    let id = batch["id"].as_i64().unwrap();
    assert_eq!(
        app.client()
            .post(app.url(&format!("/api/v1/imports/{id}/confirm")))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let list: serde_json::Value = app
        .client()
        .get(app.url("/api/v1/teachers?q=李建国"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        list["items"][0]["themes"],
        serde_json::json!(["文体", "卫生"])
    );
    assert_eq!(list["items"][0]["level"], "school");
}

/// Hours below a minute or negative are refused naming the field (not a 500, not stored as 1 hour).
async fn training_and_service_hours_must_be_positive_minutes(b: Backend) {
    let app = spawn_app(b).await;
    let token = app.token("qunli.office").await;
    let teacher = app
        .scalar("select id from teachers where teacher_type = 'volunteer' and node_id in (select id from org_nodes where path like (select path from org_nodes where name = '群力镇') || '%') order by id limit 1")
        .await;
    for (route, hours) in [
        ("trainings", "0.0001"),
        ("trainings", "-1"),
        ("service", "-1"),
        ("service", "0.0001"),
    ] {
        let body = serde_json::json!({"date": "2026-05-10", "title": "书法", "hours": hours});
        let (s, v) = api_post(
            &app,
            Some(&token),
            &format!("/api/v1/teachers/{teacher}/{route}"),
            body,
        )
        .await;
        assert_eq!(
            (s, v["error"]["fields"][0]["field"].as_str()),
            (422, Some("hours")),
            "{route} {hours}: {v}"
        );
    }
    let stored = app
        .scalar(&format!("select (select count(*) from teacher_trainings where teacher_id = {teacher}) + (select count(*) from volunteer_hours where teacher_id = {teacher})"))
        .await;
    let before = stored;
    let body = serde_json::json!({"date": "2026-05-10", "title": "书法", "hours": "1.5"});
    let (s, v) = api_post(
        &app,
        Some(&token),
        &format!("/api/v1/teachers/{teacher}/trainings"),
        body,
    )
    .await;
    assert_eq!(s, 204, "{v}");
    let after = app
        .scalar(&format!(
            "select count(*) from teacher_trainings where teacher_id = {teacher} and minutes = 90"
        ))
        .await;
    assert_eq!(after, 1, "one training of 90 minutes (before: {before})");
}

/// A centre head sees the town school's teachers but changes none of them: editing, retiring,
/// trainings and service hours all answer 404 and store nothing; the teacher's page offers no
/// forms.
async fn a_centre_head_reads_the_town_schools_teachers_but_writes_none(b: Backend) {
    let app = spawn_app(b).await;
    let head = app.token("qunli.centre").await;
    let school = app.node_id("群力镇社区教育学校").await;
    let teacher = app
        .scalar(&format!("select id from teachers where node_id = {school} and teacher_type = 'volunteer' order by id limit 1"))
        .await;
    let records = format!(
        "select (select count(*) from teacher_trainings where teacher_id = {teacher}) + (select count(*) from volunteer_hours where teacher_id = {teacher})"
    );
    let before = app.scalar(&records).await;
    let (s, _) = crate::helpers::api(
        &app,
        reqwest::Method::GET,
        Some(&head),
        &format!("/api/v1/teachers/{teacher}"),
        None,
    )
    .await;
    assert_eq!(s, 200, "visible to the centres of the town");
    let entry = serde_json::json!({"date": "2026-05-10", "title": "书法", "hours": "2"});
    for path in ["trainings", "service"] {
        let (s, v) = api_post(
            &app,
            Some(&head),
            &format!("/api/v1/teachers/{teacher}/{path}"),
            entry.clone(),
        )
        .await;
        assert_eq!(s, 404, "{path}: {v}");
    }
    let retire = serde_json::json!({"retired_on": "2026-05-10", "retired_reason": "外出务工"});
    let (s, _) = api_post(
        &app,
        Some(&head),
        &format!("/api/v1/teachers/{teacher}/retire"),
        retire,
    )
    .await;
    assert_eq!(s, 404);
    assert_eq!(app.scalar(&records).await, before, "nothing written");
    let page = app
        .login("qunli.centre")
        .await
        .get(app.url(&format!("/teachers/{teacher}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        !page.contains(&format!("/teachers/{teacher}/trainings")),
        "no training form for a read-only record"
    );
    // The office writes to its own pool.
    let office = app.token("qunli.office").await;
    let (s, _) = api_post(
        &app,
        Some(&office),
        &format!("/api/v1/teachers/{teacher}/service"),
        entry,
    )
    .await;
    assert_eq!(s, 204);
}

both!(
    the_two_level_teacher_pool_follows_the_town,
    a_teacher_sheet_imports_into_the_right_pools,
    training_and_service_hours_must_be_positive_minutes,
    a_centre_head_reads_the_town_schools_teachers_but_writes_none,
);
