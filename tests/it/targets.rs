//! The KPIs through the real server, from a small known data set in a community set up for the test
//! (测试村, 13 residents, its learning centre since January): participation with a resident attending
//! twice counted once, a walk-in counted, an erased resident still counted, an absentee not;
//! awareness, approval and satisfaction from survey answers and ratings (both parts shown);
//! activities a centre a month and the months below 2; the year-so-far pace; a population of 0;
//! the town's meetings and funds; the district's targets; scope.

use serde_json::{Value, json};

use crate::both;
use crate::checkin::{code, running_at};
use crate::helpers::{Backend, TestApp, field_codes, get, post, put, spawn_app};
use cedu::calendar::{Day, Year};

async fn new_node(app: &TestApp, token: &str, body: Value) -> i64 {
    let (s, v) = post(app, token, "/api/v1/org/nodes", body).await;
    assert_eq!(s, 201, "{v}");
    v["id"].as_i64().unwrap()
}

/// A village of the town with its population and a learning centre set up on 1 January of this
/// year, made by the office: (community, centre).
pub(crate) async fn village_with_centre(
    app: &TestApp,
    office: &str,
    town: i64,
    name: &str,
    population: &str,
) -> (i64, i64) {
    let community = new_node(
        app,
        office,
        json!({"parent_id": town, "kind": "community", "subtype": "village", "name": name,
            "population": population}),
    )
    .await;
    let centre = new_node(
        app,
        office,
        json!({"parent_id": community, "kind": "centre", "subtype": "learning_centre",
            "name": format!("{name}学习中心"), "setup_status": "set_up",
            "setup_date": format!("{}-01-01", Year::current().0)}),
    )
    .await;
    (community, centre)
}

fn line<'a>(card: &'a Value, kpi: &str) -> &'a Value {
    card["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["kpi"] == kpi)
        .unwrap_or_else(|| panic!("{kpi} in {card}"))
}

fn parts(l: &Value) -> (i64, i64) {
    (
        l["numerator"].as_i64().unwrap(),
        l["denominator"].as_i64().unwrap(),
    )
}

async fn kpis(app: &TestApp, token: &str, node: i64) -> (u16, Value) {
    let year = Year::current().0;
    get(
        app,
        token,
        &format!("/api/v1/kpis?node_id={node}&year={year}"),
    )
    .await
}

