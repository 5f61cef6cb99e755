//! The catalogue: per-district dictionaries that courses and teachers refer to — themes (主题, seeded
//! with Qunli's five "into the community" themes and Qiling's programme lines, each with its lead
//! departments), teaching formats and target groups. The district (and the town offices in it) edit
//! them; an entry in use is retired, never deleted, so past activities keep their labels. Names are
//! unique within a district.

mod store;

use chrono::Utc;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::access::{Actor, Permission};
use crate::audit;
use crate::db::{Conn, Db};
use crate::error::{Error, FieldErrors, Msg, Result};
use crate::text;

/// A theme of one district's catalogue.
#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Theme {
    pub id: i64,
    pub district_id: i64,
    pub name: String,
    /// The lead departments, as the plan names them (e.g. 执法大队、司法所、派出所).
    pub lead_departments: Option<String>,
    pub description: Option<String>,
    pub active: bool,
}

impl Theme {
    /// True when the plan names `department` among the theme's lead departments (the list is
    /// written as in the plan: 执法大队、司法所、派出所).
    pub fn led_by(&self, department: &str) -> bool {
        self.lead_departments.as_deref().is_some_and(|l| {
            l.split(['、', ',', '，', '/', ';', '；', ' '])
                .any(|d| d.trim() == department)
        })
    }
}

/// The district a node belongs to: the second id of its path (`/root/district/…`).
pub fn district_of(path: &str) -> Option<i64> {
    crate::org::rules::ancestor_id(path, crate::org::rules::DISTRICT_LEVEL)
}

/// The active themes of a district, in catalogue order.
pub async fn themes(conn: impl Into<Conn<'_>>, district_id: i64) -> Result<Vec<Theme>> {
    store::themes(conn, district_id).await
}

/// An entry of a simple dictionary (formats, target groups).
#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Entry {
    pub id: i64,
    pub name: String,
}

/// The teaching formats of a district (Q四(二)2: 专家讲座, 专题辅导, 座谈讨论…).
pub async fn formats(conn: impl Into<Conn<'_>>, district_id: i64) -> Result<Vec<Entry>> {
    store::entries(conn, "formats", district_id).await
}

/// The target groups of a district.
pub async fn target_groups(conn: impl Into<Conn<'_>>, district_id: i64) -> Result<Vec<Entry>> {
    store::entries(conn, "target_groups", district_id).await
}

/// The formats of Q四(二)2.
pub const DEFAULT_FORMATS: [&str; 8] = [
    "专家讲座",
    "专题辅导",
    "座谈讨论",
    "技能培训",
    "文艺汇演",
    "实践活动",
    "演讲竞赛",
    "网络学习",
];
/// Target groups of the plans.
pub const DEFAULT_TARGET_GROUPS: [&str; 9] = [
    "全体居民",
    "老年人",
    "青少年",
    "妇女",
    "家长",
    "企业职工",
    "农民",
    "残疾人",
    "外来人口",
];

/// Seeds the formats and target groups of a district that has none.
pub async fn seed_dictionaries(db: &Db, district_id: i64) -> Result<()> {
    let mut tx = db.begin().await?;
    for (table, names) in [
        ("formats", &DEFAULT_FORMATS[..]),
        ("target_groups", &DEFAULT_TARGET_GROUPS[..]),
    ] {
        if store::count_entries(&mut tx, table, district_id).await? == 0 {
            for (i, n) in names.iter().enumerate() {
                store::insert_entry(&mut tx, table, district_id, n, i as i32).await?;
            }
        }
    }
    tx.commit().await
}

/// Adds a theme to a district's catalogue (demo data and set-up; editing pages come with
/// activities).
pub async fn add_theme(
    db: &Db,
    district_id: i64,
    name: &str,
    lead_departments: Option<&str>,
    description: Option<&str>,
) -> Result<i64> {
    let mut tx = db.begin().await?;
    let id = store::insert_theme(
        &mut tx,
        district_id,
        name,
        lead_departments,
        description,
        Utc::now(),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// The dictionaries besides themes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dictionary {
    Formats,
    TargetGroups,
}

impl Dictionary {
    /// The stored (and URL) name.
    pub fn as_str(self) -> &'static str {
        match self {
            Dictionary::Formats => "formats",
            Dictionary::TargetGroups => "target_groups",
        }
    }

    /// Parses `formats` or `target_groups`.
    pub fn parse(s: &str) -> Option<Dictionary> {
        [Dictionary::Formats, Dictionary::TargetGroups]
            .into_iter()
            .find(|d| d.as_str() == s)
    }
}

/// An entry of a dictionary with its state (the editing page).
#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct DictionaryEntry {
    pub id: i64,
    pub name: String,
    pub active: bool,
}

