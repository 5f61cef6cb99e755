//! The teacher register (师资库): a teacher checked, created in a pool of the actor's scope, read
//! with trainings and service, edited, suspended or returned.

use super::*;

/// The teacher form / API body.
#[derive(Clone, Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TeacherInput {
    #[schema(min_length = 1, max_length = 50)]
    pub name: String,
    /// The town school or a learning centre.
    pub node_id: i64,
    #[serde(default)]
    pub gender: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    pub teacher_type: String,
    pub source: String,
    #[serde(default)]
    #[schema(max_length = 100)]
    pub speciality: Option<String>,
    #[serde(default)]
    pub theme_ids: Vec<i64>,
}

/// Validated values of a teacher.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct TeacherValues {
    pub name: String,
    pub node_id: i64,
    pub gender: Option<String>,
    pub phone: Option<String>,
    pub teacher_type: String,
    pub source: String,
    pub speciality: Option<String>,
    pub theme_ids: Vec<i64>,
}

pub(super) fn validate(input: &TeacherInput) -> std::result::Result<TeacherValues, FieldErrors> {
    let mut fe = FieldErrors::default();
    let name = text::required(&mut fe, "name", &input.name, crate::text::max::NAME);
    let gender = rules::parse_gender(input.gender.as_deref().unwrap_or(""))
        .map_err(|m| fe.add("gender", m))
        .ok()
        .flatten()
        .map(str::to_string);
    let phone = fe.optional("phone", input.phone.as_deref(), rules::parse_phone);
    let teacher_type = parse_code(&input.teacher_type, &TYPES);
    if teacher_type.is_none() {
        fe.add("teacher_type", Msg::new("field.choose"));
    }
    let source = parse_code(&input.source, &SOURCES);
    if source.is_none() {
        fe.add("source", Msg::new("field.choose"));
    }
    let speciality = text::optional(
        &mut fe,
        "speciality",
        input.speciality.as_deref(),
        crate::text::max::PLACE,
    );
    if input.node_id <= 0 {
        fe.add("node_id", Msg::new("field.choose"));
    }
    if !fe.is_empty() {
        return Err(fe);
    }
    Ok(TeacherValues {
        name,
        node_id: input.node_id,
        gender,
        phone,
        teacher_type: teacher_type.unwrap_or_default().to_string(),
        source: source.unwrap_or_default().to_string(),
        speciality,
        theme_ids: input.theme_ids.clone(),
    })
}

/// The pool a teacher may join: the town school or a centre, inside the actor's scope.
pub(super) async fn pool_in_scope(tx: &mut Tx, actor: &Actor, id: i64) -> Result<Node> {
    match org::find_active_tx(tx, id).await? {
        Some(n) if matches!(n.kind(), Kind::School | Kind::Centre) && actor.sees(&n.path) => Ok(n),
        _ => Err(Error::invalid("node_id", Msg::new("teachers.pool_unknown"))),
    }
}

/// Themes must come from the pool's district catalogue.
pub(super) async fn check_themes(db: &Db, pool: &Node, ids: &[i64]) -> Result<()> {
    let district = catalogue::district_of(&pool.path).unwrap_or(0);
    let known: Vec<i64> = catalogue::themes(db, district)
        .await?
        .into_iter()
        .map(|t| t.id)
        .collect();
    if ids.iter().any(|i| !known.contains(i)) {
        return Err(Error::invalid(
            "theme_ids",
            Msg::new("teachers.theme_unknown"),
        ));
    }
    Ok(())
}

/// Adds a teacher to a pool.
pub async fn create_teacher(db: &Db, actor: &Actor, input: &TeacherInput) -> Result<Teacher> {
    actor.require(Permission::TeachersWrite)?;
    let v = validate(input).map_err(Error::Invalid)?;
    let mut tx = db.begin().await?;
    let pool = pool_in_scope(&mut tx, actor, v.node_id).await?;
    check_themes(db, &pool, &v.theme_ids).await?;
    if let Some(p) = &v.phone
        && store::teacher_with_phone(&mut tx, pool.id, p, None).await?
    {
        return Err(Error::invalid("phone", Msg::new("teachers.phone_taken")));
    }
    let id = store::insert(&mut tx, &v, Utc::now()).await?;
    audit::record(
        &mut tx,
        actor,
        Entry::of("teachers.created", "teacher", Some(id), &pool.path).after(audit_view(&v)),
    )
    .await?;
    tx.commit().await?;
    Ok(get_teacher(db, actor, id).await?.teacher)
}

pub(super) fn audit_view(v: &TeacherValues) -> serde_json::Value {
    json!({"name": v.name, "node_id": v.node_id, "teacher_type": v.teacher_type, "source": v.source,
           "has_phone": v.phone.is_some(), "speciality": v.speciality, "theme_ids": v.theme_ids})
}

pub(super) async fn record_visible(db: &Db, actor: &Actor, id: i64) -> Result<TeacherRecord> {
    actor.require(Permission::TeachersRead)?;
    let t = store::teacher(db, id).await?.ok_or(Error::NotFound)?;
    if visible(actor, &t) {
        Ok(t)
    } else {
        Err(Error::NotFound)
    }
}

/// True when the actor may change this teacher's record (edit, retire, trainings, service hours):
/// the write permission and the pool inside the actor's own scope. The town school's pool is
/// visible to every centre of the town but is the town's to change.
pub(super) fn may_write(actor: &Actor, t: &TeacherRecord) -> bool {
    actor.can(Permission::TeachersWrite) && actor.sees(&t.node_path)
}

