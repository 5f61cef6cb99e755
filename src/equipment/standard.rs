//! The standard list (配备标准): what a learning centre or the town school should have, kept by
//! the district (`equipment:standard`); towns and centres read the lines that apply to them.

use super::*;

/// A line of the standard list as typed.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct StandardInput {
    /// item or room
    pub kind: String,
    /// centre or school
    pub applies_to: String,
    pub name: String,
    /// 套, 台, 间 …
    pub unit: String,
    /// A whole number, 1–10000.
    pub quantity: String,
    pub required: bool,
    /// Where it comes from (the plan's article, the provincial standard).
    pub basis: String,
}

/// The lines of the standard list the actor's scope works under: its district's and its town's.
pub async fn standards(db: &Db, actor: &Actor) -> Result<Vec<StandardLine>> {
    actor.require(Permission::EquipmentRead)?;
    store::standards_above(db, &actor.scope_path).await
}

/// 404 unless the line is one of the actor's district (or town, or below the actor's scope).
pub async fn require_standard(db: &Db, actor: &Actor, id: i64) -> Result<()> {
    actor.require(Permission::EquipmentRead)?;
    let (owner_path, _) = store::standard_owner(db, id)
        .await?
        .ok_or(Error::NotFound)?;
    if actor.sees(&owner_path) || actor.scope_path.starts_with(&owner_path) {
        Ok(())
    } else {
        Err(Error::NotFound)
    }
}

/// Adds a line to the district's standard list.
pub async fn add_standard(db: &Db, actor: &Actor, input: &StandardInput) -> Result<StandardLine> {
    actor.require(Permission::EquipmentStandard)?;
    let owner = org::scope_node(db, actor).await?;
    let mut fe = FieldErrors::default();
    let kind = choice(&mut fe, "kind", StandardKind::parse(&input.kind));
    let applies_to = choice(&mut fe, "applies_to", AppliesTo::parse(&input.applies_to));
    let name = text::required(&mut fe, "name", &input.name, text::max::NAME);
    let unit = text::required(&mut fe, "unit", &input.unit, text::max::UNIT);
    let quantity = text::whole_number(&mut fe, "quantity", Some(&input.quantity), (1, 10_000));
    if quantity.is_none() && input.quantity.trim().is_empty() {
        fe.add("quantity", Msg::new("field.required"));
    }
    let basis = text::required(&mut fe, "basis", &input.basis, text::max::PLACE);
    let (Some(kind), Some(applies_to), Some(quantity), true) =
        (kind, applies_to, quantity, fe.is_empty())
    else {
        return Err(Error::Invalid(fe));
    };
    let line = StandardLine {
        id: 0,
        owner_id: owner.id,
        kind,
        applies_to,
        name,
        unit,
        quantity,
        required: input.required,
        basis,
    };
    let mut tx = db.begin().await?;
    let id = store::insert_standard(&mut tx, &line, &owner.path)
        .await
        .map_err(|e| match e {
            Error::Conflict(_) => Error::invalid(
                "name",
                Msg::new("equipment.standard_exists").arg("name", &line.name),
            ),
            e => e,
        })?;
    audit::record(
        &mut tx,
        actor,
        Entry::of("equipment.standard_added", STANDARD, Some(id), &owner.path).after(json!({
            "name": line.name, "kind": kind.as_str(), "applies_to": applies_to.as_str(),
            "quantity": quantity, "required": line.required, "basis": line.basis})),
    )
    .await?;
    tx.commit().await?;
    Ok(StandardLine { id, ..line })
}

