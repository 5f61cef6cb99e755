//! People: residents (居民) with their households (家庭) and buildings / village groups (楼栋/村组), kept
//! per community. Invariants: phone numbers and ID numbers are unique among residents; lists,
//! exports and API answers carry them masked — the full value is shown only on request to a role
//! that needs it, and every such view is audited without the value itself; an erased resident keeps
//! only community and gender (so attendance still counts, anonymously).

#[cfg(feature = "bench")]
pub mod generated;
pub mod import;
pub mod rules;
mod store;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::access::{Actor, Permission};
use crate::audit::{self, Entry};
use crate::db::{Db, Tx};
use crate::error::{Error, FieldErrors, Msg, Result};
use crate::org::{self, Kind, Node};
use crate::page::{Page, PageRequest};
use crate::text;
pub use rules::TAGS;

/// A resident as stored (full numbers: never leaves this module unmasked except through
/// [`reveal`]).
#[derive(Clone, Debug, sqlx::FromRow)]
pub(crate) struct ResidentRecord {
    pub id: i64,
    pub community_id: i64,
    pub community_name: String,
    pub community_path: String,
    pub name: String,
    pub gender: Option<String>,
    pub birth_date: Option<NaiveDate>,
    pub phone: Option<String>,
    pub id_number: Option<String>,
    pub household_id: Option<i64>,
    pub household_name: Option<String>,
    pub building_id: Option<i64>,
    pub building_name: Option<String>,
    pub guardian_consent: bool,
    pub erased_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// A resident as lists, pages, exports and the API show it: phone and ID number masked.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Resident {
    pub id: i64,
    pub community_id: i64,
    pub community_name: String,
    pub name: String,
    /// male or female
    pub gender: Option<String>,
    pub birth_date: Option<NaiveDate>,
    /// Masked: 138****5678.
    pub phone: Option<String>,
    /// Masked: 5001**********1234.
    pub id_number: Option<String>,
    pub household_id: Option<i64>,
    pub household_name: Option<String>,
    pub building_id: Option<i64>,
    pub building_name: Option<String>,
    /// elderly, youth, women, employee, farmer, disabled, migrant
    pub tags: Vec<String>,
    pub guardian_consent: bool,
    pub erased: bool,
    pub created_at: DateTime<Utc>,
}

impl ResidentRecord {
    fn masked(self, tags: Vec<String>) -> Resident {
        Resident {
            id: self.id,
            community_id: self.community_id,
            community_name: self.community_name,
            name: self.name,
            gender: self.gender,
            birth_date: self.birth_date,
            phone: self.phone.as_deref().map(rules::mask_phone),
            id_number: self.id_number.as_deref().map(rules::mask_id_number),
            household_id: self.household_id,
            household_name: self.household_name,
            building_id: self.building_id,
            building_name: self.building_name,
            tags,
            guardian_consent: self.guardian_consent,
            erased: self.erased_at.is_some(),
            created_at: self.created_at,
        }
    }
}

/// A household (家庭) of a community.
#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Household {
    pub id: i64,
    pub community_id: i64,
    pub community_name: String,
    pub building_id: Option<i64>,
    pub building_name: Option<String>,
    /// The address or label of the household, e.g. 3栋2单元401 or 王家湾12号.
    pub name: String,
    pub members: i64,
}

