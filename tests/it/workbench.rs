//! The workbench (工作台): each role's to-dos computed from the data, with counts that follow what
//! people do, links that open the list behind them, and the menu badge. Over real HTTP, on both
//! databases.

use chrono::{Duration, Utc};
use serde_json::{Value, json};

use crate::both;
use crate::helpers::{Backend, TestApp, get, post, spawn_app, text_of};

fn day(offset: i64) -> String {
    (Utc::now() + Duration::hours(8) + Duration::days(offset))
        .date_naive()
        .to_string()
}

async fn todos(app: &TestApp, token: &str) -> Value {
    let (s, w) = get(app, token, "/api/v1/me/workbench").await;
    assert_eq!(s, 200, "{w}");
    w
}

fn todo(w: &Value, kind: &str) -> (i64, String) {
    let t = w["todos"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["kind"] == kind)
        .unwrap_or_else(|| panic!("{kind} in {w}"));
    (
        t["count"].as_i64().unwrap(),
        t["href"].as_str().unwrap().to_string(),
    )
}

fn has(w: &Value, kind: &str) -> bool {
    w["todos"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t["kind"] == kind)
}

/// The office, a lead department and a centre head each see their own to-dos; every count moves
/// with what is done, and every link opens a page listing exactly those.
async fn each_role_sees_its_to_dos_and_they_follow_the_work(b: Backend) {
    let app = spawn_app(b).await;
    let office = app.token("qunli.office").await;
    let dept = app.token("qunli.shebao").await;
    let head = app.token("qunli.centre").await;
    let submitted = |town: &str| {
        format!(
            "select count(*) from activities a join org_nodes o on o.id = a.owner_id \
             join org_nodes t on o.path like concat(t.path, '%') \
             where t.name = '{town}' and a.status = 'submitted'"
        )
    };
    let w = todos(&app, &office).await;
    let (waiting, href) = todo(&w, "reviews_waiting");
    assert_eq!(waiting, app.scalar(&submitted("群力镇")).await, "{w}");
    assert!(waiting > 0, "the demo's plans wait for review");
    assert!(
        !has(&todos(&app, &dept).await, "reviews_waiting"),
        "a department does not review"
    );
    // The link lists exactly those plans.
    let web = app.login("qunli.office").await;
    let page = web.get(app.url(&href)).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let text = text_of(&page.text().await.unwrap());
    assert!(text.contains(&format!("共 {waiting} 条")), "{text}");
    // A department plans for fifteen days from now: a draft that is late unless sent today.
    let theme = app
        .scalar("select id from themes where name = '科技(实用技术)'")
        .await;
    let body = json!({"title": "就业政策宣讲", "owner_id": app.node_id("双河村学习中心").await,
        "theme_id": theme, "date": day(15), "start_time": "09:00", "end_time": "11:00"});
    let (s, v) = post(&app, &dept, "/api/v1/activities", body).await;
    assert_eq!(s, 201, "{v}");
    let id = v[0]["id"].as_i64().unwrap();
    let w = todos(&app, &dept).await;
    assert_eq!(todo(&w, "drafts").0, 1, "{w}");
    assert_eq!(todo(&w, "late_unless_today").0, 1, "{w}");
    let step = |token: String, action: &'static str, reason: Option<&'static str>| {
        let app = &app;
        async move {
            let path = format!("/api/v1/activities/{id}/transition");
            let (s, v) = post(
                app,
                &token,
                &path,
                json!({"action": action, "reason": reason}),
            )
            .await;
            assert_eq!(s, 200, "{v}");
        }
    };
    step(dept.clone(), "submit", None).await;
    let w = todos(&app, &dept).await;
    assert_eq!(
        (todo(&w, "drafts").0, todo(&w, "late_unless_today").0),
        (0, 0)
    );
    assert_eq!(
        todo(&todos(&app, &office).await, "reviews_waiting").0,
        waiting + 1
    );
    // The office returns it: the department's to-do, linked to its own returned plans.
    step(office.clone(), "return", Some("请写明宣讲对象")).await;
    let w = todos(&app, &dept).await;
    let (returned, href) = todo(&w, "returned");
    assert_eq!(returned, 1, "only the department's own returned plans: {w}");
    let dept_web = app.login("qunli.shebao").await;
    let text = text_of(
        &dept_web
            .get(app.url(&href))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    );
    assert!(
        text.contains("就业政策宣讲") && text.contains("共 1 条"),
        "{text}"
    );
    // A centre head's held activities waiting for their photos, and the centres below 2.
    let w = todos(&app, &head).await;
    let (undocumented, href) = todo(&w, "undocumented");
    let centre_held = app
        .scalar(
            "select count(*) from activities a join org_nodes o on o.id = a.owner_id \
             where o.name = '群力社区学习中心' and a.status = 'held'",
        )
        .await;
    assert_eq!(undocumented, centre_held, "{w}");
    let head_web = app.login("qunli.centre").await;
    let page = head_web.get(app.url(&href)).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(has(&w, "centres_below"));
    assert!(!has(&w, "reviews_waiting"));
    // The department's menu shows its returned plan as a badge on the workbench and activities.
    let html = dept_web
        .get(app.url("/activities/calendar"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let badges = html.matches(r#"<span class="menu-badge""#).count();
    assert_eq!(badges, 2, "{}", text_of(&html));
    assert!(
        html.contains(
            r#"<a href="/workbench">工作台 <span class="menu-badge" title="待办事项">1</span>"#
        ),
        "{html}"
    );
    // Signing in lands on the workbench.
    let r = app.client().get(app.url("/")).send().await.unwrap();
    assert_eq!(r.headers()["location"], "/login");
    let r = head_web.get(app.url("/")).send().await.unwrap();
    assert_eq!(r.headers()["location"], "/workbench");
}

/// An import checked and not yet confirmed is a to-do of the one who uploaded it, until confirmed.
async fn an_import_waiting_for_confirmation_is_a_to_do_until_confirmed(b: Backend) {
    let app = spawn_app(b).await;
    let head = app.token("wangqi").await;
    assert_eq!(todo(&todos(&app, &head).await, "imports_pending").0, 0);
    let mut t = cedu::importers::Kind::Residents.template();
    t.notes.clear();
    let file = cedu::spreadsheet::to_xlsx(&t).unwrap();
    let (s, batch) =
        crate::people::upload(&app, &head, "residents", "齐陵街道", "x.xlsx", file).await;
    assert_eq!(s, 201, "{batch}");
    let w = todos(&app, &head).await;
    let id = batch["id"].as_i64().unwrap();
    assert_eq!(
        todo(&w, "imports_pending"),
        (1, format!("/people/import/{id}"))
    );
    let office = app.token("qiling.office").await;
    assert_eq!(
        todo(&todos(&app, &office).await, "imports_pending").0,
        0,
        "another clerk's batch is not theirs to confirm"
    );
    let (s, v) = post(
        &app,
        &head,
        &format!("/api/v1/imports/{id}/confirm"),
        json!({}),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(todo(&todos(&app, &head).await, "imports_pending").0, 0);
}

both!(
    each_role_sees_its_to_dos_and_they_follow_the_work,
    an_import_waiting_for_confirmation_is_a_to_do_until_confirmed
);
