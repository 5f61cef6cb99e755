//! The monthly and annual reports and the work summary through the real server: a centre's month
//! from a small known data set (activities, check-ins with a resident twice and a walk-in, ratings,
//! new residents apart from a register imported) on the API, the page and the workbook with its native charts; the town's centres
//! side by side; the district's annual report with its ranking, its workbook holding the API's
//! figures; an empty year; bad months; scope; the .docx read back.

use std::io::Read;

use serde_json::{Value, json};

use crate::both;
use crate::checkin::{code, running_at};
use crate::helpers::{Backend, TestApp, field_codes, get, post, spawn_app};
use crate::targets::{check_in, village_with_centre};
use cedu::calendar::{Month, Year};

/// The parts of a workbook: its sheets' names and how many native charts it holds.
fn workbook_parts(bytes: &[u8]) -> (String, usize) {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let mut book = String::new();
    zip.by_name("xl/workbook.xml")
        .unwrap()
        .read_to_string(&mut book)
        .unwrap();
    let charts = (0..zip.len())
        .filter_map(|i| zip.by_index(i).ok()?.name().ok().map(|n| n.to_string()))
        .filter(|n| n.starts_with("xl/charts/chart") && n.ends_with(".xml"))
        .count();
    (book, charts)
}

async fn monthly(app: &TestApp, token: &str, node: i64, m: Month) -> (u16, Value) {
    let path = format!(
        "/api/v1/reports/monthly?node_id={node}&year={}&month={}",
        m.year, m.month
    );
    get(app, token, &path).await
}

async fn download(app: &TestApp, user: &str, path: &str) -> (u16, String, Vec<u8>) {
    let web = app.login(user).await;
    let res = web.get(app.url(path)).send().await.unwrap();
    let status = res.status().as_u16();
    let kind = res
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (status, kind, res.bytes().await.unwrap().to_vec())
}

