//! Activities (课程/活动), planned by a lead department or a centre head, reviewed by the town school,
//! published to residents. Invariants: an activity belongs to one town and is owned by its town
//! school or one of its learning centres; its theme, format and target group come from the
//! district's catalogue; its teachers are active teachers the town may use; every transition
//! follows [`rules::next`] and is audited; a submission under 15 days before the activity is
//! accepted and marked late. This first part covers planning, series, review and the month × centre
//! grid; enrolment, check-in and evidence come next.

#[cfg(feature = "bench")]
pub mod generated;
pub mod rules;
mod store;

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::access::{Actor, Permission, Role};
use crate::audit::{self, Entry};
use crate::calendar::{Day, Days, Year};
use crate::catalogue;
use crate::db::{Db, Tx};
use crate::error::{Error, FieldErrors, Msg, Result};
use crate::org::{self, Kind, Node};
use crate::page::{Page, PageRequest};
use crate::text;
use crate::workflow::Step;
pub use rules::{Lifecycle, Status, Transition};

/// Special events of the plans (Q四(四)3–5, L二7, Q五(一)).
pub const SPECIAL_EVENTS: [&str; 5] = [
    "teacher_training",
    "national_day",
    "new_year_gala",
    "learning_week",
    "publicity",
];

/// An activity as pages and the API show it.
#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Activity {
    pub id: i64,
    pub town_id: i64,
    pub owner_id: i64,
    pub owner_name: String,
    #[serde(skip)]
    pub owner_path: String,
    pub lead_department_id: Option<i64>,
    pub lead_department_name: Option<String>,
    pub theme_id: i64,
    pub theme_name: String,
    pub format_id: Option<i64>,
    pub format_name: Option<String>,
    pub target_group_id: Option<i64>,
    pub target_group_name: Option<String>,
    pub title: String,
    pub description: Option<String>,
    pub venue: Option<String>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub capacity: Option<i32>,
    pub featured: bool,
    pub learning_team: bool,
    pub special_event: Option<String>,
    pub series_id: Option<i64>,
    /// draft, submitted, approved, returned, published, held, documented, archived or cancelled
    pub status: String,
    pub submitted_at: Option<DateTime<Utc>>,
    /// Submitted less than 15 days before the activity.
    pub late: bool,
    pub review_note: Option<String>,
    pub cancel_reason: Option<String>,
    /// The centre head's summary written when documenting.
    pub summary: Option<String>,
    /// The review steps the reader may take now (`submit`, `approve`, …), filled when one activity
    /// is read.
    #[sqlx(skip)]
    pub actions: Vec<&'static str>,
}

impl Activity {
    /// The typed status.
    pub fn status(&self) -> Status {
        Status::parse(&self.status).unwrap_or(Status::Draft)
    }
}

/// The plan form / API body (text fields, so nothing typed is lost before validation).
#[derive(Clone, Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ActivityInput {
    #[schema(min_length = 1, max_length = 100)]
    pub title: String,
    /// The town school or a learning centre / work station.
    pub owner_id: i64,
    pub theme_id: i64,
    #[serde(default)]
    pub lead_department_id: Option<i64>,
    #[serde(default)]
    pub format_id: Option<i64>,
    #[serde(default)]
    pub target_group_id: Option<i64>,
    #[serde(default)]
    pub teacher_ids: Vec<i64>,
    /// YYYY-MM-DD (Beijing)
    pub date: String,
    /// HH:MM (Beijing)
    pub start_time: String,
    /// HH:MM (Beijing)
    pub end_time: String,
    #[serde(default)]
    #[schema(max_length = 100)]
    pub venue: Option<String>,
    #[serde(default)]
    pub capacity: Option<String>,
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub description: Option<String>,
    #[serde(default)]
    pub featured: bool,
    #[serde(default)]
    pub learning_team: bool,
    #[serde(default)]
    pub special_event: Option<String>,
    /// Repeat every this many weeks (1–4) …
    #[serde(default)]
    pub repeat_weeks: Option<u32>,
    /// … until this date (YYYY-MM-DD), at most a year ahead.
    #[serde(default)]
    pub repeat_until: Option<String>,
}