/// Checks a resident in by phone (a walk-in gives a name); the rating token.
pub(crate) async fn check_in(app: &TestApp, qr: &str, phone: &str, name: Option<&str>) -> String {
    let (s, v) = post(
        app,
        None,
        "/api/v1/checkin",
        json!({"token": qr, "phone": phone}),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    if v["result"] == "name_needed" {
        let ticket = v["form"]["ticket"].as_str().unwrap();
        let (s, v) = post(
            app,
            None,
            "/api/v1/checkin",
            json!({"token": ticket, "phone": phone, "name": name.unwrap()}),
        )
        .await;
        assert_eq!((s, v["result"].as_str()), (200, Some("checked_in")), "{v}");
        return v["rating_token"].as_str().unwrap().to_string();
    }
    v["rating_token"].as_str().unwrap_or_default().to_string()
}

async fn every_kpi_is_computed_from_what_was_recorded(b: Backend) {
    let app = spawn_app(b).await;
    let office = app.token("qunli.office").await;
    let qunli = app.node_id("群力镇").await;
    let today = Day::today();
    let (community, centre) = village_with_centre(&app, &office, qunli, "测试村", "13").await;
    let mut residents = Vec::new();
    for (name, phone) in [
        ("甲", "13900002001"),
        ("乙", "13900002002"),
        ("丙", "13900002003"),
    ] {
        let (s, v) = post(
            &app,
            &office,
            "/api/v1/residents",
            json!({"name": format!("测试{name}"), "community_id": community, "phone": phone}),
        )
        .await;
        assert_eq!(s, 201, "{v}");
        residents.push(v["id"].as_i64().unwrap());
    }
    // Nothing recorded yet: 0 of 13 took part; no answers, so no awareness.
    let (s, card) = kpis(&app, &office, centre).await;
    assert_eq!(s, 200, "{card}");
    assert_eq!(parts(line(&card["place"], "participation")), (0, 13));
    assert_eq!(line(&card["place"], "awareness")["shown"], "—");
    assert_eq!(
        line(&card["place"], "awareness")["reason"],
        "targets.no_answers"
    );
    // Two activities today: 甲 and 乙 check in to the first with a walk-in, 甲 to the second too;
    // 丙 is marked absent. Ratings 5 (甲) and 2 (乙).
    let first = running_at(&app, &office, "测试讲座一", "测试村学习中心").await;
    let second = running_at(&app, &office, "测试讲座二", "测试村学习中心").await;
    let qr = code(&app, &office, first).await;
    let rate_a = check_in(&app, &qr, "13900002001", None).await;
    let rate_b = check_in(&app, &qr, "13900002002", None).await;
    check_in(&app, &qr, "13900002009", Some("测试丁")).await;
    assert_eq!(
        app.scalar(&format!(
            "select count(*) from residents where phone = '13900002009' and community_id = {community}"
        ))
        .await,
        1,
        "the walk-in is a resident of the centre's community"
    );
    let qr = code(&app, &office, second).await;
    check_in(&app, &qr, "13900002001", None).await;
    let (s, v) = post(
        &app,
        &office,
        &format!("/api/v1/activities/{second}/attendance"),
        json!({"marks": [{"resident_id": residents[2], "status": "absent"}], "method": "staff"}),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    for (token, score) in [(rate_a, "5"), (rate_b, "2")] {
        let (s, v) = post(
            &app,
            None,
            "/api/v1/ratings",
            json!({"token": token, "score": score}),
        )
        .await;
        assert_eq!(s, 204, "{v}");
    }
    // 乙 asks to be erased: the attendance stays, anonymised, and still counts.
    let (s, v) = post(
        &app,
        &office,
        &format!("/api/v1/residents/{}/erase", residents[1]),
        json!({"reason": "本人申请注销"}),
    )
    .await;
    assert!((200..300).contains(&s), "{s} {v}");
    // A survey of the centre answered on three phones: two know and approve, one does not.
    let (s, survey) = post(
        &app,
        &office,
        "/api/v1/surveys",
        json!({"owner_id": centre, "title": "测试村调查", "opens_on": today.to_string(),
            "closes_on": today.plus_days(3).to_string(), "from_template": true}),
    )
    .await;
    assert_eq!(s, 201, "{survey}");
    let q = |i: usize| &survey["questions"][i];
    let opt = |i: usize, o: usize| q(i)["options"][o]["id"].clone();
    for (know, approve, scale) in [(0, 0, 5), (1, 1, 4), (2, 3, 2)] {
        let body = json!({"answers": [
            {"question_id": q(0)["id"], "choices": [opt(0, know)]},
            {"question_id": q(1)["id"], "choices": [opt(1, approve)]},
            {"question_id": q(2)["id"], "scale": scale}]});
        let path = format!(
            "/api/v1/public/surveys/{}",
            survey["code"].as_str().unwrap()
        );
        let (s, v) = post(&app, None, &path, body).await;
        assert_eq!(s, 201, "{v}");
    }

    let (_, card) = kpis(&app, &office, centre).await;
    let place = &card["place"];
    assert_eq!(place["name"], "测试村学习中心");
    // 甲 (twice), 乙 (erased), 丁 (walk-in): 3 of 13; 丙 was absent.
    let p = line(place, "participation");
    assert_eq!(parts(p), (3, 13));
    assert_eq!(p["shown"], "23.1%");
    let elapsed = cedu::targets::rules::elapsed(Year::current(), today);
    let pace = 3.0 * 100.0 / 13.0 / elapsed;
    let expected = if pace >= 25.0 { "on_track" } else { "at_risk" };
    assert_eq!(
        p["standing"], expected,
        "23.1 % with {elapsed} of the year gone"
    );
    assert_eq!(parts(line(place, "awareness")), (2, 3));
    assert_eq!(line(place, "awareness")["shown"], "66.7%");
    assert_eq!(line(place, "awareness")["standing"], "at_risk");
    assert_eq!(parts(line(place, "approval")), (2, 3));
    // Satisfaction: surveys 5 and 4 of 5, 4, 2; ratings 5 of 5, 2: (2 + 1) of (3 + 2) = 60 %.
    let s = line(place, "satisfaction");
    assert_eq!(parts(s), (3, 5));
    assert_eq!(
        (s["shown"].as_str(), s["standing"].as_str()),
        (Some("60.0%"), Some("met"))
    );
    assert_eq!(
        place["satisfaction"],
        json!({"survey_satisfied": 2, "survey_answers": 3, "ratings_satisfied": 1, "ratings": 2})
    );
    // Two activities in this month; the centre answers for every month since January.
    let months = i64::from(today.month().month);
    assert_eq!(parts(line(place, "activities_per_centre")), (2, months));
    let below: Vec<&Value> = place["centres_below"].as_array().unwrap().iter().collect();
    if months > 1 {
        assert_eq!(line(place, "activities_per_centre")["standing"], "at_risk");
        assert_eq!(below.len(), 1);
        assert_eq!(below[0]["months_below"], months - 1);
    }
    // The town's KPIs are the town's: not shown for a centre.
    for kpi in [
        "teacher_trainings",
        "leadership_meetings",
        "funds_per_resident",
    ] {
        assert_eq!(line(place, kpi)["shown"], "—");
        assert_eq!(line(place, kpi)["reason"], "targets.of_towns");
    }

    // A community with no population: "—" with the reason, never a division error.
    let empty = new_node(
        &app,
        &office,
        json!({"parent_id": qunli, "kind": "community", "subtype": "village", "name": "空白村",
            "population": "0"}),
    )
    .await;
    let (s, card) = kpis(&app, &office, empty).await;
    assert_eq!(s, 200);
    let p = line(&card["place"], "participation");
    assert_eq!(
        (p["shown"].as_str(), p["standing"].as_str()),
        (Some("—"), Some("no_data"))
    );
    assert_eq!(p["reason"], "targets.no_population");

    // The town: its participants are its communities' sum; a leadership meeting and the special
    // budget move its KPIs.
    let (_, town) = kpis(&app, &office, qunli).await;
    let sum: i64 = town["parts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| parts(line(c, "participation")).0)
        .sum();
    assert_eq!(parts(line(&town["place"], "participation")).0, sum);
    assert!(
        town["parts"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["name"] == "测试村学习中心")
    );
    let meetings = parts(line(&town["place"], "leadership_meetings"));
    let funds = parts(line(&town["place"], "funds_per_resident"));
    assert_eq!(meetings.1, 1, "one town");
    let group = app.node_id("群力社区教育工作领导小组").await;
    let member = app
        .scalar(&format!(
            "select min(id) from org_members where node_id = {group}"
        ))
        .await;
    let (s, v) = post(
        &app,
        &office,
        "/api/v1/meetings",
        json!({"town_id": qunli, "kind": "leadership", "held_on": today.to_string(),
            "place": "会议室", "agenda": "指标", "present": [member], "decisions": []}),
    )
    .await;
    assert_eq!(s, 201, "{v}");
    let (s, v) = post(
        &app,
        &office,
        "/api/v1/funds/incomes",
        json!({"town_id": qunli, "year": today.year(), "date": today.to_string(),
            "channel": "government", "amount": "1000.50", "source": "区财政"}),
    )
    .await;
    assert_eq!(s, 201, "{v}");
    let (_, town) = kpis(&app, &office, qunli).await;
    assert_eq!(
        parts(line(&town["place"], "leadership_meetings")).0,
        meetings.0 + 1
    );
    assert_eq!(
        parts(line(&town["place"], "funds_per_resident")).0,
        funds.0 + 100_050
    );
}

async fn the_district_sets_its_targets_and_the_standings_follow(b: Backend) {
    let app = spawn_app(b).await;
    let district = app.token("tongnan").await;
    let (_, before) = get(&app, &district, "/api/v1/kpis/targets").await;
    let plan = before
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["kpi"] == "satisfaction")
        .unwrap();
    assert_eq!(
        (plan["target"].as_f64(), plan["plan"].as_f64()),
        (Some(50.0), Some(50.0))
    );
    let (s, v) = put(
        &app,
        &district,
        "/api/v1/kpis/targets",
        json!({"targets": {"participation": "150", "satisfaction": "abc"}}),
    )
    .await;
    assert_eq!(s, 422);
    assert_eq!(
        field_codes(&v),
        [
            ("participation".into(), "targets.bad_value".into()),
            ("satisfaction".into(), "targets.bad_value".into())
        ]
    );
    let (s, v) = put(
        &app,
        &district,
        "/api/v1/kpis/targets",
        json!({"targets": {"satisfaction": "99.5"}}),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    let office = app.token("qunli.office").await;
    let (_, card) = kpis(&app, &office, app.node_id("群力镇").await).await;
    let s = line(&card["place"], "satisfaction");
    assert_eq!(s["target"], 99.5);
    assert_ne!(s["standing"], "met", "{s}");
    // A town office reads the targets, it does not set them; another district keeps the plan's.
    let (s, _) = put(
        &app,
        &office,
        "/api/v1/kpis/targets",
        json!({"targets": {"satisfaction": "10"}}),
    )
    .await;
    assert_eq!(s, 403);
    let (_, linzi) = get(&app, &app.token("linzi").await, "/api/v1/kpis/targets").await;
    assert!(
        linzi
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["kpi"] == "satisfaction" && t["target"] == 50.0)
    );
    assert_eq!(
        app.scalar("select count(*) from audit_log where action = 'targets.set'")
            .await,
        1
    );
    // Two administrators save at the same moment: both saved and audited, one value stands.
    let both = crate::helpers::futures_join(
        ["60", "65"]
            .iter()
            .map(|v| {
                put(
                    &app,
                    &district,
                    "/api/v1/kpis/targets",
                    json!({"targets": {"awareness": v}}),
                )
            })
            .collect(),
    )
    .await;
    assert!(both.iter().all(|(s, _)| *s == 200), "{both:?}");
    let kept = app
        .scalar("select target_x100 from kpi_targets where kpi = 'awareness'")
        .await;
    assert!(kept == 6000 || kept == 6500, "{kept}");
    assert_eq!(
        app.scalar("select count(*) from kpi_targets where kpi = 'awareness'")
            .await,
        1
    );
    assert_eq!(
        app.scalar("select count(*) from audit_log where action = 'targets.set'")
            .await,
        3
    );
}

async fn each_reader_sees_the_kpis_of_the_own_scope_only(b: Backend) {
    let app = spawn_app(b).await;
    let centre = app.token("qunli.centre").await;
    let own = app.node_id("群力社区学习中心").await;
    let (s, card) = kpis(&app, &centre, own).await;
    assert_eq!(s, 200, "{card}");
    assert_eq!(card["place"]["name"], "群力社区学习中心");
    for other in ["双河村学习中心", "群力镇", "潼南区"] {
        let (s, _) = kpis(&app, &centre, app.node_id(other).await).await;
        assert_eq!(s, 404, "{other}");
    }
    // Without a place the centre head's dashboard is the own centre (its community's figures).
    let (s, dashboard) = get(&app, &centre, "/api/v1/kpis").await;
    assert_eq!(s, 200);
    assert_eq!(dashboard["place"]["name"], "群力社区学习中心");
    assert_eq!(dashboard["place"]["lines"], card["place"]["lines"]);
    let qiling = app.token("qiling.office").await;
    let (s, _) = kpis(&app, &qiling, app.node_id("群力镇").await).await;
    assert_eq!(s, 404);
    // The district compares its towns, ranked by participation.
    let district = app.token("tongnan").await;
    let (s, card) = get(&app, &district, "/api/v1/kpis").await;
    assert_eq!(s, 200);
    let rates: Vec<f64> = card["parts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| line(t, "participation")["value"].as_f64().unwrap_or(-1.0))
        .collect();
    assert!(rates.windows(2).all(|w| w[0] >= w[1]), "{rates:?}");
    assert!(
        card["parts"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["name"] == "群力镇")
    );
    // The page draws the comparison against the target and tells each standing.
    let web = app.login("qunli.office").await;
    let page = web
        .get(app.url("/kpis"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("<svg class=\"chart\""), "{page}");
    assert!(page.contains("class=\"target\""));
    assert!(page.contains("参与率"));
    assert!(page.contains("id=\"chart-months\""));
}

/// The town's dashboard figures equal the live count of what was recorded; the roll-up table
/// holds the page's figures, one row a community and the town's total last.
async fn the_dashboard_figures_and_the_roll_up_table_hold_what_was_recorded(b: Backend) {
    let app = spawn_app(b).await;
    let office = app.token("qunli.office").await;
    let qunli = app.node_id("群力镇").await;
    let path = app
        .text(&format!("select path from org_nodes where id = {qunli}"))
        .await;
    let year = Year::current().0;
    let (s, t) = get(&app, &office, &format!("/api/v1/kpis/trends?year={year}")).await;
    assert_eq!(s, 200, "{t}");
    let months = t["attendance_by_month"].as_array().unwrap();
    assert_eq!(months.len(), 12);
    let kept: i64 = months
        .iter()
        .map(|m| m["attendances"].as_i64().unwrap())
        .sum();
    let (from, until) = (
        format!("{}-12-31T16:00:00+00:00", year - 1),
        format!("{year}-12-31T16:00:00+00:00"),
    );
    let live = app
        .scalar(&format!(
            "select count(*) from attendances a join activities x on x.id = a.activity_id \
            join org_nodes o on o.id = x.owner_id where o.path like '{path}%' \
            and x.status <> 'cancelled' and a.status in ('present', 'late') \
            and x.starts_at >= '{from}' and x.starts_at < '{until}'"
        ))
        .await;
    assert!(live > 0);
    assert_eq!(kept, live, "attendance by month from the roll-ups");
    let themes: i64 = t["themes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["activities"].as_i64().unwrap())
        .sum();
    let held = app
        .scalar(&format!(
            "select count(*) from activities x join org_nodes o on o.id = x.owner_id \
            where o.path like '{path}%' and x.status in ('held', 'documented', 'archived') \
            and x.starts_at >= '{from}' and x.starts_at < '{until}'"
        ))
        .await;
    assert_eq!(themes, held);
    // The roll-up table: the same figures as the API, the town last.
    let (_, c) = get(&app, &office, &format!("/api/v1/kpis?year={year}")).await;
    let web = app.login("qunli.office").await;
    let res = web
        .get(app.url(&format!("/kpis/kpis.xlsx?node_id={qunli}&year={year}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let sheet = cedu::spreadsheet::read(&res.bytes().await.unwrap(), "k.xlsx").unwrap();
    let parts = c["parts"].as_array().unwrap();
    let rows: Vec<Vec<String>> = sheet
        .rows
        .iter()
        .skip(1)
        .take(parts.len() + 1)
        .map(|r| r.iter().map(|c| c.text()).collect())
        .collect();
    assert_eq!(rows.len(), parts.len() + 1);
    for (row, card) in rows.iter().zip(parts.iter().chain([&c["place"]])) {
        assert_eq!(row[0], card["name"].as_str().unwrap());
        let p = line(card, "participation");
        let expected = p["value"].as_f64().map(|v| format!("{v:.2}"));
        let written = row[2].parse::<f64>().ok().map(|v| format!("{v:.2}"));
        assert_eq!(written, expected, "{row:?}");
    }
    assert_eq!(rows.last().unwrap()[0], "群力镇");
}

both!(
    every_kpi_is_computed_from_what_was_recorded,
    the_district_sets_its_targets_and_the_standings_follow,
    each_reader_sees_the_kpis_of_the_own_scope_only,
    the_dashboard_figures_and_the_roll_up_table_hold_what_was_recorded,
);
