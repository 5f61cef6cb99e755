//! Meetings through the real server: a leadership group meeting with attendees and absentees
//! from the group's members, decisions and their follow-up, the signed minutes, the count against
//! the plan's 1–2 a year, refusals and scope.

use serde_json::{Value, json};

use crate::both;
use crate::helpers::{Backend, TestApp, field_codes, get, post, reason, spawn_app};

async fn members(app: &TestApp, group: &str) -> Vec<i64> {
    let g = app.node_id(group).await;
    app.texts(&format!(
        "select cast(id as text) from org_members where node_id = {g} order by id"
    ))
    .await
    .iter()
    .map(|s| s.parse().unwrap())
    .collect()
}

async fn a_leadership_meeting_is_kept_with_its_minutes_and_follow_up(b: Backend) {
    let app = spawn_app(b).await;
    let office = app.token("qunli.office").await;
    let town = app.node_id("群力镇").await;
    let group = members(&app, "群力社区教育工作领导小组").await;
    assert!(group.len() >= 4);
    let year = cedu::calendar::Year::current().0;
    let (_, before) = get(&app, &office, &format!("/api/v1/meetings?year={year}")).await;
    let today = cedu::calendar::Day::today().to_string();
    let body = |present: Vec<i64>, date: &str| {
        json!({"town_id": town, "kind": "leadership",
        "held_on": date, "place": "镇政府三楼会议室", "agenda": "研究年度社区教育工作",
        "minutes": "会议确定了年度工作要点。", "present": present,
        "decisions": [{"decision": "各村学习中心每月开展 2 次以上活动", "owner": "张春林", "due_on": format!("{year}-12-31")},
                      {"decision": "", "owner": ""}]})
    };
    let (s, m) = post(
        &app,
        &office,
        "/api/v1/meetings",
        body(group[..3].to_vec(), &today),
    )
    .await;
    assert_eq!(s, 201, "{m}");
    let present: Vec<&Value> = m["attendees"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["present"] == true)
        .collect();
    assert_eq!(present.len(), 3);
    assert_eq!(
        m["attendees"].as_array().unwrap().len(),
        group.len(),
        "the rest are absentees"
    );
    assert_eq!(
        m["decisions"].as_array().unwrap().len(),
        1,
        "a blank decision line is not one"
    );
    let (_, after) = get(&app, &office, &format!("/api/v1/meetings?year={year}")).await;
    assert_eq!(
        after["leadership_meetings"].as_i64().unwrap(),
        before["leadership_meetings"].as_i64().unwrap() + 1
    );
    assert_eq!(after["leadership_below_plan"], false);
    // Follow-up once, with a note.
    let (id, decision) = (
        m["id"].as_i64().unwrap(),
        m["decisions"][0]["id"].as_i64().unwrap(),
    );
    let (s, v) = post(
        &app,
        &office,
        &format!("/api/v1/meetings/{id}/follow-up"),
        json!({"decision_id": decision, "note": ""}),
    )
    .await;
    assert_eq!(
        (s, field_codes(&v)),
        (422, vec![("note".into(), "field.required".into())])
    );
    let (s, v) = post(
        &app,
        &office,
        &format!("/api/v1/meetings/{id}/follow-up"),
        json!({"decision_id": decision, "note": "已督促落实"}),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    assert!(v["decisions"][0]["done_at"].is_string());
    let (s, v) = post(
        &app,
        &office,
        &format!("/api/v1/meetings/{id}/follow-up"),
        json!({"decision_id": decision, "note": "再次"}),
    )
    .await;
    assert_eq!((s, reason(&v)), (409, "meetings.done_already"));
    // The signed minutes through the page.
    let page = app.login("qunli.office").await;
    let csrf = app.csrf(&page).await;
    let form = reqwest::multipart::Form::new().text("_csrf", csrf).part(
        "file",
        reqwest::multipart::Part::bytes(crate::concurrency::png()).file_name("纪要签字.png"),
    );
    let r = page
        .post(app.url(&format!("/meetings/{id}/scan")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_redirection(), "{}", r.status());
    let (_, m) = get(&app, &office, &format!("/api/v1/meetings/{id}")).await;
    assert_eq!(m["scans"][0]["file_name"], "纪要签字.png");
    let text = app.page_text(&page, &format!("/meetings/{id}")).await;
    assert!(
        text.contains("镇政府三楼会议室") && text.contains("已督促落实"),
        "{text}"
    );
    // Refusals: a stranger ticked present, a date after today, no place; nothing written.
    let count = app.scalar("select count(*) from meetings").await;
    let qiling_member = members(&app, "齐陵街道社区教育工作领导小组").await[0];
    let (s, v) = post(
        &app,
        &office,
        "/api/v1/meetings",
        body(vec![qiling_member], &today),
    )
    .await;
    assert_eq!(
        (s, field_codes(&v)),
        (
            422,
            vec![("present".into(), "meetings.not_a_member".into())]
        )
    );
    let tomorrow = cedu::calendar::Day::today().plus_days(1).to_string();
    let (s, v) = post(&app, &office, "/api/v1/meetings", body(vec![], &tomorrow)).await;
    assert_eq!(
        (s, field_codes(&v)),
        (422, vec![("held_on".into(), "meetings.in_future".into())])
    );
    assert_eq!(app.scalar("select count(*) from meetings").await, count);
    // Leadership reads, cannot record; a centre and the other town see nothing.
    let leader = app.token("qunli.leader").await;
    assert_eq!(
        get(&app, &leader, &format!("/api/v1/meetings/{id}"))
            .await
            .0,
        200
    );
    assert_eq!(
        post(&app, &leader, "/api/v1/meetings", body(vec![], &today))
            .await
            .0,
        403
    );
    let centre = app.token("qunli.centre").await;
    assert_eq!(
        get(&app, &centre, &format!("/api/v1/meetings/{id}"))
            .await
            .0,
        403
    );
    let qiling = app.token("qiling.office").await;
    assert_eq!(
        get(&app, &qiling, &format!("/api/v1/meetings/{id}"))
            .await
            .0,
        404
    );
    // Qiling's leadership group has not met this year: the page says so.
    let (_, q) = get(&app, &qiling, &format!("/api/v1/meetings?year={year}")).await;
    assert_eq!(q["leadership_below_plan"], true);
    let text = app
        .page_text(&app.login("qiling.office").await, "/meetings")
        .await;
    assert!(text.contains("领导小组还没有开会"), "{text}");
}

both!(a_leadership_meeting_is_kept_with_its_minutes_and_follow_up);

/// Several clerks at once: six meetings recorded at the same second are all kept, each with its
/// attendees; two clerks marking the same decision's follow-up: one is kept, the other told.
async fn clerks_recording_at_the_same_time_lose_nothing(b: Backend) {
    let app = spawn_app(b).await;
    let office = app.token("qunli.office").await;
    let town = app.node_id("群力镇").await;
    let group = members(&app, "群力社区教育工作领导小组").await;
    let before = app.scalar("select count(*) from meetings").await;
    let today = cedu::calendar::Day::today().to_string();
    let saves = (0..6)
        .map(|i| {
            let (app, office, group, today) = (&app, &office, &group, &today);
            async move {
                post(
                    app,
                    office,
                    "/api/v1/meetings",
                    json!({"town_id": town, "kind": "leadership",
                    "held_on": today, "place": format!("会议室{i}"), "agenda": "例会",
                    "present": group[..2].to_vec(),
                    "decisions": [{"decision": format!("事项{i}"), "owner": "张春林"}]}),
                )
                .await
            }
        })
        .collect();
    let answers = crate::helpers::futures_join(saves).await;
    assert!(answers.iter().all(|(s, _)| *s == 201), "{answers:?}");
    assert_eq!(
        app.scalar("select count(*) from meetings").await,
        before + 6
    );
    let m = &answers[0].1;
    let (id, decision) = (
        m["id"].as_i64().unwrap(),
        m["decisions"][0]["id"].as_i64().unwrap(),
    );
    let marks = (0..2)
        .map(|k| {
            let (app, office) = (&app, &office);
            async move {
                post(
                    app,
                    office,
                    &format!("/api/v1/meetings/{id}/follow-up"),
                    json!({"decision_id": decision, "note": format!("已落实{k}")}),
                )
                .await
                .0
            }
        })
        .collect();
    let mut codes = crate::helpers::futures_join(marks).await;
    codes.sort();
    assert_eq!(codes, vec![200, 409]);
    assert_eq!(
        app.scalar(&format!(
            "select count(*) from meeting_decisions where id = {decision} and done_at is not null"
        ))
        .await,
        1
    );
}

both!(clerks_recording_at_the_same_time_lose_nothing);
