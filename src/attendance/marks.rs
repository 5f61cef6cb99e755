//! Attendance taken by staff: marks by hand (present / late / excused / absent), head counts of
//! open lectures, the paper sign-in sheet, and a resident's own attendance record.

use super::*;

/// One row of an activity's attendance.
#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Attendance {
    pub id: i64,
    pub activity_id: i64,
    pub resident_id: i64,
    pub resident_name: String,
    /// Masked.
    pub phone: Option<String>,
    pub status: AttendanceStatus,
    /// qr, staff or sheet
    pub method: String,
    pub checked_at: DateTime<Utc>,
}

/// An activity's attendance with its counts.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct AttendanceSheet {
    pub rows: Vec<Attendance>,
    /// Present or late.
    pub attended: i64,
    pub excused: i64,
    pub absent: i64,
    /// Counted heads of an open lecture without a roster.
    pub head_count: Option<i64>,
    /// Enrolled residents not recorded yet (to mark by hand).
    pub unmarked: Vec<Enrolment>,
}

impl AttendanceSheet {
    /// True once attendance was taken: someone present or late, or a head count above zero.
    pub fn taken(&self) -> bool {
        taken(self.attended, self.head_count)
    }
}

pub(super) fn taken(attended: i64, head_count: Option<i64>) -> bool {
    attended > 0 || head_count.unwrap_or(0) > 0
}

/// True once an activity's attendance was taken (documenting needs it).
pub(crate) async fn attendance_taken(db: &Db, activity_id: i64) -> Result<bool> {
    let (attended, _, _, head_count) = store::counts(db, activity_id).await?;
    Ok(taken(attended, head_count))
}

/// The attendance of an activity.
pub async fn attendance(db: &Db, actor: &Actor, activity_id: i64) -> Result<AttendanceSheet> {
    let a = activities::get(db, actor, activity_id).await?;
    let rows = store::attendance_list(db, a.id).await?;
    let (attended, excused, absent, head_count) = store::counts(db, a.id).await?;
    let unmarked = if actor.can(Permission::PeopleRead) || actor.can(Permission::ActivitiesAttend) {
        let recorded: std::collections::HashSet<i64> = rows.iter().map(|r| r.resident_id).collect();
        store::list(db, a.id)
            .await?
            .into_iter()
            .filter(|e| e.status == EnrolmentStatus::Enrolled && !recorded.contains(&e.resident_id))
            .collect()
    } else {
        Vec::new()
    };
    Ok(AttendanceSheet {
        rows,
        attended,
        excused,
        absent,
        head_count,
        unmarked,
    })
}

/// How a hand-made record was taken.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// Marked by staff during or after the activity.
    Staff,
    /// Entered from a paper sign-in sheet.
    Sheet,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Staff => "staff",
            Method::Sheet => "sheet",
        }
    }

    /// Parses `staff` or `sheet` (anything else is staff).
    pub fn parse(s: &str) -> Method {
        if s.trim() == "sheet" {
            Method::Sheet
        } else {
            Method::Staff
        }
    }
}

/// Statuses in which attendance may be recorded by hand.
pub(super) fn check_markable(a: &activities::Activity) -> Result<()> {
    match a.status() {
        Status::Published | Status::Held => Ok(()),
        Status::Cancelled => Err(Error::Conflict(Msg::new("attendance.activity_cancelled"))),
        Status::Documented | Status::Archived => {
            Err(Error::Conflict(Msg::new("attendance.already_documented")))
        }
        _ => Err(Error::Conflict(Msg::new("attendance.activity_not_open"))),
    }
}

/// Marks residents' attendance by hand, all in one transaction; returns how many records changed.
pub async fn mark(
    db: &Db,
    actor: &Actor,
    activity_id: i64,
    marks: &[(i64, String)],
    method: Method,
) -> Result<usize> {
    actor.require(Permission::ActivitiesAttend)?;
    let a = activities::get(db, actor, activity_id).await?;
    activities::require(actor, &a, activities::Act::Attend)?;
    check_markable(&a)?;
    let mut parsed = Vec::with_capacity(marks.len());
    for (resident_id, status) in marks {
        if status.trim().is_empty() {
            continue;
        }
        let s = AttendanceStatus::parse(status)
            .ok_or_else(|| Error::invalid("status", Msg::new("field.choose")))?;
        // Only residents the actor may see (a number typed into a form is checked like any id).
        let r = people::resident_for_attendance(db, actor, *resident_id).await?;
        parsed.push((r, s));
    }
    let now = Utc::now();
    let mut tx = db.begin().await?;
    crate::rollups::lock_for_recount(&mut tx).await?;
    let mut changed = 0;
    let marked_residents: Vec<i64> = parsed.iter().map(|(r, _)| *r).collect();
    for (resident_id, s) in parsed {
        let (id, before) = store::upsert_mark(
            &mut tx,
            a.id,
            resident_id,
            s.as_str(),
            method.as_str(),
            actor.user_id,
            now,
        )
        .await?;
        if before.as_deref() == Some(s.as_str()) {
            continue;
        }
        changed += 1;
        audit::record(
            &mut tx,
            actor,
            Entry::of("attendance.marked", "attendance", Some(id), &a.owner_path).before(before.map(|b| json!({"status": b}))).after( json!({"activity_id": a.id, "resident_id": resident_id, "status": s.as_str(), "method": method.as_str()}), ),
        )
        .await?;
    }
    let mut touched = crate::rollups::Touched::default();
    let marked: Vec<i64> = marked_residents;
    touched.activity(&mut tx, a.id, &marked).await?;
    crate::rollups::refresh(&mut tx, &touched).await?;
    tx.commit().await?;
    Ok(changed)
}

