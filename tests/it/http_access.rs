//! Accounts over real HTTP: sign-in and sign-out, throttling, CSRF, session lifetime, language,
//! security headers, account management.

use crate::both;
use cedu::accounts::SecurityProfile;

use crate::helpers::{
    Backend, DEMO_PASSWORD, TestDb, api_post, spawn_app, spawn_configured, text_of,
};

async fn a_town_clerk_signs_in_sees_the_tree_and_signs_out(b: Backend) {
    let app = spawn_app(b).await;
    let c = app.client();
    let login = c.get(app.url("/login")).send().await.unwrap();
    assert_eq!(login.status(), 200);
    assert!(text_of(&login.text().await.unwrap()).contains("用户名"));
    let r = c
        .post(app.url("/login"))
        .form(&[
            ("username", "qunli.office"),
            ("password", DEMO_PASSWORD),
            ("next", "/org/tree"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/org/tree");
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    let tree = text_of(
        &c.get(app.url("/org/tree"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    );
    assert!(
        tree.contains("群力镇") && tree.contains("双河村学习中心"),
        "{tree}"
    );
    assert!(!tree.contains("齐陵街道"));
    let csrf = app.csrf(&c).await;
    let out = c
        .post(app.url("/logout"))
        .form(&[("_csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 303);
    let after = c.get(app.url("/org/tree")).send().await.unwrap();
    assert_eq!(after.status(), 303);
    assert!(
        after.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("/login?next=")
    );
    assert_eq!(
        app.scalar("select count(*) from audit_log where action = 'auth.logout'")
            .await,
        1
    );
}

async fn an_unknown_user_and_a_wrong_password_get_the_same_answer(b: Backend) {
    let app = spawn_app(b).await;
    let c = app.client();
    let wrong = c
        .post(app.url("/login"))
        .form(&[
            ("username", "qunli.office"),
            ("password", "not-the-password"),
        ])
        .send()
        .await
        .unwrap();
    let unknown = c
        .post(app.url("/login"))
        .form(&[
            ("username", "nobody.here"),
            ("password", "not-the-password"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 422);
    assert_eq!(unknown.status(), 422);
    let (w, u) = (
        text_of(&wrong.text().await.unwrap()),
        text_of(&unknown.text().await.unwrap()),
    );
    assert!(w.contains("用户名或密码错误"));
    assert!(u.contains("用户名或密码错误"));
    assert_eq!(
        app.scalar("select count(*) from audit_log where action = 'auth.login_failed'")
            .await,
        2
    );
}

async fn five_failures_lock_the_account_for_fifteen_minutes(b: Backend) {
    let app = spawn_app(b).await;
    let c = app.client();
    for _ in 0..5 {
        let r = c
            .post(app.url("/login"))
            .form(&[("username", "wangqi"), ("password", "guess-guess")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422);
    }
    let r = c
        .post(app.url("/login"))
        .form(&[("username", "wangqi"), ("password", DEMO_PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 429);
    assert!(text_of(&r.text().await.unwrap()).contains("15 分钟后再试"));
    assert_eq!(
        app.scalar("select count(*) from audit_log where action = 'auth.locked'")
            .await,
        1
    );
    // Another account is not affected.
    app.login("xuejia").await;
    // Once the failures are older than the window, the right password works again.
    app.exec(
        "update login_failures set at = '2000-01-01 00:00:00+00:00' where username = 'wangqi'",
    )
    .await
    .unwrap();
    app.login("wangqi").await;
}

async fn a_form_without_the_csrf_token_or_from_another_site_is_refused(b: Backend) {
    let app = spawn_app(b).await;
    let c = app.login("qunli.office").await;
    let id = app.node_id("檬子村").await;
    let no_token = c
        .post(app.url(&format!("/org/nodes/{id}/edit")))
        .form(&[("name", "被篡改"), ("population", "1")])
        .send()
        .await
        .unwrap();
    assert_eq!(no_token.status(), 403);
    assert!(text_of(&no_token.text().await.unwrap()).contains("页面已过期"));
    let csrf = app.csrf(&c).await;
    let cross = c
        .post(app.url(&format!("/org/nodes/{id}/edit")))
        .header("origin", "http://evil.example")
        .form(&[
            ("_csrf", csrf.as_str()),
            ("name", "被篡改"),
            ("population", "1"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(cross.status(), 403);
    let cross_site = c
        .post(app.url(&format!("/org/nodes/{id}/edit")))
        .header("sec-fetch-site", "cross-site")
        .form(&[
            ("_csrf", csrf.as_str()),
            ("name", "被篡改"),
            ("population", "1"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(cross_site.status(), 403);
    assert_eq!(app.node_id("檬子村").await, id, "nothing was renamed");
    // The API with the page cookie needs X-CSRF-Token; with a bearer token it does not.
    let api = c
        .put(app.url(&format!("/api/v1/org/nodes/{id}")))
        .json(&serde_json::json!({"name": "被篡改", "population": "1"}))
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), 403);
    let v: serde_json::Value = api.json().await.unwrap();
    assert_eq!(v["error"]["reason"], "error.csrf");
    let ok = c
        .put(app.url(&format!("/api/v1/org/nodes/{id}")))
        .header("x-csrf-token", &csrf)
        .json(&serde_json::json!({"name": "檬子村", "population": "4100", "subtype": "village"}))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
}

async fn sessions_end_after_thirty_idle_minutes_and_on_password_change(b: Backend) {
    let app = spawn_app(b).await;
    let idle = app.login("qunli.office").await;
    assert_eq!(
        idle.get(app.url("/org/tree"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    app.exec("update sessions set last_seen_at = '2000-01-01 00:00:00+00:00'")
        .await
        .unwrap();
    assert_eq!(
        idle.get(app.url("/org/tree"))
            .send()
            .await
            .unwrap()
            .status(),
        303
    );
    assert_eq!(
        app.scalar("select count(*) from sessions").await,
        0,
        "the idle session is deleted"
    );

    let phone = app.login("qiling.office").await;
    let laptop = app.login("qiling.office").await;
    let csrf = app.csrf(&laptop).await;
    let weak = laptop
        .post(app.url("/account/password"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("current", DEMO_PASSWORD),
            ("password", "12345678"),
            ("confirm", "12345678"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(weak.status(), 422);
    assert!(text_of(&weak.text().await.unwrap()).contains("太常见"));
    let r = laptop
        .post(app.url("/account/password"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("current", DEMO_PASSWORD),
            ("password", "绿水青山-齐文化-2021"),
            ("confirm", "绿水青山-齐文化-2021"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(
        phone
            .get(app.url("/org/tree"))
            .send()
            .await
            .unwrap()
            .status(),
        303,
        "other sessions ended"
    );
    let again = app
        .client()
        .post(app.url("/login"))
        .form(&[
            ("username", "qiling.office"),
            ("password", "绿水青山-齐文化-2021"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 303);
}

async fn the_dengbao_profile_asks_three_kinds_of_characters_and_a_new_password_every_90_days(
    b: Backend,
) {
    // (and a password someone else chose is replaced by its owner first)
    let test_db = std::sync::Arc::new(TestDb::new(b).await);
    let app = spawn_configured(test_db, true, |c| {
        c.security_profile = SecurityProfile::Dengbao
    })
    .await;
    let c = app.client();
    let token = app.token("qiling.office").await;
    let station = app.node_id("东龙池村工作站").await;
    let new_user = |password: &str| {
        serde_json::json!({
            "username": "donglongchi",
            "display_name": "孙丽华",
            "role": "centre_head",
            "node_id": station,
            "password": password,
        })
    };
    let weak = c
        .post(app.url("/api/v1/users"))
        .bearer_auth(&token)
        .json(&new_user("gongzuozhan2021"))
        .send()
        .await
        .unwrap();
    assert_eq!(weak.status(), 422);
    let v: serde_json::Value = weak.json().await.unwrap();
    assert_eq!(v["error"]["fields"][0]["field"], "password");
    assert_eq!(
        v["error"]["fields"][0]["message"],
        "密码须包含大写字母、小写字母、数字、符号中的至少三类"
    );
    let ok = c
        .post(app.url("/api/v1/users"))
        .bearer_auth(&token)
        .json(&new_user("Gongzuozhan#2021"))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 201);
    // The new head replaces the password the clerk chose before doing anything else.
    let head = app.client();
    let r = head
        .post(app.url("/login"))
        .form(&[
            ("username", "donglongchi"),
            ("password", "Gongzuozhan#2021"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let r = head.get(app.url("/activities")).send().await.unwrap();
    assert_eq!(r.headers()["location"], "/account?ok=password_expired");
    let csrf = app.csrf(&head).await;
    let r = head
        .post(app.url("/account/password"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("current", "Gongzuozhan#2021"),
            ("password", "Lanhua-Shuhua@2026"),
            ("confirm", "Lanhua-Shuhua@2026"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let head = app.client();
    head.post(app.url("/login"))
        .form(&[
            ("username", "donglongchi"),
            ("password", "Lanhua-Shuhua@2026"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(
        head.get(app.url("/activities"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );

    // The clerk's password is now 91 days old: every page leads to the password form, the API
    // refuses.
    app.exec(&format!(
        "update users set password_changed_at = '{}' where username = 'qiling.office'",
        (chrono::Utc::now() - chrono::Duration::days(91)).format("%Y-%m-%d %H:%M:%S+00:00")
    ))
    .await
    .unwrap();
    let api = c
        .get(app.url("/api/v1/users"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), 403);
    assert!(api.text().await.unwrap().contains("90 天"));
    let clerk = app.login("qiling.office").await;
    let r = clerk.get(app.url("/org/tree")).send().await.unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/account?ok=password_expired");
    let page = text_of(
        &clerk
            .get(app.url("/account?ok=password_expired"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    );
    assert!(
        page.contains("90 天") && page.contains("修改密码"),
        "{page}"
    );
    let csrf = app.csrf(&clerk).await;
    let change = |new: &'static str| {
        clerk
            .post(app.url("/account/password"))
            .form(&[
                ("_csrf", csrf.clone()),
                ("current", DEMO_PASSWORD.to_string()),
                ("password", new.to_string()),
                ("confirm", new.to_string()),
            ])
            .send()
    };
    assert_eq!(
        change("绿水青山-齐文化-2021").await.unwrap().status(),
        422,
        "two kinds of characters are not enough"
    );
    assert_eq!(change("Lvshui-Qingshan-2021").await.unwrap().status(), 303);
    // With the new password, the clerk works again.
    let again = app.client();
    let r = again
        .post(app.url("/login"))
        .form(&[
            ("username", "qiling.office"),
            ("password", "Lvshui-Qingshan-2021"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(
        again
            .get(app.url("/org/tree"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    // Other accounts were never held up.
    let other = app.login("qunli.office").await;
    assert_eq!(
        other
            .get(app.url("/org/tree"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
}

async fn pages_are_chinese_by_default_and_english_on_request(b: Backend) {
    let app = spawn_app(b).await;
    let c = app.login("qunli.office").await;
    let zh = text_of(
        &c.get(app.url("/org/tree"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    );
    assert!(zh.contains("组织架构") && zh.contains("退出登录"));
    let r = c
        .post(app.url("/lang"))
        .form(&[("lang", "en"), ("next", "/org/tree")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let en = text_of(
        &c.get(app.url("/org/tree"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    );
    assert!(
        en.contains("Organisation") && en.contains("Sign out"),
        "{en}"
    );
    let missing = c.get(app.url("/org/nodes/999999")).send().await.unwrap();
    assert_eq!(missing.status(), 404);
    assert!(text_of(&missing.text().await.unwrap()).contains("does not exist"));
}

async fn responses_carry_the_security_headers(b: Backend) {
    let app = spawn_app(b).await;
    let c = app.login("qunli.office").await;
    let r = c.get(app.url("/org/tree")).send().await.unwrap();
    let h = r.headers();
    assert!(
        h["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("frame-ancestors 'none'")
    );
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["cache-control"], "no-store");
    assert!(h.contains_key("x-request-id"));
    let health = c.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    let v: serde_json::Value = health.json().await.unwrap();
    assert_eq!(
        v["database"],
        if b == Backend::Sqlite {
            "sqlite"
        } else {
            "postgres"
        }
    );
}

async fn a_town_office_manages_accounts_only_inside_its_town(b: Backend) {
    let app = spawn_app(b).await;
    let token = app.token("qiling.office").await;
    let c = app.client();
    let station = app.node_id("东龙池村工作站").await;
    let new_user = |role: &str, node: i64, username: &str| {
        serde_json::json!({
            "username": username,
            "display_name": "孙丽华",
            "role": role,
            "node_id": node,
            "password": "Gongzuozhan#2021",
        })
    };
    let ok = c
        .post(app.url("/api/v1/users"))
        .bearer_auth(&token)
        .json(&new_user("centre_head", station, "donglongchi"))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 201);
    let dup = c
        .post(app.url("/api/v1/users"))
        .bearer_auth(&token)
        .json(&new_user("centre_head", station, "donglongchi"))
        .send()
        .await
        .unwrap();
    assert_eq!(dup.status(), 422);
    let v: serde_json::Value = dup.json().await.unwrap();
    assert_eq!(v["error"]["fields"][0]["field"], "username");
    let too_high = c
        .post(app.url("/api/v1/users"))
        .bearer_auth(&token)
        .json(&new_user("district_admin", station, "grab"))
        .send()
        .await
        .unwrap();
    assert_eq!(too_high.status(), 422);
    let qunli_centre = app.node_id("双河村学习中心").await;
    let elsewhere = c
        .post(app.url("/api/v1/users"))
        .bearer_auth(&token)
        .json(&new_user("centre_head", qunli_centre, "reach"))
        .send()
        .await
        .unwrap();
    assert_eq!(elsewhere.status(), 422);
    let v: serde_json::Value = elsewhere.json().await.unwrap();
    assert_eq!(
        v["error"]["fields"][0]["message"],
        "请选择您管辖范围内的单位"
    );
    // The new head signs in, then is disabled: the session ends at once.
    let head = app.client();
    let r = head
        .post(app.url("/login"))
        .form(&[
            ("username", "donglongchi"),
            ("password", "Gongzuozhan#2021"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(
        head.get(app.url("/org/tree"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let created: serde_json::Value = ok.json().await.unwrap();
    let id = created["id"].as_i64().unwrap();
    let off = c
        .post(app.url(&format!("/api/v1/users/{id}/disable")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(off.status(), 200);
    assert_eq!(
        head.get(app.url("/org/tree"))
            .send()
            .await
            .unwrap()
            .status(),
        303
    );
    // A Qunli account is invisible to Qiling's office.
    let qunli_user = app
        .scalar("select id from users where username = 'qunli.centre'")
        .await;
    let hidden = c
        .post(app.url(&format!("/api/v1/users/{qunli_user}/disable")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(hidden.status(), 404);
    assert_eq!(
        app.scalar("select count(*) from users where username = 'qunli.centre' and active")
            .await,
        1
    );
}

async fn the_menu_shows_only_what_the_role_may_use(b: Backend) {
    let app = spawn_app(b).await;
    let head = text_of(
        &app.login("wangqi")
            .await
            .get(app.url("/org/tree"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    );
    assert!(head.contains("组织架构") && !head.contains("账号管理") && !head.contains("审计日志"));
    let auditor = app.login("auditor").await;
    let a = text_of(
        &auditor
            .get(app.url("/audit"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    );
    assert!(a.contains("审计日志") && !a.contains("账号管理"));
    let sys = app.login("sysadmin").await;
    assert_eq!(
        sys.get(app.url("/audit")).send().await.unwrap().status(),
        403,
        "三员: the system admin does not read the audit log"
    );
    let teacher = app.login("qunli.teacher").await;
    assert_eq!(
        teacher
            .get(app.url("/org/tree"))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    // A teacher opens activities (to show the check-in code and take attendance), never residents.
    assert_eq!(
        teacher
            .get(app.url("/activities"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(
        teacher
            .get(app.url("/people/residents"))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
}

both!(
    a_town_clerk_signs_in_sees_the_tree_and_signs_out,
    an_unknown_user_and_a_wrong_password_get_the_same_answer,
    five_failures_lock_the_account_for_fifteen_minutes,
    a_form_without_the_csrf_token_or_from_another_site_is_refused,
    sessions_end_after_thirty_idle_minutes_and_on_password_change,
    the_dengbao_profile_asks_three_kinds_of_characters_and_a_new_password_every_90_days,
    pages_are_chinese_by_default_and_english_on_request,
    responses_carry_the_security_headers,
    a_town_office_manages_accounts_only_inside_its_town,
    the_menu_shows_only_what_the_role_may_use
);

/// After login or a language switch only a path of this site is followed: a tab or a line break in
/// `next` (browsers drop them, `/\t/evil.example` becomes `//evil.example`) sends the clerk home,
/// and never answers 500.
async fn next_after_login_or_a_language_switch_never_leaves_the_site(b: Backend) {
    let app = spawn_app(b).await;
    for next in [
        "/\t/evil.example",
        "//evil.example",
        "/\\evil.example",
        "/x\r\nSet-Cookie: a=b",
    ] {
        let r = app
            .client()
            .post(app.url("/login"))
            .form(&[
                ("username", "qunli.office"),
                ("password", crate::helpers::DEMO_PASSWORD),
                ("next", next),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303, "{next:?}");
        assert_eq!(r.headers()["location"], "/", "{next:?}");
        let r = app
            .client()
            .post(app.url("/lang"))
            .form(&[("lang", "en"), ("next", next)])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303, "{next:?}");
        assert_eq!(r.headers()["location"], "/", "{next:?}");
    }
    // The login form carries only a safe `next` into its hidden field.
    let html = app
        .client()
        .get(app.url("/login?next=/%09/evil.example"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!html.contains("evil.example"), "{html}");
    // A path of the site is still followed.
    let r = app
        .client()
        .post(app.url("/lang"))
        .form(&[("lang", "en"), ("next", "/people/residents?q=%E5%BC%A0")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["location"], "/people/residents?q=%E5%BC%A0");
}

both!(next_after_login_or_a_language_switch_never_leaves_the_site);

/// 三员分立: the system administrator cannot alone hand out rights it does not hold. Creating an audit
/// administrator or a town office, resetting the auditor's password and enabling the auditor all
/// wait for the security administrator, who sets the temporary password (the owner must change it
/// at the first sign-in); nothing the system administrator typed ever signs anyone in; every step
/// is audited.
async fn the_system_administrator_cannot_alone_hand_out_rights_it_lacks(b: Backend) {
    let app = spawn_app(b).await;
    let sys = app.token("sysadmin").await;
    let root = app
        .scalar("select id from org_nodes where kind = 'root'")
        .await;
    let town = app.node_id("群力镇").await;
    let new_user = |username: &str, role: &str, node: i64| {
        serde_json::json!({"username": username, "display_name": "新账号", "role": role, "node_id": node,
            "password": "Sys-Chosen-Pass-9"})
    };
    let (s, v) = api_post(
        &app,
        Some(&sys),
        "/api/v1/users",
        new_user("audit2", "audit_admin", root),
    )
    .await;
    assert_eq!(
        (s, v["pending"].as_str(), v["active"].as_bool()),
        (202, Some("create"), Some(false)),
        "{v}"
    );
    let (s, office) = api_post(
        &app,
        Some(&sys),
        "/api/v1/users",
        new_user("qunli.office2", "town_office", town),
    )
    .await;
    assert_eq!(
        (s, office["pending"].as_str()),
        (202, Some("create")),
        "{office}"
    );
    // Another system administrator holds no more than its creator: created at once.
    let (s, v) = api_post(
        &app,
        Some(&sys),
        "/api/v1/users",
        new_user("sysadmin2", "system_admin", root),
    )
    .await;
    assert_eq!((s, v["active"].as_bool()), (201, Some(true)), "{v}");
    let login = |user: &'static str, password: &'static str| {
        let app = &app;
        async move {
            let body = serde_json::json!({"username": user, "password": password});
            api_post(app, None, "/api/v1/auth/login", body).await.0
        }
    };
    assert_eq!(
        login("audit2", "Sys-Chosen-Pass-9").await,
        422,
        "a waiting account cannot sign in"
    );
    assert_eq!(login("qunli.office2", "Sys-Chosen-Pass-9").await, 422);
    let auditor = app
        .scalar("select id from users where username = 'auditor'")
        .await;
    let (s, v) = api_post(
        &app,
        Some(&sys),
        &format!("/api/v1/users/{auditor}/password"),
        serde_json::json!({"password": "Sys-Chosen-Pass-9"}),
    )
    .await;
    assert_eq!(
        (s, v["status"].as_str()),
        (200, Some("awaiting_confirmation")),
        "{v}"
    );
    assert_eq!(
        login("auditor", "Sys-Chosen-Pass-9").await,
        422,
        "the auditor's password is unchanged"
    );
    assert_eq!(login("auditor", DEMO_PASSWORD).await, 200);
    let (s, _) = api_post(
        &app,
        Some(&sys),
        &format!("/api/v1/users/{auditor}/disable"),
        serde_json::json!({}),
    )
    .await;
    assert_eq!(s, 200, "restricting needs no second person");
    let (s, v) = api_post(
        &app,
        Some(&sys),
        &format!("/api/v1/users/{auditor}/enable"),
        serde_json::json!({}),
    )
    .await;
    assert_eq!(
        (s, v["active"].as_bool()),
        (409, None),
        "one waiting change per account: {v}"
    );
    // The system administrator cannot confirm anything itself.
    let (s, _) = crate::helpers::api(
        &app,
        reqwest::Method::GET,
        Some(&sys),
        "/api/v1/account-requests",
        None,
    )
    .await;
    assert_eq!(s, 403);
    // The security administrator sees the three requests, confirms two and rejects the reset.
    let sec = app.token("secadmin").await;
    let (s, list) = crate::helpers::api(
        &app,
        reqwest::Method::GET,
        Some(&sec),
        "/api/v1/account-requests",
        None,
    )
    .await;
    assert_eq!(s, 200);
    let kinds: Vec<(String, String)> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["username"].as_str().unwrap().to_string(),
                r["kind"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        [
            ("audit2".to_string(), "create".to_string()),
            ("qunli.office2".into(), "create".into()),
            ("auditor".into(), "reset".into())
        ]
    );
    let id_of = |user: &str| {
        list.as_array()
            .unwrap()
            .iter()
            .find(|r| r["username"] == user)
            .unwrap()["id"]
            .as_i64()
            .unwrap()
    };
    let (s, v) = api_post(
        &app,
        Some(&sec),
        &format!(
            "/api/v1/account-requests/{}/confirm",
            id_of("qunli.office2")
        ),
        serde_json::json!({"password": "short"}),
    )
    .await;
    assert_eq!(
        (s, v["error"]["fields"][0]["field"].as_str()),
        (422, Some("password")),
        "{v}"
    );
    let (s, v) = api_post(
        &app,
        Some(&sec),
        &format!(
            "/api/v1/account-requests/{}/confirm",
            id_of("qunli.office2")
        ),
        serde_json::json!({"password": "Temp-Handover-2026"}),
    )
    .await;
    assert_eq!(
        (s, v["active"].as_bool(), v["pending"].as_str()),
        (200, Some(true), None),
        "{v}"
    );
    let (s, v) = api_post(
        &app,
        Some(&sec),
        &format!("/api/v1/account-requests/{}/reject", id_of("auditor")),
        serde_json::json!({"reason": "未见本人申请"}),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    let (s, _) = api_post(
        &app,
        Some(&sec),
        &format!("/api/v1/account-requests/{}/reject", id_of("auditor")),
        serde_json::json!({"reason": "again"}),
    )
    .await;
    assert_eq!(s, 404, "a decided request is gone");
    // What the system administrator typed never works; the temporary password must be replaced
    // first.
    assert_eq!(login("qunli.office2", "Sys-Chosen-Pass-9").await, 422);
    let body = serde_json::json!({"username": "qunli.office2", "password": "Temp-Handover-2026"});
    let (s, t) = api_post(&app, None, "/api/v1/auth/login", body).await;
    assert_eq!(s, 200);
    let (s, v) = crate::helpers::api(
        &app,
        reqwest::Method::GET,
        t["token"].as_str(),
        "/api/v1/residents",
        None,
    )
    .await;
    assert_eq!(
        s, 403,
        "the owner must replace the temporary password before reading anything: {v}"
    );
    // The security administrator itself creates and reads nothing beyond accounts.
    let (s, _) = api_post(
        &app,
        Some(&sec),
        "/api/v1/users",
        new_user("x.office", "town_office", town),
    )
    .await;
    assert_eq!(s, 403);
    let (s, _) = crate::helpers::api(
        &app,
        reqwest::Method::GET,
        Some(&sec),
        "/api/v1/audit",
        None,
    )
    .await;
    assert_eq!(s, 403);
    for (action, n) in [
        ("user.change_requested", 1),
        ("user.created", 3),
        ("user.change_confirmed", 1),
        ("user.change_rejected", 1),
    ] {
        let got = app
            .scalar(&format!(
                "select count(*) from audit_log where action = '{action}' and actor_id is not null"
            ))
            .await;
        assert_eq!(got, n, "{action}");
    }
}

both!(the_system_administrator_cannot_alone_hand_out_rights_it_lacks);
