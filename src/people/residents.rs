//! The resident register (居民): a resident's record checked, kept unique in its town, created,
//! registered as a walk-in, read within scope, revealed field by field, corrected and erased.

use super::*;

/// The resident form / API body (all text, so nothing typed is lost before validation).
#[derive(Clone, Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ResidentInput {
    #[schema(min_length = 1, max_length = 50)]
    pub name: String,
    pub community_id: i64,
    #[serde(default)]
    pub gender: Option<String>,
    /// YYYY-MM-DD
    #[serde(default)]
    pub birth_date: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub id_number: Option<String>,
    /// Household label; created in the community if new.
    #[serde(default)]
    #[schema(max_length = 60)]
    pub household: Option<String>,
    /// Building or village group; created in the community if new.
    #[serde(default)]
    #[schema(max_length = 40)]
    pub building: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub guardian_consent: bool,
}

/// Validated values of a resident, ready to store.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ResidentValues {
    pub name: String,
    pub community_id: i64,
    pub gender: Option<String>,
    pub birth_date: Option<NaiveDate>,
    pub phone: Option<String>,
    pub id_number: Option<String>,
    pub household: Option<String>,
    pub building: Option<String>,
    pub tags: Vec<String>,
    pub guardian_consent: bool,
}

/// Children under 14 need a guardian's consent before their data is kept (PIPL).
pub const GUARDIAN_AGE: i32 = 14;

/// Checks a resident's fields; `today` decides ages.
pub fn validate(
    input: &ResidentInput,
    today: NaiveDate,
) -> std::result::Result<ResidentValues, FieldErrors> {
    let mut fe = FieldErrors::default();
    let name = text::required(&mut fe, "name", &input.name, crate::text::max::NAME);
    let gender = match rules::parse_gender(input.gender.as_deref().unwrap_or("")) {
        Ok(g) => g.map(str::to_string),
        Err(m) => {
            fe.add("gender", m);
            None
        }
    };
    let birth_date = fe.optional("birth_date", input.birth_date.as_deref(), |s| {
        rules::parse_date_text(s)
            .ok_or_else(|| Msg::new("field.date_format"))
            .and_then(|d| rules::check_birth_date(d, today))
    });
    let phone = fe.optional("phone", input.phone.as_deref(), rules::parse_phone);
    let id_number = fe.optional(
        "id_number",
        input.id_number.as_deref(),
        rules::parse_id_number,
    );
    let birth_date = match (
        birth_date,
        id_number.as_deref().and_then(rules::id_birth_date),
    ) {
        (Some(b), Some(from_id)) if b != from_id => {
            fe.add("birth_date", Msg::new("people.birth_date_mismatch"));
            Some(b)
        }
        (None, from_id) => from_id,
        (b, _) => b,
    };
    // The 17th digit of the ID number says the gender: a form saying otherwise has a typo.
    let gender = match (gender, id_number.as_deref().and_then(rules::id_gender)) {
        (Some(g), Some(from_id)) if g != from_id => {
            fe.add("gender", Msg::new("people.gender_mismatch"));
            Some(g)
        }
        (None, from_id) => from_id.map(str::to_string),
        (g, _) => g,
    };
    let household = text::optional(
        &mut fe,
        "household",
        input.household.as_deref(),
        crate::text::max::HOUSEHOLD,
    );
    let building = text::optional(
        &mut fe,
        "building",
        input.building.as_deref(),
        crate::text::max::BUILDING,
    );
    let mut tags = Vec::new();
    for t in &input.tags {
        match rules::parse_tag(t) {
            Some(tag) if !tags.iter().any(|x: &String| x == tag) => tags.push(tag.to_string()),
            Some(_) => {}
            None => fe.add("tags", Msg::new("people.tag_unknown").arg("tag", t)),
        }
    }
    if let Some(b) = birth_date
        && rules::age_on(b, today) < GUARDIAN_AGE
        && !input.guardian_consent
    {
        fe.add(
            "guardian_consent",
            Msg::new("people.guardian_consent_needed"),
        );
    }
    if input.community_id <= 0 {
        fe.add("community_id", Msg::new("field.choose"));
    }
    if fe.is_empty() {
        Ok(ResidentValues {
            name,
            community_id: input.community_id,
            gender,
            birth_date,
            phone,
            id_number,
            household,
            building,
            tags,
            guardian_consent: input.guardian_consent,
        })
    } else {
        Err(fe)
    }
}

