//! Reports: a report is a function of (scope, period) that returns a [`Report`] — a typed table
//! whose rows stand for nodes of the organisation tree. What every KPI, ranking and district
//! report shares lives here: counting dated things per node and month ([`MonthCounts`]), summing
//! rows up the tree by level on the materialised path ([`roll_up`]), and rendering one table in
//! every output (the page reads the cells, [`Report::to_sheet`] feeds xlsx, [`Report::to_csv`]).
//! A report names no concept: the concept that owns the data builds the rows.

use std::collections::{BTreeMap, HashMap};

use crate::calendar::Year;
use crate::i18n::{self, Lang};
use crate::spreadsheet;

/// One value of a report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cell {
    Text(String),
    Count(i64),
    /// A count that breaks a rule of the plan (shown marked on the page, starred in files).
    Flagged(i64),
    /// No count is expected here (a month before a centre was set up); adds nothing to a sum.
    NotExpected,
}

impl Cell {
    /// The number a roll-up adds, if the cell is one.
    pub fn number(&self) -> Option<i64> {
        match self {
            Cell::Count(n) | Cell::Flagged(n) => Some(*n),
            Cell::NotExpected => Some(0),
            Cell::Text(_) => None,
        }
    }

    /// The cell as a file shows it.
    pub fn text(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Count(n) => n.to_string(),
            Cell::Flagged(n) => format!("{n}*"),
            Cell::NotExpected => "—".to_string(),
        }
    }
}

/// A line of a report: the node it stands for (its id and materialised path), then its cells.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    pub node_id: i64,
    pub path: String,
    pub cells: Vec<Cell>,
}

/// A column heading: an i18n key, or a text made for this report (a month label).
#[derive(Clone, Debug)]
pub enum Heading {
    Key(&'static str),
    Text(String),
}

/// A typed table, independent of where it is shown.
#[derive(Clone, Debug)]
pub struct Report {
    /// i18n key of the title (also the sheet's and the file's name).
    pub title: &'static str,
    pub headings: Vec<Heading>,
    pub rows: Vec<Row>,
    /// i18n keys of lines printed under the table.
    pub notes: Vec<&'static str>,
}

impl Report {
    fn headings(&self, lang: Lang) -> Vec<String> {
        self.headings
            .iter()
            .map(|h| match h {
                Heading::Key(k) => i18n::t(lang, k).to_string(),
                Heading::Text(t) => t.clone(),
            })
            .collect()
    }

    /// The report as a spreadsheet (xlsx renderer's input); text cells stay text in Excel.
    pub fn to_sheet(&self, lang: Lang) -> spreadsheet::Table {
        let text_columns = match self.rows.first() {
            Some(r) => r
                .cells
                .iter()
                .enumerate()
                .filter(|(_, c)| matches!(c, Cell::Text(_)))
                .map(|(i, _)| i)
                .collect(),
            None => Vec::new(),
        };
        spreadsheet::Table {
            sheet_name: i18n::t(lang, self.title).to_string(),
            headers: self.headings(lang),
            rows: self
                .rows
                .iter()
                .map(|r| r.cells.iter().map(Cell::text).collect())
                .collect(),
            text_columns,
            number_columns: Vec::new(),
            charts: Vec::new(),
            notes: self
                .notes
                .iter()
                .map(|k| i18n::t(lang, k).to_string())
                .collect(),
        }
    }

    /// The report as CSV (UTF-8 with a byte-order mark, so Excel opens Chinese text right).
    pub fn to_csv(&self, lang: Lang) -> String {
        let line = |cells: Vec<String>| {
            cells
                .iter()
                .map(|c| csv_field(&spreadsheet::neutralise(c)))
                .collect::<Vec<_>>()
                .join(",")
        };
        let mut out = String::from("\u{feff}");
        out.push_str(&line(self.headings(lang)));
        out.push_str("\r\n");
        for r in &self.rows {
            out.push_str(&line(r.cells.iter().map(Cell::text).collect()));
            out.push_str("\r\n");
        }
        out
    }
}

/// A CSV field, quoted when it holds a comma, a quote or a line break.
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// Dated things counted per node and month of one year (Beijing months).
#[derive(Debug)]
pub struct MonthCounts {
    year: Year,
    counts: HashMap<i64, [i64; 12]>,
}

impl MonthCounts {
    pub fn new(year: Year) -> MonthCounts {
        MonthCounts {
            year,
            counts: HashMap::new(),
        }
    }

    /// Counts `n` things of `node` in a month (YYYYMM); a month outside the year is left out.
    pub fn add_in_month(&mut self, node: i64, month: i32, n: i64) {
        let m = month % 100;
        if month / 100 == self.year.0 && (1..=12).contains(&m) {
            self.counts.entry(node).or_insert([0; 12])[m as usize - 1] += n;
        }
    }

