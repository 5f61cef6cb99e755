//! The town's funds through the real server: the budget against 2 yuan per resident from known
//! populations (hand-computed), the lecture-fee rules for each excluded kind of teacher, amounts
//! refused as a clerk mistypes them, spending beyond the funds, the training register's flags,
//! scope, and eight clerks booking at once against the same funds.

use serde_json::{Value, json};

use crate::both;
use crate::helpers::{Backend, TestApp, field_codes, get, post, spawn_app};

/// Gives Qunli's eight communities known populations: seven of 4,000 and 群力社区 6,123, so
/// 34,123 residents and a floor of 68,246.00 yuan.
async fn known_population(app: &TestApp) -> i64 {
    let town = app.node_id("群力镇").await;
    let path = app
        .text(&format!("select path from org_nodes where id = {town}"))
        .await;
    app.exec(&format!(
        "update org_nodes set population = 4000 where kind = 'community' and path like '{path}%'"
    ))
    .await
    .unwrap();
    app.exec("update org_nodes set population = 6123 where name = '群力社区'")
        .await
        .unwrap();
    town
}

async fn income(
    app: &TestApp,
    token: &str,
    town: i64,
    year: i32,
    channel: &str,
    amount: &str,
) -> (u16, Value) {
    post(
        app,
        token,
        "/api/v1/funds/incomes",
        json!({"town_id": town, "year": year, "date": format!("{year}-03-01"), "channel": channel,
               "amount": amount, "source": "群力镇人民政府"}),
    )
    .await
}

