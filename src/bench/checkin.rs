//! `cedu bench checkin`: the real server on loopback over a generated district (~30 towns, ~1
//! million residents), published activities going on now, and a bounded number of QR check-ins sent
//! over HTTP by a fixed number of concurrent clients (keep-alive connections). The codes are
//! fetched from the API and refreshed as a screen would. Prints check-ins per second and p50/p99
//! latency for new check-ins and for repeated scans ("already checked in"), then counts rows to
//! prove none was lost or doubled.

use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use chrono::Utc;

use super::http::{Conn, find};
use super::{percentile, secs};
use crate::access::Actor;
use crate::app::App;
use crate::attendance::{CheckinDesk, DeskFigures};
use crate::config::Config;
use crate::db::Db;
use crate::error::{Error, Result};
use crate::org;

/// What `cedu bench checkin` runs.
pub struct CheckinBench {
    /// Residents of the generated district.
    pub residents: i64,
    /// Activities checked into at the same time.
    pub activities: usize,
    /// New check-ins to send (each a distinct resident × activity).
    pub checkins: usize,
    /// Concurrent clients.
    pub clients: usize,
    pub postgres_url: Option<String>,
    pub work_dir: std::path::PathBuf,
}

/// The `result` of a check-in answer, which the API writes first (`{"result":"checked_in",…}`).
fn result_of(answer: &[u8]) -> &[u8] {
    let Some(rest) = answer.strip_prefix(br#"{"result":""#) else {
        return b"";
    };
    let end = rest.iter().position(|&c| c == b'"').unwrap_or(0);
    &rest[..end]
}

/// Sets up one database: the district, the activities going on now, the phones to check in.
async fn prepare(db: &Db, b: &CheckinBench) -> Result<(Vec<(i64, Actor)>, Vec<Vec<String>>)> {
    let start = Instant::now();
    super::load_district(db, b.residents).await?;
    let (_admin, centres, theme) = super::district_centres(db).await?;
    let now = Utc::now();
    let window = (
        now - chrono::Duration::minutes(5),
        now + chrono::Duration::hours(2),
    );
    let mut ids = Vec::new();
    // Each activity's residents come from its own town's register (a number is looked up there), so
    // only centres of towns with enough registered residents get an activity.
    let per_activity = b.checkins.div_ceil(b.activities) as i64;
    let mut phones = Vec::new();
    let mut of_town: std::collections::HashMap<i64, Vec<String>> = Default::default();
    for c in centres.iter().cycle().take(centres.len() * 2) {
        if ids.len() == b.activities {
            break;
        }
        // The town office of the centre's town shows the code on the screen.
        let town_path = org::rules::ancestor_path(&c.path, org::rules::TOWN_LEVEL)
            .unwrap_or_else(|| c.path.clone());
        let town_id = org::rules::ancestor_id(&c.path, org::rules::TOWN_LEVEL).unwrap_or(0);
        if let std::collections::hash_map::Entry::Vacant(e) = of_town.entry(town_id) {
            e.insert(
                crate::people::generated::sample_phones(db, Some(town_id), per_activity).await?,
            );
        }
        if of_town[&town_id].len() < per_activity as usize {
            continue;
        }
        let office = Actor::command_line_for_town(town_id, &town_path);
        for id in crate::activities::generated::generate_published(db, c, theme, &[window]).await? {
            ids.push((id, office.clone()));
            phones.push(of_town[&town_id].clone());
        }
    }
    if ids.is_empty() {
        return Err(Error::internal(
            "no town has enough registered residents for the check-ins asked",
        ));
    }
    let total = crate::people::count_residents(db).await?;
    db.settle().await?;
    println!(
        "    district of 30 towns, {total} residents, {} activities going on now, prepared in {}",
        ids.len(),
        secs(start.elapsed())
    );
    Ok((ids, phones))
}

