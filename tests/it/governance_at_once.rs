//! The governance modules from several clients at the same second, through the real server on
//! both databases: two clerks changing one inventory line, four purchases booked with their
//! expenses, one inspection scored from two clients, the assessment's weights set twice at once,
//! one family nominated twice at once, results decided on paper entered at once within the
//! quota, one schedule row marked done twice, incomes and register entries saved together. Each time: the winners are kept whole, the others are told in words,
//! nothing is half-written.

use serde_json::{Value, json};

use crate::both;
use crate::helpers::{Backend, futures_join, get, post, put, reason, spawn_app};

fn sorted(mut codes: Vec<u16>) -> Vec<u16> {
    codes.sort_unstable();
    codes
}

async fn inventory_lines_and_purchases(b: Backend) {
    let app = spawn_app(b).await;
    let office = app.token("qunli.office").await;
    let centre = app.node_id("群力社区学习中心").await;
    let (_, c) = get(
        &app,
        &office,
        &format!("/api/v1/equipment/centres/{centre}"),
    )
    .await;
    let line = c["items"].as_array().unwrap()[0].clone();
    let id = line["id"].as_i64().unwrap();
    // Two clerks change the same line from the same version: one is saved, the other told.
    let change = |quantity: &'static str| {
        let (app, office, version) = (&app, &office, line["version"].clone());
        async move {
            put(
                app,
                office,
                &format!("/api/v1/equipment/items/{id}"),
                json!({"quantity": quantity, "condition": "good", "version": version}),
            )
            .await
        }
    };
    let answers = futures_join(vec![change("7"), change("9")]).await;
    assert_eq!(
        sorted(answers.iter().map(|a| a.0).collect()),
        [200, 409],
        "{answers:?}"
    );
    let loser = answers.iter().find(|a| a.0 == 409).unwrap();
    assert_eq!(reason(&loser.1), "equipment.changed_meanwhile");
    let winner = answers.iter().find(|a| a.0 == 200).unwrap();
    let stored = app
        .scalar(&format!(
            "select cast(quantity as bigint) from equipment_items where id = {id}"
        ))
        .await;
    assert_eq!(Some(stored), winner.1["quantity"].as_i64());
    // Four purchases at once: each line with its own expense, nothing lost or doubled.
    let count = |sql: &'static str| {
        let app = &app;
        async move { app.scalar(sql).await }
    };
    let items = count("select count(*) from equipment_items").await;
    let expenses = count("select count(*) from fund_expenses where category = 'equipment'").await;
    let today = cedu::calendar::Day::today().to_string();
    let buy = |i: usize| {
        let (app, office, today) = (&app, &office, today.clone());
        async move {
            post(
                app,
                office,
                "/api/v1/equipment/items",
                json!({"node_id": centre, "name": format!("折叠椅{i}"), "unit": "把",
                    "quantity": "10", "condition": "good", "source": "office",
                    "acquired_on": today, "amount": "300", "payee": format!("家具店{i}"),
                    "over_budget_reason": "年底集中采购"}),
            )
            .await
        }
    };
    let bought = futures_join((0..4).map(buy).collect()).await;
    assert!(bought.iter().all(|(s, _)| *s == 201), "{bought:?}");
    let mut booked: Vec<i64> = bought
        .iter()
        .map(|(_, v)| v["expense_id"].as_i64().unwrap())
        .collect();
    booked.sort_unstable();
    booked.dedup();
    assert_eq!(booked.len(), 4);
    assert_eq!(
        count("select count(*) from equipment_items").await,
        items + 4
    );
    assert_eq!(
        count("select count(*) from fund_expenses where category = 'equipment'").await,
        expenses + 4
    );
}

