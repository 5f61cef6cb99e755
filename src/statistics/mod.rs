//! Statistics (统计报表, SPEC "Reports"): the monthly report of a centre or a town, the annual
//! report of a town or a district, and the year's work summary (年度工作总结) drafted from them.
//! Each is composed of the figures the concepts own — activities, attendance, people, targets,
//! schedule, funding, commendation, inspections — asked through their own functions, so each
//! section keeps its concept's scope rule: a section the reader may not read is left out, never
//! re-derived here. Read by whoever reads the KPIs of the place (`targets:read`).

pub mod annual;
pub mod monthly;
pub mod summary;
pub mod workbook;

pub use annual::{AnnualReport, annual};
pub use monthly::{MonthlyReport, monthly};
pub use summary::work_summary;

use crate::error::{Error, FieldErrors, Msg, Result};

/// A section the reader may not read (another concept's permission or scope) is left out.
fn optional<T>(r: Result<T>) -> Result<Option<T>> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(Error::Forbidden(_) | Error::NotFound) => Ok(None),
        Err(e) => Err(e),
    }
}

/// A report's year and month as asked: the year 2000–2100, the month 1–12, each refused with
/// its field named.
pub fn check_period(year: i32, month: Option<u32>) -> Result<()> {
    let mut fe = FieldErrors::default();
    if !(2000..=2100).contains(&year) {
        fe.add("year", Msg::new("statistics.bad_year"));
    }
    if month.is_some_and(|m| !(1..=12).contains(&m)) {
        fe.add("month", Msg::new("statistics.bad_month"));
    }
    fe.into_result()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_are_checked_with_their_fields_named() {
        assert!(check_period(2026, Some(12)).is_ok());
        assert!(check_period(2026, None).is_ok());
        let Err(Error::Invalid(fe)) = check_period(1999, Some(13)) else {
            panic!("refused")
        };
        assert!(fe.get("year").is_some() && fe.get("month").is_some());
    }
}
