//! Equipment and venues through the real server, on both databases: the demo's gaps against the
//! seeded standards (hand-counted), an inventory kept and changed (versions, write-off), a
//! purchase booked as an expense in the same transaction, room double booking (also from several
//! clients at once), refusals, scope, pages and the xlsx.

use chrono::{Duration, Utc};
use serde_json::{Value, json};

use crate::both;
use crate::helpers::{Backend, TestApp, field_codes, futures_join, get, post, put, spawn_app};

fn day(offset: i64) -> String {
    (Utc::now() + Duration::hours(8) + Duration::days(offset))
        .date_naive()
        .to_string()
}

/// The gap lines of a place in a town's report: name → (status, to buy, to repair).
fn gaps_of(report: &Value, place: &str) -> Vec<(String, String, i64, i64)> {
    report["centres"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["node_name"] == place)
        .unwrap_or_else(|| panic!("{place} not in {report}"))["gaps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["name"].as_str().unwrap().to_string(),
                g["status"].as_str().unwrap().to_string(),
                g["to_buy"].as_i64().unwrap(),
                g["to_repair"].as_i64().unwrap(),
            )
        })
        .collect()
}

fn gap(name: &str, status: &str, buy: i64, repair: i64) -> (String, String, i64, i64) {
    (name.into(), status.into(), buy, repair)
}

async fn line(app: &TestApp, district: &str, name: &str) -> i64 {
    let d = app.node_id(district).await;
    app.scalar(&format!(
        "select id from equipment_standards where owner_id = {d} and name = '{name}'"
    ))
    .await
}