async fn the_budget_is_held_against_two_yuan_a_resident(b: Backend) {
    let app = spawn_app(b).await;
    let office = app.token("qunli.office").await;
    let town = known_population(&app).await;
    let year = 2031;
    income(&app, &office, town, year, "government", "60,000").await;
    let (s, f) = get(&app, &office, &format!("/api/v1/funds?year={year}")).await;
    assert_eq!(s, 200, "{f}");
    assert_eq!(f["population"], 34_123);
    assert_eq!(
        f["floor_fen"], 6_824_600,
        "34,123 × 2 yuan = 68,246.00 yuan"
    );
    assert_eq!(f["government_fen"], 6_000_000);
    assert_eq!(f["shortfall_fen"], 824_600, "8,246.00 yuan short");
    assert_eq!(f["per_capita_fen"], 175, "60,000 / 34,123 = 1.75 yuan");
    let page = app.login("qunli.office").await;
    let text = app.page_text(&page, &format!("/funds?year={year}")).await;
    assert!(
        text.contains("还差 8,246.00 元") && text.contains("68,246.00"),
        "{text}"
    );
    // Other channels do not count towards the floor; the government's own top-up does.
    income(&app, &office, town, year, "donation", "10000").await;
    let (_, f) = get(&app, &office, &format!("/api/v1/funds?year={year}")).await;
    assert_eq!(
        (f["shortfall_fen"].as_i64(), f["income_fen"].as_i64()),
        (Some(824_600), Some(7_000_000))
    );
    let (s, _) = income(&app, &office, town, year, "government", "8246").await;
    assert_eq!(s, 201);
    let (_, f) = get(&app, &office, &format!("/api/v1/funds?year={year}")).await;
    assert_eq!(f["shortfall_fen"], 0, "exactly at the floor");
    let text = app.page_text(&page, &format!("/funds?year={year}")).await;
    assert!(text.contains("达到人均 2 元"), "{text}");
    // The budget execution as xlsx says the same.
    let r = page
        .get(app.url(&format!("/funds/funds.xlsx?year={year}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let sheet = cedu::spreadsheet::read(&r.bytes().await.unwrap(), "x.xlsx").unwrap();
    let all: Vec<String> = sheet.rows.iter().flatten().map(|c| c.text()).collect();
    assert!(all.iter().any(|c| c.contains("68,246.00")), "{all:?}");
}

async fn bad_amounts_and_dates_are_refused_naming_the_field(b: Backend) {
    let app = spawn_app(b).await;
    let office = app.token("qunli.office").await;
    let town = app.node_id("群力镇").await;
    let before = app.scalar("select count(*) from fund_incomes").await;
    for (amount, code) in [
        ("-100", "funding.amount_negative"),
        ("10000000.01", "funding.amount_too_large"),
        ("12.345", "funding.amount_decimals"),
        ("一百", "funding.amount_invalid"),
        ("0", "funding.amount_zero"),
    ] {
        let (s, v) = income(&app, &office, town, 2031, "government", amount).await;
        assert_eq!(
            (s, field_codes(&v)),
            (422, vec![("amount".into(), code.into())]),
            "{amount}"
        );
    }
    let (s, v) = post(&app, &office, "/api/v1/funds/incomes",
        json!({"town_id": town, "year": 2031, "date": "2030-12-31", "channel": "government", "amount": "100"})).await;
    assert_eq!(
        (s, field_codes(&v)),
        (
            422,
            vec![("date".into(), "funding.date_outside_year".into())]
        )
    );
    assert_eq!(
        app.scalar("select count(*) from fund_incomes").await,
        before,
        "nothing half-written"
    );
    // The biggest amount allowed is kept to the fen.
    let (s, v) = income(&app, &office, town, 2031, "government", "9,999,999.99").await;
    assert_eq!((s, v["amount_fen"].as_i64()), (201, Some(999_999_999)));
}

/// A teacher of the town school's pool.
async fn teacher(app: &TestApp, office: &str, name: &str, ty: &str, source: &str) -> i64 {
    let school = app.node_id("群力镇社区教育学校").await;
    let (s, v) = post(
        app,
        office,
        "/api/v1/teachers",
        json!({"name": name, "node_id": school,
        "teacher_type": ty, "source": source, "theme_ids": []}),
    )
    .await;
    assert_eq!(s, 201, "{v}");
    v["id"].as_i64().unwrap()
}

async fn lecture_fees_follow_the_plan(b: Backend) {
    let app = spawn_app(b).await;
    let office = app.token("qunli.office").await;
    let town = app.node_id("群力镇").await;
    let year = cedu::calendar::Year::current().0;
    income(&app, &office, town, year, "government", "100000").await;
    let expert = teacher(&app, &office, "李建国", "part_time", "expert").await;
    let volunteer = teacher(&app, &office, "王志愿", "volunteer", "retired_teacher").await;
    let cadre = teacher(&app, &office, "赵干部", "part_time", "government_staff").await;
    let community = teacher(&app, &office, "钱社工", "part_time", "community_staff").await;
    let theme = app.scalar("select min(id) from themes").await;
    let school = app.node_id("群力镇社区教育学校").await;
    let yesterday = (cedu::calendar::Day::today().plus_days(-1)).to_string();
    let (s, held) = post(
        &app,
        &office,
        "/api/v1/activities/held",
        json!({"title": "健康讲座",
        "owner_id": school, "theme_id": theme, "date": yesterday, "start_time": "09:00",
        "end_time": "10:30", "teacher_ids": [expert, volunteer, cadre, community]}),
    )
    .await;
    assert_eq!(s, 201, "{held}");
    let activity = held["id"].as_i64().unwrap();
    let fee = |teacher: i64, activity: Option<i64>| {
        json!({"town_id": town, "year": year, "date": cedu::calendar::Day::today().to_string(),
               "category": "lecture_fee", "amount": "300", "payee": "授课教师", "node_id": school,
               "teacher_id": teacher, "activity_id": activity})
    };
    let before = app.scalar("select count(*) from fund_expenses").await;
    for (t, code) in [
        (volunteer, "funding.no_fee_volunteer"),
        (cadre, "funding.no_fee_government"),
        (community, "funding.no_fee_community"),
    ] {
        let (s, v) = post(
            &app,
            &office,
            "/api/v1/funds/expenses",
            fee(t, Some(activity)),
        )
        .await;
        assert_eq!(
            (s, field_codes(&v)),
            (422, vec![("teacher_id".into(), code.into())]),
            "{v}"
        );
        assert!(
            v["error"]["fields"][0]["message"]
                .as_str()
                .unwrap()
                .contains("不发授课费")
        );
    }
    // A fee for an activity the teacher did not teach, or one not held yet.
    let (_, other) = post(
        &app,
        &office,
        "/api/v1/activities/held",
        json!({"title": "书法课",
        "owner_id": school, "theme_id": theme, "date": yesterday, "start_time": "14:00",
        "end_time": "15:00", "teacher_ids": []}),
    )
    .await;
    let (s, v) = post(
        &app,
        &office,
        "/api/v1/funds/expenses",
        fee(expert, other["id"].as_i64()),
    )
    .await;
    assert_eq!(
        (s, field_codes(&v)),
        (
            422,
            vec![("activity_id".into(), "funding.fee_not_taught".into())]
        )
    );
    let (s, v) = post(&app, &office, "/api/v1/funds/expenses", fee(expert, None)).await;
    assert_eq!(
        (s, field_codes(&v)),
        (
            422,
            vec![("activity_id".into(), "funding.fee_needs_activity".into())]
        )
    );
    assert_eq!(
        app.scalar("select count(*) from fund_expenses").await,
        before
    );
    // The expert who taught the held activity is paid.
    let (s, e) = post(
        &app,
        &office,
        "/api/v1/funds/expenses",
        fee(expert, Some(activity)),
    )
    .await;
    assert_eq!(s, 201, "{e}");
    assert_eq!(
        (e["amount_fen"].as_i64(), e["teacher_name"].as_str()),
        (Some(30_000), Some("李建国"))
    );
    // Its voucher, then the ledger per category and per unit.
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(crate::concurrency::png()).file_name("发票.png"),
    );
    let r = app
        .client()
        .post(app.url(&format!("/api/v1/funds/expenses/{}/vouchers", e["id"])))
        .bearer_auth(&office)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let (_, f) = get(&app, &office, &format!("/api/v1/funds?year={year}")).await;
    let lecture = f["by_category"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["category"] == "lecture_fee")
        .unwrap();
    assert_eq!(lecture["spent_fen"], 30_000);
    let school_line = f["by_node"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["node_name"] == "群力镇社区教育学校")
        .unwrap();
    assert!(school_line["spent_fen"].as_i64().unwrap() >= 30_000);
    let booked = f["expenses"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == e["id"])
        .unwrap();
    assert_eq!(booked["vouchers"], 1);
}

async fn spending_beyond_the_funds_needs_the_offices_reason(b: Backend) {
    let app = std::sync::Arc::new(spawn_app(b).await);
    let office = app.token("qunli.office").await;
    let town = app.node_id("群力镇").await;
    let school = app.node_id("群力镇社区教育学校").await;
    let year = 2032;
    income(&app, &office, town, year, "government", "1000").await;
    // Eight clerks book 200 yuan each at once against 1,000 yuan: five fit, three are told.
    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(8));
    let mut tasks = Vec::new();
    for i in 0..8 {
        let (app, office, barrier) = (app.clone(), office.clone(), barrier.clone());
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            post(
                &app,
                &office,
                "/api/v1/funds/expenses",
                json!({"town_id": town, "year": year,
                "date": format!("{year}-04-0{}", i + 1), "category": "activity", "amount": "200",
                "payee": format!("文具店{i}"), "node_id": school}),
            )
            .await
        }));
    }
    let mut statuses = Vec::new();
    for t in tasks {
        let (s, v) = t.await.unwrap();
        if s == 422 {
            assert_eq!(
                field_codes(&v),
                [(
                    "over_budget_reason".to_string(),
                    "funding.over_budget".to_string()
                )]
            );
        }
        statuses.push(s);
    }
    statuses.sort_unstable();
    assert_eq!(statuses, [201, 201, 201, 201, 201, 422, 422, 422]);
    let (_, f) = get(&app, &office, &format!("/api/v1/funds?year={year}")).await;
    assert_eq!(
        (f["spent_fen"].as_i64(), f["balance_fen"].as_i64()),
        (Some(100_000), Some(0))
    );
    // With the office's reason it is booked, and the audit log keeps the reason.
    let (s, e) = post(
        &app,
        &office,
        "/api/v1/funds/expenses",
        json!({"town_id": town, "year": year,
        "date": format!("{year}-05-01"), "category": "equipment", "amount": "450.5",
        "payee": "电器商店", "node_id": school, "over_budget_reason": "音响损坏,党委同意先行垫付"}),
    )
    .await;
    assert_eq!(s, 201, "{e}");
    let reason = app
        .text(&format!("select after_json from audit_log where action = 'funding.expense_booked' and subject_id = {}", e["id"]))
        .await;
    assert!(
        reason.contains("音响损坏") && reason.contains("-450.50"),
        "{reason}"
    );
}

