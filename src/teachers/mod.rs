//! The teacher pool (师资库), kept at two levels (Q三(三)): the town school's pool, visible to every
//! centre of the town, and each learning centre's own pool. Teachers are full-time, part-time or
//! volunteers, come from one of ten sources, teach themes of the district catalogue, and are
//! managed dynamically: retired from the pool with a date and reason, reinstated when they return.
//! Trainings and volunteers' service hours are recorded per teacher.

mod import;
mod store;

pub use import::TeacherImport;

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::access::{Actor, Permission};
use crate::audit::{self, Entry};
use crate::catalogue;
use crate::db::{Db, Tx};
use crate::error::{Error, FieldErrors, Msg, Result};
use crate::org::{self, Kind, Node};
use crate::page::{Page, PageRequest};
use crate::people::rules;
use crate::text;

/// Full-time, part-time, volunteer.
pub const TYPES: [&str; 3] = ["full_time", "part_time", "volunteer"];
/// Where a teacher comes from (Q三(一), L三2).
pub const SOURCES: [&str; 10] = [
    "expert",
    "technician",
    "serving_teacher",
    "retired_cadre",
    "retired_teacher",
    "retired_technician",
    "capable_local",
    "university_student",
    "government_staff",
    "community_staff",
];

/// Chinese labels accepted in spreadsheets for a type or source code.
fn labels(code: &str) -> &'static [&'static str] {
    match code {
        "full_time" => &["专职"],
        "part_time" => &["兼职"],
        "volunteer" => &["志愿者"],
        "expert" => &["专家", "专家学者"],
        "technician" => &["技术人员", "专业技术人员"],
        "serving_teacher" => &["在职教师"],
        "retired_cadre" => &["离退休干部", "老干部", "退休干部"],
        "retired_teacher" => &["退休教师", "老教师"],
        "retired_technician" => &["离退休技术人员", "退休技术人员"],
        "capable_local" => &["社会能人", "能人"],
        "university_student" => &["大学生", "在校大学生"],
        "government_staff" => &["机关工作人员", "政府工作人员", "机关职工"],
        "community_staff" => &["社区工作人员", "社区干部"],
        _ => &[],
    }
}

fn parse_code(s: &str, codes: &[&'static str]) -> Option<&'static str> {
    let s = s.trim();
    codes
        .iter()
        .copied()
        .find(|c| *c == s || labels(c).contains(&s))
}

/// A teacher as lists and pages show it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Teacher {
    pub id: i64,
    pub node_id: i64,
    pub node_name: String,
    /// school (the town's pool) or centre (a centre's pool)
    pub level: String,
    pub name: String,
    pub gender: Option<String>,
    /// Masked in lists and exports; in full on the teacher's page.
    pub phone: Option<String>,
    pub teacher_type: String,
    pub source: String,
    pub speciality: Option<String>,
    /// active or retired
    pub status: String,
    pub retired_on: Option<NaiveDate>,
    pub retired_reason: Option<String>,
    pub themes: Vec<String>,
    /// Training time in minutes, all years.
    pub training_minutes: i64,
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub(crate) struct TeacherRecord {
    pub id: i64,
    pub node_id: i64,
    pub node_name: String,
    pub node_kind: String,
    pub node_path: String,
    pub town_path: String,
    pub name: String,
    pub gender: Option<String>,
    pub phone: Option<String>,
    pub teacher_type: String,
    pub source: String,
    pub speciality: Option<String>,
    pub status: String,
    pub retired_on: Option<NaiveDate>,
    pub retired_reason: Option<String>,
    pub training_minutes: i64,
}

impl TeacherRecord {
    fn view(self, themes: Vec<String>, full_phone: bool) -> Teacher {
        Teacher {
            id: self.id,
            node_id: self.node_id,
            node_name: self.node_name,
            level: self.node_kind,
            name: self.name,
            gender: self.gender,
            phone: self
                .phone
                .map(|p| if full_phone { p } else { rules::mask_phone(&p) }),
            teacher_type: self.teacher_type,
            source: self.source,
            speciality: self.speciality,
            status: self.status,
            retired_on: self.retired_on,
            retired_reason: self.retired_reason,
            themes,
            training_minutes: self.training_minutes,
        }
    }
}

/// A training a teacher attended.
#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Training {
    pub id: i64,
    pub held_on: NaiveDate,
    pub title: String,
    pub organiser: Option<String>,
    pub minutes: i64,
}

/// A volunteer's service for one activity.
#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct ServiceHours {
    pub id: i64,
    pub served_on: NaiveDate,
    pub activity_id: Option<i64>,
    pub activity_title: String,
    pub minutes: i64,
}

