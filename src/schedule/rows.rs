//! The schedule's use-cases: a town's year as a table (plan against done), a unit's own rows, a
//! row written by hand or removed, marked done with a note and evidence or reopened, linked to
//! the activities that carried it out, and the year copied into the next.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::rules::{self, Line, Status};
use super::store::{self, RowRecord, Values};
use super::{Carried, Row, SUBJECT, Unit, may_mark, sees};
use crate::access::{Actor, Permission};
use crate::activities;
use crate::attachments::{self, Attachment, Subject};
use crate::audit::{self, Entry};
use crate::calendar::{Day, Months, Year};
use crate::db::{Db, Tx};
use crate::error::{Error, FieldErrors, Msg, Result};
use crate::org::{self, Kind};
use crate::text;

/// A row as typed in the form or sent to the API: months as printed ("1-2月", "3月", "全年"),
/// the work item, the units separated by 、 as printed, and optionally the special event whose
/// activities carry it out.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct RowInput {
    pub months: String,
    pub item: String,
    pub units: String,
    pub special_event: Option<String>,
    /// The version the edit was made on (an edit only; a stale one is refused).
    pub version: Option<i64>,
}

/// A town's year as the office sees it (or a unit's own rows), with the count of each status.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct YearTable {
    pub town_id: i64,
    pub town_name: String,
    pub year: i32,
    /// False when only the rows naming the reader's unit are shown.
    pub whole: bool,
    pub rows: Vec<Row>,
    pub planned: usize,
    pub under_way: usize,
    pub done: usize,
    pub overdue: usize,
    /// Teacher trainings held this year (activities of the special event), against the plan's
    /// 2–3 (Q四(四)3).
    pub teacher_trainings: i64,
    /// Fewer trainings held than the plan's 2 so far.
    pub trainings_below_plan: bool,
}

/// A year of a town's schedule: the whole table for those who read it, or the rows naming the
/// reader's unit.
pub async fn year(db: &Db, actor: &Actor, town_id: Option<i64>, year: i32) -> Result<YearTable> {
    let whole = actor.can(Permission::ScheduleRead);
    if !whole {
        actor.require(Permission::ScheduleMark)?;
    }
    if !(2000..=2100).contains(&year) {
        return Err(Error::NotFound);
    }
    let town = org::town_for(db, actor, town_id).await?;
    let mut tx = db.begin_read().await?;
    let records = if whole && actor.sees(&town.path) {
        store::year_rows(&mut tx, town.id, year).await?
    } else {
        store::unit_rows(&mut tx, actor.node_id, year)
            .await?
            .into_iter()
            .filter(|r| r.town_id == town.id)
            .collect()
    };
    let rows = assemble(&mut tx, town.id, year, records, None, Day::today()).await?;
    let span = Year(year);
    let trainings = store::trainings_held(&mut tx, town.id, span.start(), span.end()).await?;
    tx.commit().await?;
    let rows: Vec<Row> = rows.into_iter().filter(|r| sees(actor, r)).collect();
    let count = |s: Status| rows.iter().filter(|r| r.status == s).count();
    Ok(YearTable {
        town_id: town.id,
        town_name: town.name,
        year,
        whole: whole && actor.sees(&town.path),
        planned: count(Status::Planned),
        under_way: count(Status::UnderWay),
        done: count(Status::Done),
        overdue: count(Status::Overdue),
        teacher_trainings: trainings,
        trainings_below_plan: trainings < super::rules::TEACHER_TRAININGS_PER_YEAR.0,
        rows,
    })
}

