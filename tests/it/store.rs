//! Use-cases and storage straight against each database (no HTTP): the tree rules, scope, audit
//! rows, and the pairing of the two migration folders.

use std::collections::{BTreeMap, BTreeSet};

use cedu::access::Actor;
use cedu::accounts;
use cedu::db::Db;
use cedu::error::Error;
use cedu::org::{self, NewNode, NodeInput};

use crate::both;
use crate::helpers::{Backend, DEMO_PASSWORD, TestDb};

async fn demo_db(b: Backend) -> (TestDb, Db) {
    let t = TestDb::new(b).await;
    let db = t.connect().await;
    cedu::demo::load(&db, &cedu::demo::DemoOptions::default())
        .await
        .expect("demo loads");
    (t, db)
}

async fn actor(db: &Db, username: &str) -> Actor {
    accounts::login(db, username, DEMO_PASSWORD, None)
        .await
        .expect("login")
        .actor
}

async fn id_of(db: &Db, name: &str) -> i64 {
    let cli = Actor::command_line();
    let page = org::list_nodes(
        db,
        &cli,
        &org::NodeFilter {
            q: Some(name.into()),
            ..Default::default()
        },
        cedu::page::PageRequest::new(None, Some(50)),
    )
    .await
    .expect("list");
    page.items
        .iter()
        .find(|n| n.name == name)
        .unwrap_or_else(|| panic!("no node {name}"))
        .id
}

async fn audit_count(db: &Db, action: &str, subject: i64) -> i64 {
    let sql = "select count(*) from audit_log where action = $1 and subject_id = $2";
    match db {
        Db::Sqlite(p, _) => sqlx::query_scalar(sql)
            .bind(action)
            .bind(subject)
            .fetch_one(p)
            .await
            .unwrap(),
        Db::Postgres(p) => sqlx::query_scalar(sql)
            .bind(action)
            .bind(subject)
            .fetch_one(p)
            .await
            .unwrap(),
    }
}

fn community(parent: i64, name: &str, centre: Option<&str>) -> NewNode {
    NewNode {
        parent_id: parent,
        kind: "community".into(),
        attrs: NodeInput {
            name: name.into(),
            population: Some("2100".into()),
            ..Default::default()
        },
        centre: centre.map(|c| NodeInput {
            name: c.into(),
            ..Default::default()
        }),
        centre_head: Some("刘秀英".into()),
    }
}

async fn a_community_and_its_centre_are_created_together_and_audited(b: Backend) {
    let (_t, db) = demo_db(b).await;
    let office = actor(&db, "qiling.office").await;
    let qiling = id_of(&db, "齐陵街道").await;
    let c = org::create_node(
        &db,
        &office,
        &community(qiling, "南卧石村", Some("南卧石村工作站")),
    )
    .await
    .expect("created");
    assert_eq!(c.path, format!("/{}/", c.path.trim_matches('/')));
    assert!(c.path.contains(&format!("/{qiling}/")));
    let t = org::tree(&db, &office, Some(c.id), 1).await.unwrap();
    assert_eq!(t.children.len(), 1);
    assert_eq!(t.children[0].node.name, "南卧石村工作站");
    assert_eq!(t.children[0].node.setup_status.as_deref(), Some("planned"));
    let members = org::members(&db, &office, t.children[0].node.id)
        .await
        .unwrap();
    assert_eq!(
        members
            .iter()
            .map(|m| (m.name.as_str(), m.role.as_str()))
            .collect::<Vec<_>>(),
        vec![("刘秀英", "head")]
    );
    assert_eq!(audit_count(&db, "org.node_created", c.id).await, 1);
    assert_eq!(
        audit_count(&db, "org.node_created", t.children[0].node.id).await,
        1
    );
}

