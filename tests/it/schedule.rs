//! The annual schedule (配档表) through the real server: Qiling's attachment imported from the xlsx
//! LibreOffice wrote (merged months), exported and printed in the same layout, copied forward;
//! rows by hand with their refusals; a unit's own rows marked done with evidence; a row done by
//! a documented activity, linked or of its special-event kind; scope; two clerks at once.

use serde_json::{Value, json};

use crate::both;
use crate::concurrency::png;
use crate::helpers::{Backend, TestApp, api, field_codes, get, post, put, reason, spawn_app};
use crate::people::upload;

const FIXTURE: &[u8] = include_bytes!("../fixtures/qiling-schedule.xlsx");

/// Imports a sheet as a schedule for a town and confirms it; the preview's batch.
async fn import(app: &TestApp, token: &str, town: &str, bytes: Vec<u8>) -> Value {
    let (s, batch) = upload(app, token, "schedule", town, "配档表.xlsx", bytes).await;
    assert_eq!(s, 201, "{batch}");
    if batch["valid_rows"].as_i64().unwrap_or(0) > 0 {
        let id = batch["id"].as_i64().unwrap();
        let (s, v) = post(
            app,
            token,
            &format!("/api/v1/imports/{id}/confirm"),
            json!({}),
        )
        .await;
        assert_eq!(s, 200, "{v}");
    }
    batch
}