/// A building (楼栋) or village group (村组) of a community.
#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Building {
    pub id: i64,
    pub community_id: i64,
    pub name: String,
    /// building or village_group
    pub kind: String,
}

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
    let name = text::required(&mut fe, "name", &input.name, 50);
    let gender = match rules::parse_gender(input.gender.as_deref().unwrap_or("")) {
        Ok(g) => g.map(str::to_string),
        Err(m) => {
            fe.add("gender", m);
            None
        }
    };
    let birth_date = match input
        .birth_date
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => None,
        Some(s) => match rules::parse_date_text(s)
            .ok_or_else(|| Msg::new("field.date_format"))
            .and_then(|d| rules::check_birth_date(d, today))
        {
            Ok(d) => Some(d),
            Err(m) => {
                fe.add("birth_date", m);
                None
            }
        },
    };
    let phone = match input
        .phone
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => None,
        Some(s) => rules::parse_phone(s).map_err(|m| fe.add("phone", m)).ok(),
    };
    let id_number = match input
        .id_number
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => None,
        Some(s) => rules::parse_id_number(s)
            .map_err(|m| fe.add("id_number", m))
            .ok(),
    };
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
    let household = text::optional(&mut fe, "household", input.household.as_deref(), 60);
    let building = text::optional(&mut fe, "building", input.building.as_deref(), 40);
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
async fn community_in_scope(tx: &mut Tx, actor: &Actor, id: i64) -> Result<Node> {
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
async fn check_unique(
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

async fn insert_resident(
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
        Entry {
            action,
            subject_type: "resident",
            subject_id: Some(id),
            node_path: &community.path,
            before: None,
            after: Some(audit_view(&v)),
            result: "ok",
        },
    )
    .await?;
    let r = store::resident_tx(&mut tx, id)
        .await?
        .ok_or(Error::NotFound)?;
    let tags = store::tags_of_tx(&mut tx, id).await?;
    tx.commit().await?;
    Ok(r.masked(tags))
}

/// What the audit log keeps of a resident: no phone or ID number, only whether one is present.
fn audit_view(v: &ResidentValues) -> serde_json::Value {
    // Only what is not personal: the audit log is append-only, and an erasure must leave no name,
    // number, birth date, address or (sensitive) group tag of the resident behind.
    json!({
        "community_id": v.community_id, "has_phone": v.phone.is_some(), "has_id_number": v.id_number.is_some(),
        "has_birth_date": v.birth_date.is_some(), "has_household": v.household.is_some(), "tag_count": v.tags.len(),
    })
}

/// The names of the fields an edit changed (values stay out of the audit log).
fn changed_fields(a: &ResidentValues, b: &ResidentValues) -> Vec<&'static str> {
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

async fn record_in_scope(db: &Db, actor: &Actor, id: i64) -> Result<ResidentRecord> {
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
        Entry {
            action: "people.personal_viewed",
            subject_type: "resident",
            subject_id: Some(id),
            node_path: &r.community_path,
            before: None,
            after: Some(json!({"field": name})),
            result: "ok",
        },
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
    let community = community_in_scope(&mut tx, actor, v.community_id).await?;
    check_unique(&mut tx, &community, &v, Some(id)).await?;
    let old_tags = store::tags_of_tx(&mut tx, id).await?;
    store::update_resident(&mut tx, id, &v, Utc::now()).await?;
    let before_values = ResidentValues {
        name: before.name.clone(),
        community_id: before.community_id,
        gender: before.gender.clone(),
        birth_date: before.birth_date,
        phone: before.phone.clone(),
        id_number: before.id_number.clone(),
        household: before.household_name.clone(),
        building: before.building_name.clone(),
        tags: old_tags,
        guardian_consent: before.guardian_consent,
    };
    let mut after = audit_view(&v);
    after["changed"] = json!(changed_fields(&before_values, &v));
    audit::record(
        &mut tx,
        actor,
        Entry {
            action: "people.resident_updated",
            subject_type: "resident",
            subject_id: Some(id),
            node_path: &community.path,
            before: Some(audit_view(&before_values)),
            after: Some(after),
            result: "ok",
        },
    )
    .await?;
    let r = store::resident_tx(&mut tx, id)
        .await?
        .ok_or(Error::NotFound)?;
    let tags = store::tags_of_tx(&mut tx, id).await?;
    tx.commit().await?;
    Ok(r.masked(tags))
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
    audit::record(&mut tx, actor, Entry {
        action: "people.resident_erased", subject_type: "resident", subject_id: Some(id), node_path: &r.community_path,
        before: Some(json!({"fields": ["name", "phone", "id_number", "birth_date", "household", "building", "tags"]})),
        after: Some(json!({"erased": true})), result: "ok",
    }).await?;
    let after = store::resident_tx(&mut tx, id)
        .await?
        .ok_or(Error::NotFound)?;
    tx.commit().await?;
    // SECURITY.md: erasure reaches the database file (secure_delete is on; the WAL is emptied).
    db.flush_erasures().await?;
    Ok(after.masked(Vec::new()))
}

/// Filters of the resident list.
#[derive(Clone, Debug, Default)]
pub struct ResidentFilter {
    /// A name prefix, or digits: a phone-number prefix.
    pub q: Option<String>,
    pub community_id: Option<i64>,
    pub tag: Option<String>,
    pub include_erased: bool,
}

/// Counting stops here on large lists (a district holds a million residents).
pub const COUNT_CAP: i64 = 1_000;

/// Residents inside the actor's scope, masked; fast at a million residents (index range scans, a
/// capped count).
pub async fn list_residents(
    db: &Db,
    actor: &Actor,
    filter: &ResidentFilter,
    page: PageRequest,
) -> Result<Page<Resident>> {
    actor.require(Permission::PeopleRead)?;
    let mut page = store::list_residents(db, &actor.scope_path, filter, page).await?;
    let ids: Vec<i64> = page.items.iter().map(|r| r.id).collect();
    let mut tags = store::tags_of_many(db, &ids).await?;
    let items = std::mem::take(&mut page.items);
    Ok(Page {
        items: items
            .into_iter()
            .map(|r| {
                let t = tags.remove(&r.id).unwrap_or_default();
                r.masked(t)
            })
            .collect(),
        total: page.total,
        page: page.page,
        per_page: page.per_page,
        capped: page.capped,
    })
}

/// The most rows one export writes.
pub const EXPORT_MAX: i64 = 200_000;

/// A resident as an export writes it: masked numbers, labels left to the caller.
#[derive(Clone, Debug, Serialize)]
pub struct ExportedResident {
    pub name: String,
    pub gender: Option<String>,
    pub birth_date: Option<String>,
    pub phone: Option<String>,
    pub id_number: Option<String>,
    pub community_name: String,
    pub household_name: Option<String>,
    pub building_name: Option<String>,
    pub tags: Vec<String>,
}

/// Every resident matching the filter (up to [`EXPORT_MAX`]), masked, for an export.
pub async fn export_residents(
    db: &Db,
    actor: &Actor,
    filter: &ResidentFilter,
) -> Result<Vec<ExportedResident>> {
    actor.require(Permission::PeopleExport)?;
    let rows = store::export_rows(db, &actor.scope_path, filter, EXPORT_MAX).await?;
    let mut tags = store::all_tags(db, &actor.scope_path, filter, EXPORT_MAX).await?;
    Ok(rows
        .into_iter()
        .map(|r| ExportedResident {
            tags: tags.remove(&r.id).unwrap_or_default(),
            name: r.name,
            gender: r.gender,
            birth_date: r.birth_date,
            phone: r.phone.as_deref().map(rules::mask_phone),
            id_number: r.id_number.as_deref().map(rules::mask_id_number),
            community_name: r.community_name,
            household_name: r.household_name,
            building_name: r.building_name,
        })
        .collect())
}

/// The export's table: Chinese (or English) headers and labels, numbers already masked.
pub fn residents_table(
    lang: crate::i18n::Lang,
    rows: &[ExportedResident],
) -> crate::spreadsheet::Table {
    use crate::i18n::t;
    let headers = [
        "people.name",
        "people.gender_label",
        "people.birth_date",
        "people.phone",
        "people.id_number",
        "people.community",
        "people.household",
        "people.building",
        "people.tags",
    ];
    crate::spreadsheet::Table {
        sheet_name: t(lang, "people.residents").to_string(),
        headers: headers.iter().map(|k| t(lang, k).to_string()).collect(),
        rows: rows
            .iter()
            .map(|r| {
                let gender = r
                    .gender
                    .as_deref()
                    .map(|g| t(lang, &format!("people.gender.{g}")).to_string());
                let tags: Vec<String> = r
                    .tags
                    .iter()
                    .map(|x| t(lang, &format!("people.tag.{x}")).to_string())
                    .collect();
                vec![
                    r.name.clone(),
                    gender.unwrap_or_default(),
                    r.birth_date.clone().unwrap_or_default(),
                    r.phone.clone().unwrap_or_default(),
                    r.id_number.clone().unwrap_or_default(),
                    r.community_name.clone(),
                    r.household_name.clone().unwrap_or_default(),
                    r.building_name.clone().unwrap_or_default(),
                    tags.join("、"),
                ]
            })
            .collect(),
        text_columns: vec![3, 4],
        notes: vec![],
    }
}

/// Households inside the actor's scope.
pub async fn list_households(
    db: &Db,
    actor: &Actor,
    community_id: Option<i64>,
    q: Option<&str>,
    page: PageRequest,
) -> Result<Page<Household>> {
    actor.require(Permission::PeopleRead)?;
    store::list_households(db, &actor.scope_path, community_id, q, page).await
}

/// One household with its members (masked).
pub async fn household(db: &Db, actor: &Actor, id: i64) -> Result<(Household, Vec<Resident>)> {
    actor.require(Permission::PeopleRead)?;
    let (h, path) = store::household(db, id).await?.ok_or(Error::NotFound)?;
    actor.require_sees(&path)?;
    let members = store::household_members(db, id).await?;
    let ids: Vec<i64> = members.iter().map(|r| r.id).collect();
    let mut tags = store::tags_of_many(db, &ids).await?;
    Ok((
        h,
        members
            .into_iter()
            .map(|r| {
                let t = tags.remove(&r.id).unwrap_or_default();
                r.masked(t)
            })
            .collect(),
    ))
}

/// 404 unless the household lies inside the actor's scope.
pub async fn require_household(db: &Db, actor: &Actor, id: i64) -> Result<()> {
    actor.require(Permission::PeopleRead)?;
    let (_, path) = store::household(db, id).await?.ok_or(Error::NotFound)?;
    actor.require_sees(&path)
}

/// The buildings and village groups of a community.
pub async fn buildings(db: &Db, actor: &Actor, community_id: i64) -> Result<Vec<Building>> {
    actor.require(Permission::PeopleRead)?;
    let c = org::get_node(db, actor, community_id).await?;
    store::buildings(db, c.id).await
}

/// The household form / API body.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct HouseholdInput {
    pub community_id: i64,
    #[schema(min_length = 1, max_length = 60)]
    pub name: String,
    #[serde(default)]
    #[schema(max_length = 40)]
    pub building: Option<String>,
    /// building or village_group (when the building is new)
    #[serde(default)]
    pub building_kind: Option<String>,
}