async fn a_repeated_name_under_one_parent_is_refused_and_nothing_is_written(b: Backend) {
    let (_t, db) = demo_db(b).await;
    let office = actor(&db, "qiling.office").await;
    let qiling = id_of(&db, "齐陵街道").await;
    let before = org::tree(&db, &office, None, 6).await.unwrap();
    let err = org::create_node(
        &db,
        &office,
        &community(qiling, "王齐村", Some("另一个工作站")),
    )
    .await
    .unwrap_err();
    match err {
        Error::Invalid(fe) => assert_eq!(fe.get("name").unwrap().key, "org.name_taken"),
        other => panic!("expected a field error, got {other:?}"),
    }
    let after = org::tree(&db, &office, None, 6).await.unwrap();
    assert_eq!(
        serde_json::to_value(&before).unwrap(),
        serde_json::to_value(&after).unwrap()
    );
    // The same name under another town is fine.
    let qunli_office = actor(&db, "qunli.office").await;
    let qunli = id_of(&db, "群力镇").await;
    org::create_node(&db, &qunli_office, &community(qunli, "王齐村", None))
        .await
        .expect("other parent is fine");
}

async fn a_move_under_itself_or_a_wrong_kind_is_refused_and_a_good_move_carries_the_subtree(
    b: Backend,
) {
    let (_t, db) = demo_db(b).await;
    let admin = actor(&db, "tongnan").await;
    let qunli = id_of(&db, "群力镇").await;
    let village = id_of(&db, "双河村").await;
    let centre = id_of(&db, "双河村学习中心").await;
    assert!(
        matches!(org::move_node(&db, &admin, qunli, village).await, Err(Error::Conflict(m)) if m.key == "org.move_cycle")
    );
    assert!(
        matches!(org::move_node(&db, &admin, centre, qunli).await, Err(Error::Conflict(m)) if m.key == "org.kind_not_allowed_here")
    );
    // Move 双河村 into a new town: its centre's path follows.
    let tongnan = id_of(&db, "潼南区").await;
    let new_town = org::create_node(
        &db,
        &admin,
        &NewNode {
            parent_id: tongnan,
            kind: "town".into(),
            attrs: NodeInput {
                name: "米心镇".into(),
                ..Default::default()
            },
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let moved = org::move_node(&db, &admin, village, new_town.id)
        .await
        .expect("moved");
    assert_eq!(moved.path, format!("{}{}/", new_town.path, village));
    let c = org::get_node(&db, &admin, centre).await.unwrap();
    assert_eq!(c.path, format!("{}{}/", moved.path, centre));
    assert_eq!(c.depth, moved.depth + 1);
    assert_eq!(audit_count(&db, "org.node_moved", village).await, 1);
}

async fn a_node_in_use_cannot_be_retired_and_a_retired_node_cannot_change(b: Backend) {
    let (_t, db) = demo_db(b).await;
    let office = actor(&db, "qunli.office").await;
    let community_id = id_of(&db, "群力社区").await;
    let centre = id_of(&db, "群力社区学习中心").await;
    assert!(
        matches!(org::retire_node(&db, &office, community_id).await, Err(Error::Conflict(m)) if m.key == "org.retire_has_children")
    );
    // The demo's qunli.centre account is bound to the centre.
    assert!(
        matches!(org::retire_node(&db, &office, centre).await, Err(Error::Conflict(m)) if m.key == "org.retire_has_accounts")
    );
    let qunli = id_of(&db, "群力镇").await;
    let spare = org::create_node(&db, &office, &community(qunli, "临时社区", None))
        .await
        .unwrap();
    let retired = org::retire_node(&db, &office, spare.id)
        .await
        .expect("retired");
    assert!(retired.retired_at.is_some());
    let edit = NodeInput {
        name: "改名".into(),
        population: Some("1".into()),
        ..Default::default()
    };
    assert!(
        matches!(org::update_node(&db, &office, spare.id, &edit).await, Err(Error::Conflict(m)) if m.key == "org.node_retired")
    );
    // Its name is free again for a new node.
    org::create_node(&db, &office, &community(qunli, "临时社区", None))
        .await
        .expect("name reusable after retirement");
}

async fn a_centre_head_of_wangqi_cannot_see_or_change_xuejia(b: Backend) {
    let (_t, db) = demo_db(b).await;
    let wangqi = actor(&db, "wangqi").await;
    let xuejia = id_of(&db, "薛家村").await;
    let xuejia_station = id_of(&db, "薛家村工作站").await;
    assert!(matches!(
        org::get_node(&db, &wangqi, xuejia).await,
        Err(Error::NotFound)
    ));
    let edit = NodeInput {
        name: "被改名".into(),
        population: Some("1".into()),
        ..Default::default()
    };
    assert!(matches!(
        org::update_node(&db, &wangqi, xuejia, &edit).await,
        Err(Error::NotFound)
    ));
    assert!(matches!(
        org::update_node(&db, &wangqi, xuejia_station, &edit).await,
        Err(Error::NotFound)
    ));
    assert_eq!(
        org::get_node(&db, &Actor::command_line(), xuejia)
            .await
            .unwrap()
            .name,
        "薛家村"
    );
    // The tree shows only 王齐村 and its station.
    let t = org::tree(&db, &wangqi, None, 6).await.unwrap();
    assert_eq!(t.node.name, "王齐村");
    assert_eq!(
        t.children
            .iter()
            .map(|c| c.node.name.as_str())
            .collect::<Vec<_>>(),
        vec!["王齐村工作站"]
    );
    // A centre head edits but does not create, move or retire.
    let station = id_of(&db, "王齐村工作站").await;
    assert!(matches!(
        org::retire_node(&db, &wangqi, station).await,
        Err(Error::Forbidden(_))
    ));
    let edit = NodeInput {
        name: "王齐村工作站".into(),
        venue: Some("王齐村文化大院".into()),
        setup_status: Some("set_up".into()),
        ..Default::default()
    };
    assert_eq!(
        org::update_node(&db, &wangqi, station, &edit)
            .await
            .unwrap()
            .venue
            .as_deref(),
        Some("王齐村文化大院")
    );
}

async fn a_qunli_user_cannot_reach_qiling(b: Backend) {
    let (_t, db) = demo_db(b).await;
    let qunli = actor(&db, "qunli.office").await;
    let qiling = id_of(&db, "齐陵街道").await;
    assert!(matches!(
        org::get_node(&db, &qunli, qiling).await,
        Err(Error::NotFound)
    ));
    assert!(matches!(
        org::create_node(&db, &qunli, &community(qiling, "越界村", None)).await,
        Err(Error::NotFound)
    ));
    let listed = org::list_nodes(
        &db,
        &qunli,
        &org::NodeFilter {
            q: Some("齐陵".into()),
            ..Default::default()
        },
        cedu::page::PageRequest::new(None, None),
    )
    .await
    .unwrap();
    assert_eq!(listed.total, 0);
    // Its own audit view holds no Qiling record.
    let audit = cedu::audit::list(
        &db,
        &qunli,
        &Default::default(),
        cedu::page::PageRequest::new(None, Some(200)),
    )
    .await
    .unwrap();
    assert!(
        audit
            .items
            .iter()
            .all(|r| !r.after_json.as_deref().unwrap_or("").contains("齐陵"))
    );
}

async fn an_edit_records_exactly_one_audit_row_with_before_and_after(b: Backend) {
    let (_t, db) = demo_db(b).await;
    let office = actor(&db, "qunli.office").await;
    let id = id_of(&db, "檬子村").await;
    let edit = NodeInput {
        name: "檬子村".into(),
        population: Some("5000".into()),
        subtype: Some("village".into()),
        ..Default::default()
    };
    org::update_node(&db, &office, id, &edit).await.unwrap();
    let page = cedu::audit::list(
        &db,
        &office,
        &cedu::audit::AuditFilter {
            subject_id: Some(id),
            action: Some("org.node_updated".into()),
            ..Default::default()
        },
        cedu::page::PageRequest::new(None, None),
    )
    .await
    .unwrap();
    assert_eq!(page.total, 1);
    let r = &page.items[0];
    assert_eq!(
        (
            r.actor_name.as_str(),
            r.actor_role.as_str(),
            r.result.as_str()
        ),
        ("qunli.office", "town_office", "ok")
    );
    let before: serde_json::Value =
        serde_json::from_str(r.before_json.as_deref().unwrap()).unwrap();
    let after: serde_json::Value = serde_json::from_str(r.after_json.as_deref().unwrap()).unwrap();
    assert_ne!(before["population"], serde_json::json!(5000));
    assert_eq!(after["population"], serde_json::json!(5000));
}

async fn audit_records_cannot_be_edited_or_deleted(b: Backend) {
    let (_t, db) = demo_db(b).await;
    let (upd, del) = match &db {
        Db::Sqlite(p, _) => (
            sqlx::query("update audit_log set actor_name = 'x'")
                .execute(p)
                .await
                .err(),
            sqlx::query("delete from audit_log").execute(p).await.err(),
        ),
        Db::Postgres(p) => (
            sqlx::query("update audit_log set actor_name = 'x'")
                .execute(p)
                .await
                .err(),
            sqlx::query("delete from audit_log").execute(p).await.err(),
        ),
    };
    assert!(
        upd.expect("update refused")
            .to_string()
            .contains("append-only")
    );
    assert!(
        del.expect("delete refused")
            .to_string()
            .contains("append-only")
    );
}

async fn the_demo_holds_the_two_towns_of_the_plans(b: Backend) {
    let (_t, db) = demo_db(b).await;
    let cli = Actor::command_line();
    let qunli = org::tree(&db, &cli, Some(id_of(&db, "群力镇").await), 3)
        .await
        .unwrap();
    let centres = qunli
        .children
        .iter()
        .flat_map(|c| &c.children)
        .filter(|n| n.node.kind == "centre")
        .count();
    assert_eq!(centres, 8, "Qunli has 8 learning centres");
    let depts: BTreeSet<&str> = qunli
        .children
        .iter()
        .filter(|c| c.node.kind == "department")
        .map(|c| c.node.name.as_str())
        .collect();
    for d in [
        "社保所",
        "文化服务中心",
        "卫生服务中心",
        "食药监所",
        "执法大队",
        "司法所",
        "派出所",
        "党建办",
    ] {
        assert!(depts.contains(d), "{d}");
    }
    let office = id_of(&db, "社区教育管理办公室").await;
    let m: Vec<(String, String)> = org::members(&db, &cli, office)
        .await
        .unwrap()
        .into_iter()
        .map(|m| (m.name, m.role))
        .collect();
    assert_eq!(
        m,
        vec![
            ("周光".into(), "director".into()),
            ("倪应敏".into(), "deputy_director".into()),
            ("张春林".into(), "member".into())
        ]
    );
    let qiling = org::tree(&db, &cli, Some(id_of(&db, "齐陵街道").await), 3)
        .await
        .unwrap();
    let stations: BTreeSet<String> = qiling
        .children
        .iter()
        .flat_map(|c| &c.children)
        .filter(|n| n.node.subtype.as_deref() == Some("work_station"))
        .map(|n| n.node.name.clone())
        .collect();
    let expected: BTreeSet<String> = [
        "淄水社区",
        "齐家终村",
        "王齐村",
        "东龙池村",
        "薛家村",
        "小交流村",
    ]
    .iter()
    .map(|n| format!("{n}工作站"))
    .collect();
    assert_eq!(stations, expected);
    assert!(qiling.population > 0 && qunli.population > 0);
    // Loading again into a populated database does nothing.
    assert!(
        !cedu::demo::load_if_empty(&db, &Default::default())
            .await
            .unwrap()
    );
}

/// A status or kind read from a row is the enum of its concept; a name the code does not know is a
/// decoding error (a clear internal error), never silently a draft or the root.
async fn an_unknown_name_in_a_status_column_is_an_error_not_a_default(b: Backend) {
    use cedu::activities::Status;
    use cedu::org::Kind;
    let t = TestDb::new(b).await;
    let db = t.connect().await;
    async fn read<T>(db: &Db, sql: &'static str) -> Result<T, sqlx::Error>
    where
        T: Send + Unpin + for<'r> sqlx::Decode<'r, sqlx::Sqlite> + sqlx::Type<sqlx::Sqlite>,
        T: for<'r> sqlx::Decode<'r, sqlx::Postgres> + sqlx::Type<sqlx::Postgres>,
    {
        match db {
            Db::Sqlite(p, _) => sqlx::query_scalar::<_, T>(sql).fetch_one(p).await,
            Db::Postgres(p) => sqlx::query_scalar::<_, T>(sql).fetch_one(p).await,
        }
    }
    assert_eq!(
        read::<Status>(&db, "select 'published'").await.unwrap(),
        Status::Published
    );
    assert_eq!(
        read::<Kind>(&db, "select 'centre'").await.unwrap(),
        Kind::Centre
    );
    let e = read::<Status>(&db, "select 'bogus'").await.unwrap_err();
    assert!(e.to_string().contains("unknown Status \"bogus\""), "{e}");
    let e = read::<Kind>(&db, "select 'hamlet'").await.unwrap_err();
    assert!(e.to_string().contains("unknown Kind \"hamlet\""), "{e}");
    let e = Error::from(read::<Status>(&db, "select 'bogus'").await.unwrap_err());
    assert!(matches!(e, Error::Internal { .. }), "{e:?}");
}

both!(
    an_unknown_name_in_a_status_column_is_an_error_not_a_default,
    a_community_and_its_centre_are_created_together_and_audited,
    a_repeated_name_under_one_parent_is_refused_and_nothing_is_written,
    a_move_under_itself_or_a_wrong_kind_is_refused_and_a_good_move_carries_the_subtree,
    a_node_in_use_cannot_be_retired_and_a_retired_node_cannot_change,
    a_centre_head_of_wangqi_cannot_see_or_change_xuejia,
    a_qunli_user_cannot_reach_qiling,
    an_edit_records_exactly_one_audit_row_with_before_and_after,
    audit_records_cannot_be_edited_or_deleted,
    the_demo_holds_the_two_towns_of_the_plans
);

fn migration_names(dir: &str) -> Vec<String> {
    let mut v: Vec<String> =
        std::fs::read_dir(format!("{}/migrations/{dir}", env!("CARGO_MANIFEST_DIR")))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
    v.sort();
    v
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_two_migration_folders_pair_and_give_the_same_tables_and_columns() {
    assert_eq!(migration_names("sqlite"), migration_names("postgres"));
    let s = TestDb::new(Backend::Sqlite).await;
    let p = TestDb::new(Backend::Postgres).await;
    let (sdb, pdb) = (s.connect().await, p.connect().await);
    let mut lite: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    if let Db::Sqlite(pool, _) = &sdb {
        let rows: Vec<(String, String)> = sqlx::query_as(
            "select m.name, p.name from sqlite_master m join pragma_table_info(m.name) p \
             where m.type = 'table' and m.name not like 'sqlite_%' and m.name <> '_sqlx_migrations'",
        )
        .fetch_all(pool)
        .await
        .unwrap();
        for (t, c) in rows {
            lite.entry(t).or_default().insert(c);
        }
    }
    let mut pg: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    if let Db::Postgres(pool) = &pdb {
        let rows: Vec<(String, String)> = sqlx::query_as(
            "select table_name::text, column_name::text from information_schema.columns \
             where table_schema = current_schema() and table_name <> '_sqlx_migrations'",
        )
        .fetch_all(pool)
        .await
        .unwrap();
        for (t, c) in rows {
            pg.entry(t).or_default().insert(c);
        }
    }
    assert!(!lite.is_empty());
    assert_eq!(lite, pg);
}
