//! Rules of commendation, pure: the categories of the plans and whom each is for, the review
//! workflow, the deadline and the quota.

use crate::access::Permission;
use crate::calendar::Day;
use crate::error::Msg;
use crate::workflow::{Step as WorkflowStep, Workflow};

crate::text_enum! {
    /// The categories of the plans (Q三(四): individual, family, building / village group,
    /// community; L二10: unit, association).
    pub enum AwardCategory {
        LearningIndividual = "learning_individual",
        LearningFamily = "learning_family",
        LearningBuilding = "learning_building",
        LearningCommunity = "learning_community",
        LearningUnit = "learning_unit",
        Association = "association",
    }
}

/// A category of commendation (schema name `AwardCategory`).
pub type Category = AwardCategory;

crate::text_enum! {
    /// Who is nominated.
    pub enum NomineeKind {
        Resident = "resident",
        Household = "household",
        Building = "building",
        Community = "community",
        /// A unit named (an enterprise, a school, an association): outside the registers.
        Unit = "unit",
    }
}

crate::text_enum! {
    /// Where a nomination stands.
    pub enum NominationStatus {
        Submitted = "submitted",
        Returned = "returned",
        Passed = "passed",
        Approved = "approved",
    }
}

/// Where a nomination stands (schema name `NominationStatus`).
pub type Status = NominationStatus;

impl Category {
    /// The kind of nominee the category is for.
    pub fn nominee_kind(self) -> NomineeKind {
        match self {
            Category::LearningIndividual => NomineeKind::Resident,
            Category::LearningFamily => NomineeKind::Household,
            Category::LearningBuilding => NomineeKind::Building,
            Category::LearningCommunity => NomineeKind::Community,
            Category::LearningUnit | Category::Association => NomineeKind::Unit,
        }
    }
}

/// What someone does to a nomination.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    Pass,
    Return,
    Resubmit,
    Approve,
}

/// The review of a nomination: the office passes or returns it, the centre resubmits a returned
/// one, the leadership group approves a passed one.
pub struct Review;

impl Workflow for Review {
    type State = Status;
    type Step = Step;
    const STEPS: &'static [WorkflowStep<Status, Step>] = &[
        WorkflowStep {
            step: Step::Pass,
            name: "pass",
            from: &[Status::Submitted],
            to: Status::Passed,
            permissions: &[Permission::AwardsManage],
            reason: None,
            action: "commendation.passed",
        },
        WorkflowStep {
            step: Step::Return,
            name: "return",
            from: &[Status::Submitted, Status::Passed],
            to: Status::Returned,
            permissions: &[Permission::AwardsManage],
            reason: Some("reason"),
            action: "commendation.returned",
        },
        WorkflowStep {
            step: Step::Resubmit,
            name: "resubmit",
            from: &[Status::Returned],
            to: Status::Submitted,
            permissions: &[Permission::AwardsNominate],
            reason: None,
            action: "commendation.resubmitted",
        },
        WorkflowStep {
            step: Step::Approve,
            name: "approve",
            from: &[Status::Passed],
            to: Status::Approved,
            permissions: &[Permission::AwardsApprove],
            reason: None,
            action: "commendation.approved",
        },
    ];
    fn state_label(s: Status) -> String {
        format!("commendation.status.{s}")
    }
    const REFUSED: &'static str = "commendation.step_refused";
    const CHANGED: &'static str = "commendation.changed_meanwhile";
}

/// Refuses a nomination after the round's deadline (the deadline day itself still counts).
pub fn check_deadline(deadline: Day, today: Day) -> Result<(), Msg> {
    if today > deadline {
        Err(Msg::new("commendation.deadline_passed").arg("deadline", deadline))
    } else {
        Ok(())
    }
}

/// Refuses an approval beyond the category's quota.
pub fn check_quota(approved: i64, quota: i64) -> Result<(), Msg> {
    if approved >= quota {
        Err(Msg::new("commendation.quota_full").arg("quota", quota))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_deadline_day_counts_the_day_after_does_not() {
        let d = Day::ymd(2026, 10, 31).unwrap();
        assert!(check_deadline(d, d).is_ok());
        assert_eq!(
            check_deadline(d, d.next()).unwrap_err().key,
            "commendation.deadline_passed"
        );
    }

    #[test]
    fn a_quota_is_never_exceeded() {
        assert!(check_quota(2, 3).is_ok());
        assert_eq!(
            check_quota(3, 3).unwrap_err().key,
            "commendation.quota_full"
        );
    }

    #[test]
    fn review_goes_office_then_leadership() {
        use crate::workflow::next;
        assert_eq!(
            next::<Review>(Status::Submitted, Step::Pass),
            Some(Status::Passed)
        );
        assert_eq!(next::<Review>(Status::Submitted, Step::Approve), None);
        assert_eq!(
            next::<Review>(Status::Passed, Step::Approve),
            Some(Status::Approved)
        );
        assert_eq!(
            next::<Review>(Status::Returned, Step::Resubmit),
            Some(Status::Submitted)
        );
        assert_eq!(
            Category::LearningFamily.nominee_kind(),
            NomineeKind::Household
        );
    }
}
