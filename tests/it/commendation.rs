//! Commendation through the real server: a round from nomination to certificate, the nominee's
//! record attached, one nomination per nominee and category, the scope of a centre, the
//! deadline, the quota (two approvals at once), and a reward booked with the approval or not at
//! all.

use serde_json::{Value, json};

use crate::both;
use crate::helpers::{Backend, TestApp, field_codes, get, post, reason, spawn_app};

/// Opens Qunli's round of a year: families (quota 1, 500 yuan) and individuals (quota 2).
async fn open(app: &TestApp, year: i32, deadline: &str, family_quota: i64) -> i64 {
    let office = app.token("qunli.office").await;
    let town = app.node_id("群力镇").await;
    let (s, v) = post(
        app,
        &office,
        "/api/v1/awards/rounds",
        json!({"town_id": town, "year": year,
        "title": format!("{year}年度学习型家庭评选"), "deadline": deadline,
        "categories": [{"category": "learning_family", "quota": family_quota, "reward": "500"},
                       {"category": "learning_individual", "quota": 2}]}),
    )
    .await;
    assert_eq!(s, 201, "{v}");
    v["round"]["id"].as_i64().unwrap()
}

async fn household_in(app: &TestApp, community: &str, nth: i64) -> i64 {
    let c = app.node_id(community).await;
    app.scalar(&format!(
        "select id from households where community_id = {c} order by id limit 1 offset {nth}"
    ))
    .await
}

async fn nominate(app: &TestApp, token: &str, round: i64, household: i64) -> (u16, Value) {
    post(
        app,
        token,
        &format!("/api/v1/awards/rounds/{round}/nominations"),
        json!({"category": "learning_family", "nominee_id": household,
               "deeds": "全家坚持参加社区读书会和健康讲座,带动邻里共同学习。"}),
    )
    .await
}

async fn step(app: &TestApp, token: &str, id: i64, action: &str) -> (u16, Value) {
    post(
        app,
        token,
        &format!("/api/v1/awards/nominations/{id}/step"),
        json!({"action": action}),
    )
    .await
}

