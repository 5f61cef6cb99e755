//! The hot reads of an on-disk SQLite database, run on the calling thread. sqlx runs each SQLite
//! statement on a worker thread of its own and sends every row back over a channel; for the reads
//! every request makes (the session) and the page a clerk opens most (the resident list), those
//! hand-offs cost more than the statement itself — a profile of the resident list under load spent
//! about 40 % of the server's time switching threads. [`read_rows`] runs such a statement directly
//! on a small set of read-only rusqlite connections to the same file and decodes the rows with the
//! record's [`FromLite`]; PostgreSQL, an in-memory database and every write keep going through
//! sqlx.
//!
//! The statement's text and arguments are the same as sqlx's (`$1`, `$2` … bound by their number),
//! values are decoded from what sqlx writes (times as RFC 3339 text, dates as `YYYY-MM-DD`,
//! booleans as 0/1), and a test reads the same rows both ways.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::types::{ToSqlOutput, Value, ValueRef};

use super::args::{Arg, Record};
use super::{BUSY_TIMEOUT, Conn, SQLITE_PRAGMAS};
use crate::error::{Error, Result};

/// Idle read connections kept for the next statement.
const KEEP_IDLE: usize = 16;

/// Read-only connections to one SQLite file, opened on demand and reused.
#[derive(Clone)]
pub struct Readers(Arc<Inner>);

struct Inner {
    file: PathBuf,
    idle: Mutex<Vec<rusqlite::Connection>>,
}

impl std::fmt::Debug for Readers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Readers")
            .field("file", &self.0.file)
            .finish()
    }
}

impl Readers {
    pub(super) fn new(file: PathBuf) -> Readers {
        Readers(Arc::new(Inner {
            file,
            idle: Mutex::new(Vec::new()),
        }))
    }

    fn open(&self) -> Result<rusqlite::Connection> {
        use rusqlite::OpenFlags as F;
        let conn = rusqlite::Connection::open_with_flags(
            &self.0.file,
            F::SQLITE_OPEN_READ_WRITE | F::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        for (k, v) in SQLITE_PRAGMAS {
            conn.pragma_update(None, k, v)?;
        }
        // A reader never writes: a statement that tried would be refused, not carried out.
        conn.pragma_update(None, "query_only", "on")?;
        Ok(conn)
    }

    /// Runs `f` on an idle connection (or a new one), then keeps the connection for the next read.
    fn with<T>(&self, f: impl FnOnce(&rusqlite::Connection) -> Result<T>) -> Result<T> {
        let idle = self.0.idle.lock().ok().and_then(|mut v| v.pop());
        let conn = match idle {
            Some(c) => c,
            None => self.open()?,
        };
        let out = f(&conn);
        if let Ok(mut v) = self.0.idle.lock()
            && v.len() < KEEP_IDLE
        {
            v.push(conn);
        }
        out
    }
}

/// A row being read, with its statement's column names (looked up once per statement).
pub struct LiteRow<'a> {
    row: &'a rusqlite::Row<'a>,
    names: &'a [String],
    /// The column after the one read last: a record mostly reads its fields in the statement's
    /// order, so the next name is usually found at once.
    next: std::cell::Cell<usize>,
}

impl LiteRow<'_> {
    /// A column by name, decoded as the record's `sqlx::FromRow` would.
    pub fn get<T: FromColumn>(&self, name: &str) -> Result<T> {
        let next = self.next.get();
        let i = if self.names.get(next).is_some_and(|n| n == name) {
            next
        } else {
            self.names
                .iter()
                .position(|n| n == name)
                .ok_or_else(|| Error::internal(format!("no column {name}")))?
        };
        self.next.set(i + 1);
        T::from_column(self.row.get_ref(i)?)
            .map_err(|e| Error::internal(format!("column {name}: {e}")))
    }
}

