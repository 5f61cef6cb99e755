//! Statements written once for both backends: the SQL text, its arguments as [`Arg`] values
//! (`args![town_id, name]`) and one call that binds them on the connection's own driver and runs
//! the statement. A store function that only binds and runs is one line:
//! `db::scalar_opt(tx, sql, args![community_id, name]).await`.

use std::borrow::Cow;

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;
use sqlx::{Decode, FromRow, Postgres, Sqlite, Type};

use super::{Conn, Db};
use crate::error::Result;
use crate::page::{Page, PageRequest};

/// One argument of a statement, as either driver binds it (`None` binds NULL).
#[derive(Clone, Debug, PartialEq)]
pub enum Arg<'a> {
    I64(Option<i64>),
    I32(Option<i32>),
    F64(Option<f64>),
    Bool(Option<bool>),
    Text(Option<Cow<'a, str>>),
    Bytes(Option<&'a [u8]>),
    Time(Option<DateTime<Utc>>),
    Date(Option<NaiveDate>),
}

/// The arguments of one statement, in placeholder order.
#[macro_export]
macro_rules! args {
    ($($a:expr),* $(,)?) => {
        vec![$($crate::db::Arg::from($a)),*]
    };
}

macro_rules! arg_from {
    ($variant:ident: $($t:ty => $conv:expr),+ $(,)?) => {
        $(
            impl<'a> From<$t> for Arg<'a> {
                fn from(v: $t) -> Arg<'a> {
                    #[allow(clippy::redundant_closure_call)]
                    Arg::$variant(($conv)(v))
                }
            }
        )+
    };
}

arg_from!(I64:
    i64 => Some,
    Option<i64> => |v| v,
    u32 => |v: u32| Some(i64::from(v)),
);
arg_from!(I32: i32 => Some, Option<i32> => |v| v);
arg_from!(F64: f64 => Some, Option<f64> => |v| v);
arg_from!(Bool: bool => Some, Option<bool> => |v| v);
arg_from!(Text:
    &'a str => |v| Some(Cow::Borrowed(v)),
    &'a String => |v: &'a String| Some(Cow::Borrowed(v.as_str())),
    String => |v| Some(Cow::Owned(v)),
    Option<&'a str> => |v: Option<&'a str>| v.map(Cow::Borrowed),
    Option<String> => |v: Option<String>| v.map(Cow::Owned),
    &'a Option<String> => |v: &'a Option<String>| v.as_deref().map(Cow::Borrowed),
);
arg_from!(Bytes: &'a [u8] => Some, Option<&'a [u8]> => |v| v);
arg_from!(Time: DateTime<Utc> => Some, Option<DateTime<Utc>> => |v| v);
arg_from!(Date: NaiveDate => Some, Option<NaiveDate> => |v| v);

/// Binds each argument on a query of either driver (the macro's body is compiled per driver).
macro_rules! bind_all {
    ($q:expr, $args:expr) => {{
        let mut q = $q;
        for a in $args {
            q = match a {
                Arg::I64(v) => q.bind(v),
                Arg::I32(v) => q.bind(v),
                Arg::F64(v) => q.bind(v),
                Arg::Bool(v) => q.bind(v),
                Arg::Text(v) => q.bind(v),
                Arg::Bytes(v) => q.bind(v),
                Arg::Time(v) => q.bind(v),
                Arg::Date(v) => q.bind(v),
            };
        }
        q
    }};
}

/// A value both drivers decode from one column.
pub trait Scalar:
    for<'r> Decode<'r, Sqlite> + Type<Sqlite> + for<'r> Decode<'r, Postgres> + Type<Postgres>
{
}

impl<T> Scalar for T where
    T: for<'r> Decode<'r, Sqlite> + Type<Sqlite> + for<'r> Decode<'r, Postgres> + Type<Postgres>
{
}

/// A struct both drivers build from a row.
pub trait Record: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> {}

impl<T> Record for T where T: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> {}

