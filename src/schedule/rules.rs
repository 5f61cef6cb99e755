//! Rules of a schedule row, pure: what a row as printed says, and where it stands on a day.

use crate::calendar::{Day, Months};
use crate::error::{FieldErrors, Msg};
use crate::text;

crate::text_enum! {
    /// Where a row of the schedule stands.
    pub enum RowStatus {
        Planned = "planned",
        UnderWay = "under_way",
        Done = "done",
        Overdue = "overdue",
    }
}

/// Where a row stands (its schema name is `RowStatus`: `Status` is taken by activities).
pub type Status = RowStatus;

/// How many teacher trainings the town school organises a year (Q四(四)3: 全年2-3次).
pub const TEACHER_TRAININGS_PER_YEAR: (i64, i64) = (2, 3);

/// Where a row stands on `today`: done once its unit marked it done (or a linked activity was
/// documented); otherwise by its months — before them planned, during them under way, after them
/// overdue.
pub fn status(months: Months, done: bool, today: Day) -> Status {
    if done {
        Status::Done
    } else if months.is_past(today) {
        Status::Overdue
    } else if months.contains(today) {
        Status::UnderWay
    } else {
        Status::Planned
    }
}

/// A row as the schedule prints it: its months, the work item, and the units responsible (each
/// named as printed; matching them to the tree is the stored schedule's part).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    pub months: Months,
    pub item: String,
    pub units: Vec<String>,
}

/// The separators people put between two responsible units in one cell.
const UNIT_SEPARATORS: [char; 7] = ['、', ',', '，', ';', '；', '/', '\n'];

/// Reads a row as printed for a year: "1-2月" / "全年", the item, one or more units. Each refused
/// field is named with a message a clerk understands.
pub fn read_line(months: &str, item: &str, units: &str, year: i32) -> Result<Line, FieldErrors> {
    let mut fe = FieldErrors::default();
    let parsed = if months.trim().is_empty() {
        fe.add("months", Msg::new("field.required"));
        None
    } else if months.trim().chars().count() > text::max::MONTHS {
        fe.add(
            "months",
            Msg::new("field.too_long").arg("max", text::max::MONTHS),
        );
        None
    } else {
        let parsed = Months::parse(months, year);
        if parsed.is_none() {
            fe.add(
                "months",
                Msg::new("schedule.months_invalid").arg("value", months.trim()),
            );
        }
        parsed
    };
    let item = text::required(&mut fe, "item", item, text::max::TITLE);
    if units.chars().count() > text::max::DEPARTMENTS {
        fe.add(
            "units",
            Msg::new("field.too_long").arg("max", text::max::DEPARTMENTS),
        );
        return Err(fe);
    }
    let mut names = Vec::new();
    for unit in units.split(UNIT_SEPARATORS).map(str::trim) {
        if !unit.is_empty() && !names.iter().any(|n: &String| n == unit) {
            names.push(text::required(&mut fe, "units", unit, text::max::NAME));
        }
    }
    if names.is_empty() {
        fe.add("units", Msg::new("schedule.unit_required"));
    }
    match parsed {
        Some(months) if fe.is_empty() => Ok(Line {
            months,
            item,
            units: names,
        }),
        _ => Err(fe),
    }
}

/// The names by which a town's own office is printed after the town's name (齐陵街道办事处,
/// 群力镇人民政府).
const OFFICE_SUFFIXES: [&str; 4] = ["办事处", "人民政府", "政府", "党工委"];

/// Matches the units of a row as printed to the town's tree: a node of that name (the town
/// itself, its school, groups, departments, communities, centres — `nodes` as (id, name), the
/// town first), or the town for its office's printed name; any other name stays a unit outside
/// the tree.
pub fn match_units(names: &[String], nodes: &[(i64, String)]) -> Vec<super::Unit> {
    let town = nodes.first();
    names
        .iter()
        .map(|name| {
            let node = nodes.iter().find(|(_, n)| n == name).or_else(|| {
                town.filter(|(_, t)| {
                    name.strip_prefix(t.as_str())
                        .is_some_and(|rest| OFFICE_SUFFIXES.contains(&rest))
                })
            });
            super::Unit {
                node_id: node.map(|(id, _)| *id),
                name: name.clone(),
            }
        })
        .collect()
}