/// Declares a record that both drivers read, its fields written once: the struct with
/// `sqlx::FromRow`, and its [`FromLite`] reading each field from the column of the same name.
#[macro_export]
macro_rules! lite_record {
    (
        $(#[$m:meta])*
        $vis:vis struct $name:ident {
            $($(#[$fm:meta])* $fvis:vis $field:ident : $ty:ty),* $(,)?
        }
    ) => {
        $(#[$m])*
        #[derive(sqlx::FromRow)]
        $vis struct $name {
            $($(#[$fm])* $fvis $field: $ty),*
        }

        impl $crate::db::lite::FromLite for $name {
            fn from_lite(row: &$crate::db::lite::LiteRow<'_>) -> $crate::error::Result<Self> {
                Ok($name {
                    $($field: row.get(stringify!($field))?),*
                })
            }
        }
    };
}

/// A record read from a rusqlite row (columns by name, as its `sqlx::FromRow` reads them).
pub trait FromLite: Sized {
    fn from_lite(row: &LiteRow<'_>) -> Result<Self>;
}

/// Every row of a read-only statement: on an on-disk SQLite database, outside a transaction, read
/// on this thread through rusqlite; otherwise through sqlx ([`super::rows`]). Only for statements
/// an index answers in a millisecond or two: the thread is a server worker, and a slow read would
/// hold up the requests queued behind it (handing them off first with `block_in_place` was
/// measured: it costs more than the hand-offs this saves).
pub async fn read_rows<T>(
    conn: impl Into<Conn<'_>>,
    sql: &str,
    args: Vec<Arg<'_>>,
) -> Result<Vec<T>>
where
    T: FromLite + Record + Send + Unpin,
{
    let conn = conn.into();
    let Some(readers) = (match &conn {
        Conn::Db(db) => db.readers(),
        Conn::Tx(_) => None,
    }) else {
        return super::rows(conn, sql, args).await;
    };
    readers.with(|c| {
        let mut stmt = c.prepare_cached(sql)?;
        bind(&mut stmt, &args)?;
        let names: Vec<String> = stmt.column_names().into_iter().map(String::from).collect();
        let mut rows = stmt.raw_query();
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            out.push(T::from_lite(&LiteRow {
                row,
                names: &names,
                next: std::cell::Cell::new(0),
            })?);
        }
        Ok(out)
    })
}

/// The first row of a read-only statement, if any (see [`read_rows`]).
pub async fn read_row_opt<T>(
    conn: impl Into<Conn<'_>>,
    sql: &str,
    args: Vec<Arg<'_>>,
) -> Result<Option<T>>
where
    T: FromLite + Record + Send + Unpin,
{
    Ok(read_rows(conn, sql, args).await?.into_iter().next())
}

/// Binds `$n` to the n-th argument, wherever and however often the statement names it.
fn bind(stmt: &mut rusqlite::CachedStatement<'_>, args: &[Arg<'_>]) -> Result<()> {
    for i in 1..=stmt.parameter_count() {
        let n = stmt
            .parameter_name(i)
            .and_then(|name| name.strip_prefix('$'))
            .and_then(|n| n.parse::<usize>().ok())
            .filter(|n| (1..=args.len()).contains(n))
            .ok_or_else(|| Error::internal(format!("statement parameter {i} has no argument")))?;
        stmt.raw_bind_parameter(i, lite_value(&args[n - 1]))?;
    }
    Ok(())
}

/// An argument as sqlx writes it into SQLite.
fn lite_value<'a>(a: &'a Arg<'_>) -> ToSqlOutput<'a> {
    let v = match a {
        Arg::I64(v) => v.map(Value::Integer),
        Arg::I32(v) => v.map(|v| Value::Integer(v.into())),
        Arg::F64(v) => v.map(Value::Real),
        Arg::Bool(v) => v.map(|v| Value::Integer(v.into())),
        Arg::Text(v) => {
            return v.as_deref().map_or(ToSqlOutput::Owned(Value::Null), |s| {
                ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes()))
            });
        }
        Arg::Bytes(v) => {
            return v.map_or(ToSqlOutput::Owned(Value::Null), |b| {
                ToSqlOutput::Borrowed(ValueRef::Blob(b))
            });
        }
        Arg::Time(v) => v.map(|t| Value::Text(super::sqlite_time(&t))),
        Arg::Date(v) => v.map(|d| Value::Text(d.format("%Y-%m-%d").to_string())),
    };
    ToSqlOutput::Owned(v.unwrap_or(Value::Null))
}

/// A value decoded from a SQLite column the way sqlx decodes it.
pub trait FromColumn: Sized {
    fn from_column(v: ValueRef<'_>) -> std::result::Result<Self, String>;
}

impl FromColumn for i64 {
    fn from_column(v: ValueRef<'_>) -> std::result::Result<Self, String> {
        v.as_i64().map_err(|e| e.to_string())
    }
}

impl FromColumn for bool {
    fn from_column(v: ValueRef<'_>) -> std::result::Result<Self, String> {
        Ok(i64::from_column(v)? != 0)
    }
}

impl FromColumn for String {
    fn from_column(v: ValueRef<'_>) -> std::result::Result<Self, String> {
        v.as_str().map(str::to_string).map_err(|e| e.to_string())
    }
}

impl FromColumn for DateTime<Utc> {
    fn from_column(v: ValueRef<'_>) -> std::result::Result<Self, String> {
        let s = v.as_str().map_err(|e| e.to_string())?;
        DateTime::parse_from_rfc3339(s)
            .map(|t| t.with_timezone(&Utc))
            .or_else(|_| {
                // sqlx also reads SQLite's own `YYYY-MM-DD HH:MM:SS[.fff]` (UTC).
                chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S%.f")
                    .map(|t| t.and_utc())
            })
            .map_err(|e| format!("{s:?}: {e}"))
    }
}

impl FromColumn for NaiveDate {
    fn from_column(v: ValueRef<'_>) -> std::result::Result<Self, String> {
        let s = v.as_str().map_err(|e| e.to_string())?;
        // `YYYY-MM-DD`, read without a format string to interpret.
        s.parse::<NaiveDate>().map_err(|e| format!("{s:?}: {e}"))
    }
}

impl<T: FromColumn> FromColumn for Option<T> {
    fn from_column(v: ValueRef<'_>) -> std::result::Result<Self, String> {
        match v {
            ValueRef::Null => Ok(None),
            v => T::from_column(v).map(Some),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::args;
    use crate::db::Db;

    crate::lite_record! {
        #[derive(Debug, PartialEq)]
        struct Sample {
            id: i64,
            name: String,
            note: Option<String>,
            ok: bool,
            born: Option<NaiveDate>,
            at: DateTime<Utc>,
            gone: Option<DateTime<Utc>>,
        }
    }

    /// What sqlx wrote, the readers read back the same, with arguments bound by number (one
    /// named twice, out of order) and compared as sqlx compares them.
    #[tokio::test]
    async fn the_readers_read_what_sqlx_reads() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::connect(&Db::sqlite_url_in(dir.path())).await.unwrap();
        assert!(db.readers().is_some(), "a database file has readers");
        let create = "create table sample (id integer primary key, name text not null, note \
            text, ok boolean not null, born date, at timestamp not null, gone timestamp)";
        super::super::exec(&db, create, args![]).await.unwrap();
        let at = DateTime::from_timestamp(1_790_000_000, 467_732_279).unwrap();
        let insert = "insert into sample (id, name, note, ok, born, at, gone) \
            values ($1, $2, $3, $4, $5, $6, $7)";
        let born = NaiveDate::from_ymd_opt(1950, 3, 26);
        super::super::exec(
            &db,
            insert,
            args![1, "张三", Some("甲"), true, born, at, Some(at)],
        )
        .await
        .unwrap();
        super::super::exec(
            &db,
            insert,
            args![
                2,
                "李四",
                None::<&str>,
                false,
                None::<NaiveDate>,
                at,
                None::<DateTime<Utc>>
            ],
        )
        .await
        .unwrap();
        let select = "select * from sample where (name = $2 or id = $1) and at <= $3 \
            and ($2 is not null) order by id";
        let a = || args![2, "张三", at];
        let by_sqlx: Vec<Sample> = super::super::rows(&db, select, a()).await.unwrap();
        let by_readers: Vec<Sample> = read_rows(&db, select, a()).await.unwrap();
        assert_eq!(by_sqlx.len(), 2);
        assert_eq!(by_readers, by_sqlx);
        // Columns in another order than the record's fields are found by name all the same.
        let reversed = select.replace("select *", "select gone, at, born, ok, note, name, id");
        let by_name: Vec<Sample> = read_rows(&db, &reversed, a()).await.unwrap();
        assert_eq!(by_name, by_sqlx);
        let one: Option<Sample> = read_row_opt(&db, "select * from sample where id = $1", args![3])
            .await
            .unwrap();
        assert_eq!(one, None);
    }

    #[test]
    fn times_read_as_sqlx_reads_them() {
        let t = DateTime::parse_from_rfc3339("2026-12-05T23:19:03.467732279+00:00")
            .unwrap()
            .with_timezone(&Utc);
        let text = super::super::sqlite_time(&t);
        assert_eq!(
            DateTime::<Utc>::from_column(ValueRef::Text(text.as_bytes())),
            Ok(t)
        );
        let old = DateTime::<Utc>::from_column(ValueRef::Text(b"2026-01-02 03:04:05"));
        assert_eq!(
            old.map(|t| t.to_rfc3339()),
            Ok("2026-01-02T03:04:05+00:00".into())
        );
    }

    /// The bundled SQLite is built as `.cargo/config.toml` says: a plan never depends on a bound
    /// value (no statement compiled again on each run) and no memory statistics (no global mutex
    /// on every allocation).
    #[test]
    fn sqlite_is_built_for_concurrent_reads() {
        let c = rusqlite::Connection::open_in_memory().unwrap();
        for option in ["ENABLE_QPSG", "DEFAULT_MEMSTATUS=0"] {
            let used: bool = c
                .query_row("select sqlite_compileoption_used($1)", [option], |r| {
                    r.get(0)
                })
                .unwrap();
            assert!(used, "SQLite built without {option}");
        }
    }

    #[test]
    fn a_write_through_a_reader_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("x.db");
        rusqlite::Connection::open(&file)
            .unwrap()
            .execute_batch("create table t (x integer)")
            .unwrap();
        let r = Readers::new(file);
        let wrote = r.with(|c| Ok(c.execute("insert into t values (1)", [])?));
        assert!(wrote.is_err());
    }
}
