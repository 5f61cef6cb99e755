//! Commendation's district dictionary and the public results, through the real server: the
//! district adds, renames and retires categories (its towns' rounds and certificates follow, the
//! other district sees none of it, a town cannot change it, two administrators at once), and a
//! town's published winners are listed without an account, persons' names masked.

use serde_json::{Value, json};

use crate::both;
use crate::helpers::{Backend, TestApp, field_codes, futures_join, get, post, put, spawn_app};

fn entry<'a>(list: &'a Value, name: &str) -> &'a Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("{name} in {list}"))
}

fn names(list: &Value, key: &str) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|c| c[key].as_str().unwrap().to_string())
        .collect()
}

async fn open_round(
    app: &TestApp,
    token: &str,
    town: i64,
    year: i32,
    codes: &[&str],
) -> (u16, Value) {
    let categories: Vec<Value> = codes
        .iter()
        .map(|c| json!({"category": c, "quota": 1}))
        .collect();
    post(
        app,
        token,
        "/api/v1/awards/rounds",
        json!({"town_id": town, "year": year, "title": format!("{year}年度评选表彰"),
        "deadline": format!("{year}-12-31"), "categories": categories}),
    )
    .await
}

async fn resident_of(app: &TestApp, community: &str, nth: i64) -> (i64, String) {
    let c = app.node_id(community).await;
    let sql = format!(
        "from residents where community_id = {c} and erased_at is null order by id limit 1 offset {nth}"
    );
    (
        app.scalar(&format!("select id {sql}")).await,
        app.text(&format!("select name {sql}")).await,
    )
}