/// Creates a household (and its building or village group if new).
pub async fn create_household(db: &Db, actor: &Actor, input: &HouseholdInput) -> Result<Household> {
    actor.require(Permission::PeopleWrite)?;
    let mut fe = FieldErrors::default();
    let name = text::required(&mut fe, "name", &input.name, 60);
    let building = text::optional(&mut fe, "building", input.building.as_deref(), 40);
    let kind = match input.building_kind.as_deref().unwrap_or("") {
        "" => None,
        k @ ("building" | "village_group") => Some(k),
        _ => {
            fe.add("building_kind", Msg::new("field.choose"));
            None
        }
    };
    fe.into_result()?;
    let mut tx = db.begin().await?;
    let community = community_in_scope(&mut tx, actor, input.community_id).await?;
    if store::household_named(&mut tx, community.id, &name)
        .await?
        .is_some()
    {
        return Err(Error::invalid(
            "name",
            Msg::new("people.household_taken").arg("name", &name),
        ));
    }
    let default_kind = if community.subtype.as_deref() == Some("village") {
        "village_group"
    } else {
        "building"
    };
    let building_id = match &building {
        Some(b) => Some(
            store::building_id_or_create(
                &mut tx,
                community.id,
                b,
                kind.unwrap_or(default_kind),
                Utc::now(),
            )
            .await?,
        ),
        None => None,
    };
    let id = store::insert_household(&mut tx, community.id, building_id, &name, Utc::now()).await?;
    audit::record(
        &mut tx,
        actor,
        Entry {
            action: "people.household_created",
            subject_type: "household",
            subject_id: Some(id),
            node_path: &community.path,
            before: None,
            after: Some(json!({"name": name, "building": building})),
            result: "ok",
        },
    )
    .await?;
    tx.commit().await?;
    let (h, _) = store::household(db, id).await?.ok_or(Error::NotFound)?;
    Ok(h)
}