/// A community inside the actor's scope, or the field error that says it is not.
pub(super) async fn community_in_scope(tx: &mut Tx, actor: &Actor, id: i64) -> Result<Node> {
    match org::find_active_tx(tx, id).await? {
        Some(n) if n.kind() == Kind::Community && actor.sees(&n.path) => Ok(n),
        _ => Err(Error::invalid(
            "community_id",
            Msg::new("people.community_unknown"),
        )),
    }
}

/// Field errors for a phone or ID number already in the town's register (for another resident than
/// `except`). Another town's register is never consulted: it is not this town's to know.
pub(super) async fn check_unique(
    tx: &mut Tx,
    community: &Node,
    v: &ResidentValues,
    except: Option<i64>,
) -> Result<()> {
    let town_id = community.parent_id.unwrap_or(0);
    let mut fe = FieldErrors::default();
    if let Some(p) = &v.phone
        && store::resident_with_phone(tx, town_id, p)
            .await?
            .is_some_and(|id| Some(id) != except)
    {
        fe.add("phone", Msg::new("people.phone_taken"));
    }
    if let Some(n) = &v.id_number
        && store::resident_with_id_number(tx, town_id, n)
            .await?
            .is_some_and(|id| Some(id) != except)
    {
        fe.add("id_number", Msg::new("people.id_taken"));
    }
    fe.into_result()
}

/// Registers a resident in a community inside the actor's scope.
pub async fn create_resident(db: &Db, actor: &Actor, input: &ResidentInput) -> Result<Resident> {
    actor.require(Permission::PeopleWrite)?;
    insert_resident(db, actor, input, "people.resident_created").await
}

/// Registers a walk-in met at a QR check-in (name and mobile number only) in a community of the
/// activity's town; `actor` is the resident's self-service actor whose scope is that town.
pub(crate) async fn register_walk_in(
    db: &Db,
    actor: &Actor,
    community_id: i64,
    name: &str,
    phone: &str,
) -> Result<Resident> {
    let input = ResidentInput {
        name: name.to_string(),
        community_id,
        phone: Some(phone.to_string()),
        ..Default::default()
    };
    insert_resident(db, actor, &input, "people.walk_in_registered").await
}

pub(super) async fn insert_resident(
    db: &Db,
    actor: &Actor,
    input: &ResidentInput,
    action: &'static str,
) -> Result<Resident> {
    let v = validate(input, crate::calendar::Day::today().0).map_err(Error::Invalid)?;
    let mut tx = db.begin().await?;
    let community = community_in_scope(&mut tx, actor, v.community_id).await?;
    check_unique(&mut tx, &community, &v, None).await?;
    let id = store::insert_resident(&mut tx, &v, Utc::now()).await?;
    audit::record(
        &mut tx,
        actor,
        Entry::of(action, "resident", Some(id), &community.path).after(audit_view(&v)),
    )
    .await?;
    let r = store::resident(&mut tx, id).await?.ok_or(Error::NotFound)?;
    let tags = store::tags_of(&mut tx, id).await?;
    tx.commit().await?;
    Ok(r.masked(tags))
}

/// What the audit log keeps of a resident: no phone or ID number, only whether one is present.
pub(super) fn audit_view(v: &ResidentValues) -> serde_json::Value {
    // Only what is not personal: the audit log is append-only, and an erasure must leave no name,
    // number, birth date, address or (sensitive) group tag of the resident behind.
    json!({
        "community_id": v.community_id, "has_phone": v.phone.is_some(), "has_id_number": v.id_number.is_some(),
        "has_birth_date": v.birth_date.is_some(), "has_household": v.household.is_some(), "tag_count": v.tags.len(),
    })
}