/// A teacher's page: the teacher, trainings, service hours and the yearly totals.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct TeacherDetail {
    pub teacher: Teacher,
    pub trainings: Vec<Training>,
    pub service: Vec<ServiceHours>,
    /// (year, minutes) of volunteer service, newest year first.
    pub service_by_year: Vec<(i32, i64)>,
    /// The activities the teacher is named for, newest first.
    pub taught: Vec<TaughtActivity>,
    /// (year, minutes) of activities taught that took place (held, documented, archived).
    pub taught_by_year: Vec<(i32, i64)>,
    /// True when the reader may change this record (the town school's pool is read-only to
    /// centres).
    pub may_write: bool,
}

/// An activity a teacher is named for.
#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct TaughtActivity {
    pub activity_id: i64,
    pub title: String,
    pub starts_at: chrono::DateTime<chrono::Utc>,
    pub ends_at: chrono::DateTime<chrono::Utc>,
    pub status: String,
    pub owner_name: String,
}

impl TaughtActivity {
    /// True once the activity took place (its hours count).
    pub fn took_place(&self) -> bool {
        matches!(self.status.as_str(), "held" | "documented" | "archived")
    }

    /// Its length in minutes.
    pub fn minutes(&self) -> i64 {
        (self.ends_at - self.starts_at).num_minutes().max(0)
    }
}

/// A teacher is visible inside the actor's scope, and a town-school teacher to every centre of the
/// town.
fn visible(actor: &Actor, t: &TeacherRecord) -> bool {
    actor.sees(&t.node_path)
        || (t.node_kind == "school" && actor.scope_path.starts_with(&t.town_path))
}

/// The teacher form / API body.
#[derive(Clone, Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TeacherInput {
    #[schema(min_length = 1, max_length = 50)]
    pub name: String,
    /// The town school or a learning centre.
    pub node_id: i64,
    #[serde(default)]
    pub gender: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    pub teacher_type: String,
    pub source: String,
    #[serde(default)]
    #[schema(max_length = 100)]
    pub speciality: Option<String>,
    #[serde(default)]
    pub theme_ids: Vec<i64>,
}

/// Validated values of a teacher.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct TeacherValues {
    pub name: String,
    pub node_id: i64,
    pub gender: Option<String>,
    pub phone: Option<String>,
    pub teacher_type: String,
    pub source: String,
    pub speciality: Option<String>,
    pub theme_ids: Vec<i64>,
}

fn validate(input: &TeacherInput) -> std::result::Result<TeacherValues, FieldErrors> {
    let mut fe = FieldErrors::default();
    let name = text::required(&mut fe, "name", &input.name, 50);
    let gender = rules::parse_gender(input.gender.as_deref().unwrap_or(""))
        .map_err(|m| fe.add("gender", m))
        .ok()
        .flatten()
        .map(str::to_string);
    let phone = match input
        .phone
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => None,
        Some(p) => rules::parse_phone(p).map_err(|m| fe.add("phone", m)).ok(),
    };
    let teacher_type = parse_code(&input.teacher_type, &TYPES);
    if teacher_type.is_none() {
        fe.add("teacher_type", Msg::new("field.choose"));
    }
    let source = parse_code(&input.source, &SOURCES);
    if source.is_none() {
        fe.add("source", Msg::new("field.choose"));
    }
    let speciality = text::optional(&mut fe, "speciality", input.speciality.as_deref(), 100);
    if input.node_id <= 0 {
        fe.add("node_id", Msg::new("field.choose"));
    }
    if !fe.is_empty() {
        return Err(fe);
    }
    Ok(TeacherValues {
        name,
        node_id: input.node_id,
        gender,
        phone,
        teacher_type: teacher_type.unwrap_or_default().to_string(),
        source: source.unwrap_or_default().to_string(),
        speciality,
        theme_ids: input.theme_ids.clone(),
    })
}

