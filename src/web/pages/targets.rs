//! The KPI page: a place's KPIs against their targets (value, target, standing, numerator and
//! denominator, the reason where there is no value), the places one level down compared and ranked
//! with a chart of participation against its target, the centres below the rule of 2, a link
//! down to the activities behind a centre's numbers; and the district's form for its targets.

use std::collections::BTreeMap;

use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use super::{Ctx, html, html_status, see_other};
use crate::access::Permission as P;
use crate::charts::{self, Bar};
use crate::error::{Error, Result};
use crate::i18n::{self, Lang};
use crate::org::Kind;
use crate::paths;
use crate::spreadsheet::Table;
use crate::targets::{
    self, Comparison, Kpi, KpiLine, Scorecard, Standing, TargetLine, TargetsInput, Trends,
};
use crate::web::download;
use crate::web::extract::{Form, Query};
use crate::web::routes::{Routes, Rule};
use crate::web::views::{FormView, Shell};

pub(super) fn router() -> Routes {
    Routes::new()
        .get(paths::KPIS, Rule::needs(P::TargetsRead), page)
        .get(paths::KPIS_XLSX, Rule::needs(P::TargetsRead), export)
        .post(
            paths::KPI_TARGETS,
            Rule::needs(P::TargetsManage),
            set_targets,
        )
}

#[derive(Deserialize)]
struct PlaceYear {
    node_id: Option<i64>,
    year: Option<i32>,
    /// The KPI the places one level down are ranked on (participation when absent).
    rank: Option<String>,
}

#[derive(Template)]
#[template(path = "targets/kpis.html")]
struct KpiPage {
    shell: Shell,
    c: Comparison,
    chart: String,
    trends: Trends,
    heat: String,
    months_chart: String,
    themes_chart: String,
    kpis: Vec<Kpi>,
    targets: Vec<TargetLine>,
    can_set: bool,
    form: FormView,
    is_centre: bool,
    /// The KPI the places one level down are ranked on.
    rank: Kpi,
}

impl KpiPage {
    fn name(&self, k: &Kpi) -> String {
        i18n::t(self.shell.lang, &format!("targets.kpi.{k}")).to_string()
    }

    fn standing(&self, s: &Standing) -> String {
        i18n::t(self.shell.lang, &format!("targets.standing.{s}")).to_string()
    }

    fn parts_of(&self, l: &KpiLine) -> String {
        let t = |k: String| i18n::t(self.shell.lang, &k).to_string();
        format!(
            "{} {} / {} {}",
            t(format!("targets.num.{}", l.kpi)),
            l.numerator,
            t(format!("targets.den.{}", l.kpi)),
            l.denominator
        )
    }

    fn reason(&self, l: &KpiLine) -> String {
        l.reason
            .as_deref()
            .map(|r| i18n::t(self.shell.lang, r).to_string())
            .unwrap_or_default()
    }

    fn cell(&self, s: &Scorecard, k: &Kpi) -> (String, String) {
        cell_of(s, *k)
    }

    /// The link that ranks the places one level down on a KPI.
    fn rank_link(&self, k: &Kpi) -> String {
        paths::link_with(
            paths::KPIS,
            &[
                ("node_id", self.c.place.node_id.to_string()),
                ("year", self.c.place.year.to_string()),
                ("rank", k.to_string()),
            ],
        )
    }
}

/// A place's value of a KPI as a table shows it, with its standing ("—" and no data without one).
pub(super) fn cell_of(s: &Scorecard, k: Kpi) -> (String, String) {
    match s.line(k) {
        Some(l) => (l.shown.clone(), l.standing.to_string()),
        None => ("—".into(), "no_data".into()),
    }
}

/// Participation of the places one level down against the target line, those below it marked.
pub(super) fn participation_chart(lang: Lang, place: &Scorecard, parts: &[Scorecard]) -> String {
    let target = place
        .line(Kpi::Participation)
        .map_or(Kpi::Participation.plan_target(), |l| l.target);
    let bars: Vec<Bar> = parts
        .iter()
        .filter_map(|s| {
            let l = s.line(Kpi::Participation)?;
            Some(Bar {
                label: s.name.clone(),
                value: l.value.unwrap_or(0.0),
                shown: l.shown.clone(),
                marked: matches!(l.standing, Standing::AtRisk | Standing::Missed),
            })
        })
        .collect();
    if bars.is_empty() {
        return String::new();
    }
    let max = bars.iter().map(|b| b.value).fold(target, f64::max);
    charts::horizontal_bars(
        i18n::t(lang, "targets.chart_participation"),
        &bars,
        Some(max.max(1.0)),
        Some(target),
    )
}

/// Attendance by month as columns.
pub(super) fn months_chart(lang: Lang, trends: &Trends) -> String {
    let bars: Vec<Bar> = trends
        .attendance_by_month
        .iter()
        .map(|m| Bar::count(format!("{}月", m.month), m.attendances))
        .collect();
    charts::columns(i18n::t(lang, "targets.chart_months"), &bars)
}

/// The themes' share of the activities held, as bars (nothing when none was held).
pub(super) fn themes_chart(lang: Lang, trends: &Trends) -> String {
    let bars: Vec<Bar> = trends
        .themes
        .iter()
        .map(|t| Bar::count(t.theme.clone(), t.activities))
        .collect();
    if bars.is_empty() {
        return String::new();
    }
    charts::horizontal_bars(i18n::t(lang, "targets.chart_themes"), &bars, None, None)
}

