//! The activity list with its filters.

use super::*;
use crate::paths;

#[derive(Template)]
#[template(path = "activities/list.html")]
pub(super) struct ListPage {
    shell: Shell,
    rows: Vec<ActivityRow>,
    statuses: Vec<Choice>,
    owners: Vec<Choice>,
    form: FormView,
    pager: Pager,
    can_plan: bool,
    can_record_afterwards: bool,
}

#[derive(Deserialize, Default)]
pub(super) struct ListQuery {
    status: Option<String>,
    owner_id: Option<String>,
    town_id: Option<String>,
    month: Option<String>,
    /// `1`: only the activities the lead department asking leads.
    mine: Option<String>,
    page: Option<u32>,
}

pub(super) async fn list(cx: Ctx, Query(q): Query<ListQuery>) -> Result<Response> {
    let state = &cx.state;
    let (actor, lang) = (&cx.actor, cx.lang);
    let month = q.month.as_deref().and_then(crate::calendar::Month::parse);
    let all = ActivityFilter {
        status: q.status.clone(),
        owner_id: q.owner_id.as_deref().and_then(|s| s.parse().ok()),
        theme_id: None,
        from: month.map(|m| m.first_day()),
        to: month.map(|m| m.last_day()),
        lead_department_id: None,
        town_id: q.town_id.as_deref().and_then(|s| s.parse().ok()),
    };
    let filter = if q.mine.as_deref() == Some("1") {
        all.own_work_of(actor)
    } else {
        all
    };
    let page = activities::list(&state.db, actor, &filter, PageRequest::new(q.page, None)).await?;
    let pairs = [
        ("status", q.status.clone().unwrap_or_default()),
        ("owner_id", q.owner_id.clone().unwrap_or_default()),
        ("town_id", q.town_id.clone().unwrap_or_default()),
        ("month", q.month.clone().unwrap_or_default()),
        ("mine", q.mine.clone().unwrap_or_default()),
    ];
    html(&ListPage {
        shell: cx.shell(paths::ACTIVITIES),
        pager: Pager::of(lang, paths::ACTIVITIES, &pairs, &page),
        rows: page.items.iter().map(|a| row(lang, a)).collect(),
        statuses: status_choices(lang),
        owners: owner_choices(state, actor).await?,
        form: FormView::with(&pairs),
        can_plan: actor.can(Permission::ActivitiesPlan),
        can_record_afterwards: activities::may_record_afterwards(actor),
    })
}
