//! Finding residents: the filtered list with its exact total, and the export of a selection (its
//! table and its audit).

use super::*;

/// Filters of the resident list.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct ResidentFilter {
    /// Start of a name, or digits: start of a mobile number.
    pub q: Option<String>,
    pub community_id: Option<i64>,
    /// elderly, youth, women, employee, farmer, disabled, migrant
    pub tag: Option<String>,
    pub include_erased: bool,
}

/// Residents inside the actor's scope, masked, with the exact number the filter selects; fast at a
/// million residents (index range scans, counts read from indexes).
pub async fn list_residents(
    db: &Db,
    actor: &Actor,
    filter: &ResidentFilter,
    page: PageRequest,
) -> Result<Page<Resident>> {
    actor.require(Permission::PeopleRead)?;
    let page = store::list_residents(db, &actor.scope_path, filter, page).await?;
    Ok(Page {
        items: page
            .items
            .into_iter()
            .map(|(r, tags)| r.masked(tags))
            .collect(),
        total: page.total,
        page: page.page,
        per_page: page.per_page,
    })
}

/// The most rows one export writes.
pub const EXPORT_MAX: i64 = 200_000;

/// A resident as an export writes it: masked numbers, labels left to the caller (fewer columns than
/// a page: decoding is the export's cost).
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct ExportedResident {
    pub name: String,
    pub gender: Option<String>,
    pub birth_date: Option<String>,
    pub phone: Option<String>,
    pub id_number: Option<String>,
    pub community_name: String,
    pub household_name: Option<String>,
    pub building_name: Option<String>,
    /// The tags as the row keeps them (comma-joined), read into `tags`.
    #[serde(skip)]
    pub(in crate::people) tag_list: Option<String>,
    #[sqlx(skip)]
    pub tags: Vec<String>,
}

/// Every resident matching the filter (up to [`EXPORT_MAX`]), masked, for an export.
pub async fn export_residents(
    db: &Db,
    actor: &Actor,
    filter: &ResidentFilter,
) -> Result<Vec<ExportedResident>> {
    actor.require(Permission::PeopleExport)?;
    let mut rows = store::export_rows(db, &actor.scope_path, filter, EXPORT_MAX).await?;
    for r in &mut rows {
        r.tags = rules::tags_of_list(r.tag_list.take().as_deref());
        r.phone = r.phone.as_deref().map(rules::mask_phone);
        r.id_number = r.id_number.as_deref().map(rules::mask_id_number);
    }
    Ok(rows)
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
        number_columns: Vec::new(),
        charts: Vec::new(),
        notes: vec![],
    }
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
        Entry::of("people.exported", what, None, &actor.scope_path)
            .after(json!({"rows": rows, "filter": filter})),
    )
    .await
}
