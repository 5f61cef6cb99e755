//! Inspections and the year-end assessment through the real server, on both databases: an
//! inspection scheduled and scored beside what the record says, refusals, a finding's
//! rectification answered, reopened and closed (also two clerks at once), photos and scope, the
//! ranking from known scores and weights (hand-computed), its freeze on approval, the xlsx.

use serde_json::{Value, json};

use crate::both;
use crate::helpers::{
    Backend, TestApp, field_codes, futures_join, get, post, put, reason, spawn_app,
};

async fn template(app: &TestApp, name: &str) -> (i64, Vec<(i64, i64)>) {
    let id = app
        .scalar(&format!(
            "select id from inspection_templates where name = '{name}'"
        ))
        .await;
    let items = app
        .texts(&format!(
            "select cast(id as text) || ':' || cast(max_points as text) from inspection_template_items \
             where template_id = {id} order by position"
        ))
        .await
        .iter()
        .map(|s| {
            let (a, b) = s.split_once(':').unwrap();
            (a.parse().unwrap(), b.parse().unwrap())
        })
        .collect();
    (id, items)
}

fn today() -> String {
    cedu::calendar::Day::today().to_string()
}

fn in_days(n: i64) -> String {
    cedu::calendar::Day::today().plus_days(n).to_string()
}

async fn schedule(app: &TestApp, token: &str, centre: &str, kind: &str, day: &str) -> Value {
    let (t, _) = template(app, "群力镇社区教育学习中心督查评分表").await;
    let (s, v) = post(
        app,
        token,
        "/api/v1/inspections",
        json!({"node_id": app.node_id(centre).await, "template_id": t, "kind": kind, "planned_on": day}),
    )
    .await;
    assert_eq!(s, 201, "{v}");
    v
}

fn scores(items: &[(i64, i64)], points: &[i64]) -> Vec<Value> {
    items
        .iter()
        .zip(points)
        .map(|((id, _), p)| json!({"item_id": id, "points": p.to_string(), "note": "现场查看"}))
        .collect()
}

/// A step of a rectification through the API (multipart: step, text, an evidence file or not).
async fn rectify_step(
    app: &TestApp,
    token: &str,
    rect: i64,
    step: &str,
    text: &str,
    file: bool,
) -> (u16, Value) {
    let mut form = reqwest::multipart::Form::new()
        .text("step", step.to_string())
        .text("text", text.to_string());
    if file {
        form = form.part(
            "file",
            reqwest::multipart::Part::bytes(crate::concurrency::png()).file_name("整改.png"),
        );
    }
    let r = app
        .client()
        .post(app.url(&format!("/api/v1/rectifications/{rect}/steps")))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let s = r.status().as_u16();
    (s, r.json::<Value>().await.unwrap_or(Value::Null))
}