/// Validated values of a plan (one occurrence).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Values {
    pub title: String,
    pub owner_id: i64,
    pub theme_id: i64,
    pub lead_department_id: Option<i64>,
    pub format_id: Option<i64>,
    pub target_group_id: Option<i64>,
    pub teacher_ids: Vec<i64>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub venue: Option<String>,
    pub capacity: Option<i32>,
    pub description: Option<String>,
    pub featured: bool,
    pub learning_team: bool,
    pub special_event: Option<String>,
}

/// The most occurrences one series may create.
pub const MAX_SERIES: usize = 60;

/// Checks the fields of a plan; returns the first occurrence and the dates of the series.
pub(crate) fn validate(
    input: &ActivityInput,
    today: NaiveDate,
) -> std::result::Result<(Values, Vec<NaiveDate>), FieldErrors> {
    let mut fe = FieldErrors::default();
    let title = text::required(&mut fe, "title", &input.title, 100);
    let date = NaiveDate::parse_from_str(input.date.trim(), "%Y-%m-%d").ok();
    match date {
        None => fe.add("date", Msg::new("field.date_format")),
        Some(d) if d < today => fe.add("date", Msg::new("activities.date_past")),
        _ => {}
    }
    let start = NaiveTime::parse_from_str(input.start_time.trim(), "%H:%M").ok();
    let end = NaiveTime::parse_from_str(input.end_time.trim(), "%H:%M").ok();
    if start.is_none() {
        fe.add("start_time", Msg::new("activities.time_format"));
    }
    match (start, end) {
        (_, None) => fe.add("end_time", Msg::new("activities.time_format")),
        (Some(s), Some(e)) if e <= s => fe.add("end_time", Msg::new("activities.end_before_start")),
        _ => {}
    }
    let venue = text::optional(&mut fe, "venue", input.venue.as_deref(), 100);
    let description =
        text::optional_multiline(&mut fe, "description", input.description.as_deref(), 2000);
    let capacity = match input
        .capacity
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => None,
        Some(s) => match s.parse::<i32>() {
            Ok(n) if (1..=10_000).contains(&n) => Some(n),
            _ => {
                fe.add("capacity", Msg::new("activities.capacity_range"));
                None
            }
        },
    };
    let special_event = match input
        .special_event
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => None,
        Some(s) if SPECIAL_EVENTS.contains(&s) => Some(s.to_string()),
        Some(_) => {
            fe.add("special_event", Msg::new("field.choose"));
            None
        }
    };
    if input.owner_id <= 0 {
        fe.add("owner_id", Msg::new("field.choose"));
    }
    if input.theme_id <= 0 {
        fe.add("theme_id", Msg::new("field.choose"));
    }
    let mut dates = Vec::new();
    if let Some(d) = date {
        dates.push(d);
        if let Some(weeks) = input.repeat_weeks.filter(|w| *w > 0) {
            match input
                .repeat_until
                .as_deref()
                .map(str::trim)
                .and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
            {
                Some(until) if weeks <= 4 && until > d && (until - d).num_days() <= 366 => {
                    let mut next = d + chrono::Duration::weeks(i64::from(weeks));
                    while next <= until {
                        dates.push(next);
                        next += chrono::Duration::weeks(i64::from(weeks));
                    }
                    if dates.len() > MAX_SERIES {
                        fe.add(
                            "repeat_until",
                            Msg::new("activities.series_too_long").arg("max", MAX_SERIES),
                        );
                    }
                }
                _ => fe.add("repeat_until", Msg::new("activities.series_range")),
            }
        }
    }
    if !fe.is_empty() {
        return Err(fe);
    }
    let (date, start, end) = (
        date.unwrap_or(today),
        start.unwrap_or_default(),
        end.unwrap_or_default(),
    );
    Ok((
        Values {
            title,
            owner_id: input.owner_id,
            theme_id: input.theme_id,
            lead_department_id: input.lead_department_id.filter(|i| *i > 0),
            format_id: input.format_id.filter(|i| *i > 0),
            target_group_id: input.target_group_id.filter(|i| *i > 0),
            teacher_ids: input.teacher_ids.clone(),
            starts_at: Day(date).at(start),
            ends_at: Day(date).at(end),
            venue,
            capacity,
            description,
            featured: input.featured,
            learning_team: input.learning_team,
            special_event,
        },
        dates,
    ))
}

