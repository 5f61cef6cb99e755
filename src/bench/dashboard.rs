//! `cedu bench dashboard`: a district of ~30 towns and ~1 million residents with about 10 million
//! attendance records over 3 years; the roll-ups rebuilt from them (timed) and checked against the
//! live GROUP BY for a sample of centres; the district's figures counted live beside the roll-ups'
//! (side by side, same run); then every dashboard, KPI and report answer at the district, a town
//! and a centre through the real server on loopback (p50, p95, max of request to last byte), and
//! the district's annual report as xlsx.

use std::time::{Duration, Instant};

use chrono::{Datelike, NaiveDate};

use super::governance::login;
use super::http::{Conn, serve, timed};
use super::{percentile, secs};
use crate::attendance;
use crate::calendar::{Day, Month, Year};
use crate::db::Db;
use crate::error::{Error, Result};
use crate::org;
use crate::rollups;

/// What `cedu bench dashboard` generates.
pub struct DashboardBench {
    pub residents: i64,
    pub attendances: i64,
    /// Activities a learning centre holds a year.
    pub per_centre: usize,
}

/// Requests of each path (sequential, one keep-alive connection).
const RUNS: usize = 20;
/// Every dashboard and KPI answer at p95.
const TARGET: Duration = Duration::from_millis(50);
/// The district's annual report as xlsx.
const REPORT_TARGET: Duration = Duration::from_secs(5);
/// A full rebuild of the roll-ups.
const REBUILD_TARGET: Duration = Duration::from_secs(60);

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

pub async fn dashboard(
    work_dir: &std::path::Path,
    b: &DashboardBench,
    postgres_url: Option<&str>,
) -> Result<()> {
    std::fs::create_dir_all(work_dir).map_err(|e| Error::Config(format!("work dir: {e}")))?;
    println!(
        "cedu bench dashboard — a district of 30 towns, {} residents, about {} attendance records over 3 years",
        b.residents, b.attendances
    );
    for (label, url) in super::databases(work_dir, "bench-dashboard.db", postgres_url) {
        let db = Db::connect(&url).await?;
        generate(&db, label, b).await?;
        let start = Instant::now();
        let (months, people) = rollups::rebuild(&db).await?;
        let took = start.elapsed();
        println!(
            "  {label}: roll-ups rebuilt from every attendance record in {} ({months} owner-months, {people} participant-years){}",
            secs(took),
            if took > REBUILD_TARGET {
                "  ← over 60 s"
            } else {
                "  (target ≤ 60 s)"
            }
        );
        let (admin, centres, _) = super::district_centres(&db).await?;
        let district = org::scope_node(&db, &admin).await?;
        let last_year = Year::current().0 - 1;
        let sample: Vec<i64> = centres
            .iter()
            .step_by((centres.len() / 12).max(1))
            .map(|c| c.id)
            .collect();
        let differences = rollups::sample_differences(&db, &sample, last_year).await?;
        if differences.is_empty() {
            println!(
                "  {label}: roll-ups equal the live GROUP BY for {} centres × 12 months of {last_year} and their communities' participants",
                sample.len()
            );
        } else {
            return Err(Error::internal(format!(
                "roll-ups differ from the live count: {:?}",
                &differences[..differences.len().min(10)]
            )));
        }
        side_by_side(&db, label, &district.path, last_year).await?;
        serve_and_measure(&db, work_dir, label, last_year).await?;
        db.close().await;
    }
    Ok(())
}

/// The district, its residents, 3 years of held activities per centre and their attendance.
async fn generate(db: &Db, label: &str, b: &DashboardBench) -> Result<()> {
    let start = Instant::now();
    super::load_district(db, b.residents).await?;
    let residents = crate::people::count_residents(db).await?;
    let (_, centres, theme) = super::district_centres(db).await?;
    println!(
        "  {label}: {} towns' {} learning centres, {residents} residents, loaded in {}",
        30,
        centres.len(),
        secs(start.elapsed())
    );
    let start = Instant::now();
    let today = Day::today().0;
    let first_year = Year::current().0 - 2;
    let mut activities = 0;
    for (i, c) in centres.iter().enumerate() {
        let starts: Vec<chrono::DateTime<chrono::Utc>> = (first_year..=first_year + 2)
            .flat_map(|year| {
                (0..b.per_centre).filter_map(move |k| {
                    let day = ((k * 365 / b.per_centre.max(1)) + i % 5) as u64 % 365;
                    let date = NaiveDate::from_ymd_opt(year, 1, 1)? + chrono::Days::new(day);
                    let time = chrono::NaiveTime::from_hms_opt(9, 30, 0)?;
                    (date < today && date.year() == year).then(|| Day(date).at(time))
                })
            })
            .collect();
        activities += crate::activities::generated::generate_held(db, c, theme, &starts).await?;
    }
    println!(
        "  {label}: {activities} held activities generated in {}",
        secs(start.elapsed())
    );
    let start = Instant::now();
    let per_activity = (b.attendances / activities.max(1) as i64).max(1);
    let mut rows = 0;
    for c in &centres {
        let community = org::rules::parent_path(&c.path);
        let population = org::population_under(db, &community).await?;
        rows += attendance::generated::attend_by_rule(db, c.id, population / per_activity).await?;
    }
    println!(
        "  {label}: {rows} attendance records written in {}",
        secs(start.elapsed())
    );
    Ok(())
}

