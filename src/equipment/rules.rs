//! Rules of equipment and venues, pure: what a piece's condition and source may be, and the gap
//! of a centre against its standard list (missing, short, broken), room by room and item by item.

use serde::Serialize;

crate::text_enum! {
    /// The state a piece of equipment is in.
    pub enum Condition {
        /// 完好
        Good = "good",
        /// 待维修
        Repair = "repair",
        /// 损坏
        Broken = "broken",
    }
}

crate::text_enum! {
    /// Where a piece of equipment came from (Q三(二): bought by the office or the culture centre;
    /// L二1: reused from a school after its rebuilding; donated).
    pub enum Source {
        /// 社区教育办公室配备
        Office = "office",
        /// 文化服务中心购置
        Culture = "culture",
        /// 学校改建替换下来再利用
        School = "school",
        /// 捐赠
        Donated = "donated",
        /// 其他
        Other = "other",
    }
}

crate::text_enum! {
    /// What a line of the standard list is.
    pub enum StandardKind {
        /// A piece of equipment (desks, TV, chess sets …).
        Item = "item",
        /// A venue or function room (reading room, basketball court …).
        Room = "room",
    }
}

crate::text_enum! {
    /// The nodes a line of the standard list applies to.
    pub enum AppliesTo {
        /// Every learning centre / work station (Q三(二)).
        Centre = "centre",
        /// The town's community-education school or centre (L二1: the provincial standard).
        School = "school",
    }
}

crate::text_enum! {
    /// How a centre stands against one line of its standard.
    pub enum GapStatus {
        /// Enough in good condition.
        Met = "met",
        /// None at all of a required line: buy or set it up.
        Missing = "missing",
        /// Fewer than required even counting the faulty ones: buy more.
        Short = "short",
        /// Enough only if the faulty ones were repaired: repair them.
        Broken = "broken",
        /// An optional line (where possible, 有条件的): shown, never a gap.
        Optional = "optional",
    }
}

impl GapStatus {
    /// True for the three kinds of gap.
    pub fn is_gap(self) -> bool {
        matches!(
            self,
            GapStatus::Missing | GapStatus::Short | GapStatus::Broken
        )
    }
}

/// What a centre holds of one line: in good condition, and needing repair or broken.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Held {
    pub good: i64,
    pub faulty: i64,
}

/// The status of a line: `required` units are asked for (of a required line or an optional one).
pub fn gap_status(required: i64, mandatory: bool, held: Held) -> GapStatus {
    if held.good >= required {
        GapStatus::Met
    } else if !mandatory {
        GapStatus::Optional
    } else if held.good + held.faulty == 0 {
        GapStatus::Missing
    } else if held.good + held.faulty >= required {
        GapStatus::Broken
    } else {
        GapStatus::Short
    }
}

/// How many units are lacking (to buy: short or missing) and how many to repair.
pub fn lacking(required: i64, held: Held) -> (i64, i64) {
    let missing = (required - held.good - held.faulty).max(0);
    let repair = (required - held.good).max(0) - missing;
    (missing, repair.min(held.faulty))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn held(good: i64, faulty: i64) -> Held {
        Held { good, faulty }
    }

    #[test]
    fn a_line_is_met_missing_short_or_broken() {
        assert_eq!(gap_status(20, true, held(20, 0)), GapStatus::Met);
        assert_eq!(gap_status(20, true, held(25, 3)), GapStatus::Met);
        assert_eq!(gap_status(1, true, held(0, 0)), GapStatus::Missing);
        assert_eq!(gap_status(20, true, held(12, 3)), GapStatus::Short);
        assert_eq!(gap_status(1, true, held(0, 1)), GapStatus::Broken);
        assert_eq!(gap_status(20, true, held(18, 2)), GapStatus::Broken);
        // "有条件的社区可自行增加电脑、投影仪": never a gap.
        assert_eq!(gap_status(1, false, held(0, 0)), GapStatus::Optional);
        assert_eq!(gap_status(1, false, held(1, 0)), GapStatus::Met);
        assert!(GapStatus::Short.is_gap() && !GapStatus::Optional.is_gap());
    }

    #[test]
    fn what_is_lacking_splits_into_buying_and_repairing() {
        assert_eq!(lacking(20, held(12, 3)), (5, 3));
        assert_eq!(lacking(20, held(18, 5)), (0, 2));
        assert_eq!(lacking(1, held(0, 0)), (1, 0));
        assert_eq!(lacking(2, held(3, 1)), (0, 0));
    }
}
