//! Several staff saving at the same moment, through the real server, on both databases: residents,
//! households, activities, attendance marks and uploads from eight clients at once. Every write is
//! answered with success and is present afterwards (no "database is locked", no lost write).

use std::sync::Arc;

use serde_json::{Value, json};
use tokio::sync::Barrier;

use crate::both;
use crate::checkin::running;
use crate::helpers::{Backend, TestApp, api_post, spawn_app};

/// Writes each client makes.
const WRITES: usize = 12;

/// A small real PNG (an upload is checked by its content).
pub(crate) fn png() -> Vec<u8> {
    let img = image::DynamicImage::new_rgb8(32, 24);
    let mut out = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .expect("png");
    out
}

/// One kind of write a clerk makes, `n` being the client's n-th write.
#[derive(Clone)]
enum Write {
    Resident {
        community: i64,
        prefix: &'static str,
    },
    Household {
        community: i64,
        prefix: &'static str,
    },
    Activity {
        owner: i64,
        theme: i64,
        prefix: &'static str,
    },
    MarkByPhone {
        activity: i64,
        phones: Arc<Vec<String>>,
    },
    Upload {
        activity: i64,
    },
}

async fn write(app: &TestApp, token: &str, w: &Write, client: usize, n: usize) -> (u16, Value) {
    match w {
        Write::Resident { community, prefix } => {
            let phone = format!("1370{client:03}{n:04}");
            let body = json!({"name": format!("{prefix}{client}-{n}"), "community_id": community,
                "phone": phone, "household": format!("{prefix}户{client}-{n}"), "building": "并发楼"});
            api_post(app, Some(token), "/api/v1/residents", body).await
        }
        Write::Household { community, prefix } => {
            let body = json!({"community_id": community, "name": format!("{prefix}{client}-{n}"),
                "building": format!("{prefix}楼{client}")});
            api_post(app, Some(token), "/api/v1/households", body).await
        }
        Write::Activity {
            owner,
            theme,
            prefix,
        } => {
            let date = (chrono::Utc::now() + chrono::Duration::days(30))
                .date_naive()
                .to_string();
            let body = json!({"title": format!("{prefix}{client}-{n}"), "owner_id": owner,
                "theme_id": theme, "date": date, "start_time": "09:00", "end_time": "10:00"});
            api_post(app, Some(token), "/api/v1/activities", body).await
        }
        Write::MarkByPhone { activity, phones } => {
            let body = json!({"phone": phones[n], "status": "present"});
            let path = format!("/api/v1/activities/{activity}/attendance/by-phone");
            api_post(app, Some(token), &path, body).await
        }
        Write::Upload { activity } => {
            let form = reqwest::multipart::Form::new().text("kind", "photo").part(
                "file",
                reqwest::multipart::Part::bytes(png()).file_name(format!("现场{n}.png")),
            );
            let r = app
                .client()
                .post(app.url(&format!("/api/v1/activities/{activity}/files")))
                .bearer_auth(token)
                .multipart(form)
                .send()
                .await
                .expect("upload");
            (r.status().as_u16(), r.json().await.unwrap_or_default())
        }
    }
}

async fn eight_staff_saving_at_the_same_moment_all_succeed(b: Backend) {
    let app = Arc::new(spawn_app(b).await);
    let qunli = app.node_id("群力社区").await;
    let wangqi = app.node_id("王齐村").await;
    let xuejia = app.node_id("薛家村").await;
    let centre = app.node_id("群力社区学习中心").await;
    let theme = app
        .scalar("select id from themes where name = '卫生'")
        .await;
    let office = app.token("qunli.office").await;
    let activity = running(&app, &office, "并发签到讲座").await;
    let phones = Arc::new(
        app.texts(&format!(
            "select phone from residents where community_id = {qunli} and phone is not null \
             order by id limit {WRITES}"
        ))
        .await,
    );
    assert_eq!(
        phones.len(),
        WRITES,
        "the demo community has enough residents"
    );
    let clients: Vec<(&str, Write)> = vec![
        (
            "qunli.office",
            Write::Resident {
                community: qunli,
                prefix: "并发甲",
            },
        ),
        (
            "qiling.office",
            Write::Resident {
                community: wangqi,
                prefix: "并发乙",
            },
        ),
        (
            "xuejia",
            Write::Resident {
                community: xuejia,
                prefix: "并发丙",
            },
        ),
        (
            "qunli.centre",
            Write::Household {
                community: qunli,
                prefix: "并发户",
            },
        ),
        (
            "wangqi",
            Write::Household {
                community: wangqi,
                prefix: "并发家",
            },
        ),
        (
            "qunli.office",
            Write::Activity {
                owner: centre,
                theme,
                prefix: "并发活动",
            },
        ),
        (
            "qunli.centre",
            Write::MarkByPhone {
                activity,
                phones: phones.clone(),
            },
        ),
        ("qunli.office", Write::Upload { activity }),
    ];
    let barrier = Arc::new(Barrier::new(clients.len()));
    let mut tasks = Vec::new();
    for (i, (user, w)) in clients.into_iter().enumerate() {
        let (app, barrier) = (app.clone(), barrier.clone());
        let token = app.token(user).await;
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            let mut failures = Vec::new();
            for n in 0..WRITES {
                let (s, v) = write(&app, &token, &w, i, n).await;
                if !(200..300).contains(&s) {
                    failures.push(format!("{user} write {n}: {s} {v}"));
                }
            }
            failures
        }));
    }
    let mut failures = Vec::new();
    for t in tasks {
        failures.extend(t.await.expect("client task"));
    }
    assert!(
        failures.is_empty(),
        "{} of {} writes failed: {failures:#?}",
        failures.len(),
        8 * WRITES
    );
    // Every acknowledged write is there.
    let count = |sql: String| {
        let app = app.clone();
        async move { app.scalar(&sql).await }
    };
    for prefix in ["并发甲", "并发乙", "并发丙"] {
        let n = count(format!(
            "select count(*) from residents where name like '{prefix}%'"
        ))
        .await;
        assert_eq!(n, WRITES as i64, "residents {prefix}");
    }
    // Each row the clients wrote at once carries its own household and building (triggers).
    assert_eq!(count(crate::people::LIST_ROWS_ASTRAY.into()).await, 0);
    for prefix in ["并发户", "并发家"] {
        let n = count(format!(
            "select count(*) from households where name like '{prefix}%'"
        ))
        .await;
        assert_eq!(n, WRITES as i64, "households {prefix}");
    }
    let n = count("select count(*) from activities where title like '并发活动%'".into()).await;
    assert_eq!(n, WRITES as i64, "activities");
    let n = count(format!(
        "select count(*) from attendances where activity_id = {activity}"
    ))
    .await;
    assert_eq!(n, WRITES as i64, "attendance marks");
    let n = count(format!(
        "select count(*) from activity_files where activity_id = {activity}"
    ))
    .await;
    assert_eq!(n, WRITES as i64, "uploads");
    // The roll-ups the KPIs read (attendance per month, participants, activities per month) kept
    // up with the marks and the activities written at once.
    let d = cedu::rollups::differences(&app.db).await.unwrap();
    assert!(d.is_empty(), "roll-ups differ from the live count: {d:?}");
}

both!(eight_staff_saving_at_the_same_moment_all_succeed);
