//! A town that adopts cedu in the middle of its year: activities already held are recorded
//! afterwards (补录) with their attendance and evidence, the grid counts them, and a centre is
//! held to the rule of two a month only from its setup date. Over real HTTP, on both databases.

use chrono::{Datelike, Duration, Utc};
use serde_json::{Value, json};

use crate::both;
use crate::helpers::{Backend, TestApp, futures_join, get, post, spawn_app, text_of};
use crate::people::upload;

fn today() -> chrono::NaiveDate {
    (Utc::now() + Duration::hours(8)).date_naive()
}

async fn theme(app: &TestApp, name: &str) -> i64 {
    app.scalar(&format!("select id from themes where name = '{name}'"))
        .await
}

async fn record(app: &TestApp, token: &str, owner: &str, date: &str, title: &str) -> (u16, Value) {
    let body = json!({"title": title, "owner_id": app.node_id(owner).await,
        "theme_id": theme(app, "家庭教育").await, "date": date, "start_time": "14:00",
        "end_time": "16:00"});
    post(app, token, "/api/v1/activities/held", body).await
}

fn row<'a>(grid: &'a Value, centre: &str) -> &'a Value {
    grid["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["centre_name"] == centre)
        .unwrap_or_else(|| panic!("{centre} in {grid}"))
}

fn months(v: &Value) -> Vec<u64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_u64().unwrap())
        .collect()
}