/// The district's year counted live with GROUP BY beside the same figures read from the roll-ups.
async fn side_by_side(db: &Db, label: &str, district: &str, year: i32) -> Result<()> {
    let mut live = Vec::new();
    let mut counted = (0, 0);
    for _ in 0..3 {
        let t = Instant::now();
        let (participants, months) = rollups::live_year(db, district, year).await?;
        live.push(t.elapsed());
        counted = (
            participants.iter().map(|p| p.1).sum::<i64>(),
            months.iter().map(|m| m.1).sum::<i64>(),
        );
    }
    live.sort();
    let mut kept = Vec::new();
    let mut read = (0, 0);
    for _ in 0..RUNS {
        let t = Instant::now();
        let participants = rollups::participants_by_community(db, district, year).await?;
        let months =
            rollups::attendance_by_month(db, district, year * 100 + 1, year * 100 + 12).await?;
        kept.push(t.elapsed());
        read = (
            participants.iter().map(|p| p.1).sum::<i64>(),
            months.iter().map(|m| m.1).sum::<i64>(),
        );
    }
    kept.sort();
    if counted != read {
        return Err(Error::internal(format!(
            "live {counted:?} and roll-ups {read:?} differ"
        )));
    }
    let (live_mid, kept_p95) = (percentile(&live, 0.5), percentile(&kept, 0.95));
    println!(
        "  {label}: the district's {year} — {} participants, {} attendances — counted live with GROUP BY: median {:.0} ms; from the roll-ups: p95 {:.2} ms; {:.0}× faster",
        read.0,
        read.1,
        ms(live_mid),
        ms(kept_p95),
        live_mid.as_secs_f64() / kept_p95.as_secs_f64().max(1e-6)
    );
    Ok(())
}

async fn serve_and_measure(
    db: &Db,
    work_dir: &std::path::Path,
    label: &str,
    year: i32,
) -> Result<()> {
    let served = serve(db, work_dir).await?;
    let mut conn = Conn::open(served.addr).await?;
    let district = login(&mut conn, "tongnan").await?;
    let office = login(&mut conn, "qunli.office").await?;
    let centre = login(&mut conn, "qunli.centre").await?;
    let y = format!("year={year}");
    let this = Month::current();
    let m = format!("year={}&month={}", this.year, this.month);
    let paths: Vec<(&str, &String, String)> = vec![
        ("district", &district, format!("/api/v1/kpis?{y}")),
        ("district", &district, format!("/api/v1/kpis/trends?{y}")),
        (
            "district",
            &district,
            format!("/api/v1/kpis?{y}&rank=satisfaction"),
        ),
        ("district", &district, format!("/kpis?{y}")),
        ("district", &district, format!("/kpis?{y}&rank=approval")),
        ("district", &district, format!("/api/v1/reports/annual?{y}")),
        ("district", &district, format!("/reports/annual?{y}")),
        ("town", &office, format!("/api/v1/kpis?{y}")),
        ("town", &office, format!("/kpis?{y}")),
        ("town", &office, format!("/api/v1/reports/monthly?{m}")),
        ("town", &office, format!("/reports/monthly?{m}")),
        ("town", &office, format!("/reports/annual?{y}")),
        ("centre", &centre, format!("/api/v1/kpis?{y}")),
        ("centre", &centre, format!("/kpis?{y}")),
        ("centre", &centre, format!("/reports/monthly?{m}")),
    ];
    println!(
        "  {label}: {RUNS} requests each, one connection, as the district (潼南区), a town office (群力镇) and a centre head:"
    );
    let mut over = 0;
    for (who, token, path) in &paths {
        let times = timed(&mut conn, path, token, RUNS).await?;
        let p95 = percentile(&times, 0.95);
        if p95 > TARGET {
            over += 1;
        }
        println!(
            "    {:<8} {:<44} p50 {:>7.1} ms  p95 {:>7.1} ms  max {:>7.1} ms{}",
            who,
            path,
            ms(percentile(&times, 0.5)),
            ms(p95),
            ms(times.last().copied().unwrap_or_default()),
            if p95 > TARGET { "  ← over 50 ms" } else { "" }
        );
    }
    println!(
        "  {label}: {over} of {} answers over 50 ms at p95",
        paths.len()
    );
    let path = format!("/reports/annual.xlsx?{y}");
    let times = timed(&mut conn, &path, &district, 3).await?;
    let worst = times.last().copied().unwrap_or_default();
    println!(
        "  {label}: the district's annual report as xlsx: median {:.2} s, max {:.2} s{}",
        percentile(&times, 0.5).as_secs_f64(),
        worst.as_secs_f64(),
        if worst > REPORT_TARGET {
            "  ← over 5 s"
        } else {
            "  (target ≤ 5 s)"
        }
    );
    served.stop().await;
    Ok(())
}