async fn scored_and_weighed_from_two_clients(b: Backend) {
    let app = spawn_app(b).await;
    let office = app.token("qunli.office").await;
    let template = app
        .scalar(
            "select id from inspection_templates where name = '群力镇社区教育学习中心督查评分表'",
        )
        .await;
    let items: Vec<i64> = app
        .texts(&format!(
            "select cast(id as text) from inspection_template_items where template_id = {template}"
        ))
        .await
        .iter()
        .map(|s| s.parse().unwrap())
        .collect();
    let (s, i) = post(
        &app,
        &office,
        "/api/v1/inspections",
        json!({"node_id": app.node_id("双河村学习中心").await, "template_id": template,
            "kind": "unannounced"}),
    )
    .await;
    assert_eq!(s, 201, "{i}");
    let id = i["id"].as_i64().unwrap();
    // Two inspectors enter the same sheet at once: one set of scores is kept whole.
    let score = |points: i64| {
        let (app, office, version) = (&app, &office, i["version"].clone());
        let scores: Vec<Value> = items
            .iter()
            .map(|item| json!({"item_id": item, "points": points.to_string()}))
            .collect();
        async move {
            post(
                app,
                office,
                &format!("/api/v1/inspections/{id}/scores"),
                json!({"version": version, "scores": scores}),
            )
            .await
        }
    };
    let answers = futures_join(vec![score(5), score(6)]).await;
    assert_eq!(
        sorted(answers.iter().map(|a| a.0).collect()),
        [200, 409],
        "{answers:?}"
    );
    let winner = &answers.iter().find(|a| a.0 == 200).unwrap().1;
    let per_item = if winner["points"] == json!(5 * items.len()) {
        5
    } else {
        6
    };
    assert_eq!(
        app.scalar(&format!(
            "select count(*) from inspection_scores where inspection_id = {id} and points = {per_item}"
        ))
        .await,
        items.len() as i64
    );
    assert_eq!(
        app.scalar(&format!(
            "select count(*) from inspection_scores where inspection_id = {id}"
        ))
        .await,
        items.len() as i64
    );
    // The weights of a new year set from two clients at once, then changed from one version.
    let town = app.node_id("群力镇").await;
    let year = cedu::calendar::Year::current().0 + 2;
    let weigh = |inspection: i64, version: Value| {
        let (app, office) = (&app, &office);
        async move {
            put(
                app,
                office,
                "/api/v1/assessment",
                json!({"town_id": town, "year": year, "version": version,
                    "weights": {"inspection": inspection, "activities": 100 - inspection,
                    "documented": 0, "participation": 0, "rectification": 0}}),
            )
            .await
        }
    };
    let first = futures_join(vec![weigh(60, Value::Null), weigh(70, Value::Null)]).await;
    assert_eq!(
        sorted(first.iter().map(|a| a.0).collect()),
        [200, 409],
        "{first:?}"
    );
    let kept = &first.iter().find(|a| a.0 == 200).unwrap().1;
    let told = &first.iter().find(|a| a.0 == 409).unwrap().1;
    assert_eq!(reason(told), "inspections.changed_meanwhile_plain");
    let again = futures_join(vec![
        weigh(80, kept["version"].clone()),
        weigh(90, kept["version"].clone()),
    ])
    .await;
    assert_eq!(
        sorted(again.iter().map(|a| a.0).collect()),
        [200, 409],
        "{again:?}"
    );
    let (_, a) = get(
        &app,
        &office,
        &format!("/api/v1/assessment?town_id={town}&year={year}"),
    )
    .await;
    let won = &again.iter().find(|a| a.0 == 200).unwrap().1;
    assert_eq!(a["weights"], won["weights"]);
}

