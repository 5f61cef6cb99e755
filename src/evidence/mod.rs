//! Evidence of an activity (活动资料): photos, the scan of the paper sign-in sheet and lesson
//! materials, and documenting the activity with a summary. Invariants: a file's type is read from
//! its content and must be one the kind allows; photos are stored without their metadata; files are
//! kept in the database (a backup holds them, every app server serves them) and served as
//! attachments to those who may see the activity; an activity becomes documented only with a
//! summary, attendance (records or a head count) and at least one photo or sign-in scan — that is
//! what makes it complete.

mod store;

use crate::access::Actor;
use crate::activities::{self, Activity, Status, Transition};
use crate::attachments;
pub use crate::attachments::{FileType, MAX_BYTES, files};
use crate::attendance;
use crate::audit::{self, Entry};
use crate::db::Db;
use crate::error::{Error, Msg, Result};
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;

/// The most files one activity keeps.
pub const MAX_FILES: i64 = 60;

/// What a file is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A photo of the activity.
    Photo,
    /// The scan (photo or PDF) of the paper sign-in sheet.
    SignInSheet,
    /// Lesson material attached to the plan.
    Material,
}

impl Kind {
    pub const ALL: [Kind; 3] = [Kind::Photo, Kind::SignInSheet, Kind::Material];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Photo => "photo",
            Kind::SignInSheet => "sign_in_sheet",
            Kind::Material => "material",
        }
    }

    /// Parses a stored or submitted name.
    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s.trim())
    }

    /// The file types this kind accepts.
    pub fn allowed(self) -> &'static [FileType] {
        match self {
            Kind::Photo => &[FileType::Jpeg, FileType::Png],
            Kind::SignInSheet => &[FileType::Jpeg, FileType::Png, FileType::Pdf],
            Kind::Material => &[FileType::Pdf, FileType::Xlsx, FileType::Jpeg, FileType::Png],
        }
    }

    /// True for the kinds that prove an activity took place.
    fn is_evidence(self) -> bool {
        matches!(self, Kind::Photo | Kind::SignInSheet)
    }
}

/// A stored file as lists show it.
#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct ActivityFile {
    pub id: i64,
    pub activity_id: i64,
    /// photo, sign_in_sheet or material
    pub kind: String,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    pub created_at: DateTime<Utc>,
    pub has_thumbnail: bool,
}

/// The statuses in which files of a kind may be added.
fn check_uploadable(a: &Activity, kind: Kind) -> Result<()> {
    let ok = match kind {
        Kind::Material => !matches!(
            a.status(),
            Status::Cancelled | Status::Documented | Status::Archived
        ),
        Kind::Photo | Kind::SignInSheet => matches!(a.status(), Status::Published | Status::Held),
    };
    if ok {
        Ok(())
    } else {
        Err(Error::Conflict(
            Msg::new("evidence.not_now").arg("status", format!("activities.status.{}", a.status)),
        ))
    }
}

/// Adds a file to an activity (the caller has read at most [`MAX_BYTES`] + 1 bytes).
pub async fn upload(
    db: &Db,
    actor: &Actor,
    activity_id: i64,
    kind: Kind,
    name: &str,
    bytes: Vec<u8>,
) -> Result<ActivityFile> {
    let a = activities::get(db, actor, activity_id).await?;
    let act = if kind == Kind::Material {
        activities::Act::AttachMaterial
    } else {
        activities::Act::Attend
    };
    activities::require(actor, &a, act)?;
    check_uploadable(&a, kind)?;
    if store::count(db, a.id).await? >= MAX_FILES {
        return Err(Error::Conflict(
            Msg::new("evidence.too_many").arg("max", MAX_FILES),
        ));
    }
    let refusals = attachments::Refusals {
        wrong_type: match kind {
            Kind::Photo => "evidence.type_photo",
            Kind::SignInSheet => "evidence.type_sheet",
            Kind::Material => "evidence.type_material",
        },
        damaged: "evidence.damaged",
    };
    let cleaned = attachments::prepare("file", name, bytes, kind.allowed(), refusals).await?;
    let (name, sha) = (cleaned.file_name.clone(), cleaned.sha256.clone());
    let mut tx = db.begin().await?;
    let id = store::insert(
        &mut tx,
        a.id,
        kind,
        &name,
        cleaned.file_type.mime(),
        &sha,
        &cleaned.body,
        cleaned.thumbnail.as_deref(),
        actor.user_id,
        Utc::now(),
    )
    .await?;
    audit::record(
        &mut tx,
        actor,
        Entry::of("evidence.uploaded", "activity_file", Some(id), &a.owner_path).after( json!({"activity_id": a.id, "kind": kind.as_str(), "name": name, "size": cleaned.body.len(), "sha256": sha}), ),
    )
    .await?;
    tx.commit().await?;
    store::meta(db, id).await?.ok_or(Error::NotFound)
}

