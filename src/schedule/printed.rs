//! The schedule as the attachment prints it: a title naming the year and the town, then 月份 ·
//! 工作安排 · 主管单位 with each month merged over its rows — the same layout on the A4 print page
//! and in the xlsx export, which the import reads back as it was.

use super::rows::YearTable;
use crate::spreadsheet::{Printout, runs};

/// The printed title: "2026年齐陵街道社区教育工作配档表".
pub fn title(t: &YearTable) -> String {
    format!("{}年{}社区教育工作配档表", t.year, t.town_name)
}

/// The year as a printout (the xlsx export).
pub fn printout(t: &YearTable) -> Printout {
    Printout {
        sheet_name: "工作配档表".into(),
        title: title(t),
        headers: ["月份", "工作安排", "主管单位"].map(String::from).to_vec(),
        widths: vec![10.0, 48.0, 30.0],
        rows: t
            .rows
            .iter()
            .map(|r| vec![r.months.clone(), r.item.clone(), r.units_text()])
            .collect(),
        landscape: false,
    }
}

/// How many rows each row's month cell spans on the print page (0 under a merged month).
pub fn month_spans(t: &YearTable) -> Vec<usize> {
    let months: Vec<&str> = t.rows.iter().map(|r| r.months.as_str()).collect();
    runs(&months)
}