/// The pool a teacher may join: the town school or a centre, inside the actor's scope.
async fn pool_in_scope(tx: &mut Tx, actor: &Actor, id: i64) -> Result<Node> {
    match org::find_active_tx(tx, id).await? {
        Some(n) if matches!(n.kind(), Kind::School | Kind::Centre) && actor.sees(&n.path) => Ok(n),
        _ => Err(Error::invalid("node_id", Msg::new("teachers.pool_unknown"))),
    }
}

/// Themes must come from the pool's district catalogue.
async fn check_themes(db: &Db, pool: &Node, ids: &[i64]) -> Result<()> {
    let district = catalogue::district_of(&pool.path).unwrap_or(0);
    let known: Vec<i64> = catalogue::themes(db, district)
        .await?
        .into_iter()
        .map(|t| t.id)
        .collect();
    if ids.iter().any(|i| !known.contains(i)) {
        return Err(Error::invalid(
            "theme_ids",
            Msg::new("teachers.theme_unknown"),
        ));
    }
    Ok(())
}

/// Adds a teacher to a pool.
pub async fn create_teacher(db: &Db, actor: &Actor, input: &TeacherInput) -> Result<Teacher> {
    actor.require(Permission::TeachersWrite)?;
    let v = validate(input).map_err(Error::Invalid)?;
    let mut tx = db.begin().await?;
    let pool = pool_in_scope(&mut tx, actor, v.node_id).await?;
    check_themes(db, &pool, &v.theme_ids).await?;
    if let Some(p) = &v.phone
        && store::teacher_with_phone(&mut tx, pool.id, p, None).await?
    {
        return Err(Error::invalid("phone", Msg::new("teachers.phone_taken")));
    }
    let id = store::insert(&mut tx, &v, Utc::now()).await?;
    audit::record(
        &mut tx,
        actor,
        Entry {
            action: "teachers.created",
            subject_type: "teacher",
            subject_id: Some(id),
            node_path: &pool.path,
            before: None,
            after: Some(audit_view(&v)),
            result: "ok",
        },
    )
    .await?;
    tx.commit().await?;
    Ok(get_teacher(db, actor, id).await?.teacher)
}

fn audit_view(v: &TeacherValues) -> serde_json::Value {
    json!({"name": v.name, "node_id": v.node_id, "teacher_type": v.teacher_type, "source": v.source,
           "has_phone": v.phone.is_some(), "speciality": v.speciality, "theme_ids": v.theme_ids})
}

async fn record_visible(db: &Db, actor: &Actor, id: i64) -> Result<TeacherRecord> {
    actor.require(Permission::TeachersRead)?;
    let t = store::teacher(db, id).await?.ok_or(Error::NotFound)?;
    if visible(actor, &t) {
        Ok(t)
    } else {
        Err(Error::NotFound)
    }
}

/// True when the actor may change this teacher's record (edit, retire, trainings, service hours):
/// the write permission and the pool inside the actor's own scope. The town school's pool is
/// visible to every centre of the town but is the town's to change.
fn may_write(actor: &Actor, t: &TeacherRecord) -> bool {
    actor.can(Permission::TeachersWrite) && actor.sees(&t.node_path)
}

/// A teacher the actor may change; one the actor only sees answers 404 like one outside the scope.
async fn record_writable(db: &Db, actor: &Actor, id: i64) -> Result<TeacherRecord> {
    actor.require(Permission::TeachersWrite)?;
    let t = record_visible(db, actor, id).await?;
    if may_write(actor, &t) {
        Ok(t)
    } else {
        Err(Error::NotFound)
    }
}

/// 404 unless the actor sees the teacher (`write`: and may change the record).
pub async fn require_teacher(db: &Db, actor: &Actor, id: i64, write: bool) -> Result<()> {
    if write {
        record_writable(db, actor, id).await.map(|_| ())
    } else {
        record_visible(db, actor, id).await.map(|_| ())
    }
}