/// The files of an activity.
pub async fn list(db: &Db, actor: &Actor, activity_id: i64) -> Result<Vec<ActivityFile>> {
    let a = activities::get(db, actor, activity_id).await?;
    store::list(db, a.id).await
}

/// A file's description and content (or its thumbnail), for whoever may see its activity.
pub async fn download(
    db: &Db,
    actor: &Actor,
    file_id: i64,
    thumbnail: bool,
) -> Result<(ActivityFile, Vec<u8>)> {
    let f = store::meta(db, file_id).await?.ok_or(Error::NotFound)?;
    activities::get(db, actor, f.activity_id).await?;
    let body = store::body(db, f.id, thumbnail)
        .await?
        .ok_or(Error::NotFound)?;
    Ok((f, body))
}

/// 404 unless the file's activity lies inside the actor's scope.
pub async fn require_file(db: &Db, actor: &Actor, file_id: i64) -> Result<()> {
    let f = store::meta(db, file_id).await?.ok_or(Error::NotFound)?;
    activities::get(db, actor, f.activity_id).await.map(|_| ())
}

/// Documents a held activity (a published one that has started is marked held first): the summary,
/// attendance and at least one photo or sign-in scan are required.
pub async fn document(db: &Db, actor: &Actor, activity_id: i64, summary: &str) -> Result<Activity> {
    let a = activities::get(db, actor, activity_id).await?;
    activities::require(actor, &a, activities::Act::Attend)?;
    activities::require(actor, &a, activities::Act::Step(Transition::Document))?;
    if !matches!(a.status(), Status::Published | Status::Held) {
        return Err(Error::Conflict(
            Msg::new("activities.transition_refused")
                .arg("status", format!("activities.status.{}", a.status)),
        ));
    }
    if !attendance::attendance_taken(db, a.id).await? {
        return Err(Error::Conflict(Msg::new("evidence.needs_attendance")));
    }
    let files = store::list(db, a.id).await?;
    if !files
        .iter()
        .any(|f| Kind::parse(&f.kind).is_some_and(Kind::is_evidence))
    {
        return Err(Error::Conflict(Msg::new("evidence.needs_evidence")));
    }
    if a.status() == Status::Published {
        if Utc::now() < a.starts_at {
            return Err(Error::Conflict(Msg::new("evidence.not_started")));
        }
        activities::apply_transition(db, actor, a.id, Transition::Hold, None).await?;
    }
    activities::apply_transition(db, actor, a.id, Transition::Document, Some(summary)).await
}

/// How the audit log names an activity's file: by its file name.
pub const AUDIT_NAMES: &[crate::audit::view::Namer] = &[crate::audit::view::Namer::plain(
    "activity_file",
    "activity_files",
    "file_name",
)];

/// What a place's record holds for a period: the activities held (planned and carried out, or
/// recorded afterwards), how many are documented, how many have their sign-in sheet and photos on
/// file, the distinct residents who attended and the attendances. The inspector's page shows it
/// beside each item; the year-end assessment weighs it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct PlaceRecord {
    pub held: i64,
    pub documented: i64,
    pub with_sign_in_sheet: i64,
    pub with_photos: i64,
    pub participants: i64,
    pub attendances: i64,
}

/// A place's activities held from `from` until (not including) `until` and, of them, those
/// documented: (held, documented), without a scope check (the caller read the place).
pub async fn held_of(
    db: &Db,
    owner_id: i64,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<(i64, i64)> {
    store::held_of(db, owner_id, (from, until)).await
}

/// A place's record from `from` until (not including) `until`, without a scope check (the caller
/// read the place).
pub async fn record_of(
    db: &Db,
    owner_id: i64,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<PlaceRecord> {
    let (held, documented, with_sign_in_sheet, with_photos, participants, attendances) =
        store::record_of(db, owner_id, (from, until)).await?;
    Ok(PlaceRecord {
        held,
        documented,
        with_sign_in_sheet,
        with_photos,
        participants,
        attendances,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_allow_their_types() {
        assert!(!Kind::Photo.allowed().contains(&FileType::Pdf));
        assert!(Kind::SignInSheet.allowed().contains(&FileType::Pdf));
        assert!(Kind::Material.allowed().contains(&FileType::Xlsx));
        assert!(
            Kind::ALL
                .iter()
                .all(|k| Kind::parse(k.as_str()) == Some(*k))
        );
    }
}
