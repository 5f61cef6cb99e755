//! Rules of the town's funds, pure: money as integer fen read from what a clerk types, the floor
//! of 2 yuan per resident (Q三(五), SPEC "Funding"), who may not be paid a lecture fee (Q三(五)2),
//! and Qiling's training-spend shares (L三3).

use crate::error::Msg;

crate::text_enum! {
    /// Where income comes from.
    pub enum Channel {
        /// 政府专项经费: the special budget the floor is checked against.
        Government = "government",
        Community = "community",
        HigherLevel = "higher_level",
        Donation = "donation",
        Other = "other",
    }
}

crate::text_enum! {
    /// What an expense pays for (Q三(五)).
    pub enum ExpenseCategory {
        /// 授课费
        LectureFee = "lecture_fee",
        /// 误工补助: residents' lost-work compensation.
        LostWork = "lost_work",
        /// 评选表彰及奖励
        Award = "award",
        /// 其他活动经费
        Activity = "activity",
        /// 设施设备
        Equipment = "equipment",
    }
}

/// What an expense pays for (schema name `ExpenseCategory`).
pub type Category = ExpenseCategory;

crate::text_enum! {
    /// A unit of Qiling's training-spend register.
    pub enum RegisterKind {
        /// 企业: 1.5–2.5 % of the payroll on staff training.
        Enterprise = "enterprise",
        /// 学校: 5 % of its funds on teacher training.
        School = "school",
    }
}

/// Fen in a yuan.
pub const FEN: i64 = 100;
/// The most one amount may be: 10 million yuan (a typing slip beyond it is refused).
pub const MAX_FEN: i64 = 10_000_000 * FEN;
/// The floor of the special budget per resident: 2 yuan (Q三(五)1).
pub const FLOOR_PER_RESIDENT_FEN: i64 = 2 * FEN;

/// Reads an amount of yuan as typed ("1,234.5", "１２０", "¥80.00") into fen: digits with at most
/// two decimals, more than zero, at most 10 million yuan. Never through floating point.
pub fn parse_yuan(text: &str) -> Result<i64, Msg> {
    let t: String = text
        .trim()
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            '．' | '。' => '.',
            c => c,
        })
        .filter(|c| !matches!(c, ',' | '，' | ' ' | '¥' | '￥'))
        .collect();
    let t = t.strip_suffix('元').unwrap_or(&t);
    if t.is_empty() {
        return Err(Msg::new("field.required"));
    }
    if t.starts_with('-') {
        return Err(Msg::new("funding.amount_negative"));
    }
    let (whole, frac) = t.split_once('.').unwrap_or((t, ""));
    if whole.is_empty() && frac.is_empty()
        || !whole.chars().all(|c| c.is_ascii_digit())
        || !frac.chars().all(|c| c.is_ascii_digit())
    {
        return Err(Msg::new("funding.amount_invalid").arg("value", text.trim()));
    }
    if frac.len() > 2 {
        return Err(Msg::new("funding.amount_decimals"));
    }
    let whole = whole.trim_start_matches('0');
    if whole.len() > 9 {
        return Err(too_large());
    }
    let yuan: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().map_err(|_| too_large())?
    };
    let cents: i64 = format!("{frac:0<2}").parse().unwrap_or(0);
    let fen = yuan * FEN + cents;
    if fen == 0 {
        Err(Msg::new("funding.amount_zero"))
    } else if fen > MAX_FEN {
        Err(too_large())
    } else {
        Ok(fen)
    }
}

fn too_large() -> Msg {
    Msg::new("funding.amount_too_large").arg("max", "10,000,000")
}

/// Fen as yuan with two decimals and thousands separators: 123456789 → "1,234,567.89".
pub fn yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let fen = fen.unsigned_abs();
    let whole = (fen / 100).to_string();
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{sign}{grouped}.{:02}", fen % 100)
}

/// The floor of the year's special budget for a resident population, in fen.
pub fn floor_fen(population: i64) -> i64 {
    population.max(0) * FLOOR_PER_RESIDENT_FEN
}

/// How far the special budget falls short of the floor, in fen (0 when it is met).
pub fn shortfall_fen(budget_fen: i64, population: i64) -> i64 {
    (floor_fen(population) - budget_fen).max(0)
}

/// Why a teacher may not be paid a lecture fee (Q三(五)2: volunteers, government staff and
/// community staff teach without one), or `None` when a fee may be paid.
pub fn lecture_fee_refusal(teacher_type: &str, source: &str) -> Option<Msg> {
    if teacher_type == "volunteer" {
        Some(Msg::new("funding.no_fee_volunteer"))
    } else if source == "government_staff" {
        Some(Msg::new("funding.no_fee_government"))
    } else if source == "community_staff" {
        Some(Msg::new("funding.no_fee_community"))
    } else {
        None
    }
}

