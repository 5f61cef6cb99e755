//! Rules of inspections and the year-end assessment, pure: the kinds and states, the
//! rectification workflow, what an item's data indicator says, and the ranking formula.

use serde::{Deserialize, Serialize};

use crate::access::Permission;
use crate::workflow::{Step as WorkflowStep, Workflow};

crate::text_enum! {
    /// How an inspection comes.
    pub enum InspectionKind {
        /// 定期: announced and planned.
        Scheduled = "scheduled",
        /// 不定期: unannounced, recorded on the day.
        Unannounced = "unannounced",
    }
}

crate::text_enum! {
    /// Where an inspection stands.
    pub enum InspectionStatus {
        Scheduled = "scheduled",
        Done = "done",
    }
}

crate::text_enum! {
    /// The data an item's score rests on, shown beside it on the inspector's page.
    pub enum Measure {
        /// Activities held against 2 a month.
        Activities = "activities",
        /// The share of held activities documented (materials kept in order).
        Documented = "documented",
        /// Held activities with their sign-in sheet on file.
        SignIn = "sign_in",
        /// Held activities with photos on file.
        Photos = "photos",
        /// The gaps against the equipment standard.
        Equipment = "equipment",
        /// Residents who took part.
        Participants = "participants",
    }
}

crate::text_enum! {
    /// Where a rectification stands.
    pub enum RectificationStatus {
        /// 待整改
        Open = "open",
        /// 已反馈: the centre head answered with evidence.
        Answered = "answered",
        /// 已销号: the inspector accepted it.
        Closed = "closed",
    }
}

/// What someone does to a rectification.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RectifyStep {
    Answer,
    Close,
    Reopen,
}

/// The rectification workflow: the centre head answers, the inspector closes or reopens.
pub struct Rectifying;

impl Workflow for Rectifying {
    type State = RectificationStatus;
    type Step = RectifyStep;
    const STEPS: &'static [WorkflowStep<RectificationStatus, RectifyStep>] = &[
        WorkflowStep {
            step: RectifyStep::Answer,
            name: "answer",
            from: &[RectificationStatus::Open],
            to: RectificationStatus::Answered,
            permissions: &[Permission::InspectionsAnswer],
            reason: Some("answer"),
            action: "inspections.rectification_answered",
        },
        WorkflowStep {
            step: RectifyStep::Close,
            name: "close",
            from: &[RectificationStatus::Answered],
            to: RectificationStatus::Closed,
            permissions: &[Permission::InspectionsManage],
            reason: None,
            action: "inspections.rectification_closed",
        },
        WorkflowStep {
            step: RectifyStep::Reopen,
            name: "reopen",
            from: &[RectificationStatus::Answered, RectificationStatus::Closed],
            to: RectificationStatus::Open,
            permissions: &[Permission::InspectionsManage],
            reason: Some("reason"),
            action: "inspections.rectification_reopened",
        },
    ];
    fn state_label(s: RectificationStatus) -> String {
        format!("inspections.rectification_status.{s}")
    }
    const REFUSED: &'static str = "inspections.step_refused";
    const CHANGED: &'static str = "inspections.changed_meanwhile";
}

/// The office's weights of the year-end assessment, in percent (they sum to 100).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Weights {
    /// The average inspection score.
    pub inspection: i64,
    /// Activities held against 2 a month.
    pub activities: i64,
    /// The share of held activities documented.
    pub documented: i64,
    /// Participation against the plan's 25 %.
    pub participation: i64,
    /// The share of the year's rectifications closed.
    pub rectification: i64,
}

impl Default for Weights {
    /// Inspections first (Q五(三): the scores go into the year-end assessment), then the data.
    fn default() -> Weights {
        Weights {
            inspection: 60,
            activities: 20,
            documented: 10,
            participation: 10,
            rectification: 0,
        }
    }
}

impl Weights {
    /// True when each is 0–100 and they sum to 100.
    pub fn valid(&self) -> bool {
        let all = [
            self.inspection,
            self.activities,
            self.documented,
            self.participation,
            self.rectification,
        ];
        all.iter().all(|w| (0..=100).contains(w)) && all.iter().sum::<i64>() == 100
    }
}