/// A district's whole catalogue, retired entries included.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Catalogue {
    pub district_id: i64,
    pub themes: Vec<Theme>,
    pub formats: Vec<DictionaryEntry>,
    pub target_groups: Vec<DictionaryEntry>,
}

/// The path of the actor's district (where catalogue changes are audited).
fn district_path(actor: &Actor) -> String {
    crate::org::rules::ancestor_path(&actor.scope_path, crate::org::rules::DISTRICT_LEVEL)
        .unwrap_or_else(|| actor.scope_path.clone())
}

/// The district whose catalogue the actor works on.
fn district_of_actor(actor: &Actor) -> Result<i64> {
    district_of(&actor.scope_path).ok_or(Error::NotFound)
}

/// 404 unless the theme (or, with `dictionary`, the entry of a dictionary) belongs to the actor's
/// district.
pub async fn require_entry(
    db: &Db,
    actor: &Actor,
    dictionary: Option<&str>,
    id: i64,
) -> Result<()> {
    actor.require(Permission::ActivitiesRead)?;
    let district_id = district_of_actor(actor)?;
    let mut tx = db.begin_read().await?;
    let district = match dictionary {
        None => store::theme_tx(&mut tx, id).await?.map(|t| t.district_id),
        Some(d) => {
            let d = Dictionary::parse(d).ok_or(Error::NotFound)?;
            store::entry_tx(&mut tx, d.as_str(), id)
                .await?
                .map(|(district, _, _)| district)
        }
    };
    if district == Some(district_id) {
        Ok(())
    } else {
        Err(Error::NotFound)
    }
}

/// The catalogue of the actor's district.
pub async fn catalogue(db: &Db, actor: &Actor) -> Result<Catalogue> {
    actor.require(Permission::ActivitiesRead)?;
    let district_id = district_of_actor(actor)?;
    Ok(Catalogue {
        district_id,
        themes: store::all_themes(db, district_id).await?,
        formats: store::all_entries(db, "formats", district_id).await?,
        target_groups: store::all_entries(db, "target_groups", district_id).await?,
    })
}

/// A theme as the form / API sends it.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct ThemeInput {
    #[schema(min_length = 1, max_length = 50)]
    pub name: String,
    /// The lead departments as the plan names them, e.g. 执法大队、司法所、派出所.
    #[serde(default)]
    #[schema(max_length = 200)]
    pub lead_departments: Option<String>,
    #[serde(default)]
    #[schema(max_length = 1000)]
    pub description: Option<String>,
    /// False retires the theme (it stays on past activities and teachers).
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

fn audit_entry<'a>(
    action: &'a str,
    subject_type: &'a str,
    id: i64,
    path: &'a str,
    before: Option<serde_json::Value>,
    after: serde_json::Value,
) -> audit::Entry<'a> {
    audit::Entry::of(action, subject_type, Some(id), path)
        .before(before)
        .after(after)
}

/// A theme's name, lead departments and description, trimmed and checked.
fn checked_theme(input: &ThemeInput) -> Result<(String, Option<String>, Option<String>)> {
    let mut fe = FieldErrors::default();
    let name = text::required(&mut fe, "name", &input.name, crate::text::max::NAME);
    let lead = text::optional(
        &mut fe,
        "lead_departments",
        input.lead_departments.as_deref(),
        crate::text::max::DEPARTMENTS,
    );
    let description = text::optional_multiline(
        &mut fe,
        "description",
        input.description.as_deref(),
        crate::text::max::DEFINITION,
    );
    fe.into_result()?;
    Ok((name, lead, description))
}

/// Adds a theme to the actor's district.
pub async fn create_theme(db: &Db, actor: &Actor, input: &ThemeInput) -> Result<Theme> {
    actor.require(Permission::CatalogueManage)?;
    let district_id = district_of_actor(actor)?;
    let (name, lead, description) = checked_theme(input)?;
    let mut tx = db.begin().await?;
    if store::theme_named(&mut tx, district_id, &name)
        .await?
        .is_some()
    {
        return Err(Error::invalid("name", Msg::new("catalogue.name_taken")));
    }
    let id = store::insert_theme(
        &mut tx,
        district_id,
        &name,
        lead.as_deref(),
        description.as_deref(),
        Utc::now(),
    )
    .await?;
    let path = district_path(actor);
    audit::record(
        &mut tx,
        actor,
        audit_entry(
            "catalogue.theme_created",
            "theme",
            id,
            &path,
            None,
            json!({"name": name, "lead_departments": lead}),
        ),
    )
    .await?;
    let t = store::theme_tx(&mut tx, id).await?.ok_or(Error::NotFound)?;
    tx.commit().await?;
    Ok(t)
}

