//! Scoring templates (督查评分表): items with maximum points, guidance and the data each rests on;
//! seeded with Qunli's (五(三)) and one modelled on the provincial centre evaluation standard; a town
//! office adds its own.

use serde_json::json;

use super::rules::Measure;
use super::*;
use crate::access::{Actor, Permission};
use crate::audit::{self, Entry};
use crate::db::Db;
use crate::error::{Error, FieldErrors, Msg, Result};
use crate::org::{self, Node};
use crate::text;

/// The templates the actor works with: its district's and its town's.
pub async fn templates(db: &Db, actor: &Actor) -> Result<Vec<Template>> {
    actor.require(Permission::InspectionsRead)?;
    let mut out = Vec::new();
    for (id, owner_id, name, basis) in store::templates_above(db, &actor.scope_path).await? {
        out.push(Template {
            id,
            owner_id,
            name,
            basis,
            items: store::template_items(db, id).await?,
        });
    }
    Ok(out)
}

/// One template, when it is one the place at `path` works under.
pub async fn template_for(db: &Db, id: i64, path: &str) -> Result<Option<Template>> {
    let Some((owner_id, owner_path, name, basis)) = store::template_head(db, id).await? else {
        return Ok(None);
    };
    if !path.starts_with(&owner_path) {
        return Ok(None);
    }
    Ok(Some(Template {
        id,
        owner_id,
        name,
        basis,
        items: store::template_items(db, id).await?,
    }))
}

/// An item of a template as typed.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct TemplateItemInput {
    pub title: String,
    /// A whole number, 1–100.
    pub max_points: String,
    pub guidance: Option<String>,
    /// activities, documented, sign_in, photos, equipment or participants
    pub measure: Option<String>,
}

/// A template as typed.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct TemplateInput {
    pub name: String,
    pub basis: String,
    pub items: Vec<TemplateItemInput>,
}

/// Adds a template of the office's town (items with a blank title are left out).
pub async fn add_template(db: &Db, actor: &Actor, input: &TemplateInput) -> Result<Template> {
    actor.require(Permission::InspectionsManage)?;
    let town = org::town_for(db, actor, None).await?;
    actor.require_sees(&town.path)?;
    let mut fe = FieldErrors::default();
    let name = text::required(&mut fe, "name", &input.name, text::max::TITLE);
    let basis = text::required(&mut fe, "basis", &input.basis, text::max::PLACE);
    let mut items = Vec::new();
    for i in input.items.iter().filter(|i| !i.title.trim().is_empty()) {
        let title = text::required(&mut fe, "items", &i.title, text::max::TITLE);
        let max = text::whole_number(&mut fe, "items", Some(&i.max_points), (1, 100));
        let guidance =
            text::optional_multiline(&mut fe, "items", i.guidance.as_deref(), text::max::NOTE);
        let measure = match i
            .measure
            .as_deref()
            .map(str::trim)
            .filter(|m| !m.is_empty())
        {
            Some(m) => match Measure::parse(m) {
                Some(m) => Some(m),
                None => {
                    fe.add("items", Msg::new("field.choose"));
                    None
                }
            },
            None => None,
        };
        if max.is_none() && i.max_points.trim().is_empty() {
            fe.add("items", Msg::new("inspections.item_needs_points"));
        }
        items.push((title, max.unwrap_or(0), guidance, measure));
    }
    if items.is_empty() && fe.is_empty() {
        fe.add("items", Msg::new("inspections.template_needs_items"));
    }
    fe.into_result()?;
    let mut tx = db.begin().await?;
    let id = store::insert_template(&mut tx, (town.id, &town.path), &name, &basis)
        .await
        .map_err(|e| match e {
            Error::Conflict(_) => Error::invalid(
                "name",
                Msg::new("inspections.template_exists").arg("name", &name),
            ),
            e => e,
        })?;
    for (pos, (title, max, guidance, measure)) in items.iter().enumerate() {
        let item = (title.as_str(), *max, guidance.as_deref(), *measure);
        store::insert_template_item(&mut tx, id, pos as i32 + 1, item).await?;
    }
    let total: i64 = items.iter().map(|i| i.1).sum();
    audit::record(
        &mut tx,
        actor,
        Entry::of("inspections.template_added", TEMPLATE, Some(id), &town.path).after(
            json!({"name": name, "basis": basis, "items": items.len(), "max_points": total}),
        ),
    )
    .await?;
    tx.commit().await?;
    template_for(db, id, &town.path)
        .await?
        .ok_or(Error::NotFound)
}

