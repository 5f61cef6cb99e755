//! The authorization matrix, generated from the route table and the role table: every route × every
//! demo role × the record it names placed in the role's own community, a sibling community of the
//! same town, and another town (Qiling, another district). The expected answer comes from one
//! declared policy — the route's rule (`cedu::web::route_rules`), the role's permissions
//! (`Role::permissions`) and the scope of the organisation tree — and the real server must give
//! exactly that: 403 without the permission, 404 outside the scope, something else inside it, never
//! a 500. A route added without a rule cannot be registered, and the API's routes must all be in
//! its OpenAPI document.

use std::collections::{BTreeSet, HashMap};

use cedu::access::Role;
use cedu::web::routes::{Access, Object, Route};
use serde_json::{Value, json};

use crate::both;
use crate::helpers::{Backend, TestApp, api, api_post, spawn_app};

/// Where a record lies relative to the roles under test (who all belong to 群力镇 or above).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Place {
    /// 群力社区 and its centre: the centre head's own community.
    Own,
    /// 双河村, another community of 群力镇.
    Sibling,
    /// 王齐村 of 齐陵街道, in another district.
    OtherTown,
}

const PLACES: [Place; 3] = [Place::Own, Place::Sibling, Place::OtherTown];

/// The demo accounts under test and their roles.
const ROLES: [(&str, Role); 9] = [
    ("sysadmin", Role::SystemAdmin),
    ("secadmin", Role::SecurityAdmin),
    ("auditor", Role::AuditAdmin),
    ("tongnan", Role::DistrictAdmin),
    ("qunli.office", Role::TownOffice),
    ("qunli.leader", Role::Leadership),
    ("qunli.shebao", Role::LeadDepartment),
    ("qunli.centre", Role::CentreHead),
    ("qunli.teacher", Role::Teacher),
];

/// What the policy expects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Expect {
    /// Refused for the role: 403.
    NoPermission,
    /// The record does not exist for the actor: 404.
    OutOfScope,
    /// The record's own rule refuses the change (a lead department, another's activity): 403.
    NotTheirs,
    /// Anything but 401/403/404/500: done, or refused for what the request held.
    Allowed,
}

/// The scope model of SPEC.md: who sees a record placed where.
fn sees(user: &str, role: Role, object: Object, place: Place) -> bool {
    match object {
        // District dictionaries: every account inside the district, none above it.
        Object::Theme | Object::Entry => {
            !matches!(
                role,
                Role::SystemAdmin | Role::SecurityAdmin | Role::AuditAdmin
            ) && place != Place::OtherTown
        }
        // A schedule row: the whole year for those who read it, a unit's own rows for a unit
        // (the own row names the centre and 社保所).
        Object::ScheduleRow | Object::ScheduleFile => match role {
            Role::DistrictAdmin | Role::TownOffice | Role::Leadership => place != Place::OtherTown,
            Role::LeadDepartment | Role::CentreHead => place == Place::Own,
            _ => false,
        },
        // A town's commendation round: everyone of the town who reads awards; a nomination and
        // its files: the town's readers, and a centre head its own.
        Object::AwardRound => {
            matches!(
                role,
                Role::DistrictAdmin | Role::TownOffice | Role::Leadership | Role::CentreHead
            ) && place != Place::OtherTown
        }
        Object::Nomination | Object::NominationFile => match role {
            Role::DistrictAdmin | Role::TownOffice | Role::Leadership => place != Place::OtherTown,
            Role::CentreHead => place == Place::Own,
            _ => false,
        },
        // The town's funds and meetings: its office, leadership and the district.
        Object::Expense | Object::Voucher | Object::Meeting | Object::MeetingFile => {
            matches!(
                role,
                Role::DistrictAdmin | Role::TownOffice | Role::Leadership
            ) && place != Place::OtherTown
        }
        // An import batch is its uploader's only.
        Object::Import => {
            (user == "qunli.office" && place == Place::Own)
                || (user == "qunli.centre" && place == Place::Sibling)
        }
        _ => match role {
            Role::SystemAdmin | Role::SecurityAdmin | Role::AuditAdmin => true,
            Role::DistrictAdmin | Role::TownOffice | Role::Leadership | Role::LeadDepartment => {
                place != Place::OtherTown
            }
            Role::CentreHead => place == Place::Own,
            // The teacher's scope is the town school's pool: no community's records.
            Role::Teacher | Role::Resident => false,
        },
    }
}