/// The town a node belongs to: the third id of its path (`/root/district/town/…`).
fn town_of(path: &str) -> Option<i64> {
    org::rules::ancestor_id(path, org::rules::TOWN_LEVEL)
}

/// Checks the references of a plan against the tree, the catalogue and the teacher pool.
async fn check_references(db: &Db, tx: &mut Tx, actor: &Actor, v: &mut Values) -> Result<Node> {
    let mut fe = FieldErrors::default();
    let owner = org::find_active_tx(tx, v.owner_id)
        .await?
        .filter(|n| matches!(n.kind(), Kind::School | Kind::Centre));
    // A lead department plans for any centre of its town; others only inside their scope.
    let owner = owner.filter(|n| {
        actor.sees(&n.path)
            || (actor.role == Role::LeadDepartment && n.path.starts_with(&actor.scope_path))
    });
    let Some(owner) = owner else {
        return Err(Error::invalid(
            "owner_id",
            Msg::new("activities.owner_unknown"),
        ));
    };
    let town_id = town_of(&owner.path).unwrap_or(0);
    let district = catalogue::district_of(&owner.path).unwrap_or(0);
    let themes = catalogue::themes(db, district).await?;
    match themes.iter().find(|t| t.id == v.theme_id) {
        None => fe.add("theme_id", Msg::new("teachers.theme_unknown")),
        // A lead department brings its own themes into the community, not another department's.
        Some(theme) if actor.role == Role::LeadDepartment => {
            let department = org::find_active_tx(tx, actor.node_id)
                .await?
                .map(|n| n.name)
                .unwrap_or_default();
            if !theme.led_by(&department) {
                fe.add(
                    "theme_id",
                    Msg::new("activities.theme_not_led")
                        .arg("theme", &theme.name)
                        .arg("leads", theme.lead_departments.clone().unwrap_or_default()),
                );
            }
        }
        Some(_) => {}
    }
    if let Some(f) = v.format_id
        && !catalogue::formats(db, district)
            .await?
            .iter()
            .any(|x| x.id == f)
    {
        fe.add("format_id", Msg::new("field.choose"));
    }
    if let Some(g) = v.target_group_id
        && !catalogue::target_groups(db, district)
            .await?
            .iter()
            .any(|x| x.id == g)
    {
        fe.add("target_group_id", Msg::new("field.choose"));
    }
    if actor.role == Role::LeadDepartment {
        v.lead_department_id = Some(actor.node_id);
    }
    if let Some(d) = v.lead_department_id {
        let dept = org::find_active_tx(tx, d).await?;
        if !dept.is_some_and(|n| n.kind() == Kind::Department && town_of(&n.path) == Some(town_id))
        {
            fe.add(
                "lead_department_id",
                Msg::new("activities.department_unknown"),
            );
        }
    }
    for t in &v.teacher_ids {
        if !store::teacher_usable(tx, *t, town_id).await? {
            fe.add("teacher_ids", Msg::new("activities.teacher_elsewhere"));
            break;
        }
    }
    fe.into_result()?;
    if v.venue.is_none() {
        v.venue = owner.venue.clone();
    }
    Ok(owner)
}

