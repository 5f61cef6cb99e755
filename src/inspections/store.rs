//! Inspections', rectifications', templates' and assessments' SQL.

use chrono::{DateTime, NaiveDate, Utc};

use super::rules::{InspectionKind, InspectionStatus, Measure, RectificationStatus, Weights};
use super::{Rectification, TemplateItem};
use crate::args;
use crate::db::{self, Conn, Db, Tx};
use crate::error::Result;

/// The active templates owned at `path` or above it: (id, owner_id, name, basis).
pub(super) async fn templates_above(
    db: &Db,
    path: &str,
) -> Result<Vec<(i64, i64, String, String)>> {
    let sql = "select id, owner_id, name, basis from inspection_templates where retired_at is null \
        and $1 like owner_path || '%' order by id";
    db::rows(db, sql, args![path]).await
}

/// A template's owner path, name and basis.
pub(super) async fn template_head(
    conn: impl Into<Conn<'_>>,
    id: i64,
) -> Result<Option<(i64, String, String, String)>> {
    let sql = "select owner_id, owner_path, name, basis from inspection_templates where id = $1";
    db::row_opt(conn, sql, args![id]).await
}

pub(super) async fn template_items(
    conn: impl Into<Conn<'_>>,
    id: i64,
) -> Result<Vec<TemplateItem>> {
    let sql = "select id, title, cast(max_points as bigint) as max_points, guidance, measure \
        from inspection_template_items where template_id = $1 order by position";
    db::rows(conn, sql, args![id]).await
}

pub(super) async fn insert_template(
    tx: &mut Tx,
    (owner_id, owner_path): (i64, &str),
    name: &str,
    basis: &str,
) -> Result<i64> {
    let sql = "insert into inspection_templates (owner_id, owner_path, name, basis, created_at) \
        values ($1, $2, $3, $4, $5) returning id";
    db::scalar(
        tx,
        sql,
        args![owner_id, owner_path, name, basis, Utc::now()],
    )
    .await
}

pub(super) async fn insert_template_item(
    tx: &mut Tx,
    template: i64,
    position: i32,
    (title, max_points, guidance, measure): (&str, i64, Option<&str>, Option<Measure>),
) -> Result<()> {
    let sql = "insert into inspection_template_items (template_id, position, title, max_points, \
        guidance, measure) values ($1, $2, $3, $4, $5, $6)";
    let measure = measure.map(|m| m.as_str());
    let a = args![
        template,
        position,
        title,
        max_points as i32,
        guidance,
        measure
    ];
    db::exec(tx, sql, a).await.map(|_| ())
}

#[derive(sqlx::FromRow)]
pub(super) struct InspectionRow {
    pub id: i64,
    pub town_id: i64,
    pub node_id: i64,
    pub node_name: String,
    pub node_path: String,
    pub node_setup: Option<NaiveDate>,
    pub template_id: i64,
    pub template_name: String,
    pub kind: InspectionKind,
    pub planned_on: NaiveDate,
    pub inspected_on: Option<NaiveDate>,
    pub status: InspectionStatus,
    pub inspector_name: Option<String>,
    pub summary: Option<String>,
    pub points: Option<i64>,
    pub max_points: i64,
    pub version: i64,
}

const INSPECTION: &str = "select i.id, i.town_id, i.node_id, n.name as node_name, i.node_path, \
    n.setup_date as node_setup, i.template_id, t.name as template_name, i.kind, i.planned_on, \
    i.inspected_on, i.status, i.inspector_name, i.summary, cast(i.points as bigint) as points, \
    cast(i.max_points as bigint) as max_points, cast(i.version as bigint) as version \
    from inspections i join org_nodes n on n.id = i.node_id \
    join inspection_templates t on t.id = i.template_id";

pub(super) async fn inspection(db: &Db, id: i64) -> Result<Option<InspectionRow>> {
    db::row_opt(db, &format!("{INSPECTION} where i.id = $1"), args![id]).await
}

