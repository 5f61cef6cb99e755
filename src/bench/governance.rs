//! `cedu bench governance`: the year's governance of a generated district of ~30 towns (schedule,
//! funds, commendation, meetings, equipment, inspections and the assessment, written through the
//! use-cases), then every page, API answer and export of these modules for one town, through the
//! real server on loopback, as its office and as the district: p50, p95 and max of the time from
//! request to the last byte (on loopback: the server's time), beside the 50 ms target.

use std::time::{Duration, Instant};

use super::http::{Conn, serve, timed};
use super::{percentile, secs};
use crate::db::Db;
use crate::demo;
use crate::error::{Error, Result};
use crate::org;

/// Requests of each path (sequential, one keep-alive connection).
const RUNS: usize = 40;
/// The target of the issue: every answer under 50 ms.
const TARGET: Duration = Duration::from_millis(50);

pub async fn governance(work_dir: &std::path::Path, postgres_url: Option<&str>) -> Result<()> {
    std::fs::create_dir_all(work_dir).map_err(|e| Error::Config(format!("work dir: {e}")))?;
    println!("cedu bench governance — a district of 30 towns, a year of their governance");
    for (label, url) in super::databases(work_dir, "bench-governance.db", postgres_url) {
        let db = Db::connect(&url).await?;
        let start = Instant::now();
        super::load_district(&db, 1).await?;
        let (admin, _, theme) = super::district_centres(&db).await?;
        let district = org::scope_node(&db, &admin).await?;
        let towns = demo::governance::district_towns(&db, &district).await?;
        let year = crate::calendar::Year::current().0;
        let w = demo::governance::towns(&db, &towns, year, theme).await?;
        println!(
            "  {label}: {} towns written in {}: {} schedule rows, {} expenses, {} nominations, {} meetings, {} inventory lines, {} held activities, {} inspections",
            towns.len(),
            secs(start.elapsed()),
            w.schedule_rows,
            w.expenses,
            w.nominations,
            w.meetings,
            w.items,
            w.activities,
            w.inspections
        );
        serve_and_measure(&db, work_dir, label, year).await?;
        db.close().await;
    }
    Ok(())
}

/// Signs in over HTTP and returns the bearer token.
pub(super) async fn login(conn: &mut Conn, username: &str) -> Result<String> {
    let body = serde_json::json!({"username": username, "password": demo::DEMO_PASSWORD});
    let (status, answer) = conn
        .post("/api/v1/auth/login", body.to_string().as_bytes())
        .await?;
    let answer: serde_json::Value = serde_json::from_slice(answer).unwrap_or_default();
    match (status, answer["token"].as_str()) {
        (200, Some(t)) => Ok(t.to_string()),
        _ => Err(Error::internal(format!(
            "login {username}: {status} {answer}"
        ))),
    }
}

async fn serve_and_measure(
    db: &Db,
    work_dir: &std::path::Path,
    label: &str,
    year: i32,
) -> Result<()> {
    let served = serve(db, work_dir).await?;
    let mut conn = Conn::open(served.addr).await?;
    let office = login(&mut conn, "qunli.office").await?;
    let district = login(&mut conn, "tongnan").await?;
    // The records a page of one shows: the town's busiest centre, an inspection, a round.
    let id_of = |body: &[u8], pointer: &str| {
        serde_json::from_slice::<serde_json::Value>(body)
            .ok()
            .and_then(|v| v.pointer(pointer).and_then(|x| x.as_i64()))
            .unwrap_or(0)
    };
    let (_, b) = conn
        .get(&format!("/api/v1/inspections?year={year}"), Some(&office))
        .await?;
    let inspection = id_of(b, "/inspections/0/id");
    let (_, b) = conn.get("/api/v1/equipment/gaps", Some(&office)).await?;
    let centre = id_of(b, "/centres/1/node_id");
    let (_, b) = conn.get("/api/v1/awards/rounds", Some(&office)).await?;
    let round = id_of(b, "/0/id");
    let qunli = {
        let (_, b) = conn
            .get(&format!("/api/v1/assessment?year={year}"), Some(&office))
            .await?;
        id_of(b, "/town_id")
    };
    let y = format!("year={year}");
    let paths: Vec<(&str, String)> = vec![
        ("office", format!("/schedule?{y}")),
        ("office", format!("/api/v1/schedule?{y}")),
        ("office", format!("/schedule/print?{y}")),
        ("office", format!("/schedule/schedule.xlsx?{y}")),
        ("office", format!("/funds?{y}")),
        ("office", format!("/api/v1/funds?{y}")),
        ("office", format!("/funds/funds.xlsx?{y}")),
        ("office", format!("/funds/register?{y}")),
        ("office", "/awards".into()),
        ("office", format!("/awards/rounds/{round}")),
        ("office", format!("/api/v1/awards/rounds/{round}")),
        ("office", format!("/meetings?{y}")),
        ("office", format!("/api/v1/meetings?{y}")),
        ("office", "/equipment".into()),
        ("office", "/api/v1/equipment/gaps".into()),
        ("office", "/equipment/gaps.xlsx".into()),
        ("office", format!("/equipment/centres/{centre}")),
        ("office", format!("/api/v1/equipment/centres/{centre}")),
        ("office", "/equipment/standards".into()),
        ("office", format!("/inspections?{y}")),
        ("office", format!("/api/v1/inspections?{y}")),
        ("office", format!("/inspections/{inspection}")),
        ("office", format!("/api/v1/inspections/{inspection}")),
        ("office", "/api/v1/rectifications".into()),
        ("office", "/inspections/templates".into()),
        ("office", format!("/assessment?{y}")),
        ("office", format!("/api/v1/assessment?{y}")),
        ("office", format!("/assessment/assessment.xlsx?{y}")),
        (
            "district",
            format!("/api/v1/assessment?{y}&town_id={qunli}"),
        ),
        ("district", format!("/api/v1/schedule?{y}&town_id={qunli}")),
        ("district", format!("/api/v1/funds?{y}&town_id={qunli}")),
        (
            "district",
            format!("/api/v1/equipment/gaps?town_id={qunli}"),
        ),
    ];
    println!(
        "  {label}: {RUNS} requests each, one connection, as 群力镇's office (a town of the district) and the district:"
    );
    let mut over = 0;
    for (who, path) in &paths {
        let token = if *who == "office" { &office } else { &district };
        let times = timed(&mut conn, path, token, RUNS).await?;
        let p95 = percentile(&times, 0.95);
        if p95 > TARGET {
            over += 1;
        }
        println!(
            "    {:<8} {:<52} p50 {:>6.1} ms  p95 {:>6.1} ms  max {:>6.1} ms{}",
            who,
            path,
            percentile(&times, 0.5).as_secs_f64() * 1e3,
            p95.as_secs_f64() * 1e3,
            times.last().copied().unwrap_or_default().as_secs_f64() * 1e3,
            if p95 > TARGET { "  ← over 50 ms" } else { "" }
        );
    }
    println!(
        "  {label}: {} of {} answers over 50 ms at p95",
        over,
        paths.len()
    );
    served.stop().await;
    Ok(())
}
