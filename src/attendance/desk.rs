//! The check-in desk: QR check-ins of every activity go through one writer task that drains the queued
//! check-ins into a shared transaction (group commit). Each check-in keeps every rule and writes its
//! attendance row and its audit record; the reply goes out only after the commit, so an acknowledged
//! check-in survives a power cut (SQLite `synchronous=FULL`) while concurrent check-ins share one fsync.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use serde_json::json;
use tokio::sync::{mpsc, oneshot};

use super::{DeskActivity, store};
use crate::access::Actor;
use crate::audit;
use crate::db::Db;
use crate::error::{Error, Result};

/// The most check-ins one commit carries.
const MAX_BATCH: usize = 512;
/// Check-ins waiting for the writer before callers wait for room.
const QUEUE: usize = 8192;
/// How long what check-in knows of an activity is reused (its status is checked again when writing).
const CACHE_FOR: Duration = Duration::from_secs(5);

/// What the writer did with a check-in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Written {
    /// A new attendance row for this resident.
    New {
        id: i64,
        resident_id: i64,
        name: String,
    },
    /// The resident was already recorded.
    Duplicate { resident_id: i64, name: String },
    /// No resident has this mobile number (a walk-in).
    Unknown,
    /// The activity is no longer open (cancelled meanwhile).
    Closed,
}

struct Job {
    activity_id: i64,
    phone: String,
    status: &'static str,
    at: DateTime<Utc>,
    node_path: String,
    source_ip: Option<String>,
    request_id: Option<String>,
    reply: oneshot::Sender<Result<Written>>,
}

/// The queue in front of the writer and a short-lived cache of activities being checked into.
pub struct CheckinDesk {
    db: Db,
    queue: mpsc::Sender<Job>,
    cache: Mutex<HashMap<i64, (Instant, Arc<DeskActivity>)>>,
}

impl CheckinDesk {
    /// Starts the writer task on the current runtime.
    pub fn start(db: Db) -> Arc<CheckinDesk> {
        let (tx, rx) = mpsc::channel(QUEUE);
        tokio::spawn(writer(db.clone(), rx));
        Arc::new(CheckinDesk {
            db,
            queue: tx,
            cache: Mutex::new(HashMap::new()),
        })
    }

    /// The database the desk writes to.
    pub fn db(&self) -> &Db {
        &self.db
    }

    /// What check-in needs of an activity (cached for a few seconds).
    pub(super) async fn activity(&self, id: i64) -> Result<Option<Arc<DeskActivity>>> {
        if let Ok(cache) = self.cache.lock()
            && let Some((at, a)) = cache.get(&id)
            && at.elapsed() < CACHE_FOR
        {
            return Ok(Some(a.clone()));
        }
        let Some(a) = store::desk_activity(&self.db, id).await? else {
            return Ok(None);
        };
        let a = Arc::new(a);
        if let Ok(mut cache) = self.cache.lock() {
            if cache.len() > 10_000 {
                cache.retain(|_, (at, _)| at.elapsed() < CACHE_FOR);
            }
            cache.insert(id, (Instant::now(), a.clone()));
        }
        Ok(Some(a))
    }

    /// Queues a QR check-in of the resident with this (normalised) mobile number and waits for its
    /// commit.
    pub(super) async fn write(
        &self,
        activity: &DeskActivity,
        phone: &str,
        status: &'static str,
        actor: &Actor,
    ) -> Result<Written> {
        let (reply, answer) = oneshot::channel();
        let job = Job {
            activity_id: activity.id,
            phone: phone.to_string(),
            status,
            at: Utc::now(),
            node_path: activity.owner_path.clone(),
            source_ip: actor.source_ip.clone(),
            request_id: actor.request_id.clone(),
            reply,
        };
        self.queue
            .send(job)
            .await
            .map_err(|_| Error::Unavailable("check-in writer stopped".into()))?;
        answer
            .await
            .map_err(|_| Error::Unavailable("check-in writer stopped".into()))?
    }
}