/// An item of a seeded template: title, maximum points, guidance, data.
pub type SeedItem = (&'static str, i64, &'static str, Option<Measure>);

/// Qunli's (五(三)): the office's regular and unannounced checks of each centre's activities and
/// materials, scored and counted into the year-end assessment.
pub const QUNLI_CHECK: (&str, &str, &[SeedItem]) = (
    "群力镇社区教育学习中心督查评分表",
    "群力镇社区教育工作计划 五(三)",
    &[
        (
            "活动开展",
            25,
            "每月开展活动不少于 2 次,按计划、按时保质开展",
            Some(Measure::Activities),
        ),
        (
            "资料收集整理",
            20,
            "活动情况及时整理成资料保存,归档规范",
            Some(Measure::Documented),
        ),
        ("签到表", 15, "每次活动有居民签到表", Some(Measure::SignIn)),
        ("活动照片", 10, "每次活动有现场照片", Some(Measure::Photos)),
        (
            "教学设备配备与管理",
            15,
            "课桌椅、电视机、扩音器、黑板及文体器材配备齐全、管理良好",
            Some(Measure::Equipment),
        ),
        (
            "居民参与",
            15,
            "居民参与面广,参与率逐步提高",
            Some(Measure::Participants),
        ),
    ],
);

/// Modelled on the provincial evaluation standard of a town's centre, for Qiling (L二1: 按照《山东省
/// 乡镇社区教育中心设置与评估标准》和区社区教育督导评估方案).
pub const PROVINCIAL_CHECK: (&str, &str, &[SeedItem]) = (
    "社区教育中心督导评估表",
    "山东省乡镇社区教育中心设置与评估标准(参照)",
    &[
        ("组织管理", 15, "领导体制健全、办事机构明确、制度完善", None),
        (
            "阵地建设",
            20,
            "独立设置,功能室和文体场地配套",
            Some(Measure::Equipment),
        ),
        ("队伍建设", 15, "专兼职教师和志愿者队伍稳定,定期培训", None),
        (
            "教育培训活动",
            20,
            "面向各类人群开展培训和活动,数量达到要求",
            Some(Measure::Activities),
        ),
        (
            "档案资料",
            15,
            "活动资料、签到表、照片等档案规范完整",
            Some(Measure::Documented),
        ),
        (
            "居民参与与满意度",
            15,
            "居民参与率和满意度达到要求",
            Some(Measure::Participants),
        ),
    ],
);

/// Seeds a district's template unless it has one of that name (set-up and demo).
pub async fn seed_template(
    db: &Db,
    district: &Node,
    (name, basis, items): (&str, &str, &[SeedItem]),
) -> Result<()> {
    let have = store::templates_above(db, &district.path).await?;
    if have
        .iter()
        .any(|(_, owner, n, _)| *owner == district.id && n == name)
    {
        return Ok(());
    }
    let mut tx = db.begin().await?;
    let id = store::insert_template(&mut tx, (district.id, &district.path), name, basis).await?;
    for (pos, (title, max, guidance, measure)) in items.iter().enumerate() {
        let item = (*title, *max, Some(*guidance), *measure);
        store::insert_template_item(&mut tx, id, pos as i32 + 1, item).await?;
    }
    tx.commit().await
}