async fn the_gaps_of_each_centre_follow_the_standard_and_the_inventory(b: Backend) {
    let app = spawn_app(b).await;
    let office = app.token("qunli.office").await;
    let (s, g) = get(&app, &office, "/api/v1/equipment/gaps").await;
    assert_eq!(s, 200, "{g}");
    // 群力社区: 20 desks, TV, blackboard, 4 chess sets good; the amplifier needs repair; 2 balls
    // of 4; computer held, projector optional (never a gap).
    assert_eq!(
        gaps_of(&g, "群力社区学习中心"),
        vec![gap("扩音器", "broken", 0, 1), gap("球类", "short", 2, 0)]
    );
    // 双河村: 12 desks of 20 reused from the school and a blackboard; the rest is missing.
    assert_eq!(
        gaps_of(&g, "双河村学习中心"),
        vec![
            gap("课桌椅", "short", 8, 0),
            gap("电视机", "missing", 1, 0),
            gap("扩音器", "missing", 1, 0),
            gap("棋类", "missing", 4, 0),
            gap("球类", "missing", 4, 0),
        ]
    );
    // Qiling's centre: five function rooms, no courts or table-tennis room; a broken projector.
    let qiling = app.token("qiling.office").await;
    let (_, q) = get(&app, &qiling, "/api/v1/equipment/gaps").await;
    assert_eq!(
        gaps_of(&q, "齐陵街道社区教育中心"),
        vec![
            gap("篮球场", "missing", 1, 0),
            gap("羽毛球场", "missing", 1, 0),
            gap("乒乓球室", "missing", 1, 0),
            gap("投影机", "broken", 0, 1),
        ]
    );
    // Repairing the amplifier closes its gap; the page and the xlsx say the same.
    let centre = app.node_id("群力社区学习中心").await;
    let (_, c) = get(
        &app,
        &office,
        &format!("/api/v1/equipment/centres/{centre}"),
    )
    .await;
    let amp = c["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["name"] == "扩音器")
        .unwrap()
        .clone();
    let id = amp["id"].as_i64().unwrap();
    let change =
        |v: i64| json!({"quantity": "1", "condition": "good", "note": "已修好", "version": v});
    let (s, v) = put(
        &app,
        &office,
        &format!("/api/v1/equipment/items/{id}"),
        change(amp["version"].as_i64().unwrap()),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    // A second clerk with the old version is told, and nothing of theirs is saved.
    let (s, v) = put(
        &app,
        &office,
        &format!("/api/v1/equipment/items/{id}"),
        json!({"quantity": "3", "condition": "broken", "version": amp["version"]}),
    )
    .await;
    assert_eq!(s, 409, "{v}");
    let (_, g) = get(&app, &office, "/api/v1/equipment/gaps").await;
    assert_eq!(
        gaps_of(&g, "群力社区学习中心"),
        vec![gap("球类", "short", 2, 0)]
    );
    let web = app.login("qunli.office").await;
    let page = app.page_text(&web, "/equipment").await;
    assert!(
        page.contains("双河村学习中心") && page.contains("球类 · 数量不足 · 需添置 2个"),
        "{page}"
    );
    let r = web
        .get(app.url("/equipment/gaps.xlsx"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let sheet = cedu::spreadsheet::read(&r.bytes().await.unwrap(), "gaps.xlsx").unwrap();
    let rows: Vec<Vec<String>> = sheet
        .rows
        .iter()
        .map(|r| r.iter().map(|c| c.text()).collect())
        .collect();
    assert!(
        rows[0][0].contains("群力镇社区教育设施设备配备缺口表"),
        "{rows:?}"
    );
    assert!(
        rows.iter()
            .any(|r| r.iter().any(|c| c == "电视机") && r.iter().any(|c| c == "缺少")),
        "{rows:?}"
    );
    // Writing off the blackboard (with its reason) opens a gap; the line stays in the record.
    let board = c["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["name"] == "黑板")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let url = format!("/api/v1/equipment/items/{board}/write-off");
    let (s, v) = post(&app, &office, &url, json!({"reason": ""})).await;
    assert_eq!(
        (s, field_codes(&v)),
        (422, vec![("reason".into(), "field.required".into())])
    );
    let (s, v) = post(&app, &office, &url, json!({"reason": "开裂报废"})).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["written_off_reason"], "开裂报废");
    let (s, _) = post(&app, &office, &url, json!({"reason": "再报废"})).await;
    assert_eq!(s, 409);
    let (_, g) = get(&app, &office, "/api/v1/equipment/gaps").await;
    assert!(gaps_of(&g, "群力社区学习中心").contains(&gap("黑板", "missing", 1, 0)));
    let audit = app
        .scalar("select count(*) from audit_log where action like 'equipment.%'")
        .await;
    assert!(audit >= 2);
}

both!(the_gaps_of_each_centre_follow_the_standard_and_the_inventory);

async fn a_purchase_is_booked_as_an_expense_with_the_equipment_or_not_at_all(b: Backend) {
    let app = spawn_app(b).await;
    let office = app.token("qunli.office").await;
    let centre = app.node_id("双河村学习中心").await;
    let tv = line(&app, "潼南区", "电视机").await;
    let count = |t: &'static str| {
        let app = &app;
        async move { app.scalar(&format!("select count(*) from {t}")).await }
    };
    let (items, expenses) = (count("equipment_items").await, count("fund_expenses").await);
    let today = day(0);
    let body = |amount: &str, reason: Option<&str>| {
        json!({"node_id": centre, "standard_id": tv, "quantity": "1", "condition": "good",
            "source": "office", "acquired_on": today, "amount": amount, "payee": "镇家电商场",
            "over_budget_reason": reason})
    };
    // Beyond the year's funds without the office's reason: refused, neither is written.
    let (s, v) = post(
        &app,
        &office,
        "/api/v1/equipment/items",
        body("9,000,000", None),
    )
    .await;
    assert_eq!(s, 422, "{v}");
    assert_eq!(field_codes(&v)[0].0, "over_budget_reason");
    // Bad amounts are the funds' own refusals.
    for bad in ["-5", "12.345", "20000000"] {
        let (s, v) = post(&app, &office, "/api/v1/equipment/items", body(bad, None)).await;
        assert_eq!(
            (s, field_codes(&v)[0].0.as_str()),
            (422, "amount"),
            "{bad}: {v}"
        );
    }
    assert_eq!(
        (count("equipment_items").await, count("fund_expenses").await),
        (items, expenses)
    );
    let (s, v) = post(
        &app,
        &office,
        "/api/v1/equipment/items",
        body("2,380", Some("应急")),
    )
    .await;
    assert_eq!(s, 201, "{v}");
    let expense = v["expense_id"].as_i64().expect("booked");
    assert_eq!(
        app.text(&format!(
            "select category || ':' || cast(amount_fen as text) || ':' || payee from fund_expenses where id = {expense}"
        ))
        .await,
        "equipment:238000:镇家电商场"
    );
    // A centre head keeps the inventory but does not book the town's money.
    let head = app.token("qunli.centre").await;
    let own = app.node_id("群力社区学习中心").await;
    let (s, _) = post(
        &app,
        &head,
        "/api/v1/equipment/items",
        json!({"node_id": own, "name": "书架", "quantity": "2", "condition": "good",
            "source": "donated", "amount": "300", "payee": "x"}),
    )
    .await;
    assert_eq!(s, 403);
    assert_eq!(count("fund_expenses").await, expenses + 1);
}

both!(a_purchase_is_booked_as_an_expense_with_the_equipment_or_not_at_all);

async fn bad_equipment_input_is_refused_by_field_and_scope_is_kept(b: Backend) {
    let app = spawn_app(b).await;
    let head = app.token("qunli.centre").await;
    let own = app.node_id("群力社区学习中心").await;
    let sibling = app.node_id("双河村学习中心").await;
    let before = app.scalar("select count(*) from equipment_items").await;
    let tomorrow = day(1);
    let (s, v) = post(
        &app,
        &head,
        "/api/v1/equipment/items",
        json!({"node_id": own, "name": "", "quantity": "0", "condition": "新",
            "source": "bought", "acquired_on": tomorrow}),
    )
    .await;
    assert_eq!(s, 422);
    assert_eq!(
        field_codes(&v),
        vec![
            ("name".into(), "field.required".into()),
            ("quantity".into(), "field.whole_number".into()),
            ("condition".into(), "field.choose".into()),
            ("source".into(), "field.choose".into()),
            ("acquired_on".into(), "equipment.acquired_in_future".into()),
        ]
    );
    // Full-width digits are a number; a Qiling line is not one of this centre's standard.
    let qiling_line = line(&app, "临淄区", "投影机").await;
    let (s, v) = post(
        &app,
        &head,
        "/api/v1/equipment/items",
        json!({"node_id": own, "standard_id": qiling_line, "quantity": "２", "condition": "good", "source": "donated"}),
    )
    .await;
    assert_eq!(
        (s, field_codes(&v)),
        (422, vec![("standard_id".into(), "field.choose".into())])
    );
    assert_eq!(
        app.scalar("select count(*) from equipment_items").await,
        before
    );
    let (s, v) = post(
        &app,
        &head,
        "/api/v1/equipment/items",
        json!({"node_id": own, "name": "书架", "quantity": "２", "condition": "good", "source": "donated"}),
    )
    .await;
    assert_eq!((s, v["quantity"].as_i64()), (201, Some(2)), "{v}");
    // Scope: the own centre only; a lead department sees no equipment; the other town nothing.
    let (s, _) = post(
        &app,
        &head,
        "/api/v1/equipment/items",
        json!({"node_id": sibling, "name": "书架", "quantity": "1", "condition": "good", "source": "donated"}),
    )
    .await;
    assert_eq!(s, 404);
    let (_, g) = get(&app, &head, "/api/v1/equipment/gaps").await;
    let places: Vec<&str> = g["centres"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["node_name"].as_str().unwrap())
        .collect();
    assert_eq!(places, vec!["群力社区学习中心"]);
    let shebao = app.token("qunli.shebao").await;
    assert_eq!(get(&app, &shebao, "/api/v1/equipment/gaps").await.0, 403);
    let qiling = app.token("qiling.office").await;
    let id = v["id"].as_i64().unwrap();
    assert_eq!(
        get(&app, &qiling, &format!("/api/v1/equipment/items/{id}"))
            .await
            .0,
        404
    );
    assert_eq!(
        get(&app, &qiling, &format!("/api/v1/equipment/centres/{own}"))
            .await
            .0,
        404
    );
    // The centre head's page has the forms for the own centre; the leadership reads only.
    let web = app.login("qunli.centre").await;
    let html = web
        .get(app.url(&format!("/equipment/centres/{own}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("id=\"item-form\"") && html.contains("书架"),
        "{html}"
    );
    assert!(
        !html.contains("id=\"amount\""),
        "no purchase booking for a centre head"
    );
    let leader = app.login("qunli.leader").await;
    let html = leader
        .get(app.url(&format!("/equipment/centres/{own}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("书架") && !html.contains("id=\"item-form\""));
}

both!(bad_equipment_input_is_refused_by_field_and_scope_is_kept);

async fn plan_in_room(
    app: &TestApp,
    token: &str,
    room: i64,
    title: &str,
    times: (&str, &str),
) -> (u16, Value) {
    let owner = app.node_id("群力社区学习中心").await;
    let theme = app
        .scalar("select id from themes where name = '文体'")
        .await;
    let body = json!({"title": title, "owner_id": owner, "theme_id": theme, "date": day(20),
        "start_time": times.0, "end_time": times.1, "room_id": room});
    post(app, token, "/api/v1/activities", body).await
}

async fn a_room_is_never_booked_twice_at_the_same_time(b: Backend) {
    let app = spawn_app(b).await;
    let office = app.token("qunli.office").await;
    let own = app.node_id("群力社区学习中心").await;
    let (s, room) = post(
        &app,
        &office,
        "/api/v1/equipment/rooms",
        json!({"node_id": own, "name": "多功能厅", "capacity": "80"}),
    )
    .await;
    assert_eq!(s, 201, "{room}");
    let room = room["id"].as_i64().unwrap();
    let (s, v) = post(
        &app,
        &office,
        "/api/v1/equipment/rooms",
        json!({"node_id": own, "name": "多功能厅", "capacity": "十"}),
    )
    .await;
    assert_eq!(
        (s, field_codes(&v)),
        (422, vec![("capacity".into(), "field.whole_number".into())])
    );
    let (s, v) = post(
        &app,
        &office,
        "/api/v1/equipment/rooms",
        json!({"node_id": own, "name": "多功能厅"}),
    )
    .await;
    assert_eq!(
        (s, field_codes(&v)),
        (422, vec![("name".into(), "equipment.room_exists".into())])
    );
    let (s, a) = plan_in_room(&app, &office, room, "太极拳班", ("09:00", "11:00")).await;
    assert_eq!(s, 201, "{a}");
    assert_eq!(a[0]["room_id"].as_i64(), Some(room));
    assert_eq!(a[0]["venue"], "群力社区学习中心 多功能厅");
    let (s, v) = plan_in_room(&app, &office, room, "书法班", ("10:00", "12:00")).await;
    assert_eq!(s, 422);
    assert_eq!(
        field_codes(&v),
        vec![("room_id".into(), "equipment.room_taken".into())]
    );
    let message = v["error"]["fields"][0]["message"].as_str().unwrap_or("");
    assert!(
        message.contains("太极拳班") && message.contains("多功能厅"),
        "{v}"
    );
    // One that begins when the other ends is fine.
    let (s, _) = plan_in_room(&app, &office, room, "书法班", ("11:00", "12:00")).await;
    assert_eq!(s, 201);
    // Moving the first into the second's hour is refused too; cancelling it frees its hour.
    let first = a[0]["id"].as_i64().unwrap();
    let (s, _) = put(
        &app,
        &office,
        &format!("/api/v1/activities/{first}"),
        json!({"title": "太极拳班", "owner_id": own, "theme_id": a[0]["theme_id"], "date": day(20),
            "start_time": "10:30", "end_time": "11:30", "room_id": room}),
    )
    .await;
    assert_eq!(s, 422);
    let (s, v) = post(
        &app,
        &office,
        &format!("/api/v1/activities/{first}/transition"),
        json!({"action": "cancel", "reason": "场地改作他用"}),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    let (s, _) = plan_in_room(&app, &office, room, "合唱班", ("09:00", "10:30")).await;
    assert_eq!(s, 201);
    // Six clerks book the room's afternoon at the same second: exactly one gets it.
    let tries = (0..6).map(|i| {
        let (app, office) = (&app, &office);
        async move {
            plan_in_room(app, office, room, &format!("下午班{i}"), ("14:00", "16:00"))
                .await
                .0
        }
    });
    let mut codes = futures_join(tries.collect()).await;
    codes.sort();
    assert_eq!(codes, vec![201, 422, 422, 422, 422, 422]);
    assert_eq!(
        app.scalar(&format!(
            "select count(*) from activities where room_id = {room} and title like '下午班%'"
        ))
        .await,
        1
    );
    // A closed room takes no booking.
    let (s, _) = post(
        &app,
        &office,
        &format!("/api/v1/equipment/rooms/{room}/close"),
        json!({}),
    )
    .await;
    assert_eq!(s, 200);
    let (s, v) = plan_in_room(&app, &office, room, "晚班", ("19:00", "20:00")).await;
    assert_eq!(
        (s, field_codes(&v)),
        (422, vec![("room_id".into(), "field.choose".into())])
    );
}

both!(a_room_is_never_booked_twice_at_the_same_time);

async fn the_district_keeps_its_standard_list(b: Backend) {
    let app = spawn_app(b).await;
    let web = app.login("tongnan").await;
    let csrf = app.csrf(&web).await;
    let r = web
        .post(app.url("/equipment/standards"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("applies_to", "centre"),
            ("kind", "item"),
            ("name", "图书柜"),
            ("quantity", "1"),
            ("unit", "个"),
            ("required", "1"),
            ("basis", "潼南区社区教育学院通知"),
        ])
        .send()
        .await
        .unwrap();
    assert!(r.status().is_redirection(), "{}", r.status());
    let office = app.token("qunli.office").await;
    let (_, g) = get(&app, &office, "/api/v1/equipment/gaps").await;
    assert!(gaps_of(&g, "群力社区学习中心").contains(&gap("图书柜", "missing", 1, 0)));
    // Linzi's list does not apply in Tongnan; Tongnan cannot retire Linzi's line.
    let (_, lines) = get(&app, &office, "/api/v1/equipment/standards").await;
    assert!(
        lines
            .as_array()
            .unwrap()
            .iter()
            .all(|l| l["name"] != "乒乓球室")
    );
    let tongnan = app.token("tongnan").await;
    let linzi_line = line(&app, "临淄区", "乒乓球室").await;
    let (s, _) = post(
        &app,
        &tongnan,
        &format!("/api/v1/equipment/standards/{linzi_line}/retire"),
        json!({}),
    )
    .await;
    assert_eq!(s, 404);
    // An empty form is refused by field, in Chinese, on the page.
    let r = web
        .post(app.url("/equipment/standards"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("applies_to", "centre"),
            ("kind", "item"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("此项必填"), "{html}");
    // The office reads the list but does not change it.
    let (s, _) = post(&app, &office, "/api/v1/equipment/standards", json!({"kind": "item",
        "applies_to": "centre", "name": "x", "unit": "个", "quantity": "1", "required": true, "basis": "x"})).await;
    assert_eq!(s, 403);
}

both!(the_district_keeps_its_standard_list);
