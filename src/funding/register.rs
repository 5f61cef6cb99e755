//! Qiling's register of enterprises and schools (L三3): each one's payroll or funds and its
//! training spend for the year, flagged where the share is outside what the plan sets — an
//! enterprise 1.5–2.5 % of its payroll on staff training, a school at least 5 % of its funds on
//! teacher training.

use chrono::Utc;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::rules::{self, RegisterKind};
use super::store;
use crate::access::{Actor, Permission};
use crate::audit::{self, Entry};
use crate::db::Db;
use crate::error::{Error, FieldErrors, Msg, Result};
use crate::org;
use crate::text;

/// A unit of the register as stored.
#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct RegisterLine {
    pub id: i64,
    pub year: i32,
    pub kind: RegisterKind,
    pub name: String,
    /// The enterprise's payroll or the school's funds, in fen.
    pub base_fen: i64,
    /// Its training spend, in fen.
    pub spend_fen: i64,
    pub note: Option<String>,
}

/// A unit of the register with its share and flag.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct RegisterEntry {
    #[serde(flatten)]
    pub line: RegisterLine,
    /// The spend as a share of the base, in hundredths of a percent (1.5 % is 150).
    pub share_bp: i64,
    /// Outside the plan's band: an enterprise under 1.5 % or over 2.5 %, a school under 5 %.
    pub flagged: bool,
}

/// The register of a town's year.
pub async fn register(
    db: &Db,
    actor: &Actor,
    town_id: Option<i64>,
    year: i32,
) -> Result<Vec<RegisterEntry>> {
    actor.require(Permission::FundsRead)?;
    let town = org::town_for(db, actor, town_id).await?;
    actor.require_sees(&town.path)?;
    Ok(store::register(db, town.id, year)
        .await?
        .into_iter()
        .map(|line| {
            let (share_bp, flagged) =
                rules::register_share(line.kind, line.base_fen, line.spend_fen);
            RegisterEntry {
                line,
                share_bp,
                flagged,
            }
        })
        .collect())
}

/// A unit as typed: amounts in yuan as text.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct RegisterInput {
    pub town_id: i64,
    pub year: i32,
    /// enterprise or school.
    pub kind: String,
    pub name: String,
    /// The payroll (an enterprise) or the funds (a school), in yuan.
    pub base: String,
    /// The training spend, in yuan ("0" when none).
    pub spend: String,
    pub note: Option<String>,
}

/// Adds a unit to the register (one entry per unit, kind and year).
pub async fn add_to_register(
    db: &Db,
    actor: &Actor,
    input: &RegisterInput,
) -> Result<RegisterEntry> {
    actor.require(Permission::FundsWrite)?;
    let town = org::town_for(db, actor, Some(input.town_id)).await?;
    actor.require_sees(&town.path)?;
    let mut fe = FieldErrors::default();
    let kind = RegisterKind::parse(input.kind.trim());
    if kind.is_none() {
        fe.add("kind", Msg::new("field.choose"));
    }
    let name = text::required(&mut fe, "name", &input.name, text::max::PLACE);
    let base = rules::parse_yuan(&input.base).unwrap_or_else(|m| {
        fe.add("base", m);
        0
    });
    let spend = match input.spend.trim() {
        "0" | "0.0" | "0.00" => 0,
        s => rules::parse_yuan(s).unwrap_or_else(|m| {
            fe.add("spend", m);
            0
        }),
    };
    let note = text::optional_multiline(&mut fe, "note", input.note.as_deref(), text::max::NOTE);
    if !(2000..=2100).contains(&input.year) {
        fe.add("year", Msg::new("schedule.year_invalid"));
    }
    let (Some(kind), true) = (kind, fe.is_empty()) else {
        return Err(Error::Invalid(fe));
    };
    let mut tx = db.begin().await?;
    let id = store::insert_register(
        &mut tx,
        (town.id, &town.path),
        input.year,
        kind,
        &name,
        base,
        spend,
        note.as_deref(),
        Utc::now(),
    )
    .await
    .map_err(|e| match e {
        Error::Conflict(_) => Error::invalid(
            "name",
            Msg::new("funding.register_duplicate").arg("year", input.year),
        ),
        e => e,
    })?;
    let entry = Entry::of(
        "funding.register_added",
        "training_register",
        Some(id),
        &town.path,
    )
    .after(
        json!({"year": input.year, "kind": kind.as_str(), "name": name,
            "base": rules::yuan(base), "spend": rules::yuan(spend)}),
    );
    audit::record(&mut tx, actor, entry).await?;
    tx.commit().await?;
    let line = store::register_line(db, id).await?.ok_or(Error::NotFound)?;
    let (share_bp, flagged) = rules::register_share(line.kind, line.base_fen, line.spend_fen);
    Ok(RegisterEntry {
        line,
        share_bp,
        flagged,
    })
}