/// A town's inspections planned in a year, under a path (a centre head's: the own centre's).
pub(super) async fn of_year(
    db: &Db,
    town_id: i64,
    under: &str,
    (from, until): (NaiveDate, NaiveDate),
) -> Result<Vec<InspectionRow>> {
    let sql = format!(
        "{INSPECTION} where i.town_id = $1 and i.node_path like $2 and i.planned_on >= $3 \
        and i.planned_on < $4 order by i.planned_on desc, i.id desc"
    );
    db::rows(db, &sql, args![town_id, format!("{under}%"), from, until]).await
}

/// The day of the centre's last inspection done before `day` (the data of the next one starts
/// after it).
pub(super) async fn previous_done(
    db: &Db,
    node_id: i64,
    day: NaiveDate,
    except: i64,
) -> Result<Option<NaiveDate>> {
    let sql = "select inspected_on from inspections where node_id = $1 and status = 'done' \
        and inspected_on < $2 and id <> $3 order by inspected_on desc limit 1";
    db::scalar_opt(db, sql, args![node_id, day, except]).await
}

pub(super) struct NewInspection<'a> {
    pub town_id: i64,
    pub node: (i64, &'a str),
    pub template: (i64, i64),
    pub kind: InspectionKind,
    pub planned_on: NaiveDate,
}