async fn qilings_schedule_is_entered_from_the_xlsx_as_printed(b: Backend) {
    let app = spawn_app(b).await;
    let office = app.token("qiling.office").await;
    let batch = import(&app, &office, "齐陵街道", FIXTURE.to_vec()).await;
    assert_eq!(
        (batch["total_rows"].as_i64(), batch["valid_rows"].as_i64()),
        (Some(20), Some(20)),
        "{batch}"
    );
    let (s, year) = get(&app, &office, "/api/v1/schedule?year=2021").await;
    assert_eq!(s, 200, "{year}");
    let rows = year["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 20);
    let mut months: Vec<&str> = rows.iter().map(|r| r["months"].as_str().unwrap()).collect();
    months.dedup();
    assert_eq!(months.len(), 11, "{months:?}");
    assert_eq!((months[0], months[10]), ("1-2月", "12月"));
    let march = rows.iter().find(|r| r["item"] == "庆三八系列活动").unwrap();
    assert_eq!(march["months"], "3月");
    assert_eq!(march["units"][0]["name"], "齐陵街道办事处");
    assert_eq!(
        march["units"][0]["node_id"].as_i64(),
        Some(app.node_id("齐陵街道办事处").await),
        "a unit printed as the tree names it is that node"
    );
    // 2021 is past: every row not done is overdue.
    assert_eq!(year["overdue"], 20);

    // The export is the same layout: the import reads it back as the same 20 lines.
    let r = app
        .login("qiling.office")
        .await
        .get(app.url("/schedule/schedule.xlsx?year=2021"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let bytes = r.bytes().await.unwrap();
    let sheet = cedu::spreadsheet::read(&bytes, "配档表.xlsx").unwrap();
    assert!(!sheet.merged.is_empty(), "months stay merged in the export");
    let back = cedu::schedule::read_printed(&sheet, 2030).unwrap();
    assert_eq!(back.year, 2021, "the title names the year");
    let lines: Vec<(String, String, String)> = back
        .rows
        .iter()
        .map(|(_, l)| {
            let l = l.as_ref().unwrap();
            (l.months.label(), l.item.clone(), l.units.join("、"))
        })
        .collect();
    let stored: Vec<(String, String, String)> = rows
        .iter()
        .map(|r| {
            let units: Vec<&str> = r["units"]
                .as_array()
                .unwrap()
                .iter()
                .map(|u| u["name"].as_str().unwrap())
                .collect();
            (
                r["months"].as_str().unwrap().to_string(),
                r["item"].as_str().unwrap().to_string(),
                units.join("、"),
            )
        })
        .collect();
    assert_eq!(lines, stored);

    // The A4 page prints the months merged over their rows, under the title.
    let page = app
        .page_text(
            &app.login("qiling.office").await,
            "/schedule/print?year=2021",
        )
        .await;
    assert!(page.contains("2021年齐陵街道社区教育工作配档表"), "{page}");
    let html = app
        .login("qiling.office")
        .await
        .get(app.url("/schedule/print?year=2021"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(html.matches("rowspan=").count(), 11, "one cell per month");

    // The same file again adds nothing: each row is already in 2021.
    let again = import(&app, &office, "齐陵街道", FIXTURE.to_vec()).await;
    assert_eq!(again["valid_rows"], 0, "{again}");
    assert_eq!(again["errors"].as_array().unwrap().len(), 20);
    assert_eq!(again["errors"][0]["key"], "schedule.duplicate");

    // Copied forward into 2022: the same rows, nothing done; a second copy is refused.
    let town = app.node_id("齐陵街道").await;
    let (s, v) = post(
        &app,
        &office,
        "/api/v1/schedule/copy",
        json!({"town_id": town, "year": 2021}),
    )
    .await;
    assert_eq!((s, v["rows"].as_i64()), (201, Some(20)), "{v}");
    let (_, next) = get(&app, &office, "/api/v1/schedule?year=2022").await;
    assert_eq!(next["rows"].as_array().unwrap().len(), 20);
    assert_eq!(next["done"], 0);
    let (s, v) = post(
        &app,
        &office,
        "/api/v1/schedule/copy",
        json!({"town_id": town, "year": 2021}),
    )
    .await;
    assert_eq!(
        (s, reason(&v)),
        (409, "schedule.next_year_not_empty"),
        "{v}"
    );
    let audit = app
        .scalar(
            "select count(*) from audit_log where action in ('people.imported', 'schedule.copied')",
        )
        .await;
    assert!(audit >= 2);
}

async fn a_bad_sheet_is_refused_naming_the_row_or_column(b: Backend) {
    let app = spawn_app(b).await;
    let office = app.token("qiling.office").await;
    let t = |s: &str| s.to_string();
    let table = |headers: Vec<String>, rows: Vec<Vec<String>>| cedu::spreadsheet::Table {
        sheet_name: "配档表".into(),
        headers,
        rows,
        ..Default::default()
    };
    // A column the schedule does not have.
    let extra = table(
        vec![t("月份"), t("工作安排"), t("主管单位"), t("完成情况")],
        vec![vec![
            t("3月"),
            t("庆三八系列活动"),
            t("齐陵街道办事处"),
            t("已完成"),
        ]],
    );
    let bytes = cedu::spreadsheet::to_xlsx(&extra).unwrap();
    let (s, v) = upload(&app, &office, "schedule", "齐陵街道", "x.xlsx", bytes).await;
    assert_eq!((s, reason(&v)), (400, "schedule.unknown_columns"), "{v}");
    assert!(
        v["error"]["message"].as_str().unwrap().contains("完成情况"),
        "{v}"
    );
    // An empty month no merge covers, a month that is no month, a row without a unit.
    let bad = table(
        vec![t("月份"), t("工作安排"), t("主管单位")],
        vec![
            vec![t("3月"), t("植树节志愿活动"), t("齐陵街道办事处")],
            vec![t(""), t("社会实践活动"), t("齐陵街道中心校")],
            vec![t("13月"), t("年度总结"), t("齐陵街道社区教育中心")],
            vec![t("4月"), t("读书月"), t("")],
        ],
    );
    let bytes = cedu::spreadsheet::to_xlsx(&bad).unwrap();
    let before = app.scalar("select count(*) from schedule_rows").await;
    let (s, batch) = upload(&app, &office, "schedule", "齐陵街道", "bad.xlsx", bytes).await;
    assert_eq!(s, 201, "{batch}");
    assert_eq!(batch["valid_rows"], 1);
    let errors: Vec<(i64, String)> = batch["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["row"].as_i64().unwrap(),
                e["key"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        errors,
        [
            (3, "field.required".to_string()),
            (4, "schedule.months_invalid".to_string()),
            (5, "schedule.unit_required".to_string()),
        ]
    );
    let rows = app.scalar("select count(*) from schedule_rows").await;
    assert_eq!(rows, before, "nothing written before confirmation");
}

async fn a_unit_marks_its_own_row_done_with_evidence(b: Backend) {
    let app = spawn_app(b).await;
    let office = app.token("qunli.office").await;
    let centre = app.token("qunli.centre").await;
    let leader = app.token("qunli.leader").await;
    let other = app.token("qiling.office").await;
    let town = app.node_id("群力镇").await;
    let this_year = cedu::calendar::Year::current().0;
    let add = |year: i32, months: &'static str, item: &'static str, units: &'static str| {
        let (app, office) = (&app, &office);
        async move {
            post(app, office, "/api/v1/schedule/rows",
                json!({"town_id": town, "year": year, "months": months, "item": item, "units": units}))
                .await
        }
    };
    let (s, mine) = add(
        this_year,
        "全年",
        "社区读书沙龙",
        "群力社区学习中心、区文明办",
    )
    .await;
    assert_eq!(s, 201, "{mine}");
    assert_eq!(mine["status"], "under_way", "全年, this year");
    assert_eq!(
        mine["units"][0]["node_id"].as_i64(),
        Some(app.node_id("群力社区学习中心").await)
    );
    assert_eq!(
        mine["units"][1]["node_id"],
        Value::Null,
        "a unit outside the tree keeps its name"
    );
    let (_, other_row) = add(this_year, "全年", "家庭教育讲座", "社保所").await;
    let (_, past) = add(this_year - 1, "3月", "庆三八系列活动", "群力镇人民政府").await;
    assert_eq!(past["status"], "overdue");
    assert_eq!(
        past["units"][0]["node_id"].as_i64(),
        Some(town),
        "the office's printed name is the town"
    );
    let (_, future) = add(
        this_year + 1,
        "5-6月",
        "全民终身学习活动周",
        "群力镇社区教育学校",
    )
    .await;
    assert_eq!(future["status"], "planned");

    // Refusals, each naming its field; nothing written.
    let before = app.scalar("select count(*) from schedule_rows").await;
    let (s, v) = add(this_year, "3月", "植树活动", "").await;
    assert_eq!(
        (s, field_codes(&v)),
        (422, vec![("units".into(), "schedule.unit_required".into())])
    );
    let (s, v) = add(this_year, "13月", "植树活动", "群力镇").await;
    assert_eq!(
        (s, field_codes(&v)),
        (
            422,
            vec![("months".into(), "schedule.months_invalid".into())]
        )
    );
    let (s, v) = add(this_year, "全年", "社区读书沙龙", "群力镇").await;
    assert_eq!(
        (s, field_codes(&v)),
        (422, vec![("item".into(), "schedule.duplicate".into())])
    );
    let (s, v) = add(1999, "3月", "植树活动", "群力镇").await;
    assert_eq!(
        (s, field_codes(&v)),
        (422, vec![("year".into(), "schedule.year_invalid".into())])
    );
    assert_eq!(
        app.scalar("select count(*) from schedule_rows").await,
        before
    );

    // The centre head sees only the rows naming the centre.
    let (s, own) = get(&app, &centre, &format!("/api/v1/schedule?year={this_year}")).await;
    assert_eq!(s, 200, "{own}");
    assert_eq!(own["whole"], false);
    let items: Vec<&str> = own["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["item"].as_str().unwrap())
        .collect();
    assert!(
        items.contains(&"社区读书沙龙") && !items.contains(&"家庭教育讲座"),
        "{items:?}"
    );
    let named = app
        .scalar(&format!(
            "select count(distinct r.id) from schedule_rows r join schedule_units u on u.row_id = r.id \
             where r.year = {this_year} and u.node_id = {}",
            app.node_id("群力社区学习中心").await
        ))
        .await;
    assert_eq!(
        items.len() as i64,
        named,
        "every row naming the centre, no other"
    );
    let (mine_id, other_id) = (
        mine["id"].as_i64().unwrap(),
        other_row["id"].as_i64().unwrap(),
    );
    assert_eq!(
        get(&app, &centre, &format!("/api/v1/schedule/rows/{other_id}"))
            .await
            .0,
        404
    );
    // Leadership reads the whole year and marks nothing; the other town sees nothing.
    let (_, whole) = get(&app, &leader, &format!("/api/v1/schedule?year={this_year}")).await;
    let in_town = app
        .scalar(&format!(
            "select count(*) from schedule_rows where town_id = {town} and year = {this_year}"
        ))
        .await;
    assert_eq!(whole["rows"].as_array().unwrap().len() as i64, in_town);
    assert_eq!(whole["whole"], true);
    assert_eq!(
        mark(&app, &leader, mine_id, "已办", Some(png())).await.0,
        403
    );
    assert_eq!(
        get(&app, &other, &format!("/api/v1/schedule/rows/{mine_id}"))
            .await
            .0,
        404
    );
    assert_eq!(
        mark(&app, &centre, other_id, "已办", Some(png())).await.0,
        404
    );

    let (_, table) = get(&app, &office, &format!("/api/v1/schedule?year={this_year}")).await;
    let done_before = table["done"].as_i64().unwrap();
    // Marking needs a note and evidence.
    let (s, v) = mark(&app, &centre, mine_id, "", None).await;
    assert_eq!(s, 422);
    assert_eq!(
        field_codes(&v),
        [
            ("note".into(), "field.required".into()),
            ("file".into(), "schedule.evidence_required".into())
        ]
    );
    let (s, v) = mark(
        &app,
        &centre,
        mine_id,
        "全年共举办读书会 12 次",
        Some(b"not a picture".to_vec()),
    )
    .await;
    assert_eq!(
        (s, field_codes(&v)),
        (
            422,
            vec![("file".into(), "attachments.type_document".into())]
        )
    );
    let (s, done) = mark(
        &app,
        &centre,
        mine_id,
        "全年共举办读书会 12 次",
        Some(png()),
    )
    .await;
    assert_eq!(s, 200, "{done}");
    assert_eq!(done["status"], "done");
    assert_eq!(done["done_by"], "群力社区学习中心负责人");
    assert_eq!(done["evidence"].as_array().unwrap().len(), 1);
    let (s, v) = mark(&app, &centre, mine_id, "再次", Some(png())).await;
    assert_eq!((s, reason(&v)), (409, "schedule.already_done"));
    let file = done["evidence"][0]["id"].as_i64().unwrap();
    let page = app.login("qunli.office").await;
    let r = page
        .get(app.url(&format!("/schedule/files/{file}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    assert_eq!(&r.bytes().await.unwrap()[..4], b"\x89PNG");
    let outsider = app.login("qiling.office").await;
    let r = outsider
        .get(app.url(&format!("/schedule/files/{file}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let (_, table) = get(&app, &office, &format!("/api/v1/schedule?year={this_year}")).await;
    assert_eq!(table["done"].as_i64(), Some(done_before + 1));
    let audited = app
        .scalar(&format!("select count(*) from audit_log where action = 'schedule.marked_done' and subject_id = {mine_id}"))
        .await;
    assert_eq!(audited, 1);

    // Reopened with a reason: under way again, the evidence kept.
    let (s, v) = post(
        &app,
        &centre,
        &format!("/api/v1/schedule/rows/{mine_id}/reopen"),
        json!({"reason": ""}),
    )
    .await;
    assert_eq!(s, 422, "{v}");
    let (s, v) = post(
        &app,
        &centre,
        &format!("/api/v1/schedule/rows/{mine_id}/reopen"),
        json!({"reason": "误标"}),
    )
    .await;
    assert_eq!((s, v["status"].as_str()), (200, Some("under_way")), "{v}");
    assert_eq!(v["evidence"].as_array().unwrap().len(), 1);

    // The office's page shows the year with plan against done.
    let text = app
        .page_text(&page, &format!("/schedule?year={this_year}"))
        .await;
    assert!(
        text.contains("社区读书沙龙") && text.contains("家庭教育讲座"),
        "{text}"
    );
    let text = app
        .page_text(
            &app.login("qunli.centre").await,
            &format!("/schedule?year={this_year}"),
        )
        .await;
    assert!(
        text.contains("社区读书沙龙") && !text.contains("家庭教育讲座"),
        "{text}"
    );
}

/// Marks a row done through the API's multipart form.
async fn mark(
    app: &TestApp,
    token: &str,
    id: i64,
    note: &str,
    file: Option<Vec<u8>>,
) -> (u16, Value) {
    let mut form = reqwest::multipart::Form::new().text("note", note.to_string());
    if let Some(bytes) = file {
        form = form.part(
            "file",
            reqwest::multipart::Part::bytes(bytes).file_name("现场.png"),
        );
    }
    let r = app
        .client()
        .post(app.url(&format!("/api/v1/schedule/rows/{id}/done")))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or_default())
}

async fn a_documented_activity_carries_its_row_out(b: Backend) {
    let app = spawn_app(b).await;
    let office = app.token("qunli.office").await;
    let town = app.node_id("群力镇").await;
    // A documented activity of the demo's year so far, and its month.
    let id = app
        .scalar(&format!(
            "select min(id) from activities where town_id = {town} and status = 'documented'"
        ))
        .await;
    let (_, a) = get(&app, &office, &format!("/api/v1/activities/{id}")).await;
    let starts = chrono::DateTime::parse_from_rfc3339(a["starts_at"].as_str().unwrap()).unwrap();
    let day = cedu::calendar::Day::of(starts.with_timezone(&chrono::Utc));
    let (year, month) = (day.year(), day.month().month);
    let months = format!("{month}月");
    let (s, row) = post(&app, &office, "/api/v1/schedule/rows",
        json!({"town_id": town, "year": year, "months": months, "item": "健康讲座进社区", "units": "社保所"})).await;
    assert_eq!(s, 201, "{row}");
    let row_id = row["id"].as_i64().unwrap();
    assert_ne!(row["status"], "done");
    let (s, linked) = post(
        &app,
        &office,
        &format!("/api/v1/schedule/rows/{row_id}/activities"),
        json!({"activity_id": id}),
    )
    .await;
    assert_eq!(s, 200, "{linked}");
    assert_eq!(
        linked["status"], "done",
        "a linked documented activity carries the row out"
    );
    assert_eq!(linked["carried"][0]["activity_id"].as_i64(), Some(id));
    // An activity of another year cannot be linked.
    let (_, other) = post(&app, &office, "/api/v1/schedule/rows",
        json!({"town_id": town, "year": year + 1, "months": "全年", "item": "健康讲座进社区", "units": "社保所"})).await;
    let (s, v) = post(
        &app,
        &office,
        &format!("/api/v1/schedule/rows/{}/activities", other["id"]),
        json!({"activity_id": id}),
    )
    .await;
    assert_eq!(
        (s, field_codes(&v)),
        (
            422,
            vec![("activity_id".into(), "schedule.activity_elsewhere".into())]
        )
    );

    // A special-event row is carried out by a documented activity of its kind in its months.
    app.exec(&format!(
        "update activities set special_event = 'learning_week' where id = {id}"
    ))
    .await
    .unwrap();
    let (_, week) = post(
        &app,
        &office,
        "/api/v1/schedule/rows",
        json!({"town_id": town, "year": year, "months": months, "item": "全民终身学习活动周",
               "units": "群力镇社区教育学校", "special_event": "learning_week"}),
    )
    .await;
    assert_eq!(week["status"], "done", "{week}");
    assert_eq!(week["carried"][0]["by_kind"], true);
    let (_, elsewhere) = post(
        &app,
        &office,
        "/api/v1/schedule/rows",
        json!({"town_id": town, "year": year + 1, "months": "全年", "item": "全民终身学习活动周",
               "units": "群力镇社区教育学校", "special_event": "learning_week"}),
    )
    .await;
    assert_ne!(
        elsewhere["status"], "done",
        "another year's activity does not count"
    );
    let (s, v) = post(&app, &office, "/api/v1/schedule/rows",
        json!({"town_id": town, "year": year, "months": "全年", "item": "x", "units": "群力镇", "special_event": "party"})).await;
    assert_eq!(
        (s, field_codes(&v)),
        (422, vec![("special_event".into(), "field.choose".into())])
    );
}

async fn two_clerks_at_once(b: Backend) {
    let app = std::sync::Arc::new(spawn_app(b).await);
    let office = app.token("qunli.office").await;
    let town = app.node_id("群力镇").await;
    // A year of its own (the demo's schedule is this year's).
    let year = cedu::calendar::Year::current().0 + 3;
    // Eight clients add rows to the same year at once: every one is kept.
    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(8));
    let mut tasks = Vec::new();
    for i in 0..8 {
        let (app, office, barrier) = (app.clone(), office.clone(), barrier.clone());
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            let body = json!({"town_id": town, "year": year, "months": format!("{}月", i + 1),
                "item": format!("并发工作{i}"), "units": "群力镇"});
            post(&app, &office, "/api/v1/schedule/rows", body).await
        }));
    }
    let mut answers = Vec::new();
    for t in tasks {
        answers.push(t.await.unwrap());
    }
    assert!(answers.iter().all(|(s, _)| *s == 201), "{answers:?}");
    let (_, table) = get(&app, &office, &format!("/api/v1/schedule?year={year}")).await;
    assert_eq!(table["rows"].as_array().unwrap().len(), 8);
    // Two clerks edit the same row from the same version: one is saved, the other told.
    let row = &answers[0].1;
    let id = row["id"].as_i64().unwrap();
    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(2));
    let mut edits = Vec::new();
    for item in ["甲改的", "乙改的"] {
        let (app, office, barrier) = (app.clone(), office.clone(), barrier.clone());
        let body =
            json!({"months": "1月", "item": item, "units": "群力镇", "version": row["version"]});
        edits.push(tokio::spawn(async move {
            barrier.wait().await;
            put(&app, &office, &format!("/api/v1/schedule/rows/{id}"), body).await
        }));
    }
    let mut results = Vec::new();
    for e in edits {
        results.push(e.await.unwrap());
    }
    let mut statuses: Vec<u16> = results.iter().map(|r| r.0).collect();
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 409], "{results:?}");
    let loser = results.iter().find(|r| r.0 == 409).unwrap();
    assert_eq!(reason(&loser.1), "schedule.changed_meanwhile");
    let (s, _) = api(
        &app,
        reqwest::Method::DELETE,
        Some(&office),
        &format!("/api/v1/schedule/rows/{id}"),
        None,
    )
    .await;
    assert_eq!(s, 204);
    assert_eq!(
        get(&app, &office, &format!("/api/v1/schedule/rows/{id}"))
            .await
            .0,
        404
    );
}

/// The year's table counts the teacher trainings held against the plan's 2–3 (Q四(四)3) and says
/// so on the page while there are fewer than 2; trainings entered afterwards count.
async fn the_year_counts_teacher_trainings_against_the_plan(b: Backend) {
    let app = spawn_app(b).await;
    let office = app.token("qunli.office").await;
    let year = cedu::calendar::Year::current().0 - 1;
    let path = format!("/api/v1/schedule?year={year}");
    let (s, t) = get(&app, &office, &path).await;
    assert_eq!(s, 200, "{t}");
    assert_eq!(
        (
            t["teacher_trainings"].as_i64(),
            t["trainings_below_plan"].as_bool()
        ),
        (Some(0), Some(true))
    );
    let page = app.login("qunli.office").await;
    let text = app
        .page_text(&page, &format!("/schedule?year={year}"))
        .await;
    assert!(
        text.contains("本年已办教师培训 0") && text.contains("教师培训少于计划的 2 次"),
        "{text}"
    );
    let school = app.node_id("群力镇社区教育学校").await;
    let theme = app.scalar("select min(id) from themes").await;
    for (day, title) in [
        ("03-14", "学习中心管理人员培训"),
        ("09-19", "兼职教师教学能力培训"),
    ] {
        let (s, v) = post(
            &app,
            &office,
            "/api/v1/activities/held",
            json!({"title": title, "owner_id": school, "theme_id": theme,
                "date": format!("{year}-{day}"), "start_time": "09:00", "end_time": "11:30",
                "special_event": "teacher_training"}),
        )
        .await;
        assert_eq!(s, 201, "{v}");
    }
    let (_, t) = get(&app, &office, &path).await;
    assert_eq!(
        (
            t["teacher_trainings"].as_i64(),
            t["trainings_below_plan"].as_bool()
        ),
        (Some(2), Some(false))
    );
    let text = app
        .page_text(&page, &format!("/schedule?year={year}"))
        .await;
    assert!(
        text.contains("本年已办教师培训 2") && !text.contains("教师培训少于计划"),
        "{text}"
    );
}

both!(
    the_year_counts_teacher_trainings_against_the_plan,
    qilings_schedule_is_entered_from_the_xlsx_as_printed,
    a_bad_sheet_is_refused_naming_the_row_or_column,
    a_unit_marks_its_own_row_done_with_evidence,
    a_documented_activity_carries_its_row_out,
    two_clerks_at_once,
);
