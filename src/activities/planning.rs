//! Planning an activity (计划): the form's values checked against the plan's rules and the tree,
//! the catalogue and the teacher pool; a plan of one date or a weekly series; edits while it may
//! still change.

use super::*;

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
    /// A room of the town booked for it (refused when another activity holds it at the time).
    #[serde(default)]
    pub room_id: Option<i64>,
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
    pub room_id: Option<i64>,
    pub capacity: Option<i32>,
    pub description: Option<String>,
    pub featured: bool,
    pub learning_team: bool,
    pub special_event: Option<String>,
}

/// The most occurrences one series may create.
pub const MAX_SERIES: usize = 60;

/// When an activity is entered: planned ahead, or recorded afterwards (补录) once held.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Timing {
    /// A plan: today or later, possibly a weekly series.
    Ahead,
    /// Already held: today or earlier, one occurrence.
    Afterwards,
}

/// Checks the fields of a plan; returns the first occurrence and the dates of the series.
pub(crate) fn validate(
    input: &ActivityInput,
    today: NaiveDate,
    timing: Timing,
) -> std::result::Result<(Values, Vec<NaiveDate>), FieldErrors> {
    let mut fe = FieldErrors::default();
    let title = text::required(&mut fe, "title", &input.title, crate::text::max::TITLE);
    let date = NaiveDate::parse_from_str(input.date.trim(), "%Y-%m-%d").ok();
    match (date, timing) {
        (None, _) if input.date.trim().is_empty() => fe.add("date", Msg::new("field.required")),
        (None, _) => fe.add("date", Msg::new("field.date_format")),
        (Some(d), Timing::Ahead) if d < today => fe.add("date", Msg::new("activities.date_past")),
        (Some(d), Timing::Afterwards) if d > today => {
            fe.add("date", Msg::new("activities.date_future"))
        }
        _ => {}
    }
    let start = NaiveTime::parse_from_str(input.start_time.trim(), "%H:%M").ok();
    let end = NaiveTime::parse_from_str(input.end_time.trim(), "%H:%M").ok();
    // An empty field is a missing answer, not a badly written one.
    let time_error = |typed: &str| {
        Msg::new(if typed.trim().is_empty() {
            "field.required"
        } else {
            "activities.time_format"
        })
    };
    if start.is_none() {
        fe.add("start_time", time_error(&input.start_time));
    }
    match (start, end) {
        (_, None) => fe.add("end_time", time_error(&input.end_time)),
        (Some(s), Some(e)) if e <= s => fe.add("end_time", Msg::new("activities.end_before_start")),
        _ => {}
    }
    let venue = text::optional(
        &mut fe,
        "venue",
        input.venue.as_deref(),
        crate::text::max::PLACE,
    );
    let description = text::optional_multiline(
        &mut fe,
        "description",
        input.description.as_deref(),
        crate::text::max::DESCRIPTION,
    );
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
        let repeat = input
            .repeat_weeks
            .filter(|w| *w > 0 && timing == Timing::Ahead);
        if let Some(weeks) = repeat {
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
            room_id: input.room_id.filter(|r| *r > 0),
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
pub(super) fn town_of(path: &str) -> Option<i64> {
    org::rules::ancestor_id(path, org::rules::TOWN_LEVEL)
}

/// Checks the references of a plan against the tree, the catalogue and the teacher pool.
pub(super) async fn check_references(tx: &mut Tx, actor: &Actor, v: &mut Values) -> Result<Node> {
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
    // Read inside the transaction: a writer holding SQLite's write lock must not wait for a
    // second pooled connection that other writers, queued for the lock, are holding.
    let themes = catalogue::themes(&mut *tx, district).await?;
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
        && !catalogue::formats(&mut *tx, district)
            .await?
            .iter()
            .any(|x| x.id == f)
    {
        fe.add("format_id", Msg::new("field.choose"));
    }
    if let Some(g) = v.target_group_id
        && !catalogue::target_groups(&mut *tx, district)
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
    if v.venue.is_none() && v.room_id.is_none() {
        v.venue = owner.venue.clone();
    }
    Ok(owner)
}

/// Books the plan's room, if it names one, inside the plan's transaction: refused when another
/// activity holds the room at an overlapping time (`venues::check_free` names it); the venue
/// is the room's name when none was typed.
pub(super) async fn book_room(
    tx: &mut Tx,
    v: &mut Values,
    owner: &Node,
    except: Option<i64>,
) -> Result<()> {
    if let Some(room) = v.room_id {
        let times = (v.starts_at, v.ends_at);
        let r = venues::check_free(tx, room, &owner.path, times, except).await?;
        if v.venue.is_none() {
            v.venue = Some(format!("{} {}", r.node_name, r.name));
        }
    }
    Ok(())
}

/// Plans an activity (or a series of them), as drafts.
pub async fn plan(db: &Db, actor: &Actor, input: &ActivityInput) -> Result<Vec<Activity>> {
    actor.require(Permission::ActivitiesPlan)?;
    let today = Day::today().0;
    let (mut v, dates) = validate(input, today, Timing::Ahead).map_err(Error::Invalid)?;
    let mut tx = db.begin().await?;
    let owner = check_references(&mut tx, actor, &mut v).await?;
    let town_id = town_of(&owner.path).unwrap_or(0);
    let now = Utc::now();
    let mut ids = Vec::new();
    let duration = v.ends_at - v.starts_at;
    let first_day = dates.first().copied().unwrap_or(today);
    let mut series = None;
    for d in &dates {
        let shift = *d - first_day;
        let mut occurrence = Values {
            starts_at: v.starts_at + shift,
            ends_at: v.starts_at + shift + duration,
            ..v.clone()
        };
        book_room(&mut tx, &mut occurrence, &owner, None).await?;
        let id = store::insert(
            &mut tx,
            town_id,
            &occurrence,
            series,
            Status::Draft,
            actor.user_id,
            now,
        )
        .await?;
        if dates.len() > 1 && series.is_none() {
            series = Some(id);
            store::set_series(&mut tx, id, id).await?;
        }
        audit::record(
            &mut tx,
            actor,
            Entry::of("activities.planned", "activity", Some(id), &owner.path).after(json!({ "title": occurrence.title, "owner_id": occurrence.owner_id, "starts_at": occurrence.starts_at, "series_id": series, })),
        )
        .await?;
        ids.push(id);
    }
    tx.commit().await?;
    let mut out = Vec::new();
    for id in ids {
        out.push(get(db, actor, id).await?);
    }
    Ok(out)
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
    let (mut v, _) = validate(&single, today, Timing::Ahead).map_err(Error::Invalid)?;
    let mut tx = db.begin().await?;
    let owner = check_references(&mut tx, actor, &mut v).await?;
    if town_of(&owner.path) != Some(before.town_id) {
        return Err(Error::invalid(
            "owner_id",
            Msg::new("activities.owner_unknown"),
        ));
    }
    book_room(&mut tx, &mut v, &owner, Some(id)).await?;
    store::update(&mut tx, id, &v, Utc::now()).await?;
    audit::record(&mut tx, actor, Entry::of("activities.updated", "activity", Some(id), &owner.path).before(json!({"title": before.title, "owner_id": before.owner_id, "starts_at": before.starts_at})).after(json!({"title": v.title, "owner_id": v.owner_id, "starts_at": v.starts_at}))).await?;
    tx.commit().await?;
    get(db, actor, id).await
}
