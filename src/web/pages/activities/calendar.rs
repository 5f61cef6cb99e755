//! The calendar page: a month or a week of activities.

use super::*;
use crate::paths;

/// One activity in a calendar cell.
pub struct CalendarItem {
    pub id: i64,
    pub time: String,
    pub title: String,
    pub owner: String,
    /// Shown when the activity is not yet approved (draft, submitted, returned).
    pub pending: Option<String>,
}

/// One day of a calendar.
pub struct CalendarDay {
    pub date: String,
    pub label: String,
    pub in_period: bool,
    pub today: bool,
    pub items: Vec<CalendarItem>,
}

#[derive(Template)]
#[template(path = "activities/calendar.html")]
pub(super) struct CalendarPage {
    shell: Shell,
    title: String,
    week_view: bool,
    weeks: Vec<Vec<CalendarDay>>,
    weekdays: Vec<String>,
    prev: String,
    next: String,
    today: String,
    date: String,
    towns: Vec<Choice>,
    owners: Vec<Choice>,
    themes: Vec<Choice>,
    form: FormView,
    /// The filters as a query string to keep across the navigation links.
    keep: String,
    capped: bool,
}

#[derive(Deserialize, Default)]
pub(super) struct CalendarQuery {
    view: Option<String>,
    date: Option<String>,
    town_id: Option<String>,
    owner_id: Option<String>,
    theme_id: Option<String>,
}

pub(super) async fn calendar(cx: Ctx, Query(q): Query<CalendarQuery>) -> Result<Response> {
    let state = &cx.state;
    let (actor, lang) = (&cx.actor, cx.lang);
    let today = Day::today();
    let date = q
        .date
        .as_deref()
        .and_then(Day::parse)
        .filter(|d| (2000..=2100).contains(&d.year()))
        .unwrap_or(today);
    let week_view = q.view.as_deref() == Some("week");
    let id = |s: &Option<String>| s.as_deref().and_then(|v| v.trim().parse::<i64>().ok());
    let filter = activities::CalendarFilter {
        town_id: id(&q.town_id),
        owner_id: id(&q.owner_id),
        theme_id: id(&q.theme_id),
    };
    let period = if week_view {
        Days::week_of(date)
    } else {
        Days::of_month(date.month())
    };
    let shown = period.whole_weeks();
    let items = activities::calendar(&state.db, actor, &filter, shown).await?;
    let capped = items.len() as i64 >= activities::CALENDAR_LIMIT;
    let weeks = period
        .grid(&items, |a| Day::of(a.starts_at))
        .into_iter()
        .map(|week| {
            week.into_iter()
                .map(|(day, on_day)| CalendarDay {
                    date: day.to_string(),
                    label: if week_view || day.day_of_month() == 1 {
                        day.0.format("%m-%d").to_string()
                    } else {
                        day.day_of_month().to_string()
                    },
                    in_period: period.contains(day),
                    today: day == today,
                    items: on_day
                        .into_iter()
                        .map(|a| CalendarItem {
                            id: a.id,
                            time: crate::calendar::local(a.starts_at)
                                .format("%H:%M")
                                .to_string(),
                            title: a.title.clone(),
                            owner: a.owner_name.clone(),
                            pending: (!a.status().counts() && a.status() != Status::Cancelled)
                                .then(|| {
                                    i18n::t(lang, &format!("activities.status.{}", a.status))
                                        .to_string()
                                }),
                        })
                        .collect(),
                })
                .collect()
        })
        .collect();
    let (prev, next) = if week_view {
        (date.plus_days(-7), date.plus_days(7))
    } else {
        (
            date.month().prev().first_day(),
            date.month().next().first_day(),
        )
    };
    let towns: Vec<Choice> = org::list_nodes(
        &state.db,
        actor,
        &NodeFilter {
            kind: Some(Kind::Town),
            ..Default::default()
        },
        PageRequest::new(Some(1), Some(100)),
    )
    .await?
    .items
    .into_iter()
    .map(Choice::from)
    .collect();
    let district = catalogue::district_of(&actor.scope_path).unwrap_or(0);
    let themes = catalogue::themes(&state.db, district)
        .await?
        .into_iter()
        .map(Choice::from)
        .collect();
    let pairs = [
        ("town_id", q.town_id.clone().unwrap_or_default()),
        ("owner_id", q.owner_id.clone().unwrap_or_default()),
        ("theme_id", q.theme_id.clone().unwrap_or_default()),
    ];
    let keep = serde_urlencoded::to_string(
        pairs
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .collect::<Vec<_>>(),
    )
    .unwrap_or_default();
    let title = if week_view {
        format!("{} – {}", period.first, period.last.0.format("%m-%d"))
    } else {
        period.first.0.format("%Y-%m").to_string()
    };
    let mut values = pairs.to_vec();
    values.push((
        "view",
        if week_view {
            "week".into()
        } else {
            "month".into()
        },
    ));
    html(&CalendarPage {
        shell: cx.shell(paths::CALENDAR),
        title,
        week_view,
        weeks,
        weekdays: (1..=7)
            .map(|d| i18n::t(lang, &format!("calendar.weekday_{d}")).to_string())
            .collect(),
        prev: prev.to_string(),
        next: next.to_string(),
        today: today.to_string(),
        date: date.to_string(),
        towns: if towns.len() > 1 { towns } else { Vec::new() },
        owners: owner_choices(state, actor).await?,
        themes,
        form: FormView::with(&values),
        keep,
        capped,
    })
}