/// Rows with their units, the activities that carried them out, and where each stands on `today`.
async fn assemble(
    tx: &mut Tx,
    town_id: i64,
    year: i32,
    records: Vec<RowRecord>,
    only: Option<i64>,
    today: Day,
) -> Result<Vec<Row>> {
    let ids: Vec<i64> = records.iter().map(|r| r.id).collect();
    let mut units: HashMap<i64, Vec<Unit>> = HashMap::new();
    for (row, u) in store::units(tx, &ids).await? {
        units.entry(row).or_default().push(u);
    }
    let mut carried: HashMap<i64, Vec<Carried>> = HashMap::new();
    for (row, c) in store::linked(tx, town_id, year, only).await? {
        carried.entry(row).or_default().push(c);
    }
    let events = if records.iter().any(|r| r.special_event.is_some()) {
        let y = Year(year);
        store::event_activities(tx, town_id, y.start(), y.end()).await?
    } else {
        Vec::new()
    };
    Ok(records
        .into_iter()
        .map(|r| {
            let months = Months {
                year: r.year,
                first: r.first_month as u32,
                last: r.last_month as u32,
            };
            let mut carried = carried.remove(&r.id).unwrap_or_default();
            if let Some(kind) = &r.special_event {
                let (from, until) = (months.start_month().start(), months.end_month().end());
                for a in events.iter().filter(|a| {
                    &a.special_event == kind && a.starts_at >= from && a.starts_at < until
                }) {
                    if !carried.iter().any(|c| c.activity_id == a.id) {
                        carried.push(Carried {
                            activity_id: a.id,
                            title: a.title.clone(),
                            starts_at: a.starts_at,
                            status: a.status.clone(),
                            by_kind: true,
                        });
                    }
                }
            }
            let done = r.done_at.is_some() || carried.iter().any(Carried::documented);
            Row {
                id: r.id,
                town_id: r.town_id,
                town_path: r.town_path,
                year: r.year,
                first_month: months.first,
                last_month: months.last,
                months: months.label(),
                item: r.item,
                special_event: r.special_event,
                units: units.remove(&r.id).unwrap_or_default(),
                status: rules::status(months, done, today),
                done_at: r.done_at,
                done_by: r.done_by,
                done_note: r.done_note,
                carried,
                evidence: Vec::new(),
                version: i64::from(r.version),
            }
        })
        .collect())
}

async fn load(tx: &mut Tx, id: i64) -> Result<Option<Row>> {
    let Some(r) = store::row(&mut *tx, id).await? else {
        return Ok(None);
    };
    let (town, year) = (r.town_id, r.year);
    let mut rows = assemble(tx, town, year, vec![r], Some(id), Day::today()).await?;
    let mut row = rows.pop().ok_or(Error::NotFound)?;
    row.evidence = attachments::of(&mut *tx, SUBJECT, id).await?;
    Ok(Some(row))
}

/// One row, for whoever sees it.
pub async fn get(db: &Db, actor: &Actor, id: i64) -> Result<Row> {
    let mut tx = db.begin_read().await?;
    let row = load(&mut tx, id).await?;
    tx.commit().await?;
    row.filter(|r| sees(actor, r)).ok_or(Error::NotFound)
}

/// 404 unless the actor sees the row; for a change, 403 unless the actor may mark it.
pub async fn require_row(db: &Db, actor: &Actor, id: i64, write: bool) -> Result<()> {
    let row = get(db, actor, id).await?;
    if write && !may_mark(actor, &row) {
        return Err(Error::Forbidden(Msg::new("schedule.not_your_row")));
    }
    Ok(())
}

/// Checks a row's fields for a town's year: months, item, units matched to the tree, the event.
async fn check(
    db: &Db,
    town_path: &str,
    year: i32,
    input: &RowInput,
) -> Result<(Line, Vec<Unit>, Option<String>)> {
    let mut fe = FieldErrors::default();
    let line = match rules::read_line(&input.months, &input.item, &input.units, year) {
        Ok(l) => Some(l),
        Err(e) => {
            fe.0.extend(e.0);
            None
        }
    };
    let event = input
        .special_event
        .as_deref()
        .map(str::trim)
        .filter(|e| !e.is_empty());
    if event.is_some_and(|e| !activities::SPECIAL_EVENTS.contains(&e)) {
        fe.add("special_event", Msg::new("field.choose"));
    }
    match line {
        Some(line) if fe.is_empty() => {
            let nodes = town_units(db, town_path).await?;
            let units = rules::match_units(&line.units, &nodes);
            Ok((line, units, event.map(String::from)))
        }
        _ => Err(Error::Invalid(fe)),
    }
}

fn values<'a>(line: &'a Line, units: &'a [Unit], event: &'a Option<String>) -> Values<'a> {
    Values {
        first_month: line.months.first,
        last_month: line.months.last,
        item: &line.item,
        special_event: event.as_deref(),
        units,
    }
}