pub(super) async fn insert_inspection(
    tx: &mut Tx,
    i: &NewInspection<'_>,
    by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<i64> {
    let sql = "insert into inspections (town_id, node_id, node_path, template_id, kind, planned_on, \
        status, max_points, created_by, created_at, updated_at) values ($1, $2, $3, $4, $5, $6, \
        'scheduled', $7, $8, $9, $9) returning id";
    let a = args![
        i.town_id,
        i.node.0,
        i.node.1,
        i.template.0,
        i.kind,
        i.planned_on,
        i.template.1 as i32,
        by,
        now
    ];
    db::scalar(tx, sql, a).await
}

/// Marks a scheduled inspection at `version` done with its total; false when it moved on.
pub(super) async fn mark_scored(
    tx: &mut Tx,
    id: i64,
    version: i64,
    (day, points, summary): (NaiveDate, i64, Option<&str>),
    inspector: (Option<i64>, &str),
    now: DateTime<Utc>,
) -> Result<bool> {
    let sql = "update inspections set status = 'done', inspected_on = $1, points = $2, summary = $3, \
        inspector_id = $4, inspector_name = $5, updated_at = $6, version = version + 1 \
        where id = $7 and version = $8 and status = 'scheduled'";
    let a = args![
        day,
        points as i32,
        summary,
        inspector.0,
        inspector.1,
        now,
        id,
        version as i32
    ];
    Ok(db::exec(tx, sql, a).await? == 1)
}

pub(super) async fn insert_score(
    tx: &mut Tx,
    inspection: i64,
    item: i64,
    points: i64,
    note: Option<&str>,
) -> Result<()> {
    let sql = "insert into inspection_scores (inspection_id, item_id, points, note) \
        values ($1, $2, $3, $4)";
    db::exec(tx, sql, args![inspection, item, points as i32, note])
        .await
        .map(|_| ())
}

/// An inspection's scores: (score id, item id, points, note).
pub(super) async fn scores(
    db: &Db,
    inspection: i64,
) -> Result<Vec<(i64, i64, i64, Option<String>)>> {
    let sql = "select id, item_id, cast(points as bigint), note from inspection_scores \
        where inspection_id = $1";
    db::rows(db, sql, args![inspection]).await
}

/// The inspection a score belongs to.
pub(super) async fn inspection_of_score(db: &Db, score: i64) -> Result<Option<i64>> {
    db::scalar_opt(
        db,
        "select inspection_id from inspection_scores where id = $1",
        args![score],
    )
    .await
}

const RECTIFICATION: &str = "select r.id, r.inspection_id, r.node_path, n.name as node_name, \
    r.finding, r.due_on, r.status, r.answer, r.answered_at, r.reopen_reason, r.closed_at \
    from rectifications r join inspections i on i.id = r.inspection_id \
    join org_nodes n on n.id = i.node_id";

pub(super) async fn rectification(db: &Db, id: i64) -> Result<Option<Rectification>> {
    db::row_opt(db, &format!("{RECTIFICATION} where r.id = $1"), args![id]).await
}

pub(super) async fn rectifications_of(db: &Db, inspection: i64) -> Result<Vec<Rectification>> {
    let sql = format!("{RECTIFICATION} where r.inspection_id = $1 order by r.id");
    db::rows(db, &sql, args![inspection]).await
}

/// The rectifications under a path not closed yet (a centre head's to-do), oldest deadline first.
pub(super) async fn open_under(db: &Db, path: &str) -> Result<Vec<Rectification>> {
    let sql = format!(
        "{RECTIFICATION} where r.node_path like $1 and r.status <> 'closed' order by r.due_on, r.id"
    );
    db::rows(db, &sql, args![format!("{path}%")]).await
}

pub(super) async fn insert_rectification(
    tx: &mut Tx,
    inspection: i64,
    node_path: &str,
    (finding, due_on): (&str, NaiveDate),
    now: DateTime<Utc>,
) -> Result<()> {
    let sql = "insert into rectifications (inspection_id, node_path, finding, due_on, status, \
        created_at, updated_at) values ($1, $2, $3, $4, 'open', $5, $5)";
    db::exec(tx, sql, args![inspection, node_path, finding, due_on, now])
        .await
        .map(|_| ())
}

/// Moves a rectification from `from` to `to` (compare-and-set); false when it moved on.
pub(super) async fn step_rectification(
    tx: &mut Tx,
    id: i64,
    (from, to): (RectificationStatus, RectificationStatus),
    text: Option<&str>,
    now: DateTime<Utc>,
) -> Result<bool> {
    let set = match to {
        RectificationStatus::Answered => "answer = $1, answered_at = $2, closed_at = null",
        RectificationStatus::Closed => {
            "closed_at = $2, reopen_reason = coalesce($1, reopen_reason)"
        }
        RectificationStatus::Open => "reopen_reason = $1, closed_at = null",
    };
    let sql = format!(
        "update rectifications set {set}, status = $3, updated_at = $2 where id = $4 and status = $5"
    );
    Ok(db::exec(tx, &sql, args![text, now, to, id, from]).await? == 1)
}

/// The status of a rectification now.
pub(super) async fn rectification_status(db: &Db, id: i64) -> Result<Option<RectificationStatus>> {
    db::scalar_opt(
        db,
        "select status from rectifications where id = $1",
        args![id],
    )
    .await
}

/// Per place of a town, the year's inspections done: (node id, how many, the sum of their
/// scores in hundredths of a percent of the template's maximum).
pub(super) async fn year_scores(
    db: &Db,
    town_id: i64,
    (from, until): (NaiveDate, NaiveDate),
) -> Result<Vec<(i64, i64, i64)>> {
    let sql = "select node_id, cast(count(*) as bigint), \
        cast(coalesce(sum(points * 10000 / max_points), 0) as bigint) from inspections \
        where town_id = $1 and status = 'done' and inspected_on >= $2 and inspected_on < $3 \
        group by node_id";
    db::rows(db, sql, args![town_id, from, until]).await
}

/// Per place of a town, the rectifications of the year's inspections: (node id, all, closed).
pub(super) async fn year_rectifications(
    db: &Db,
    town_id: i64,
    (from, until): (NaiveDate, NaiveDate),
) -> Result<Vec<(i64, i64, i64)>> {
    let sql = "select i.node_id, cast(count(*) as bigint), \
        cast(coalesce(sum(case when r.status = 'closed' then 1 else 0 end), 0) as bigint) \
        from rectifications r join inspections i on i.id = r.inspection_id \
        where i.town_id = $1 and i.inspected_on >= $2 and i.inspected_on < $3 group by i.node_id";
    db::rows(db, sql, args![town_id, from, until]).await
}

#[derive(sqlx::FromRow)]
pub(super) struct AssessmentRow {
    pub id: i64,
    pub weight_inspection: i64,
    pub weight_activities: i64,
    pub weight_documented: i64,
    pub weight_participation: i64,
    pub weight_rectification: i64,
    pub status: String,
    pub frozen: Option<String>,
    pub approved_at: Option<DateTime<Utc>>,
    pub approver_name: Option<String>,
    pub version: i64,
}

impl AssessmentRow {
    pub fn weights(&self) -> Weights {
        Weights {
            inspection: self.weight_inspection,
            activities: self.weight_activities,
            documented: self.weight_documented,
            participation: self.weight_participation,
            rectification: self.weight_rectification,
        }
    }
}

pub(super) async fn assessment(
    conn: impl Into<Conn<'_>>,
    town_id: i64,
    year: i32,
) -> Result<Option<AssessmentRow>> {
    let sql = "select id, cast(weight_inspection as bigint) as weight_inspection, \
        cast(weight_activities as bigint) as weight_activities, \
        cast(weight_documented as bigint) as weight_documented, \
        cast(weight_participation as bigint) as weight_participation, \
        cast(weight_rectification as bigint) as weight_rectification, status, frozen, \
        approved_at, approver_name, cast(version as bigint) as version from assessments \
        where town_id = $1 and year = $2";
    db::row_opt(conn, sql, args![town_id, year]).await
}

/// Sets the weights of a town's year (a new draft, or a draft at `version`); false when the
/// assessment moved on (approved, or changed since).
pub(super) async fn set_weights(
    tx: &mut Tx,
    (town_id, town_path, year): (i64, &str, i32),
    w: &Weights,
    version: Option<i64>,
    now: DateTime<Utc>,
) -> Result<bool> {
    let a = args![
        w.inspection as i32,
        w.activities as i32,
        w.documented as i32,
        w.participation as i32,
        w.rectification as i32,
        now,
        town_id,
        year
    ];
    match version {
        Some(v) => {
            let sql = "update assessments set weight_inspection = $1, weight_activities = $2, \
                weight_documented = $3, weight_participation = $4, weight_rectification = $5, \
                updated_at = $6, version = version + 1 where town_id = $7 and year = $8 \
                and status = 'draft' and version = $9";
            let mut a = a;
            a.extend(args![v as i32]);
            Ok(db::exec(tx, sql, a).await? == 1)
        }
        None => {
            let sql = "insert into assessments (weight_inspection, weight_activities, \
                weight_documented, weight_participation, weight_rectification, updated_at, \
                town_id, year, town_path, status) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, \
                'draft') on conflict (town_id, year) do nothing";
            let mut a = a;
            a.extend(args![town_path]);
            // Two first settings at once: the second finds the first's row and is told.
            db::exec(tx, sql, a).await.map(|n| n == 1)
        }
    }
}

/// Freezes a draft at `version` with its ranking; false when it moved on.
pub(super) async fn approve(
    tx: &mut Tx,
    id: i64,
    version: i64,
    frozen: &str,
    by: (Option<i64>, &str),
    now: DateTime<Utc>,
) -> Result<bool> {
    let sql = "update assessments set status = 'approved', frozen = $1, approved_at = $2, \
        approved_by = $3, approver_name = $4, updated_at = $2, version = version + 1 \
        where id = $5 and version = $6 and status = 'draft'";
    let a = args![frozen, now, by.0, by.1, id, version as i32];
    Ok(db::exec(tx, sql, a).await? == 1)
}
