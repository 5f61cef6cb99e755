//! Rectifications (整改): a finding of an inspection with its deadline; the centre head answers
//! with evidence, the inspector closes it or reopens it with a reason (the workflow's table).

use serde_json::json;

use super::rules::{RectificationStatus, RectifyStep, Rectifying};
use super::*;
use crate::access::{Actor, Permission};
use crate::attachments::{self, Subject};
use crate::audit::{self, Entry};
use crate::calendar::Day;
use crate::db::Db;
use crate::error::{Error, Result};
use crate::workflow;

/// One rectification with its evidence, for whoever reads its centre's inspections.
pub async fn rectification(db: &Db, actor: &Actor, id: i64) -> Result<Rectification> {
    actor.require(Permission::InspectionsRead)?;
    let mut r = store::rectification(db, id).await?.ok_or(Error::NotFound)?;
    actor.require_sees(&r.node_path)?;
    r.overdue = r.status != RectificationStatus::Closed && r.due_on < Day::today().0;
    r.evidence = attachments::of(db, RECTIFICATION, id).await?;
    Ok(r)
}

/// The rectifications not closed yet in the actor's scope (a centre head's to-do), oldest
/// deadline first.
pub async fn open_rectifications(db: &Db, actor: &Actor) -> Result<Vec<Rectification>> {
    actor.require(Permission::InspectionsRead)?;
    let today = Day::today().0;
    let mut all = store::open_under(db, &actor.scope_path).await?;
    for r in &mut all {
        r.overdue = r.due_on < today;
    }
    Ok(all)
}

/// The steps the actor may take on a rectification now (the page's buttons, the API's list).
pub fn rectify_steps(actor: &Actor, r: &Rectification) -> Vec<&'static str> {
    workflow::available::<Rectifying>(actor, r.status, |_| actor.sees(&r.node_path))
        .iter()
        .map(|s| s.name)
        .collect()
}

/// Takes a step: the centre head answers (`text` is the answer, with an optional file of
/// evidence), the inspector closes, or reopens (`text` is the reason).
pub async fn rectify(
    db: &Db,
    actor: &Actor,
    id: i64,
    step: RectifyStep,
    text: Option<&str>,
    file: Option<(String, Vec<u8>)>,
) -> Result<Rectification> {
    let r = rectification(db, actor, id).await?;
    let checked = workflow::check::<Rectifying>(actor, r.status, step, None, text)?;
    let prepared = match file.filter(|(_, b)| !b.is_empty()) {
        Some((name, bytes)) if step == RectifyStep::Answer => Some(
            attachments::prepare(
                "file",
                &name,
                bytes,
                attachments::DOCUMENT_TYPES,
                attachments::DOCUMENT,
            )
            .await?,
        ),
        _ => None,
    };
    let now = chrono::Utc::now();
    let mut tx = db.begin().await?;
    let moved = (checked.from, checked.to);
    if !store::step_rectification(&mut tx, id, moved, checked.reason.as_deref(), now).await? {
        return Err(workflow::changed_meanwhile::<Rectifying>(
            store::rectification_status(db, id).await?,
        ));
    }
    let mut after = json!({"status": checked.to.as_str(), "text": checked.reason});
    if let Some(f) = &prepared {
        let subject = Subject {
            kind: RECTIFICATION,
            id,
            path: &r.node_path,
        };
        let file_id = attachments::attach(&mut tx, subject, f, actor.user_id, now).await?;
        after["file"] = json!(f.file_name);
        after["attachment_id"] = json!(file_id);
    }
    let action = workflow::rule::<Rectifying>(step).action;
    audit::record(
        &mut tx,
        actor,
        Entry::of(action, RECTIFICATION, Some(id), &r.node_path)
            .before(json!({"status": r.status.as_str()}))
            .after(after),
    )
    .await?;
    tx.commit().await?;
    rectification(db, actor, id).await
}

/// 404 unless the file is evidence of a rectification the actor reads.
pub async fn require_rectification_file(db: &Db, actor: &Actor, file_id: i64) -> Result<()> {
    let meta = attachments::meta(db, file_id).await?;
    if meta.subject_type != RECTIFICATION {
        return Err(Error::NotFound);
    }
    rectification(db, actor, meta.subject_id).await.map(|_| ())
}

/// A file of a rectification's evidence, for whoever reads it.
pub async fn rectification_file(
    db: &Db,
    actor: &Actor,
    file_id: i64,
) -> Result<(Attachment, Vec<u8>)> {
    require_rectification_file(db, actor, file_id).await?;
    Ok((
        attachments::meta(db, file_id).await?,
        attachments::body(db, file_id).await?,
    ))
}
