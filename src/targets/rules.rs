//! The pure rules of the KPIs: which there are, their targets in the plan (Qunli's figures, Q二(三)),
//! how a value is made from its numerator and denominator, and the status against the target —
//! met, on track, at risk (the year-so-far pace would miss it), missed (the year is over) — or
//! no value with the reason.

use serde::Serialize;

use crate::calendar::{Day, Year};

crate::text_enum! {
    /// A KPI of the plan.
    pub enum Kpi {
        /// 参与率: distinct residents who attended ÷ population.
        Participation = "participation",
        /// 知晓率
        Awareness = "awareness",
        /// 认同率
        Approval = "approval",
        /// 满意率: satisfied survey answers and ratings of 4–5 ÷ all of both.
        Satisfaction = "satisfaction",
        /// Activities a learning centre a month.
        ActivitiesPerCentre = "activities_per_centre",
        /// Teacher trainings a town a year.
        TeacherTrainings = "teacher_trainings",
        /// Leadership group meetings a town a year.
        LeadershipMeetings = "leadership_meetings",
        /// Special funds a resident (yuan).
        FundsPerResident = "funds_per_resident",
    }
}

crate::text_enum! {
    /// Where a KPI stands against its target.
    pub enum Standing {
        /// 已达标
        Met = "met",
        /// 按进度可达标: below the target, the year-so-far pace reaches it.
        OnTrack = "on_track",
        /// 有风险: the year-so-far pace (or the level so far) would miss it.
        AtRisk = "at_risk",
        /// 未达标: the year is over below the target.
        Missed = "missed",
        /// 无数据: no value (the reason says why).
        NoData = "no_data",
    }
}

impl Kpi {
    /// The plan's target (Qunli's figures): a share in per cent, an average, a count or yuan.
    pub fn plan_target(self) -> f64 {
        match self {
            Kpi::Participation => 25.0,
            Kpi::Awareness | Kpi::Approval => 70.0,
            Kpi::Satisfaction => 50.0,
            Kpi::ActivitiesPerCentre => 2.0,
            Kpi::TeacherTrainings => 2.0,
            Kpi::LeadershipMeetings => 1.0,
            Kpi::FundsPerResident => 2.0,
        }
    }

    /// What the numerator is multiplied by to make the value (shares are per cent; funds are
    /// counted in fen and shown in yuan).
    pub fn scale(self) -> f64 {
        match self {
            Kpi::Participation | Kpi::Awareness | Kpi::Approval | Kpi::Satisfaction => 100.0,
            Kpi::FundsPerResident => 0.01,
            _ => 1.0,
        }
    }

    /// True for a KPI that grows through the year (judged by its pace), false for a level.
    pub fn accumulates(self) -> bool {
        matches!(
            self,
            Kpi::Participation
                | Kpi::TeacherTrainings
                | Kpi::LeadershipMeetings
                | Kpi::FundsPerResident
        )
    }

    /// True for a KPI a town answers for (not a centre).
    pub fn of_towns(self) -> bool {
        matches!(
            self,
            Kpi::TeacherTrainings | Kpi::LeadershipMeetings | Kpi::FundsPerResident
        )
    }

    /// A value as shown: `25.3%`, `2.4`, `3`, `2.15 元`.
    pub fn show(self, v: f64) -> String {
        match self {
            Kpi::Participation | Kpi::Awareness | Kpi::Approval | Kpi::Satisfaction => {
                format!("{v:.1}%")
            }
            Kpi::ActivitiesPerCentre => format!("{v:.1}"),
            Kpi::TeacherTrainings | Kpi::LeadershipMeetings => {
                if v.fract() == 0.0 {
                    format!("{v:.0}")
                } else {
                    format!("{v:.1}")
                }
            }
            Kpi::FundsPerResident => format!("{v:.2} 元"),
        }
    }
}

/// The share of the year gone by on a day: 0 before it, 1 after it.
pub fn elapsed(year: Year, today: Day) -> f64 {
    let first = Day::ymd(year.0, 1, 1).unwrap_or(today);
    let next = Day::ymd(year.0 + 1, 1, 1).unwrap_or(today);
    if today < first {
        0.0
    } else if today >= next {
        1.0
    } else {
        (first.days_until(today) + 1) as f64 / first.days_until(next) as f64
    }
}

