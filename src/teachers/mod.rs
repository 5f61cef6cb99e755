//! The teacher pool (师资库), kept at two levels (Q三(三)): the town school's pool, visible to every
//! centre of the town, and each learning centre's own pool. Teachers are full-time, part-time or
//! volunteers, come from one of ten sources, teach themes of the district catalogue, and are
//! managed dynamically: retired from the pool with a date and reason, reinstated when they return.
//! Trainings and volunteers' service hours are recorded per teacher.

pub mod hours;
mod import;
pub mod listing;
pub mod register;
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

pub use hours::*;
pub use listing::*;
pub use register::*;

crate::text_enum! {
    /// Whether a teacher is in the pool now (动态管理: retired teachers stay on record).
    pub enum TeacherStatus {
        Active = "active",
        Retired = "retired",
    }
}

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
    pub status: TeacherStatus,
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
    pub status: TeacherStatus,
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
    pub status: crate::activities::Status,
    pub owner_name: String,
}

impl TaughtActivity {
    /// True once the activity took place (its hours count).
    pub fn took_place(&self) -> bool {
        use crate::activities::Status;
        matches!(
            self.status,
            Status::Held | Status::Documented | Status::Archived
        )
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

/// How the audit log names teachers (by name) and their trainings (by title).
pub const AUDIT_NAMES: &[crate::audit::view::Namer] = &[
    crate::audit::view::Namer::plain("teacher", "teachers", "name"),
    crate::audit::view::Namer::plain("teacher_training", "teacher_trainings", "title"),
];

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