/// Marks the resident with this mobile number (a name from a paper sheet, someone not enrolled).
pub async fn mark_by_phone(
    db: &Db,
    actor: &Actor,
    activity_id: i64,
    phone: &str,
    status: &str,
    method: Method,
) -> Result<usize> {
    let phone = people::rules::parse_phone(phone).map_err(|m| Error::invalid("phone", m))?;
    let a = activities::get(db, actor, activity_id).await?;
    let resident = people::find_by_phone(db, actor, a.town_id, &phone)
        .await?
        .ok_or_else(|| Error::invalid("phone", Msg::new("attendance.phone_unknown")))?;
    mark(
        db,
        actor,
        activity_id,
        &[(resident, status.to_string())],
        method,
    )
    .await
}

/// Records the counted heads of an open lecture with no roster (empty clears it).
pub async fn record_head_count(
    db: &Db,
    actor: &Actor,
    activity_id: i64,
    count: &str,
) -> Result<Option<i64>> {
    actor.require(Permission::ActivitiesAttend)?;
    let a = activities::get(db, actor, activity_id).await?;
    activities::require(actor, &a, activities::Act::Attend)?;
    check_markable(&a)?;
    let n = match count.trim() {
        "" => None,
        s => match s.parse::<i64>() {
            Ok(n) if (0..=rules::MAX_HEAD_COUNT).contains(&n) => Some(n),
            _ => {
                return Err(Error::invalid(
                    "head_count",
                    Msg::new("attendance.head_count_range").arg("max", rules::MAX_HEAD_COUNT),
                ));
            }
        },
    };
    let (_, _, _, before) = store::counts(db, a.id).await?;
    let mut tx = db.begin().await?;
    store::set_head_count(&mut tx, a.id, n).await?;
    audit::record(
        &mut tx,
        actor,
        Entry::of(
            "attendance.head_counted",
            "activity",
            Some(a.id),
            &a.owner_path,
        )
        .before(json!({"head_count": before}))
        .after(json!({"head_count": n})),
    )
    .await?;
    tx.commit().await?;
    Ok(n)
}

/// A row of the paper sign-in sheet.
#[derive(Clone, Debug, Serialize)]
pub struct SheetRow {
    pub resident_id: i64,
    pub name: String,
    /// Masked.
    pub phone: Option<String>,
}

/// The enrolled residents to print on a paper sign-in sheet (签到表), with blank lines for walk-ins.
pub async fn sign_in_sheet(db: &Db, actor: &Actor, activity_id: i64) -> Result<Vec<SheetRow>> {
    actor.require(Permission::ActivitiesAttend)?;
    let a = activities::get(db, actor, activity_id).await?;
    activities::require(actor, &a, activities::Act::Attend)?;
    Ok(store::sheet_rows(db, a.id)
        .await?
        .into_iter()
        .map(|(resident_id, name, phone)| SheetRow {
            resident_id,
            name,
            phone,
        })
        .collect())
}

/// An activity a resident attended (or was marked for), with their rating.
#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct ResidentAttendance {
    pub activity_id: i64,
    pub title: String,
    pub starts_at: DateTime<Utc>,
    pub owner_name: String,
    pub status: AttendanceStatus,
    pub score: Option<i32>,
    pub comment: Option<String>,
}

/// A resident's attendance and ratings, newest first.
pub async fn attendance_of_resident(
    db: &Db,
    actor: &Actor,
    resident_id: i64,
) -> Result<Vec<ResidentAttendance>> {
    let r = people::get_resident(db, actor, resident_id).await?;
    store::attendance_of_resident(db, r.id).await
}
