//! Files attached to a record of any concept (the evidence of a schedule row; vouchers, deeds and
//! signed minutes as those concepts come): the upload checked and cleaned once ([`prepare`] — the
//! type read from the content, photos without their metadata, a safe name, a size limit), kept in
//! the database beside the record (`attachments`: subject type and id, the record's place in the
//! tree), listed and served to whoever the owning concept lets see the record. The concept decides
//! who may attach and see; this module only keeps the files.

pub mod files;
mod store;

use chrono::{DateTime, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::db::{Conn, Db, Tx};
use crate::error::{Error, Msg, Result};
pub use files::{FileType, MAX_BYTES};

/// A stored file as lists show it.
#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Attachment {
    pub id: i64,
    #[serde(skip)]
    pub subject_type: String,
    #[serde(skip)]
    pub subject_id: i64,
    #[serde(skip)]
    pub node_path: String,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    pub created_at: DateTime<Utc>,
}

/// An upload checked and cleaned, ready to store.
#[derive(Clone, Debug)]
pub struct Prepared {
    pub file_name: String,
    pub file_type: FileType,
    pub body: Vec<u8>,
    pub thumbnail: Option<Vec<u8>>,
    pub sha256: String,
}

/// The locale keys of the refusals of an upload: a type not allowed, a damaged picture.
#[derive(Clone, Copy, Debug)]
pub struct Refusals {
    pub wrong_type: &'static str,
    pub damaged: &'static str,
}

/// The refusals of a document (a photo, a scan or a PDF).
pub const DOCUMENT: Refusals = Refusals {
    wrong_type: "attachments.type_document",
    damaged: "evidence.damaged",
};

/// The types a document may be: a photo, a scan (PDF) or a spreadsheet.
pub const DOCUMENT_TYPES: &[FileType] =
    &[FileType::Jpeg, FileType::Png, FileType::Pdf, FileType::Xlsx];

/// Checks an upload (the caller has read at most [`MAX_BYTES`] + 1 bytes) against the allowed
/// types and cleans it, off the async workers (decoding pictures is CPU work). Refusals name the
/// `field` of the form.
pub async fn prepare(
    field: &str,
    name: &str,
    bytes: Vec<u8>,
    allowed: &'static [FileType],
    refusals: Refusals,
) -> Result<Prepared> {
    if bytes.len() > MAX_BYTES {
        return Err(Error::invalid(
            field,
            Msg::new("evidence.too_large").arg("max_mb", MAX_BYTES / 1024 / 1024),
        ));
    }
    if bytes.is_empty() {
        return Err(Error::invalid(field, Msg::new("evidence.choose_file")));
    }
    let cleaned = tokio::task::spawn_blocking(move || files::clean(&bytes, allowed))
        .await
        .map_err(|e| Error::internal_from("cleaning the picture", e))?
        .map_err(|e| {
            let key = match e {
                files::FileError::Type => refusals.wrong_type,
                files::FileError::Damaged => refusals.damaged,
            };
            Error::invalid(field, Msg::new(key))
        })?;
    Ok(Prepared {
        file_name: safe_name(name, cleaned.file_type),
        file_type: cleaned.file_type,
        sha256: crate::text::hex(&Sha256::digest(&cleaned.body)),
        body: cleaned.body,
        thumbnail: cleaned.thumbnail,
    })
}

/// A file name safe to show and to send back in a header: no path, no control or quote characters,
/// at most 100 characters, ending in the extension of its real type.
pub fn safe_name(name: &str, t: FileType) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let stem = base.rsplit_once('.').map_or(base, |(s, _)| s);
    let stem: String = stem
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '\'' | ';' | '<' | '>'))
        .take(90)
        .collect();
    let stem = stem.trim();
    let stem = if stem.is_empty() { "file" } else { stem };
    format!("{stem}.{}", t.extension())
}

/// The record a file belongs to: its type (`schedule_row`), id and place in the tree.
#[derive(Clone, Copy, Debug)]
pub struct Subject<'a> {
    pub kind: &'static str,
    pub id: i64,
    pub path: &'a str,
}

/// Stores a prepared file on a record inside the caller's transaction (which records it in the
/// audit log); its id.
pub async fn attach(
    tx: &mut Tx,
    subject: Subject<'_>,
    file: &Prepared,
    by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<i64> {
    store::insert(tx, subject, file, by, now).await
}

/// Removes the files of a record removed in the caller's transaction (nothing is kept of a
/// record that is gone).
pub async fn remove_of(tx: &mut Tx, kind: &str, id: i64) -> Result<u64> {
    store::remove_of(tx, kind, id).await
}

/// The files of a record, oldest first.
pub async fn of(conn: impl Into<Conn<'_>>, kind: &str, id: i64) -> Result<Vec<Attachment>> {
    store::of(conn, kind, id).await
}

/// One file's description (the owning concept then decides whether the reader sees its record).
pub async fn meta(db: &Db, id: i64) -> Result<Attachment> {
    store::meta(db, id).await?.ok_or(Error::NotFound)
}

/// One file's content.
pub async fn body(db: &Db, id: i64) -> Result<Vec<u8>> {
    store::body(db, id).await?.ok_or(Error::NotFound)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_lose_paths_and_take_the_real_extension() {
        assert_eq!(
            safe_name("C:\\照片\\活动现场.JPG", FileType::Jpeg),
            "活动现场.jpg"
        );
        assert_eq!(safe_name("../../etc/passwd", FileType::Pdf), "passwd.pdf");
        assert_eq!(safe_name("a\"b;c.exe", FileType::Png), "abc.png");
        assert_eq!(safe_name("", FileType::Pdf), "file.pdf");
    }
}