async fn view(cx: &Ctx, q: &PlaceYear, form: FormView) -> Result<KpiPage> {
    let year = q.year.unwrap_or(crate::calendar::Year::current().0);
    let rank = q
        .rank
        .as_deref()
        .and_then(Kpi::parse)
        .unwrap_or(Kpi::Participation);
    let mut c = targets::compare(&cx.state.db, &cx.actor, q.node_id, year).await?;
    c.parts = targets::ranked_by(c.parts, rank);
    let chart = participation_chart(cx.lang, &c.place, &c.parts);
    let trends = targets::trends(&cx.state.db, &cx.actor, Some(c.place.node_id), year).await?;
    let heat = heat_map(cx.lang, &c);
    Ok(KpiPage {
        shell: cx.shell(paths::KPIS),
        heat,
        months_chart: months_chart(cx.lang, &trends),
        themes_chart: themes_chart(cx.lang, &trends),
        trends,
        rank,
        is_centre: c.place.kind == Kind::Centre || c.place.kind == Kind::Community,
        chart,
        kpis: Kpi::ALL.to_vec(),
        targets: targets::targets(&cx.state.db, &cx.actor).await?,
        can_set: cx.actor.can(P::TargetsManage),
        c,
        form,
    })
}

/// The month × centre grid of the place as a heat map (a district's: its towns, each the sum of its
/// centres), the months below the rule of 2 marked, months before a centre was set up left blank;
/// drawn from the comparison's own gathering.
fn heat_map(lang: Lang, c: &Comparison) -> String {
    let columns: Vec<String> = (1..=12).map(|m| format!("{m}月")).collect();
    let rows: Vec<(String, Vec<Option<i64>>)> = if c.place.kind == Kind::District {
        c.parts
            .iter()
            .map(|town| {
                let mut sums = vec![0; 12];
                for centre in c.centres.iter().filter(|x| x.path.starts_with(&town.path)) {
                    for (sum, n) in sums.iter_mut().zip(&centre.counts) {
                        *sum += n;
                    }
                }
                (town.name.clone(), sums.into_iter().map(Some).collect())
            })
            .collect()
    } else {
        c.centres
            .iter()
            .map(|r| {
                let cells = (1..=12u32)
                    .map(|m| (!r.not_set_up.contains(&m)).then(|| r.counts[m as usize - 1]))
                    .collect();
                (r.name.clone(), cells)
            })
            .collect()
    };
    let floor = if c.place.kind == Kind::District { 0 } else { 2 };
    if rows.is_empty() {
        String::new()
    } else {
        charts::heat_map(i18n::t(lang, "targets.chart_heat"), &columns, &rows, floor)
    }
}

async fn page(cx: Ctx, Query(q): Query<PlaceYear>) -> Result<Response> {
    html(&view(&cx, &q, FormView::default()).await?)
}

async fn set_targets(cx: Ctx, Form(actor, f): Form<BTreeMap<String, String>>) -> Result<Response> {
    let input = TargetsInput {
        district_id: None,
        targets: f
            .iter()
            .filter(|(k, _)| Kpi::parse(k).is_some())
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
    };
    match targets::set_targets(&cx.state.db, &actor, &input).await {
        Ok(_) => Ok(see_other(&paths::flashed(paths::KPIS, "saved"))),
        Err(Error::Invalid(fe)) => {
            let typed: Vec<(&str, String)> =
                f.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
            let form = FormView::with(&typed).errors(cx.lang, &fe);
            let q = PlaceYear {
                node_id: None,
                year: None,
                rank: None,
            };
            html_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &view(&cx, &q, form).await?,
            )
        }
        Err(e) => Err(e),
    }
}

/// The comparison as a workbook: one row a place one level down (the district's roll-up table,
/// one row a town, in place of the returns towns send upward), the place's own total last; each
/// KPI's value and standing.
async fn export(cx: Ctx, Query(q): Query<PlaceYear>) -> Result<Response> {
    let year = q.year.unwrap_or(crate::calendar::Year::current().0);
    let c = targets::compare(&cx.state.db, &cx.actor, q.node_id, year).await?;
    let t = |k: String| i18n::t(cx.lang, &k).to_string();
    let mut headers = vec![t("targets.place".into()), t("targets.population".into())];
    for k in Kpi::ALL {
        headers.push(t(format!("targets.kpi.{k}")));
        headers.push(t("targets.standing_label".into()));
    }
    let row = |s: &Scorecard| {
        let mut r = vec![s.name.clone(), s.population.to_string()];
        for k in Kpi::ALL {
            match s.line(k) {
                Some(l) => {
                    r.push(
                        l.value
                            .map(|v| format!("{v:.2}"))
                            .unwrap_or_else(|| "—".into()),
                    );
                    r.push(t(format!("targets.standing.{}", l.standing)));
                }
                None => r.extend(["—".to_string(), String::new()]),
            }
        }
        r
    };
    let mut rows: Vec<Vec<String>> = c.parts.iter().map(row).collect();
    rows.push(row(&c.place));
    let numbers = (0..Kpi::ALL.len()).map(|i| 2 + 2 * i).chain([1]).collect();
    let table = Table {
        sheet_name: t("targets.title".into()),
        headers,
        rows,
        number_columns: numbers,
        notes: vec![format!(
            "{} {} · {}",
            t("targets.as_of".into()),
            c.place.as_of,
            t("targets.sheet_note".into())
        )],
        ..Table::default()
    };
    let name = format!(
        "{}{}{}",
        c.place.name,
        year,
        t("targets.file_suffix".into())
    );
    download::xlsx(&table, &name)
}