/// A teacher's page.
pub async fn get_teacher(db: &Db, actor: &Actor, id: i64) -> Result<TeacherDetail> {
    let t = record_visible(db, actor, id).await?;
    let themes = store::theme_names(db, &[id])
        .await?
        .remove(&id)
        .unwrap_or_default();
    let trainings = store::trainings(db, id).await?;
    let service = store::service(db, id).await?;
    let mut by_year: HashMap<i32, i64> = HashMap::new();
    for s in &service {
        *by_year.entry(s.served_on.year()).or_default() += s.minutes;
    }
    let mut service_by_year: Vec<(i32, i64)> = by_year.into_iter().collect();
    service_by_year.sort_by_key(|(year, _)| std::cmp::Reverse(*year));
    let taught = store::taught(db, id).await?;
    let mut by_year: HashMap<i32, i64> = HashMap::new();
    for a in taught.iter().filter(|a| a.took_place()) {
        let year = crate::calendar::Day::of(a.starts_at).year();
        *by_year.entry(year).or_default() += a.minutes();
    }
    let mut taught_by_year: Vec<(i32, i64)> = by_year.into_iter().collect();
    taught_by_year.sort_by_key(|(year, _)| std::cmp::Reverse(*year));
    Ok(TeacherDetail {
        taught,
        taught_by_year,
        may_write: may_write(actor, &t),
        teacher: t.view(themes, true),
        trainings,
        service,
        service_by_year,
    })
}

/// Edits a teacher (the pool may change within the actor's scope).
pub async fn update_teacher(
    db: &Db,
    actor: &Actor,
    id: i64,
    input: &TeacherInput,
) -> Result<Teacher> {
    let before = record_writable(db, actor, id).await?;
    let v = validate(input).map_err(Error::Invalid)?;
    let mut tx = db.begin().await?;
    let pool = pool_in_scope(&mut tx, actor, v.node_id).await?;
    check_themes(db, &pool, &v.theme_ids).await?;
    if let Some(p) = &v.phone
        && store::teacher_with_phone(&mut tx, pool.id, p, Some(id)).await?
    {
        return Err(Error::invalid("phone", Msg::new("teachers.phone_taken")));
    }
    store::update(&mut tx, id, &v, Utc::now()).await?;
    audit::record(&mut tx, actor, Entry {
        action: "teachers.updated", subject_type: "teacher", subject_id: Some(id), node_path: &pool.path,
        before: Some(json!({"name": before.name, "node_id": before.node_id, "teacher_type": before.teacher_type, "source": before.source})),
        after: Some(audit_view(&v)), result: "ok",
    }).await?;
    tx.commit().await?;
    Ok(get_teacher(db, actor, id).await?.teacher)
}

/// Retires a teacher from the pool (dynamic management) with a date and a reason, or reinstates
/// one.
pub async fn set_status(
    db: &Db,
    actor: &Actor,
    id: i64,
    retire: Option<(String, String)>,
) -> Result<Teacher> {
    let t = record_writable(db, actor, id).await?;
    let (status, on, reason) = match &retire {
        Some((date, reason)) => {
            let mut fe = FieldErrors::default();
            let on = match NaiveDate::parse_from_str(date.trim(), "%Y-%m-%d") {
                Ok(d) => Some(d),
                Err(_) => {
                    fe.add("retired_on", Msg::new("field.date_format"));
                    None
                }
            };
            let reason = text::required(&mut fe, "retired_reason", reason, 200);
            fe.into_result()?;
            if t.status == "retired" {
                return Err(Error::Conflict(Msg::new("teachers.already_retired")));
            }
            ("retired", on, Some(reason))
        }
        None => {
            if t.status == "active" {
                return Err(Error::Conflict(Msg::new("teachers.already_active")));
            }
            ("active", None, None)
        }
    };
    let mut tx = db.begin().await?;
    store::set_status(&mut tx, id, status, on, reason.as_deref(), Utc::now()).await?;
    audit::record(
        &mut tx,
        actor,
        Entry {
            action: if status == "retired" {
                "teachers.retired"
            } else {
                "teachers.reinstated"
            },
            subject_type: "teacher",
            subject_id: Some(id),
            node_path: &t.node_path,
            before: Some(json!({"status": t.status})),
            after: Some(json!({"status": status, "retired_on": on, "retired_reason": reason})),
            result: "ok",
        },
    )
    .await?;
    tx.commit().await?;
    Ok(get_teacher(db, actor, id).await?.teacher)
}

