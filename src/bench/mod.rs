//! `cedu bench …`: measured figures, printed, never asserted. `people` times the import of a
//! generated xlsx of residents end to end on SQLite and PostgreSQL (with peak memory), searches
//! among a generated district of about a million residents, and the export of 100,000 rows to xlsx.

mod checkin;
pub mod cli;
mod dashboard;
mod governance;
mod http;
mod serving;

use std::time::{Duration, Instant};

pub use checkin::{CheckinBench, checkin};
pub use dashboard::{DashboardBench, dashboard};
pub use governance::governance;

use chrono::Utc;

use crate::access::Actor;
use crate::accounts;
use crate::db::Db;
use crate::demo::generator;
use crate::demo::{self, DemoOptions, Generator};
use crate::error::{Error, Result};
use crate::importers::{self, Kind as ImportKind};
use crate::org::{self, Kind, Node, NodeFilter};
use crate::page::PageRequest;
use crate::people::{self, ResidentFilter};
use crate::spreadsheet::{self, Table};

/// What `cedu bench people` runs.
pub struct PeopleBench {
    pub rows: usize,
    pub search_residents: i64,
    pub postgres_url: Option<String>,
    pub work_dir: std::path::PathBuf,
}

fn mb(bytes: u64) -> f64 {
    bytes as f64 / 1024.0 / 1024.0
}

/// Peak resident memory of this process since the last reset (Linux), in bytes.
fn peak_rss() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
        })
        .map(|kb| kb * 1024)
        .unwrap_or(0)
}

/// Resets the peak so the next reading covers only what follows.
fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

async fn town(db: &Db, name: &str) -> Result<Node> {
    let page = org::list_nodes(
        db,
        &Actor::command_line(),
        &NodeFilter {
            q: Some(name.into()),
            kind: Some(Kind::Town),
            ..Default::default()
        },
        PageRequest::new(None, Some(10)),
    )
    .await?;
    page.items
        .into_iter()
        .find(|t| t.name == name)
        .ok_or(Error::NotFound)
}

/// A spreadsheet of `rows` valid residents spread over Qunli's communities, as Excel would hold
/// them.
fn resident_sheet(rows: usize, communities: &[String]) -> Table {
    let mut g = Generator::new(7);
    let mut serial = 70_000_000;
    let today = crate::calendar::Day::today().0;
    let template = ImportKind::Residents.template();
    let per = rows.div_ceil(communities.len().max(1));
    let mut out = Vec::with_capacity(rows);
    for (i, c) in communities.iter().enumerate() {
        let n = per.min(rows - out.len());
        for r in generator::residents(
            &mut g,
            i as i64,
            i % 2 == 1,
            "500223",
            n,
            &mut serial,
            today,
        ) {
            out.push(vec![
                r.name,
                if r.gender.as_deref() == Some("female") {
                    "女"
                } else {
                    "男"
                }
                .into(),
                r.birth_date.map(|d| d.to_string()).unwrap_or_default(),
                r.phone.unwrap_or_default(),
                r.id_number.unwrap_or_default(),
                c.clone(),
                r.household.unwrap_or_default(),
                r.building.unwrap_or_default(),
                r.tags
                    .iter()
                    .map(|t| people::rules::tag_labels(t)[0])
                    .collect::<Vec<_>>()
                    .join("、"),
                if r.guardian_consent {
                    "是".into()
                } else {
                    String::new()
                },
            ]);
        }
    }
    Table {
        rows: out,
        ..template
    }
}

/// The URL of a fresh SQLite file in the work folder: an earlier run's file and its WAL removed.
pub(crate) fn fresh_sqlite(work_dir: &std::path::Path, file: &str) -> String {
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(work_dir.join(format!("{file}{suffix}")));
    }
    format!("sqlite://{}", work_dir.join(file).display())
}

/// The databases a benchmark runs on: a fresh SQLite file, and PostgreSQL when given.
pub(crate) fn databases(
    work_dir: &std::path::Path,
    file: &str,
    postgres_url: Option<&str>,
) -> Vec<(&'static str, String)> {
    fresh_sqlite(work_dir, file);
    kept_databases(work_dir, file, postgres_url)
}