/// Last year's March, entered from paper by the centre head: held straight away, outside review
/// and the 15-day notice, marked in the grid, the audit log and the activity; its head count and
/// a photo make it documented. A date after today, a lead department (who takes no attendance)
/// and a centre outside the head's scope are refused with a clear reason.
async fn a_centre_head_records_last_years_activities_from_paper(b: Backend) {
    let app = spawn_app(b).await;
    let head = app.token("wangqi").await;
    let year = today().year() - 1;
    let mut ids = Vec::new();
    for (date, title) in [
        (format!("{year}-03-08"), "庆三八插花活动"),
        (format!("{year}-03-22"), "春季健康讲座"),
        (format!("{year}-05-04"), "青年读书会"),
    ] {
        let (s, v) = record(&app, &head, "王齐村工作站", &date, title).await;
        assert_eq!(s, 201, "{v}");
        assert_eq!(
            (
                v["status"].as_str(),
                v["recorded_afterwards"].as_bool(),
                v["late"].as_bool()
            ),
            (Some("held"), Some(true), Some(false)),
            "{v}"
        );
        ids.push(v["id"].as_i64().unwrap());
    }
    let (s, grid) = get(&app, &head, &format!("/api/v1/activities/grid?year={year}")).await;
    assert_eq!(s, 200, "{grid}");
    let wangqi = row(&grid, "王齐村工作站");
    assert_eq!(wangqi["counts"][2], 2, "{wangqi}");
    assert_eq!(wangqi["recorded_afterwards"][2], 2);
    assert_eq!(wangqi["recorded_afterwards"][4], 1);
    let below = months(&wangqi["below"]);
    assert!(!below.contains(&3), "March has its two: {below:?}");
    assert!(below.contains(&5) && below.contains(&1), "{below:?}");
    assert!(months(&wangqi["not_set_up"]).is_empty(), "set up in 2020");
    // The page marks them, and each month's number opens the list behind it.
    let web = app.login("wangqi").await;
    let page = web
        .get(app.url(&format!("/activities/grid?year={year}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("补2"), "{}", text_of(&page));
    let owner = app.node_id("王齐村工作站").await;
    let link = format!("/activities?owner_id={owner}&month={year}-03");
    let escaped = format!("/activities?owner_id={owner}&#38;month={year}-03");
    assert!(page.contains(&escaped), "{link}");
    let list = web
        .get(app.url(&link))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let list = text_of(&list);
    assert!(
        list.contains("庆三八插花活动") && list.contains("补录") && !list.contains("青年读书会"),
        "{list}"
    );
    // The audit log says it was entered afterwards.
    assert_eq!(
        app.scalar(&format!(
            "select count(*) from audit_log where action = 'activities.recorded_afterwards' \
             and subject_id in ({}, {}, {})",
            ids[0], ids[1], ids[2]
        ))
        .await,
        3
    );
    // Attendance from the paper sheet and a photo, then documented like any other.
    let id = ids[0];
    let (s, v) = post(
        &app,
        &head,
        &format!("/api/v1/activities/{id}/head-count"),
        json!({"head_count": 26}),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    let photo = {
        let img = image::DynamicImage::new_rgb8(32, 24);
        let mut out = Vec::new();
        img.write_to(
            &mut std::io::Cursor::new(&mut out),
            image::ImageFormat::Jpeg,
        )
        .unwrap();
        out
    };
    let form = reqwest::multipart::Form::new().text("kind", "photo").part(
        "file",
        reqwest::multipart::Part::bytes(photo).file_name("三八.jpg"),
    );
    let r = app
        .client()
        .post(app.url(&format!("/api/v1/activities/{id}/files")))
        .bearer_auth(&head)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let (s, v) = post(
        &app,
        &head,
        &format!("/api/v1/activities/{id}/document"),
        json!({"summary": "据纸质签到表补录,26 人参加"}),
    )
    .await;
    assert_eq!((s, v["status"].as_str()), (200, Some("documented")), "{v}");
    // Refusals.
    let tomorrow = (today() + Duration::days(1)).to_string();
    let (s, v) = record(&app, &head, "王齐村工作站", &tomorrow, "明天的活动").await;
    assert_eq!(s, 422, "{v}");
    assert!(
        v["error"]["fields"][0]["message"]
            .as_str()
            .unwrap()
            .contains("不能晚于今天"),
        "{v}"
    );
    let (s, v) = record(
        &app,
        &head,
        "薛家村工作站",
        &format!("{year}-03-08"),
        "别处",
    )
    .await;
    assert_eq!(s, 422, "another centre is not the head's to record: {v}");
    let dept = app.token("qunli.shebao").await;
    let (s, _) = record(
        &app,
        &dept,
        "双河村学习中心",
        &format!("{year}-03-08"),
        "讲座",
    )
    .await;
    assert_eq!(s, 403, "a lead department takes no attendance");
    assert_eq!(
        app.scalar(
            "select count(*) from activities a join org_nodes o on o.id = a.owner_id \
             where a.recorded_afterwards and a.title in ('庆三八插花活动', '春季健康讲座', \
             '青年读书会', '明天的活动', '别处', '讲座')"
        )
        .await,
        3,
        "nothing refused was stored"
    );
}

/// A centre set up this month is not behind for the months before it; one still being set up is
/// held to nothing; the months are shown as not set up, and the file leaves them blank ("—").
async fn the_grid_counts_a_centre_from_its_setup_date(b: Backend) {
    let app = spawn_app(b).await;
    let office = app.token("qiling.office").await;
    let t = today();
    let community = app.node_id("王齐村").await;
    let new_centre = |name: &str, status: &str, date: Option<String>| {
        json!({"parent_id": community, "kind": "centre", "name": name,
            "subtype": "work_station", "setup_status": status, "setup_date": date})
    };
    let (s, v) = post(
        &app,
        &office,
        "/api/v1/org/nodes",
        new_centre("王齐村第二工作站", "set_up", Some(t.to_string())),
    )
    .await;
    assert_eq!(s, 201, "{v}");
    let (s, v) = post(
        &app,
        &office,
        "/api/v1/org/nodes",
        new_centre("王齐村筹建工作站", "in_progress", None),
    )
    .await;
    assert_eq!(s, 201, "{v}");
    let (_, grid) = get(
        &app,
        &office,
        &format!("/api/v1/activities/grid?year={}", t.year()),
    )
    .await;
    let fresh = row(&grid, "王齐村第二工作站");
    let before: Vec<u64> = (1..t.month() as u64).collect();
    assert_eq!(months(&fresh["not_set_up"]), before, "{fresh}");
    assert_eq!(
        months(&fresh["below"]),
        vec![t.month() as u64],
        "only this month, which has begun, can be behind"
    );
    let planned = row(&grid, "王齐村筹建工作站");
    assert!(months(&planned["below"]).is_empty(), "{planned}");
    assert_eq!(months(&planned["not_set_up"]).len(), 12);
    // An older station is still behind for every month of the year that has no activities.
    let old = row(&grid, "薛家村工作站");
    assert!(months(&old["not_set_up"]).is_empty());
    // The file shows the months before setup as "—", not as a starred zero.
    let web = app.login("qiling.office").await;
    let csv = web
        .get(app.url(&format!("/activities/grid.csv?year={}", t.year())))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let line = csv
        .lines()
        .find(|l| l.starts_with("王齐村第二工作站"))
        .expect("the new station's line");
    let cells: Vec<&str> = line.split(',').collect();
    if t.month() > 1 {
        assert_eq!(cells[2], "—", "{line}");
    }
    assert_eq!(cells[1 + t.month() as usize], "0*", "{line}");
}

both!(
    a_centre_head_records_last_years_activities_from_paper,
    the_grid_counts_a_centre_from_its_setup_date
);

/// A year of past activities from a sheet laid out like the template (a date cell, a typed date, a
/// time typed with a full-width colon): the good rows are recorded afterwards with their head
/// count and the residents of the paper sheet; each bad row is reported at its column with the
/// reason; the same sheet imported again records nothing twice.
async fn a_year_of_past_activities_imports_with_its_attendance(b: Backend) {
    let app = spawn_app(b).await;
    let head = app.token("wangqi").await;
    let year = today().year() - 1;
    let (s, v) = post(
        &app,
        &head,
        "/api/v1/residents",
        json!({"name": "张秀英", "community_id": app.node_id("王齐村").await,
            "phone": "13911119876"}),
    )
    .await;
    assert_eq!(s, 201, "{v}");
    let tomorrow = (today() + Duration::days(1)).to_string();
    let rows: Vec<Vec<String>> = [
        [
            &format!("{year}-01-12"),
            "9:00",
            "11:00",
            "王齐村工作站",
            "家庭教育",
            "新年家风讲座",
            "40",
            "",
            "",
        ],
        [
            &format!("{year}年2月9日"),
            "14：30",
            "16:00",
            "王齐村工作站",
            "家庭教育",
            "元宵节灯谜会",
            "",
            "张秀英 139 1111 9876",
            "王齐村文化广场",
        ],
        [
            &format!("{year}-03-01"),
            "",
            "",
            "不存在的中心",
            "家庭教育",
            "讲座",
            "",
            "",
            "",
        ],
        [
            &tomorrow,
            "09:00",
            "10:00",
            "王齐村工作站",
            "家庭教育",
            "明天的讲座",
            "",
            "",
            "",
        ],
        [
            &format!("{year}-04-01"),
            "09:00",
            "10:00",
            "王齐村工作站",
            "家庭教育",
            "读书会",
            "",
            "李四 13700000000",
            "",
        ],
        [
            &format!("{year}-01-12"),
            "9:00",
            "11:00",
            "王齐村工作站",
            "家庭教育",
            "新年家风讲座",
            "40",
            "",
            "",
        ],
    ]
    .iter()
    .map(|r| r.iter().map(|c| c.to_string()).collect())
    .collect();
    let mut t = cedu::importers::Kind::PastActivities.template();
    t.rows = rows;
    t.notes.clear();
    let file = cedu::spreadsheet::to_xlsx(&t).unwrap();
    let (s, batch) = upload(
        &app,
        &head,
        "past_activities",
        "齐陵街道",
        "补录.xlsx",
        file.clone(),
    )
    .await;
    assert_eq!(s, 201, "{batch}");
    assert_eq!(
        (batch["total_rows"].as_i64(), batch["valid_rows"].as_i64()),
        (Some(6), Some(2)),
        "{batch}"
    );
    let errors: Vec<(i64, String, String)> = batch["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let (row, column) = (e["row"].as_i64().unwrap(), e["column"].as_str().unwrap());
            (
                row,
                column.to_string(),
                e["key"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let expected = [
        (4, "举办单位*", "attendance.import.owner_unknown"),
        (5, "日期*", "activities.date_future"),
        (6, "参加人员", "attendance.import.attendee_unknown"),
        (7, "活动名称*", "people.import.duplicate_in_file"),
    ];
    for (row, column, key) in expected {
        assert!(
            errors
                .iter()
                .any(|e| e.0 == row && e.1 == column && e.2 == key),
            "row {row} {column} {key}: {errors:?}"
        );
    }
    assert_eq!(errors.len(), 4, "{errors:?}");
    let (s, v) = post(
        &app,
        &head,
        &format!("/api/v1/imports/{}/confirm", batch["id"]),
        json!({}),
    )
    .await;
    assert_eq!((s, v["imported"].as_i64()), (200, Some(2)), "{v}");
    let (_, grid) = get(&app, &head, &format!("/api/v1/activities/grid?year={year}")).await;
    let wangqi = row(&grid, "王齐村工作站");
    assert_eq!(
        (
            &wangqi["recorded_afterwards"][0],
            &wangqi["recorded_afterwards"][1]
        ),
        (&json!(1), &json!(1)),
        "{wangqi}"
    );
    let lantern = app
        .scalar("select id from activities where title = '元宵节灯谜会'")
        .await;
    let (s, sheet) = get(
        &app,
        &head,
        &format!("/api/v1/activities/{lantern}/attendance"),
    )
    .await;
    assert_eq!(s, 200, "{sheet}");
    assert!(sheet.to_string().contains("张"), "{sheet}");
    assert_eq!(
        app.scalar(&format!(
            "select count(*) from attendances where activity_id = {lantern} and method = 'sheet'"
        ))
        .await,
        1
    );
    let lecture = app
        .scalar("select id from activities where title = '新年家风讲座'")
        .await;
    assert_eq!(
        app.scalar(&format!(
            "select cast(head_count as bigint) from activities where id = {lecture}"
        ))
        .await,
        40
    );
    // The same sheet again: both activities are already there.
    let (s, again) = upload(
        &app,
        &head,
        "past_activities",
        "齐陵街道",
        "补录.xlsx",
        file,
    )
    .await;
    assert_eq!((s, again["valid_rows"].as_i64()), (201, Some(0)), "{again}");
    assert!(
        again["errors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["key"] == "activities.already_recorded"),
        "{again}"
    );
}

/// The demo is a town in the middle of its year: every centre held activities in every month so
/// far (most at least two, a few months below), entered afterwards with their attendance; the older
/// ones documented with a photo, some of last month's still waiting for theirs; plans wait for
/// review and one came back.
async fn the_demo_shows_a_town_in_the_middle_of_its_year(b: Backend) {
    let app = spawn_app(b).await;
    let office = app.token("qunli.office").await;
    let t = today();
    let (year, months) = if t.month() == 1 {
        (t.year() - 1, 12)
    } else {
        (t.year(), t.month() as usize - 1)
    };
    let (_, grid) = get(
        &app,
        &office,
        &format!("/api/v1/activities/grid?year={year}"),
    )
    .await;
    let rows = grid["rows"].as_array().unwrap();
    assert!(rows.len() >= 5, "{grid}");
    let (mut cells, mut below, mut afterwards) = (0, 0, 0);
    for r in rows {
        for m in 0..months {
            let n = r["counts"][m].as_i64().unwrap();
            assert!(n >= 1, "every centre held something each month: {r}");
            cells += 1;
            below += i64::from(n < 2);
            afterwards += r["recorded_afterwards"][m].as_i64().unwrap();
        }
    }
    assert!(
        below > 0 && below * 4 < cells,
        "a few months below 2: {below} of {cells}"
    );
    assert!(
        afterwards >= 2 * cells - below,
        "entered from paper: {afterwards}"
    );
    let scalar = |sql: String| {
        let app = &app;
        async move { app.scalar(&sql).await }
    };
    assert!(
        scalar("select count(*) from activities where status = 'documented'".into()).await > 100
    );
    assert!(scalar("select count(*) from activities where status = 'held'".into()).await > 0);
    assert!(scalar("select count(*) from activity_files".into()).await > 100);
    assert!(scalar("select count(*) from attendances where method = 'sheet'".into()).await > 50);
    assert!(scalar("select count(*) from activities where status = 'submitted'".into()).await > 0);
    assert_eq!(
        scalar("select count(*) from activities where status = 'returned'".into()).await,
        2,
        "one returned plan in each town"
    );
}

both!(
    a_year_of_past_activities_imports_with_its_attendance,
    the_demo_shows_a_town_in_the_middle_of_its_year
);

/// The centre head and the office enter the same paper record in the same second, each twice:
/// it is recorded once, and every other save is told it is already there.
async fn two_clerks_recording_the_same_past_activity_at_once_record_it_once(b: Backend) {
    let app = spawn_app(b).await;
    let year = today().year() - 1;
    let head = app.token("wangqi").await;
    let office = app.token("qiling.office").await;
    let date = format!("{year}-06-18");
    let saves: Vec<_> = [&head, &office, &head, &office]
        .into_iter()
        .map(|token| {
            let (app, token, date) = (&app, token.clone(), date.clone());
            async move { record(app, &token, "王齐村工作站", &date, "端午包粽子").await }
        })
        .collect();
    let answers = futures_join(saves).await;
    let statuses: Vec<u16> = answers.iter().map(|(s, _)| *s).collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        1,
        "{answers:?}"
    );
    assert!(
        statuses.iter().all(|s| *s == 201 || *s == 409),
        "{answers:?}"
    );
    assert_eq!(
        app.scalar("select count(*) from activities where title = '端午包粽子'")
            .await,
        1
    );
}

both!(two_clerks_recording_the_same_past_activity_at_once_record_it_once);
