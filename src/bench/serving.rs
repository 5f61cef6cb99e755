//! The resident list served over HTTP: the real server on loopback over the generated district,
//! a fixed number of keep-alive clients asking for 50-row pages of a surname search (exact total
//! included) for a bounded time, beside the same clients asking `/healthz` (the server's constant
//! cost per request). Prints pages per second, p50/p99 latency, and the server's memory split into
//! the heap (anonymous pages: cedu's to bound) and the mapped database file (the kernel's to
//! reclaim).

use std::sync::Arc;
use std::time::{Duration, Instant};

use super::http::{Conn, serve};
use super::{mb, percentile};
use crate::db::Db;
use crate::error::{Error, Result};

/// Concurrent clients, as in the figure the target is stated for.
const CLIENTS: usize = 8;
/// How long each load runs, and the most requests it sends.
const RUN_FOR: Duration = Duration::from_secs(6);
const MAX_REQUESTS: usize = 200_000;

/// The memory of this process (server and load generator together; the generator allocates next
/// to nothing per request): (resident, anonymous, file-backed) in bytes, from /proc (Linux).
pub fn memory() -> (u64, u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kb = |key: &str| {
        status
            .lines()
            .find(|l| l.starts_with(key))
            .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
            .unwrap_or(0)
            * 1024
    };
    (kb("VmRSS:"), kb("RssAnon:"), kb("RssFile:"))
}

fn print_memory(when: &str) {
    let (rss, anon, file) = memory();
    println!(
        "    memory {when}: resident {:.0} MB = heap and stacks {:.0} MB + mapped files {:.0} MB",
        mb(rss),
        mb(anon),
        mb(file)
    );
}

/// Sends `paths` round-robin from [`CLIENTS`] connections for [`RUN_FOR`]; every answer must be
/// 200. Prints the rate and latency.
async fn load(
    label: &str,
    addr: std::net::SocketAddr,
    paths: Arc<Vec<String>>,
    bearer: Option<Arc<String>>,
) -> Result<()> {
    let start = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..CLIENTS {
        let (paths, bearer) = (paths.clone(), bearer.clone());
        tasks.push(tokio::spawn(async move {
            let mut conn = Conn::open(addr).await?;
            let mut lat = Vec::new();
            let mut i = c;
            while start.elapsed() < RUN_FOR && lat.len() < MAX_REQUESTS / CLIENTS {
                let path = &paths[i % paths.len()];
                i += CLIENTS;
                let t = Instant::now();
                let (status, body) = conn
                    .get(path, bearer.as_deref().map(String::as_str))
                    .await?;
                if status != 200 {
                    return Err(Error::internal(format!(
                        "{path}: {status} {}",
                        String::from_utf8_lossy(body)
                    )));
                }
                lat.push(t.elapsed());
            }
            Ok::<_, Error>(lat)
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(
            t.await
                .map_err(|e| Error::internal_from("load client", e))??,
        );
    }
    let took = start.elapsed();
    all.sort();
    println!(
        "    {label}: {:.0} a second at {CLIENTS} clients, p50 {:.2} ms, p99 {:.2} ms ({} requests in {:.1} s)",
        all.len() as f64 / took.as_secs_f64(),
        percentile(&all, 0.5).as_secs_f64() * 1e3,
        percentile(&all, 0.99).as_secs_f64() * 1e3,
        all.len(),
        took.as_secs_f64()
    );
    Ok(())
}

/// The district's resident list over HTTP, signed in as the district's administrator.
pub async fn resident_pages(
    db: &Db,
    work_dir: &std::path::Path,
    username: &str,
    password: &str,
    surnames: &[String],
) -> Result<()> {
    println!("  the resident list over HTTP (the real server on loopback):");
    print_memory("before serving");
    let served = serve(db, work_dir).await?;
    let mut conn = Conn::open(served.addr).await?;
    let body = serde_json::json!({"username": username, "password": password}).to_string();
    let (status, answer) = conn.post("/api/v1/auth/login", body.as_bytes()).await?;
    let answer: serde_json::Value = serde_json::from_slice(answer).unwrap_or_default();
    let token = match (status, answer["token"].as_str()) {
        (200, Some(t)) => t.to_string(),
        _ => return Err(Error::internal(format!("login: {status} {answer}"))),
    };
    // One page shows what a clerk sees: its exact total.
    let first = format!(
        "/api/v1/residents?q={}&per_page=50",
        urlencoding(&surnames[0])
    );
    let (_, page) = conn.get(&first, Some(&token)).await?;
    let page: serde_json::Value = serde_json::from_slice(page).unwrap_or_default();
    println!(
        "    surname 「{}」: {} residents in the district (exact), {} on the first page",
        surnames[0],
        page["total"],
        page["items"].as_array().map_or(0, Vec::len)
    );
    let searches: Vec<String> = surnames
        .iter()
        .map(|s| format!("/api/v1/residents?q={}&per_page=50", urlencoding(s)))
        .collect();
    load(
        "/healthz (the constant cost of a request)",
        served.addr,
        Arc::new(vec!["/healthz".to_string()]),
        None,
    )
    .await?;
    load(
        "50-row pages of a surname search with the exact total",
        served.addr,
        Arc::new(searches),
        Some(Arc::new(token)),
    )
    .await?;
    print_memory("after the searches");
    served.stop().await;
    Ok(())
}

/// Percent-encodes a query value (UTF-8 bytes outside the unreserved set).
fn urlencoding(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