/// A KPI's value: numerator × scale ÷ denominator; none when the denominator is 0.
pub fn value(kpi: Kpi, numerator: i64, denominator: i64) -> Option<f64> {
    (denominator > 0).then(|| numerator as f64 * kpi.scale() / denominator as f64)
}

/// Where a value stands against the target with `elapsed` of the year gone by.
pub fn standing(kpi: Kpi, value: Option<f64>, target: f64, elapsed: f64) -> Standing {
    let Some(v) = value else {
        return Standing::NoData;
    };
    if v + 1e-9 >= target {
        Standing::Met
    } else if elapsed >= 1.0 {
        Standing::Missed
    } else if kpi.accumulates() && elapsed > 0.0 && v / elapsed + 1e-9 >= target {
        Standing::OnTrack
    } else {
        Standing::AtRisk
    }
}

/// One KPI's line: value, target, standing, and the two numbers it is made of.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct KpiLine {
    pub kpi: Kpi,
    pub value: Option<f64>,
    /// The value as shown ("—" when there is none).
    pub shown: String,
    pub target: f64,
    pub target_shown: String,
    pub standing: Standing,
    pub numerator: i64,
    pub denominator: i64,
    /// Why there is no value (a locale key), when there is none.
    pub reason: Option<String>,
}

/// Makes a KPI's line; `no_value` is the reason shown when the denominator is 0.
pub fn line(
    kpi: Kpi,
    numerator: i64,
    denominator: i64,
    target: f64,
    elapsed: f64,
    no_value: &str,
) -> KpiLine {
    let v = value(kpi, numerator, denominator);
    KpiLine {
        kpi,
        value: v,
        shown: v.map_or_else(|| "—".to_string(), |v| kpi.show(v)),
        target,
        target_shown: kpi.show(target),
        standing: standing(kpi, v, target, elapsed),
        numerator,
        denominator,
        reason: v.is_none().then(|| no_value.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_made_from_their_parts_and_none_without_a_denominator() {
        assert_eq!(value(Kpi::Participation, 3, 12), Some(25.0));
        assert_eq!(value(Kpi::Participation, 3, 0), None);
        assert_eq!(
            value(Kpi::FundsPerResident, 700_000, 3_000),
            Some(7000.0 / 3000.0)
        );
        let l = line(Kpi::Participation, 1, 0, 25.0, 0.5, "targets.no_population");
        assert_eq!((l.shown.as_str(), l.standing), ("—", Standing::NoData));
        assert_eq!(l.reason.as_deref(), Some("targets.no_population"));
        assert_eq!(Kpi::FundsPerResident.show(2.0), "2.00 元");
    }

    #[test]
    fn the_pace_of_an_accumulating_kpi_decides_on_track_or_at_risk() {
        // Half the year gone: 13 % of residents reached is on pace for 26 %; 12 % is not.
        assert_eq!(
            standing(Kpi::Participation, Some(13.0), 25.0, 0.5),
            Standing::OnTrack
        );
        assert_eq!(
            standing(Kpi::Participation, Some(12.0), 25.0, 0.5),
            Standing::AtRisk
        );
        assert_eq!(
            standing(Kpi::Participation, Some(25.0), 25.0, 0.1),
            Standing::Met
        );
        // The year over below the target: missed.
        assert_eq!(
            standing(Kpi::Participation, Some(24.0), 25.0, 1.0),
            Standing::Missed
        );
        // A level is not paced: below the target it is at risk all year.
        assert_eq!(
            standing(Kpi::Awareness, Some(69.0), 70.0, 0.1),
            Standing::AtRisk
        );
        // One training in the first quarter paces to 4 a year.
        assert_eq!(
            standing(Kpi::TeacherTrainings, Some(1.0), 2.0, 0.25),
            Standing::OnTrack
        );
    }

    #[test]
    fn the_year_gone_by_counts_today() {
        let y = Year(2026);
        assert_eq!(elapsed(y, Day::ymd(2025, 12, 31).unwrap()), 0.0);
        assert_eq!(elapsed(y, Day::ymd(2027, 1, 1).unwrap()), 1.0);
        assert!((elapsed(y, Day::ymd(2026, 7, 2).unwrap()) - 183.0 / 365.0).abs() < 1e-9);
        assert!((elapsed(y, Day::ymd(2026, 12, 31).unwrap()) - 1.0).abs() < 1e-9);
    }
}