    /// The twelve counts of a node, January first (zeros for a node with none).
    pub fn of(&self, node: i64) -> [i64; 12] {
        self.counts.get(&node).copied().unwrap_or([0; 12])
    }
}

/// The id of the ancestor at `level` of a materialised path (`/1/2/5/9/`: level 1 is `1`).
pub fn ancestor_at(path: &str, level: usize) -> Option<i64> {
    path.trim_matches('/')
        .split('/')
        .nth(level.checked_sub(1)?)
        .and_then(|s| s.parse().ok())
}

/// Rows summed up to their ancestors at `level` (centre → town → district): one row per
/// ancestor, in the order each first appears, its first cell the ancestor's name from `names`,
/// every numeric column added (a flag does not survive the sum: the rule is the centre's).
/// Rows not as deep as `level` are left out.
pub fn roll_up(rows: &[Row], level: usize, names: &HashMap<i64, String>) -> Vec<Row> {
    let mut order: Vec<i64> = Vec::new();
    let mut sums: BTreeMap<i64, Row> = BTreeMap::new();
    for r in rows {
        let Some(id) = ancestor_at(&r.path, level) else {
            continue;
        };
        let path_to = r
            .path
            .trim_matches('/')
            .split('/')
            .take(level)
            .collect::<Vec<_>>()
            .join("/");
        let sum = sums.entry(id).or_insert_with(|| {
            order.push(id);
            Row {
                node_id: id,
                path: format!("/{path_to}/"),
                cells: r
                    .cells
                    .iter()
                    .enumerate()
                    .map(|(i, c)| match (i, c.number()) {
                        (0, _) => Cell::Text(names.get(&id).cloned().unwrap_or_default()),
                        (_, Some(_)) => Cell::Count(0),
                        (_, None) => Cell::Text(String::new()),
                    })
                    .collect(),
            }
        });
        for (s, c) in sum.cells.iter_mut().zip(&r.cells) {
            if let (Cell::Count(total), Some(n)) = (s, c.number()) {
                *total += n;
            }
        }
    }
    order
        .into_iter()
        .filter_map(|id| sums.remove(&id))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: i64, path: &str, name: &str, counts: &[i64]) -> Row {
        let mut cells = vec![Cell::Text(name.into())];
        cells.extend(counts.iter().map(|n| Cell::Count(*n)));
        Row {
            node_id: id,
            path: path.into(),
            cells,
        }
    }

    #[test]
    fn centres_roll_up_to_their_towns_in_order_of_appearance() {
        let rows = [
            row(10, "/1/2/5/8/10/", "王家村学习点", &[2, 1]),
            row(11, "/1/2/6/9/11/", "齐陵学习点", &[0, 3]),
            row(12, "/1/2/5/7/12/", "新华学习点", &[1, 1]),
            row(3, "/1/2/", "区级", &[9, 9]),
        ];
        let names = HashMap::from([(5, "群力镇".to_string()), (6, "齐陵街道".to_string())]);
        let towns = roll_up(&rows, 3, &names);
        assert_eq!(
            towns,
            [
                row(5, "/1/2/5/", "群力镇", &[3, 2]),
                row(6, "/1/2/6/", "齐陵街道", &[0, 3])
            ]
        );
        let district = roll_up(&towns, 2, &HashMap::from([(2, "潼南区".to_string())]));
        assert_eq!(district, [row(2, "/1/2/", "潼南区", &[3, 5])]);
    }

    #[test]
    fn month_counts_add_up_per_month_and_keep_to_the_year() {
        let mut c = MonthCounts::new(Year(2026));
        c.add_in_month(7, 202602, 1);
        c.add_in_month(7, 202601, 3);
        c.add_in_month(7, 202601, 2);
        c.add_in_month(7, 202512, 4); // another year
        c.add_in_month(7, 202613, 9); // no such month
        let got = c.of(7);
        assert_eq!((got[0], got[1], got[11]), (5, 1, 0));
        assert_eq!(got.iter().sum::<i64>(), 6);
        assert_eq!(c.of(8), [0; 12]);
    }

    #[test]
    fn every_renderer_shows_the_same_cells() {
        let r = Report {
            title: "activities.grid_title",
            headings: vec![
                Heading::Key("activities.centre"),
                Heading::Text("1月".into()),
            ],
            rows: vec![Row {
                node_id: 1,
                path: "/1/".into(),
                cells: vec![Cell::Text("=王家,村".into()), Cell::Flagged(1)],
            }],
            notes: vec![],
        };
        let sheet = r.to_sheet(Lang::Zh);
        assert_eq!(sheet.rows, [vec!["=王家,村".to_string(), "1*".to_string()]]);
        assert_eq!(sheet.text_columns, [0]);
        let csv = r.to_csv(Lang::Zh);
        assert!(csv.starts_with('\u{feff}'));
        assert!(csv.ends_with("\"'=王家,村\",1*\r\n"), "{csv}");
    }
}