/// Plans an activity (or a series of them), as drafts.
pub async fn plan(db: &Db, actor: &Actor, input: &ActivityInput) -> Result<Vec<Activity>> {
    actor.require(Permission::ActivitiesPlan)?;
    let today = Day::today().0;
    let (mut v, dates) = validate(input, today).map_err(Error::Invalid)?;
    let mut tx = db.begin().await?;
    let owner = check_references(db, &mut tx, actor, &mut v).await?;
    let town_id = town_of(&owner.path).unwrap_or(0);
    let now = Utc::now();
    let mut ids = Vec::new();
    let duration = v.ends_at - v.starts_at;
    let first_day = dates.first().copied().unwrap_or(today);
    let mut series = None;
    for d in &dates {
        let shift = *d - first_day;
        let occurrence = Values {
            starts_at: v.starts_at + shift,
            ends_at: v.starts_at + shift + duration,
            ..v.clone()
        };
        let id = store::insert(&mut tx, town_id, &occurrence, series, actor.user_id, now).await?;
        if dates.len() > 1 && series.is_none() {
            series = Some(id);
            store::set_series(&mut tx, id, id).await?;
        }
        audit::record(&mut tx, actor, Entry {
            action: "activities.planned", subject_type: "activity", subject_id: Some(id), node_path: &owner.path,
            before: None,
            after: Some(json!({"title": occurrence.title, "owner_id": occurrence.owner_id, "starts_at": occurrence.starts_at, "series_id": series})),
            result: "ok",
        }).await?;
        ids.push(id);
    }
    tx.commit().await?;
    let mut out = Vec::new();
    for id in ids {
        out.push(get(db, actor, id).await?);
    }
    Ok(out)
}

/// What someone does to an activity besides its review steps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Act {
    /// Change the plan (a draft or a returned one).
    Edit,
    /// Attach lesson materials (课件/教案).
    AttachMaterial,
    /// Show the check-in code, mark attendance, count heads, upload photos and sign-in scans.
    Attend,
    /// A step of the review lifecycle.
    Step(Transition),
}

impl Act {
    fn permissions(self) -> &'static [Permission] {
        match self {
            Act::Edit | Act::AttachMaterial => &[Permission::ActivitiesPlan],
            Act::Attend => &[Permission::ActivitiesAttend],
            Act::Step(t) => crate::workflow::rule::<Lifecycle>(t).permissions,
        }
    }
}

/// The rule about the activity itself, beyond role and scope: a lead department acts only on the
/// activities it leads (it sees every activity of its town). The one place that decides it; pages,
/// the API and the use-cases all ask [`may`] or [`require`].
fn refusal(actor: &Actor, a: &Activity) -> Option<Msg> {
    if actor.role != Role::LeadDepartment || a.lead_department_id == Some(actor.node_id) {
        return None;
    }
    Some(match &a.lead_department_name {
        Some(d) => Msg::new("activities.not_led_by_you").arg("department", d),
        None => Msg::new("activities.led_by_no_department"),
    })
}

/// True when the actor may do `act` to this activity now (role, the activity's own rule and, for a
/// review step or an edit, its state). Pages ask this to show a button.
pub fn may(actor: &Actor, a: &Activity, act: Act) -> bool {
    visible(actor, a)
        && act.permissions().iter().any(|p| actor.can(*p))
        && refusal(actor, a).is_none()
        && match act {
            Act::Edit => a.status().editable(),
            Act::Step(t) => rules::next(a.status(), t).is_some(),
            Act::AttachMaterial | Act::Attend => true,
        }
}