/// Runs a statement that returns no rows; the number of rows it changed.
pub async fn exec(conn: impl Into<Conn<'_>>, sql: &str, args: Vec<Arg<'_>>) -> Result<u64> {
    Ok(crate::on_conn!(conn.into(), |c| bind_all!(
        sqlx::query(sql),
        args
    )
    .execute(c)
    .await?
    .rows_affected()))
}

/// The first column of the one row a statement returns.
pub async fn scalar<T>(conn: impl Into<Conn<'_>>, sql: &str, args: Vec<Arg<'_>>) -> Result<T>
where
    T: Scalar + Send + Unpin,
{
    Ok(crate::on_conn!(conn.into(), |c| bind_all!(
        sqlx::query_scalar(sql),
        args
    )
    .fetch_one(c)
    .await?))
}

/// The first column of the row a statement returns, if it returns one.
pub async fn scalar_opt<T>(
    conn: impl Into<Conn<'_>>,
    sql: &str,
    args: Vec<Arg<'_>>,
) -> Result<Option<T>>
where
    T: Scalar + Send + Unpin,
{
    Ok(crate::on_conn!(conn.into(), |c| bind_all!(
        sqlx::query_scalar(sql),
        args
    )
    .fetch_optional(c)
    .await?))
}

/// The first column of every row a statement returns.
pub async fn scalars<T>(conn: impl Into<Conn<'_>>, sql: &str, args: Vec<Arg<'_>>) -> Result<Vec<T>>
where
    T: Scalar + Send + Unpin,
{
    Ok(crate::on_conn!(conn.into(), |c| bind_all!(
        sqlx::query_scalar(sql),
        args
    )
    .fetch_all(c)
    .await?))
}

/// The one row a statement returns, as a record.
pub async fn row<T>(conn: impl Into<Conn<'_>>, sql: &str, args: Vec<Arg<'_>>) -> Result<T>
where
    T: Record + Send + Unpin,
{
    Ok(crate::on_conn!(conn.into(), |c| bind_all!(
        sqlx::query_as(sql),
        args
    )
    .fetch_one(c)
    .await?))
}

/// The row a statement returns, if it returns one.
pub async fn row_opt<T>(
    conn: impl Into<Conn<'_>>,
    sql: &str,
    args: Vec<Arg<'_>>,
) -> Result<Option<T>>
where
    T: Record + Send + Unpin,
{
    Ok(crate::on_conn!(conn.into(), |c| bind_all!(
        sqlx::query_as(sql),
        args
    )
    .fetch_optional(c)
    .await?))
}

/// Every row a statement returns, as records.
pub async fn rows<T>(conn: impl Into<Conn<'_>>, sql: &str, args: Vec<Arg<'_>>) -> Result<Vec<T>>
where
    T: Record + Send + Unpin,
{
    Ok(crate::on_conn!(conn.into(), |c| bind_all!(
        sqlx::query_as(sql),
        args
    )
    .fetch_all(c)
    .await?))
}

/// One page of a list: `count_sql` counts what the filter selects, `list_sql` lists it with two
/// placeholders more, after the filter's, for the page's limit and offset.
pub async fn page<T>(
    db: &Db,
    count_sql: &str,
    list_sql: &str,
    filter: Vec<Arg<'_>>,
    page: PageRequest,
) -> Result<Page<T>>
where
    T: Record + Send + Unpin,
{
    let total: i64 = scalar(db, count_sql, filter.clone()).await?;
    let mut a = filter;
    a.extend(crate::args![page.limit(), page.offset()]);
    let items = rows(db, list_sql, a).await?;
    Ok(Page::new(items, total, page))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_keep_their_kind_and_their_nulls() {
        let name = String::from("王");
        let none: Option<String> = None;
        let a: Vec<Arg> = args![7_i64, &name, &none, None::<i64>, true];
        assert_eq!(
            a,
            vec![
                Arg::I64(Some(7)),
                Arg::Text(Some(Cow::Borrowed("王"))),
                Arg::Text(None),
                Arg::I64(None),
                Arg::Bool(Some(true)),
            ]
        );
    }
}
