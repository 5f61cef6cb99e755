//! The reports as workbooks: one sheet a section, numbers as numbers, and native Excel charts
//! beside the tables they draw (attendance by month, participation per place, the themes' share,
//! the funds) — so a town can forward the file as it is.

use super::annual::AnnualReport;
use super::monthly::MonthlyReport;
use crate::funding::yuan;
use crate::i18n::{self, Lang};
use crate::spreadsheet::{ChartKind, SheetChart, Table};
use crate::targets::Scorecard;

fn t(lang: Lang, key: &str) -> String {
    i18n::t(lang, key).to_string()
}

/// Column headings from their i18n keys.
fn heads(lang: Lang, keys: &[&str]) -> Vec<String> {
    keys.iter().map(|k| t(lang, k)).collect()
}

/// The KPI lines of a place: KPI, value, target, standing, numerator, denominator.
fn kpi_sheet(lang: Lang, s: &Scorecard) -> Table {
    let rows = s
        .lines
        .iter()
        .map(|l| {
            vec![
                t(lang, &format!("targets.kpi.{}", l.kpi)),
                l.value.map_or("—".into(), |v| format!("{v:.2}")),
                format!("{}", l.target),
                t(lang, &format!("targets.standing.{}", l.standing)),
                l.numerator.to_string(),
                l.denominator.to_string(),
                l.reason.as_deref().map(|r| t(lang, r)).unwrap_or_default(),
            ]
        })
        .collect();
    Table {
        sheet_name: t(lang, "statistics.sheet_kpis"),
        headers: heads(
            lang,
            &[
                "targets.kpi_label",
                "targets.value",
                "targets.target",
                "targets.standing_label",
                "statistics.numerator",
                "statistics.denominator",
                "statistics.reason",
            ],
        ),
        rows,
        number_columns: vec![1, 2, 4, 5],
        notes: vec![format!("{} {}", t(lang, "targets.as_of"), s.as_of)],
        ..Table::default()
    }
}

/// The places one level down: each KPI's value, participation drawn against the places.
fn parts_sheet(lang: Lang, parts: &[Scorecard]) -> Table {
    let kpis = crate::targets::Kpi::ALL;
    let mut headers = vec![t(lang, "targets.place"), t(lang, "targets.population")];
    headers.extend(kpis.iter().map(|k| t(lang, &format!("targets.kpi.{k}"))));
    let rows = parts
        .iter()
        .map(|s| {
            let mut r = vec![s.name.clone(), s.population.to_string()];
            r.extend(kpis.iter().map(|k| {
                s.line(*k)
                    .and_then(|l| l.value)
                    .map_or("—".into(), |v| format!("{v:.2}"))
            }));
            r
        })
        .collect();
    Table {
        sheet_name: t(lang, "statistics.sheet_parts"),
        headers,
        rows,
        number_columns: (1..2 + kpis.len()).collect(),
        charts: vec![SheetChart {
            title: t(lang, "targets.chart_participation"),
            kind: ChartKind::Bar,
            categories: 0,
            values: vec![2],
        }],
        ..Table::default()
    }
}

/// The monthly report as a workbook.
pub fn monthly_tables(lang: Lang, r: &MonthlyReport) -> Vec<Table> {
    let f = &r.figures;
    let overview = Table {
        sheet_name: t(lang, "statistics.sheet_overview"),
        headers: heads(lang, &["statistics.item", "statistics.figure"]),
        rows: vec![
            vec![t(lang, "statistics.held"), r.held_total.to_string()],
            vec![t(lang, "statistics.attendances"), f.attendances.to_string()],
            vec![
                t(lang, "statistics.participants"),
                f.participants.to_string(),
            ],
            vec![
                t(lang, "statistics.new_residents"),
                r.new_residents.to_string(),
            ],
            vec![
                t(lang, "statistics.imported_residents"),
                r.imported_residents.to_string(),
            ],
            vec![t(lang, "statistics.ratings"), f.ratings.to_string()],
            vec![t(lang, "statistics.satisfied"), f.satisfied.to_string()],
            vec![t(lang, "statistics.average"), f.average_shown()],
            vec![
                t(lang, "statistics.schedule_due"),
                r.schedule.len().to_string(),
            ],
            vec![
                t(lang, "statistics.schedule_done"),
                r.schedule_done.to_string(),
            ],
        ],
        number_columns: vec![1],
        notes: vec![format!("{} {} – {}", r.name, r.from, r.until)],
        ..Table::default()
    };
    let held = Table {
        sheet_name: t(lang, "statistics.sheet_held"),
        headers: heads(
            lang,
            &["statistics.theme", "statistics.format", "statistics.held"],
        ),
        rows: r
            .held
            .iter()
            .map(|h| vec![h.theme.clone(), h.format.clone(), h.activities.to_string()])
            .collect(),
        number_columns: vec![2],
        charts: vec![SheetChart {
            title: t(lang, "statistics.chart_held"),
            kind: ChartKind::Bar,
            categories: 0,
            values: vec![2],
        }],
        ..Table::default()
    };
    let mut tables = vec![overview, held];
    if !r.centres.is_empty() {
        tables.push(Table {
            sheet_name: t(lang, "statistics.sheet_centres"),
            headers: heads(
                lang,
                &[
                    "targets.place",
                    "statistics.held",
                    "statistics.attendances",
                    "statistics.participants",
                ],
            ),
            rows: r
                .centres
                .iter()
                .map(|c| {
                    vec![
                        c.name.clone(),
                        c.held.to_string(),
                        c.figures.attendances.to_string(),
                        c.figures.participants.to_string(),
                    ]
                })
                .collect(),
            number_columns: vec![1, 2, 3],
            charts: vec![SheetChart {
                title: t(lang, "statistics.chart_centres"),
                kind: ChartKind::Column,
                categories: 0,
                values: vec![1],
            }],
            ..Table::default()
        });
    }
    tables.push(kpi_sheet(lang, &r.kpis));
    tables.push(Table {
        sheet_name: t(lang, "statistics.sheet_schedule"),
        headers: heads(
            lang,
            &[
                "statistics.months",
                "statistics.item",
                "statistics.units",
                "targets.standing_label",
            ],
        ),
        rows: r
            .schedule
            .iter()
            .map(|s| {
                vec![
                    s.months.clone(),
                    s.item.clone(),
                    s.units.clone(),
                    t(lang, &format!("schedule.status.{}", s.status)),
                ]
            })
            .collect(),
        ..Table::default()
    });
    tables
}

