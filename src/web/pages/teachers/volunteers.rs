//! Volunteers' service hours of a year.

use super::*;
use crate::paths;

#[derive(Template)]
#[template(path = "teachers/volunteers.html")]
pub(super) struct VolunteersPage {
    shell: Shell,
    year: i32,
    rows: Vec<(TeacherRow, String)>,
    total: String,
}

pub(super) async fn volunteers(
    cx: Ctx,
    Query(q): Query<crate::web::extract::TownYear>,
) -> Result<Response> {
    let state = &cx.state;
    let (actor, lang) = (&cx.actor, cx.lang);
    let year = q.page_year();
    let rows = teachers::service_totals(&state.db, actor, year).await?;
    let total: i64 = rows.iter().map(|(_, m)| m).sum();
    html(&VolunteersPage {
        shell: cx.shell(paths::TEACHERS),
        year,
        rows: rows
            .iter()
            .map(|(t, m)| (row(lang, t), hours(*m)))
            .collect(),
        total: hours(total),
    })
}
