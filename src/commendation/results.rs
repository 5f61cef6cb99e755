//! The published results of a town (评选表彰结果), for the public portal: no account needed. Only
//! rounds the office has published, only their approved nominations; persons' names masked as
//! public notices name them (SECURITY.md), buildings, communities and units in full.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::categories::district_of_town;
use super::rules::{self, Status};
use super::store;
use crate::db::Db;
use crate::error::{Error, Result};
use crate::org::{self, Kind};

/// A winner as the public sees it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct PublicWinner {
    /// The category's name in the district's dictionary.
    pub category: String,
    /// Masked for a person (张*三, 王*家庭).
    pub name: String,
}

/// A published round with its winners, by category in the dictionary's order.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct PublicRound {
    pub year: i32,
    pub title: String,
    pub published_at: DateTime<Utc>,
    pub winners: Vec<PublicWinner>,
}

/// A town's published results, newest round first.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct PublicResults {
    pub town_name: String,
    pub rounds: Vec<PublicRound>,
}

/// The published results of a town (404 for anything but a town).
pub async fn published_results(db: &Db, town_id: i64) -> Result<PublicResults> {
    let town = org::get_node_unscoped(db, town_id)
        .await?
        .filter(|n| n.kind() == Kind::Town)
        .ok_or(Error::NotFound)?;
    let district = district_of_town(&town.path)?;
    let mut rounds = Vec::new();
    for r in store::rounds(db, &town.path).await? {
        let Some(published_at) = r.published_at else {
            continue;
        };
        let categories = store::categories(db, r.id, district).await?;
        let nominations = store::nominations(db, r.id).await?;
        let mut winners = Vec::new();
        for c in &categories {
            winners.extend(
                nominations
                    .iter()
                    .filter(|n| n.status == Status::Approved && n.category == c.category)
                    .map(|n| PublicWinner {
                        category: c.name.clone(),
                        name: rules::public_name(n.nominee_kind, &n.nominee_name),
                    }),
            );
        }
        rounds.push(PublicRound {
            year: r.year,
            title: r.title,
            published_at,
            winners,
        });
    }
    Ok(PublicResults {
        town_name: town.name,
        rounds,
    })
}
