//! Inspections of a centre: scheduled ahead (or entered afterwards from paper) or unannounced and
//! recorded on the day; the inspector's page shows beside each item what the record says for the
//! period since the centre's last inspection; each item gets points, a note and photos; findings
//! become rectifications with a deadline.

use chrono::Datelike;
use serde_json::json;

use super::rules::{InspectionKind, InspectionStatus, Measure, RectificationStatus};
use super::*;
use crate::access::{Actor, Permission};
use crate::attachments::{self, Subject};
use crate::audit::{self, Entry};
use crate::calendar::Day;
use crate::db::Db;
use crate::error::{Error, FieldErrors, Msg, Result};
use crate::evidence;
use crate::org::{self, Kind};
use crate::text;

/// An inspection as scheduled.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct ScheduleInput {
    /// The centre or town school inspected.
    pub node_id: i64,
    pub template_id: i64,
    /// scheduled or unannounced (recorded today)
    pub kind: String,
    /// YYYY-MM-DD; a scheduled one may be in the past (a paper inspection entered afterwards).
    pub planned_on: Option<String>,
}

/// The scores of an inspection as typed.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct ScoresInput {
    /// The version read.
    pub version: i64,
    /// YYYY-MM-DD, today or earlier (an unannounced inspection: its day); the planned day when
    /// absent.
    pub inspected_on: Option<String>,
    pub scores: Vec<ScoreInput>,
    pub summary: Option<String>,
    /// What must be put right (blank lines are left out).
    #[serde(default)]
    pub findings: Vec<FindingInput>,
}

/// A town's inspections of a year.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct InspectionsYear {
    pub town_id: i64,
    pub town_name: String,
    pub year: i32,
    /// A line per inspection; its items, record and rectifications are read one by one.
    pub inspections: Vec<InspectionLine>,
}

/// An inspection as the year's list shows it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct InspectionLine {
    pub id: i64,
    pub node_id: i64,
    pub node_name: String,
    pub template_id: i64,
    pub template_name: String,
    pub kind: InspectionKind,
    pub planned_on: NaiveDate,
    pub inspected_on: Option<NaiveDate>,
    pub status: InspectionStatus,
    pub inspector_name: Option<String>,
    pub points: Option<i64>,
    pub max_points: i64,
}

/// Schedules an inspection of a centre (the office); an unannounced one is dated today.
pub async fn schedule(db: &Db, actor: &Actor, input: &ScheduleInput) -> Result<Inspection> {
    actor.require(Permission::InspectionsManage)?;
    let node = org::get_node(db, actor, input.node_id).await?;
    if !matches!(node.kind(), Kind::Centre | Kind::School) || node.retired_at.is_some() {
        return Err(Error::invalid("node_id", Msg::new("field.choose")));
    }
    let town =
        org::rules::ancestor_id(&node.path, org::rules::TOWN_LEVEL).ok_or(Error::NotFound)?;
    let mut fe = FieldErrors::default();
    let template = template_for(db, input.template_id, &node.path).await?;
    if template.as_ref().is_none_or(|t| t.items.is_empty()) {
        fe.add("template_id", Msg::new("field.choose"));
    }
    let kind = InspectionKind::parse(&input.kind);
    let today = Day::today();
    let planned_on = match kind {
        None => {
            fe.add("kind", Msg::new("field.choose"));
            None
        }
        Some(InspectionKind::Unannounced) => Some(today),
        Some(InspectionKind::Scheduled) => {
            match input.planned_on.as_deref().map(str::trim).unwrap_or("") {
                "" => {
                    fe.add("planned_on", Msg::new("field.required"));
                    None
                }
                s => match Day::parse(s).filter(|d| (2000..=2100).contains(&d.year())) {
                    Some(d) => Some(d),
                    None => {
                        fe.add("planned_on", Msg::new("field.date_format"));
                        None
                    }
                },
            }
        }
    };
    let (Some(template), Some(kind), Some(planned_on), true) =
        (template, kind, planned_on, fe.is_empty())
    else {
        return Err(Error::Invalid(fe));
    };
    let mut tx = db.begin().await?;
    let new = store::NewInspection {
        town_id: town,
        node: (node.id, &node.path),
        template: (template.id, template.max_points()),
        kind,
        planned_on: planned_on.0,
    };
    let id = store::insert_inspection(&mut tx, &new, actor.user_id, chrono::Utc::now()).await?;
    audit::record(
        &mut tx,
        actor,
        Entry::of("inspections.scheduled", INSPECTION, Some(id), &node.path).after(json!({
            "centre": node.name, "template": template.name, "kind": kind.as_str(),
            "planned_on": planned_on.0})),
    )
    .await?;
    tx.commit().await?;
    get(db, actor, id).await
}