/// A training or a volunteer service to record.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct TimeEntry {
    /// YYYY-MM-DD
    pub date: String,
    /// The training's title or the activity served.
    #[schema(min_length = 1, max_length = 100)]
    pub title: String,
    #[serde(default)]
    #[schema(max_length = 100)]
    pub organiser: Option<String>,
    /// Hours, e.g. "2" or "1.5".
    pub hours: String,
}

fn check_entry(e: &TimeEntry) -> Result<(NaiveDate, String, Option<String>, i64)> {
    let mut fe = FieldErrors::default();
    let date = NaiveDate::parse_from_str(e.date.trim(), "%Y-%m-%d")
        .map_err(|_| fe.add("date", Msg::new("field.date_format")))
        .ok();
    if date.is_some_and(|d| d > crate::calendar::Day::today().0) {
        fe.add("date", Msg::new("teachers.date_in_future"));
    }
    let title = text::required(&mut fe, "title", &e.title, 100);
    let organiser = text::optional(&mut fe, "organiser", e.organiser.as_deref(), 100);
    let minutes = parse_hours(&e.hours).unwrap_or_else(|m| {
        fe.add("hours", m);
        0
    });
    fe.into_result()?;
    Ok((date.unwrap_or_default(), title, organiser, minutes))
}

/// Hours typed as "2", "1.5" or "１．５", kept in whole minutes: at least one minute, at most a day. A
/// minus sign is a minus sign (refused), not a separator to drop.
pub fn parse_hours(s: &str) -> std::result::Result<i64, Msg> {
    let s: String = s
        .trim()
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            '．' => '.',
            c => c,
        })
        .collect();
    let valid = s.chars().all(|c| c.is_ascii_digit() || c == '.');
    match s.parse::<f64>() {
        Ok(h) if valid && h.is_finite() => {
            let minutes = (h * 60.0).round();
            if (1.0..=24.0 * 60.0).contains(&minutes) {
                Ok(minutes as i64)
            } else {
                Err(Msg::new("teachers.hours_range"))
            }
        }
        _ => Err(Msg::new("teachers.hours_range")),
    }
}

/// Records a training a teacher attended.
pub async fn add_training(db: &Db, actor: &Actor, id: i64, e: &TimeEntry) -> Result<()> {
    let t = record_writable(db, actor, id).await?;
    let (date, title, organiser, minutes) = check_entry(e)?;
    let mut tx = db.begin().await?;
    let tid = store::insert_training(
        &mut tx,
        id,
        date,
        &title,
        organiser.as_deref(),
        minutes,
        Utc::now(),
    )
    .await?;
    audit::record(
        &mut tx,
        actor,
        Entry {
            action: "teachers.training_added",
            subject_type: "teacher_training",
            subject_id: Some(tid),
            node_path: &t.node_path,
            before: None,
            after: Some(
                json!({"teacher_id": id, "date": date, "title": title, "minutes": minutes}),
            ),
            result: "ok",
        },
    )
    .await?;
    tx.commit().await
}

/// Records a volunteer's service hours for one activity.
pub async fn add_service(db: &Db, actor: &Actor, id: i64, e: &TimeEntry) -> Result<()> {
    let t = record_writable(db, actor, id).await?;
    if t.teacher_type != "volunteer" {
        return Err(Error::Conflict(Msg::new("teachers.not_a_volunteer")));
    }
    let (date, title, _, minutes) = check_entry(e)?;
    let mut tx = db.begin().await?;
    let sid = store::insert_service(&mut tx, id, date, &title, minutes, Utc::now()).await?;
    audit::record(
        &mut tx,
        actor,
        Entry {
            action: "teachers.service_added",
            subject_type: "volunteer_hours",
            subject_id: Some(sid),
            node_path: &t.node_path,
            before: None,
            after: Some(
                json!({"teacher_id": id, "date": date, "activity": title, "minutes": minutes}),
            ),
            result: "ok",
        },
    )
    .await?;
    tx.commit().await
}

