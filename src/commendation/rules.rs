//! Rules of commendation, pure: the categories the plans name (seeded into each district's
//! dictionary), how a public list names a nominee, the review
//! workflow, the deadline and the quota.

use crate::access::Permission;
use crate::calendar::Day;
use crate::error::Msg;
use crate::workflow::{Step as WorkflowStep, Workflow};

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

/// The categories of the plans, seeded for every district (Q三(四): 学习型个人、家庭、楼栋(村民
/// 小组)、社区; L二10: 学习型单位、社团): code, name, the kind of nominee.
pub const DEFAULT_CATEGORIES: [(&str, &str, NomineeKind); 6] = [
    ("learning_individual", "学习型个人", NomineeKind::Resident),
    ("learning_family", "学习型家庭", NomineeKind::Household),
    (
        "learning_building",
        "学习型楼栋(村民小组)",
        NomineeKind::Building,
    ),
    ("learning_community", "学习型社区", NomineeKind::Community),
    ("learning_unit", "学习型单位", NomineeKind::Unit),
    ("association", "学习型社团", NomineeKind::Unit),
];

/// The code of a category a district adds: `custom_` and its place in the list, stable across
/// renames (rounds and nominations keep the code).
pub fn new_code(sort: i64) -> String {
    format!("custom_{sort}")
}

/// How a nominee is named in a public list of results (SECURITY.md: names in public notices
/// masked, `张*三`): a resident's name masked, a family by its first member's masked name; a
/// building, community or unit in full.
pub fn public_name(kind: NomineeKind, name: &str) -> String {
    use crate::people::rules::mask_name;
    match kind {
        NomineeKind::Resident => mask_name(name),
        NomineeKind::Household => match name.split_once("家庭") {
            Some((person, _)) => format!("{}家庭", mask_name(person)),
            None => mask_name(name),
        },
        _ => name.to_string(),
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
    fn public_lists_mask_persons_not_places() {
        assert_eq!(public_name(NomineeKind::Resident, "张小三"), "张*三");
        assert_eq!(
            public_name(NomineeKind::Household, "王芳家庭(幸福小区3栋)"),
            "王*家庭"
        );
        assert_eq!(
            public_name(NomineeKind::Building, "幸福小区3栋"),
            "幸福小区3栋"
        );
        assert_eq!(new_code(7), "custom_7");
    }

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
    }
}
