//! Re-importing people who are already registered: matched by ID number (else mobile number), the
//! report shows what will change, the confirmation writes the changes over them — on both
//! databases, over real HTTP.

use serde_json::Value;

use crate::both;
use crate::helpers::{Backend, TestApp, spawn_app};
use crate::people::{sheet, upload};

/// An ID number of GB 11643 with its check character, for a birth date and a serial whose last
/// digit is the gender (odd: male).
fn id_number(birth: &str, serial: &str) -> String {
    let body = format!("370305{birth}{serial}");
    let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body
        .chars()
        .zip(weights)
        .map(|(c, w)| c.to_digit(10).unwrap() * w)
        .sum();
    format!(
        "{body}{}",
        ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'][(sum % 11) as usize]
    )
}

async fn confirm(app: &TestApp, token: &str, id: i64) -> (u16, Value) {
    let r = app
        .client()
        .post(app.url(&format!("/api/v1/imports/{id}/confirm")))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or_default())
}

async fn a_second_import_offers_to_update_who_is_registered_and_shows_what_changes(b: Backend) {
    let app = spawn_app(b).await;
    let office = app.token("qiling.office").await;
    let (wang, li, zhao) = (
        id_number("19580312", "002"),
        id_number("19620101", "013"),
        id_number("19700505", "024"),
    );
    let first = sheet(&[
        [
            "王秀英",
            "女",
            "1958-03-12",
            "13905330001",
            &wang,
            "王齐村",
            "",
            "1组",
            "老年人",
            "",
        ],
        [
            "李建国",
            "男",
            "1962-01-01",
            "13905330002",
            &li,
            "王齐村",
            "",
            "2组",
            "",
            "",
        ],
        [
            "赵敏",
            "女",
            "1970-05-05",
            "13905330003",
            &zhao,
            "薛家村",
            "",
            "",
            "",
            "",
        ],
    ]);
    let (s, batch) = upload(&app, &office, "residents", "齐陵街道", "第一次.xlsx", first).await;
    assert_eq!((s, batch["valid_rows"].as_i64()), (201, Some(3)), "{batch}");
    assert_eq!(
        confirm(&app, &office, batch["id"].as_i64().unwrap())
            .await
            .0,
        200
    );

    // The sheet again, a month later: 王秀英 moved to group 3 and is now listed under a new
    // mobile number (matched by her ID number); 李建国's row says nothing new (matched by his
    // mobile number, no ID given); 孙丽 is new; a row with 赵敏's ID number and 王秀英's old
    // mobile number cannot be both.
    let second = sheet(&[
        [
            "王秀英",
            "女",
            "",
            "13905339999",
            &wang,
            "王齐村",
            "",
            "3组",
            "",
            "",
        ],
        [
            "李建国",
            "",
            "",
            "13905330002",
            "",
            "王齐村",
            "",
            "",
            "",
            "",
        ],
        [
            "孙丽",
            "女",
            "1980-08-08",
            "13905330004",
            "",
            "薛家村",
            "",
            "",
            "",
            "",
        ],
        [
            "赵敏",
            "女",
            "",
            "13905330001",
            &zhao,
            "薛家村",
            "",
            "",
            "",
            "",
        ],
    ]);
    let (s, batch) = upload(
        &app,
        &office,
        "residents",
        "齐陵街道",
        "第二次.xlsx",
        second,
    )
    .await;
    assert_eq!(s, 201, "{batch}");
    let id = batch["id"].as_i64().unwrap();
    assert_eq!(batch["total_rows"], 4);
    assert_eq!(batch["valid_rows"], 2, "王秀英's update and 孙丽: {batch}");
    let errors = batch["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{batch}");
    assert_eq!(
        (errors[0]["row"].as_i64(), errors[0]["key"].as_str()),
        (Some(5), Some("people.phone_taken"))
    );
    let updates = batch["updates"].as_array().unwrap();
    assert_eq!(updates.len(), 2, "{updates:?}");
    let wang_update = updates.iter().find(|u| u["row"] == 2).unwrap();
    assert_eq!(wang_update["subject"], "王秀英");
    let changes: Vec<(String, String, String)> = wang_update["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let t = |k: &str| c[k].as_str().unwrap().to_string();
            (t("column"), t("before"), t("after"))
        })
        .collect();
    assert!(
        changes.contains(&(
            "手机号码".into(),
            "139****0001".into(),
            "139****9999".into()
        )),
        "{changes:?}"
    );
    assert!(
        changes.contains(&("楼栋/村组".into(), "1组".into(), "3组".into())),
        "{changes:?}"
    );
    assert_eq!(
        changes.len(),
        2,
        "a blank birth date or tag keeps the stored one: {changes:?}"
    );
    let li_update = updates.iter().find(|u| u["row"] == 3).unwrap();
    assert!(
        li_update["changes"].as_array().unwrap().is_empty(),
        "{li_update}"
    );

    // The report page says it in words before anything is written.
    let web = app.login("qiling.office").await;
    let page = app.page_text(&web, &format!("/people/import/{id}")).await;
    for words in [
        "将更新已登记的居民 1",
        "已登记且无变化(跳过) 1",
        "王秀英",
        "楼栋/村组 1组 → 3组",
    ] {
        assert!(page.contains(words), "{words}: {page}");
    }
    let old_phone = app
        .scalar("select count(*) from residents where phone = '13905330001'")
        .await;
    assert_eq!(old_phone, 1, "nothing changes before the confirmation");

    let (s, v) = confirm(&app, &office, id).await;
    assert_eq!((s, v["imported"].as_i64()), (200, Some(2)), "{v}");
    assert_eq!(
        app.text(&format!(
            "select r.phone || ' ' || b.name || ' ' || cast(r.birth_date as text) from residents r \
             join buildings b on b.id = r.building_id where r.id_number = '{wang}'"
        ))
        .await,
        "13905339999 3组 1958-03-12"
    );
    assert_eq!(
        app.scalar(&format!(
            "select count(*) from residents where id_number = '{wang}'"
        ))
        .await,
        1,
        "updated, not added"
    );
    assert_eq!(
        app.scalar("select count(*) from residents where phone = '13905330004'")
            .await,
        1
    );
    assert_eq!(
        app.scalar(
            "select count(*) from resident_tags t join residents r on r.id = t.resident_id \
             where r.phone = '13905339999' and t.tag = 'elderly'"
        )
        .await,
        1,
        "a blank tag cell keeps her tags"
    );
    // The update is audited as an edit, naming the fields, never their values.
    let audit = app
        .text(
            "select after_json from audit_log where action = 'people.resident_updated' \
             order by id desc limit 1",
        )
        .await;
    assert!(
        audit.contains("phone") && audit.contains("building"),
        "{audit}"
    );
    assert!(!audit.contains("13905339999"), "{audit}");
}

