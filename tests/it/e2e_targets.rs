//! End to end in headless Chromium: a resident answers a survey on a phone-sized page and the
//! centre's KPI moves; the district's KPI page, its annual report and a survey's results draw
//! their charts.

use fantoccini::Locator;
use serde_json::{Value, json};

use crate::e2e::{body_text, browser, click, sign_in, snap};
use crate::helpers::{Backend, TestApp, get, post, spawn_app};

async fn awareness(app: &TestApp, token: &str, centre: i64) -> (i64, i64) {
    let year = cedu::calendar::Year::current().0;
    let (s, v) = get(
        app,
        token,
        &format!("/api/v1/kpis?node_id={centre}&year={year}"),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    let l = v["place"]["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["kpi"] == "awareness")
        .unwrap()
        .clone();
    (
        l["numerator"].as_i64().unwrap(),
        l["denominator"].as_i64().unwrap(),
    )
}

/// The SVG charts of the page and how many bars they draw.
async fn charts(b: &fantoccini::Client) -> (usize, usize) {
    let svgs = b.find_all(Locator::Css("svg.chart")).await.unwrap();
    let bars = b.find_all(Locator::Css("svg.chart rect")).await.unwrap();
    (svgs.len(), bars.len())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resident_answers_on_a_phone_and_the_centres_awareness_moves_and_the_charts_draw() {
    let app = spawn_app(Backend::Sqlite).await;
    let office = app.token("qunli.office").await;
    let centre = app.node_id("群力社区学习中心").await;
    let today = cedu::calendar::Day::today();
    let (s, survey): (u16, Value) = post(
        &app,
        &office,
        "/api/v1/surveys",
        json!({"owner_id": centre, "title": "学习中心满意度调查", "opens_on": today.to_string(),
            "closes_on": today.plus_days(7).to_string(), "from_template": true}),
    )
    .await;
    assert_eq!(s, 201, "{survey}");
    let before = awareness(&app, &office, centre).await;

    let phone = browser(390, 844).await;
    let b = &phone.client;
    b.goto(&app.url(&format!("/s/{}", survey["code"].as_str().unwrap())))
        .await
        .unwrap();
    assert!(body_text(b).await.contains("学习中心满意度调查"));
    let q = |i: usize| survey["questions"][i]["id"].as_i64().unwrap();
    let opt = |i: usize, o: usize| survey["questions"][i]["options"][o]["id"].as_i64().unwrap();
    for (question, value) in [(q(0), opt(0, 0)), (q(1), opt(1, 0)), (q(2), 5)] {
        click(
            b,
            Locator::Css(&format!("input[name='q_{question}'][value='{value}']")),
        )
        .await;
    }
    click(b, Locator::Id("survey-submit")).await;
    let thanks = b
        .wait()
        .for_element(Locator::Id("survey-thanks"))
        .await
        .unwrap();
    assert!(thanks.text().await.unwrap().contains("提交成功"));
    snap(b, "survey-phone-thanks").await;
    let after = awareness(&app, &office, centre).await;
    assert_eq!(after, (before.0 + 1, before.1 + 1), "the answer knows");

    let desk = browser(1280, 900).await;
    let b = &desk.client;
    sign_in(b, &app, "tongnan").await;
    b.goto(&app.url("/kpis")).await.unwrap();
    b.wait().for_element(Locator::Id("kpis")).await.unwrap();
    let count =
        |css: &'static str| async move { b.find_all(Locator::Css(css)).await.unwrap().len() };
    let towns = count("#kpi-parts tbody tr").await;
    assert!(towns >= 1);
    assert_eq!(
        count("#chart-parts svg.chart rect").await,
        towns,
        "a bar for each town compared"
    );
    assert_eq!(
        count("#chart-months svg.chart rect").await,
        12,
        "a column a month"
    );
    assert_eq!(
        count("#chart-heat svg.chart rect").await,
        12 * towns,
        "a cell a town and month"
    );
    assert!(body_text(b).await.contains("群力镇"));
    snap(b, "kpis-district").await;
    // Ranked on another KPI: the header marks it.
    b.goto(&app.url("/kpis?rank=satisfaction")).await.unwrap();
    let ranked = b
        .wait()
        .for_element(Locator::Css("#kpi-parts th.ranked a"))
        .await
        .unwrap();
    assert_eq!(
        ranked.attr("data-rank").await.unwrap().as_deref(),
        Some("satisfaction")
    );
    // The district's annual report draws its charts, as printed on A4.
    b.goto(&app.url("/reports/annual")).await.unwrap();
    b.wait().for_element(Locator::Id("ranking")).await.unwrap();
    assert_eq!(count("#ranking tbody tr").await, towns, "every town ranked");
    assert_eq!(count("#chart-parts svg.chart rect").await, towns);
    assert_eq!(count("#chart-months svg.chart rect").await, 12);
    assert!(count("#chart-themes svg.chart rect").await >= 1);
    snap(b, "report-annual-district").await;
    b.goto(&app.url(&format!("/surveys/{}", survey["id"])))
        .await
        .unwrap();
    let (svgs, bars) = charts(b).await;
    assert!(svgs >= 3 && bars >= 3, "{svgs} charts, {bars} bars");
}