/// One inspection with its items (scores, notes, photos, what the data says) and rectifications.
pub async fn get(db: &Db, actor: &Actor, id: i64) -> Result<Inspection> {
    actor.require(Permission::InspectionsRead)?;
    let row = store::inspection(db, id).await?.ok_or(Error::NotFound)?;
    actor.require_sees(&row.node_path)?;
    let mut i = assemble(db, row).await?;
    let scores = store::scores(db, id).await?;
    let gaps = if i
        .items
        .iter()
        .any(|s| s.item.measure == Some(Measure::Equipment))
    {
        let lines = crate::equipment::centre(db, actor, i.node_id).await?;
        let gaps = lines.gaps.iter().filter(|g| g.status.is_gap()).count() as i64;
        Some((gaps, lines.gaps.len() as i64))
    } else {
        None
    };
    let months = months_between(i.period_from, i.period_until);
    for s in &mut i.items {
        if let Some((score_id, _, points, note)) = scores.iter().find(|x| x.1 == s.item.id) {
            s.score_id = Some(*score_id);
            s.points = Some(*points);
            s.note = note.clone();
            s.photos = attachments::of(db, SCORE, *score_id).await?;
        }
        s.data = s.item.measure.map(|m| data_of(m, &i.record, months, gaps));
    }
    for r in &mut i.rectifications {
        r.evidence = attachments::of(db, RECTIFICATION, r.id).await?;
    }
    Ok(i)
}

/// What the record says for one item: the figure and what it is measured against.
fn data_of(
    m: Measure,
    r: &evidence::PlaceRecord,
    months: i64,
    gaps: Option<(i64, i64)>,
) -> RecordFigure {
    let (value, of) = match m {
        Measure::Activities => (r.held, 2 * months),
        Measure::Documented => (r.documented, r.held),
        Measure::SignIn => (r.with_sign_in_sheet, r.held),
        Measure::Photos => (r.with_photos, r.held),
        Measure::Equipment => gaps.unwrap_or((0, 0)),
        Measure::Participants => (r.participants, r.attendances),
    };
    RecordFigure { value, of }
}

/// Calendar months touched by a period (March 10 to May 2: 3).
pub(super) fn months_between(from: chrono::NaiveDate, until: chrono::NaiveDate) -> i64 {
    if until < from {
        return 0;
    }
    i64::from(until.year() - from.year()) * 12 + i64::from(until.month()) - i64::from(from.month())
        + 1
}

/// An inspection row made whole: its period, the record of the period, its template's items and
/// its rectifications (without photos and evidence).
async fn assemble(db: &Db, row: store::InspectionRow) -> Result<Inspection> {
    let today = Day::today().0;
    let until = row.inspected_on.unwrap_or(today);
    let year_start = chrono::NaiveDate::from_ymd_opt(until.year(), 1, 1).unwrap_or(until);
    let after_last = store::previous_done(db, row.node_id, until, row.id)
        .await?
        .and_then(|d| d.succ_opt());
    let from = [Some(year_start), row.node_setup, after_last]
        .into_iter()
        .flatten()
        .max()
        .unwrap_or(year_start)
        .min(until);
    let record = evidence::record_of(db, row.node_id, Day(from).start(), Day(until).end()).await?;
    let items = store::template_items(db, row.template_id)
        .await?
        .into_iter()
        .map(|item| ScoredItem {
            item,
            score_id: None,
            points: None,
            note: None,
            data: None,
            photos: Vec::new(),
        })
        .collect();
    let mut rectifications = store::rectifications_of(db, row.id).await?;
    for r in &mut rectifications {
        r.overdue = r.status != RectificationStatus::Closed && r.due_on < today;
    }
    Ok(Inspection {
        id: row.id,
        town_id: row.town_id,
        node_id: row.node_id,
        node_name: row.node_name,
        node_path: row.node_path,
        template_id: row.template_id,
        template_name: row.template_name,
        kind: row.kind,
        planned_on: row.planned_on,
        inspected_on: row.inspected_on,
        status: row.status,
        inspector_name: row.inspector_name,
        summary: row.summary,
        points: row.points,
        max_points: row.max_points,
        version: row.version,
        period_from: from,
        period_until: until,
        record,
        items,
        rectifications,
    })
}