/// The policy: the route's rule, the role table and the scope model.
fn expected(route: &Route, user: &str, role: Role, place: Option<Place>) -> Expect {
    let permitted = match route.rule.access {
        Access::Public | Access::SignedIn => true,
        Access::Needs(p) => role.permissions().contains(&p),
        Access::Either(a, b) => role.permissions().contains(&a) || role.permissions().contains(&b),
        Access::Both(a, b) => role.permissions().contains(&a) && role.permissions().contains(&b),
    };
    if !permitted {
        return Expect::NoPermission;
    }
    let (Some(object), Some(place)) = (route.rule.object, place) else {
        return Expect::Allowed;
    };
    if !sees(user, role, object, place) {
        return Expect::OutOfScope;
    }
    let write = route.method != reqwest::Method::GET;
    // A lead department changes only the activities it leads: the own one is 社保所's, the
    // sibling's is 司法所's.
    if write && object == Object::Activity && role == Role::LeadDepartment && place != Place::Own {
        return Expect::NotTheirs;
    }
    Expect::Allowed
}

fn matches(expect: Expect, status: u16) -> bool {
    match expect {
        Expect::NoPermission | Expect::NotTheirs => status == 403,
        Expect::OutOfScope => status == 404,
        Expect::Allowed => !matches!(status, 401 | 403 | 404) && status < 500,
    }
}

/// The records each route names, by kind and place.
struct Fixtures(HashMap<(Object, Place), i64>);

async fn post_ok(app: &TestApp, token: &str, path: &str, body: Value) -> Value {
    let (s, v) = api_post(app, Some(token), path, body).await;
    assert!((200..300).contains(&s), "{path}: {s} {v}");
    v
}

async fn activity(
    app: &TestApp,
    planner: &str,
    office: &str,
    owner: &str,
    theme: &str,
    lead: Option<i64>,
) -> i64 {
    let date = (chrono::Utc::now() + chrono::Duration::days(30))
        .date_naive()
        .to_string();
    let theme = app
        .scalar(&format!("select id from themes where name = '{theme}'"))
        .await;
    let body = json!({"title": "权限矩阵活动", "owner_id": app.node_id(owner).await, "theme_id": theme,
        "lead_department_id": lead, "date": date, "start_time": "09:00", "end_time": "10:00"});
    let v = post_ok(app, planner, "/api/v1/activities", body).await;
    let id = v[0]["id"].as_i64().unwrap();
    for (who, step) in [
        (planner, "submit"),
        (office, "approve"),
        (office, "publish"),
    ] {
        post_ok(
            app,
            who,
            &format!("/api/v1/activities/{id}/transition"),
            json!({"action": step}),
        )
        .await;
    }
    id
}

