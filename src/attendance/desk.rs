//! The check-in desk: QR check-ins of every activity go through one writer task that drains the
//! queued check-ins into a shared transaction (group commit). Each check-in keeps every rule and
//! writes its attendance row and its audit record; the reply goes out only after the commit, so an
//! acknowledged check-in survives a power cut (SQLite `synchronous=FULL`) while concurrent
//! check-ins share one fsync.
//!
//! On SQLite the writer is a thread with a connection of its own to the database file, running
//! cached statements one check-in after the other inside the shared transaction (no round trip
//! through the pool per statement); on PostgreSQL it is a task that writes the batch in a few
//! multi-row statements (one round trip each).

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use serde_json::json;
use tokio::sync::{mpsc, oneshot};

use super::{DeskActivity, store};
use crate::access::Actor;
use crate::audit;
use crate::db::{Db, LogFlush, SqliteWriter};
use crate::error::{Error, Result};

/// The most check-ins one commit carries.
const MAX_BATCH: usize = 512;
/// Batches committed and waiting for the disk before the SQLite writer waits too.
const FLUSHES_AHEAD: usize = 2;
/// Check-ins waiting for the writer before callers wait for room.
const QUEUE: usize = 8192;
/// How long what check-in knows of an activity is reused (its status is checked again when
/// writing).
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

/// What the writer is sent: a check-in, or (SQLite) word that the log flush it waited for is done.
enum Msg {
    Job(Job),
    Flushed,
}

struct Job {
    activity_id: i64,
    /// The activity's town: the number is looked up in that town's register only.
    town_id: i64,
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
    queue: mpsc::Sender<Msg>,
    cache: Mutex<HashMap<i64, (Instant, Arc<DeskActivity>)>>,
    counters: Arc<Counters>,
}

/// What the writer has done since it started, counted once per commit and per flush.
#[derive(Default)]
struct Counters(Mutex<DeskFigures>);

impl Counters {
    fn count_commit(&self, checkins: usize, took: Duration) {
        if let Ok(mut f) = self.0.lock() {
            f.commits += 1;
            f.checkins += checkins as u64;
            f.writing += took;
        }
    }

    fn count_flush(&self, took: Duration) {
        if let Ok(mut f) = self.0.lock() {
            f.flushes += 1;
            f.flushing += took;
        }
    }
}

/// The writer's work so far: how many commits carried how many check-ins, and the time spent
/// writing them and (SQLite) flushing the log. Subtract two readings for a period.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DeskFigures {
    pub commits: u64,
    pub checkins: u64,
    pub writing: Duration,
    pub flushes: u64,
    pub flushing: Duration,
}

impl std::ops::Sub for DeskFigures {
    type Output = DeskFigures;
    fn sub(self, before: DeskFigures) -> DeskFigures {
        DeskFigures {
            commits: self.commits - before.commits,
            checkins: self.checkins - before.checkins,
            writing: self.writing.saturating_sub(before.writing),
            flushes: self.flushes - before.flushes,
            flushing: self.flushing.saturating_sub(before.flushing),
        }
    }
}

impl CheckinDesk {
    /// Starts the writer: a thread on its own SQLite connection, or a task on the current runtime
    /// for PostgreSQL. It stops when the desk is dropped, after answering what was queued.
    pub fn start(db: Db) -> Result<Arc<CheckinDesk>> {
        let (tx, rx) = mpsc::channel(QUEUE);
        let counters = Arc::new(Counters::default());
        let count = counters.clone();
        match db.sqlite_writer()? {
            Some(w) => {
                let flushed = tx.downgrade();
                std::thread::Builder::new()
                    .name("checkin-writer".into())
                    .spawn(move || sqlite_writer(w, rx, flushed, count))
                    .map_err(|e| Error::internal_from("check-in writer", e))?;
            }
            None => {
                tokio::spawn(writer(db.clone(), rx, count));
            }
        }
        Ok(Arc::new(CheckinDesk {
            db,
            queue: tx,
            cache: Mutex::new(HashMap::new()),
            counters,
        }))
    }

