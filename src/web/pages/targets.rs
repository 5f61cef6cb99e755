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
use crate::i18n;
use crate::org::Kind;
use crate::paths;
use crate::targets::{
    self, Comparison, Kpi, KpiLine, Scorecard, Standing, TargetLine, TargetsInput,
};
use crate::web::extract::{Form, Query};
use crate::web::routes::{Routes, Rule};
use crate::web::views::{FormView, Shell};

pub(super) fn router() -> Routes {
    Routes::new()
        .get(paths::KPIS, Rule::needs(P::TargetsRead), page)
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
}

#[derive(Template)]
#[template(path = "targets/kpis.html")]
struct KpiPage {
    shell: Shell,
    c: Comparison,
    chart: String,
    kpis: Vec<Kpi>,
    targets: Vec<TargetLine>,
    can_set: bool,
    form: FormView,
    is_centre: bool,
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
        match s.line(*k) {
            Some(l) => (l.shown.clone(), l.standing.to_string()),
            None => ("—".into(), "no_data".into()),
        }
    }
}

async fn view(cx: &Ctx, q: &PlaceYear, form: FormView) -> Result<KpiPage> {
    let year = q.year.unwrap_or(crate::calendar::Year::current().0);
    let c = targets::compare(&cx.state.db, &cx.actor, q.node_id, year).await?;
    let target = c
        .place
        .line(Kpi::Participation)
        .map_or(Kpi::Participation.plan_target(), |l| l.target);
    let bars: Vec<Bar> = c
        .parts
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
    let title = i18n::t(cx.lang, "targets.chart_participation");
    let chart = if bars.is_empty() {
        String::new()
    } else {
        let max = bars.iter().map(|b| b.value).fold(target, f64::max);
        charts::horizontal_bars(title, &bars, Some(max.max(1.0)), Some(target))
    };
    Ok(KpiPage {
        shell: cx.shell(paths::KPIS),
        is_centre: c.place.kind == Kind::Centre || c.place.kind == Kind::Community,
        chart,
        kpis: Kpi::ALL.to_vec(),
        targets: targets::targets(&cx.state.db, &cx.actor).await?,
        can_set: cx.actor.can(P::TargetsManage),
        c,
        form,
    })
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
            };
            html_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &view(&cx, &q, form).await?,
            )
        }
        Err(e) => Err(e),
    }
}