/// Refuses `act` unless the actor's role allows it and the activity's own rule does: 403 with the
/// reason. (The state is each use-case's to check, with its own message.)
pub fn require(actor: &Actor, a: &Activity, act: Act) -> Result<()> {
    if !act.permissions().iter().any(|p| actor.can(*p)) {
        let names: Vec<&str> = act.permissions().iter().map(|p| p.as_str()).collect();
        return Err(Error::Forbidden(
            Msg::new("error.forbidden").arg("permission", names.join(" | ")),
        ));
    }
    match refusal(actor, a) {
        Some(m) => Err(Error::Forbidden(m)),
        None => Ok(()),
    }
}

/// The review steps the actor may take on this activity now, in the order pages offer them.
pub fn steps(actor: &Actor, a: &Activity) -> Vec<&'static Step<Status, Transition>> {
    let own = refusal(actor, a).is_none();
    crate::workflow::available::<Lifecycle>(actor, a.status(), |t| own && t != Transition::Document)
}

/// The themes the actor may plan under: the district's active themes, and for a lead department
/// only those the plan names it to lead.
pub async fn plannable_themes(db: &Db, actor: &Actor) -> Result<Vec<catalogue::Theme>> {
    actor.require(Permission::ActivitiesPlan)?;
    let district = catalogue::district_of(&actor.scope_path).unwrap_or(0);
    let mut themes = catalogue::themes(db, district).await?;
    if actor.role == Role::LeadDepartment {
        let department = org::get_node_unscoped(db, actor.node_id)
            .await?
            .map(|n| n.name)
            .unwrap_or_default();
        themes.retain(|t| t.led_by(&department));
    }
    Ok(themes)
}

/// 404 unless the actor sees the activity; for a change (`write`), 403 when the activity's own rule
/// refuses the actor (a lead department and another's activity).
pub async fn require_activity(db: &Db, actor: &Actor, id: i64, write: bool) -> Result<()> {
    let a = get(db, actor, id).await?;
    match refusal(actor, &a) {
        Some(m) if write => Err(Error::Forbidden(m)),
        _ => Ok(()),
    }
}