    /// The writer's work so far.
    pub fn figures(&self) -> DeskFigures {
        self.counters.0.lock().map(|f| *f).unwrap_or_default()
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
            town_id: activity.town_id,
            phone: phone.to_string(),
            status,
            at: Utc::now(),
            node_path: activity.owner_path.clone(),
            source_ip: actor.source_ip.clone(),
            request_id: actor.request_id.clone(),
            reply,
        };
        self.queue
            .send(Msg::Job(job))
            .await
            .map_err(|_| Error::Unavailable("check-in writer stopped".into()))?;
        answer
            .await
            .map_err(|_| Error::Unavailable("check-in writer stopped".into()))?
    }
}

/// Adds what else is queued behind `first`, up to one batch.
fn fill(batch: &mut Vec<Job>, first: Job, rx: &mut mpsc::Receiver<Msg>) {
    batch.push(first);
    while batch.len() < MAX_BATCH {
        match rx.try_recv() {
            Ok(Msg::Job(j)) => batch.push(j),
            Ok(Msg::Flushed) => {}
            Err(_) => break,
        }
    }
}

/// A check-in's reply channel and what to answer.
type Answer = (oneshot::Sender<Result<Written>>, Result<Written>);

/// Pairs each check-in of a committed batch with its result; on failure hands the batch back to be
/// written one by one (one bad check-in must not fail its neighbours).
fn settle(
    batch: &mut Vec<Job>,
    results: Result<Vec<Written>>,
) -> std::result::Result<Vec<Answer>, Vec<Job>> {
    match results {
        Ok(results) => Ok(batch
            .drain(..)
            .zip(results)
            .map(|(job, r)| (job.reply, Ok(r)))
            .collect()),
        Err(e) => {
            tracing::warn!(error = %e, size = batch.len(), "check-in batch failed; writing one by one");
            Err(std::mem::take(batch))
        }
    }
}

fn single(r: Result<Vec<Written>>) -> Result<Written> {
    r.map(|mut v| v.pop().unwrap_or(Written::Closed))
}

fn send_all(answers: Vec<Answer>) {
    for (reply, r) in answers {
        let _ = reply.send(r);
    }
}

/// PostgreSQL: a task that writes each batch through the pool; the commit is durable when it
/// returns (`synchronous_commit`), so the answers go out at once. One writer: two at once were
/// measured slower (every batch updates the same hot roll-up rows — the activities' months and
/// communities — so the second waits for the first's commit anyway).
async fn writer(db: Db, mut rx: mpsc::Receiver<Msg>, counters: Arc<Counters>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while let Some(msg) = rx.recv().await {
        let Msg::Job(first) = msg else { continue };
        fill(&mut batch, first, &mut rx);
        let started = Instant::now();
        let results = write_batch(&db, &batch).await;
        counters.count_commit(batch.len(), started.elapsed());
        let answers = match settle(&mut batch, results) {
            Ok(answers) => answers,
            Err(jobs) => {
                let mut answers = Vec::with_capacity(jobs.len());
                for job in jobs {
                    let r = single(write_batch(&db, std::slice::from_ref(&job)).await);
                    answers.push((job.reply, r));
                }
                answers
            }
        };
        send_all(answers);
    }
}