async fn an_inspection_is_scored_beside_the_record_and_its_findings_are_put_right(b: Backend) {
    let app = spawn_app(b).await;
    let office = app.token("qunli.office").await;
    let (_, items) = template(&app, "群力镇社区教育学习中心督查评分表").await;
    assert_eq!(items.iter().map(|i| i.1).sum::<i64>(), 100);
    let i = schedule(&app, &office, "双河村学习中心", "unannounced", "").await;
    assert_eq!(
        i["planned_on"],
        today(),
        "an unannounced inspection is today's"
    );
    let id = i["id"].as_i64().unwrap();
    // Beside each item, what the record says for the period.
    let activities = &i["items"][0];
    assert_eq!(activities["item"]["measure"], "activities");
    let held = i["record"]["held"].as_i64().unwrap();
    assert_eq!(activities["data"]["value"].as_i64(), Some(held));
    assert!(activities["data"]["of"].as_i64().unwrap() >= 2);
    let equipment = i["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["item"]["measure"] == "equipment")
        .unwrap();
    // 双河村's gaps in the demo: desks short, TV, amplifier, chess sets, balls missing.
    assert_eq!(equipment["data"]["value"], 5, "{equipment}");
    // Refusals: an item unscored, points above the maximum, a deadline before the inspection,
    // another day for an unannounced one; nothing is written.
    let mut bad = scores(&items, &[20, 18, 12, 8, 16, 10]);
    bad.pop();
    let (s, v) = post(
        &app,
        &office,
        &format!("/api/v1/inspections/{id}/scores"),
        json!({"version": i["version"], "inspected_on": in_days(-1), "scores": bad,
            "findings": [{"finding": "签到表不全", "due_on": in_days(-3)}]}),
    )
    .await;
    assert_eq!(s, 422);
    let codes = field_codes(&v);
    assert!(
        codes.contains(&(
            "inspected_on".into(),
            "inspections.unannounced_same_day".into()
        )),
        "{codes:?}"
    );
    assert!(
        codes.contains(&(format!("score_{}", items[4].0), "field.whole_number".into())),
        "{codes:?}"
    );
    assert!(
        codes.contains(&(
            format!("score_{}", items[5].0),
            "inspections.item_unscored".into()
        )),
        "{codes:?}"
    );
    assert!(
        codes.contains(&("findings".into(), "inspections.due_after_inspection".into())),
        "{codes:?}"
    );
    assert_eq!(
        app.scalar(&format!(
            "select count(*) from inspection_scores where inspection_id = {id}"
        ))
        .await,
        0
    );
    let (s, v) = post(
        &app,
        &office,
        &format!("/api/v1/inspections/{id}/scores"),
        json!({"version": i["version"], "scores": scores(&items, &[20, 18, 12, 8, 10, 10]),
            "summary": "设备缺口较大", "findings": [{"finding": "添置电视机和扩音器", "due_on": in_days(30)},
            {"finding": "", "due_on": ""}]}),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(
        (v["points"].as_i64(), v["status"].as_str()),
        (Some(78), Some("done"))
    );
    // Scored once: a second clerk's scores are refused.
    let (s, _) = post(
        &app,
        &office,
        &format!("/api/v1/inspections/{id}/scores"),
        json!({"version": i["version"], "scores": scores(&items, &[1, 1, 1, 1, 1, 1])}),
    )
    .await;
    assert_eq!(s, 409);
    // A photo for an item.
    let form = reqwest::multipart::Form::new()
        .text("item_id", items[3].0.to_string())
        .part(
            "file",
            reqwest::multipart::Part::bytes(crate::concurrency::png()).file_name("现场.png"),
        );
    let r = app
        .client()
        .post(app.url(&format!("/api/v1/inspections/{id}/photos")))
        .bearer_auth(&office)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["items"][3]["photos"].as_array().unwrap().len(), 1);
    let rect = v["rectifications"][0]["id"].as_i64().unwrap();
    assert_eq!(
        v["rectifications"].as_array().unwrap().len(),
        1,
        "a blank line is no finding"
    );
    // The rectification: the office cannot close what was not answered; the centre head of
    // another centre does not see it; 双河村 has no account of its own here, so the office's
    // centre head is the 群力社区 one, who gets 404.
    let (s, v) = rectify_step(&app, &office, rect, "close", "", false).await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (409, Some("conflict")),
        "{v}"
    );
    let head = app.token("qunli.centre").await;
    assert_eq!(
        rectify_step(&app, &head, rect, "answer", "已添置", true)
            .await
            .0,
        404
    );
    // The office answers for a centre without its own account? No: answering is the centre's.
    assert_eq!(
        rectify_step(&app, &office, rect, "answer", "已添置", false)
            .await
            .0,
        403
    );
    // Put the finding on the centre head's own centre and follow it through.
    let own = schedule(&app, &office, "群力社区学习中心", "unannounced", "").await;
    let own_id = own["id"].as_i64().unwrap();
    let (s, v) = post(
        &app,
        &office,
        &format!("/api/v1/inspections/{own_id}/scores"),
        json!({"version": own["version"], "scores": scores(&items, &[25, 20, 15, 10, 15, 15]),
            "findings": [{"finding": "活动照片要按次归档", "due_on": in_days(10)}]}),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    let rect = v["rectifications"][0]["id"].as_i64().unwrap();
    let (s, v) = rectify_step(&app, &head, rect, "answer", "", true).await;
    assert_eq!(
        (s, field_codes(&v)),
        (422, vec![("answer".into(), "field.required".into())])
    );
    let (s, v) = rectify_step(&app, &head, rect, "answer", "照片已按次归档", true).await;
    assert_eq!((s, v["status"].as_str()), (200, Some("answered")), "{v}");
    assert_eq!(v["evidence"].as_array().unwrap().len(), 1);
    let (s, _) = rectify_step(&app, &office, rect, "reopen", "", false).await;
    assert_eq!(s, 422, "a reason is required to reopen");
    let (s, v) = rectify_step(&app, &office, rect, "reopen", "缺少三月份的照片", false).await;
    assert_eq!((s, v["status"].as_str()), (200, Some("open")));
    assert_eq!(v["reopen_reason"], "缺少三月份的照片");
    rectify_step(&app, &head, rect, "answer", "三月份照片已补齐", false).await;
    // Two clerks close it at the same second: one closes, the other is told.
    let mut codes: Vec<u16> = futures_join(vec![
        rectify_step(&app, &office, rect, "close", "", false),
        rectify_step(&app, &office, rect, "close", "", false),
    ])
    .await
    .into_iter()
    .map(|(s, _)| s)
    .collect();
    codes.sort();
    assert_eq!(codes, vec![200, 409]);
    let (_, r) = get(&app, &head, &format!("/api/v1/rectifications/{rect}")).await;
    assert_eq!(r["status"], "closed");
    // Scope: the centre head reads the own centre's inspections only; the other town nothing;
    // a lead department no inspections at all.
    assert_eq!(
        get(&app, &head, &format!("/api/v1/inspections/{id}"))
            .await
            .0,
        404
    );
    assert_eq!(
        get(&app, &head, &format!("/api/v1/inspections/{own_id}"))
            .await
            .0,
        200
    );
    let qiling = app.token("qiling.office").await;
    assert_eq!(
        get(&app, &qiling, &format!("/api/v1/inspections/{own_id}"))
            .await
            .0,
        404
    );
    let shebao = app.token("qunli.shebao").await;
    assert_eq!(get(&app, &shebao, "/api/v1/inspections").await.0, 403);
    // The inspector's page shows the record beside the items and the rectification.
    let page = app
        .page_text(
            &app.login("qunli.office").await,
            &format!("/inspections/{own_id}"),
        )
        .await;
    assert!(
        page.contains("活动照片要按次归档") && page.contains("已销号"),
        "{page}"
    );
    assert!(page.contains("按每月 2 次应不少于"), "{page}");
    let audit = app
        .scalar(&format!(
            "select count(*) from audit_log where action like 'inspections.rectification_%' \
             and subject_id = {rect}"
        ))
        .await;
    assert_eq!(audit, 4, "answered, reopened, answered, closed");
}

both!(an_inspection_is_scored_beside_the_record_and_its_findings_are_put_right);

async fn the_ranking_follows_known_scores_and_weights_and_freezes_on_approval(b: Backend) {
    let app = spawn_app(b).await;
    let office = app.token("qunli.office").await;
    let town = app.node_id("群力镇").await;
    let year = cedu::calendar::Year::current().0;
    let (_, items) = template(&app, "群力镇社区教育学习中心督查评分表").await;
    // 双河村: two inspections, 78 and 90 → 84 %; 群力社区: the demo's June 83 (if in this year)
    // and one of 70 today.
    for (centre, points) in [
        ("双河村学习中心", [20, 18, 12, 8, 10, 10]),
        ("双河村学习中心", [25, 20, 15, 10, 10, 10]),
        ("群力社区学习中心", [20, 15, 10, 5, 10, 10]),
    ] {
        let i = schedule(&app, &office, centre, "unannounced", "").await;
        let (s, v) = post(
            &app,
            &office,
            &format!("/api/v1/inspections/{}/scores", i["id"]),
            json!({"version": i["version"], "scores": scores(&items, &points)}),
        )
        .await;
        assert_eq!(s, 200, "{v}");
    }
    // Weights: inspections only, then half inspections and half rectifications.
    let weights = |i: i64, r: i64| json!({"inspection": i, "activities": 0, "documented": 0, "participation": 0, "rectification": r});
    let (s, v) = put(
        &app,
        &office,
        "/api/v1/assessment",
        json!({"town_id": town, "year": year, "weights": weights(90, 20)}),
    )
    .await;
    assert_eq!(
        (s, field_codes(&v)),
        (
            422,
            vec![("weights".into(), "inspections.weights_sum".into())]
        )
    );
    let (s, a) = put(
        &app,
        &office,
        "/api/v1/assessment",
        json!({"town_id": town, "year": year, "weights": weights(100, 0)}),
    )
    .await;
    assert_eq!(s, 200, "{a}");
    let line = |a: &Value, name: &str| {
        a["lines"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["node_name"] == name)
            .unwrap()
            .clone()
    };
    let shuanghe = line(&a, "双河村学习中心");
    assert_eq!(shuanghe["inspections"], 2);
    assert_eq!(
        shuanghe["parts"]["inspection"], 8400,
        "(78 + 90) / 2 = 84 %"
    );
    assert_eq!(shuanghe["score"], 8400);
    let qunli = line(&a, "群力社区学习中心");
    let n = qunli["inspections"].as_i64().unwrap();
    let expected = if n == 2 { (8300 + 7000) / 2 } else { 7000 };
    assert_eq!(qunli["parts"]["inspection"].as_i64(), Some(expected));
    assert_eq!(shuanghe["rank"], 1);
    assert!(qunli["rank"].as_i64().unwrap() >= 2);
    // Half inspections, half rectifications: 双河村's finding (from the demo none; add one and
    // leave it open) halves its rectification part.
    let i = schedule(&app, &office, "双河村学习中心", "unannounced", "").await;
    let (s, _) = post(
        &app,
        &office,
        &format!("/api/v1/inspections/{}/scores", i["id"]),
        json!({"version": i["version"], "scores": scores(&items, &[21, 18, 12, 8, 10, 9]),
            "findings": [{"finding": "补齐签到表", "due_on": in_days(20)}]}),
    )
    .await;
    assert_eq!(s, 200);
    let (s, a) = put(
        &app,
        &office,
        "/api/v1/assessment",
        json!({"town_id": town, "year": year, "weights": weights(50, 50), "version": a["version"]}),
    )
    .await;
    assert_eq!(s, 200, "{a}");
    let shuanghe = line(&a, "双河村学习中心");
    // Inspections (78 + 90 + 78) / 3 = 82 %; rectifications 0 of 1 closed = 0 %:
    // 0.5 × 82 + 0.5 × 0 = 41.00.
    assert_eq!(shuanghe["parts"]["inspection"], 8200);
    assert_eq!(shuanghe["parts"]["rectification"], 0);
    assert_eq!(shuanghe["score"], 4100);
    // A centre with no inspection and no finding: 0 × 0.5 + 100 % × 0.5 = 50.00.
    let quiet = a["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["inspections"] == 0)
        .expect("a centre not inspected")
        .clone();
    assert_eq!(quiet["score"], 5000, "{quiet}");
    // The breakdown on the page and in the xlsx.
    let web = app.login("qunli.office").await;
    let page = app
        .page_text(&web, &format!("/assessment?year={year}"))
        .await;
    assert!(page.contains("41.00") && page.contains("82.00%"), "{page}");
    let r = web
        .get(app.url(&format!("/assessment/assessment.xlsx?year={year}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let sheet = cedu::spreadsheet::read(&r.bytes().await.unwrap(), "a.xlsx").unwrap();
    let rows: Vec<Vec<String>> = sheet
        .rows
        .iter()
        .map(|r| r.iter().map(|c| c.text()).collect())
        .collect();
    assert!(rows[0][0].contains("年终考核排名"), "{rows:?}");
    assert!(
        rows.iter()
            .any(|r| r.contains(&"双河村学习中心".to_string()) && r.contains(&"41.00".to_string())),
        "{rows:?}"
    );
    // The office cannot approve; the leadership group can, once (two at once: one).
    let (s, _) = post(
        &app,
        &office,
        "/api/v1/assessment/approve",
        json!({"town_id": town, "year": year, "version": a["version"]}),
    )
    .await;
    assert_eq!(s, 403);
    let leader = app.token("qunli.leader").await;
    let (s, v) = post(
        &app,
        &leader,
        "/api/v1/assessment/approve",
        json!({"town_id": town, "year": year, "version": a["version"].as_i64().unwrap() - 1}),
    )
    .await;
    assert_eq!(s, 409, "an older version is not what was approved: {v}");
    let approvals = (0..2).map(|_| {
        let (app, leader) = (&app, &leader);
        let version = a["version"].clone();
        async move {
            post(
                app,
                leader,
                "/api/v1/assessment/approve",
                json!({"town_id": town, "year": year, "version": version}),
            )
            .await
            .0
        }
    });
    let mut codes = futures_join(approvals.collect()).await;
    codes.sort();
    assert_eq!(codes, vec![200, 409]);
    // Frozen: new inspections and weights change nothing.
    let i = schedule(&app, &office, "双河村学习中心", "unannounced", "").await;
    post(
        &app,
        &office,
        &format!("/api/v1/inspections/{}/scores", i["id"]),
        json!({"version": i["version"], "scores": scores(&items, &[0, 0, 0, 0, 0, 0])}),
    )
    .await;
    let (s, v) = put(
        &app,
        &office,
        "/api/v1/assessment",
        json!({"town_id": town, "year": year, "weights": weights(100, 0)}),
    )
    .await;
    assert_eq!(
        (s, reason(&v)),
        (409, "inspections.assessment_frozen"),
        "{v}"
    );
    let (_, frozen) = get(&app, &office, &format!("/api/v1/assessment?year={year}")).await;
    assert_eq!(frozen["approved"], true);
    assert_eq!(frozen["approver_name"], "莫正清");
    assert_eq!(line(&frozen, "双河村学习中心")["score"], 4100);
    // A centre head sees the own centre's line with its rank among the town's.
    let head = app.token("qunli.centre").await;
    let (s, own) = get(&app, &head, &format!("/api/v1/assessment?year={year}")).await;
    assert_eq!(s, 200, "{own}");
    let names: Vec<&str> = own["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["node_name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["群力社区学习中心"]);
    assert_eq!(
        own["lines"][0]["rank"],
        line(&frozen, "群力社区学习中心")["rank"]
    );
    let page = app
        .page_text(&web, &format!("/assessment?year={year}"))
        .await;
    assert!(
        page.contains("已由领导小组审定") && !page.contains("审定并定稿"),
        "{page}"
    );
}

both!(the_ranking_follows_known_scores_and_weights_and_freezes_on_approval);

async fn the_office_adds_a_template_and_a_paper_inspection_from_earlier_in_the_year(b: Backend) {
    let app = spawn_app(b).await;
    let web = app.login("qunli.office").await;
    let csrf = app.csrf(&web).await;
    let r = web
        .post(app.url("/inspections/templates"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("name", "群力镇学习中心季度检查表"),
            ("basis", "办公室例会决定"),
            ("title_1", "活动开展"),
            ("max_1", "60"),
            ("measure_1", "activities"),
            ("title_2", "资料"),
            ("max_2", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("每个检查项目都要填写满分"));
    let r = web
        .post(app.url("/inspections/templates"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("name", "群力镇学习中心季度检查表"),
            ("basis", "办公室例会决定"),
            ("title_1", "活动开展"),
            ("max_1", "60"),
            ("measure_1", "activities"),
            ("title_2", "资料"),
            ("max_2", "40"),
            ("measure_2", "documented"),
        ])
        .send()
        .await
        .unwrap();
    assert!(r.status().is_redirection(), "{}", r.status());
    let office = app.token("qunli.office").await;
    let (_, list) = get(&app, &office, "/api/v1/inspections/templates").await;
    let t = list
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "群力镇学习中心季度检查表")
        .unwrap()
        .clone();
    assert_eq!(t["items"].as_array().unwrap().len(), 2);
    // Qiling does not see Qunli's template.
    let qiling = app.token("qiling.office").await;
    let (_, theirs) = get(&app, &qiling, "/api/v1/inspections/templates").await;
    assert!(
        theirs
            .as_array()
            .unwrap()
            .iter()
            .all(|x| x["name"] != "群力镇学习中心季度检查表")
    );
    // A paper inspection from earlier this year is entered afterwards with its day; the data
    // period starts at the year's beginning (or the centre's setting up).
    let year = cedu::calendar::Year::current().0;
    let day = format!("{year}-01-02").min(today());
    let (s, i) = post(
        &app,
        &office,
        "/api/v1/inspections",
        json!({"node_id": app.node_id("双河村学习中心").await, "template_id": t["id"], "kind": "scheduled", "planned_on": day}),
    )
    .await;
    assert_eq!(s, 201, "{i}");
    let items: Vec<Value> = t["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| json!({"item_id": x["id"], "points": "40"}))
        .collect();
    let (s, v) = post(
        &app,
        &office,
        &format!("/api/v1/inspections/{}/scores", i["id"]),
        json!({"version": i["version"], "scores": items}),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["inspected_on"], day.as_str());
    assert_eq!(v["points"], 80);
    // Bad scheduling: no date, an unknown template, another town's centre.
    let (s, v) = post(
        &app,
        &office,
        "/api/v1/inspections",
        json!({"node_id": app.node_id("双河村学习中心").await, "template_id": 999999, "kind": "scheduled"}),
    )
    .await;
    assert_eq!(s, 422);
    assert_eq!(
        field_codes(&v),
        vec![
            ("template_id".into(), "field.choose".into()),
            ("planned_on".into(), "field.required".into())
        ]
    );
    let (s, _) = post(
        &app,
        &office,
        "/api/v1/inspections",
        json!({"node_id": app.node_id("王齐村工作站").await, "template_id": t["id"], "kind": "unannounced"}),
    )
    .await;
    assert_eq!(s, 404);
}

both!(the_office_adds_a_template_and_a_paper_inspection_from_earlier_in_the_year);