/// A centre's parts of the assessment, each in hundredths of a percent (0–10000).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Parts {
    pub inspection: i64,
    pub activities: i64,
    pub documented: i64,
    pub participation: i64,
    pub rectification: i64,
}

/// The share `part / whole` in hundredths of a percent, capped at 100 %; `empty` when there is
/// no whole.
pub fn share(part: i64, whole: i64, empty: i64) -> i64 {
    if whole <= 0 {
        empty
    } else {
        (part.max(0) * 10_000 / whole).min(10_000)
    }
}

/// The score of parts under weights, in hundredths of a point (0–10000): Σ weight × part / 100,
/// rounded half up.
pub fn score(w: &Weights, p: &Parts) -> i64 {
    let sum = w.inspection * p.inspection
        + w.activities * p.activities
        + w.documented * p.documented
        + w.participation * p.participation
        + w.rectification * p.rectification;
    (sum + 50) / 100
}

/// Ranks by score, highest first; equal scores share a rank (1, 1, 3); the order among equals
/// is the given one.
pub fn ranks(scores: &[i64]) -> Vec<(usize, usize)> {
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|a, b| scores[*b].cmp(&scores[*a]).then(a.cmp(b)));
    let mut out = Vec::with_capacity(order.len());
    for (pos, &i) in order.iter().enumerate() {
        let rank = match out.last() {
            Some(&(prev, r)) if scores[prev] == scores[i] => r,
            _ => pos + 1,
        };
        out.push((i, rank));
    }
    out
}

/// Hundredths as printed: 8125 → "81.25".
pub fn hundredths(v: i64) -> String {
    format!("{}.{:02}", v / 100, v % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_score_is_the_weighted_sum_of_the_parts() {
        let w = Weights {
            inspection: 60,
            activities: 20,
            documented: 10,
            participation: 10,
            rectification: 0,
        };
        // Inspections 85 % and 77 % → 81 %; 20 of 24 activities; 15 of 20 documented; 20 % of
        // the community against 25 % → 80 %.
        let p = Parts {
            inspection: 8100,
            activities: share(20, 24, 0),
            documented: share(15, 20, 0),
            participation: share(2000, 2500, 0),
            rectification: share(0, 0, 10_000),
        };
        assert_eq!(p.activities, 8333);
        assert_eq!(
            (p.documented, p.participation, p.rectification),
            (7500, 8000, 10_000)
        );
        // 0.6 × 81 + 0.2 × 83.33 + 0.1 × 75 + 0.1 × 80 = 48.6 + 16.666 + 7.5 + 8 = 80.766 → 80.77
        assert_eq!(score(&w, &p), 8077);
        assert_eq!(hundredths(score(&w, &p)), "80.77");
        assert!(w.valid() && Weights::default().valid());
        assert!(
            !Weights {
                rectification: 5,
                ..w
            }
            .valid()
        );
    }

    #[test]
    fn shares_are_capped_and_an_empty_whole_has_its_own_value() {
        assert_eq!(share(30, 24, 0), 10_000);
        assert_eq!(share(0, 0, 0), 0);
        assert_eq!(share(3, 0, 10_000), 10_000);
    }

    #[test]
    fn equal_scores_share_a_rank() {
        assert_eq!(
            ranks(&[7000, 9000, 7000, 5000]),
            vec![(1, 1), (0, 2), (2, 2), (3, 4)]
        );
        assert_eq!(ranks(&[]), vec![]);
    }

    #[test]
    fn a_rectification_is_answered_then_closed_or_reopened() {
        use crate::workflow::next;
        use RectificationStatus::*;
        assert_eq!(
            next::<Rectifying>(Open, RectifyStep::Answer),
            Some(Answered)
        );
        assert_eq!(next::<Rectifying>(Open, RectifyStep::Close), None);
        assert_eq!(
            next::<Rectifying>(Answered, RectifyStep::Close),
            Some(Closed)
        );
        assert_eq!(next::<Rectifying>(Closed, RectifyStep::Reopen), Some(Open));
        assert_eq!(next::<Rectifying>(Closed, RectifyStep::Answer), None);
    }
}