/// Keeps the current code of every activity, as the screens at the activities show them.
async fn refresh_codes(db: &Db, ids: &[(i64, Actor)], codes: &RwLock<Vec<String>>) -> Result<()> {
    let mut fresh = Vec::with_capacity(ids.len());
    for (id, office) in ids {
        fresh.push(crate::attendance::qr_code(db, office, *id).await?.token);
    }
    if let Ok(mut c) = codes.write() {
        *c = fresh;
    }
    Ok(())
}

/// Sends `pairs` (activity index, phone index) from `clients` connections; returns latencies and
/// the answers counted by result.
async fn drive(
    addr: std::net::SocketAddr,
    clients: usize,
    pairs: Arc<Vec<(usize, usize)>>,
    phones: Arc<Vec<String>>,
    codes: Arc<RwLock<Vec<String>>>,
) -> Result<(Vec<Duration>, usize, usize, usize)> {
    let mut tasks = Vec::new();
    for c in 0..clients {
        let (pairs, phones, codes) = (pairs.clone(), phones.clone(), codes.clone());
        tasks.push(tokio::spawn(async move {
            let mut conn = Conn::open(addr).await?;
            let mut lat = Vec::new();
            let (mut new, mut already, mut other) = (0, 0, 0);
            let mut i = c;
            let mut body = Vec::with_capacity(128);
            while i < pairs.len() {
                let (a, p) = pairs[i];
                body.clear();
                body.extend_from_slice(br#"{"token":""#);
                if let Ok(c) = codes.read() {
                    body.extend_from_slice(c[a].as_bytes());
                }
                body.extend_from_slice(br#"","phone":""#);
                body.extend_from_slice(phones[p].as_bytes());
                body.extend_from_slice(br#""}"#);
                let t = Instant::now();
                let (s, answer) = conn.post("/api/v1/checkin", &body).await?;
                lat.push(t.elapsed());
                let result = if s == 200 { result_of(answer) } else { b"" };
                if result == b"checked_in" {
                    new += 1;
                } else if result == b"already_checked_in" {
                    already += 1;
                } else {
                    other += 1;
                    if other < 3 && find(answer, b"code_forged").is_none() {
                        eprintln!(
                            "    unexpected answer {s}: {}",
                            String::from_utf8_lossy(answer)
                        );
                    }
                }
                i += clients;
            }
            Ok::<_, Error>((lat, new, already, other))
        }));
    }
    let mut all = Vec::new();
    let (mut new, mut already, mut other) = (0, 0, 0);
    for t in tasks {
        let (lat, n, a, o) = t
            .await
            .map_err(|e| Error::internal_from("benchmark task", e))??;
        all.extend(lat);
        new += n;
        already += a;
        other += o;
    }
    all.sort();
    Ok((all, new, already, other))
}

/// When a phase of the benchmark started, in wall-clock and in CPU time of the whole process
/// (server, check-in writer and load generator share this machine's cores).
struct Phase {
    at: Instant,
    cpu: Option<Duration>,
    machine: Option<Duration>,
    desk: DeskFigures,
}

impl Phase {
    fn start(desk: &CheckinDesk) -> Phase {
        Phase {
            at: Instant::now(),
            cpu: process_cpu(),
            machine: machine_cpu(),
            desk: desk.figures(),
        }
    }
}

/// User + system CPU time of this process so far (Linux `/proc/self/stat`, 100 ticks a second).
fn process_cpu() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10))
}

/// Busy CPU time of the whole machine so far (Linux `/proc/stat`): this process and the database
/// server's processes alike, so that PostgreSQL's share of a check-in is counted too.
fn machine_cpu() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let ticks: Vec<u64> = stat
        .lines()
        .next()?
        .split_whitespace()
        .skip(1)
        .filter_map(|t| t.parse().ok())
        .collect();
    // user nice system idle iowait irq softirq steal: all but idle and iowait are busy.
    let busy: u64 = ticks
        .iter()
        .take(8)
        .enumerate()
        .filter(|(i, _)| *i != 3 && *i != 4)
        .map(|(_, t)| t)
        .sum();
    Some(Duration::from_millis(busy * 10))
}

