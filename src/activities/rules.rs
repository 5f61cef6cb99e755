//! The plans' rules about activities, as pure functions: the review lifecycle (which transition is
//! allowed from which state), the 15-day submission mark (Q五(三) "提前半月"), and the rule of at least
//! two activities a month per learning centre (Q四(二)1).

use chrono::{DateTime, Utc};

use crate::access::Permission;
use crate::calendar::Day;
use crate::workflow::{self, Step, Workflow};

crate::text_enum! {
    /// Where an activity stands (declared in lifecycle order).
    pub enum Status {
        Draft = "draft",
        Submitted = "submitted",
        Returned = "returned",
        Approved = "approved",
        Published = "published",
        Held = "held",
        Documented = "documented",
        Archived = "archived",
        Cancelled = "cancelled",
    }
}

impl Status {
    /// True while the plan may still be edited by its author.
    pub fn editable(self) -> bool {
        matches!(self, Status::Draft | Status::Returned)
    }

    /// True when the activity counts towards a centre's monthly activities (approved or later).
    pub fn counts(self) -> bool {
        matches!(
            self,
            Status::Approved
                | Status::Published
                | Status::Held
                | Status::Documented
                | Status::Archived
        )
    }
}

/// What someone does to an activity (a step of its review workflow).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transition {
    Submit,
    Approve,
    Return,
    Publish,
    Hold,
    /// Held → documented: the centre head's summary with attendance and evidence.
    Document,
    /// Documented → archived: the town school files the record.
    Archive,
    Cancel,
}

impl Transition {
    /// The audit action of the transition.
    pub fn action(self) -> &'static str {
        workflow::rule::<Lifecycle>(self).action
    }

    /// The stable name of the step in forms and the API.
    pub fn name(self) -> &'static str {
        workflow::rule::<Lifecycle>(self).name
    }
}

/// The review lifecycle of an activity (SPEC.md "Activities"): draft → submitted → approved or
/// returned with a reason → published → held → documented → archived, or cancelled with a reason.
/// The lead department or centre head plans and submits; the town school reviews, publishes and
/// archives; either may cancel until the activity is held.
pub struct Lifecycle;

impl Workflow for Lifecycle {
    type State = Status;
    type Step = Transition;
    const STEPS: &'static [Step<Status, Transition>] = {
        use Permission::{ActivitiesPlan as Plan, ActivitiesReview as Review};
        use Status::*;
        &[
            Step {
                step: Transition::Submit,
                name: "submit",
                from: &[Draft, Returned],
                to: Submitted,
                permissions: &[Plan],
                reason: None,
                action: "activities.submitted",
            },
            Step {
                step: Transition::Approve,
                name: "approve",
                from: &[Submitted],
                to: Approved,
                permissions: &[Review],
                reason: None,
                action: "activities.approved",
            },
            Step {
                step: Transition::Return,
                name: "return",
                from: &[Submitted],
                to: Returned,
                permissions: &[Review],
                reason: Some("reason"),
                action: "activities.returned",
            },
            Step {
                step: Transition::Publish,
                name: "publish",
                from: &[Approved],
                to: Published,
                permissions: &[Review],
                reason: None,
                action: "activities.published",
            },
            Step {
                step: Transition::Hold,
                name: "hold",
                from: &[Published],
                to: Held,
                permissions: &[Plan],
                reason: None,
                action: "activities.held",
            },
            Step {
                step: Transition::Document,
                name: "document",
                from: &[Held],
                to: Documented,
                permissions: &[Plan],
                reason: None,
                action: "activities.documented",
            },
            Step {
                step: Transition::Archive,
                name: "archive",
                from: &[Documented],
                to: Archived,
                permissions: &[Review],
                reason: None,
                action: "activities.archived",
            },
            Step {
                step: Transition::Cancel,
                name: "cancel",
                from: &[Draft, Submitted, Returned, Approved, Published],
                to: Cancelled,
                permissions: &[Plan, Review],
                reason: Some("reason"),
                action: "activities.cancelled",
            },
        ]
    };
    const REFUSED: &'static str = "activities.transition_refused";
    const CHANGED: &'static str = "activities.changed_meanwhile";

    fn state_label(s: Status) -> String {
        format!("activities.status.{}", s.as_str())
    }
}

/// The state a transition leads to, or `None` when it is not allowed from `from`.
pub fn next(from: Status, t: Transition) -> Option<Status> {
    workflow::next::<Lifecycle>(from, t)
}

/// Days of notice the plan asks for ("提前半月").
pub const NOTICE_DAYS: i64 = 15;

/// A submission is late when it comes less than 15 days before the activity (dates in Beijing
/// time).
pub fn is_late(submitted: DateTime<Utc>, starts: DateTime<Utc>) -> bool {
    Day::of(submitted).days_until(Day::of(starts)) < NOTICE_DAYS
}

/// Activities a centre must hold each month.
pub const MONTHLY_MINIMUM: i64 = 2;

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn the_lifecycle_allows_only_its_transitions() {
        assert_eq!(
            next(Status::Draft, Transition::Submit),
            Some(Status::Submitted)
        );
        assert_eq!(
            next(Status::Submitted, Transition::Return),
            Some(Status::Returned)
        );
        assert_eq!(
            next(Status::Returned, Transition::Submit),
            Some(Status::Submitted)
        );
        assert_eq!(
            next(Status::Approved, Transition::Publish),
            Some(Status::Published)
        );
        assert_eq!(
            next(Status::Published, Transition::Hold),
            Some(Status::Held)
        );
        assert_eq!(next(Status::Draft, Transition::Approve), None);
        assert_eq!(next(Status::Held, Transition::Cancel), None);
        assert_eq!(next(Status::Cancelled, Transition::Submit), None);
        assert!(
            Status::ALL
                .iter()
                .all(|s| Status::parse(s.as_str()) == Some(*s))
        );
    }

    #[test]
    fn fifteen_days_of_notice_counted_in_beijing_dates() {
        let at = |y, m, d, h| Utc.with_ymd_and_hms(y, m, d, h, 0, 0).single().unwrap();
        // Activity on 16 May 09:00 Beijing (01:00 UTC).
        let starts = at(2020, 5, 16, 1);
        assert!(
            !is_late(at(2020, 5, 1, 2), starts),
            "exactly 15 days before is on time"
        );
        assert!(is_late(at(2020, 5, 2, 2), starts));
        // 23:30 UTC on 30 April is already 1 May in Beijing.
        assert!(!is_late(at(2020, 4, 30, 23), starts));
    }
}