async fn a_centres_month_and_its_town_hold_what_was_recorded(b: Backend) {
    let app = spawn_app(b).await;
    let office = app.token("qunli.office").await;
    let qunli = app.node_id("群力镇").await;
    let this = Month::current();
    let (community, centre) = village_with_centre(&app, &office, qunli, "报表村", "20").await;
    // Nothing recorded yet: an empty report, not an error.
    let (s, r) = monthly(&app, &office, centre, this).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(
        (
            r["held_total"].as_i64(),
            r["figures"]["attendances"].as_i64()
        ),
        (Some(0), Some(0))
    );
    for (name, phone) in [("报表甲", "13900003001"), ("报表乙", "13900003002")] {
        let (s, v) = post(
            &app,
            &office,
            "/api/v1/residents",
            json!({"name": name, "community_id": community, "phone": phone}),
        )
        .await;
        assert_eq!(s, 201, "{v}");
    }
    let first = running_at(&app, &office, "报表讲座一", "报表村学习中心").await;
    let second = running_at(&app, &office, "报表讲座二", "报表村学习中心").await;
    let qr = code(&app, &office, first).await;
    let rate_a = check_in(&app, &qr, "13900003001", None).await;
    let rate_b = check_in(&app, &qr, "13900003002", None).await;
    check_in(&app, &qr, "13900003009", Some("报表丙")).await;
    let qr = code(&app, &office, second).await;
    check_in(&app, &qr, "13900003001", None).await;
    for (token, score) in [(rate_a, "5"), (rate_b, "3")] {
        let (s, v) = post(
            &app,
            None,
            "/api/v1/ratings",
            json!({"token": token, "score": score}),
        )
        .await;
        assert_eq!(s, 204, "{v}");
    }

    // The village's old paper register imported the same month: its people came in with it and
    // are shown apart, not as newly registered.
    let register = crate::people::sheet(&[
        ["报表丁", "男", "", "", "", "报表村", "", "", "", ""],
        ["报表戊", "女", "", "", "", "报表村", "", "", "", ""],
    ]);
    let (s, batch) =
        crate::people::upload(&app, &office, "residents", "群力镇", "名册.xlsx", register).await;
    assert_eq!((s, batch["valid_rows"].as_i64()), (201, Some(2)), "{batch}");
    let (s, v) = post(
        &app,
        &office,
        &format!("/api/v1/imports/{}/confirm", batch["id"]),
        json!({}),
    )
    .await;
    assert_eq!((s, &v["imported"]), (200, &json!(2)), "{v}");

    let (s, r) = monthly(&app, &office, centre, this).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["name"], "报表村学习中心");
    assert_eq!(r["held_total"], 2);
    assert_eq!(r["held"][0]["theme"], "卫生");
    assert_eq!(r["held"][0]["activities"], 2);
    // 甲 twice, 乙, the walk-in 丙: 4 attendances of 3 residents; ratings 5 and 3.
    let f = &r["figures"];
    assert_eq!(
        [
            &f["attendances"],
            &f["participants"],
            &f["ratings"],
            &f["satisfied"],
            &f["score_sum"]
        ],
        [&json!(4), &json!(3), &json!(2), &json!(1), &json!(8)]
    );
    assert_eq!(r["new_residents"], 3, "甲, 乙 and the walk-in");
    assert_eq!(r["imported_residents"], 2, "丁 and 戊 of the register");
    let p = r["kpis"]["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["kpi"] == "participation")
        .unwrap();
    assert_eq!(
        (&p["numerator"], &p["denominator"]),
        (&json!(3), &json!(20))
    );

    // The town's report puts the centre beside the others, its figures the same.
    let (s, town) = monthly(&app, &office, qunli, this).await;
    assert_eq!(s, 200, "{town}");
    let line = town["centres"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["node_id"] == centre)
        .expect("the new centre among the town's")
        .clone();
    assert_eq!((&line["held"], &line["below"]), (&json!(2), &json!(false)));
    assert_eq!(line["figures"], r["figures"]);
    assert!(town["figures"]["attendances"].as_i64().unwrap() >= 4);

    // The page shows the same figures; the workbook too, with its charts.
    let web = app.login("qunli.office").await;
    let page = app
        .page_text(
            &web,
            &format!(
                "/reports/monthly?node_id={centre}&year={}&month={}",
                this.year, this.month
            ),
        )
        .await;
    assert!(page.contains("报表村学习中心") && page.contains("出勤(人次)"));
    let (s, kind, bytes) = download(
        &app,
        "qunli.office",
        &format!(
            "/reports/monthly.xlsx?node_id={centre}&year={}&month={}",
            this.year, this.month
        ),
    )
    .await;
    assert_eq!(s, 200);
    assert!(kind.contains("spreadsheetml"), "{kind}");
    let sheet = cedu::spreadsheet::read(&bytes, "m.xlsx").unwrap();
    let figures: Vec<(String, String)> = sheet
        .rows
        .iter()
        .skip(1)
        .filter(|r| r.len() >= 2)
        .map(|r| (r[0].text(), r[1].text()))
        .collect();
    for (label, value) in [
        ("开展活动(场)", "2"),
        ("出勤(人次)", "4"),
        ("参与居民(人)", "3"),
        ("新登记居民(人)", "3"),
        ("平均分", "4"),
    ] {
        assert!(
            figures.iter().any(|(l, v)| l == label && v == value),
            "{label} {value} in {figures:?}"
        );
    }
    let (book, charts) = workbook_parts(&bytes);
    assert!(book.contains("活动(按主题和形式)") && book.contains("指标完成情况"));
    assert!(charts >= 1, "a native chart of the activities");
}