/// Retires a line of the district's list: it no longer counts in the gaps; what was counted
/// against it stays in the inventories. Retiring it again changes nothing.
pub async fn retire_standard(db: &Db, actor: &Actor, id: i64) -> Result<()> {
    actor.require(Permission::EquipmentStandard)?;
    let (owner_path, name) = store::standard_owner(db, id)
        .await?
        .ok_or(Error::NotFound)?;
    actor.require_sees(&owner_path)?;
    let mut tx = db.begin().await?;
    if !store::retire_standard(&mut tx, id, Utc::now()).await? {
        // Retired already (by another click): nothing changes.
        return Ok(());
    }
    audit::record(
        &mut tx,
        actor,
        Entry::of(
            "equipment.standard_retired",
            STANDARD,
            Some(id),
            &owner_path,
        )
        .before(json!({"name": name})),
    )
    .await?;
    tx.commit().await
}

/// A line of a seeded standard list: kind, name, unit, quantity, required.
pub type SeedLine = (StandardKind, &'static str, &'static str, i64, bool);

/// Qunli's list for every learning centre (Q三(二)): desks and chairs, TV, amplifier and
/// blackboard by the office; computer and projector where a community can; chess sets and balls
/// by the culture centre.
pub const QUNLI_CENTRE: (&str, AppliesTo, &[SeedLine]) = (
    "群力镇社区教育工作计划 三(二)",
    AppliesTo::Centre,
    &[
        (StandardKind::Item, "课桌椅", "套", 20, true),
        (StandardKind::Item, "电视机", "台", 1, true),
        (StandardKind::Item, "扩音器", "台", 1, true),
        (StandardKind::Item, "黑板", "块", 1, true),
        (StandardKind::Item, "电脑", "台", 1, false),
        (StandardKind::Item, "投影仪", "台", 1, false),
        (StandardKind::Item, "棋类", "副", 4, true),
        (StandardKind::Item, "球类", "个", 4, true),
    ],
);

/// The provincial standard for a street's community-education centre, as Qiling's plan cites it
/// (L二1: 《山东省乡镇社区教育中心设置与评估标准》): courts and function rooms, and the
/// electronic teaching equipment reused from the schools.
pub const SHANDONG_SCHOOL: (&str, AppliesTo, &[SeedLine]) = (
    "山东省乡镇社区教育中心设置与评估标准",
    AppliesTo::School,
    &[
        (StandardKind::Room, "数字化学习中心", "间", 1, true),
        (StandardKind::Room, "图书阅览室", "间", 1, true),
        (StandardKind::Room, "文体活动室", "间", 1, true),
        (StandardKind::Room, "培训教室", "间", 1, true),
        (StandardKind::Room, "档案资料室", "间", 1, true),
        (StandardKind::Room, "篮球场", "块", 1, true),
        (StandardKind::Room, "羽毛球场", "块", 1, true),
        (StandardKind::Room, "乒乓球室", "间", 1, true),
        (StandardKind::Item, "课桌凳", "套", 40, true),
        (StandardKind::Item, "电视机", "台", 1, true),
        (StandardKind::Item, "投影机", "台", 1, true),
        (StandardKind::Item, "音响", "套", 1, true),
        (StandardKind::Item, "打印机", "台", 1, true),
    ],
);

/// Seeds a district's standard list with a built-in one, unless the district has lines of its
/// kind already (set-up and demo; the district edits it afterwards).
pub async fn seed_standard(
    db: &Db,
    district: &Node,
    (basis, applies_to, lines): (&str, AppliesTo, &[SeedLine]),
) -> Result<()> {
    let have = store::standards_above(db, &district.path).await?;
    if have
        .iter()
        .any(|l| l.owner_id == district.id && l.applies_to == applies_to)
    {
        return Ok(());
    }
    let mut tx = db.begin().await?;
    for (kind, name, unit, quantity, required) in lines {
        let line = StandardLine {
            id: 0,
            owner_id: district.id,
            kind: *kind,
            applies_to,
            name: name.to_string(),
            unit: unit.to_string(),
            quantity: *quantity,
            required: *required,
            basis: basis.to_string(),
        };
        store::insert_standard(&mut tx, &line, &district.path).await?;
    }
    tx.commit().await
}