async fn nominations_and_schedule_rows_at_once(b: Backend) {
    let app = spawn_app(b).await;
    let (office, centre) = (
        app.token("qunli.office").await,
        app.token("qunli.centre").await,
    );
    let town = app.node_id("群力镇").await;
    let year = cedu::calendar::Year::current().0 + 1;
    let (s, round) = post(
        &app,
        &office,
        "/api/v1/awards/rounds",
        json!({"town_id": town, "year": year, "title": "评选", "deadline": format!("{year}-12-31"),
            "categories": [{"category": "learning_family", "quota": 3}]}),
    )
    .await;
    assert_eq!(s, 201, "{round}");
    let round = round["round"]["id"].as_i64().unwrap();
    let community = app.node_id("群力社区").await;
    let family = app
        .scalar(&format!(
            "select min(id) from households where community_id = {community}"
        ))
        .await;
    // The same family nominated from two phones at once: one nomination.
    let nominate = || {
        let (app, centre) = (&app, &centre);
        async move {
            post(
                app,
                centre,
                &format!("/api/v1/awards/rounds/{round}/nominations"),
                json!({"category": "learning_family", "nominee_id": family,
                    "deeds": "全家坚持参加社区读书会。"}),
            )
            .await
        }
    };
    let answers = futures_join(vec![nominate(), nominate()]).await;
    assert_eq!(
        sorted(answers.iter().map(|a| a.0).collect()),
        [201, 422],
        "{answers:?}"
    );
    assert_eq!(
        app.scalar(&format!(
            "select count(*) from nominations where round_id = {round}"
        ))
        .await,
        1
    );
    // Results decided on paper for a past round entered by two clerks at once: the same family
    // once; of three families against the two places left in its quota of three, two are kept.
    let families: Vec<i64> = app
        .texts(&format!(
            "select cast(id as text) from households where community_id = {community} \
             order by id limit 4 offset 1"
        ))
        .await
        .iter()
        .map(|s| s.parse().unwrap())
        .collect();
    let past = cedu::calendar::Year::current().0 - 4;
    let (s, paper) = post(
        &app,
        &office,
        "/api/v1/awards/rounds",
        json!({"town_id": town, "year": past, "title": "往年评选",
            "deadline": format!("{past}-11-30"),
            "categories": [{"category": "learning_family", "quota": 3}]}),
    )
    .await;
    assert_eq!(s, 201, "{paper}");
    let paper = paper["round"]["id"].as_i64().unwrap();
    let decided = |household: i64| {
        let (app, office) = (&app, &office);
        let on = format!("{past}-12-20");
        async move {
            post(
                app,
                office,
                &format!("/api/v1/awards/rounds/{paper}/decided"),
                json!({"category": "learning_family", "nominee_id": household,
                    "deeds": "全家坚持参加社区学习。", "decided_on": on,
                    "decided_by": "领导小组会议"}),
            )
            .await
        }
    };
    let answers = futures_join(vec![decided(families[0]), decided(families[0])]).await;
    assert_eq!(
        sorted(answers.iter().map(|a| a.0).collect()),
        [201, 422],
        "{answers:?}"
    );
    let answers = futures_join(families[1..].iter().map(|f| decided(*f)).collect()).await;
    assert_eq!(
        sorted(answers.iter().map(|a| a.0).collect()),
        [201, 201, 409],
        "{answers:?}"
    );
    assert_eq!(
        reason(&answers.iter().find(|a| a.0 == 409).unwrap().1),
        "commendation.quota_full"
    );
    assert_eq!(
        app.scalar(&format!(
            "select count(*) from nominations where round_id = {paper} and status = 'approved'"
        ))
        .await,
        3
    );
    // A schedule row marked done by two clients at once: done once, audited once.
    let (s, row) = post(
        &app,
        &office,
        "/api/v1/schedule/rows",
        json!({"town_id": town, "year": year, "months": "3月", "item": "社区教育工作例会",
            "units": "群力镇"}),
    )
    .await;
    assert_eq!(s, 201, "{row}");
    let id = row["id"].as_i64().unwrap();
    let done = || {
        let (app, office) = (&app, &office);
        async move {
            let form = reqwest::multipart::Form::new().text("note", "已召开").part(
                "file",
                reqwest::multipart::Part::bytes(crate::concurrency::png())
                    .file_name("会议照片.png"),
            );
            let r = app
                .client()
                .post(app.url(&format!("/api/v1/schedule/rows/{id}/done")))
                .bearer_auth(office)
                .multipart(form)
                .send()
                .await
                .unwrap();
            let s = r.status().as_u16();
            (s, r.json::<Value>().await.unwrap_or_default())
        }
    };
    let answers = futures_join(vec![done(), done()]).await;
    assert_eq!(
        sorted(answers.iter().map(|a| a.0).collect()),
        [200, 409],
        "{answers:?}"
    );
    assert_eq!(
        reason(&answers.iter().find(|a| a.0 == 409).unwrap().1),
        "schedule.already_done"
    );
    assert_eq!(
        app.scalar(&format!(
            "select count(*) from audit_log where action = 'schedule.marked_done' and subject_id = {id}"
        ))
        .await,
        1
    );
}

async fn incomes_and_register_entries_at_once(b: Backend) {
    let app = spawn_app(b).await;
    let office = app.token("qiling.office").await;
    let town = app.node_id("齐陵街道").await;
    let year = 2034;
    // Five incomes at the same second: every fen kept.
    let income = |i: usize| {
        let (app, office) = (&app, &office);
        async move {
            post(
                app,
                office,
                "/api/v1/funds/incomes",
                json!({"town_id": town, "year": year, "date": format!("{year}-03-0{}", i + 1),
                    "channel": "donation", "amount": format!("{}.25", 100 + i)}),
            )
            .await
        }
    };
    let answers = futures_join((0..5).map(income).collect()).await;
    assert!(answers.iter().all(|(s, _)| *s == 201), "{answers:?}");
    let (_, f) = get(&app, &office, &format!("/api/v1/funds?year={year}")).await;
    // 100.25 + 101.25 + 102.25 + 103.25 + 104.25 = 511.25 yuan.
    assert_eq!(f["income_fen"].as_i64(), Some(51_125), "{f}");
    // The same enterprise entered twice at once: one entry, the other told it is there.
    let enter = || {
        let (app, office) = (&app, &office);
        async move {
            post(
                app,
                office,
                "/api/v1/funds/register",
                json!({"town_id": town, "year": year, "kind": "enterprise",
                    "name": "齐鲁石化配件厂", "base": "1,000,000", "spend": "20,000"}),
            )
            .await
        }
    };
    let answers = futures_join(vec![enter(), enter()]).await;
    assert_eq!(
        sorted(answers.iter().map(|a| a.0).collect()),
        [201, 422],
        "{answers:?}"
    );
    assert_eq!(
        app.scalar(&format!(
            "select count(*) from training_register where year = {year} and name = '齐鲁石化配件厂'"
        ))
        .await,
        1
    );
}

both!(
    inventory_lines_and_purchases,
    scored_and_weighed_from_two_clients,
    nominations_and_schedule_rows_at_once,
    incomes_and_register_entries_at_once,
);