async fn a_round_runs_from_nomination_to_certificate(b: Backend) {
    let app = spawn_app(b).await;
    let (office, centre, leader) = (
        app.token("qunli.office").await,
        app.token("qunli.centre").await,
        app.token("qunli.leader").await,
    );
    // Next year's round (the demo has this year's), with the funds its reward is paid from.
    let year = cedu::calendar::Year::current().0 + 1;
    let deadline = format!("{year}-12-31");
    let town = app.node_id("群力镇").await;
    post(
        &app,
        &office,
        "/api/v1/funds/incomes",
        json!({"town_id": town, "year": year,
        "date": format!("{year}-01-05"), "channel": "government", "amount": "5000"}),
    )
    .await;
    let round = open(&app, year, &deadline, 1).await;
    let (s, v) = post(&app, &office, "/api/v1/awards/rounds", json!({"town_id": town, "year": year,
        "title": "again", "deadline": deadline, "categories": [{"category": "learning_family", "quota": 1}]})).await;
    assert_eq!(
        (s, field_codes(&v)),
        (
            422,
            vec![("year".into(), "commendation.round_exists".into())]
        )
    );

    let family = household_in(&app, "群力社区", 0).await;
    let (s, n) = nominate(&app, &centre, round, family).await;
    assert_eq!(s, 201, "{n}");
    assert_eq!(n["status"], "submitted");
    assert!(
        n["record"]["members"].as_i64().unwrap() >= 1,
        "the household's own record: {n}"
    );
    let id = n["id"].as_i64().unwrap();
    // One nomination per nominee and category; nobody outside the centre's scope.
    let (s, v) = nominate(&app, &centre, round, family).await;
    assert_eq!(
        (s, field_codes(&v)),
        (
            422,
            vec![("nominee_id".into(), "commendation.duplicate".into())]
        )
    );
    let elsewhere = household_in(&app, "双河村", 0).await;
    let (s, v) = nominate(&app, &centre, round, elsewhere).await;
    assert_eq!(
        (s, field_codes(&v)),
        (
            422,
            vec![("nominee_id".into(), "commendation.nominee_outside".into())]
        )
    );
    // It waits on the office's workbench.
    let (_, wb) = get(&app, &office, "/api/v1/me/workbench").await;
    let todo = wb["todos"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["kind"] == "nominations_waiting")
        .unwrap();
    assert!(todo["count"].as_i64().unwrap() >= 1, "{wb}");
    // The leadership group cannot approve before the office passed it; the centre cannot pass.
    assert_eq!(step(&app, &leader, id, "approve").await.0, 409);
    assert_eq!(step(&app, &centre, id, "pass").await.0, 403);
    let (s, v) = step(&app, &office, id, "pass").await;
    assert_eq!((s, v["status"].as_str()), (200, Some("passed")), "{v}");
    let spent_before = app
        .scalar("select count(*) from fund_expenses where category = 'award'")
        .await;
    let (s, v) = step(&app, &leader, id, "approve").await;
    assert_eq!((s, v["status"].as_str()), (200, Some("approved")), "{v}");
    let expense = v["expense_id"].as_i64().expect("the reward was booked");
    let (_, e) = get(&app, &office, &format!("/api/v1/funds/expenses/{expense}")).await;
    assert_eq!(
        (e["category"].as_str(), e["amount_fen"].as_i64()),
        (Some("award"), Some(50_000))
    );
    assert_eq!(
        app.scalar("select count(*) from fund_expenses where category = 'award'")
            .await,
        spent_before + 1
    );
    // The family's certificate.
    let name = v["nominee_name"].as_str().unwrap().to_string();
    let page = app.login("qunli.office").await;
    let text = app
        .page_text(&page, &format!("/awards/nominations/{id}/certificate"))
        .await;
    assert!(
        text.contains("奖 状") && text.contains(&name) && text.contains("学习型家庭"),
        "{text}"
    );
    // The quota of one is full: a second passed family is not approved.
    let second = household_in(&app, "群力社区", 1).await;
    let (_, n2) = nominate(&app, &centre, round, second).await;
    let id2 = n2["id"].as_i64().unwrap();
    step(&app, &office, id2, "pass").await;
    let (s, v) = step(&app, &leader, id2, "approve").await;
    assert_eq!((s, reason(&v)), (409, "commendation.quota_full"), "{v}");
    // Returned with a reason, resubmitted by the centre.
    let (s, v) = post(
        &app,
        &office,
        &format!("/api/v1/awards/nominations/{id2}/step"),
        json!({"action": "return", "reason": ""}),
    )
    .await;
    assert_eq!(s, 422, "{v}");
    let (s, _) = post(
        &app,
        &office,
        &format!("/api/v1/awards/nominations/{id2}/step"),
        json!({"action": "return", "reason": "事迹材料不完整"}),
    )
    .await;
    assert_eq!(s, 200);
    let (s, v) = step(&app, &centre, id2, "resubmit").await;
    assert_eq!((s, v["status"].as_str()), (200, Some("submitted")));
    // Published; the other town sees nothing of it.
    let (s, v) = post(
        &app,
        &office,
        &format!("/api/v1/awards/rounds/{round}/publish"),
        json!({}),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    assert!(v["round"]["published_at"].is_string());
    let qiling = app.token("qiling.office").await;
    assert_eq!(
        get(&app, &qiling, &format!("/api/v1/awards/rounds/{round}"))
            .await
            .0,
        404
    );
    assert_eq!(
        get(&app, &qiling, &format!("/api/v1/awards/nominations/{id}"))
            .await
            .0,
        404
    );
    // A sibling centre's head sees the round but not this centre's nominations.
    let (_, rv) = get(&app, &centre, &format!("/api/v1/awards/rounds/{round}")).await;
    assert_eq!(rv["nominations"].as_array().unwrap().len(), 2);
}

async fn the_deadline_and_the_funds_are_enforced_and_nothing_is_half_done(b: Backend) {
    let app = std::sync::Arc::new(spawn_app(b).await);
    let (office, centre, leader) = (
        app.token("qunli.office").await,
        app.token("qunli.centre").await,
        app.token("qunli.leader").await,
    );
    // A past year's round (the demo has last year's), whose deadline has passed, takes no
    // nomination.
    let last_year = cedu::calendar::Year::current().0 - 3;
    let round = open(&app, last_year, &format!("{last_year}-12-31"), 1).await;
    let (s, v) = nominate(
        &app,
        &centre,
        round,
        household_in(&app, "群力社区", 0).await,
    )
    .await;
    assert_eq!(
        (s, reason(&v)),
        (409, "commendation.deadline_passed"),
        "{v}"
    );
    // A year with no funds: the reward cannot be booked, so nothing is approved.
    let round = open(&app, 2033, "2033-12-31", 1).await;
    let (_, n) = nominate(
        &app,
        &centre,
        round,
        household_in(&app, "群力社区", 0).await,
    )
    .await;
    let id = n["id"].as_i64().unwrap();
    step(&app, &office, id, "pass").await;
    let expenses = app.scalar("select count(*) from fund_expenses").await;
    let (s, v) = step(&app, &leader, id, "approve").await;
    assert_eq!((s, reason(&v)), (409, "funding.over_budget"), "{v}");
    let (_, n) = get(&app, &office, &format!("/api/v1/awards/nominations/{id}")).await;
    assert_eq!(
        (n["status"].as_str(), n["expense_id"].as_i64()),
        (Some("passed"), None)
    );
    assert_eq!(
        app.scalar("select count(*) from fund_expenses").await,
        expenses,
        "neither"
    );
    // With the funds there, two approvals at once against a quota of one: one wins.
    let town = app.node_id("群力镇").await;
    post(
        &app,
        &office,
        "/api/v1/funds/incomes",
        json!({"town_id": town, "year": 2033,
        "date": "2033-01-05", "channel": "government", "amount": "5000"}),
    )
    .await;
    let (_, n2) = nominate(
        &app,
        &centre,
        round,
        household_in(&app, "群力社区", 1).await,
    )
    .await;
    let id2 = n2["id"].as_i64().unwrap();
    step(&app, &office, id2, "pass").await;
    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(2));
    let mut tasks = Vec::new();
    for nid in [id, id2] {
        let (app, leader, barrier) = (app.clone(), leader.clone(), barrier.clone());
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            step(&app, &leader, nid, "approve").await
        }));
    }
    let mut answers = Vec::new();
    for t in tasks {
        answers.push(t.await.unwrap());
    }
    let mut statuses: Vec<u16> = answers.iter().map(|a| a.0).collect();
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 409], "{answers:?}");
    assert!(
        answers
            .iter()
            .any(|a| reason(&a.1) == "commendation.quota_full")
    );
    assert_eq!(
        app.scalar("select count(*) from fund_expenses where category = 'award' and year = 2033")
            .await,
        1
    );
}