/// The names of the fields an edit changed (values stay out of the audit log).
pub(super) fn changed_fields(a: &ResidentValues, b: &ResidentValues) -> Vec<&'static str> {
    let mut out = Vec::new();
    let mut check = |changed: bool, name: &'static str| {
        if changed {
            out.push(name);
        }
    };
    check(a.name != b.name, "name");
    check(a.community_id != b.community_id, "community");
    check(a.gender != b.gender, "gender");
    check(a.birth_date != b.birth_date, "birth_date");
    check(a.phone != b.phone, "phone");
    check(a.id_number != b.id_number, "id_number");
    check(a.household != b.household, "household");
    check(a.building != b.building, "building");
    let (mut ta, mut tb) = (a.tags.clone(), b.tags.clone());
    ta.sort();
    tb.sort();
    check(ta != tb, "tags");
    check(a.guardian_consent != b.guardian_consent, "guardian_consent");
    out
}

pub(super) async fn record_in_scope(db: &Db, actor: &Actor, id: i64) -> Result<ResidentRecord> {
    actor.require(Permission::PeopleRead)?;
    let r = store::resident(db, id).await?.ok_or(Error::NotFound)?;
    actor.require_sees(&r.community_path)?;
    Ok(r)
}

/// The id of a resident inside the actor's scope whose attendance may be recorded (not erased).
pub(crate) async fn resident_for_attendance(db: &Db, actor: &Actor, id: i64) -> Result<i64> {
    let r = store::resident(db, id).await?.ok_or(Error::NotFound)?;
    if r.erased_at.is_some() {
        return Err(Error::NotFound);
    }
    actor.require_sees(&r.community_path)?;
    Ok(r.id)
}

/// A resident's name (for the pages a resident opens with a signed link).
pub(crate) async fn resident_name(db: &Db, id: i64) -> Result<String> {
    Ok(store::resident(db, id).await?.ok_or(Error::NotFound)?.name)
}

/// One resident, masked.
pub async fn get_resident(db: &Db, actor: &Actor, id: i64) -> Result<Resident> {
    let r = record_in_scope(db, actor, id).await?;
    let tags = store::tags_of(db, id).await?;
    Ok(r.masked(tags))
}

/// Which personal value to reveal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PersonalField {
    Phone,
    IdNumber,
}

/// Shows one resident's full phone or ID number to a role that needs it; the view is audited
/// (without the value).
pub async fn reveal(
    db: &Db,
    actor: &Actor,
    id: i64,
    field: PersonalField,
) -> Result<Option<String>> {
    actor.require(Permission::PeopleReveal)?;
    let r = record_in_scope(db, actor, id).await?;
    let (value, name) = match field {
        PersonalField::Phone => (r.phone.clone(), "phone"),
        PersonalField::IdNumber => (r.id_number.clone(), "id_number"),
    };
    audit::record_now(
        db,
        actor,
        Entry::of(
            "people.personal_viewed",
            "resident",
            Some(id),
            &r.community_path,
        )
        .after(json!({"field": name})),
    )
    .await?;
    Ok(value)
}

/// Edits a resident (an erased resident stays erased).
pub async fn update_resident(
    db: &Db,
    actor: &Actor,
    id: i64,
    input: &ResidentInput,
) -> Result<Resident> {
    actor.require(Permission::PeopleWrite)?;
    let before = record_in_scope(db, actor, id).await?;
    if before.erased_at.is_some() {
        return Err(Error::Conflict(Msg::new("people.resident_erased")));
    }
    // A blank number keeps the stored one: forms never show full numbers, so they cannot send them
    // back.
    let blank = |s: &Option<String>| s.as_deref().is_none_or(|s| s.trim().is_empty());
    let mut input = input.clone();
    if blank(&input.phone) {
        input.phone = before.phone.clone();
    }
    if blank(&input.id_number) {
        input.id_number = before.id_number.clone();
    }
    let v = validate(&input, crate::calendar::Day::today().0).map_err(Error::Invalid)?;
    let mut tx = db.begin().await?;
    apply_update(&mut tx, actor, &before, &v, Utc::now()).await?;
    let r = store::resident(&mut tx, id).await?.ok_or(Error::NotFound)?;
    let tags = store::tags_of(&mut tx, id).await?;
    tx.commit().await?;
    Ok(r.masked(tags))
}