fn visible(actor: &Actor, a: &Activity) -> bool {
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

/// Edits a draft or returned plan.
pub async fn update(db: &Db, actor: &Actor, id: i64, input: &ActivityInput) -> Result<Activity> {
    actor.require(Permission::ActivitiesPlan)?;
    let before = get(db, actor, id).await?;
    require(actor, &before, Act::Edit)?;
    if !before.status().editable() {
        return Err(Error::Conflict(Msg::new("activities.not_editable")));
    }
    let today = Day::today().0;
    let single = ActivityInput {
        repeat_weeks: None,
        repeat_until: None,
        ..input.clone()
    };
    let (mut v, _) = validate(&single, today).map_err(Error::Invalid)?;
    let mut tx = db.begin().await?;
    let owner = check_references(db, &mut tx, actor, &mut v).await?;
    if town_of(&owner.path) != Some(before.town_id) {
        return Err(Error::invalid(
            "owner_id",
            Msg::new("activities.owner_unknown"),
        ));
    }
    store::update(&mut tx, id, &v, Utc::now()).await?;
    audit::record(&mut tx, actor, Entry {
        action: "activities.updated", subject_type: "activity", subject_id: Some(id), node_path: &owner.path,
        before: Some(json!({"title": before.title, "owner_id": before.owner_id, "starts_at": before.starts_at})),
        after: Some(json!({"title": v.title, "owner_id": v.owner_id, "starts_at": v.starts_at})), result: "ok",
    }).await?;
    tx.commit().await?;
    get(db, actor, id).await
}

/// Moves an activity along its lifecycle. Returning and cancelling need a reason; reviewing needs
/// the town school's role; a submission under 15 days before the activity is accepted and marked
/// late.
pub async fn transition(
    db: &Db,
    actor: &Actor,
    id: i64,
    t: Transition,
    reason: Option<&str>,
) -> Result<Activity> {
    if t == Transition::Document {
        // Documenting needs attendance and evidence: `evidence::document` checks them first.
        return Err(Error::Conflict(Msg::new("evidence.use_document_form")));
    }
    apply_transition(db, actor, id, t, reason).await
}

/// Moves an activity along its lifecycle once the caller has checked what the transition needs
/// (`reason` is the summary when documenting).
pub(crate) async fn apply_transition(
    db: &Db,
    actor: &Actor,
    id: i64,
    t: Transition,
    reason: Option<&str>,
) -> Result<Activity> {
    let a = get(db, actor, id).await?;
    let checked =
        crate::workflow::check::<Lifecycle>(actor, a.status(), t, refusal(actor, &a), reason)?;
    let (from, to) = (checked.from, checked.to);
    let reason = match t {
        // Documenting keeps the centre head's summary, longer than a reason.
        Transition::Document => {
            let mut fe = FieldErrors::default();
            let summary = text::required_multiline(&mut fe, "summary", reason.unwrap_or(""), 2000);
            fe.into_result()?;
            Some(summary)
        }
        _ => checked.reason,
    };
    let now = Utc::now();
    let late = t == Transition::Submit && rules::is_late(now, a.starts_at);
    let mut tx = db.begin().await?;
    // The status is checked again in the update: a concurrent transition makes this one fail
    // cleanly, naming the status the other one left.
    if store::set_status(&mut tx, id, from, to, t, reason.as_deref(), late, now).await? == 0 {
        let now = store::status_now(&mut tx, id).await?;
        return Err(crate::workflow::changed_meanwhile::<Lifecycle>(
            now.as_deref().and_then(Status::parse),
        ));
    }
    audit::record(
        &mut tx,
        actor,
        Entry {
            action: t.action(),
            subject_type: "activity",
            subject_id: Some(id),
            node_path: &a.owner_path,
            before: Some(json!({"status": from.as_str()})),
            after: Some(json!({"status": to.as_str(), "reason": reason, "late": late})),
            result: "ok",
        },
    )
    .await?;
    tx.commit().await?;
    get(db, actor, id).await
}

/// Filters of the activity list.
#[derive(Clone, Debug, Default)]
pub struct ActivityFilter {
    pub status: Option<String>,
    pub owner_id: Option<i64>,
    pub theme_id: Option<i64>,
    /// First day, inclusive.
    pub from: Option<Day>,
    /// Last day, inclusive.
    pub to: Option<Day>,
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

/// One centre's row of the month grid.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct GridRow {
    pub centre_id: i64,
    pub centre_name: String,
    pub community_name: String,
    /// Activities (approved or later) in each month, January first.
    pub counts: Vec<i64>,
    /// Months (1–12) below the rule of 2, counting only months already begun.
    pub below: Vec<u32>,
    /// Plans of the year submitted less than 15 days ahead (the centre's record of late
    /// submissions).
    pub late: i64,
}

/// The month × centre grid of a year: each centre's count against the rule of at least 2 a month.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Grid {
    pub year: i32,
    pub rows: Vec<GridRow>,
    /// Days left in the current month when the year is the current one.
    pub days_left: Option<i64>,
    pub current_month: Option<u32>,
}