impl Fixtures {
    async fn make(app: &TestApp) -> Fixtures {
        let mut f = HashMap::new();
        let office = app.token("qunli.office").await;
        let qiling = app.token("qiling.office").await;
        let shebao = app.token("qunli.shebao").await;
        let places = [
            (Place::Own, "群力社区", "群力社区学习中心", &office),
            (Place::Sibling, "双河村", "双河村学习中心", &office),
            (Place::OtherTown, "王齐村", "王齐村工作站", &qiling),
        ];
        for (place, community, centre, token) in places {
            let c = app.node_id(community).await;
            let centre_id = app.node_id(centre).await;
            f.insert((Object::Node, place), centre_id);
            let m = post_ok(
                app,
                token,
                &format!("/api/v1/org/nodes/{centre_id}/members"),
                json!({"name": "矩阵成员", "role": "member"}),
            )
            .await;
            f.insert((Object::Member, place), m["id"].as_i64().unwrap());
            let u = post_ok(app, token, "/api/v1/users", json!({"username": format!("matrix.{}", centre_id),
                "display_name": "矩阵账号", "role": "centre_head", "node_id": centre_id, "password": "Matrix-Pass-2026"})).await;
            f.insert((Object::User, place), u["id"].as_i64().unwrap());
            let r = app.scalar(&format!("select id from residents where community_id = {c} and phone is not null order by id limit 1")).await;
            f.insert((Object::Resident, place), r);
            let h = post_ok(
                app,
                token,
                "/api/v1/households",
                json!({"community_id": c, "name": "矩阵户"}),
            )
            .await;
            f.insert((Object::Household, place), h["id"].as_i64().unwrap());
            let t = post_ok(
                app,
                token,
                "/api/v1/teachers",
                json!({"name": "矩阵教师", "node_id": centre_id,
                "teacher_type": "volunteer", "source": "capable_local"}),
            )
            .await;
            f.insert((Object::Teacher, place), t["id"].as_i64().unwrap());
            let a = match place {
                Place::Own => activity(app, &shebao, &office, centre, "科技(实用技术)", None).await,
                Place::Sibling => {
                    activity(
                        app,
                        &office,
                        &office,
                        centre,
                        "法律",
                        Some(app.node_id("司法所").await),
                    )
                    .await
                }
                Place::OtherTown => activity(app, &qiling, &qiling, centre, "老年教育", None).await,
            };
            f.insert((Object::Activity, place), a);
            let e = post_ok(
                app,
                token,
                &format!("/api/v1/activities/{a}/enrolments"),
                json!({"resident_id": r}),
            )
            .await;
            f.insert((Object::Enrolment, place), e["id"].as_i64().unwrap());
            let form = reqwest::multipart::Form::new()
                .text("kind", "material")
                .part(
                    "file",
                    reqwest::multipart::Part::bytes(crate::concurrency::png())
                        .file_name("矩阵.png"),
                );
            let up = app
                .client()
                .post(app.url(&format!("/api/v1/activities/{a}/files")))
                .bearer_auth(token)
                .multipart(form)
                .send()
                .await
                .unwrap();
            assert_eq!(up.status(), 201);
            f.insert(
                (Object::File, place),
                up.json::<Value>().await.unwrap()["id"].as_i64().unwrap(),
            );
        }
        // Account changes waiting for the security administrator, one on each place's centre.
        let sys = app.token("sysadmin").await;
        let sec = app.token("secadmin").await;
        for place in PLACES {
            let centre = f[&(Object::Node, place)];
            post_ok(app, &sys, "/api/v1/users", json!({"username": format!("matrix.req.{centre}"),
                "display_name": "待复核账号", "role": "centre_head", "node_id": centre, "password": ""})).await;
        }
        let (_, requests) = api(
            app,
            reqwest::Method::GET,
            Some(&sec),
            "/api/v1/account-requests",
            None,
        )
        .await;
        for (place, r) in PLACES.iter().zip(requests.as_array().unwrap()) {
            f.insert((Object::AccountRequest, *place), r["id"].as_i64().unwrap());
        }
        // District dictionaries: Tongnan's for both places of Qunli, Linzi's for Qiling.
        for (place, theme, district) in [
            (Place::Own, "卫生", "潼南区"),
            (Place::Sibling, "文体", "潼南区"),
            (Place::OtherTown, "老年教育", "临淄区"),
        ] {
            f.insert(
                (Object::Theme, place),
                app.scalar(&format!("select id from themes where name = '{theme}'"))
                    .await,
            );
            let d = app.node_id(district).await;
            let entry = app
                .scalar(&format!(
                    "select min(id) from formats where district_id = {d}"
                ))
                .await;
            f.insert((Object::Entry, place), entry);
        }
        // Import batches: the office's own, the centre head's, and Qiling's.
        let sheet = {
            let mut t = cedu::importers::Kind::Residents.template();
            t.rows = vec![vec![
                "矩阵居民".into(),
                "".into(),
                "".into(),
                "".into(),
                "".into(),
                "群力社区".into(),
                "".into(),
                "".into(),
                "".into(),
                "".into(),
            ]];
            t.notes.clear();
            cedu::spreadsheet::to_xlsx(&t).unwrap()
        };
        for (place, user, town) in [
            (Place::Own, "qunli.office", "群力镇"),
            (Place::Sibling, "qunli.centre", "群力镇"),
            (Place::OtherTown, "qiling.office", "齐陵街道"),
        ] {
            let token = app.token(user).await;
            let town = app.node_id(town).await;
            let r = app
                .client()
                .post(app.url(&format!(
                    "/api/v1/imports?kind=residents&town_id={town}&file_name=x.xlsx"
                )))
                .bearer_auth(&token)
                .body(sheet.clone())
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 201);
            f.insert(
                (Object::Import, place),
                r.json::<Value>().await.unwrap()["id"].as_i64().unwrap(),
            );
        }
        // Schedule rows: the own centre's (with 社保所), the sibling centre's, Qiling's; each
        // marked done with a file of evidence.
        for (place, user, town, units) in [
            (
                Place::Own,
                "qunli.office",
                "群力镇",
                "群力社区学习中心、社保所",
            ),
            (Place::Sibling, "qunli.office", "群力镇", "双河村学习中心"),
            (
                Place::OtherTown,
                "qiling.office",
                "齐陵街道",
                "王齐村工作站",
            ),
        ] {
            let token = app.token(user).await;
            let town = app.node_id(town).await;
            let row = post_ok(app, &token, "/api/v1/schedule/rows", json!({"town_id": town,
                "year": 2026, "months": "全年", "item": format!("权限矩阵工作{place:?}"), "units": units})).await;
            let id = row["id"].as_i64().unwrap();
            f.insert((Object::ScheduleRow, place), id);
            let form = reqwest::multipart::Form::new().text("note", "已完成").part(
                "file",
                reqwest::multipart::Part::bytes(crate::concurrency::png()).file_name("x.png"),
            );
            let r = app
                .client()
                .post(app.url(&format!("/api/v1/schedule/rows/{id}/done")))
                .bearer_auth(&token)
                .multipart(form)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200);
            let done: Value = r.json().await.unwrap();
            f.insert(
                (Object::ScheduleFile, place),
                done["evidence"][0]["id"].as_i64().unwrap(),
            );
        }
        // Expenses with a voucher: two of Qunli's (the school's, the sibling centre's), Qiling's.
        for (place, user, town, unit) in [
            (Place::Own, "qunli.office", "群力镇", "群力社区学习中心"),
            (Place::Sibling, "qunli.office", "群力镇", "双河村学习中心"),
            (
                Place::OtherTown,
                "qiling.office",
                "齐陵街道",
                "王齐村工作站",
            ),
        ] {
            let token = app.token(user).await;
            let town = app.node_id(town).await;
            let e = post_ok(
                app,
                &token,
                "/api/v1/funds/expenses",
                json!({"town_id": town,
                "year": 2026, "date": "2026-06-01", "category": "activity", "amount": "80",
                "payee": "文具店", "node_id": app.node_id(unit).await,
                "over_budget_reason": "矩阵测试"}),
            )
            .await;
            let id = e["id"].as_i64().unwrap();
            f.insert((Object::Expense, place), id);
            let form = reqwest::multipart::Form::new().part(
                "file",
                reqwest::multipart::Part::bytes(crate::concurrency::png()).file_name("发票.png"),
            );
            let r = app
                .client()
                .post(app.url(&format!("/api/v1/funds/expenses/{id}/vouchers")))
                .bearer_auth(&token)
                .multipart(form)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 201);
            let v: Value = r.json().await.unwrap();
            f.insert((Object::Voucher, place), v["id"].as_i64().unwrap());
        }
        // Commendation: Qunli's round (both places of Qunli), Qiling's; a nomination by the own
        // centre's head and by Qiling's 王齐村 head through the page (with a file), and one placed
        // in the sibling community.
        let year = cedu::calendar::Year::current().0 + 1;
        for (user, town, places) in [
            ("qunli.office", "群力镇", &[Place::Own, Place::Sibling][..]),
            ("qiling.office", "齐陵街道", &[Place::OtherTown][..]),
        ] {
            let token = app.token(user).await;
            let town = app.node_id(town).await;
            let r = post_ok(
                app,
                &token,
                "/api/v1/awards/rounds",
                json!({"town_id": town,
                "year": year, "title": "矩阵评选", "deadline": format!("{year}-12-31"),
                "categories": [{"category": "learning_unit", "quota": 5}]}),
            )
            .await;
            for p in places {
                f.insert((Object::AwardRound, *p), r["round"]["id"].as_i64().unwrap());
            }
        }
        for (place, user) in [(Place::Own, "qunli.centre"), (Place::OtherTown, "wangqi")] {
            let round = f[&(Object::AwardRound, place)];
            let web = app.login(user).await;
            let csrf = app.csrf(&web).await;
            let form = reqwest::multipart::Form::new()
                .text("_csrf", csrf)
                .text("category", "learning_unit")
                .text("nominee_name", format!("矩阵单位{place:?}"))
                .text("deeds", "事迹")
                .part(
                    "file",
                    reqwest::multipart::Part::bytes(crate::concurrency::png())
                        .file_name("事迹.png"),
                );
            let r = web
                .post(app.url(&format!("/awards/rounds/{round}/nominations")))
                .multipart(form)
                .send()
                .await
                .unwrap();
            assert!(
                r.status().is_success() || r.status().is_redirection(),
                "{}",
                r.status()
            );
            let n = app
                .scalar(&format!(
                    "select max(id) from nominations where round_id = {round}"
                ))
                .await;
            f.insert((Object::Nomination, place), n);
            let file = app
                .scalar(&format!("select max(id) from attachments where subject_type = 'nomination' and subject_id = {n}"))
                .await;
            f.insert((Object::NominationFile, place), file);
        }
        // The sibling community's nomination (its centre has no demo account): placed there.
        let round = f[&(Object::AwardRound, Place::Sibling)];
        let path = app
            .text(&format!(
                "select path from org_nodes where id = {}",
                app.node_id("双河村").await
            ))
            .await;
        app.exec(&format!("insert into nominations (round_id, category, nominee_kind, nominee_key, \
            nominee_name, node_path, deeds, record, status, created_at, updated_at) values ({round}, \
            'learning_unit', 'unit', 'unit:双河', '双河单位', '{path}', '事迹', '{{}}', 'submitted', \
            '2026-12-01T00:00:00Z', '2026-12-01T00:00:00Z')")).await.unwrap();
        let n = app
            .scalar(&format!(
                "select max(id) from nominations where round_id = {round}"
            ))
            .await;
        f.insert((Object::Nomination, Place::Sibling), n);
        app.exec(&format!("insert into attachments (subject_type, subject_id, node_path, file_name, \
            content_type, size, sha256, body, created_at) select subject_type, {n}, '{path}', file_name, \
            content_type, size, sha256, body, created_at from attachments where id = {}",
            f[&(Object::NominationFile, Place::Own)])).await.unwrap();
        let file = app.scalar(&format!("select max(id) from attachments where subject_id = {n} and subject_type = 'nomination'")).await;
        f.insert((Object::NominationFile, Place::Sibling), file);
        // Meetings: Qunli's leadership group (both places of Qunli), Qiling's; each with a scan.
        for (user, town, group, places) in [
            (
                "qunli.office",
                "群力镇",
                "群力社区教育工作领导小组",
                &[Place::Own, Place::Sibling][..],
            ),
            (
                "qiling.office",
                "齐陵街道",
                "齐陵街道社区教育工作领导小组",
                &[Place::OtherTown][..],
            ),
        ] {
            let token = app.token(user).await;
            let town = app.node_id(town).await;
            let g = app.node_id(group).await;
            let member = app
                .scalar(&format!(
                    "select min(id) from org_members where node_id = {g}"
                ))
                .await;
            let m = post_ok(
                app,
                &token,
                "/api/v1/meetings",
                json!({"town_id": town,
                "kind": "leadership", "held_on": cedu::calendar::Day::today().to_string(),
                "place": "会议室", "agenda": "矩阵", "present": [member], "decisions": []}),
            )
            .await;
            let id = m["id"].as_i64().unwrap();
            let web = app.login(user).await;
            let csrf = app.csrf(&web).await;
            let form = reqwest::multipart::Form::new().text("_csrf", csrf).part(
                "file",
                reqwest::multipart::Part::bytes(crate::concurrency::png()).file_name("纪要.png"),
            );
            let r = web
                .post(app.url(&format!("/meetings/{id}/scan")))
                .multipart(form)
                .send()
                .await
                .unwrap();
            assert!(r.status().is_success() || r.status().is_redirection());
            let file = app
                .scalar(&format!("select max(id) from attachments where subject_type = 'meeting' and subject_id = {id}"))
                .await;
            for p in places {
                f.insert((Object::Meeting, *p), id);
                f.insert((Object::MeetingFile, *p), file);
            }
        }
        // Equipment (the demo's inventories and rooms): the own centre's, 双河村's and the Qiling
        // centre's; the standard lines of Tongnan (both places of Qunli) and of Linzi.
        for (place, unit, district) in [
            (Place::Own, "群力社区学习中心", "潼南区"),
            (Place::Sibling, "双河村学习中心", "潼南区"),
            (Place::OtherTown, "齐陵街道社区教育中心", "临淄区"),
        ] {
            let node = app.node_id(unit).await;
            for (object, table) in [
                (Object::EquipmentItem, "equipment_items"),
                (Object::Room, "rooms"),
            ] {
                let id = app
                    .scalar(&format!(
                        "select min(id) from {table} where node_id = {node}"
                    ))
                    .await;
                f.insert((object, place), id);
            }
            let d = app.node_id(district).await;
            let line = app
                .scalar(&format!(
                    "select max(id) from equipment_standards where owner_id = {d}"
                ))
                .await;
            f.insert((Object::EquipmentStandard, place), line);
            // The district's commendation categories: its first (学习型个人).
            let category = app
                .scalar(&format!(
                    "select min(id) from commendation_categories where district_id = {d}"
                ))
                .await;
            f.insert((Object::AwardCategory, place), category);
        }
        // Inspections: the own centre's and 双河村's (Qunli), Qiling's centre's; each scored with
        // a photo and a finding answered with a file of evidence.
        for (place, office, head, unit) in [
            (
                Place::Own,
                "qunli.office",
                Some("qunli.centre"),
                "群力社区学习中心",
            ),
            (Place::Sibling, "qunli.office", None, "双河村学习中心"),
            (
                Place::OtherTown,
                "qiling.office",
                None,
                "齐陵街道社区教育中心",
            ),
        ] {
            let token = app.token(office).await;
            let node = app.node_id(unit).await;
            let (_, templates) = api(
                app,
                reqwest::Method::GET,
                Some(&token),
                "/api/v1/inspections/templates",
                None,
            )
            .await;
            let t = &templates[0];
            let i = post_ok(
                app,
                &token,
                "/api/v1/inspections",
                json!({"node_id": node,
                "template_id": t["id"], "kind": "unannounced"}),
            )
            .await;
            let id = i["id"].as_i64().unwrap();
            let scores: Vec<Value> = t["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| json!({"item_id": x["id"], "points": "1"}))
                .collect();
            let due = cedu::calendar::Day::today().plus_days(10).to_string();
            let (s, v) = api(
                app,
                reqwest::Method::POST,
                Some(&token),
                &format!("/api/v1/inspections/{id}/scores"),
                Some(json!({"version": i["version"], "scores": scores,
                    "findings": [{"finding": "矩阵整改", "due_on": due}]})),
            )
            .await;
            assert_eq!(s, 200, "{v}");
            let item = t["items"][0]["id"].as_i64().unwrap();
            let form = reqwest::multipart::Form::new()
                .text("item_id", item.to_string())
                .part(
                    "file",
                    reqwest::multipart::Part::bytes(crate::concurrency::png()).file_name("x.png"),
                );
            let r = app
                .client()
                .post(app.url(&format!("/api/v1/inspections/{id}/photos")))
                .bearer_auth(&token)
                .multipart(form)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200);
            let v: Value = r.json().await.unwrap();
            f.insert((Object::Inspection, place), id);
            f.insert(
                (Object::InspectionPhoto, place),
                v["items"][0]["photos"][0]["id"].as_i64().unwrap(),
            );
            let rect = v["rectifications"][0]["id"].as_i64().unwrap();
            f.insert((Object::Rectification, place), rect);
            // The evidence file: answered by the centre's head where there is one, else placed
            // by SQL as the head would have.
            let file = match head {
                Some(h) => {
                    let token = app.token(h).await;
                    let form = reqwest::multipart::Form::new()
                        .text("step", "answer")
                        .text("text", "已整改")
                        .part(
                            "file",
                            reqwest::multipart::Part::bytes(crate::concurrency::png())
                                .file_name("x.png"),
                        );
                    let r = app
                        .client()
                        .post(app.url(&format!("/api/v1/rectifications/{rect}/steps")))
                        .bearer_auth(&token)
                        .multipart(form)
                        .send()
                        .await
                        .unwrap();
                    assert_eq!(r.status(), 200);
                    let v: Value = r.json().await.unwrap();
                    v["evidence"][0]["id"].as_i64().unwrap()
                }
                None => {
                    let photo = f[&(Object::InspectionPhoto, place)];
                    app.exec(&format!("insert into attachments (subject_type, subject_id, node_path, file_name, \
                        content_type, size, sha256, body, created_at) select 'rectification', {rect}, node_path, file_name, \
                        content_type, size, sha256, body, created_at from attachments where id = {photo}")).await.unwrap();
                    app.scalar(&format!("select max(id) from attachments where subject_type = 'rectification' and subject_id = {rect}")).await
                }
            };
            f.insert((Object::RectificationFile, place), file);
        }
        // Surveys: run by the own centre, by 双河村's, by Qiling's 王齐村; the own one answers at
        // the public code the phone routes are asked with.
        for (place, user, owner) in [
            (Place::Own, "qunli.office", "群力社区学习中心"),
            (Place::Sibling, "qunli.office", "双河村学习中心"),
            (Place::OtherTown, "qiling.office", "王齐村"),
        ] {
            let token = app.token(user).await;
            let owner = app.node_id(owner).await;
            let today = cedu::calendar::Day::today();
            let s = post_ok(
                app,
                &token,
                "/api/v1/surveys",
                json!({"owner_id": owner, "title": "矩阵问卷", "opens_on": today.to_string(),
                    "closes_on": today.plus_days(5).to_string(), "from_template": true}),
            )
            .await;
            let id = s["id"].as_i64().unwrap();
            if place == Place::Own {
                app.exec(&format!(
                    "update surveys set code = '{SURVEY_CODE}' where id = {id}"
                ))
                .await
                .unwrap();
            }
            f.insert((Object::Survey, place), id);
        }
        Fixtures(f)
    }
}