async fn the_annual_reports_rank_compare_and_draft_the_summary(b: Backend) {
    let app = spawn_app(b).await;
    let year = Year::current().0;
    let district = app.token("tongnan").await;
    let (s, r) = get(
        &app,
        &district,
        &format!("/api/v1/reports/annual?year={year}"),
    )
    .await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["place"]["name"], "潼南区");
    let parts = r["parts"].as_array().unwrap();
    let ranking = r["ranking"].as_array().unwrap();
    assert!(!parts.is_empty());
    assert_eq!(ranking.len(), parts.len(), "every town ranked");
    assert_eq!(ranking[0]["rank"], 1);
    for pair in ranking.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        assert!(a["met"].as_u64() >= b["met"].as_u64(), "{a} before {b}");
        assert!(a["rank"].as_u64() <= b["rank"].as_u64());
    }
    let funds = r["funds"].as_array().unwrap();
    assert_eq!(funds.len(), parts.len(), "a funds line a town");
    let months: i64 = r["trends"]["attendance_by_month"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["attendances"].as_i64().unwrap())
        .sum();
    assert!(months > 0, "the demo's year is recorded");
    // The workbook holds the page's figures: the KPI sheet's values are the API's.
    let (s, _, bytes) = download(
        &app,
        "tongnan",
        &format!("/reports/annual.xlsx?year={year}"),
    )
    .await;
    assert_eq!(s, 200);
    let sheet = cedu::spreadsheet::read(&bytes, "a.xlsx").unwrap();
    let lines = r["place"]["lines"].as_array().unwrap();
    let written: Vec<_> = sheet.rows.iter().skip(1).filter(|r| r.len() >= 5).collect();
    assert_eq!(written.len(), lines.len(), "a row a KPI");
    for (row, l) in written.into_iter().zip(lines) {
        let written = row[1].text().parse::<f64>().ok().map(|v| format!("{v:.2}"));
        let api = l["value"].as_f64().map(|v| format!("{v:.2}"));
        assert_eq!(written, api, "{l}");
        assert_eq!(row[4].text(), l["numerator"].to_string());
    }
    let (book, charts) = workbook_parts(&bytes);
    assert!(book.contains("年终排名") && book.contains("经费执行"));
    assert!(
        charts >= 3,
        "participation, months, themes and funds drawn: {charts}"
    );
    let web = app.login("tongnan").await;
    let page = app
        .page_text(&web, &format!("/reports/annual?year={year}"))
        .await;
    assert!(page.contains("年终排名") && page.contains("群力镇"));

    // A year with nothing recorded is an empty report, not an error.
    let (s, empty) = get(&app, &district, "/api/v1/reports/annual?year=2001").await;
    assert_eq!(s, 200, "{empty}");
    assert!(
        empty["trends"]["attendance_by_month"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["attendances"] == 0)
    );
    let page = app.page_text(&web, "/reports/annual?year=2001").await;
    assert!(
        page.contains("这一年还没有登记活动或出勤,报表为空。"),
        "{page}"
    );
    let (s, m) = get(&app, &district, "/api/v1/reports/monthly?year=2001&month=3").await;
    assert_eq!((s, &m["held_total"]), (200, &json!(0)), "{m}");
    // A bad month or year is named.
    let (s, v) = get(
        &app,
        &district,
        "/api/v1/reports/monthly?year=1999&month=13",
    )
    .await;
    assert_eq!(s, 422, "{v}");
    let fields: Vec<String> = field_codes(&v).into_iter().map(|f| f.0).collect();
    assert_eq!(fields, ["year", "month"]);
    assert!(v.to_string().contains("月份应为 1 到 12"), "{v}");

    // Scope: a centre head reads the own centre's month, not the town's; one town never another's.
    let centre = app.token("qunli.centre").await;
    let (s, own) = get(&app, &centre, "/api/v1/reports/monthly").await;
    assert_eq!((s, own["name"].as_str()), (200, Some("群力社区学习中心")));
    let qunli = app.node_id("群力镇").await;
    let qiling = app.node_id("齐陵街道").await;
    let (s, _) = get(
        &app,
        &centre,
        &format!("/api/v1/reports/monthly?node_id={qunli}"),
    )
    .await;
    assert_eq!(s, 404);
    let qiling_office = app.token("qiling.office").await;
    let (s, _) = get(
        &app,
        &qiling_office,
        &format!("/api/v1/reports/annual?node_id={qunli}"),
    )
    .await;
    assert_eq!(s, 404);
    let office = app.token("qunli.office").await;
    let (s, _) = get(
        &app,
        &office,
        &format!("/api/v1/reports/annual?node_id={qiling}"),
    )
    .await;
    assert_eq!(s, 404);

    // The work summary: a Word document whose text holds the town's headline figures.
    let (s, town) = get(
        &app,
        &office,
        &format!("/api/v1/reports/annual?year={year}"),
    )
    .await;
    assert_eq!(s, 200);
    let (s, kind, bytes) = download(
        &app,
        "qunli.office",
        &format!("/reports/summary.docx?year={year}"),
    )
    .await;
    assert_eq!(s, 200);
    assert!(kind.contains("wordprocessingml"), "{kind}");
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    for part in [
        "[Content_Types].xml",
        "word/styles.xml",
        "docProps/core.xml",
    ] {
        assert!(zip.by_name(part).is_ok(), "{part}");
    }
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    let participation = town["place"]["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["kpi"] == "participation")
        .unwrap()["shown"]
        .as_str()
        .unwrap()
        .to_string();
    for expected in [
        format!("群力镇{year}年社区教育工作总结"),
        "一、总体情况".to_string(),
        format!("常住人口{}人", town["place"]["population"]),
        participation,
        "九、存在的不足".to_string(),
    ] {
        assert!(xml.contains(&expected), "{expected} in the summary");
    }
}

both!(
    a_centres_month_and_its_town_hold_what_was_recorded,
    the_annual_reports_rank_compare_and_draft_the_summary,
);