both!(a_second_import_offers_to_update_who_is_registered_and_shows_what_changes);

/// Two clerks confirm two imports into the same town at the same moment, their rows spread over
/// the same communities and surnames: both land whole, and the district's totals count each
/// resident once.
async fn two_imports_confirmed_at_once_both_land_and_the_totals_stay_exact(b: Backend) {
    let app = spawn_app(b).await;
    let office = app.token("qiling.office").await;
    let surnames = ["王", "李", "张", "刘", "陈"];
    let communities = ["王齐村", "薛家村"];
    let mut batches = Vec::new();
    for (k, file) in ["甲.xlsx", "乙.xlsx"].iter().enumerate() {
        let rows: Vec<[String; 10]> = (0..120)
            .map(|i| {
                // The second file runs its surnames and communities backwards.
                let j = if k == 0 { i } else { 119 - i };
                [
                    format!("{}{k}号{i}", surnames[j % 5]),
                    String::new(),
                    String::new(),
                    format!("1390533{k}{i:03}"),
                    String::new(),
                    communities[j % 2].to_string(),
                    String::new(),
                    String::new(),
                    String::new(),
                    String::new(),
                ]
            })
            .collect();
        let refs: Vec<[&str; 10]> = rows
            .iter()
            .map(|r| std::array::from_fn(|c| r[c].as_str()))
            .collect();
        let (s, batch) = upload(&app, &office, "residents", "齐陵街道", file, sheet(&refs)).await;
        assert_eq!(
            (s, batch["valid_rows"].as_i64()),
            (201, Some(120)),
            "{batch}"
        );
        batches.push(batch["id"].as_i64().unwrap());
    }
    let qiling = app.node_id("齐陵街道").await;
    let before = app
        .scalar(&format!(
            "select count(*) from residents where town_id = {qiling} and erased_at is null"
        ))
        .await;
    let mut tasks = Vec::new();
    for id in batches {
        let (client, url, token) = (
            app.client(),
            app.url(&format!("/api/v1/imports/{id}/confirm")),
            office.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let r = client.post(url).bearer_auth(token).send().await.unwrap();
            (r.status().as_u16(), r.text().await.unwrap())
        }));
    }
    for t in tasks {
        let (s, body) = t.await.unwrap();
        assert_eq!(s, 200, "{body}");
    }
    let after = app
        .scalar(&format!(
            "select count(*) from residents where town_id = {qiling} and erased_at is null"
        ))
        .await;
    assert_eq!(after, before + 240);
    let (s, v) = crate::helpers::get(&app, office.as_str(), "/api/v1/residents").await;
    assert_eq!((s, v["total"].as_i64()), (200, Some(after)), "{v}");
    assert_surname_total(&app, &office, qiling, "张", "%E5%BC%A0").await;
}