async fn the_training_register_flags_shares_outside_the_plan(b: Backend) {
    let app = spawn_app(b).await;
    let office = app.token("qiling.office").await;
    let town = app.node_id("齐陵街道").await;
    let add = |kind: &'static str, name: &'static str, base: &'static str, spend: &'static str| {
        let (app, office) = (&app, &office);
        async move {
            post(
                app,
                office,
                "/api/v1/funds/register",
                json!({"town_id": town, "year": 2031,
                "kind": kind, "name": name, "base": base, "spend": spend}),
            )
            .await
        }
    };
    let (s, a) = add("enterprise", "齐鲁石化配件厂", "1,000,000", "15,000").await;
    assert_eq!(
        (s, a["share_bp"].as_i64(), a["flagged"].as_bool()),
        (201, Some(150), Some(false)),
        "{a}"
    );
    let (_, low) = add("enterprise", "临淄纺织厂", "2,000,000", "20,000").await;
    assert_eq!(
        (low["share_bp"].as_i64(), low["flagged"].as_bool()),
        (Some(100), Some(true))
    );
    let (_, high) = add("enterprise", "齐陵建材公司", "400,000", "12,000").await;
    assert_eq!(
        (high["share_bp"].as_i64(), high["flagged"].as_bool()),
        (Some(300), Some(true))
    );
    let (_, school) = add("school", "齐陵街道中心校", "800,000", "39,999").await;
    assert_eq!(
        (school["share_bp"].as_i64(), school["flagged"].as_bool()),
        (Some(500), Some(true)),
        "4.99995 % rounds to 5.00 % yet is under"
    );
    let (s, v) = add("school", "齐陵街道中心校", "800,000", "40,000").await;
    assert_eq!(
        (s, field_codes(&v)),
        (
            422,
            vec![("name".into(), "funding.register_duplicate".into())]
        )
    );
    let (_, list) = get(&app, &office, "/api/v1/funds/register?year=2031").await;
    assert_eq!(list.as_array().unwrap().len(), 4);
}

