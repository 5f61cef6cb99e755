use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};

use super::{
    ServiceHours, TaughtActivity, TeacherFilter, TeacherRecord, TeacherStatus, TeacherValues,
    Training,
};
use crate::args;
use crate::db::{self, Arg, Db, Tx, grouped_texts};
use crate::error::Result;
use crate::page::{Page, PageRequest};

const TEACHER: &str = "select t.id, t.node_id, n.name as node_name, n.kind as node_kind, n.path \
    as node_path, p.path as town_path, t.name, t.gender, t.phone, t.teacher_type, t.source, \
    t.speciality, t.status, t.retired_on, t.retired_reason, coalesce((select sum(tr.minutes) \
    from teacher_trainings tr where tr.teacher_id = t.id), 0) as training_minutes \
    from teachers t join org_nodes n on n.id = t.node_id \
    join org_nodes p on p.id = n.parent_id";

pub(super) async fn teacher(db: &Db, id: i64) -> Result<Option<TeacherRecord>> {
    let sql = format!("{TEACHER} where t.id = $1");
    db::row_opt(db, &sql, args![id]).await
}

pub(super) async fn teacher_with_phone(
    tx: &mut Tx,
    node_id: i64,
    phone: &str,
    except: Option<i64>,
) -> Result<bool> {
    let sql = "select count(*) from teachers where node_id = $1 and phone = $2 and ($3 is null \
        or id <> $3)";
    let n: i64 = db::scalar(&mut *tx, sql, args![node_id, phone, except]).await?;
    Ok(n > 0)
}

async fn set_themes(tx: &mut Tx, id: i64, themes: &[i64]) -> Result<()> {
    let sql = "delete from teacher_themes where teacher_id = $1";
    db::exec(&mut *tx, sql, args![id]).await?;
    let mut seen = Vec::new();
    for t in themes {
        if seen.contains(t) {
            continue;
        }
        seen.push(*t);
        let sql = "insert into teacher_themes (teacher_id, theme_id) \
            values ($1, $2)";
        db::exec(&mut *tx, sql, args![id, *t]).await?;
    }
    Ok(())
}

/// The columns a teacher's values fill, in the order of the insert and the update.
fn values_args(v: &TeacherValues) -> Vec<Arg<'_>> {
    args![
        v.node_id,
        &v.name,
        &v.gender,
        &v.phone,
        &v.teacher_type,
        &v.source,
        &v.speciality
    ]
}

pub(super) async fn insert(tx: &mut Tx, v: &TeacherValues, now: DateTime<Utc>) -> Result<i64> {
    let sql = "insert into teachers (node_id, name, gender, phone, teacher_type, source, \
        speciality, status, created_at, updated_at) values ($1, $2, $3, $4, $5, $6, $7, \
        'active', $8, $8) returning id";
    let mut a = values_args(v);
    a.push(now.into());
    let id: i64 = db::scalar(&mut *tx, sql, a).await?;
    set_themes(tx, id, &v.theme_ids).await?;
    Ok(id)
}

pub(super) async fn update(
    tx: &mut Tx,
    id: i64,
    v: &TeacherValues,
    now: DateTime<Utc>,
) -> Result<()> {
    let sql = "update teachers set node_id = $1, name = $2, gender = $3, phone = $4, \
        teacher_type = $5, source = $6, speciality = $7, updated_at = $8 \
        where id = $9";
    let mut a = values_args(v);
    a.extend(args![now, id]);
    db::exec(&mut *tx, sql, a).await?;
    set_themes(tx, id, &v.theme_ids).await
}

pub(super) async fn set_status(
    tx: &mut Tx,
    id: i64,
    status: TeacherStatus,
    on: Option<NaiveDate>,
    reason: Option<&str>,
    now: DateTime<Utc>,
) -> Result<()> {
    let sql = "update teachers set status = $1, retired_on = $2, retired_reason = $3, \
        updated_at = $4 where id = $5";
    db::exec(&mut *tx, sql, args![status, on, reason, now, id]).await?;
    Ok(())
}

pub(super) async fn theme_names(db: &Db, ids: &[i64]) -> Result<HashMap<i64, Vec<String>>> {
    let sql = "select tt.teacher_id, th.name from teacher_themes tt \
        join themes th on th.id = tt.theme_id where tt.teacher_id in ({ids}) \
        order by th.sort";
    grouped_texts(db, sql, ids).await
}

pub(super) async fn trainings(db: &Db, id: i64) -> Result<Vec<Training>> {
    let sql = "select id, held_on, title, organiser, cast(minutes as bigint) as minutes \
        from teacher_trainings where teacher_id = $1 order by held_on desc, id desc";
    db::rows(db, sql, args![id]).await
}