both!(two_imports_confirmed_at_once_both_land_and_the_totals_stay_exact);

/// Two clerks confirm, at the same moment, two re-imports that update the same registered
/// resident: each lands whole or is refused as stale, the resident stays one record holding one
/// clerk's values, and the totals still count her once.
async fn two_updates_of_one_resident_confirmed_at_once_leave_one_consistent_record(b: Backend) {
    let app = spawn_app(b).await;
    let office = app.token("qiling.office").await;
    let wang = id_number("19580312", "002");
    let first = sheet(&[[
        "王秀英",
        "女",
        "1958-03-12",
        "13905330001",
        &wang,
        "王齐村",
        "",
        "1组",
        "",
        "",
    ]]);
    let (s, batch) = upload(&app, &office, "residents", "齐陵街道", "一.xlsx", first).await;
    assert_eq!(s, 201, "{batch}");
    assert_eq!(
        confirm(&app, &office, batch["id"].as_i64().unwrap())
            .await
            .0,
        200
    );
    let qiling = app.node_id("齐陵街道").await;
    let active =
        format!("select count(*) from residents where town_id = {qiling} and erased_at is null");
    let before = app.scalar(&active).await;
    let mut batches = Vec::new();
    for group in ["3组", "4组"] {
        let file = sheet(&[["王秀英", "", "", "", &wang, "王齐村", "", group, "", ""]]);
        let (s, batch) = upload(&app, &office, "residents", "齐陵街道", "改.xlsx", file).await;
        assert_eq!(
            (s, batch["updates"].as_array().map(Vec::len)),
            (201, Some(1)),
            "{batch}"
        );
        batches.push(batch["id"].as_i64().unwrap());
    }
    let mut tasks = Vec::new();
    for id in batches {
        let (client, url, token) = (
            app.client(),
            app.url(&format!("/api/v1/imports/{id}/confirm")),
            office.clone(),
        );
        tasks.push(tokio::spawn(async move {
            client
                .post(url)
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }));
    }
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.unwrap());
    }
    assert!(
        statuses.iter().all(|s| *s == 200 || *s == 409),
        "{statuses:?}"
    );
    assert!(statuses.contains(&200), "{statuses:?}");
    assert_eq!(
        app.scalar(&format!(
            "select count(*) from residents where id_number = '{wang}'"
        ))
        .await,
        1
    );
    let group = app
        .text(&format!(
            "select b.name from residents r join buildings b on b.id = r.building_id \
             where r.id_number = '{wang}'"
        ))
        .await;
    assert!(group == "3组" || group == "4组", "{group}");
    assert_eq!(app.scalar(&active).await, before, "an update adds nobody");
    assert_surname_total(&app, &office, qiling, "王", "%E7%8E%8B").await;
}

both!(two_updates_of_one_resident_confirmed_at_once_leave_one_consistent_record);

/// The resident list's total for a surname search (`encoded`: the surname as a URL has it) is the
/// exact number of the town's residents with that surname.
async fn assert_surname_total(app: &TestApp, token: &str, town: i64, surname: &str, encoded: &str) {
    let path = format!("/api/v1/residents?q={encoded}");
    let (s, v) = crate::helpers::get(app, token, &path).await;
    let exact = app
        .scalar(&format!(
            "select count(*) from residents where town_id = {town} and erased_at is null \
             and name like '{surname}%'"
        ))
        .await;
    assert_eq!((s, v["total"].as_i64()), (200, Some(exact)), "{v}");
}