/// The public code of the own survey (the phone routes of a survey name it).
const SURVEY_CODE: &str = "matrix-survey";

/// The concrete path of a route for a record (path parameters other than `{id}` get a fixed value,
/// and the query a route cannot do without is added).
fn concrete(path: &str, id: Option<i64>) -> String {
    let query = if path.ends_with("/activities/grid") {
        "?year=2026"
    } else {
        ""
    };
    path.replace("{id}", &id.map(|i| i.to_string()).unwrap_or_default())
        .replace(
            "{kind}",
            if path.starts_with("/people/import") {
                "residents"
            } else {
                "formats"
            },
        )
        .replace("{token}", "not-a-code")
        .replace("{code}", SURVEY_CODE)
        + query
}

/// A route that removes its record: once one cell removed it, the others find it gone.
fn removes(route: &Route) -> bool {
    route.method == reqwest::Method::DELETE || route.path.ends_with("/delete")
}

/// A signed-in account as the matrix uses it: a page session (with its CSRF token) and an API
/// token.
struct Account {
    web: reqwest::Client,
    csrf: String,
    token: String,
}

async fn send(app: &TestApp, who: &Account, route: &Route, path: &str) -> (u16, String) {
    let is_api = path.starts_with("/api/");
    let r = if is_api {
        let body = (route.method != reqwest::Method::GET).then(|| json!({}));
        let (s, v) = api(app, route.method.clone(), Some(&who.token), path, body).await;
        return (s, v.to_string());
    } else if route.method == reqwest::Method::GET {
        who.web.get(app.url(path)).send().await
    } else {
        who.web
            .request(route.method.clone(), app.url(path))
            .form(&[("_csrf", who.csrf.as_str())])
            .send()
            .await
    };
    let r = r.expect("request");
    let s = r.status().as_u16();
    (
        s,
        r.text()
            .await
            .unwrap_or_default()
            .chars()
            .take(200)
            .collect(),
    )
}