/// The grid of every learning centre in the actor's scope for a year.
pub async fn month_grid(db: &Db, actor: &Actor, year: i32) -> Result<Grid> {
    actor.require(Permission::ActivitiesRead)?;
    if !(2000..=2100).contains(&year) {
        return Err(Error::invalid("year", Msg::new("activities.year_range")));
    }
    let centres = org::list_nodes(
        db,
        actor,
        &org::NodeFilter {
            kind: Some(Kind::Centre),
            ..Default::default()
        },
        PageRequest {
            page: 1,
            per_page: 10_000,
        },
    )
    .await?;
    let (from, to) = (Year(year).start(), Year(year).end());
    let counted: Vec<&str> = Status::ALL
        .iter()
        .filter(|s| s.counts())
        .map(|s| s.as_str())
        .collect();
    let rows = store::starts_by_owner(db, &actor.scope_path, from, to, &counted).await?;
    let mut late: std::collections::HashMap<i64, i64> =
        store::late_by_owner(db, &actor.scope_path, from, to)
            .await?
            .into_iter()
            .collect();
    let mut counts: std::collections::HashMap<i64, Vec<i64>> = std::collections::HashMap::new();
    for (owner, starts) in rows {
        let m = Day::of(starts).month().month as usize;
        counts.entry(owner).or_insert_with(|| vec![0; 12])[m - 1] += 1;
    }
    let today = Day::today();
    let current = (today.year() == year).then(|| today.month());
    let communities: std::collections::HashMap<i64, String> = org::list_nodes(
        db,
        actor,
        &org::NodeFilter {
            kind: Some(Kind::Community),
            ..Default::default()
        },
        PageRequest {
            page: 1,
            per_page: 10_000,
        },
    )
    .await?
    .items
    .into_iter()
    .map(|n| (n.id, n.name))
    .collect();
    let mut out = Vec::new();
    for c in centres.items {
        let community = c
            .parent_id
            .and_then(|p| communities.get(&p).cloned())
            .unwrap_or_default();
        let row = counts.remove(&c.id).unwrap_or_else(|| vec![0; 12]);
        let below = Year(year)
            .months()
            .filter(|m| m.has_begun(today) && row[m.month as usize - 1] < rules::MONTHLY_MINIMUM)
            .map(|m| m.month)
            .collect();
        out.push(GridRow {
            centre_id: c.id,
            centre_name: c.name,
            community_name: community,
            counts: row,
            below,
            late: late.remove(&c.id).unwrap_or(0),
        });
    }
    Ok(Grid {
        year,
        rows: out,
        days_left: current.and_then(|m| m.days_left_after(today)),
        current_month: current.map(|m| m.month),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> ActivityInput {
        ActivityInput {
            title: "健康养生讲座".into(),
            owner_id: 5,
            theme_id: 3,
            date: "2026-12-12".into(),
            start_time: "09:00".into(),
            end_time: "10:30".into(),
            ..Default::default()
        }
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
    }

    #[test]
    fn times_are_beijing_and_stored_in_utc() {
        let (v, dates) = validate(&input(), today()).unwrap();
        assert_eq!(v.starts_at.to_rfc3339(), "2026-12-12T01:00:00+00:00");
        assert_eq!((v.ends_at - v.starts_at).num_minutes(), 90);
        assert_eq!(dates.len(), 1);
    }

    #[test]
    fn past_dates_reversed_times_and_bad_capacity_are_refused() {
        let e = validate(
            &ActivityInput {
                date: "2026-11-21".into(),
                end_time: "08:00".into(),
                capacity: Some("0".into()),
                ..input()
            },
            today(),
        )
        .unwrap_err();
        let keys: Vec<&str> = e.0.iter().map(|(_, m)| m.key).collect();
        assert_eq!(
            keys,
            vec![
                "activities.date_past",
                "activities.end_before_start",
                "activities.capacity_range"
            ]
        );
    }

    #[test]
    fn a_series_repeats_every_second_saturday_for_three_months() {
        let i = ActivityInput {
            repeat_weeks: Some(2),
            repeat_until: Some("2027-03-12".into()),
            ..input()
        };
        let (_, dates) = validate(&i, today()).unwrap();
        assert_eq!(dates.len(), 7);
        assert_eq!(dates[1], NaiveDate::from_ymd_opt(2026, 12, 26).unwrap());
        assert!(
            validate(
                &ActivityInput {
                    repeat_weeks: Some(1),
                    repeat_until: Some("2028-12-01".into()),
                    ..input()
                },
                today()
            )
            .is_err()
        );
    }

    #[test]
    fn the_town_is_the_third_id_of_a_path() {
        assert_eq!(town_of("/1/2/3/9/10/"), Some(3));
        assert_eq!(town_of("/1/2/"), None);
    }
}
