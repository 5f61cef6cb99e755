//! Finding activities: one by id within the actor's scope, lists with filters, the calendar.

use super::*;

/// 404 unless the actor sees the activity; for a change (`write`), 403 when the activity's own rule
/// refuses the actor (a lead department and another's activity).
pub async fn require_activity(db: &Db, actor: &Actor, id: i64, write: bool) -> Result<()> {
    let a = get(db, actor, id).await?;
    match refusal(actor, &a) {
        Some(m) if write => Err(Error::Forbidden(m)),
        _ => Ok(()),
    }
}

pub(super) fn visible(actor: &Actor, a: &Activity) -> bool {
    actor.sees(&a.owner_path)
        || (matches!(actor.role, Role::LeadDepartment)
            && a.owner_path.starts_with(&actor.scope_path))
}

/// One activity inside the actor's scope, with the review steps the actor may take on it now.
pub async fn get(db: &Db, actor: &Actor, id: i64) -> Result<Activity> {
    actor.require(Permission::ActivitiesRead)?;
    let mut a = store::get(db, id).await?.ok_or(Error::NotFound)?;
    if !visible(actor, &a) {
        return Err(Error::NotFound);
    }
    a.actions = steps(actor, &a).iter().map(|s| s.name).collect();
    Ok(a)
}

/// The teachers of an activity, as (id, name).
pub async fn teachers(db: &Db, actor: &Actor, id: i64) -> Result<Vec<(i64, String)>> {
    let a = get(db, actor, id).await?;
    store::teachers(db, a.id).await
}

/// Filters of the activity list.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct ActivityFilter {
    pub status: Option<String>,
    pub owner_id: Option<i64>,
    pub theme_id: Option<i64>,
    /// First day, YYYY-MM-DD (Beijing), inclusive.
    #[param(value_type = Option<chrono::NaiveDate>)]
    pub from: Option<Day>,
    /// Last day, YYYY-MM-DD (Beijing), inclusive.
    #[param(value_type = Option<chrono::NaiveDate>)]
    pub to: Option<Day>,
    /// Only the activities this lead department leads.
    pub lead_department_id: Option<i64>,
    /// Only the activities of this town (a district's roll-up links here).
    pub town_id: Option<i64>,
}

/// Activities inside the actor's scope, soonest first.
pub async fn list(
    db: &Db,
    actor: &Actor,
    f: &ActivityFilter,
    page: PageRequest,
) -> Result<Page<Activity>> {
    actor.require(Permission::ActivitiesRead)?;
    let from = f.from.map(Day::start);
    let to = f.to.map(Day::end);
    store::list(db, &actor.scope_path, f, from, to, page).await
}

impl ActivityFilter {
    /// The filter narrowed to the activities that are the actor's own work: for a lead department
    /// (which sees its whole town) the ones it leads; anyone else's scope is already theirs.
    pub fn own_work_of(self, actor: &Actor) -> ActivityFilter {
        ActivityFilter {
            lead_department_id: (actor.role == Role::LeadDepartment).then_some(actor.node_id),
            ..self
        }
    }
}

/// The actor's own activities counted by the to-do each stands for (the workbench and the menu's
/// badges, on every page): one pass over the scope instead of a count per to-do.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct ToDoCounts {
    /// Submitted plans waiting for a review.
    pub submitted: i64,
    pub returned: i64,
    pub drafts: i64,
    /// Drafts and returned plans for `late_day`: submitted after today they come too late.
    pub late: i64,
    /// Held before today and not documented yet.
    pub undocumented: i64,
}

/// Counts the actor's own work (a lead department's: the plans it leads) by to-do.
pub async fn to_do_counts(db: &Db, actor: &Actor, today: Day, late_day: Day) -> Result<ToDoCounts> {
    actor.require(Permission::ActivitiesRead)?;
    let late = (late_day.start(), late_day.end());
    if actor.role == Role::LeadDepartment {
        // A department's own plans: few, counted live by lead department.
        return store::to_do_counts(
            db,
            &actor.scope_path,
            Some(actor.node_id),
            today.start(),
            late,
        )
        .await;
    }
    // A place's: the months before this one from the activities' roll-up, this month live.
    let month = today.month();
    store::to_do_counts_kept(
        db,
        &actor.scope_path,
        (month.key(), month.start()),
        today.start(),
        late,
    )
    .await
}

/// How many activities inside the actor's scope the filter selects.
pub async fn count(db: &Db, actor: &Actor, f: &ActivityFilter) -> Result<i64> {
    Ok(list(
        db,
        actor,
        f,
        PageRequest {
            page: 1,
            per_page: 1,
        },
    )
    .await?
    .total)
}

/// What a calendar shows: one town, one centre or school, one theme, or everything in scope.
#[derive(Clone, Debug, Default)]
pub struct CalendarFilter {
    pub town_id: Option<i64>,
    pub owner_id: Option<i64>,
    pub theme_id: Option<i64>,
}

/// The most activities one calendar page shows.
pub const CALENDAR_LIMIT: i64 = 3000;

/// The activities (not cancelled) from `first` to `last` (Beijing days, inclusive) inside the
/// actor's scope, soonest first.
pub async fn calendar(
    db: &Db,
    actor: &Actor,
    f: &CalendarFilter,
    days: Days,
) -> Result<Vec<Activity>> {
    actor.require(Permission::ActivitiesRead)?;
    let (from, to) = days.instants();
    let items = store::in_period(
        db,
        &actor.scope_path,
        f.town_id,
        f.owner_id,
        f.theme_id,
        from,
        to,
        CALENDAR_LIMIT,
    )
    .await?;
    // Only what the actor may open.
    Ok(items.into_iter().filter(|a| visible(actor, a)).collect())
}
