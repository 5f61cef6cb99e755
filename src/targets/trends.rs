//! What a dashboard draws beside the KPIs: attendance by month (from the roll-ups) and the
//! themes' share of the activities held, for a place and a year.

use serde::Serialize;

use super::place_of;
use crate::access::Actor;
use crate::activities;
use crate::db::Db;
use crate::error::{Error, Result};
use crate::rollups;

/// Attended check-ins and marks of one month.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct MonthFigure {
    /// 1–12.
    pub month: u32,
    pub attendances: i64,
}

/// Activities held under one theme.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ThemeFigure {
    pub theme: String,
    pub activities: i64,
}

/// A place's year drawn: attendance by month, January first, and the themes held, most first.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Trends {
    pub node_id: i64,
    pub year: i32,
    pub attendance_by_month: Vec<MonthFigure>,
    pub themes: Vec<ThemeFigure>,
}

/// A place's attendance by month and its themes' share, for whoever reads its KPIs.
pub async fn trends(db: &Db, actor: &Actor, node_id: Option<i64>, year: i32) -> Result<Trends> {
    if !(2000..=2100).contains(&year) {
        return Err(Error::NotFound);
    }
    let (shown, figures) = place_of(db, actor, node_id).await?;
    let kept =
        rollups::attendance_by_month(db, &figures.path, year * 100 + 1, year * 100 + 12).await?;
    let attendance_by_month = (1..=12)
        .map(|m| MonthFigure {
            month: m,
            attendances: kept
                .iter()
                .find(|(k, _)| *k == year * 100 + m as i32)
                .map_or(0, |(_, n)| *n),
        })
        .collect();
    let themes = activities::held_by_theme(db, &figures.path, year)
        .await?
        .into_iter()
        .map(|(theme, activities)| ThemeFigure { theme, activities })
        .collect();
    Ok(Trends {
        node_id: shown.id,
        year,
        attendance_by_month,
        themes,
    })
}