/// A town's inspections planned in a year (a centre head: the own centre's), newest first.
pub async fn year(
    db: &Db,
    actor: &Actor,
    town_id: Option<i64>,
    year: i32,
) -> Result<InspectionsYear> {
    actor.require(Permission::InspectionsRead)?;
    if !(2000..=2100).contains(&year) {
        return Err(Error::NotFound);
    }
    let town = org::town_for(db, actor, town_id).await?;
    let under = if actor.sees(&town.path) {
        town.path.clone()
    } else {
        actor.scope_path.clone()
    };
    let span = crate::calendar::Year(year).span();
    let inspections = store::of_year(db, town.id, &under, span)
        .await?
        .into_iter()
        .map(|row| InspectionLine {
            id: row.id,
            node_id: row.node_id,
            node_name: row.node_name,
            template_id: row.template_id,
            template_name: row.template_name,
            kind: row.kind,
            planned_on: row.planned_on,
            inspected_on: row.inspected_on,
            status: row.status,
            inspector_name: row.inspector_name,
            points: row.points,
            max_points: row.max_points,
        })
        .collect();
    Ok(InspectionsYear {
        town_id: town.id,
        town_name: town.name,
        year,
        inspections,
    })
}

/// Records the scores of a scheduled inspection, with its summary and findings (each becomes a
/// rectification for the centre head); every item of the template is scored, 0 to its maximum.
pub async fn record_scores(
    db: &Db,
    actor: &Actor,
    id: i64,
    input: &ScoresInput,
) -> Result<Inspection> {
    actor.require(Permission::InspectionsManage)?;
    let i = get(db, actor, id).await?;
    if i.status == InspectionStatus::Done {
        return Err(Error::Conflict(Msg::new("inspections.scored_already")));
    }
    let today = Day::today();
    let mut fe = FieldErrors::default();
    let day = match input
        .inspected_on
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => Some(Day(i.planned_on.min(today.0))),
        Some(s) => match Day::parse(s) {
            Some(d) if d > today => {
                fe.add("inspected_on", Msg::new("inspections.in_future"));
                None
            }
            Some(d) => Some(d),
            None => {
                fe.add("inspected_on", Msg::new("field.date_format"));
                None
            }
        },
    };
    if i.kind == InspectionKind::Unannounced && day.is_some_and(|d| d.0 != i.planned_on) {
        fe.add("inspected_on", Msg::new("inspections.unannounced_same_day"));
    }
    let mut scored = Vec::new();
    for s in &i.items {
        let given = input.scores.iter().find(|x| x.item_id == s.item.id);
        let field = format!("score_{}", s.item.id);
        match given {
            Some(g) if !g.points.trim().is_empty() => {
                let p =
                    text::whole_number(&mut fe, &field, Some(&g.points), (0, s.item.max_points));
                let note =
                    text::optional_multiline(&mut fe, &field, g.note.as_deref(), text::max::NOTE);
                if let Some(p) = p {
                    scored.push((s.item.id, p, note));
                }
            }
            _ => fe.add(
                &field,
                Msg::new("inspections.item_unscored").arg("item", &s.item.title),
            ),
        }
    }
    let summary = text::optional_multiline(
        &mut fe,
        "summary",
        input.summary.as_deref(),
        text::max::DESCRIPTION,
    );
    let mut findings = Vec::new();
    for f in input
        .findings
        .iter()
        .filter(|f| !f.finding.trim().is_empty())
    {
        let finding = text::required(&mut fe, "findings", &f.finding, text::max::TITLE);
        match (Day::parse(f.due_on.trim()), day) {
            (Some(due), Some(d)) if due > d => findings.push((finding, due.0)),
            (Some(_), _) => fe.add("findings", Msg::new("inspections.due_after_inspection")),
            (None, _) => fe.add("findings", Msg::new("field.date_format")),
        }
    }
    let (Some(day), true) = (day, fe.is_empty()) else {
        return Err(Error::Invalid(fe));
    };
    let total: i64 = scored.iter().map(|s| s.1).sum();
    let now = chrono::Utc::now();
    let mut tx = db.begin().await?;
    let marked = (day.0, total, summary.as_deref());
    if !store::mark_scored(
        &mut tx,
        id,
        input.version,
        marked,
        (actor.user_id, &actor.display_name),
        now,
    )
    .await?
    {
        return Err(Error::Conflict(Msg::new("inspections.scored_meanwhile")));
    }
    for (item, points, note) in &scored {
        store::insert_score(&mut tx, id, *item, *points, note.as_deref()).await?;
    }
    for (finding, due) in &findings {
        store::insert_rectification(&mut tx, id, &i.node_path, (finding, *due), now).await?;
    }
    audit::record(
        &mut tx,
        actor,
        Entry::of("inspections.scored", INSPECTION, Some(id), &i.node_path).after(json!({
            "centre": i.node_name, "inspected_on": day.0, "points": total,
            "max_points": i.max_points, "findings": findings.len()})),
    )
    .await?;
    tx.commit().await?;
    get(db, actor, id).await
}

