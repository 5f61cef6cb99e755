//! The catalogue: per-district dictionaries that courses and teachers refer to. So far the themes (主题),
//! seeded with Qunli's five "into the community" themes and Qiling's programme lines, each with its lead
//! departments.

mod store;

use chrono::Utc;
use serde::Serialize;

use crate::db::Db;
use crate::error::Result;

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

/// The district a node belongs to: the second id of its path (`/root/district/…`).
pub fn district_of(path: &str) -> Option<i64> {
    path.trim_matches('/').split('/').nth(1)?.parse().ok()
}

/// The active themes of a district, in catalogue order.
pub async fn themes(db: &Db, district_id: i64) -> Result<Vec<Theme>> {
    store::themes(db, district_id).await
}

/// An entry of a simple dictionary (formats, target groups).
#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Entry {
    pub id: i64,
    pub name: String,
}

/// The teaching formats of a district (Q四(二)2: 专家讲座, 专题辅导, 座谈讨论…).
pub async fn formats(db: &Db, district_id: i64) -> Result<Vec<Entry>> {
    store::entries(db, "formats", district_id).await
}

/// The target groups of a district.
pub async fn target_groups(db: &Db, district_id: i64) -> Result<Vec<Entry>> {
    store::entries(db, "target_groups", district_id).await
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

/// Adds a theme to a district's catalogue (demo data and set-up; editing pages come with activities).
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

#[cfg(test)]
mod tests {
    #[test]
    fn the_district_is_the_second_id_of_a_path() {
        assert_eq!(super::district_of("/1/2/3/7/"), Some(2));
        assert_eq!(super::district_of("/1/"), None);
    }
}