async fn funds_are_the_offices_and_leaderships_only(b: Backend) {
    let app = spawn_app(b).await;
    let office = app.token("qunli.office").await;
    let town = app.node_id("群力镇").await;
    let school = app.node_id("群力镇社区教育学校").await;
    income(&app, &office, town, 2031, "government", "5000").await;
    let (_, e) = post(&app, &office, "/api/v1/funds/expenses", json!({"town_id": town, "year": 2031,
        "date": "2031-06-01", "category": "activity", "amount": "120", "payee": "打印店", "node_id": school})).await;
    let id = e["id"].as_i64().unwrap();
    assert_eq!(
        get(&app, "qunli.leader", "/api/v1/funds?year=2031").await.0,
        401,
        "a user name is no token"
    );
    let leader = app.token("qunli.leader").await;
    assert_eq!(get(&app, &leader, "/api/v1/funds?year=2031").await.0, 200);
    assert_eq!(
        get(&app, &leader, &format!("/api/v1/funds/expenses/{id}"))
            .await
            .0,
        200
    );
    let (s, _) = income(&app, &leader, town, 2031, "government", "1").await;
    assert_eq!(s, 403, "leadership reads, the office books");
    for user in ["qunli.shebao", "qunli.centre", "qunli.teacher"] {
        let t = app.token(user).await;
        assert_eq!(
            get(&app, &t, "/api/v1/funds?year=2031").await.0,
            403,
            "{user}"
        );
        assert_eq!(
            get(&app, &t, &format!("/api/v1/funds/expenses/{id}"))
                .await
                .0,
            403,
            "{user}"
        );
    }
    let qiling = app.token("qiling.office").await;
    assert_eq!(
        get(&app, &qiling, &format!("/api/v1/funds/expenses/{id}"))
            .await
            .0,
        404
    );
    assert_eq!(
        get(
            &app,
            &qiling,
            &format!("/api/v1/funds?year=2031&town_id={town}")
        )
        .await
        .0,
        404
    );
    let (s, _) = income(&app, &qiling, town, 2031, "government", "1").await;
    assert_eq!(s, 404, "another town's funds do not exist for Qiling");
}

/// The expense form offers every activity the town held this year, the latest first (a lecture
/// fee for December's class is booked from the page, however many the year had).
async fn the_expense_form_offers_every_held_activity_of_the_year(b: Backend) {
    let app = spawn_app(b).await;
    let town = app.node_id("群力镇").await;
    let year = cedu::calendar::Year::current();
    let held = app
        .texts(&format!(
            "select cast(id as text) from activities where town_id = {town} \
             and status in ('held', 'documented', 'archived') order by starts_at desc, id desc"
        ))
        .await;
    assert!(!held.is_empty());
    let page = app.login("qunli.office").await;
    let html = page
        .get(app.url(&format!("/funds?year={}", year.0)))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let select = html
        .split("id=\"expense-activity\"")
        .nth(1)
        .and_then(|rest| rest.split("</select>").next())
        .expect("the activity select");
    let offered: Vec<&str> = select
        .split("<option value=\"")
        .skip(2)
        .filter_map(|o| o.split('"').next())
        .collect();
    let this_year: Vec<String> = app
        .texts(&format!(
            "select cast(id as text) from activities where town_id = {town} \
             and status in ('held', 'documented', 'archived') \
             and starts_at >= '{}' and starts_at < '{}' order by starts_at desc, id desc",
            year.start().format("%Y-%m-%d %H:%M:%S"),
            year.end().format("%Y-%m-%d %H:%M:%S")
        ))
        .await;
    assert_eq!(offered.len(), this_year.len(), "{select}");
    assert_eq!(
        offered.first().copied(),
        this_year.first().map(String::as_str)
    );
}

both!(
    the_expense_form_offers_every_held_activity_of_the_year,
    the_budget_is_held_against_two_yuan_a_resident,
    bad_amounts_and_dates_are_refused_naming_the_field,
    lecture_fees_follow_the_plan,
    spending_beyond_the_funds_needs_the_offices_reason,
    the_training_register_flags_shares_outside_the_plan,
    funds_are_the_offices_and_leaderships_only,
);
