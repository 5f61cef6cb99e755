//! The organisation tree over real HTTP: pages and API, scope, tree rules, bad input.

use crate::both;
use crate::helpers::{Backend, spawn_app, text_of};

async fn the_office_adds_a_community_with_its_centre_through_the_form(b: Backend) {
    let app = spawn_app(b).await;
    let c = app.login("qiling.office").await;
    let csrf = app.csrf(&c).await;
    let town = app.node_id("齐陵街道").await;
    let form = c
        .get(app.url(&format!("/org/nodes/{town}/new?kind=community")))
        .send()
        .await
        .unwrap();
    assert_eq!(form.status(), 200);
    assert!(text_of(&form.text().await.unwrap()).contains("同时设立学习中心/工作站"));
    // A bad submission keeps what was typed and shows the errors beside the fields.
    let bad = c
        .post(app.url(&format!("/org/nodes/{town}/children")))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("kind", "community"),
            ("name", "南卧石村"),
            ("subtype", "village"),
            ("population", "两千"),
            ("centre_name", "南卧石村工作站"),
            ("centre_head", "𠮷㛃·买买提"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 422);
    let page = bad.text().await.unwrap();
    assert!(page.contains("value=\"南卧石村\""), "typed name kept");
    assert!(page.contains("value=\"两千\""), "typed population kept");
    assert!(
        page.contains("value=\"𠮷㛃·买买提\""),
        "rare characters kept"
    );
    assert!(text_of(&page).contains("常住人口须为 0 到 1000 万之间的整数"));
    assert_eq!(
        app.scalar("select count(*) from org_nodes where name like '南卧石村%'")
            .await,
        0,
        "nothing half-written"
    );
    let ok = c
        .post(app.url(&format!("/org/nodes/{town}/children")))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("kind", "community"),
            ("name", "南卧石村"),
            ("subtype", "village"),
            ("population", "2080"),
            ("centre_name", "南卧石村工作站"),
            ("centre_subtype", "work_station"),
            ("centre_head", "𠮷㛃·买买提"),
            ("centre_setup_status", "in_progress"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 303);
    let loc = ok.headers()["location"].to_str().unwrap().to_string();
    let node_page = text_of(
        &c.get(app.url(&loc))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    );
    assert!(
        node_page.contains("已新增")
            && node_page.contains("南卧石村工作站")
            && node_page.contains("2080")
    );
    let station = app.node_id("南卧石村工作站").await;
    let station_page = text_of(
        &c.get(app.url(&format!("/org/nodes/{station}")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    );
    assert!(station_page.contains("𠮷㛃·买买提") && station_page.contains("建设中"));
    let list = text_of(
        &c.get(app.url("/org/nodes?q=南卧石&kind="))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    );
    assert!(list.contains("南卧石村") && list.contains("共 2 条"));
}

async fn another_towns_records_answer_404_in_pages_and_api(b: Backend) {
    let app = spawn_app(b).await;
    let qunli = app.login("qunli.office").await;
    let qiling_station = app.node_id("王齐村工作站").await;
    assert_eq!(
        qunli
            .get(app.url(&format!("/org/nodes/{qiling_station}")))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    assert_eq!(
        qunli
            .get(app.url(&format!("/org/tree?top={qiling_station}")))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    let token = app.token("wangqi").await;
    let c = app.client();
    let xuejia = app.node_id("薛家村").await;
    let r = c
        .get(app.url(&format!("/api/v1/org/nodes/{xuejia}")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let v: serde_json::Value = r.json().await.unwrap();
    assert_eq!(v["error"]["code"], "not_found");
    assert_eq!(v["error"]["message"], "找不到该记录,或您无权查看");
    let put = c
        .put(app.url(&format!("/api/v1/org/nodes/{xuejia}")))
        .bearer_auth(&token)
        .json(&serde_json::json!({"name": "被改名", "population": "1"}))
        .send()
        .await
        .unwrap();
    assert_eq!(put.status(), 404);
    assert_eq!(app.node_id("薛家村").await, xuejia);
    let members = c
        .get(app.url(&format!("/api/v1/org/nodes/{xuejia}/members")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(members.status(), 404);
    let list: serde_json::Value = c
        .get(app.url("/api/v1/org/nodes?per_page=200"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let names: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["王齐村", "王齐村工作站"]);
    // A centre head sees only that centre in the tree page.
    let head = app.login("wangqi").await;
    let tree = text_of(
        &head
            .get(app.url("/org/tree"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    );
    assert!(
        tree.contains("王齐村工作站") && !tree.contains("薛家村") && !tree.contains("淄水社区")
    );
}

async fn the_api_enforces_the_tree_rules_with_clear_refusals(b: Backend) {
    let app = spawn_app(b).await;
    let token = app.token("tongnan").await;
    let c = app.client();
    let qunli = app.node_id("群力镇").await;
    let community = app.node_id("群力社区").await;
    let centre = app.node_id("群力社区学习中心").await;
    let cycle = c
        .post(app.url(&format!("/api/v1/org/nodes/{qunli}/move")))
        .bearer_auth(&token)
        .json(&serde_json::json!({"parent_id": community}))
        .send()
        .await
        .unwrap();
    assert_eq!(cycle.status(), 409);
    let v: serde_json::Value = cycle.json().await.unwrap();
    assert_eq!(v["error"]["reason"], "org.move_cycle");
    assert_eq!(v["error"]["message"], "不能把节点移到它自己或它的下级之下");
    let wrong_kind = c
        .post(app.url(&format!("/api/v1/org/nodes/{centre}/move")))
        .bearer_auth(&token)
        .json(&serde_json::json!({"parent_id": qunli}))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong_kind.status(), 409);
    let in_use = c
        .post(app.url(&format!("/api/v1/org/nodes/{community}/retire")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(in_use.status(), 409);
    let v: serde_json::Value = in_use.json().await.unwrap();
    assert_eq!(
        v["error"]["message"],
        "该节点下还有 1 个未撤销的下级节点,请先撤销或移走它们"
    );
    let created = c
        .post(app.url("/api/v1/org/nodes"))
        .bearer_auth(&token)
        .json(&serde_json::json!({"parent_id": qunli, "kind": "department", "name": "应急办"}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let dup = c
        .post(app.url("/api/v1/org/nodes"))
        .bearer_auth(&token)
        .json(&serde_json::json!({"parent_id": qunli, "kind": "department", "name": "应急办"}))
        .send()
        .await
        .unwrap();
    assert_eq!(dup.status(), 422);
    let v: serde_json::Value = dup.json().await.unwrap();
    assert_eq!(
        v["error"]["fields"][0]["message"],
        "同一上级下已有名为“应急办”的节点,请换一个名称"
    );
    let misplaced = c
        .post(app.url("/api/v1/org/nodes"))
        .bearer_auth(&token)
        .json(&serde_json::json!({"parent_id": qunli, "kind": "centre", "name": "直属中心"}))
        .send()
        .await
        .unwrap();
    assert_eq!(misplaced.status(), 422);
    let id = created.json::<serde_json::Value>().await.unwrap()["id"]
        .as_i64()
        .unwrap();
    let retired = c
        .post(app.url(&format!("/api/v1/org/nodes/{id}/retire")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(retired.status(), 200);
    let audit: serde_json::Value = c
        .get(app.url(&format!(
            "/api/v1/audit?subject_type=org_node&subject_id={id}"
        )))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let actions: Vec<&str> = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, vec!["org.node_retired", "org.node_created"]);
}

async fn bad_input_gets_a_clear_4xx_and_changes_nothing(b: Backend) {
    let app = spawn_app(b).await;
    let token = app.token("qunli.office").await;
    let c = app.client();
    let id = app.node_id("玉峰村").await;
    let url = app.url(&format!("/api/v1/org/nodes/{id}"));
    let send = |body: Vec<u8>, ct: &'static str| {
        c.put(&url)
            .bearer_auth(&token)
            .header("content-type", ct)
            .body(body)
            .send()
    };
    let r = send(b"{\"name\": ".to_vec(), "application/json")
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert!(
        r.json::<serde_json::Value>().await.unwrap()["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("请求内容不是有效的 JSON")
    );
    let r = send(vec![b'{', b'"', 0xff, 0xfe, b'"', b'}'], "application/json")
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let r = send(b"name=x".to_vec(), "text/plain").await.unwrap();
    assert_eq!(r.status(), 400);
    // The server answers before reading an oversized body and closes that connection, so this
    // request gets a client of its own (a reused pooled connection could be the closed one).
    let huge = format!("{{\"name\": \"{}\"}}", "群".repeat(1_200_000));
    let r = reqwest::Client::new()
        .put(&url)
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body(huge)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
    assert_eq!(
        r.json::<serde_json::Value>().await.unwrap()["error"]["message"],
        "提交的内容过大"
    );
    let long = serde_json::json!({"name": "村".repeat(51), "population": "3000"});
    let r = c
        .put(&url)
        .bearer_auth(&token)
        .json(&long)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert_eq!(
        r.json::<serde_json::Value>().await.unwrap()["error"]["fields"][0]["message"],
        "不能超过 50 个字"
    );
    let empty = serde_json::json!({"name": "   ", "population": ""});
    let r = c
        .put(&url)
        .bearer_auth(&token)
        .json(&empty)
        .send()
        .await
        .unwrap();
    let v: serde_json::Value = r.json().await.unwrap();
    let fields: Vec<&str> = v["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, vec!["name", "population"]);
    for path in [
        "/api/v1/org/nodes/abc",
        "/api/v1/org/nodes/99999999",
        "/api/v1/org/nodes/-1",
    ] {
        let r = c
            .get(app.url(path))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404, "{path}");
    }
    let r = c
        .get(app.url("/api/v1/org/nodes?page=abc"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    // A form body that is not UTF-8.
    let web = app.login("qunli.office").await;
    let csrf = app.csrf(&web).await;
    let mut body = format!("_csrf={csrf}&name=").into_bytes();
    body.extend_from_slice(b"%FF%FE&population=1");
    let r = web
        .post(app.url(&format!("/org/nodes/{id}/edit")))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert!(text_of(&r.text().await.unwrap()).contains("不是有效的 UTF-8"));
    assert_eq!(app.node_id("玉峰村").await, id, "nothing changed");
    assert_eq!(
        app.scalar("select count(*) from audit_log where action = 'org.node_updated'")
            .await,
        0
    );
}

async fn the_openapi_document_and_its_docs_page_are_served(b: Backend) {
    let app = spawn_app(b).await;
    let c = app.client();
    let doc: serde_json::Value = c
        .get(app.url("/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for p in [
        "/api/v1/auth/login",
        "/api/v1/org/nodes",
        "/api/v1/org/nodes/{id}/move",
        "/api/v1/users",
        "/api/v1/audit",
    ] {
        assert!(doc["paths"].get(p).is_some(), "{p} documented");
    }
    let page = c.get(app.url("/api/docs")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(
        !html.contains("src=\"http") && !html.contains("href=\"http"),
        "nothing loaded from another host"
    );
    assert!(text_of(&html).contains("/api/v1/org/tree"));
}

both!(
    the_office_adds_a_community_with_its_centre_through_the_form,
    another_towns_records_answer_404_in_pages_and_api,
    the_api_enforces_the_tree_rules_with_clear_refusals,
    bad_input_gets_a_clear_4xx_and_changes_nothing,
    the_openapi_document_and_its_docs_page_are_served
);