pub(super) async fn service(db: &Db, id: i64) -> Result<Vec<ServiceHours>> {
    let sql = "select id, served_on, activity_id, activity_title, cast(minutes as bigint) as \
        minutes from volunteer_hours where teacher_id = $1 \
        order by served_on desc, id desc";
    db::rows(db, sql, args![id]).await
}

/// The activities a teacher is named for, newest first (cancelled ones left out).
pub(super) async fn taught(db: &Db, id: i64) -> Result<Vec<TaughtActivity>> {
    let sql = "select a.id as activity_id, a.title, a.starts_at, a.ends_at, a.status, o.name as \
        owner_name from activity_teachers x join activities a on a.id = x.activity_id \
        join org_nodes o on o.id = a.owner_id where x.teacher_id = $1 and a.status <> \
        'cancelled' order by a.starts_at desc";
    db::rows(db, sql, args![id]).await
}

pub(super) async fn insert_training(
    tx: &mut Tx,
    id: i64,
    on: NaiveDate,
    title: &str,
    organiser: Option<&str>,
    minutes: i64,
    now: DateTime<Utc>,
) -> Result<i64> {
    let sql = "insert into teacher_trainings (teacher_id, held_on, title, organiser, minutes, \
        created_at) values ($1, $2, $3, $4, $5, $6) returning id";
    db::scalar(
        &mut *tx,
        sql,
        args![id, on, title, organiser, minutes as i32, now],
    )
    .await
}

pub(super) async fn insert_service(
    tx: &mut Tx,
    id: i64,
    on: NaiveDate,
    title: &str,
    minutes: i64,
    now: DateTime<Utc>,
) -> Result<i64> {
    let sql = "insert into volunteer_hours (teacher_id, served_on, activity_title, minutes, \
        created_at) values ($1, $2, $3, $4, $5) returning id";
    db::scalar(&mut *tx, sql, args![id, on, title, minutes as i32, now]).await
}

pub(super) async fn list(
    db: &Db,
    scope: &str,
    f: &TeacherFilter,
    page: PageRequest,
) -> Result<Page<TeacherRecord>> {
    let pattern = format!("{scope}%");
    let q = db::contains_pattern(f.q.as_deref());
    let status = match f.status.as_deref() {
        Some("all") => None,
        Some("retired") => Some("retired"),
        _ => Some("active"),
    };
    let filter = " where (n.path like $1 or (n.kind = 'school' and $2 like (p.path || '%'))) and \
        ($3 is null or t.name like $3 escape '\\') and ($4 is null or t.node_id = $4) and ($5 is \
        null or t.teacher_type = $5) and ($6 is null or t.source = $6) and ($7 is null or \
        t.status = $7) and ($8 is null or exists (select 1 \
        from teacher_themes tt where tt.teacher_id = t.id and tt.theme_id = $8))";
    let count_sql = format!(
        "select count(*) from teachers t join org_nodes n on n.id = t.node_id \
            join org_nodes p on p.id = n.parent_id{filter}"
    );
    let list_sql = format!("{TEACHER}{filter} order by n.path, t.name limit $9 offset $10");
    let ty = f.teacher_type.as_deref().filter(|s| !s.is_empty());
    let source = f.source.as_deref().filter(|s| !s.is_empty());
    db::page(
        db,
        &count_sql,
        &list_sql,
        args![
            &pattern, scope, &q, f.node_id, ty, source, status, f.theme_id
        ],
        page,
    )
    .await
}

pub(super) async fn service_totals(db: &Db, year: i32) -> Result<Vec<(TeacherRecord, i64)>> {
    let from = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or_default();
    let to = NaiveDate::from_ymd_opt(year + 1, 1, 1).unwrap_or_default();
    let sql = format!(
        "{TEACHER} where t.teacher_type = 'volunteer' and exists (select 1 \
            from volunteer_hours v where v.teacher_id = t.id and v.served_on >= $1 and \
            v.served_on < $2) order by t.name"
    );
    let teachers: Vec<TeacherRecord> = db::rows(db, &sql, args![from, to]).await?;
    let sql = "select teacher_id, cast(sum(minutes) as bigint) \
        from volunteer_hours where served_on >= $1 and served_on < $2 \
        group by teacher_id";
    let sums: Vec<(i64, i64)> = db::rows(db, sql, args![from, to]).await?;
    let sums: HashMap<i64, i64> = sums.into_iter().collect();
    Ok(teachers
        .into_iter()
        .map(|t| {
            let m = sums.get(&t.id).copied().unwrap_or(0);
            (t, m)
        })
        .collect())
}