/// The annual report as a workbook.
pub fn annual_tables(lang: Lang, r: &AnnualReport) -> Vec<Table> {
    let mut tables = vec![kpi_sheet(lang, &r.place)];
    if !r.parts.is_empty() {
        tables.push(parts_sheet(lang, &r.parts));
    }
    tables.push(Table {
        sheet_name: t(lang, "statistics.sheet_months"),
        headers: heads(lang, &["statistics.month", "statistics.attendances"]),
        rows: r
            .trends
            .attendance_by_month
            .iter()
            .map(|m| vec![format!("{}月", m.month), m.attendances.to_string()])
            .collect(),
        number_columns: vec![1],
        charts: vec![SheetChart {
            title: t(lang, "targets.chart_months"),
            kind: ChartKind::Column,
            categories: 0,
            values: vec![1],
        }],
        ..Table::default()
    });
    tables.push(Table {
        sheet_name: t(lang, "statistics.sheet_themes"),
        headers: heads(lang, &["statistics.theme", "statistics.held"]),
        rows: r
            .trends
            .themes
            .iter()
            .map(|th| vec![th.theme.clone(), th.activities.to_string()])
            .collect(),
        number_columns: vec![1],
        charts: vec![SheetChart {
            title: t(lang, "targets.chart_themes"),
            kind: ChartKind::Pie,
            categories: 0,
            values: vec![1],
        }],
        ..Table::default()
    });
    tables.push(Table {
        sheet_name: t(lang, "statistics.sheet_ranking"),
        headers: heads(
            lang,
            &[
                "statistics.rank",
                "targets.place",
                "statistics.met",
                "targets.kpi.participation",
                "statistics.short",
            ],
        ),
        rows: r
            .ranking
            .iter()
            .map(|l| {
                vec![
                    l.rank.to_string(),
                    l.name.clone(),
                    l.met.to_string(),
                    l.participation.clone(),
                    l.short
                        .iter()
                        .map(|k| t(lang, &format!("targets.kpi.{k}")))
                        .collect::<Vec<_>>()
                        .join("、"),
                ]
            })
            .collect(),
        number_columns: vec![0, 2],
        ..Table::default()
    });
    tables.push(Table {
        sheet_name: t(lang, "statistics.sheet_awards"),
        headers: heads(
            lang,
            &[
                "statistics.town",
                "statistics.category",
                "statistics.winners_count",
                "statistics.winners",
            ],
        ),
        rows: r
            .awards
            .iter()
            .map(|a| {
                vec![
                    a.town.clone(),
                    a.category.clone(),
                    a.winners.len().to_string(),
                    a.winners.join("、"),
                ]
            })
            .collect(),
        number_columns: vec![2],
        ..Table::default()
    });
    tables.push(Table {
        sheet_name: t(lang, "statistics.sheet_funds"),
        headers: heads(
            lang,
            &[
                "statistics.town",
                "targets.population",
                "statistics.floor",
                "statistics.government",
                "statistics.income",
                "statistics.spent",
                "statistics.balance",
            ],
        ),
        rows: r
            .funds
            .iter()
            .map(|f| {
                let y = |fen: i64| yuan(fen).replace(',', "");
                vec![
                    f.town.clone(),
                    f.population.to_string(),
                    y(f.floor_fen),
                    y(f.government_fen),
                    y(f.income_fen),
                    y(f.spent_fen),
                    y(f.balance_fen),
                ]
            })
            .collect(),
        number_columns: (1..7).collect(),
        charts: vec![SheetChart {
            title: t(lang, "statistics.chart_funds"),
            kind: ChartKind::Column,
            categories: 0,
            values: vec![4, 5],
        }],
        ..Table::default()
    });
    tables.push(Table {
        sheet_name: t(lang, "statistics.sheet_assessed"),
        headers: heads(
            lang,
            &[
                "statistics.rank",
                "statistics.town",
                "targets.place",
                "statistics.inspections",
                "statistics.score",
            ],
        ),
        rows: r
            .assessed
            .iter()
            .map(|a| {
                vec![
                    a.rank.to_string(),
                    a.town.clone(),
                    a.place.clone(),
                    a.inspections.to_string(),
                    format!("{:.2}", a.score as f64 / 100.0),
                ]
            })
            .collect(),
        number_columns: vec![0, 3, 4],
        ..Table::default()
    });
    tables.push(Table {
        sheet_name: t(lang, "statistics.sheet_schedule"),
        headers: heads(
            lang,
            &[
                "statistics.town",
                "statistics.rows",
                "statistics.schedule_done",
                "statistics.overdue",
            ],
        ),
        rows: r
            .schedule
            .iter()
            .map(|s| {
                vec![
                    s.town.clone(),
                    s.rows.to_string(),
                    s.done.to_string(),
                    s.overdue.to_string(),
                ]
            })
            .collect(),
        number_columns: vec![1, 2, 3],
        ..Table::default()
    });
    tables
}