/// Communities inside the actor's scope (for choosers), as (id, name).
pub async fn communities(db: &Db, actor: &Actor) -> Result<Vec<(i64, String)>> {
    let filter = org::NodeFilter {
        kind: Some(Kind::Community),
        ..Default::default()
    };
    let page = org::list_nodes(db, actor, &filter, PageRequest::new(Some(1), Some(200))).await?;
    Ok(page.items.into_iter().map(|n| (n.id, n.name)).collect())
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

/// Audits an export of personal data (the caller writes the file).
pub async fn audit_export(
    db: &Db,
    actor: &Actor,
    what: &str,
    rows: usize,
    filter: serde_json::Value,
) -> Result<()> {
    actor.require(Permission::PeopleExport)?;
    audit::record_now(
        db,
        actor,
        Entry {
            action: "people.exported",
            subject_type: what,
            subject_id: None,
            node_path: &actor.scope_path,
            before: None,
            after: Some(json!({"rows": rows, "filter": filter})),
            result: "ok",
        },
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
    }

    fn input() -> ResidentInput {
        ResidentInput {
            name: "王秀英".into(),
            community_id: 7,
            ..Default::default()
        }
    }

    #[test]
    fn a_minimal_resident_needs_only_a_name_and_community() {
        let v = validate(&input(), today()).unwrap();
        assert_eq!(
            (v.name.as_str(), v.phone, v.id_number),
            ("王秀英", None, None)
        );
    }

    #[test]
    fn the_birth_date_comes_from_the_id_number_and_must_agree_with_it() {
        let v = validate(
            &ResidentInput {
                id_number: Some("11010519491231002X".into()),
                ..input()
            },
            today(),
        )
        .unwrap();
        assert_eq!(v.birth_date, NaiveDate::from_ymd_opt(1949, 12, 31));
        let e = validate(
            &ResidentInput {
                id_number: Some("11010519491231002X".into()),
                birth_date: Some("1950-01-01".into()),
                ..input()
            },
            today(),
        )
        .unwrap_err();
        assert_eq!(
            e.get("birth_date").unwrap().key,
            "people.birth_date_mismatch"
        );
    }

    #[test]
    fn a_child_under_fourteen_needs_guardian_consent() {
        let child = ResidentInput {
            birth_date: Some("2018-05-01".into()),
            ..input()
        };
        assert_eq!(
            validate(&child, today())
                .unwrap_err()
                .get("guardian_consent")
                .unwrap()
                .key,
            "people.guardian_consent_needed"
        );
        assert!(
            validate(
                &ResidentInput {
                    guardian_consent: true,
                    ..child
                },
                today()
            )
            .is_ok()
        );
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let bad = ResidentInput {
            name: " ".into(),
            community_id: 0,
            gender: Some("x".into()),
            birth_date: Some("2099-01-01".into()),
            phone: Some("12345".into()),
            id_number: Some("123".into()),
            tags: vec!["学生".into()],
            ..Default::default()
        };
        let e = validate(&bad, today()).unwrap_err();
        let fields: Vec<&str> = e.0.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(
            fields,
            vec![
                "name",
                "gender",
                "birth_date",
                "phone",
                "id_number",
                "tags",
                "community_id"
            ]
        );
    }
}
