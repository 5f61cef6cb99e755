//! The report pages: the monthly report of a centre or a town and the annual report of a town or
//! a district, each with its charts, as a workbook with native Excel charts and printable on A4;
//! and the year's work summary as a Word document.

use askama::Template;
use axum::response::Response;
use serde::Deserialize;

use super::targets::{cell_of, months_chart, participation_chart, themes_chart};
use super::{Ctx, html};
use crate::access::Permission as P;
use crate::calendar::{Month, Year};
use crate::charts::{self, Bar};
use crate::error::Result;
use crate::i18n;
use crate::paths;
use crate::spreadsheet;
use crate::statistics::{self, AnnualReport, MonthlyReport, workbook};
use crate::targets::{Kpi, Scorecard};
use crate::web::download;
use crate::web::extract::Query;
use crate::web::routes::{Routes, Rule};
use crate::web::views::Shell;

pub(super) fn router() -> Routes {
    Routes::new()
        .get(paths::REPORT_MONTHLY, Rule::needs(P::TargetsRead), monthly)
        .get(
            paths::REPORT_MONTHLY_XLSX,
            Rule::needs(P::TargetsRead),
            monthly_xlsx,
        )
        .get(paths::REPORT_ANNUAL, Rule::needs(P::TargetsRead), annual)
        .get(
            paths::REPORT_ANNUAL_XLSX,
            Rule::needs(P::TargetsRead),
            annual_xlsx,
        )
        .get(paths::WORK_SUMMARY, Rule::needs(P::TargetsRead), summary)
}

#[derive(Deserialize)]
struct Asked {
    node_id: Option<i64>,
    year: Option<i32>,
    month: Option<u32>,
}

impl Asked {
    fn month(&self) -> (i32, u32) {
        let now = Month::current();
        (
            self.year.unwrap_or(now.year),
            self.month.unwrap_or(now.month),
        )
    }

    fn year(&self) -> i32 {
        self.year.unwrap_or(Year::current().0)
    }
}

/// A link to one of the reports of a place.
fn link(path: &str, node_id: i64, year: i32, month: Option<u32>) -> String {
    let mut q = vec![("node_id", node_id.to_string()), ("year", year.to_string())];
    if let Some(m) = month {
        q.push(("month", m.to_string()));
    }
    paths::link_with(path, &q)
}

#[derive(Template)]
#[template(path = "statistics/monthly.html")]
struct MonthlyPage {
    shell: Shell,
    r: MonthlyReport,
    kpis: Scorecard,
    held_chart: String,
    centres_chart: String,
    xlsx: String,
    annual: String,
}

async fn monthly(cx: Ctx, Query(q): Query<Asked>) -> Result<Response> {
    let (year, month) = q.month();
    let r = statistics::monthly(&cx.state.db, &cx.actor, q.node_id, year, month).await?;
    let mut themes: Vec<Bar> = Vec::new();
    for h in &r.held {
        match themes.iter_mut().find(|b| b.label == h.theme) {
            Some(b) => {
                b.value += h.activities as f64;
                b.shown = b.value.to_string();
            }
            None => themes.push(Bar::count(h.theme.clone(), h.activities)),
        }
    }
    let held_chart = if themes.is_empty() {
        String::new()
    } else {
        charts::horizontal_bars(
            i18n::t(cx.lang, "statistics.chart_held"),
            &themes,
            None,
            None,
        )
    };
    let centre_bars: Vec<Bar> = r
        .centres
        .iter()
        .map(|c| Bar {
            marked: c.below,
            ..Bar::count(c.name.clone(), c.held)
        })
        .collect();
    let centres_chart = if centre_bars.is_empty() {
        String::new()
    } else {
        charts::columns(i18n::t(cx.lang, "statistics.chart_centres"), &centre_bars)
    };
    html(&MonthlyPage {
        shell: cx.shell(paths::REPORT_MONTHLY),
        xlsx: link(paths::REPORT_MONTHLY_XLSX, r.node_id, year, Some(month)),
        annual: link(paths::REPORT_ANNUAL, r.node_id, year, None),
        kpis: r.kpis.clone(),
        held_chart,
        centres_chart,
        r,
    })
}

async fn monthly_xlsx(cx: Ctx, Query(q): Query<Asked>) -> Result<Response> {
    let (year, month) = q.month();
    let r = statistics::monthly(&cx.state.db, &cx.actor, q.node_id, year, month).await?;
    let bytes = spreadsheet::to_xlsx_sheets(&workbook::monthly_tables(cx.lang, &r))?;
    let name = format!(
        "{}{}{}{}",
        r.name,
        year,
        format_args!("{:02}", month),
        i18n::t(cx.lang, "statistics.monthly_file")
    );
    Ok(download::workbook(bytes, &name))
}

#[derive(Template)]
#[template(path = "statistics/annual.html")]
struct AnnualPage {
    shell: Shell,
    r: AnnualReport,
    kpis: Scorecard,
    kpis_all: Vec<Kpi>,
    parts_chart: String,
    months_chart: String,
    themes_chart: String,
    funds_chart: String,
    xlsx: String,
    docx: String,
    monthly: String,
}

impl AnnualPage {
    fn cell(&self, s: &Scorecard, k: &Kpi) -> (String, String) {
        cell_of(s, *k)
    }
}

async fn annual(cx: Ctx, Query(q): Query<Asked>) -> Result<Response> {
    let year = q.year();
    let r = statistics::annual(&cx.state.db, &cx.actor, q.node_id, year).await?;
    let funds: Vec<Bar> = r
        .funds
        .iter()
        .map(|f| Bar {
            label: f.town.clone(),
            value: f.spent_fen as f64 / 100.0,
            shown: crate::funding::yuan(f.spent_fen),
            marked: f.shortfall_fen > 0,
        })
        .collect();
    let funds_chart = if funds.is_empty() {
        String::new()
    } else {
        charts::horizontal_bars(
            i18n::t(cx.lang, "statistics.chart_spent"),
            &funds,
            None,
            None,
        )
    };
    let node = r.place.node_id;
    let this_month = if year == Year::current().0 {
        Month::current().month
    } else {
        12
    };
    html(&AnnualPage {
        shell: cx.shell(paths::REPORT_ANNUAL),
        parts_chart: participation_chart(cx.lang, &r.place, &r.parts),
        months_chart: months_chart(cx.lang, &r.trends),
        themes_chart: themes_chart(cx.lang, &r.trends),
        funds_chart,
        xlsx: link(paths::REPORT_ANNUAL_XLSX, node, year, None),
        docx: link(paths::WORK_SUMMARY, node, year, None),
        monthly: link(paths::REPORT_MONTHLY, node, year, Some(this_month)),
        kpis: r.place.clone(),
        kpis_all: Kpi::ALL.to_vec(),
        r,
    })
}

async fn annual_xlsx(cx: Ctx, Query(q): Query<Asked>) -> Result<Response> {
    let year = q.year();
    let r = statistics::annual(&cx.state.db, &cx.actor, q.node_id, year).await?;
    let bytes = spreadsheet::to_xlsx_sheets(&workbook::annual_tables(cx.lang, &r))?;
    let name = format!(
        "{}{}{}",
        r.place.name,
        year,
        i18n::t(cx.lang, "statistics.annual_file")
    );
    Ok(download::workbook(bytes, &name))
}

async fn summary(cx: Ctx, Query(q): Query<Asked>) -> Result<Response> {
    let doc = statistics::work_summary(&cx.state.db, &cx.actor, q.node_id, q.year()).await?;
    download::docx(doc.to_docx()?, &doc.title)
}