async fn writer(db: Db, mut rx: mpsc::Receiver<Job>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while let Some(first) = rx.recv().await {
        batch.push(first);
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(j) => batch.push(j),
                Err(_) => break,
            }
        }
        match write_batch(&db, &batch).await {
            Ok(results) => {
                for (job, r) in batch.drain(..).zip(results) {
                    let _ = job.reply.send(Ok(r));
                }
            }
            Err(e) => {
                // One bad check-in must not fail its neighbours: write each on its own.
                tracing::warn!(error = %e, size = batch.len(), "check-in batch failed; writing one by one");
                for job in batch.drain(..) {
                    let r = write_batch(&db, std::slice::from_ref(&job))
                        .await
                        .map(|mut v| v.pop().unwrap_or(Written::Closed));
                    let _ = job.reply.send(r);
                }
            }
        }
    }
}

/// One transaction for the whole batch, in a handful of statements whatever its size: find the
/// residents by number, insert the attendance rows the activity's state allows, tell duplicates from
/// closed activities, write the audit records.
async fn write_batch(db: &Db, jobs: &[Job]) -> Result<Vec<Written>> {
    let mut tx = db.begin().await?;
    let phones: Vec<&str> = jobs.iter().map(|j| j.phone.as_str()).collect();
    let residents: HashMap<String, (i64, String)> = store::residents_by_phone(&mut tx, &phones)
        .await?
        .into_iter()
        .map(|(id, name, phone)| (phone, (id, name)))
        .collect();
    let rows: Vec<(i64, i64, &str, DateTime<Utc>)> = jobs
        .iter()
        .filter_map(|j| {
            let (id, _) = residents.get(&j.phone)?;
            Some((j.activity_id, *id, j.status, j.at))
        })
        .collect();
    let inserted: HashMap<(i64, i64), i64> = store::insert_checkins(&mut tx, &rows)
        .await?
        .into_iter()
        .map(|(id, a, r)| ((a, r), id))
        .collect();
    let mut missing: Vec<i64> = jobs
        .iter()
        .filter(|j| {
            residents
                .get(&j.phone)
                .is_some_and(|(r, _)| !inserted.contains_key(&(j.activity_id, *r)))
        })
        .map(|j| j.activity_id)
        .collect();
    missing.sort_unstable();
    missing.dedup();
    let open = store::open_activities(&mut tx, &missing).await?;
    let mut out = Vec::with_capacity(jobs.len());
    let mut audit_rows = Vec::new();
    let mut claimed = std::collections::HashSet::new();
    for j in jobs {
        let written = match residents.get(&j.phone) {
            None => Written::Unknown,
            Some((r, name)) => match inserted.get(&(j.activity_id, *r)) {
                // The same person twice in one batch: the first scan got the row.
                Some(id) if claimed.insert(*id) => {
                    audit_rows.push(audit::Row {
                        at: j.at,
                        subject_id: Some(*id),
                        node_path: j.node_path.clone(),
                        after: json!({"activity_id": j.activity_id, "resident_id": r,
                            "status": j.status, "method": "qr"}),
                        source_ip: j.source_ip.clone(),
                        request_id: j.request_id.clone(),
                    });
                    Written::New {
                        id: *id,
                        resident_id: *r,
                        name: name.clone(),
                    }
                }
                Some(_) => Written::Duplicate {
                    resident_id: *r,
                    name: name.clone(),
                },
                None if open.contains(&j.activity_id) => Written::Duplicate {
                    resident_id: *r,
                    name: name.clone(),
                },
                None => Written::Closed,
            },
        };
        out.push(written);
    }
    // Every record carries its own place, address and request; the actor is the resident themself.
    let actor = Actor::self_service("/", None, None);
    audit::record_many(
        &mut tx,
        &actor,
        "attendance.checked_in",
        "attendance",
        &audit_rows,
    )
    .await?;
    tx.commit().await?;
    Ok(out)
}
