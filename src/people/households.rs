//! Households (户) and the buildings of a community.

use super::*;

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
    let name = text::required(&mut fe, "name", &input.name, crate::text::max::HOUSEHOLD);
    let building = text::optional(
        &mut fe,
        "building",
        input.building.as_deref(),
        crate::text::max::BUILDING,
    );
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
        Entry::of(
            "people.household_created",
            "household",
            Some(id),
            &community.path,
        )
        .after(json!({"name": name, "building": building})),
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
