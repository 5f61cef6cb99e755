//! Trainings and service hours of a teacher, entered in hours as the plans count them.

use super::*;

/// A training or a volunteer service to record.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct TimeEntry {
    /// YYYY-MM-DD
    pub date: String,
    /// The training's title or the activity served.
    #[schema(min_length = 1, max_length = 100)]
    pub title: String,
    #[serde(default)]
    #[schema(max_length = 100)]
    pub organiser: Option<String>,
    /// Hours, e.g. "2" or "1.5".
    pub hours: String,
}

pub(super) fn check_entry(e: &TimeEntry) -> Result<(NaiveDate, String, Option<String>, i64)> {
    let mut fe = FieldErrors::default();
    let date = NaiveDate::parse_from_str(e.date.trim(), "%Y-%m-%d")
        .map_err(|_| fe.add("date", Msg::new("field.date_format")))
        .ok();
    if date.is_some_and(|d| d > crate::calendar::Day::today().0) {
        fe.add("date", Msg::new("teachers.date_in_future"));
    }
    let title = text::required(&mut fe, "title", &e.title, crate::text::max::TITLE);
    let organiser = text::optional(
        &mut fe,
        "organiser",
        e.organiser.as_deref(),
        crate::text::max::PLACE,
    );
    let minutes = parse_hours(&e.hours).unwrap_or_else(|m| {
        fe.add("hours", m);
        0
    });
    fe.into_result()?;
    Ok((date.unwrap_or_default(), title, organiser, minutes))
}

/// Hours typed as "2", "1.5" or "１．５", kept in whole minutes: at least one minute, at most a day. A
/// minus sign is a minus sign (refused), not a separator to drop.
pub fn parse_hours(s: &str) -> std::result::Result<i64, Msg> {
    let s: String = s
        .trim()
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            '．' => '.',
            c => c,
        })
        .collect();
    let valid = s.chars().all(|c| c.is_ascii_digit() || c == '.');
    match s.parse::<f64>() {
        Ok(h) if valid && h.is_finite() => {
            let minutes = (h * 60.0).round();
            if (1.0..=24.0 * 60.0).contains(&minutes) {
                Ok(minutes as i64)
            } else {
                Err(Msg::new("teachers.hours_range"))
            }
        }
        _ => Err(Msg::new("teachers.hours_range")),
    }
}

/// Records a training a teacher attended.
pub async fn add_training(db: &Db, actor: &Actor, id: i64, e: &TimeEntry) -> Result<()> {
    let t = record_writable(db, actor, id).await?;
    let (date, title, organiser, minutes) = check_entry(e)?;
    let mut tx = db.begin().await?;
    let tid = store::insert_training(
        &mut tx,
        id,
        date,
        &title,
        organiser.as_deref(),
        minutes,
        Utc::now(),
    )
    .await?;
    audit::record(
        &mut tx,
        actor,
        Entry::of(
            "teachers.training_added",
            "teacher_training",
            Some(tid),
            &t.node_path,
        )
        .after(json!({"teacher_id": id, "date": date, "title": title, "minutes": minutes})),
    )
    .await?;
    tx.commit().await
}

/// Records a volunteer's service hours for one activity.
pub async fn add_service(db: &Db, actor: &Actor, id: i64, e: &TimeEntry) -> Result<()> {
    let t = record_writable(db, actor, id).await?;
    if t.teacher_type != "volunteer" {
        return Err(Error::Conflict(Msg::new("teachers.not_a_volunteer")));
    }
    let (date, title, _, minutes) = check_entry(e)?;
    let mut tx = db.begin().await?;
    let sid = store::insert_service(&mut tx, id, date, &title, minutes, Utc::now()).await?;
    audit::record(
        &mut tx,
        actor,
        Entry::of(
            "teachers.service_added",
            "volunteer_hours",
            Some(sid),
            &t.node_path,
        )
        .after(json!({"teacher_id": id, "date": date, "activity": title, "minutes": minutes})),
    )
    .await?;
    tx.commit().await
}