/// A teacher the actor may change; one the actor only sees answers 404 like one outside the scope.
pub(super) async fn record_writable(db: &Db, actor: &Actor, id: i64) -> Result<TeacherRecord> {
    actor.require(Permission::TeachersWrite)?;
    let t = record_visible(db, actor, id).await?;
    if may_write(actor, &t) {
        Ok(t)
    } else {
        Err(Error::NotFound)
    }
}

/// 404 unless the actor sees the teacher (`write`: and may change the record).
pub async fn require_teacher(db: &Db, actor: &Actor, id: i64, write: bool) -> Result<()> {
    if write {
        record_writable(db, actor, id).await.map(|_| ())
    } else {
        record_visible(db, actor, id).await.map(|_| ())
    }
}

/// A teacher's page.
pub async fn get_teacher(db: &Db, actor: &Actor, id: i64) -> Result<TeacherDetail> {
    let t = record_visible(db, actor, id).await?;
    let themes = store::theme_names(db, &[id])
        .await?
        .remove(&id)
        .unwrap_or_default();
    let trainings = store::trainings(db, id).await?;
    let service = store::service(db, id).await?;
    let mut by_year: HashMap<i32, i64> = HashMap::new();
    for s in &service {
        *by_year.entry(s.served_on.year()).or_default() += s.minutes;
    }
    let mut service_by_year: Vec<(i32, i64)> = by_year.into_iter().collect();
    service_by_year.sort_by_key(|(year, _)| std::cmp::Reverse(*year));
    let taught = store::taught(db, id).await?;
    let mut by_year: HashMap<i32, i64> = HashMap::new();
    for a in taught.iter().filter(|a| a.took_place()) {
        let year = crate::calendar::Day::of(a.starts_at).year();
        *by_year.entry(year).or_default() += a.minutes();
    }
    let mut taught_by_year: Vec<(i32, i64)> = by_year.into_iter().collect();
    taught_by_year.sort_by_key(|(year, _)| std::cmp::Reverse(*year));
    Ok(TeacherDetail {
        taught,
        taught_by_year,
        may_write: may_write(actor, &t),
        teacher: t.view(themes, true),
        trainings,
        service,
        service_by_year,
    })
}

/// Edits a teacher (the pool may change within the actor's scope).
pub async fn update_teacher(
    db: &Db,
    actor: &Actor,
    id: i64,
    input: &TeacherInput,
) -> Result<Teacher> {
    let before = record_writable(db, actor, id).await?;
    let v = validate(input).map_err(Error::Invalid)?;
    let mut tx = db.begin().await?;
    let pool = pool_in_scope(&mut tx, actor, v.node_id).await?;
    check_themes(db, &pool, &v.theme_ids).await?;
    if let Some(p) = &v.phone
        && store::teacher_with_phone(&mut tx, pool.id, p, Some(id)).await?
    {
        return Err(Error::invalid("phone", Msg::new("teachers.phone_taken")));
    }
    store::update(&mut tx, id, &v, Utc::now()).await?;
    audit::record(
        &mut tx,
        actor,
        Entry::of("teachers.updated", "teacher", Some(id), &pool.path).before(json!({ "name": before.name, "node_id": before.node_id, "teacher_type": before.teacher_type, "source": before.source, })).after(audit_view(&v)),
    )
    .await?;
    tx.commit().await?;
    Ok(get_teacher(db, actor, id).await?.teacher)
}

/// Retires a teacher from the pool (dynamic management) with a date and a reason, or reinstates
/// one.
pub async fn set_status(
    db: &Db,
    actor: &Actor,
    id: i64,
    retire: Option<(String, String)>,
) -> Result<Teacher> {
    let t = record_writable(db, actor, id).await?;
    let (status, on, reason) = match &retire {
        Some((date, reason)) => {
            let mut fe = FieldErrors::default();
            let on = match NaiveDate::parse_from_str(date.trim(), "%Y-%m-%d") {
                Ok(d) => Some(d),
                Err(_) => {
                    fe.add("retired_on", Msg::new("field.date_format"));
                    None
                }
            };
            let reason =
                text::required(&mut fe, "retired_reason", reason, crate::text::max::REASON);
            fe.into_result()?;
            if t.status == TeacherStatus::Retired {
                return Err(Error::Conflict(Msg::new("teachers.already_retired")));
            }
            (TeacherStatus::Retired, on, Some(reason))
        }
        None => {
            if t.status == TeacherStatus::Active {
                return Err(Error::Conflict(Msg::new("teachers.already_active")));
            }
            (TeacherStatus::Active, None, None)
        }
    };
    let mut tx = db.begin().await?;
    store::set_status(&mut tx, id, status, on, reason.as_deref(), Utc::now()).await?;
    audit::record(
        &mut tx,
        actor,
        Entry::of(
            if status == TeacherStatus::Retired {
                "teachers.retired"
            } else {
                "teachers.reinstated"
            },
            "teacher",
            Some(id),
            &t.node_path,
        )
        .before(json!({"status": t.status}))
        .after(json!({"status": status, "retired_on": on, "retired_reason": reason})),
    )
    .await?;
    tx.commit().await?;
    Ok(get_teacher(db, actor, id).await?.teacher)
}