/// Filters of the teacher list.
#[derive(Clone, Debug, Default)]
pub struct TeacherFilter {
    pub q: Option<String>,
    pub node_id: Option<i64>,
    pub teacher_type: Option<String>,
    pub source: Option<String>,
    /// active (default), retired, or all
    pub status: Option<String>,
    pub theme_id: Option<i64>,
}

/// The teachers the actor may see: the scope's pools plus the town school's pool.
pub async fn list_teachers(
    db: &Db,
    actor: &Actor,
    f: &TeacherFilter,
    page: PageRequest,
) -> Result<Page<Teacher>> {
    actor.require(Permission::TeachersRead)?;
    let p = store::list(db, &actor.scope_path, f, page).await?;
    let ids: Vec<i64> = p.items.iter().map(|t| t.id).collect();
    let mut names = store::theme_names(db, &ids).await?;
    Ok(Page {
        items: p
            .items
            .into_iter()
            .map(|t| {
                let n = names.remove(&t.id).unwrap_or_default();
                t.view(n, false)
            })
            .collect(),
        total: p.total,
        page: p.page,
        per_page: p.per_page,
        capped: false,
    })
}

/// Volunteers' service minutes in a year, per volunteer the actor may see: (teacher, minutes).
pub async fn service_totals(db: &Db, actor: &Actor, year: i32) -> Result<Vec<(Teacher, i64)>> {
    actor.require(Permission::TeachersRead)?;
    let rows = store::service_totals(db, year).await?;
    Ok(rows
        .into_iter()
        .filter(|(t, _)| visible(actor, t))
        .map(|(t, m)| (t.view(Vec::new(), false), m))
        .collect())
}

/// The pools (town school and centres) the actor may add teachers to.
pub async fn pools(db: &Db, actor: &Actor) -> Result<Vec<Node>> {
    let mut out = Vec::new();
    for kind in [Kind::School, Kind::Centre] {
        let page = org::list_nodes(
            db,
            actor,
            &org::NodeFilter {
                kind: Some(kind),
                ..Default::default()
            },
            PageRequest::new(Some(1), Some(200)),
        )
        .await?;
        out.extend(page.items);
    }
    Ok(out)
}

/// The Chinese (or English) label of a type or source code.
pub fn label_key(code: &str) -> String {
    format!("teachers.code.{code}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_and_sources_parse_from_the_plans_words() {
        assert_eq!(parse_code("志愿者", &TYPES), Some("volunteer"));
        assert_eq!(parse_code("老教师", &SOURCES), Some("retired_teacher"));
        assert_eq!(parse_code("社会能人", &SOURCES), Some("capable_local"));
        assert_eq!(parse_code("学生", &SOURCES), None);
    }

    #[test]
    fn a_teacher_needs_a_name_type_source_and_pool() {
        let e = validate(&TeacherInput::default()).unwrap_err();
        let fields: Vec<&str> = e.0.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(fields, vec!["name", "teacher_type", "source", "node_id"]);
    }

    #[test]
    fn hours_below_a_minute_negative_or_not_numbers_are_refused() {
        assert_eq!(parse_hours("2"), Ok(120));
        assert_eq!(parse_hours(" １．５ "), Ok(90));
        assert_eq!(parse_hours("24"), Ok(1440));
        for bad in [
            "0.0001", "0", "-1", "-0.5", "1e3", "NaN", "inf", "1,5", "", "24.1",
        ] {
            assert_eq!(
                parse_hours(bad),
                Err(Msg::new("teachers.hours_range")),
                "{bad}"
            );
        }
    }

    #[test]
    fn hours_are_bounded_and_kept_in_minutes() {
        let e = TimeEntry {
            date: "2020-05-10".into(),
            title: "书法".into(),
            organiser: None,
            hours: "1.5".into(),
        };
        assert_eq!(check_entry(&e).unwrap().3, 90);
        assert!(
            check_entry(&TimeEntry {
                hours: "30".into(),
                ..e.clone()
            })
            .is_err()
        );
        assert!(
            check_entry(&TimeEntry {
                date: "2999-01-01".into(),
                ..e
            })
            .is_err()
        );
    }
}