fn audited(line: &Line, units: &[Unit], event: &Option<String>) -> serde_json::Value {
    json!({"months": line.months.label(), "item": line.item,
        "units": units.iter().map(|u| u.name.as_str()).collect::<Vec<_>>().join("、"),
        "special_event": event})
}

/// Adds a row to a town's year (the office), refusing one already there (same months and item).
pub async fn add(db: &Db, actor: &Actor, town_id: i64, year: i32, input: &RowInput) -> Result<Row> {
    actor.require(Permission::ScheduleManage)?;
    let town = org::town_for(db, actor, Some(town_id)).await?;
    actor.require_sees(&town.path)?;
    if !(2000..=2100).contains(&year) {
        return Err(Error::invalid("year", Msg::new("schedule.year_invalid")));
    }
    let (line, units, event) = check(db, &town.path, year, input).await?;
    let now = Utc::now();
    let mut tx = db.begin().await?;
    let key = (
        line.months.first as i32,
        line.months.last as i32,
        line.item.clone(),
    );
    if store::year_keys(&mut tx, town.id, year)
        .await?
        .contains(&key)
    {
        return Err(Error::invalid(
            "item",
            Msg::new("schedule.duplicate").arg("months", line.months.label()),
        ));
    }
    let v = values(&line, &units, &event);
    let id = store::insert(&mut tx, town.id, &town.path, year, &v, now).await?;
    let entry = Entry::of("schedule.row_added", SUBJECT, Some(id), &town.path)
        .after(audited(&line, &units, &event));
    audit::record(&mut tx, actor, entry).await?;
    tx.commit().await?;
    get(db, actor, id).await
}

/// Rewrites a row (the office); refused when someone changed it since the version it was made on.
pub async fn edit(db: &Db, actor: &Actor, id: i64, input: &RowInput) -> Result<Row> {
    actor.require(Permission::ScheduleManage)?;
    let before = get(db, actor, id).await?;
    actor.require_sees(&before.town_path)?;
    let (line, units, event) = check(db, &before.town_path, before.year, input).await?;
    let version = input.version.unwrap_or(before.version);
    let mut tx = db.begin().await?;
    let v = values(&line, &units, &event);
    if !store::update(&mut tx, id, version as i32, &v, Utc::now()).await? {
        return Err(Error::Conflict(Msg::new("schedule.changed_meanwhile")));
    }
    let was = json!({"months": before.months, "item": before.item, "units": before.units_text(),
        "special_event": before.special_event});
    let entry = Entry::of("schedule.row_edited", SUBJECT, Some(id), &before.town_path)
        .before(was)
        .after(audited(&line, &units, &event));
    audit::record(&mut tx, actor, entry).await?;
    tx.commit().await?;
    get(db, actor, id).await
}

