//! Residents, households, teachers and spreadsheet imports over real HTTP, on both databases.

use crate::both;
use crate::helpers::{Backend, TestApp, api_post, spawn_app, text_of};

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("fixture")
}

/// Uploads a file through the API; returns the status and the JSON answer.
pub(crate) async fn upload(
    app: &TestApp,
    token: &str,
    kind: &str,
    town: &str,
    name: &str,
    bytes: Vec<u8>,
) -> (u16, serde_json::Value) {
    let town_id = app.node_id(town).await;
    let r = app
        .client()
        .post(app.url(&format!(
            "/api/v1/imports?kind={kind}&town_id={town_id}&file_name={name}"
        )))
        .bearer_auth(token)
        .body(bytes)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or_default())
}

async fn residents_named(app: &TestApp, prefix: &str) -> i64 {
    app.scalar(&format!(
        "select count(*) from residents where name like '{prefix}%'"
    ))
    .await
}

/// A resident sheet in the template's layout.
pub(crate) fn sheet(rows: &[[&str; 10]]) -> Vec<u8> {
    let mut t = cedu::importers::Kind::Residents.template();
    t.rows = rows
        .iter()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    t.notes.clear();
    cedu::spreadsheet::to_xlsx(&t).unwrap()
}

async fn a_libreoffice_file_imports_its_good_rows_and_reports_the_bad_one(b: Backend) {
    let app = spawn_app(b).await;
    let token = app.token("wangqi").await;
    let (status, batch) = upload(
        &app,
        &token,
        "residents",
        "齐陵街道",
        "居民.xlsx",
        fixture("libreoffice-residents.xlsx"),
    )
    .await;
    assert_eq!(status, 201, "{batch}");
    assert_eq!(
        (batch["total_rows"].as_i64(), batch["valid_rows"].as_i64()),
        (Some(3), Some(2)),
        "{batch}"
    );
    let errors: Vec<(i64, String, String)> = batch["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["row"].as_i64().unwrap(),
                e["column"].as_str().unwrap().to_string(),
                e["key"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(errors.iter().all(|e| e.0 == 4), "{errors:?}");
    let keys: Vec<&str> = errors.iter().map(|e| e.2.as_str()).collect();
    assert!(
        keys.contains(&"people.phone_format")
            && keys.contains(&"people.import.id_is_number")
            && keys.contains(&"people.import.community_unknown"),
        "{keys:?}"
    );
    assert_eq!(
        residents_named(&app, "𠮷").await,
        0,
        "nothing written before confirmation"
    );
    let id = batch["id"].as_i64().unwrap();
    let r = app
        .client()
        .post(app.url(&format!("/api/v1/imports/{id}/confirm")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<serde_json::Value>().await.unwrap()["imported"], 2);
    // Full-width digits, a trailing space, a date cell, a serial-number date and a formula came
    // through.
    let list: serde_json::Value = app
        .client()
        .get(app.url("/api/v1/residents?per_page=200"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let items = list["items"].as_array().unwrap();
    let rare = items
        .iter()
        .find(|r| r["name"] == "𠮷㛃")
        .expect("rare name stored trimmed");
    assert_eq!(rare["phone"], "139****3344");
    assert_eq!(rare["birth_date"], "1958-03-12");
    assert_eq!(rare["tags"], serde_json::json!(["elderly", "women"]));
    let formula = items
        .iter()
        .find(|r| r["name"] == "赵建国")
        .expect("formula value imported");
    assert_eq!(formula["birth_date"], "1965-03-12");
    assert_eq!(formula["phone"], "139****3345");
    assert_eq!(
        rare["household_id"], formula["household_id"],
        "one household for 3组12号"
    );
    let again = app
        .client()
        .post(app.url(&format!("/api/v1/imports/{id}/confirm")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 409, "a batch imports once");
}

async fn a_centre_head_imports_only_into_their_own_community(b: Backend) {
    let app = spawn_app(b).await;
    let token = app.token("wangqi").await;
    let file = sheet(&[
        [
            "孙秀兰",
            "女",
            "1970-05-06",
            "13911110001",
            "",
            "王齐村",
            "5组3号",
            "5组",
            "",
            "",
        ],
        [
            "周志强",
            "男",
            "1968-07-08",
            "13911110002",
            "",
            "薛家村",
            "2组8号",
            "2组",
            "",
            "",
        ],
    ]);
    let (status, batch) = upload(&app, &token, "residents", "齐陵街道", "x.xlsx", file).await;
    assert_eq!(status, 201);
    assert_eq!(batch["valid_rows"], 1);
    assert_eq!(batch["errors"][0]["row"], 3);
    assert_eq!(batch["errors"][0]["key"], "people.import.community_unknown");
    // Another town is out of reach altogether.
    let (status, _) = upload(
        &app,
        &token,
        "residents",
        "群力镇",
        "x.xlsx",
        sheet(&[["孙秀兰", "", "", "", "", "群力社区", "", "", "", ""]]),
    )
    .await;
    assert_eq!(status, 404);
}

async fn bad_files_get_a_clear_message_and_leave_nothing(b: Backend) {
    let app = spawn_app(b).await;
    let token = app.token("qiling.office").await;
    let message = |v: &serde_json::Value| v["error"]["message"].as_str().unwrap_or("").to_string();
    let (s, v) = upload(
        &app,
        &token,
        "residents",
        "齐陵街道",
        "x.xlsx",
        fixture("password-protected.xlsx"),
    )
    .await;
    assert_eq!(s, 400);
    assert!(message(&v).contains("打开密码"), "{v}");
    let (s, v) = upload(
        &app,
        &token,
        "residents",
        "齐陵街道",
        "x.xlsx",
        fixture("libreoffice-merged.xlsx"),
    )
    .await;
    assert_eq!(s, 400);
    assert!(message(&v).contains("合并单元格(B2:B3)"), "{v}");
    let (s, v) = upload(
        &app,
        &token,
        "residents",
        "齐陵街道",
        "x.xlsx",
        fixture("libreoffice-empty.xlsx"),
    )
    .await;
    assert_eq!((s, message(&v).as_str()), (400, "表格中没有数据行"));
    let (s, v) = upload(
        &app,
        &token,
        "residents",
        "齐陵街道",
        "x.png",
        vec![0x89, b'P', b'N', b'G', 0, 1, 2, 3],
    )
    .await;
    assert_eq!(
        (s, message(&v).as_str()),
        (400, "这不是 Excel(.xlsx)或 CSV 文件")
    );
    let mut corrupt = fixture("libreoffice-residents.xlsx");
    corrupt.truncate(corrupt.len() / 2);
    let (s, v) = upload(&app, &token, "residents", "齐陵街道", "x.xlsx", corrupt).await;
    assert_eq!(s, 400);
    assert!(message(&v).contains("文件已损坏"), "{v}");
    // A sheet reaching row 1,048,576 (Excel's last row) is refused before it is parsed.
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    ws.write_string(0, 0, "姓名*").unwrap();
    ws.write_string(0, 1, "社区/村*").unwrap();
    ws.write_string(1_048_575, 0, "末行").unwrap();
    let (s, v) = upload(
        &app,
        &token,
        "residents",
        "齐陵街道",
        "x.xlsx",
        book.save_to_buffer().unwrap(),
    )
    .await;
    assert_eq!(s, 400);
    assert!(message(&v).contains("超过 200000 行"), "{v}");
    let mut t = cedu::importers::Kind::Residents.template();
    t.headers = vec!["名字".into(), "地址".into()];
    let (s, v) = upload(
        &app,
        &token,
        "residents",
        "齐陵街道",
        "x.xlsx",
        cedu::spreadsheet::to_xlsx(&t).unwrap(),
    )
    .await;
    assert_eq!(s, 400);
    assert!(message(&v).contains("缺少必填列:姓名、社区/村"), "{v}");
    assert_eq!(
        app.scalar("select count(*) from import_batches where kind = 'residents'")
            .await,
        0
    );
}

async fn an_import_is_all_or_nothing(b: Backend) {
    let app = spawn_app(b).await;
    let token = app.token("qiling.office").await;
    let before = app.scalar("select count(*) from residents").await;
    let file = sheet(&[
        [
            "刘一",
            "男",
            "",
            "13922220001",
            "",
            "淄水社区",
            "",
            "",
            "",
            "",
        ],
        [
            "刘二",
            "女",
            "",
            "13922220002",
            "",
            "淄水社区",
            "",
            "",
            "",
            "",
        ],
        [
            "刘三",
            "男",
            "",
            "13922220003",
            "",
            "淄水社区",
            "",
            "",
            "",
            "",
        ],
    ]);
    let (_, batch) = upload(&app, &token, "residents", "齐陵街道", "x.xlsx", file).await;
    assert_eq!(batch["valid_rows"], 3);
    // Someone registers the third person by hand before the clerk confirms.
    let community = app.node_id("淄水社区").await;
    let r = app
        .client()
        .post(app.url("/api/v1/residents"))
        .bearer_auth(&token)
        .json(
            &serde_json::json!({"name": "刘三", "community_id": community, "phone": "13922220003"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let id = batch["id"].as_i64().unwrap();
    let r = app
        .client()
        .post(app.url(&format!("/api/v1/imports/{id}/confirm")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409);
    let v: serde_json::Value = r.json().await.unwrap();
    assert_eq!(
        v["error"]["message"],
        "自检查以来已有 1 个手机号或身份证号被登记,未导入任何数据;请重新上传文件"
    );
    assert_eq!(
        app.scalar("select count(*) from residents").await,
        before + 1,
        "only the hand-registered one"
    );
    let b: serde_json::Value = app
        .client()
        .get(app.url(&format!("/api/v1/imports/{id}")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(b["status"], "pending");
}

async fn numbers_are_masked_in_lists_exports_and_the_api_and_full_views_are_audited(b: Backend) {
    let app = spawn_app(b).await;
    let token = app.token("qunli.office").await;
    let community = app.node_id("双河村").await;
    let r = app.client().post(app.url("/api/v1/residents")).bearer_auth(&token)
        .json(&serde_json::json!({"name": "马桂兰", "community_id": community, "gender": "female", "phone": "13855556666", "id_number": "50022319580312002X", "tags": ["elderly"]}))
        .send().await.unwrap();
    let status = r.status();
    let created: serde_json::Value = r.json().await.unwrap();
    if status != 201 {
        // The checksum decides whether the sample ID is valid; the message says which field failed.
        panic!("{created}");
    }
    assert_eq!(created["phone"], "138****6666");
    let id = created["id"].as_i64().unwrap();
    let one: serde_json::Value = app
        .client()
        .get(app.url(&format!("/api/v1/residents/{id}")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(one["phone"], "138****6666");
    assert_eq!(one["id_number"], "5002**********002X");
    let web = app.login("qunli.office").await;
    let list = web
        .get(app.url("/people/residents?q=马桂兰"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(list.contains("138****6666") && !list.contains("13855556666"));
    let export = web
        .get(app.url("/people/residents/export.xlsx?q=马桂兰"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        export.headers()["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    let sheet = cedu::spreadsheet::read(&export.bytes().await.unwrap(), "e.xlsx").unwrap();
    let cells: Vec<String> = sheet.rows[1].iter().map(|c| c.text()).collect();
    assert!(
        cells.contains(&"马桂兰".to_string())
            && cells.contains(&"138****6666".to_string())
            && cells.contains(&"5002**********002X".to_string()),
        "{cells:?}"
    );
    assert_eq!(
        app.scalar("select count(*) from audit_log where action = 'people.exported'")
            .await,
        1
    );
    let r: serde_json::Value = app
        .client()
        .post(app.url(&format!("/api/v1/residents/{id}/reveal")))
        .bearer_auth(&token)
        .json(&serde_json::json!({"field": "phone"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(r["value"], "13855556666");
    assert_eq!(
        app.scalar("select count(*) from audit_log where action = 'people.personal_viewed'")
            .await,
        1
    );
    assert_eq!(app.scalar("select count(*) from audit_log where after_json like '%13855556666%' or before_json like '%13855556666%'").await, 0, "no full number in the audit log");
    // The district reads masked lists but may not reveal.
    let district = app.token("tongnan").await;
    let r = app
        .client()
        .post(app.url(&format!("/api/v1/residents/{id}/reveal")))
        .bearer_auth(&district)
        .json(&serde_json::json!({"field": "phone"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    // Qiling cannot see a Qunli resident at all.
    let qiling = app.token("qiling.office").await;
    assert_eq!(
        app.client()
            .get(app.url(&format!("/api/v1/residents/{id}")))
            .bearer_auth(&qiling)
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
}

async fn erasure_removes_personal_data_and_keeps_the_record_for_statistics(b: Backend) {
    let app = spawn_app(b).await;
    let token = app.token("qunli.office").await;
    let community = app.node_id("玉峰村").await;
    let created: serde_json::Value = app.client().post(app.url("/api/v1/residents")).bearer_auth(&token)
        .json(&serde_json::json!({"name": "何德福", "community_id": community, "phone": "13766667777", "household": "2组5号", "tags": ["farmer"], "birth_date": "1961-02-03"}))
        .send().await.unwrap().json().await.unwrap();
    let id = created["id"].as_i64().unwrap();
    let in_village = format!("select count(*) from residents where community_id = {community}");
    let before = app.scalar(&in_village).await;
    let r = app
        .client()
        .post(app.url(&format!("/api/v1/residents/{id}/erase")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let erased: serde_json::Value = r.json().await.unwrap();
    assert_eq!(
        (
            erased["name"].as_str(),
            erased["phone"].as_str(),
            erased["erased"].as_bool()
        ),
        (Some("已注销居民"), None, Some(true))
    );
    assert_eq!(
        app.scalar(&in_village).await,
        before,
        "the record stays for the counts"
    );
    assert_eq!(app.scalar(&format!("select count(*) from residents where id = {id} and phone is null and birth_date is null and household_id is null")).await, 1);
    assert_eq!(
        app.scalar(&format!(
            "select count(*) from resident_tags where resident_id = {id}"
        ))
        .await,
        0
    );
    assert_eq!(
        app.scalar("select count(*) from audit_log where action = 'people.resident_erased'")
            .await,
        1
    );
    // The number is free for someone else; the erased record cannot be edited.
    let again = app
        .client()
        .post(app.url("/api/v1/residents"))
        .bearer_auth(&token)
        .json(&serde_json::json!({
            "name": "何小福",
            "community_id": community,
            "phone": "13766667777",
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 201);
    let edit = app
        .client()
        .put(app.url(&format!("/api/v1/residents/{id}")))
        .bearer_auth(&token)
        .json(&serde_json::json!({"name": "x", "community_id": community}))
        .send()
        .await
        .unwrap();
    assert_eq!(edit.status(), 409);
}

async fn resident_fields_are_validated_with_clear_messages(b: Backend) {
    let app = spawn_app(b).await;
    let token = app.token("qunli.office").await;
    let community = app.node_id("新华村").await;
    let post = |body: serde_json::Value| {
        app.client()
            .post(app.url("/api/v1/residents"))
            .bearer_auth(&token)
            .json(&body)
            .send()
    };
    let r = post(serde_json::json!({
        "name": "  ",
        "community_id": community,
        "phone": "1380000",
        "id_number": "110105194912310021",
        "birth_date": "2099-01-01",
        "tags": ["学生"],
    }))
    .await
    .unwrap();
    assert_eq!(r.status(), 422);
    let v: serde_json::Value = r.json().await.unwrap();
    let msgs: Vec<(String, String)> = v["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["field"].as_str().unwrap().into(),
                f["message"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert!(
        msgs.contains(&("name".into(), "此项必填".into())),
        "{msgs:?}"
    );
    assert!(msgs.contains(&(
        "phone".into(),
        "手机号码应为 11 位数字,以 13–19 开头".into()
    )));
    assert!(msgs.contains(&(
        "id_number".into(),
        "身份证号码校验位不对,请核对是否输错".into()
    )));
    assert!(msgs.iter().any(|(f, _)| f == "birth_date") && msgs.iter().any(|(f, _)| f == "tags"));
    let ok = post(serde_json::json!({"name": "杨丽", "community_id": community, "phone": "１３８ ２２２２ ３３３３"})).await.unwrap();
    assert_eq!(ok.status(), 201);
    let dup = post(
        serde_json::json!({"name": "杨丽娟", "community_id": community, "phone": "13822223333"}),
    )
    .await
    .unwrap();
    assert_eq!(dup.status(), 422);
    assert_eq!(
        dup.json::<serde_json::Value>().await.unwrap()["error"]["fields"][0]["message"],
        "该手机号已登记给其他居民"
    );
    let child = post(serde_json::json!({"name": "杨小明", "community_id": community, "birth_date": "2019-06-01"})).await.unwrap();
    assert_eq!(child.status(), 422);
    let elsewhere =
        post(serde_json::json!({"name": "杨丽", "community_id": app.node_id("王齐村").await}))
            .await
            .unwrap();
    assert_eq!(elsewhere.status(), 422);
}

both!(
    a_libreoffice_file_imports_its_good_rows_and_reports_the_bad_one,
    a_centre_head_imports_only_into_their_own_community,
    bad_files_get_a_clear_message_and_leave_nothing,
    an_import_is_all_or_nothing,
    numbers_are_masked_in_lists_exports_and_the_api_and_full_views_are_audited,
    erasure_removes_personal_data_and_keeps_the_record_for_statistics,
    resident_fields_are_validated_with_clear_messages
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_import_page_shows_the_report_in_chinese() {
    let app = spawn_app(crate::helpers::Backend::Sqlite).await;
    let web = app.login("qiling.office").await;
    let page = text_of(
        &web.get(app.url("/people/import"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    );
    assert!(page.contains("下载模板:居民") && page.contains("上传并检查"));
    let tpl = web
        .get(app.url("/people/import/template/residents.xlsx"))
        .send()
        .await
        .unwrap();
    assert_eq!(tpl.status(), 200);
    let s = cedu::spreadsheet::read(&tpl.bytes().await.unwrap(), "t.xlsx").unwrap();
    assert_eq!(s.rows[0][0].text(), "姓名*");
    // The LibreOffice sheet: its one bad row has three problems and counts as one row; the
    // report shows the row as written, numbers masked.
    let csrf = app.csrf(&web).await;
    let town = app.node_id("齐陵街道").await.to_string();
    let send = |name: &'static str, bytes: Vec<u8>| {
        let form = reqwest::multipart::Form::new()
            .text("_csrf", csrf.clone())
            .text("kind", "residents")
            .text("town_id", town.clone())
            .part(
                "file",
                reqwest::multipart::Part::bytes(bytes).file_name(name),
            );
        web.post(app.url("/people/import")).multipart(form).send()
    };
    let r = send("居民.xlsx", fixture("libreoffice-residents.xlsx"))
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let report = web
        .get(app.url(r.headers()["location"].to_str().unwrap()))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        report.contains(r#"<dd id="rows-bad">1</dd>"#),
        "{}",
        text_of(&report)
    );
    let text = text_of(&report);
    assert!(text.contains("该行内容") && text.contains(" | "), "{text}");
    let values = report
        .split(r#"class="row-values">"#)
        .nth(1)
        .and_then(|s| s.split('<').next())
        .unwrap_or_default();
    assert!(values.contains("**"), "a long number is masked: {values}");
    assert!(
        !values
            .chars()
            .collect::<Vec<_>>()
            .windows(8)
            .any(|w| w.iter().all(char::is_ascii_digit)),
        "{values}"
    );
    // An empty file is an empty sheet, not a missing one.
    let r = send("空.csv", Vec::new()).await.unwrap();
    let page = text_of(&r.text().await.unwrap());
    assert!(
        page.contains("表格中没有数据行") && !page.contains("请选择要上传的文件"),
        "{page}"
    );
}

async fn household_and_teacher_lists_export_as_filtered_masked_and_audited(b: Backend) {
    let app = spawn_app(b).await;
    let web = app.login("qunli.office").await;
    let community = app.node_id("双河村").await;
    let households = web
        .get(app.url(&format!(
            "/people/households/export.xlsx?community_id={community}"
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(households.status(), 200);
    let sheet = cedu::spreadsheet::read(&households.bytes().await.unwrap(), "h.xlsx").unwrap();
    assert_eq!(sheet.rows[0][0].text(), "家庭(门牌/户)");
    assert!(sheet.rows.len() > 10 && sheet.rows.iter().skip(1).all(|r| r[1].text() == "双河村"));
    let teachers = web
        .get(app.url("/teachers/export.xlsx?teacher_type=volunteer"))
        .send()
        .await
        .unwrap();
    let sheet = cedu::spreadsheet::read(&teachers.bytes().await.unwrap(), "t.xlsx").unwrap();
    assert!(sheet.rows.len() > 1);
    for r in sheet.rows.iter().skip(1) {
        assert_eq!(r[2].text(), "志愿者");
        assert!(
            r[6].text().is_empty() || r[6].text().contains("****"),
            "{:?}",
            r[6]
        );
    }
    assert_eq!(
        app.scalar("select count(*) from audit_log where action = 'people.exported'")
            .await,
        2
    );
    let leader = app.login("qunli.leader").await;
    assert_eq!(
        leader
            .get(app.url("/teachers/export.xlsx"))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
}

both!(household_and_teacher_lists_export_as_filtered_masked_and_audited);

/// Residents whose row disagrees with their tags, household or building (the list reads a page
/// from the rows alone).
pub const LIST_ROWS_ASTRAY: &str = "select count(*) from residents r where \
    coalesce(r.tag_list, '') <> coalesce((select string_agg(t.tag, ',' order by t.tag) \
        from resident_tags t where t.resident_id = r.id), '') \
    or coalesce(r.household_name, '') <> \
        coalesce((select h.name from households h where h.id = r.household_id), '') \
    or coalesce(r.building_name, '') <> \
        coalesce((select b.name from buildings b where b.id = r.building_id), '')";

/// The list shows each resident's tags, household and building as they are now, whatever wrote
/// them: the demo's registrations and imports, an edit, a move to another household, an erasure
/// and a renamed household.
async fn the_resident_list_shows_tags_and_households_as_they_are(b: Backend) {
    use crate::helpers::{get, post, put};
    let app = spawn_app(b).await;
    assert!(
        app.scalar("select count(*) from residents where tag_list is not null")
            .await
            > 0
    );
    assert!(
        app.scalar("select count(*) from residents where household_name is not null")
            .await
            > 0
    );
    assert_eq!(app.scalar(LIST_ROWS_ASTRAY).await, 0, "after the demo");
    let token = app.token("qunli.office").await;
    let community = app.node_id("锦屏村").await;
    let body = serde_json::json!({"name": "列表测试", "community_id": community, "phone": "13712340986", "household": "9组99号", "tags": ["disabled"]});
    let (status, created) = post(&app, &token, "/api/v1/residents", body).await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_i64().unwrap();
    let listed = || async {
        let (_, page) = get(&app, &token, "/api/v1/residents?q=列表测试").await;
        let r = &page["items"][0];
        (r["household_name"].clone(), r["tags"].clone())
    };
    assert_eq!(
        listed().await,
        (
            serde_json::json!("9组99号"),
            serde_json::json!(["disabled"])
        )
    );
    let edit = serde_json::json!({"name": "列表测试", "community_id": community, "household": "9组98号", "tags": ["farmer", "disabled"]});
    let path = format!("/api/v1/residents/{id}");
    assert_eq!(put(&app, &token, &path, edit).await.0, 200);
    assert_eq!(
        listed().await,
        (
            serde_json::json!("9组98号"),
            serde_json::json!(["disabled", "farmer"])
        )
    );
    app.exec("update households set name = '9组98号（改）' where name = '9组98号'")
        .await
        .unwrap();
    assert_eq!(listed().await.0, serde_json::json!("9组98号（改）"));
    let erase = format!("/api/v1/residents/{id}/erase");
    assert_eq!(
        post(&app, &token, &erase, serde_json::json!({})).await.0,
        200
    );
    assert_eq!(app.scalar(LIST_ROWS_ASTRAY).await, 0, "after the changes");
    assert_eq!(
        app.scalar(&format!(
            "select count(*) from residents where id = {id} and tag_list is null \
             and household_name is null"
        ))
        .await,
        1,
        "an erased resident keeps no tags or household"
    );
}

both!(the_resident_list_shows_tags_and_households_as_they_are);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_erased_name_is_nowhere_in_the_sqlite_files_not_even_the_audit_log() {
    let app = spawn_app(crate::helpers::Backend::Sqlite).await;
    let token = app.token("qunli.office").await;
    let community = app.node_id("锦屏村").await;
    let name = "擦除测试甲乙丙";
    let created: serde_json::Value = app.client().post(app.url("/api/v1/residents")).bearer_auth(&token)
        .json(&serde_json::json!({"name": name, "community_id": community, "phone": "13712340987", "household": "9组99号", "tags": ["disabled"]}))
        .send().await.unwrap().json().await.unwrap();
    let id = created["id"].as_i64().unwrap();
    let edit = serde_json::json!({"name": name, "community_id": community, "household": "9组98号", "tags": ["disabled", "farmer"]});
    assert_eq!(
        app.client()
            .put(app.url(&format!("/api/v1/residents/{id}")))
            .bearer_auth(&token)
            .json(&edit)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let changed = app.scalar("select count(*) from audit_log where action = 'people.resident_updated' and after_json like '%household%' and after_json like '%tags%'").await;
    assert_eq!(changed, 1, "the audit log says which fields changed");
    assert_eq!(
        app.client()
            .post(app.url(&format!("/api/v1/residents/{id}/erase")))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let dir = app.data_dir();
    for file in ["cedu.db", "cedu.db-wal"] {
        let bytes = std::fs::read(dir.join(file)).unwrap_or_default();
        for needle in [name.as_bytes(), b"13712340987".as_slice()] {
            assert!(
                !bytes.windows(needle.len()).any(|w| w == needle),
                "{file} still holds {}",
                String::from_utf8_lossy(needle)
            );
        }
    }
}

async fn an_import_left_unconfirmed_for_a_day_is_dropped_with_its_rows(b: Backend) {
    let app = spawn_app(b).await;
    let token = app.token("qiling.office").await;
    let file = sheet(&[[
        "邱一",
        "男",
        "",
        "13944440001",
        "",
        "淄水社区",
        "",
        "",
        "",
        "",
    ]]);
    let (_, old) = upload(
        &app,
        &token,
        "residents",
        "齐陵街道",
        "x.xlsx",
        file.clone(),
    )
    .await;
    let old_id = old["id"].as_i64().unwrap();
    app.exec(&format!(
        "update import_batches set created_at = '2000-01-01 00:00:00+00:00' where id = {old_id}"
    ))
    .await
    .unwrap();
    let (_, fresh) = upload(&app, &token, "residents", "齐陵街道", "x.xlsx", file).await;
    assert_eq!(app.scalar(&format!("select count(*) from import_batches where id = {old_id} and status = 'cancelled' and payload = '[]'")).await, 1);
    let r = app
        .client()
        .post(app.url(&format!("/api/v1/imports/{old_id}/confirm")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409, "an expired batch cannot be confirmed");
    let fresh_id = fresh["id"].as_i64().unwrap();
    assert_eq!(
        app.client()
            .post(app.url(&format!("/api/v1/imports/{fresh_id}/confirm")))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
}

both!(an_import_left_unconfirmed_for_a_day_is_dropped_with_its_rows);

/// A birth date typed as text that is no date (`ab中文`, eight bytes in UTF-8) is a field error
/// through the API, the form and an import — never a crashed request.
async fn a_birth_date_that_is_text_is_a_field_error_everywhere(b: Backend) {
    let app = spawn_app(b).await;
    let token = app.token("qunli.office").await;
    let community = app.node_id("群力社区").await;
    let body =
        serde_json::json!({"name": "李文", "community_id": community, "birth_date": "ab中文"});
    let (s, v) = api_post(&app, Some(&token), "/api/v1/residents", body).await;
    assert_eq!(
        (s, v["error"]["fields"][0]["field"].as_str()),
        (422, Some("birth_date")),
        "{v}"
    );
    let web = app.login("qunli.office").await;
    let csrf = app.csrf(&web).await;
    let community = community.to_string();
    let r = web
        .post(app.url("/people/residents"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("name", "李文"),
            ("community_id", &community),
            ("birth_date", "ab中文"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(text_of(&r.text().await.unwrap()).contains("出生日期"));
    let file = sheet(&[["李文", "", "ab中文", "", "", "群力社区", "", "", "", ""]]);
    let (s, batch) = upload(&app, &token, "residents", "群力镇", "x.xlsx", file).await;
    assert_eq!(s, 201, "{batch}");
    assert_eq!(batch["valid_rows"], 0);
    assert_eq!(batch["errors"][0]["row"], 2, "{batch}");
    assert_eq!(residents_named(&app, "李文").await, 0);
}

both!(a_birth_date_that_is_text_is_a_field_error_everywhere);

/// Each town keeps its own register: a number registered in Qiling can be registered in Qunli (the
/// same person may live in both registers) and Qunli's clerk learns nothing of Qiling's; inside one
/// town a number is registered once. A community moved to another town takes its residents along,
/// and a move that would register a number twice in the new town is refused.
async fn each_town_keeps_its_own_register_of_numbers(b: Backend) {
    let app = spawn_app(b).await;
    let office = app.token("qunli.office").await;
    let qiling_phone = app
        .text(&format!(
            "select phone from residents where community_id = {} and phone is not null limit 1",
            app.node_id("王齐村").await
        ))
        .await;
    let qunli = app.node_id("群力社区").await;
    let body =
        serde_json::json!({"name": "两地居民", "community_id": qunli, "phone": qiling_phone});
    let (s, v) = api_post(&app, Some(&office), "/api/v1/residents", body.clone()).await;
    assert_eq!(s, 201, "{v}");
    let (s, v) = api_post(&app, Some(&office), "/api/v1/residents", body).await;
    assert_eq!(
        (s, v["error"]["fields"][0]["field"].as_str()),
        (422, Some("phone")),
        "{v}"
    );
    // An import into Qunli checks against Qunli's register only: the number is Qunli's 两地居民,
    // whom the row would update (Qiling's resident with the same number is not Qunli's to know).
    let file = sheet(&[[
        "另一位",
        "",
        "",
        qiling_phone.as_str(),
        "",
        "檬子村",
        "",
        "",
        "",
        "",
    ]]);
    let (s, batch) = upload(&app, &office, "residents", "群力镇", "x.xlsx", file).await;
    assert_eq!(s, 201);
    assert_eq!(batch["errors"], serde_json::json!([]), "{batch}");
    assert_eq!(batch["updates"][0]["subject"], "两地居民", "{batch}");
    // A new town of Tongnan; 檬子村 moves there with its residents.
    let district = app.token("tongnan").await;
    let tongnan = app.node_id("潼南区").await;
    let (s, town) = api_post(
        &app,
        Some(&district),
        "/api/v1/org/nodes",
        serde_json::json!({"parent_id": tongnan, "kind": "town", "name": "新胜镇"}),
    )
    .await;
    assert_eq!(s, 201, "{town}");
    let town = town["id"].as_i64().unwrap();
    let mengzi = app.node_id("檬子村").await;
    let moving = app.text(&format!("select phone from residents where community_id = {mengzi} and phone is not null order by id limit 1")).await;
    let (s, other) = api_post(&app, Some(&district), "/api/v1/org/nodes",
        serde_json::json!({"parent_id": town, "kind": "community", "name": "新胜社区", "population": "3000"})).await;
    assert_eq!(s, 201, "{other}");
    let clash = format!(
        "insert into residents (community_id, town_id, name, phone, created_at, updated_at) values ({}, {town}, '同号居民', '{moving}', '2026-01-01T00:00:00+00:00', '2026-01-01T00:00:00+00:00')",
        other["id"]
    );
    app.exec(&clash).await.unwrap();
    let (s, v) = api_post(
        &app,
        Some(&district),
        &format!("/api/v1/org/nodes/{mengzi}/move"),
        serde_json::json!({"parent_id": town}),
    )
    .await;
    assert_eq!(s, 409, "{v}");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("手机号或身份证号相同"),
        "{v}"
    );
    assert_eq!(
        app.scalar(&format!(
            "select count(*) from residents where community_id = {mengzi} and town_id = {town}"
        ))
        .await,
        0,
        "nothing moved"
    );
    app.exec("delete from residents where name = '同号居民'")
        .await
        .unwrap();
    let (s, v) = api_post(
        &app,
        Some(&district),
        &format!("/api/v1/org/nodes/{mengzi}/move"),
        serde_json::json!({"parent_id": town}),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    let left = app
        .scalar(&format!(
            "select count(*) from residents where community_id = {mengzi} and town_id <> {town}"
        ))
        .await;
    assert_eq!(left, 0, "every resident of the community follows it");
}

both!(each_town_keeps_its_own_register_of_numbers);

/// A clerk presses 确认导入 on the same batch from several tabs at the same moment while another
/// clerk tries it too: the rows are written once, one press says how many, the clerk's other
/// presses are told it was already imported, and the other clerk does not see the batch at all.
async fn confirming_one_import_from_several_tabs_at_once_writes_its_rows_once(b: Backend) {
    let app = spawn_app(b).await;
    let office = app.token("qiling.office").await;
    let head = app.token("wangqi").await;
    let rows: Vec<[String; 10]> = (0..40)
        .map(|i| {
            [
                format!("并发{i:02}"),
                "女".into(),
                "1970-05-06".into(),
                format!("1391234{i:04}"),
                String::new(),
                "王齐村".into(),
                format!("{i}组3号"),
                String::new(),
                String::new(),
                String::new(),
            ]
        })
        .collect();
    let rows: Vec<[&str; 10]> = rows
        .iter()
        .map(|r| r.each_ref().map(|c| c.as_str()))
        .collect();
    let (status, batch) =
        upload(&app, &head, "residents", "齐陵街道", "x.xlsx", sheet(&rows)).await;
    assert_eq!(
        (status, batch["valid_rows"].as_i64()),
        (201, Some(40)),
        "{batch}"
    );
    let id = batch["id"].as_i64().unwrap();
    let presses = [&head, &office, &head, &head, &office, &head].map(|token| {
        let client = app.client();
        let url = app.url(&format!("/api/v1/imports/{id}/confirm"));
        let token = token.to_string();
        tokio::spawn(async move {
            let r = client.post(url).bearer_auth(token).send().await.unwrap();
            let status = r.status().as_u16();
            (status, r.json::<serde_json::Value>().await.unwrap())
        })
    });
    let mut answers = Vec::new();
    for p in presses {
        answers.push(p.await.unwrap());
    }
    let imported: Vec<_> = answers.iter().filter(|(s, _)| *s == 200).collect();
    assert_eq!(imported.len(), 1, "{answers:?}");
    assert_eq!(imported[0].1["imported"], 40, "{answers:?}");
    let refused: Vec<u16> = answers
        .iter()
        .map(|(s, _)| *s)
        .filter(|s| *s != 200)
        .collect();
    assert_eq!(
        (
            refused.iter().filter(|s| **s == 409).count(),
            refused.iter().filter(|s| **s == 404).count()
        ),
        (3, 2),
        "the clerk's other tabs: already imported; the other clerk: no such batch. {answers:?}"
    );
    for (_, body) in answers.iter().filter(|(s, _)| *s != 200) {
        assert!(
            !body["error"]["message"].as_str().unwrap_or("").is_empty(),
            "{body}"
        );
    }
    assert_eq!(residents_named(&app, "并发").await, 40);
}
both!(confirming_one_import_from_several_tabs_at_once_writes_its_rows_once);

/// The 17th digit of an ID number says the gender (GB 11643): a form or a sheet row that says
/// otherwise is refused at the gender, and a form with no gender takes it from the number.
async fn the_gender_is_checked_against_the_id_number(b: Backend) {
    let app = spawn_app(b).await;
    let token = app.token("qiling.office").await;
    let community = app.node_id("王齐村").await;
    // 11010519491231002X: 17th digit 2, a woman.
    let body = serde_json::json!({"name": "核对性别", "community_id": community, "gender": "男",
        "id_number": "11010519491231002X"});
    let (s, v) = crate::helpers::post(&app, &token, "/api/v1/residents", body).await;
    assert_eq!(s, 422, "{v}");
    assert_eq!(v["error"]["fields"][0]["field"], "gender", "{v}");
    assert!(
        v["error"]["fields"][0]["message"]
            .as_str()
            .unwrap()
            .contains("身份证"),
        "{v}"
    );
    let body = serde_json::json!({"name": "核对性别", "community_id": community,
        "id_number": "11010519491231002X"});
    let (s, v) = crate::helpers::post(&app, &token, "/api/v1/residents", body).await;
    assert_eq!((s, v["gender"].as_str()), (201, Some("female")), "{v}");
    let file = sheet(&[[
        "表格核对",
        "男",
        "",
        "",
        "11010519491231002X",
        "王齐村",
        "",
        "",
        "",
        "",
    ]]);
    let (s, batch) = upload(&app, &token, "residents", "齐陵街道", "x.xlsx", file).await;
    assert_eq!(s, 201, "{batch}");
    assert!(
        batch["errors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["key"] == "people.gender_mismatch"),
        "{batch}"
    );
}
both!(the_gender_is_checked_against_the_id_number);

/// The resident list says exactly how many residents the filter selects, far past a thousand: a
/// town's whole register, a district's, a surname search, a community — the same number the
/// database holds, on the page and in the API.
async fn the_resident_list_gives_exact_totals_past_a_thousand(b: Backend) {
    let app = spawn_app(b).await;
    let qunli = app.node_id("群力镇").await;
    let community = app.node_id("群力社区").await;
    // Three hundred more, as a town's first import would bring.
    app.exec(&format!(
        "with recursive n(i) as (select 1 union all select i + 1 from n where i < 300) \
         insert into residents (community_id, town_id, name, created_at, updated_at) \
         select {community}, {qunli}, '王' || cast(i as text), '2026-01-01T00:00:00+00:00', \
         '2026-01-01T00:00:00+00:00' from n"
    ))
    .await
    .unwrap();
    let town_total = app
        .scalar(&format!(
            "select count(*) from residents where town_id = {qunli} and erased_at is null"
        ))
        .await;
    assert!(
        town_total > 1000,
        "the demo town has {town_total} residents"
    );
    let office = app.token("qunli.office").await;
    let total = |who: String, query: &'static str| {
        let app = &app;
        async move {
            let (s, v) =
                crate::helpers::get(app, who.as_str(), &format!("/api/v1/residents?{query}")).await;
            assert_eq!(s, 200, "{v}");
            v["total"].as_i64().unwrap()
        }
    };
    assert_eq!(total(office.clone(), "").await, town_total);
    let wang = app
        .scalar(&format!(
            "select count(*) from residents where town_id = {qunli} and erased_at is null \
             and name like '王%'"
        ))
        .await;
    assert!(wang > 0);
    assert_eq!(
        total(office.clone(), "q=%E7%8E%8B").await,
        wang,
        "surname 王"
    );
    let in_community = app
        .scalar(&format!(
            "select count(*) from residents where community_id = {community} and erased_at is null"
        ))
        .await;
    let (s, v) = crate::helpers::get(
        &app,
        office.as_str(),
        &format!("/api/v1/residents?community_id={community}"),
    )
    .await;
    assert_eq!((s, v["total"].as_i64()), (200, Some(in_community)), "{v}");
    // The district sees its towns' registers.
    let district = app.token("tongnan").await;
    let district_total = app
        .scalar(
            "select count(*) from residents r join org_nodes t on t.id = r.town_id \
             where t.path like '/1/2/%' and r.erased_at is null",
        )
        .await;
    assert_eq!(total(district, "").await, district_total);
    // The page says it too.
    let page = app
        .page_text(&app.login("qunli.office").await, "/people/residents")
        .await;
    assert!(page.contains(&format!("共 {town_total} 条")), "{page}");
    assert!(!page.contains("超过"), "{page}");

    // The totals follow every change: eight clerks register 王 residents at once, one 王 is
    // renamed 李, one is erased.
    let mut registering = Vec::new();
    for i in 0..8 {
        let (client, url, office) = (app.client(), app.url("/api/v1/residents"), office.clone());
        registering.push(tokio::spawn(async move {
            let body = serde_json::json!({"name": format!("王同时{i}"), "community_id": community});
            let r = client
                .post(url)
                .bearer_auth(office)
                .json(&body)
                .send()
                .await
                .unwrap();
            r.status().as_u16()
        }));
    }
    for t in registering {
        assert_eq!(t.await.unwrap(), 201);
    }
    let renamed = app
        .scalar(&format!(
            "select id from residents where town_id = {qunli} and name = '王1'"
        ))
        .await;
    let (s, v) = crate::helpers::put(
        &app,
        office.as_str(),
        &format!("/api/v1/residents/{renamed}"),
        serde_json::json!({"name": "李改名", "community_id": community}),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    let erased = app
        .scalar(&format!(
            "select id from residents where town_id = {qunli} and name = '王2'"
        ))
        .await;
    let r = app
        .client()
        .post(app.url(&format!("/api/v1/residents/{erased}/erase")))
        .bearer_auth(&office)
        .json(&serde_json::json!({"confirm": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    for (query, like) in [("", "%"), ("q=%E7%8E%8B", "王%"), ("q=%E6%9D%8E", "李%")] {
        let expected = app
            .scalar(&format!(
                "select count(*) from residents where town_id = {qunli} and erased_at is null \
                 and name like '{like}'"
            ))
            .await;
        assert_eq!(total(office.clone(), query).await, expected, "{query}");
    }
    assert_eq!(total(office.clone(), "").await, town_total + 8 - 1);
    // A page past the end is empty and still says the total.
    assert_eq!(
        total(office.clone(), "q=%E7%8E%8B&page=9999").await,
        total(office.clone(), "q=%E7%8E%8B").await
    );
}

both!(the_resident_list_gives_exact_totals_past_a_thousand);