/// A town that adopts cedu after its round was decided on paper: the office enters each winner
/// with the day and meeting of the decision, past the deadline, within the quota; then publishes.
async fn results_decided_on_paper_are_entered_afterwards(b: Backend) {
    let app = spawn_app(b).await;
    let (office, centre, leader) = (
        app.token("qunli.office").await,
        app.token("qunli.centre").await,
        app.token("qunli.leader").await,
    );
    // The round of the year before last (the demo has last year's), its deadline long past.
    let year = cedu::calendar::Year::current().0 - 2;
    let round = open(&app, year, &format!("{year}-10-31"), 1).await;
    let family = household_in(&app, "群力社区", 0).await;
    let (s, v) = nominate(&app, &centre, round, family).await;
    assert_eq!(
        (s, reason(&v)),
        (409, "commendation.deadline_passed"),
        "{v}"
    );
    let path = format!("/api/v1/awards/rounds/{round}/decided");
    let decided = |category: &str, nominee: i64, on: &str| {
        json!({"category": category, "nominee_id": nominee, "deeds": "全家坚持参加社区学习。",
            "decided_on": on, "decided_by": "领导小组第四次会议"})
    };
    let on = format!("{year}-12-20");
    // Only the office enters them.
    assert_eq!(
        post(
            &app,
            &leader,
            &path,
            decided("learning_family", family, &on)
        )
        .await
        .0,
        403
    );
    assert_eq!(
        post(
            &app,
            &centre,
            &path,
            decided("learning_family", family, &on)
        )
        .await
        .0,
        403
    );
    // Bad input: a day after today, a day before the round's year, no meeting, a nominee of
    // the other town.
    let tomorrow = cedu::calendar::Day::today().next().to_string();
    let (s, v) = post(
        &app,
        &office,
        &path,
        decided("learning_family", family, &tomorrow),
    )
    .await;
    assert_eq!(
        (s, field_codes(&v)),
        (
            422,
            vec![("decided_on".into(), "commendation.decided_in_future".into())]
        )
    );
    let (s, v) = post(
        &app,
        &office,
        &path,
        decided("learning_family", family, &format!("{}-12-01", year - 1)),
    )
    .await;
    assert_eq!(
        (s, field_codes(&v)),
        (
            422,
            vec![(
                "decided_on".into(),
                "commendation.decided_before_year".into()
            )]
        )
    );
    let mut no_meeting = decided("learning_family", family, &on);
    no_meeting["decided_by"] = json!(" ");
    let (s, v) = post(&app, &office, &path, no_meeting).await;
    assert_eq!(
        (s, field_codes(&v)),
        (422, vec![("decided_by".into(), "field.required".into())])
    );
    let wangqi = app.node_id("王齐村").await;
    let stranger = app
        .scalar(&format!(
            "select min(id) from households where community_id = {wangqi}"
        ))
        .await;
    let (s, v) = post(
        &app,
        &office,
        &path,
        decided("learning_family", stranger, &on),
    )
    .await;
    assert_eq!(
        (s, field_codes(&v)),
        (
            422,
            vec![("nominee_id".into(), "commendation.nominee_outside".into())]
        )
    );
    // Entered: approved at once, the decision noted, no reward booked again, audited.
    let expenses = app.scalar("select count(*) from fund_expenses").await;
    let (s, n) = post(
        &app,
        &office,
        &path,
        decided("learning_family", family, &on),
    )
    .await;
    assert_eq!((s, n["status"].as_str()), (201, Some("approved")), "{n}");
    assert_eq!(n["review_note"], format!("{on} · 领导小组第四次会议"));
    assert!(n["expense_id"].is_null());
    assert_eq!(
        app.scalar("select count(*) from fund_expenses").await,
        expenses
    );
    assert_eq!(
        app.scalar(&format!(
            "select count(*) from audit_log where action = 'commendation.recorded_afterwards' \
             and subject_id = {}",
            n["id"]
        ))
        .await,
        1
    );
    // The family's quota of one is full; the same family twice is refused too.
    let second = household_in(&app, "群力社区", 1).await;
    let (s, v) = post(
        &app,
        &office,
        &path,
        decided("learning_family", second, &on),
    )
    .await;
    assert_eq!((s, reason(&v)), (409, "commendation.quota_full"), "{v}");
    let resident = app
        .scalar(&format!(
            "select min(id) from residents where household_id = {family}"
        ))
        .await;
    let (s, _) = post(
        &app,
        &office,
        &path,
        decided("learning_individual", resident, &on),
    )
    .await;
    assert_eq!(s, 201);
    // The round page's form does the same for the second individual.
    let page = app.login("qunli.office").await;
    let html = page
        .get(app.url(&format!("/awards/rounds/{round}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("id=\"decided-form\""), "{html}");
    let other = app
        .scalar(&format!(
            "select max(id) from residents where household_id = {second}"
        ))
        .await;
    let csrf = app.csrf(&page).await;
    let r = page
        .post(app.url(&format!("/awards/rounds/{round}/decided")))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("category", "learning_individual"),
            ("resident_id", &other.to_string()),
            ("deeds", "常年参加社区学习。"),
            ("decided_on", &on),
            ("decided_by", "领导小组第四次会议"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    // The certificate prints; once published the public list names both, and nothing more is
    // entered.
    let id = n["id"].as_i64().unwrap();
    let text = app
        .page_text(&page, &format!("/awards/nominations/{id}/certificate"))
        .await;
    assert!(
        text.contains("奖 状") && text.contains("学习型家庭"),
        "{text}"
    );
    post(
        &app,
        &office,
        &format!("/api/v1/awards/rounds/{round}/publish"),
        json!({}),
    )
    .await;
    let town = app.node_id("群力镇").await;
    let (_, public) = get(&app, None, &format!("/api/v1/public/awards/{town}")).await;
    let published = public["rounds"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["year"] == year)
        .expect("the round entered afterwards");
    assert_eq!(
        published["winners"].as_array().unwrap().len(),
        3,
        "{public}"
    );
    let (s, v) = post(
        &app,
        &office,
        &path,
        decided("learning_individual", resident, &on),
    )
    .await;
    assert_eq!((s, reason(&v)), (409, "commendation.published_already"));
}

both!(
    a_round_runs_from_nomination_to_certificate,
    the_deadline_and_the_funds_are_enforced_and_nothing_is_half_done,
    results_decided_on_paper_are_entered_afterwards,
);