async fn the_district_keeps_its_own_categories(b: Backend) {
    let app = spawn_app(b).await;
    let (tongnan, linzi, office, qiling, centre) = (
        app.token("tongnan").await,
        app.token("linzi").await,
        app.token("qunli.office").await,
        app.token("qiling.office").await,
        app.token("qunli.centre").await,
    );
    // The six categories of the plans are there for every district.
    let (s, list) = get(&app, &tongnan, "/api/v1/awards/categories").await;
    assert_eq!(s, 200, "{list}");
    assert_eq!(
        names(&list, "code"),
        [
            "learning_individual",
            "learning_family",
            "learning_building",
            "learning_community",
            "learning_unit",
            "association"
        ]
    );
    // Only the district changes them.
    let star = json!({"name": "终身学习之星", "nominee_kind": "resident"});
    assert_eq!(
        post(&app, &office, "/api/v1/awards/categories", star.clone())
            .await
            .0,
        403
    );
    let (s, added) = post(&app, &tongnan, "/api/v1/awards/categories", star.clone()).await;
    assert_eq!(
        (s, added["code"].as_str()),
        (201, Some("custom_7")),
        "{added}"
    );
    let (s, v) = post(&app, &tongnan, "/api/v1/awards/categories", star).await;
    assert_eq!(
        (s, field_codes(&v)),
        (422, vec![("name".into(), "catalogue.name_taken".into())])
    );
    let (s, v) = post(
        &app,
        &tongnan,
        "/api/v1/awards/categories",
        json!({"name": "学习型企业", "nominee_kind": "enterprise"}),
    )
    .await;
    assert_eq!(
        (s, field_codes(&v)),
        (422, vec![("nominee_kind".into(), "field.choose".into())])
    );
    let family = entry(&list, "学习型家庭")["id"].as_i64().unwrap();
    let (s, v) = put(
        &app,
        &tongnan,
        &format!("/api/v1/awards/categories/{family}"),
        json!({"name": "书香家庭", "nominee_kind": "household"}),
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (200, Some("learning_family")),
        "{v}"
    );
    // The other district sees none of it and cannot touch it.
    let (_, theirs) = get(&app, &linzi, "/api/v1/awards/categories").await;
    assert!(
        !names(&theirs, "name").contains(&"终身学习之星".to_string()),
        "{theirs}"
    );
    assert!(
        names(&theirs, "name").contains(&"学习型家庭".to_string()),
        "{theirs}"
    );
    assert_eq!(
        put(
            &app,
            &linzi,
            &format!("/api/v1/awards/categories/{family}"),
            json!({"name": "x", "nominee_kind": "household"})
        )
        .await
        .0,
        404
    );

    // Qunli's round takes the district's categories by their names now.
    let year = cedu::calendar::Year::current().0 + 1;
    let qunli = app.node_id("群力镇").await;
    let (s, round) = open_round(&app, &office, qunli, year, &["custom_7", "learning_family"]).await;
    assert_eq!(s, 201, "{round}");
    assert_eq!(
        names(&round["categories"], "name"),
        ["书香家庭", "终身学习之星"]
    );
    // Qiling's district has no such category.
    let qiling_town = app.node_id("齐陵街道").await;
    let (s, v) = open_round(&app, &qiling, qiling_town, year, &["custom_7"]).await;
    assert_eq!(
        (s, field_codes(&v)),
        (422, vec![("categories".into(), "field.choose".into())])
    );
    // A category in use keeps its nominee kind; a retired one is offered for no new round, the
    // round that has it keeps it.
    let custom = added["id"].as_i64().unwrap();
    let (s, v) = put(
        &app,
        &tongnan,
        &format!("/api/v1/awards/categories/{custom}"),
        json!({"name": "终身学习之星", "nominee_kind": "household"}),
    )
    .await;
    assert_eq!(
        (s, field_codes(&v)),
        (
            422,
            vec![("nominee_kind".into(), "commendation.kind_in_use".into())]
        )
    );
    let (s, _) = put(
        &app,
        &tongnan,
        &format!("/api/v1/awards/categories/{family}"),
        json!({"name": "书香家庭", "nominee_kind": "household", "active": false}),
    )
    .await;
    assert_eq!(s, 200);
    let (s, v) = open_round(&app, &office, qunli, year + 1, &["learning_family"]).await;
    assert_eq!(
        (s, field_codes(&v)),
        (422, vec![("categories".into(), "field.choose".into())])
    );
    let round_id = round["round"]["id"].as_i64().unwrap();
    let (_, r) = get(&app, &office, &format!("/api/v1/awards/rounds/{round_id}")).await;
    assert!(
        names(&r["categories"], "name").contains(&"书香家庭".to_string()),
        "{r}"
    );

    // A nomination in the new category is for a resident, and is named by the category.
    let (resident, _) = resident_of(&app, "群力社区", 0).await;
    let (s, n) = post(
        &app,
        &centre,
        &format!("/api/v1/awards/rounds/{round_id}/nominations"),
        json!({"category": "custom_7", "nominee_id": resident,
               "deeds": "坚持每周参加社区学习,带动邻里。"}),
    )
    .await;
    assert_eq!(
        (s, n["nominee_kind"].as_str()),
        (201, Some("resident")),
        "{n}"
    );
    assert_eq!(n["category_name"], "终身学习之星");

    // Audited, and the district's page lists and edits the dictionary.
    assert_eq!(
        app.scalar("select count(*) from audit_log where action like 'commendation.category_%'")
            .await,
        3
    );
    let page = app.login("tongnan").await;
    let html = page
        .get(app.url("/awards"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("评选类别(全区字典)")
            && html.contains("value=\"终身学习之星\"")
            && html.contains("id=\"category-form\""),
        "{html}"
    );
    let csrf = app.csrf(&page).await;
    let r = page
        .post(app.url("/awards/categories"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("name", ""),
            ("nominee_kind", "unit"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let r = page
        .post(app.url("/awards/categories"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("name", "学习型企业"),
            ("nominee_kind", "unit"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let (_, list) = get(&app, &tongnan, "/api/v1/awards/categories").await;
    assert_eq!(entry(&list, "学习型企业")["nominee_kind"], "unit");
    // A town office reads the dictionary without the editing forms.
    let text = app
        .page_text(&app.login("qunli.office").await, "/awards")
        .await;
    assert!(
        text.contains("终身学习之星") && !text.contains("新增类别"),
        "{text}"
    );
}

async fn two_administrators_add_at_once(b: Backend) {
    let app = spawn_app(b).await;
    let tongnan = app.token("tongnan").await;
    let add = |name: &'static str| {
        let (app, tongnan) = (&app, &tongnan);
        async move {
            post(
                app,
                tongnan,
                "/api/v1/awards/categories",
                json!({"name": name, "nominee_kind": "unit"}),
            )
            .await
        }
    };
    // Two different names: both saved, each with its own code.
    let done = futures_join(vec![add("学习型企业"), add("学习型学校")]).await;
    let mut codes: Vec<String> = done
        .iter()
        .map(|(s, v)| {
            assert_eq!(*s, 201, "{v}");
            v["code"].as_str().unwrap().to_string()
        })
        .collect();
    codes.sort();
    assert_eq!(codes, ["custom_7", "custom_8"]);
    // The same name at once: one saved, the other told the name is taken.
    let done = futures_join(vec![
        add("学习型机关"),
        add("学习型机关"),
        add("学习型机关"),
    ])
    .await;
    let mut statuses: Vec<u16> = done.iter().map(|(s, _)| *s).collect();
    statuses.sort();
    assert_eq!(statuses, [201, 422, 422], "{done:?}");
    assert_eq!(
        app.scalar("select count(*) from commendation_categories where name = '学习型机关'")
            .await,
        1
    );
}

async fn published_results_are_public_with_persons_masked(b: Backend) {
    let app = spawn_app(b).await;
    let (office, centre, leader) = (
        app.token("qunli.office").await,
        app.token("qunli.centre").await,
        app.token("qunli.leader").await,
    );
    let year = cedu::calendar::Year::current().0 + 1;
    let qunli = app.node_id("群力镇").await;
    let (s, round) = open_round(
        &app,
        &office,
        qunli,
        year,
        &["learning_individual", "learning_family"],
    )
    .await;
    assert_eq!(s, 201, "{round}");
    let id = round["round"]["id"].as_i64().unwrap();
    let title = round["round"]["title"].as_str().unwrap().to_string();
    let c = app.node_id("群力社区").await;
    let household = app
        .scalar(&format!(
            "select id from households where community_id = {c} order by id limit 1"
        ))
        .await;
    let (winner, winner_name) = resident_of(&app, "群力社区", 0).await;
    let (other, other_name) = resident_of(&app, "群力社区", 1).await;
    let nominate = |category: &'static str, nominee: i64| {
        let (app, centre) = (&app, &centre);
        async move {
            let (s, v) = post(app, centre, &format!("/api/v1/awards/rounds/{id}/nominations"),
                json!({"category": category, "nominee_id": nominee, "deeds": "坚持学习,热心公益。"})).await;
            assert_eq!(s, 201, "{v}");
            v
        }
    };
    let person = nominate("learning_individual", winner).await;
    let family = nominate("learning_family", household).await;
    nominate("learning_individual", other).await;
    for n in [&person, &family] {
        let n = n["id"].as_i64().unwrap();
        for (who, action) in [(&office, "pass"), (&leader, "approve")] {
            let (s, v) = post(
                &app,
                who,
                &format!("/api/v1/awards/nominations/{n}/step"),
                json!({"action": action}),
            )
            .await;
            assert_eq!(s, 200, "{v}");
        }
    }
    // Nothing shows before the office publishes.
    let path = format!("/api/v1/public/awards/{qunli}");
    let (s, v) = get(&app, None, &path).await;
    assert_eq!(s, 200, "{v}");
    assert!(!names(&v["rounds"], "title").contains(&title), "{v}");
    post(
        &app,
        &office,
        &format!("/api/v1/awards/rounds/{id}/publish"),
        json!({}),
    )
    .await;
    let (s, v) = get(&app, None, &path).await;
    assert_eq!((s, v["town_name"].as_str()), (200, Some("群力镇")), "{v}");
    let published = v["rounds"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["title"] == title.as_str())
        .expect("the published round");
    let winners = &published["winners"];
    assert_eq!(
        names(winners, "category"),
        ["学习型个人", "学习型家庭"],
        "{winners}"
    );
    let shown = names(winners, "name");
    let masked = cedu::people::rules::mask_name(&winner_name);
    assert_eq!(shown[0], masked);
    assert!(
        shown[1].ends_with("家庭") && shown[1].contains('*'),
        "{shown:?}"
    );
    // The whole answer names neither the winner in full nor the one not approved.
    let body = v.to_string();
    assert!(
        !body.contains(&winner_name) && !body.contains(&other_name),
        "{body}"
    );
    // The portal's page, without an account.
    let text = app
        .page_text(&app.client(), &format!("/results/{qunli}"))
        .await;
    assert!(
        text.contains("群力镇评选表彰结果") && text.contains(&title) && text.contains(&masked),
        "{text}"
    );
    assert!(!text.contains(&winner_name), "{text}");
    // Only a town has results.
    assert_eq!(
        get(&app, None, &format!("/api/v1/public/awards/{c}"))
            .await
            .0,
        404
    );
    assert_eq!(get(&app, None, "/api/v1/public/awards/999999").await.0, 404);
}

both!(
    the_district_keeps_its_own_categories,
    two_administrators_add_at_once,
    published_results_are_public_with_persons_masked,
);
