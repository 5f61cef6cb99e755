//! Activities (课程/活动), planned by a lead department or a centre head, reviewed by the town school,
//! published to residents. Invariants: an activity belongs to one town and is owned by its town
//! school or one of its learning centres; its theme, format and target group come from the
//! district's catalogue; its teachers are active teachers the town may use; every transition
//! follows [`rules::next`] and is audited; a submission under 15 days before the activity is
//! accepted and marked late; an activity held before the town used cedu is recorded afterwards
//! (补录) as held, outside the review. Planning, series, review, recording afterwards and the month
//! × centre grid live here; enrolment, check-in and evidence in `attendance` and `evidence`.

pub mod afterwards;
#[cfg(feature = "bench")]
pub mod generated;
pub mod grid;
pub mod planning;
pub mod queries;
pub mod review;
pub mod rules;
mod store;

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::access::{Actor, Permission, Role};
use crate::audit::{self, Entry};
use crate::calendar::{Day, Days, Year};
use crate::catalogue;
use crate::db::{Db, Tx};
use crate::error::{Error, FieldErrors, Msg, Result};
use crate::org::{self, Kind, Node};
use crate::page::{Page, PageRequest};
use crate::text;
use crate::venues;
use crate::workflow::Step;
pub use rules::{Lifecycle, Status, Transition};

pub use afterwards::*;
pub use grid::*;
pub use planning::*;
pub use queries::*;
pub use review::*;

/// Special events of the plans (Q四(四)3–5, L二7, Q五(一)).
pub const SPECIAL_EVENTS: [&str; 5] = [
    "teacher_training",
    "national_day",
    "new_year_gala",
    "learning_week",
    "publicity",
];

/// An activity as pages and the API show it.
#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Activity {
    pub id: i64,
    pub town_id: i64,
    pub owner_id: i64,
    pub owner_name: String,
    #[serde(skip)]
    pub owner_path: String,
    pub lead_department_id: Option<i64>,
    pub lead_department_name: Option<String>,
    pub theme_id: i64,
    pub theme_name: String,
    pub format_id: Option<i64>,
    pub format_name: Option<String>,
    pub target_group_id: Option<i64>,
    pub target_group_name: Option<String>,
    pub title: String,
    pub description: Option<String>,
    pub venue: Option<String>,
    /// The room booked for it.
    pub room_id: Option<i64>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub capacity: Option<i32>,
    pub featured: bool,
    pub learning_team: bool,
    pub special_event: Option<String>,
    pub series_id: Option<i64>,
    pub status: Status,
    pub submitted_at: Option<DateTime<Utc>>,
    /// Submitted less than 15 days before the activity.
    pub late: bool,
    /// Held before the town used cedu and entered afterwards (补录) from its paper records.
    pub recorded_afterwards: bool,
    pub review_note: Option<String>,
    pub cancel_reason: Option<String>,
    /// The centre head's summary written when documenting.
    pub summary: Option<String>,
    /// The review steps the reader may take now (`submit`, `approve`, …), filled when one activity
    /// is read.
    #[sqlx(skip)]
    pub actions: Vec<&'static str>,
}

impl Activity {
    /// Where it stands (kept as a method: callers read `a.status()`).
    pub fn status(&self) -> Status {
        self.status
    }
}

/// How the audit log names an activity: by its title.
pub const AUDIT_NAMES: &[crate::audit::view::Namer] = &[crate::audit::view::Namer::plain(
    "activity",
    "activities",
    "title",
)];

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> ActivityInput {
        ActivityInput {
            title: "健康养生讲座".into(),
            owner_id: 5,
            theme_id: 3,
            date: "2026-12-12".into(),
            start_time: "09:00".into(),
            end_time: "10:30".into(),
            ..Default::default()
        }
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
    }

    #[test]
    fn times_are_beijing_and_stored_in_utc() {
        let (v, dates) = validate(&input(), today(), Timing::Ahead).unwrap();
        assert_eq!(v.starts_at.to_rfc3339(), "2026-12-12T01:00:00+00:00");
        assert_eq!((v.ends_at - v.starts_at).num_minutes(), 90);
        assert_eq!(dates.len(), 1);
    }

    #[test]
    fn past_dates_reversed_times_and_bad_capacity_are_refused() {
        let e = validate(
            &ActivityInput {
                date: "2026-11-21".into(),
                end_time: "08:00".into(),
                capacity: Some("0".into()),
                ..input()
            },
            today(),
            Timing::Ahead,
        )
        .unwrap_err();
        let keys: Vec<&str> = e.0.iter().map(|(_, m)| m.key).collect();
        assert_eq!(
            keys,
            vec![
                "activities.date_past",
                "activities.end_before_start",
                "activities.capacity_range"
            ]
        );
    }

    #[test]
    fn a_series_repeats_every_second_saturday_for_three_months() {
        let i = ActivityInput {
            repeat_weeks: Some(2),
            repeat_until: Some("2027-03-12".into()),
            ..input()
        };
        let (_, dates) = validate(&i, today(), Timing::Ahead).unwrap();
        assert_eq!(dates.len(), 7);
        assert_eq!(dates[1], NaiveDate::from_ymd_opt(2026, 12, 26).unwrap());
        assert!(
            validate(
                &ActivityInput {
                    repeat_weeks: Some(1),
                    repeat_until: Some("2028-12-01".into()),
                    ..input()
                },
                today(),
                Timing::Ahead
            )
            .is_err()
        );
    }

    #[test]
    fn an_empty_date_or_time_is_required_not_badly_written() {
        let e = validate(
            &ActivityInput {
                date: " ".into(),
                start_time: String::new(),
                end_time: "9点".into(),
                ..input()
            },
            today(),
            Timing::Ahead,
        )
        .unwrap_err();
        let keys: Vec<(&str, &str)> = e.0.iter().map(|(f, m)| (f.as_str(), m.key)).collect();
        assert_eq!(
            keys,
            vec![
                ("date", "field.required"),
                ("start_time", "field.required"),
                ("end_time", "activities.time_format")
            ]
        );
    }

    #[test]
    fn an_activity_recorded_afterwards_is_in_the_past_and_not_a_series() {
        let held = |date: &str| ActivityInput {
            date: date.into(),
            repeat_weeks: Some(1),
            repeat_until: Some("2026-12-30".into()),
            ..input()
        };
        let (v, dates) = validate(&held("2026-03-08"), today(), Timing::Afterwards).unwrap();
        assert_eq!(dates.len(), 1, "a held activity is one occurrence");
        assert_eq!(v.starts_at.to_rfc3339(), "2026-03-08T01:00:00+00:00");
        assert!(validate(&held("2026-11-22"), today(), Timing::Afterwards).is_ok());
        let e = validate(&held("2026-11-23"), today(), Timing::Afterwards).unwrap_err();
        assert_eq!(e.0[0].1.key, "activities.date_future");
    }

    #[test]
    fn the_town_is_the_third_id_of_a_path() {
        assert_eq!(town_of("/1/2/3/9/10/"), Some(3));
        assert_eq!(town_of("/1/2/"), None);
    }
}