/// Writes checked values over a resident inside the caller's transaction (the form's edit and a
/// re-import alike): the community must be in the actor's scope, the numbers free in its town; the
/// audit record names the fields that changed, never their values.
pub(super) async fn apply_update(
    tx: &mut Tx,
    actor: &Actor,
    before: &ResidentRecord,
    v: &ResidentValues,
    now: DateTime<Utc>,
) -> Result<()> {
    let id = before.id;
    let community = community_in_scope(tx, actor, v.community_id).await?;
    check_unique(tx, &community, v, Some(id)).await?;
    let old_tags = store::tags_of(&mut *tx, id).await?;
    store::update_resident(tx, id, v, now).await?;
    if before.community_id != v.community_id {
        // Moved: the years they took part count in the new community.
        let mut touched = crate::rollups::Touched::default();
        touched.resident(tx, id).await?;
        crate::rollups::refresh(tx, &touched).await?;
    }
    let before_values = before.values(old_tags);
    let mut after = audit_view(v);
    after["changed"] = json!(changed_fields(&before_values, v));
    audit::record(
        tx,
        actor,
        Entry::of(
            "people.resident_updated",
            "resident",
            Some(id),
            &community.path,
        )
        .before(audit_view(&before_values))
        .after(after),
    )
    .await
}

impl ResidentRecord {
    /// The stored values of a resident, as a form or an import would give them.
    pub(super) fn values(&self, tags: Vec<String>) -> ResidentValues {
        ResidentValues {
            name: self.name.clone(),
            community_id: self.community_id,
            gender: self.gender.clone(),
            birth_date: self.birth_date,
            phone: self.phone.clone(),
            id_number: self.id_number.clone(),
            household: self.household_name.clone(),
            building: self.building_name.clone(),
            tags,
            guardian_consent: self.guardian_consent,
        }
    }
}

/// Erases a resident's personal data on request: name, phone, ID number, birth date, household,
/// building and tags go; the record stays as an anonymous member of its community so that
/// attendance statistics do not change.
pub async fn erase_resident(db: &Db, actor: &Actor, id: i64) -> Result<Resident> {
    actor.require(Permission::PeopleErase)?;
    let r = record_in_scope(db, actor, id).await?;
    if r.erased_at.is_some() {
        return Err(Error::Conflict(Msg::new("people.resident_erased")));
    }
    let mut tx = db.begin().await?;
    store::erase_resident(&mut tx, id, Utc::now()).await?;
    audit::record(&mut tx, actor, Entry::of("people.resident_erased", "resident", Some(id), &r.community_path).before(json!({"fields": ["name", "phone", "id_number", "birth_date", "household", "building", "tags"]})).after(json!({"erased": true}))).await?;
    let after = store::resident(&mut tx, id).await?.ok_or(Error::NotFound)?;
    tx.commit().await?;
    // SECURITY.md: erasure reaches the database file (secure_delete is on; the WAL is emptied).
    db.flush_erasures().await?;
    Ok(after.masked(Vec::new()))
}

/// The id of the resident with this (normalised) mobile number in one town's register: the phone
/// pages of an activity look a number up in the activity's town only, so a number registered
/// elsewhere is a first-time visitor here and reveals nothing about the other town's resident.
pub(crate) async fn id_by_phone(db: &Db, town_id: i64, phone: &str) -> Result<Option<i64>> {
    store::resident_id_by_phone(db, town_id, phone).await
}

/// The id of the resident with this (normalised) mobile number in a town's register, inside the
/// actor's scope.
pub async fn find_by_phone(
    db: &Db,
    actor: &Actor,
    town_id: i64,
    phone: &str,
) -> Result<Option<i64>> {
    actor.require(Permission::PeopleRead)?;
    match id_by_phone(db, town_id, phone).await? {
        Some(id) => match record_in_scope(db, actor, id).await {
            Ok(_) => Ok(Some(id)),
            Err(Error::NotFound) => Ok(None),
            Err(e) => Err(e),
        },
        None => Ok(None),
    }
}

/// How many resident records the database holds (benchmarks and health figures).
pub async fn count_residents(db: &Db) -> Result<i64> {
    store::count_residents(db).await
}

/// Residents of the communities under a path recorded from `from` until `until` (a monthly
/// report's new residents) as (registered one by one, imported with a register), without a scope
/// check (the report checked the reader's).
pub async fn registered_between(
    db: &Db,
    under: &str,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<(i64, i64)> {
    store::residents::registered_between(db, under, from, until).await
}