/// Where a unit of the training register stands: its spend as a share of its base in hundredths
/// of a percent (1.5 % is 150), and whether that is outside the band the plan sets — an
/// enterprise 1.5–2.5 % of its payroll, a school at least 5 % of its funds (L三3).
pub fn register_share(kind: RegisterKind, base_fen: i64, spend_fen: i64) -> (i64, bool) {
    if base_fen <= 0 {
        return (0, true);
    }
    // Rounded to the nearest hundredth of a percent, in integers.
    let share = (spend_fen * 10_000 * 2 + base_fen) / (base_fen * 2);
    let outside = match kind {
        RegisterKind::Enterprise => {
            spend_fen * 1000 < base_fen * 15 || spend_fen * 1000 > base_fen * 25
        }
        RegisterKind::School => spend_fen * 100 < base_fen * 5,
    };
    (share, outside)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_read_into_exact_fen() {
        assert_eq!(parse_yuan("1,234.5"), Ok(123_450));
        assert_eq!(parse_yuan(" ￥80.00 "), Ok(8_000));
        assert_eq!(parse_yuan("１２０元"), Ok(12_000));
        assert_eq!(parse_yuan("0.01"), Ok(1));
        assert_eq!(parse_yuan(".5"), Ok(50));
        assert_eq!(parse_yuan("10000000"), Ok(MAX_FEN));
        // 0.1 + 0.2 is not 0.30000000000000004 here.
        assert_eq!(parse_yuan("0.1").unwrap() + parse_yuan("0.2").unwrap(), 30);
    }

    #[test]
    fn bad_amounts_are_refused_by_what_is_wrong() {
        let key = |s: &str| parse_yuan(s).unwrap_err().key;
        assert_eq!(key(""), "field.required");
        assert_eq!(key("-5"), "funding.amount_negative");
        assert_eq!(key("12.345"), "funding.amount_decimals");
        assert_eq!(key("10000000.01"), "funding.amount_too_large");
        assert_eq!(key("99999999999999999999"), "funding.amount_too_large");
        assert_eq!(key("0"), "funding.amount_zero");
        assert_eq!(key("1e5"), "funding.amount_invalid");
        assert_eq!(key("十元"), "funding.amount_invalid");
        assert_eq!(key("."), "funding.amount_invalid");
    }

    #[test]
    fn fen_are_shown_as_yuan() {
        assert_eq!(yuan(123_456_789), "1,234,567.89");
        assert_eq!(yuan(5), "0.05");
        assert_eq!(yuan(-1_000_000), "-10,000.00");
    }

    #[test]
    fn the_floor_is_two_yuan_a_resident() {
        // 38,456 residents: 76,912 yuan; a budget of 70,000 yuan falls short by 6,912.
        assert_eq!(floor_fen(38_456), 7_691_200);
        assert_eq!(shortfall_fen(7_000_000, 38_456), 691_200);
        assert_eq!(shortfall_fen(8_000_000, 38_456), 0);
    }

    #[test]
    fn volunteers_government_and_community_staff_get_no_lecture_fee() {
        let key = |t, s| lecture_fee_refusal(t, s).map(|m| m.key);
        assert_eq!(
            key("volunteer", "retired_teacher"),
            Some("funding.no_fee_volunteer")
        );
        assert_eq!(
            key("part_time", "government_staff"),
            Some("funding.no_fee_government")
        );
        assert_eq!(
            key("full_time", "community_staff"),
            Some("funding.no_fee_community")
        );
        assert_eq!(key("part_time", "expert"), None);
    }

    #[test]
    fn training_shares_are_flagged_outside_the_plan() {
        use RegisterKind::*;
        // Payroll 1,000,000 yuan: 15,000 is 1.5 % (inside), 14,999 under, 25,001 over.
        assert_eq!(
            register_share(Enterprise, 100_000_000, 1_500_000),
            (150, false)
        );
        assert!(register_share(Enterprise, 100_000_000, 1_499_900).1);
        assert!(register_share(Enterprise, 100_000_000, 2_500_100).1);
        assert_eq!(
            register_share(Enterprise, 100_000_000, 2_000_000),
            (200, false)
        );
        // A school's funds 800,000 yuan: 40,000 is 5 %; 39,999 is under.
        assert_eq!(register_share(School, 80_000_000, 4_000_000), (500, false));
        assert!(register_share(School, 80_000_000, 3_999_900).1);
    }
}