async fn every_route_answers_every_role_as_the_policy_says(b: Backend) {
    let app = spawn_app(b).await;
    let fixtures = Fixtures::make(&app).await;
    let mut routes = cedu::web::route_rules();
    // Signing out ends the session the matrix uses: those routes go last, after the ones that
    // remove a record (and with it what hangs on it: a schedule row's evidence).
    routes.sort_by_key(|r| (r.path.ends_with("logout"), removes(r)));
    let mut accounts = Vec::new();
    for (user, role) in ROLES {
        let web = app.login(user).await;
        let csrf = app.csrf(&web).await;
        let token = app.token(user).await;
        accounts.push((user, role, Account { web, csrf, token }));
    }
    let (mut cells, mut wrong) = (0, Vec::new());
    let mut removed = std::collections::HashSet::new();
    let mut by_expectation: HashMap<&str, usize> = HashMap::new();
    // The portal's public pages of a town (its published results) are asked for Qunli.
    let town = app.node_id("群力镇").await;
    for route in &routes {
        let places: Vec<Option<Place>> = match route.rule.object {
            Some(_) => PLACES.iter().copied().map(Some).collect(),
            None => vec![None],
        };
        for place in places {
            let id = match (route.rule.object, place) {
                (Some(o), Some(p)) => Some(
                    *fixtures
                        .0
                        .get(&(o, p))
                        .unwrap_or_else(|| panic!("no fixture for {o:?} {p:?}")),
                ),
                (None, _) if route.path.contains("{id}") => Some(town),
                _ => None,
            };
            let path = concrete(&route.path, id);
            let record = (route.rule.object, id);
            for (user, role, account) in &accounts {
                let expect = expected(route, user, *role, place);
                let (status, body) = send(&app, account, route, &path).await;
                // A record another cell removed is gone for everyone after.
                let gone = removed.contains(&record);
                let status = if gone && expect == Expect::Allowed && status == 404 {
                    204
                } else {
                    status
                };
                if removes(route) && (200..400).contains(&status) {
                    removed.insert(record);
                }
                cells += 1;
                *by_expectation
                    .entry(match expect {
                        Expect::NoPermission => "403 no permission",
                        Expect::OutOfScope => "404 out of scope",
                        Expect::NotTheirs => "403 not theirs",
                        Expect::Allowed => "allowed",
                    })
                    .or_default() += 1;
                if !matches(expect, status) {
                    wrong.push(format!(
                        "{} {path} as {user} ({place:?}): expected {expect:?}, got {status} {body}",
                        route.method
                    ));
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {cells} cells differ from the policy:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
    eprintln!(
        "authorization matrix ({b:?}): {} routes, {cells} cells, {by_expectation:?}",
        routes.len()
    );
}

both!(every_route_answers_every_role_as_the_policy_says);

/// The API's routes and its OpenAPI document name the same operations: nothing served is
/// undocumented and nothing documented is missing.
#[tokio::test]
async fn every_api_route_is_in_the_openapi_document_and_back() {
    let served: BTreeSet<(String, String)> = cedu::web::route_rules()
        .into_iter()
        .filter(|r| r.path.starts_with("/api/v1/"))
        .map(|r| (r.method.as_str().to_lowercase(), r.path))
        .collect();
    let doc = serde_json::to_value(cedu::web::api::document()).unwrap();
    let mut documented = BTreeSet::new();
    let mut misplaced = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in ["get", "post", "put", "delete", "patch"] {
            let Some(op) = item.get(method) else { continue };
            documented.insert((method.to_string(), path.clone()));
            // A path parameter is one the path names; everything else is in the query.
            for p in op["parameters"].as_array().into_iter().flatten() {
                let name = p["name"].as_str().unwrap_or("");
                if (p["in"] == "path") != path.contains(&format!("{{{name}}}")) {
                    misplaced.push(format!("{method} {path}: {name} in {}", p["in"]));
                }
            }
            for code in ["400", "503"] {
                if op["responses"].get(code).is_none() {
                    misplaced.push(format!("{method} {path}: {code} not declared"));
                }
            }
        }
    }
    assert!(misplaced.is_empty(), "{misplaced:#?}");
    let undocumented: Vec<_> = served.difference(&documented).collect();
    let missing: Vec<_> = documented.difference(&served).collect();
    assert!(
        undocumented.is_empty() && missing.is_empty(),
        "served but undocumented: {undocumented:?}; documented but not served: {missing:?}"
    );
}