/// SQLite: a thread with its own connection writes and commits a batch without waiting for the
/// disk; a second thread then flushes the write-ahead log and only then answers. While the disk
/// flushes one batch, the check-ins arriving meanwhile wait in the queue and become the next batch,
/// written as soon as that flush is done (so batches grow with the disk's latency, and the write
/// lock is never held while waiting for the disk). A flush covers every commit written before it
/// started, so an answered check-in is on disk; if the flush fails nobody is told "checked in"
/// (they are asked to try again, and a retry finds them already recorded).
fn sqlite_writer(
    writer: SqliteWriter,
    mut rx: mpsc::Receiver<Msg>,
    flushed: mpsc::WeakSender<Msg>,
    counters: Arc<Counters>,
) {
    let SqliteWriter { mut conn, log } = writer;
    let (to_flush, flushing) = std::sync::mpsc::channel::<Vec<Answer>>();
    let count = counters.clone();
    let flusher = std::thread::Builder::new()
        .name("checkin-flush".into())
        .spawn(move || flush_and_answer(log, flushing, flushed, count));
    if let Err(e) = flusher {
        tracing::error!(error = %e, "check-in log flusher did not start");
        return;
    }
    let mut queued: Vec<Job> = Vec::new();
    let mut flushes_pending = 0;

    while let Some(msg) = rx.blocking_recv() {
        let mut next = Some(msg);
        while let Some(msg) = next {
            match msg {
                Msg::Job(j) => queued.push(j),
                Msg::Flushed => flushes_pending -= 1,
            }
            next = rx.try_recv().ok();
        }
        while flushes_pending < FLUSHES_AHEAD && !queued.is_empty() {
            let rest = queued.split_off(queued.len().min(MAX_BATCH));
            let mut batch = std::mem::replace(&mut queued, rest);
            let started = Instant::now();
            let results = write_batch_sqlite(&mut conn, &batch);
            counters.count_commit(batch.len(), started.elapsed());

            let answers = match settle(&mut batch, results) {
                Ok(answers) => answers,
                Err(jobs) => jobs
                    .into_iter()
                    .map(|job| {
                        let r = single(write_batch_sqlite(&mut conn, std::slice::from_ref(&job)));
                        (job.reply, r)
                    })
                    .collect(),
            };
            if to_flush.send(answers).is_err() {
                tracing::error!("check-in log flusher stopped");
                return;
            }
            flushes_pending += 1;
        }
    }
}

/// Flushes the log for each committed batch, answers it, and tells the writer the disk is free.
fn flush_and_answer(
    log: LogFlush,
    rx: std::sync::mpsc::Receiver<Vec<Answer>>,
    writer: mpsc::WeakSender<Msg>,
    counters: Arc<Counters>,
) {
    while let Ok(answers) = rx.recv() {
        let started = Instant::now();
        let flushed = log.flush();
        counters.count_flush(started.elapsed());
        match flushed {
            Ok(()) => send_all(answers),
            Err(e) => {
                tracing::error!(error = %e, size = answers.len(), "check-in log flush failed");
                for (reply, _) in answers {
                    let _ = reply.send(Err(Error::Unavailable(format!("flushing the log: {e}"))));
                }
            }
        }
        // Only while the desk is open: the writer stops once the desk is dropped.
        match writer.upgrade() {
            Some(w) if w.blocking_send(Msg::Flushed).is_ok() => {}
            _ => return,
        }
    }
}

/// The audit record of a new check-in: the resident checked themself in at the activity's place.
fn audit_row(j: &Job, attendance_id: i64, resident_id: i64) -> audit::Row {
    audit::Row {
        at: j.at,
        subject_id: Some(attendance_id),
        node_path: j.node_path.clone(),
        after: json!({"activity_id": j.activity_id, "resident_id": resident_id,
            "status": j.status, "method": "qr"}),
        source_ip: j.source_ip.clone(),
        request_id: j.request_id.clone(),
    }
}

/// Every record carries its own place, address and request; the actor is the resident themself.
fn audit_actor() -> Actor {
    Actor::self_service("/", None, None)
}

const AUDIT_ACTION: &str = "attendance.checked_in";
const AUDIT_SUBJECT: &str = "attendance";