/// Renames, re-describes, retires or reinstates a theme of the actor's district.
pub async fn update_theme(db: &Db, actor: &Actor, id: i64, input: &ThemeInput) -> Result<Theme> {
    actor.require(Permission::CatalogueManage)?;
    let district_id = district_of_actor(actor)?;
    let (name, lead, description) = checked_theme(input)?;
    let mut tx = db.begin().await?;
    let before = store::theme_tx(&mut tx, id)
        .await?
        .filter(|t| t.district_id == district_id)
        .ok_or(Error::NotFound)?;
    if store::theme_named(&mut tx, district_id, &name)
        .await?
        .is_some_and(|other| other != id)
    {
        return Err(Error::invalid("name", Msg::new("catalogue.name_taken")));
    }
    store::update_theme(
        &mut tx,
        id,
        &name,
        lead.as_deref(),
        description.as_deref(),
        input.active,
    )
    .await?;
    let path = district_path(actor);
    audit::record(&mut tx, actor, audit_entry("catalogue.theme_updated", "theme", id, &path,
        Some(json!({"name": before.name, "lead_departments": before.lead_departments, "active": before.active})),
        json!({"name": name, "lead_departments": lead, "active": input.active}))).await?;
    let t = store::theme_tx(&mut tx, id).await?.ok_or(Error::NotFound)?;
    tx.commit().await?;
    Ok(t)
}

/// An entry of a dictionary as the form / API sends it.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct EntryInput {
    #[schema(min_length = 1, max_length = 30)]
    pub name: String,
    #[serde(default = "yes")]
    pub active: bool,
}

/// Adds an entry to a dictionary of the actor's district.
pub async fn add_entry(
    db: &Db,
    actor: &Actor,
    d: Dictionary,
    input: &EntryInput,
) -> Result<DictionaryEntry> {
    set_entry(db, actor, d, None, input).await
}

/// Renames, retires or reinstates an entry of a dictionary of the actor's district.
pub async fn update_entry(
    db: &Db,
    actor: &Actor,
    d: Dictionary,
    id: i64,
    input: &EntryInput,
) -> Result<DictionaryEntry> {
    set_entry(db, actor, d, Some(id), input).await
}

async fn set_entry(
    db: &Db,
    actor: &Actor,
    d: Dictionary,
    id: Option<i64>,
    input: &EntryInput,
) -> Result<DictionaryEntry> {
    actor.require(Permission::CatalogueManage)?;
    let district_id = district_of_actor(actor)?;
    let mut fe = FieldErrors::default();
    let name = text::required(&mut fe, "name", &input.name, crate::text::max::SHORT_NAME);
    fe.into_result()?;
    let table = d.as_str();
    let mut tx = db.begin().await?;
    let before = match id {
        Some(id) => Some(
            store::entry_tx(&mut tx, table, id)
                .await?
                .filter(|(district, _, _)| *district == district_id)
                .ok_or(Error::NotFound)?,
        ),
        None => None,
    };
    if store::entry_named(&mut tx, table, district_id, &name)
        .await?
        .is_some_and(|other| Some(other) != id)
    {
        return Err(Error::invalid("name", Msg::new("catalogue.name_taken")));
    }
    // A new entry starts in use.
    let active = input.active || before.is_none();
    let id = match id {
        Some(id) => {
            store::update_entry(&mut tx, table, id, &name, active).await?;
            id
        }
        None => {
            let sort = store::next_sort(&mut tx, table, district_id).await?;
            store::insert_entry(&mut tx, table, district_id, &name, sort).await?;
            store::entry_named(&mut tx, table, district_id, &name)
                .await?
                .ok_or(Error::NotFound)?
        }
    };
    let path = district_path(actor);
    let action = if before.is_some() {
        "catalogue.entry_updated"
    } else {
        "catalogue.entry_created"
    };
    audit::record(
        &mut tx,
        actor,
        audit_entry(
            action,
            table,
            id,
            &path,
            before.map(|(_, n, a)| json!({"name": n, "active": a})),
            json!({"name": name, "active": active}),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(DictionaryEntry { id, name, active })
}

/// How the audit log names the catalogue's entries: by their names.
pub const AUDIT_NAMES: &[crate::audit::view::Namer] = &[
    crate::audit::view::Namer::plain("theme", "themes", "name"),
    crate::audit::view::Namer::plain("format", "formats", "name"),
    crate::audit::view::Namer::plain("target_group", "target_groups", "name"),
];

#[cfg(test)]
mod tests {
    #[test]
    fn the_district_is_the_second_id_of_a_path() {
        assert_eq!(super::district_of("/1/2/3/7/"), Some(2));
        assert_eq!(super::district_of("/1/"), None);
    }
}