fn report(label: &str, lat: &[Duration], phase: &Phase, desk: &CheckinDesk) {
    let elapsed = phase.at.elapsed();
    let ms = |d: Duration| format!("{:.1} ms", d.as_secs_f64() * 1000.0);
    let cpu = match (phase.cpu, process_cpu()) {
        (Some(a), Some(b)) if !lat.is_empty() => format!(
            "; CPU {:.2} cores, {:.0} µs a request",
            (b - a).as_secs_f64() / elapsed.as_secs_f64(),
            (b - a).as_secs_f64() * 1e6 / lat.len() as f64
        ),
        _ => String::new(),
    };
    let machine = match (phase.machine, machine_cpu()) {
        (Some(a), Some(b)) if !lat.is_empty() => format!(
            "; machine {:.0} µs a request",
            (b - a).as_secs_f64() * 1e6 / lat.len() as f64
        ),
        _ => String::new(),
    };
    println!(
        "    {label}: {} in {} = {:.0}/s, p50 {}, p99 {}, max {}{cpu}{machine}",
        lat.len(),
        secs(elapsed),
        lat.len() as f64 / elapsed.as_secs_f64(),
        ms(percentile(lat, 0.50)),
        ms(percentile(lat, 0.99)),
        ms(lat.last().copied().unwrap_or_default()),
    );
    let d = desk.figures() - phase.desk;
    if d.commits > 0 {
        let flushes = if d.flushes > 0 {
            format!(
                "; {} log flushes of {:.2} ms",
                d.flushes,
                d.flushing.as_secs_f64() * 1000.0 / d.flushes as f64
            )
        } else {
            String::new()
        };
        println!(
            "      writer: {} commits of {:.1} check-ins, {:.1} µs writing each check-in, busy {:.0}%{flushes}",
            d.commits,
            d.checkins as f64 / d.commits as f64,
            d.writing.as_secs_f64() * 1e6 / d.checkins.max(1) as f64,
            d.writing.as_secs_f64() * 100.0 / elapsed.as_secs_f64(),
        );
    }
}