/// One transaction for the whole batch on the writer's own SQLite connection. The write lock is
/// taken at the start (the pool's writers wait for it, busy timeout), so an activity found open
/// here cannot be cancelled before this batch commits.
fn write_batch_sqlite(conn: &mut rusqlite::Connection, jobs: &[Job]) -> Result<Vec<Written>> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let mut out = Vec::with_capacity(jobs.len());
    let mut audit_rows = Vec::new();
    // Each activity of the batch: its roll-up key (owner, month) if it takes check-ins now.
    let mut open: HashMap<i64, Option<(i64, i32)>> = HashMap::new();
    let mut new = Vec::with_capacity(jobs.len());
    for j in jobs {
        let key = match open.entry(j.activity_id) {
            Entry::Occupied(o) => *o.get(),
            Entry::Vacant(v) => *v.insert(
                store::sqlite::open_activity(&tx, j.activity_id)?
                    .map(|(owner, starts)| (owner, crate::rollups::month_key(starts))),
            ),
        };
        let written = match (
            store::sqlite::resident_by_phone(&tx, j.town_id, &j.phone)?,
            key,
        ) {
            (None, _) => Written::Unknown,
            (Some(_), None) => Written::Closed,
            (Some((resident_id, name, community_id)), Some((owner, month))) => {
                match store::sqlite::insert_checkin(
                    &tx,
                    j.activity_id,
                    resident_id,
                    j.status,
                    &j.at,
                )? {
                    Some(id) => {
                        audit_rows.push(audit_row(j, id, resident_id));
                        new.push(crate::rollups::lite::Attended {
                            owner,
                            month,
                            resident: resident_id,
                            community: community_id,
                        });
                        Written::New {
                            id,
                            resident_id,
                            name,
                        }
                    }
                    None => Written::Duplicate { resident_id, name },
                }
            }
        };
        out.push(written);
    }
    crate::rollups::lite::attended(&tx, &new)?;
    audit::record_many_sqlite(
        &tx,
        &audit_actor(),
        AUDIT_ACTION,
        AUDIT_SUBJECT,
        &audit_rows,
    )?;
    tx.commit()?;
    Ok(out)
}

/// PostgreSQL: one transaction for the whole batch, in a handful of statements whatever its size:
/// one finds the residents by number, inserts the attendance rows the activity's state allows and
/// counts them in the roll-ups; then duplicates are told from closed activities and the audit
/// records written.
async fn write_batch(db: &Db, jobs: &[Job]) -> Result<Vec<Written>> {
    let mut tx = db.begin().await?;
    crate::rollups::lock_for_adding(&mut tx).await?;
    let scans: Vec<(i64, &str, i64, &str, DateTime<Utc>)> = jobs
        .iter()
        .map(|j| (j.town_id, j.phone.as_str(), j.activity_id, j.status, j.at))
        .collect();
    let mut found: Vec<Option<(i64, String, Option<i64>)>> = vec![None; jobs.len()];
    for (i, resident, name, id) in store::check_in(&mut tx, &scans).await? {
        if let Some(slot) = found.get_mut(i as usize) {
            *slot = Some((resident, name, id));
        }
    }
    let mut missing: Vec<i64> = jobs
        .iter()
        .zip(&found)
        .filter(|(_, f)| matches!(f, Some((_, _, None))))
        .map(|(j, _)| j.activity_id)
        .collect();
    missing.sort_unstable();
    missing.dedup();
    let open = store::open_activities(&mut tx, &missing).await?;
    let mut out = Vec::with_capacity(jobs.len());
    let mut audit_rows = Vec::new();
    let mut claimed = std::collections::HashSet::new();
    for (j, f) in jobs.iter().zip(found) {
        let written = match f {
            None => Written::Unknown,
            // The same person twice in one batch: the first scan got the row.
            Some((resident_id, name, Some(id))) if claimed.insert(id) => {
                audit_rows.push(audit_row(j, id, resident_id));
                Written::New {
                    id,
                    resident_id,
                    name,
                }
            }
            Some((resident_id, name, Some(_))) => Written::Duplicate { resident_id, name },
            Some((resident_id, name, None)) if open.contains(&j.activity_id) => {
                Written::Duplicate { resident_id, name }
            }
            Some(_) => Written::Closed,
        };
        out.push(written);
    }
    audit::record_many(
        &mut tx,
        &audit_actor(),
        AUDIT_ACTION,
        AUDIT_SUBJECT,
        &audit_rows,
    )
    .await?;
    tx.commit().await?;
    Ok(out)
}