/// Attaches a photo to an item's score (the office).
pub async fn attach_photo(
    db: &Db,
    actor: &Actor,
    id: i64,
    item_id: i64,
    name: &str,
    bytes: Vec<u8>,
) -> Result<Inspection> {
    actor.require(Permission::InspectionsManage)?;
    let i = get(db, actor, id).await?;
    let Some(score) = i
        .items
        .iter()
        .find(|s| s.item.id == item_id)
        .and_then(|s| s.score_id)
    else {
        return Err(Error::invalid(
            "item_id",
            Msg::new("inspections.photo_needs_score"),
        ));
    };
    let f = attachments::prepare(
        "file",
        name,
        bytes,
        attachments::DOCUMENT_TYPES,
        attachments::DOCUMENT,
    )
    .await?;
    let mut tx = db.begin().await?;
    let subject = Subject {
        kind: SCORE,
        id: score,
        path: &i.node_path,
    };
    let file_id =
        attachments::attach(&mut tx, subject, &f, actor.user_id, chrono::Utc::now()).await?;
    audit::record(
        &mut tx,
        actor,
        Entry::of(
            "inspections.photo_attached",
            INSPECTION,
            Some(id),
            &i.node_path,
        )
        .after(json!({"item_id": item_id, "file": f.file_name, "attachment_id": file_id})),
    )
    .await?;
    tx.commit().await?;
    get(db, actor, id).await
}

/// 404 unless the file is a photo of an inspection the actor reads.
pub async fn require_photo(db: &Db, actor: &Actor, file_id: i64) -> Result<()> {
    let meta = attachments::meta(db, file_id).await?;
    let inspection = match meta.subject_type.as_str() {
        SCORE => store::inspection_of_score(db, meta.subject_id).await?,
        _ => None,
    };
    get(db, actor, inspection.ok_or(Error::NotFound)?)
        .await
        .map(|_| ())
}

/// A photo of an inspection, for whoever reads it.
pub async fn photo(db: &Db, actor: &Actor, file_id: i64) -> Result<(Attachment, Vec<u8>)> {
    require_photo(db, actor, file_id).await?;
    Ok((
        attachments::meta(db, file_id).await?,
        attachments::body(db, file_id).await?,
    ))
}