/// The year a schedule's title names ("2021年齐陵街道社区教育中心工作配档表" → 2021).
pub fn year_in_title(title: &str) -> Option<i32> {
    let chars: Vec<char> = title.chars().collect();
    chars.windows(5).find_map(|w| {
        let digits: String = w[..4].iter().collect();
        (w[4] == '年' && w[..4].iter().all(char::is_ascii_digit))
            .then(|| digits.parse().ok())
            .flatten()
            .filter(|y| (2000..=2100).contains(y))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> Day {
        Day::parse(s).unwrap()
    }

    #[test]
    fn a_row_stands_by_its_months_until_it_is_done() {
        let may_june = Months::parse("5-6月", 2026).unwrap();
        assert_eq!(status(may_june, false, day("2026-04-30")), Status::Planned);
        assert_eq!(status(may_june, false, day("2026-05-01")), Status::UnderWay);
        assert_eq!(status(may_june, false, day("2026-06-30")), Status::UnderWay);
        assert_eq!(status(may_june, false, day("2026-07-01")), Status::Overdue);
        assert_eq!(status(may_june, true, day("2026-07-01")), Status::Done);
        assert_eq!(status(may_june, true, day("2026-03-01")), Status::Done);
        let year = Months::parse("全年", 2026).unwrap();
        assert_eq!(status(year, false, day("2026-12-31")), Status::UnderWay);
        assert_eq!(status(year, false, day("2027-01-01")), Status::Overdue);
    }

    #[test]
    fn a_row_is_read_as_printed() {
        let l = read_line("1-2月", "加强社区防疫工作", "齐陵街道社区教育中心", 2021).unwrap();
        assert_eq!((l.months.first, l.months.last, l.months.year), (1, 2, 2021));
        assert_eq!(l.months.label(), "1-2月");
        assert_eq!(l.units, ["齐陵街道社区教育中心"]);
        let two = read_line(
            " 3月 ",
            "庆三八系列活动",
            "齐陵街道办事处、齐陵街道中心校",
            2021,
        )
        .unwrap();
        assert_eq!(two.units, ["齐陵街道办事处", "齐陵街道中心校"]);
        assert_eq!(two.item, "庆三八系列活动");
    }

    #[test]
    fn a_bad_row_names_each_field() {
        let fields = |e: FieldErrors| e.0.into_iter().map(|(f, m)| (f, m.key)).collect::<Vec<_>>();
        let e = read_line("", "", "", 2021).unwrap_err();
        assert_eq!(
            fields(e),
            [
                ("months".to_string(), "field.required"),
                ("item".to_string(), "field.required"),
                ("units".to_string(), "schedule.unit_required"),
            ]
        );
        let e = read_line("13月", "年度工作总结", "、", 2021).unwrap_err();
        assert_eq!(
            fields(e),
            [
                ("months".to_string(), "schedule.months_invalid"),
                ("units".to_string(), "schedule.unit_required"),
            ]
        );
    }

    #[test]
    fn units_are_matched_to_the_tree_by_name_or_stay_named() {
        let nodes = vec![
            (3, "群力镇".to_string()),
            (7, "群力镇社区教育学校".to_string()),
            (9, "群力镇社保所".to_string()),
        ];
        let names: Vec<String> = ["群力镇社保所", "群力镇人民政府", "区文明办"]
            .map(String::from)
            .to_vec();
        let units = match_units(&names, &nodes);
        let ids: Vec<Option<i64>> = units.iter().map(|u| u.node_id).collect();
        assert_eq!(ids, [Some(9), Some(3), None]);
        assert_eq!(
            units[2].name, "区文明办",
            "a unit outside the tree keeps its name"
        );
    }

    #[test]
    fn the_year_is_read_from_the_title() {
        assert_eq!(
            year_in_title("2021年齐陵街道社区教育中心工作配档表"),
            Some(2021)
        );
        assert_eq!(year_in_title("群力镇 2026年度社区教育工作安排"), Some(2026));
        assert_eq!(year_in_title("工作配档表"), None);
        assert_eq!(year_in_title("第1234年"), None);
    }
}