async fn run_on(label: &str, url: &str, b: &CheckinBench) -> Result<()> {
    println!("  {label}:");
    let db = Db::connect(url).await?;
    let (ids, phones) = prepare(&db, b).await?;
    let config = Config {
        port: 0,
        data_dir: b.work_dir.clone(),
        database_url: Some(url.to_string()),
        ..Config::default()
    };
    let app = App::build_with_db(config, db.clone(), false).await?;
    let addr = app.addr;
    let desk = app.desk.clone();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(app.run_until(async {
        let _ = stopped.await;
    }));
    let codes = Arc::new(RwLock::new(Vec::new()));
    refresh_codes(&db, &ids, &codes).await?;
    let refresher = {
        let (db, ids, codes) = (db.clone(), ids.clone(), codes.clone());
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_secs(10)).await;
                if let Err(e) = refresh_codes(&db, &ids, &codes).await {
                    eprintln!("    refreshing codes: {e}");
                }
            }
        })
    };
    // Laid out activity after activity: the numbers of activity `a` start at `a * per_activity`.
    let per_activity = phones.first().map(Vec::len).unwrap_or(0);
    let phones = Arc::new(phones.concat());
    let pairs: Vec<(usize, usize)> = (0..b.checkins.min(per_activity * ids.len()))
        .map(|j| {
            (
                j % ids.len(),
                (j % ids.len()) * per_activity + j / ids.len(),
            )
        })
        .collect();
    let pairs = Arc::new(pairs);
    let before_rows = count(&db, "select count(*) from attendances").await?;
    let t = Phase::start(&desk);
    let (lat, new, already, other) = drive(
        addr,
        b.clients,
        pairs.clone(),
        phones.clone(),
        codes.clone(),
    )
    .await?;
    report(
        &format!("new check-ins, {} clients", b.clients),
        &lat,
        &t,
        &desk,
    );
    // The same people scanning again.
    let repeat: Vec<(usize, usize)> = pairs.iter().take(pairs.len() / 2).copied().collect();
    let t = Phase::start(&desk);
    let (lat2, new2, already2, other2) = drive(
        addr,
        b.clients,
        Arc::new(repeat.clone()),
        phones.clone(),
        codes,
    )
    .await?;
    report(
        &format!("repeated scans (already checked in), {} clients", b.clients),
        &lat2,
        &t,
        &desk,
    );
    // Forged codes are refused before any database work: the HTTP stack's own ceiling.
    let forged = Arc::new(RwLock::new(vec!["q.1.1.forged".to_string(); ids.len()]));
    let some: Vec<(usize, usize)> = pairs.iter().take(pairs.len() / 2).copied().collect();
    let t = Phase::start(&desk);
    let (lat3, _, _, refused) =
        drive(addr, b.clients, Arc::new(some), phones.clone(), forged).await?;
    report(
        &format!("forged codes refused, {} clients", b.clients),
        &lat3,
        &t,
        &desk,
    );
    let _ = refused;
    refresher.abort();
    let rows = count(&db, "select count(*) from attendances").await? - before_rows;
    let audited = count(
        &db,
        "select count(*) from audit_log where action = 'attendance.checked_in'",
    )
    .await?;
    let ok = rows as usize == pairs.len()
        && new == pairs.len()
        && already == 0
        && other == 0
        && new2 == 0
        && already2 == repeat.len()
        && other2 == 0
        && audited == rows;
    println!(
        "    verified: {rows} attendance rows and {audited} audit records for {} distinct check-ins; answers {new} new / {already} already / {other} other, then {new2} new / {already2} already / {other2} other — {}",
        pairs.len(),
        if ok {
            "none lost or doubled"
        } else {
            "MISMATCH"
        }
    );
    let _ = stop.send(());
    let _ = server.await;
    db.close().await;
    if ok {
        Ok(())
    } else {
        Err(Error::internal("check-in counts do not match"))
    }
}

async fn count(db: &Db, sql: &str) -> Result<i64> {
    Ok(crate::on_db!(db, |p| sqlx::query_scalar(sql)
        .fetch_one(p)
        .await?))
}

/// How long the work folder's disk takes to make 4 KB durable (200 appends, each flushed).
fn disk_flush_latency(dir: &std::path::Path) -> Option<(Duration, Duration)> {
    use std::io::Write;
    let path = dir.join("flush-probe");
    let mut f = std::fs::File::create(&path).ok()?;
    let mut times = Vec::with_capacity(200);
    for _ in 0..200 {
        let t = Instant::now();
        f.write_all(&[7u8; 4096]).ok()?;
        f.sync_data().ok()?;
        times.push(t.elapsed());
    }
    let _ = std::fs::remove_file(&path);
    times.sort();
    Some((percentile(&times, 0.5), percentile(&times, 0.99)))
}

/// `cedu bench checkin`.
pub async fn checkin(b: &CheckinBench) -> Result<()> {
    std::fs::create_dir_all(&b.work_dir).map_err(|e| Error::Config(format!("work dir: {e}")))?;
    println!(
        "cedu bench checkin — {} check-ins over HTTP by {} clients into {} activities",
        b.checkins, b.clients, b.activities
    );
    if let Some((p50, p99)) = disk_flush_latency(&b.work_dir) {
        println!(
            "  this disk now: 4 KB write + fdatasync p50 {:.2} ms, p99 {:.2} ms (the floor of a durable answer)",
            p50.as_secs_f64() * 1000.0,
            p99.as_secs_f64() * 1000.0
        );
    }
    let sqlite = super::fresh_sqlite(&b.work_dir, "bench-checkin.db");
    run_on(
        "SQLite (WAL; every answer waits for its log flush)",
        &sqlite,
        b,
    )
    .await?;
    if let Some(url) = &b.postgres_url {
        run_on("PostgreSQL", url, b).await?;
    }
    Ok(())
}