/// The databases of an earlier run, kept: the SQLite file as it is, and PostgreSQL when given.
pub(crate) fn kept_databases(
    work_dir: &std::path::Path,
    file: &str,
    postgres_url: Option<&str>,
) -> Vec<(&'static str, String)> {
    let mut targets = vec![(
        "SQLite",
        format!("sqlite://{}", work_dir.join(file).display()),
    )];
    targets.extend(postgres_url.map(|url| ("PostgreSQL", url.to_string())));
    targets
}

/// Migrates a database and loads the benchmark district: the demo's two towns and 28 generated
/// ones, with `extra_population` generated residents.
pub(crate) async fn load_district(db: &Db, extra_population: i64) -> Result<()> {
    db.migrate().await?;
    org::ensure_root(db).await?;
    demo::load(
        db,
        &DemoOptions {
            extra_towns: 28,
            extra_population,
            residents_per_community: 0,
            ..Default::default()
        },
    )
    .await
}

async fn fresh_db(url: &str) -> Result<Db> {
    let db = Db::connect(url).await?;
    db.migrate().await?;
    org::ensure_root(&db).await?;
    demo::load(
        &db,
        &DemoOptions {
            residents_per_community: 0,
            ..Default::default()
        },
    )
    .await?;
    Ok(db)
}

fn secs(d: Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}