/// Removes a row with its links and evidence (the office).
pub async fn remove(db: &Db, actor: &Actor, id: i64) -> Result<()> {
    actor.require(Permission::ScheduleManage)?;
    let row = get(db, actor, id).await?;
    actor.require_sees(&row.town_path)?;
    let mut tx = db.begin().await?;
    store::delete(&mut tx, id).await?;
    let files = attachments::remove_of(&mut tx, SUBJECT, id).await?;
    let was = json!({"months": row.months, "item": row.item, "units": row.units_text(),
        "files": files});
    audit::record(
        &mut tx,
        actor,
        Entry::of("schedule.row_removed", SUBJECT, Some(id), &row.town_path).before(was),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// What the responsible unit says when marking a row done: a note, and a file of evidence
/// unless the row has one already.
pub struct MarkDone {
    pub note: String,
    pub file: Option<(String, Vec<u8>)>,
}

fn require_mark(actor: &Actor, row: &Row) -> Result<()> {
    if may_mark(actor, row) {
        Ok(())
    } else {
        Err(Error::Forbidden(Msg::new("schedule.not_your_row")))
    }
}

/// Marks a row done by its unit (or the office), with the note and the evidence, in one
/// transaction.
pub async fn mark_done(db: &Db, actor: &Actor, id: i64, m: MarkDone) -> Result<Row> {
    let row = get(db, actor, id).await?;
    require_mark(actor, &row)?;
    let mut fe = FieldErrors::default();
    let note = text::required_multiline(&mut fe, "note", &m.note, text::max::NOTE);
    if m.file.is_none() && row.evidence.is_empty() {
        fe.add("file", Msg::new("schedule.evidence_required"));
    }
    if !fe.is_empty() {
        return Err(Error::Invalid(fe));
    }
    let file = match m.file {
        Some((name, bytes)) => Some(
            attachments::prepare(
                "file",
                &name,
                bytes,
                attachments::DOCUMENT_TYPES,
                attachments::DOCUMENT,
            )
            .await?,
        ),
        None => None,
    };
    let now = Utc::now();
    let mut tx = db.begin().await?;
    if !store::set_done(&mut tx, id, Some((now, actor.user_id, &note))).await? {
        return Err(Error::Conflict(Msg::new("schedule.already_done")));
    }
    let mut after = json!({"note": note});
    if let Some(f) = &file {
        let subject = Subject {
            kind: SUBJECT,
            id,
            path: &row.town_path,
        };
        let file_id = attachments::attach(&mut tx, subject, f, actor.user_id, now).await?;
        after["file"] = json!(f.file_name);
        after["sha256"] = json!(f.sha256);
        after["attachment_id"] = json!(file_id);
    }
    let entry = Entry::of("schedule.marked_done", SUBJECT, Some(id), &row.town_path).after(after);
    audit::record(&mut tx, actor, entry).await?;
    tx.commit().await?;
    get(db, actor, id).await
}

/// Takes a row's done mark back, with the reason (marked by mistake, the evidence was wrong).
pub async fn reopen(db: &Db, actor: &Actor, id: i64, reason: &str) -> Result<Row> {
    let row = get(db, actor, id).await?;
    require_mark(actor, &row)?;
    let mut fe = FieldErrors::default();
    let reason = text::required(&mut fe, "reason", reason, text::max::REASON);
    if !fe.is_empty() {
        return Err(Error::Invalid(fe));
    }
    let mut tx = db.begin().await?;
    if !store::set_done(&mut tx, id, None).await? {
        return Err(Error::Conflict(Msg::new("schedule.not_marked")));
    }
    let entry = Entry::of("schedule.reopened", SUBJECT, Some(id), &row.town_path)
        .before(json!({"note": row.done_note}))
        .after(json!({"reason": reason}));
    audit::record(&mut tx, actor, entry).await?;
    tx.commit().await?;
    get(db, actor, id).await
}

/// Links (or with `linked: false` unlinks) an activity of the row's town and year that carried
/// it out.
pub async fn link(db: &Db, actor: &Actor, id: i64, activity_id: i64, linked: bool) -> Result<Row> {
    let row = get(db, actor, id).await?;
    require_mark(actor, &row)?;
    let a = activities::get(db, actor, activity_id)
        .await
        .map_err(|e| match e {
            Error::NotFound => Error::invalid("activity_id", Msg::new("schedule.activity_unknown")),
            e => e,
        })?;
    if linked && (a.town_id != row.town_id || Day::of(a.starts_at).year() != row.year) {
        return Err(Error::invalid(
            "activity_id",
            Msg::new("schedule.activity_elsewhere").arg("year", row.year),
        ));
    }
    let mut tx = db.begin().await?;
    let changed = if linked {
        store::link(&mut tx, id, a.id, Utc::now()).await?
    } else {
        store::unlink(&mut tx, id, a.id).await?
    };
    if changed {
        let action = if linked {
            "schedule.linked"
        } else {
            "schedule.unlinked"
        };
        let entry = Entry::of(action, SUBJECT, Some(id), &row.town_path)
            .after(json!({"activity_id": a.id}));
        audit::record(&mut tx, actor, entry).await?;
    }
    tx.commit().await?;
    get(db, actor, id).await
}

/// Copies a town's year into the next (months, items, units and events; nothing done, nothing
/// linked); how many rows. Refused when the next year has rows already.
pub async fn copy_forward(db: &Db, actor: &Actor, town_id: i64, year: i32) -> Result<usize> {
    actor.require(Permission::ScheduleManage)?;
    let town = org::town_for(db, actor, Some(town_id)).await?;
    actor.require_sees(&town.path)?;
    let next = year + 1;
    let mut tx = db.begin().await?;
    let there = store::count_year(&mut tx, town.id, next).await?;
    if there > 0 {
        return Err(Error::Conflict(
            Msg::new("schedule.next_year_not_empty")
                .arg("year", next)
                .arg("rows", there),
        ));
    }
    let records = store::year_rows(&mut tx, town.id, year).await?;
    if records.is_empty() {
        return Err(Error::Conflict(
            Msg::new("schedule.nothing_to_copy").arg("year", year),
        ));
    }
    let ids: Vec<i64> = records.iter().map(|r| r.id).collect();
    let mut units: HashMap<i64, Vec<Unit>> = HashMap::new();
    for (row, u) in store::units(&mut tx, &ids).await? {
        units.entry(row).or_default().push(u);
    }
    let now = Utc::now();
    for r in &records {
        let v = Values {
            first_month: r.first_month as u32,
            last_month: r.last_month as u32,
            item: &r.item,
            special_event: r.special_event.as_deref(),
            units: units.get(&r.id).map(Vec::as_slice).unwrap_or_default(),
        };
        store::insert(&mut tx, town.id, &town.path, next, &v, now).await?;
    }
    let entry = Entry::of("schedule.copied", "org_node", Some(town.id), &town.path)
        .after(json!({"from": year, "to": next, "rows": records.len()}));
    audit::record(&mut tx, actor, entry).await?;
    tx.commit().await?;
    Ok(records.len())
}

/// A file of a row's evidence, for whoever sees the row.
pub async fn evidence(db: &Db, actor: &Actor, file_id: i64) -> Result<(Attachment, Vec<u8>)> {
    let meta = attachments::meta(db, file_id).await?;
    if meta.subject_type != SUBJECT {
        return Err(Error::NotFound);
    }
    get(db, actor, meta.subject_id).await?;
    let body = attachments::body(db, file_id).await?;
    Ok((meta, body))
}

/// 404 unless the file is evidence of a row the actor sees.
pub async fn require_evidence(db: &Db, actor: &Actor, file_id: i64) -> Result<()> {
    let meta = attachments::meta(db, file_id).await?;
    if meta.subject_type != SUBJECT {
        return Err(Error::NotFound);
    }
    get(db, actor, meta.subject_id).await.map(|_| ())
}

/// A line as printed with its units matched to the tree.
pub(super) type Matched = (Line, Vec<Unit>);

/// The rows of an import written into a town's year in the caller's transaction (the import
/// plug-in's writer): each (line, units, event) at the end of the year.
pub(super) async fn write_lines(
    tx: &mut Tx,
    town: (i64, &str),
    year: i32,
    lines: &[Matched],
    now: DateTime<Utc>,
) -> Result<usize> {
    let keys = store::year_keys(tx, town.0, year).await?;
    for (line, units) in lines {
        let key = (
            line.months.first as i32,
            line.months.last as i32,
            line.item.clone(),
        );
        if keys.contains(&key) {
            return Err(Error::Conflict(Msg::new("import.stale")));
        }
        let v = values(line, units, &None);
        store::insert(tx, town.0, town.1, year, &v, now).await?;
    }
    Ok(lines.len())
}

/// The keys (months, item) of a town's year, and the town's units, for the import's check.
pub(super) async fn import_context(
    db: &Db,
    town: (i64, &str),
    year: i32,
) -> Result<(Vec<(i32, i32, String)>, Vec<(i64, String)>)> {
    let mut tx = db.begin_read().await?;
    let keys = store::year_keys(&mut tx, town.0, year).await?;
    tx.commit().await?;
    Ok((keys, town_units(db, town.1).await?))
}

/// The nodes of a town a row's units may name (by name), in tree order.
async fn town_units(db: &Db, town_path: &str) -> Result<Vec<(i64, String)>> {
    let kinds = [
        Kind::Town,
        Kind::School,
        Kind::Group,
        Kind::Department,
        Kind::Community,
        Kind::Centre,
    ];
    Ok(org::nodes_under(db, town_path, &kinds)
        .await?
        .into_iter()
        .map(|n| (n.id, n.name))
        .collect())
}
