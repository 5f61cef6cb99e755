//! The library's one error type. It carries no HTTP types: the web layer turns it into a response
//! in one place. Messages meant for users are [`Msg`] keys, rendered in Chinese or English at the
//! edge.

use std::fmt;

/// A user-facing message: a key into the locale files plus named arguments (`{name}` in the text).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Msg {
    pub key: &'static str,
    pub args: Vec<(&'static str, String)>,
}

impl Msg {
    /// A message without arguments.
    pub fn new(key: &'static str) -> Msg {
        Msg {
            key,
            args: Vec::new(),
        }
    }

    /// Adds a named argument.
    pub fn arg(mut self, name: &'static str, value: impl fmt::Display) -> Msg {
        self.args.push((name, value.to_string()));
        self
    }
}

/// Errors attached to the form fields that caused them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FieldErrors(pub Vec<(String, Msg)>);

impl FieldErrors {
    /// Records an error on a field.
    pub fn add(&mut self, field: &str, msg: Msg) {
        self.0.push((field.to_string(), msg));
    }

    /// An optional field's value read by `parse`: None when left blank, and None with the error
    /// recorded on the field when `parse` refuses it.
    pub fn optional<T>(
        &mut self,
        field: &str,
        value: Option<&str>,
        parse: impl FnOnce(&str) -> std::result::Result<T, Msg>,
    ) -> Option<T> {
        let value = value.map(str::trim).filter(|s| !s.is_empty())?;
        parse(value).map_err(|m| self.add(field, m)).ok()
    }

    /// True when no field has an error.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The first error recorded for a field, if any.
    pub fn get(&self, field: &str) -> Option<&Msg> {
        self.0.iter().find(|(f, _)| f == field).map(|(_, m)| m)
    }

    /// The same errors with some fields renamed `(from, to)`: a page with two forms whose fields
    /// share a name shows each error under its own form.
    pub fn renamed(self, names: &[(&str, &str)]) -> FieldErrors {
        FieldErrors(
            self.0
                .into_iter()
                .map(|(f, m)| match names.iter().find(|(from, _)| *from == f) {
                    Some((_, to)) => (to.to_string(), m),
                    None => (f, m),
                })
                .collect(),
        )
    }

    /// `Ok(())` when empty, otherwise `Err(Error::Invalid)`.
    pub fn into_result(self) -> Result<()> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(Error::Invalid(self))
        }
    }
}

/// Everything that can go wrong in a use-case.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// No valid session.
    #[error("unauthenticated")]
    Unauthenticated,
    /// Inside scope, but the role lacks the permission (or the CSRF check failed).
    #[error("forbidden: {0:?}")]
    Forbidden(Msg),
    /// Unknown id or a record outside the actor's scope: both look the same.
    #[error("not found")]
    NotFound,
    /// Field-level validation failures.
    #[error("invalid input")]
    Invalid(FieldErrors),
    /// A business rule refused the operation (duplicate, cycle, node in use, wrong state).
    #[error("conflict: {0:?}")]
    Conflict(Msg),
    /// Too many attempts; try later.
    #[error("throttled: {0:?}")]
    Throttled(Msg),
    /// Malformed request (bad encoding, body too large, unparsable JSON).
    #[error("bad request: {0:?}")]
    BadRequest(Msg),
    /// The database cannot be reached right now.
    #[error("service unavailable: {0}")]
    Unavailable(String),
    /// The disk under the database is full: nothing of the operation was saved.
    #[error("storage full: {0}")]
    StorageFull(String),
    /// Bad configuration at start-up; the text names the key and never the secret.
    #[error("configuration error: {0}")]
    Config(String),
    /// A bug or an unexpected failure: logged once with its causes, never shown.
    #[error("internal error: {context}")]
    Internal {
        /// What was being done.
        context: String,
        /// What went wrong underneath, with its own causes.
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },
}

/// Shorthand used across the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// An unexpected failure with no error underneath.
    pub fn internal(context: impl Into<String>) -> Error {
        Error::Internal {
            context: context.into(),
            source: None,
        }
    }

    /// An unexpected failure while doing `context`, keeping the error underneath as its source.
    pub fn internal_from(
        context: impl Into<String>,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Error {
        Error::Internal {
            context: context.into(),
            source: Some(Box::new(source)),
        }
    }

    /// The error and each of its causes, outermost first, joined by ": " (for the log).
    pub fn chain(&self) -> String {
        let mut out = self.to_string();
        let mut next = std::error::Error::source(self);
        while let Some(e) = next {
            out.push_str(": ");
            out.push_str(&e.to_string());
            next = e.source();
        }
        out
    }

    /// A single-field validation error.
    pub fn invalid(field: &str, msg: Msg) -> Error {
        let mut fe = FieldErrors::default();
        fe.add(field, msg);
        Error::Invalid(fe)
    }
}

impl From<sqlx::Error> for Error {
    fn from(e: sqlx::Error) -> Error {
        match e {
            sqlx::Error::RowNotFound => Error::NotFound,
            sqlx::Error::Database(ref d) if d.is_unique_violation() => {
                Error::Conflict(Msg::new("error.duplicate"))
            }
            // SQLITE_FULL (13) and PostgreSQL's disk_full (53100).
            sqlx::Error::Database(ref d)
                if matches!(d.code().as_deref(), Some("13") | Some("53100")) =>
            {
                Error::StorageFull(e.to_string())
            }
            sqlx::Error::Io(ref io) if is_disk_full(io) => Error::StorageFull(e.to_string()),
            // PostgreSQL going away under a request: a connection exception (class 08) or an
            // administrator's or a crash's shutdown (57P01–57P03). The pool reconnects by itself.
            sqlx::Error::Database(ref d)
                if d.code()
                    .is_some_and(|c| c.starts_with("08") || c.starts_with("57P0")) =>
            {
                Error::Unavailable(e.to_string())
            }
            sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::Protocol(_) => Error::Unavailable(e.to_string()),
            other => Error::internal_from("database", other),
        }
    }
}

/// Errors of the check-in desk's own SQLite connection (see `Db::sqlite_writer`).
impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Error {
        match e {
            rusqlite::Error::SqliteFailure(f, _)
                if matches!(
                    f.code,
                    rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
                ) =>
            {
                Error::Unavailable(e.to_string())
            }
            rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::DiskFull => {
                Error::StorageFull(e.to_string())
            }
            other => Error::internal_from("database", other),
        }
    }
}

/// True when an I/O error says the disk is full (ENOSPC, or a quota).
pub fn is_disk_full(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::StorageFull | std::io::ErrorKind::QuotaExceeded
    )
}

impl From<serde_json::Error> for Error {
    fn from(e: serde_json::Error) -> Error {
        Error::internal_from("json", e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_internal_error_keeps_its_causes_for_the_log_and_shows_none_of_them() {
        let io = std::io::Error::other("disk controller said no");
        let e = Error::internal_from("writing the backup", io);
        assert_eq!(e.to_string(), "internal error: writing the backup");
        assert_eq!(
            e.chain(),
            "internal error: writing the backup: disk controller said no"
        );
        let json = serde_json::from_str::<serde_json::Value>("{").unwrap_err();
        let e = Error::from(json);
        assert!(std::error::Error::source(&e).is_some());
        assert!(
            e.chain().starts_with("internal error: json: EOF"),
            "{}",
            e.chain()
        );
    }
}