/// Import, then export, on one database; prints the figures.
async fn import_and_export(label: &str, db: &Db, file: &[u8], rows: usize) -> Result<()> {
    let qunli = town(db, "群力镇").await?;
    let office = Actor::command_line_for_town(qunli.id, &qunli.path);
    reset_peak_rss();
    let start = Instant::now();
    let bytes = file.to_vec();
    let sheet = tokio::task::spawn_blocking(move || spreadsheet::read(&bytes, "residents.xlsx"))
        .await
        .map_err(|e| Error::internal_from("benchmark task", e))??;
    let read = start.elapsed();
    let batch = importers::preview(
        db,
        &office,
        ImportKind::Residents,
        qunli.id,
        "residents.xlsx",
        &sheet,
    )
    .await?;
    drop(sheet);
    let checked = start.elapsed();
    let n = importers::confirm(db, &office, batch.id).await?;
    let total = start.elapsed();
    println!(
        "  {label}: import of {n} residents from xlsx (of {rows} rows, {} refused): {} end to end (read {}, check {}, write {}), peak memory {:.0} MB",
        batch.errors.len(),
        secs(total),
        secs(read),
        secs(checked - read),
        secs(total - checked),
        mb(peak_rss())
    );
    let start = Instant::now();
    let list = people::export_residents(db, &office, &ResidentFilter::default()).await?;
    let fetched = start.elapsed();
    let table = people::residents_table(crate::i18n::Lang::Zh, &list);
    let bytes = tokio::task::spawn_blocking(move || spreadsheet::to_xlsx(&table))
        .await
        .map_err(|e| Error::internal_from("benchmark task", e))??;
    println!(
        "  {label}: export of {} residents to xlsx: {} (query {}, xlsx {:.1} MB)",
        list.len(),
        secs(start.elapsed()),
        secs(fetched),
        mb(bytes.len() as u64)
    );
    Ok(())
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// Times a search `runs` times with different inputs; prints p50 / p95 / max.
async fn time_search(
    db: &Db,
    actor: &Actor,
    label: &str,
    queries: &[ResidentFilter],
) -> Result<()> {
    let mut times = Vec::with_capacity(queries.len());
    let mut found = 0;
    for f in queries {
        let start = Instant::now();
        let page = people::list_residents(db, actor, f, PageRequest::new(None, None)).await?;
        times.push(start.elapsed());
        found += page.items.len();
    }
    times.sort();
    println!(
        "  {label}: p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms over {} searches ({} rows shown)",
        percentile(&times, 0.5).as_secs_f64() * 1e3,
        percentile(&times, 0.95).as_secs_f64() * 1e3,
        times.last().copied().unwrap_or_default().as_secs_f64() * 1e3,
        times.len(),
        found
    );
    Ok(())
}

/// Runs the people benchmark and prints its figures.
pub async fn people(b: &PeopleBench) -> Result<()> {
    if cfg!(debug_assertions) {
        println!(
            "(debug build: figures are slower than a release build — run `cargo run --release -- bench people`)"
        );
    }
    std::fs::create_dir_all(&b.work_dir).map_err(|e| Error::Config(format!("work dir: {e}")))?;
    println!(
        "cedu bench people — {} rows to import, {} residents to search",
        b.rows, b.search_residents
    );

    if b.rows > 0 {
        import_figures(b).await?;
    }
    search_figures(b).await
}

/// The import and export figures on both databases.
async fn import_figures(b: &PeopleBench) -> Result<()> {
    let lite_url = fresh_sqlite(&b.work_dir, "bench-import.db");
    let lite = fresh_db(&lite_url).await?;
    let qunli = town(&lite, "群力镇").await?;
    let communities: Vec<String> =
        people::communities(&lite, &Actor::command_line_for_town(qunli.id, &qunli.path))
            .await?
            .into_iter()
            .map(|(_, n)| n)
            .collect();
    let start = Instant::now();
    let rows = b.rows;
    let file = tokio::task::spawn_blocking(move || {
        spreadsheet::to_xlsx(&resident_sheet(rows, &communities))
    })
    .await
    .map_err(|e| Error::internal_from("benchmark task", e))??;
    println!(
        "  generated xlsx of {} rows: {:.1} MB in {}",
        b.rows,
        mb(file.len() as u64),
        secs(start.elapsed())
    );

    import_and_export("SQLite", &lite, &file, b.rows).await?;
    lite.close().await;
    if let Some(url) = &b.postgres_url {
        let pg = fresh_db(url).await?;
        import_and_export("PostgreSQL", &pg, &file, b.rows).await?;
        pg.close().await;
    }

    Ok(())
}

/// Search among about a million residents of one district.
async fn search_figures(b: &PeopleBench) -> Result<()> {
    if b.search_residents > 0 {
        let db = Db::connect(&fresh_sqlite(&b.work_dir, "bench-search.db")).await?;
        let start = Instant::now();
        load_district(&db, b.search_residents).await?;
        let total: i64 = crate::people::count_residents(&db).await?;
        println!(
            "  generated a district of 30 towns with {total} residents (SQLite) in {}",
            secs(start.elapsed())
        );
        let admin = accounts::login(&db, "tongnan", demo::DEMO_PASSWORD, None)
            .await?
            .actor;
        let sample = crate::people::generated::sample_phones(&db, None, 200).await?;
        let by_phone: Vec<ResidentFilter> = sample
            .iter()
            .map(|p| ResidentFilter {
                q: Some(p.clone()),
                ..Default::default()
            })
            .collect();
        time_search(
            &db,
            &admin,
            "search by full phone number, district scope",
            &by_phone,
        )
        .await?;
        let by_prefix: Vec<ResidentFilter> = sample
            .iter()
            .map(|p| ResidentFilter {
                q: Some(p[..7].to_string()),
                ..Default::default()
            })
            .collect();
        time_search(
            &db,
            &admin,
            "search by phone prefix (7 digits), district scope",
            &by_prefix,
        )
        .await?;
        let mut g = Generator::new(11);
        let mut name_prefixes = |n: usize, chars: usize| -> Vec<ResidentFilter> {
            (0..n)
                .map(|_| ResidentFilter {
                    q: Some(g.person_name().chars().take(chars).collect()),
                    ..Default::default()
                })
                .collect()
        };
        let names = name_prefixes(200, 2);
        time_search(
            &db,
            &admin,
            "search by name prefix (2 characters), district scope",
            &names,
        )
        .await?;
        let surnames = name_prefixes(100, 1);
        time_search(
            &db,
            &admin,
            "search by surname (1 character), district scope",
            &surnames,
        )
        .await?;
        let surname_texts: Vec<String> = surnames.iter().filter_map(|f| f.q.clone()).collect();
        let first_pages: Vec<ResidentFilter> = (0..50).map(|_| ResidentFilter::default()).collect();
        time_search(
            &db,
            &admin,
            "first page, no filter, district scope",
            &first_pages,
        )
        .await?;
        let tags: Vec<ResidentFilter> = (0..50)
            .map(|_| ResidentFilter {
                tag: Some("disabled".into()),
                ..Default::default()
            })
            .collect();
        time_search(
            &db,
            &admin,
            "filter by tag (disabled), district scope",
            &tags,
        )
        .await?;
        serving::resident_pages(
            &db,
            &b.work_dir,
            "tongnan",
            demo::DEMO_PASSWORD,
            &surname_texts,
        )
        .await?;
        db.close().await;
    }
    Ok(())
}

/// `cedu bench grid`: the month x centre grid of a ~30-town district over a year of activities.
pub async fn grid(
    work_dir: &std::path::Path,
    per_centre: usize,
    postgres_url: Option<&str>,
) -> Result<()> {
    std::fs::create_dir_all(work_dir).map_err(|e| Error::Config(format!("work dir: {e}")))?;
    println!(
        "cedu bench grid — {per_centre} activities per centre over a year, district of 30 towns"
    );
    for (label, url) in databases(work_dir, "bench-grid.db", postgres_url) {
        let db = Db::connect(&url).await?;
        let start = Instant::now();
        load_district(&db, 1).await?;
        let (admin, centres, theme) = district_centres(&db).await?;
        let year = chrono::Datelike::year(&Utc::now());
        let mut total = 0;
        for (i, c) in centres.iter().enumerate() {
            let starts: Vec<chrono::DateTime<Utc>> = (0..per_centre)
                .map(|k| {
                    let day = ((k * 365 / per_centre.max(1)) + i % 7) as u64 % 365;
                    let date = chrono::NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or_default()
                        + chrono::Days::new(day);
                    date.and_hms_opt(1, 0, 0).unwrap_or_default().and_utc()
                })
                .collect();
            total +=
                crate::activities::generated::generate_approved(&db, c, theme, &starts).await?;
        }
        println!(
            "  {label}: {} centres, {total} activities generated in {}",
            centres.len(),
            secs(start.elapsed())
        );
        let mut times = Vec::new();
        for _ in 0..50 {
            let t = Instant::now();
            let g = crate::activities::month_grid(&db, &admin, year).await?;
            times.push(t.elapsed());
            assert_eq!(g.rows.len(), centres.len());
        }
        times.sort();
        println!(
            "  {label}: month x centre grid of the district's year: p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms over 50 runs",
            percentile(&times, 0.5).as_secs_f64() * 1e3,
            percentile(&times, 0.95).as_secs_f64() * 1e3,
            times.last().copied().unwrap_or_default().as_secs_f64() * 1e3
        );
        db.close().await;
    }
    Ok(())
}

/// The demo district's administrator, every learning centre of the district and its first theme:
/// what generated activities are made of.
pub(crate) async fn district_centres(db: &Db) -> Result<(Actor, Vec<Node>, i64)> {
    let admin = accounts::login(db, "tongnan", demo::DEMO_PASSWORD, None)
        .await?
        .actor;
    let filter = NodeFilter {
        kind: Some(Kind::Centre),
        ..Default::default()
    };
    let all = PageRequest {
        page: 1,
        per_page: 10_000,
    };
    let centres = org::list_nodes(db, &admin, &filter, all).await?.items;
    let district = crate::catalogue::district_of(&admin.scope_path).unwrap_or(0);
    let theme = crate::catalogue::themes(db, district)
        .await?
        .first()
        .map(|t| t.id)
        .ok_or(Error::NotFound)?;
    Ok((admin, centres, theme))
}
