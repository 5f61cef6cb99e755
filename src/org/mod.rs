//! The organisation tree: district → town/street → community/village, with the town's school or
//! centre, its leadership group and office, its departments, and each community's learning centre
//! or work station. Invariants: every active node's kind fits its parent's kind; active siblings
//! have distinct names; a node's `path` (`/1/4/9/`) is its parent's path plus its id, which is how
//! scope is checked; a retired node has no active children and no active accounts.

pub mod changes;
pub mod reading;
pub mod rules;
mod store;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::access::{Actor, Permission};
use crate::audit::{self, Entry};
use crate::db::{Db, Tx};
use crate::error::{Error, FieldErrors, Msg, Result};
use crate::page::{Page, PageRequest};
use crate::text;
pub use rules::{Kind, SETUP_STATUSES};

/// One node of the tree as stored.
#[derive(Clone, Debug, Serialize, Deserialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Node {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub kind: Kind,
    /// town/street, school/centre, community/village, learning_centre/work_station,
    /// leadership/office.
    pub subtype: Option<String>,
    pub name: String,
    pub path: String,
    pub depth: i32,
    /// Resident population (常住人口) of a community.
    pub population: Option<i64>,
    pub venue: Option<String>,
    /// planned, in_progress or set_up (learning centres and work stations).
    pub setup_status: Option<String>,
    pub setup_date: Option<NaiveDate>,
    pub phone: Option<String>,
    pub note: Option<String>,
    pub retired_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

pub use changes::*;
pub use reading::*;

impl Node {
    /// What kind of node it is (kept as a method: callers read `n.kind()`).
    pub fn kind(&self) -> Kind {
        self.kind
    }

    /// The first day a learning centre answers for its per-month counts (the rule of 2 a month,
    /// the KPIs): its setup date, or the day it was entered when it is set up with no date;
    /// none while it is still planned or being set up. A centre set up in October is not behind
    /// for January.
    pub fn counted_from(&self) -> Option<crate::calendar::Day> {
        match self.setup_status.as_deref() {
            Some("planned" | "in_progress") => None,
            _ => Some(
                self.setup_date
                    .map(crate::calendar::Day)
                    .unwrap_or_else(|| crate::calendar::Day::of(self.created_at)),
            ),
        }
    }
}

/// A member of a group, school, centre or department, with the role they hold there.
#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Member {
    pub id: i64,
    pub node_id: i64,
    pub name: String,
    /// leader, deputy_leader, member, director, deputy_director, principal, deputy_principal,
    /// officer, head.
    pub role: String,
    /// Their post elsewhere, e.g. 镇人大主席 or 社区主任.
    pub title: Option<String>,
    pub phone: Option<String>,
    pub sort: i32,
}

/// The editable attributes of a node (create and edit forms, API bodies).
#[derive(Clone, Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct NodeInput {
    #[schema(min_length = 1, max_length = 50)]
    pub name: String,
    #[serde(default)]
    pub subtype: Option<String>,
    #[serde(default)]
    pub population: Option<String>,
    #[serde(default)]
    /// A centre's or the school's venue (ignored for other kinds); at most 100 characters.
    pub venue: Option<String>,
    #[serde(default)]
    pub setup_status: Option<String>,
    #[serde(default)]
    pub setup_date: Option<String>,
    #[serde(default)]
    #[schema(max_length = 20)]
    pub phone: Option<String>,
    #[serde(default)]
    #[schema(max_length = 500)]
    pub note: Option<String>,
}

/// A new node: its kind, its parent, its attributes, and for a community optionally its centre.
#[derive(Clone, Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct NewNode {
    pub parent_id: i64,
    pub kind: String,
    #[serde(flatten)]
    pub attrs: NodeInput,
    /// Set up the community's learning centre / work station in the same step.
    #[serde(default)]
    pub centre: Option<NodeInput>,
    /// Name of the centre's head (usually the community director).
    #[serde(default)]
    pub centre_head: Option<String>,
}

/// A new member of a node.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct NewMember {
    #[schema(min_length = 1, max_length = 50)]
    pub name: String,
    pub role: String,
    #[serde(default)]
    #[schema(max_length = 50)]
    pub title: Option<String>,
    #[serde(default)]
    #[schema(max_length = 20)]
    pub phone: Option<String>,
}

/// Validated, typed attributes ready for storage.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Attrs {
    pub name: String,
    pub subtype: Option<String>,
    pub population: Option<i64>,
    pub venue: Option<String>,
    pub setup_status: Option<String>,
    pub setup_date: Option<NaiveDate>,
    pub phone: Option<String>,
    pub note: Option<String>,
}

/// Checks the attributes of a node of `kind`, prefixing field names with `prefix` (for the centre
/// part).
fn validate(kind: Kind, input: &NodeInput, prefix: &str, fe: &mut FieldErrors) -> Attrs {
    let f = |name: &str| format!("{prefix}{name}");
    let name = text::required(fe, &f("name"), &input.name, crate::text::max::NAME);
    let subtype = match input
        .subtype
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => kind.subtypes().first().map(|s| s.to_string()),
        Some(s) if kind.subtypes().contains(&s) => Some(s.to_string()),
        Some(_) => {
            fe.add(&f("subtype"), Msg::new("field.choose"));
            None
        }
    };
    let population = if kind.has_population() {
        match input
            .population
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => {
                fe.add(&f("population"), Msg::new("field.required"));
                None
            }
            Some(s) => match s.parse::<i64>() {
                Ok(n) if (0..=10_000_000).contains(&n) => Some(n),
                _ => {
                    fe.add(&f("population"), Msg::new("org.population_range"));
                    None
                }
            },
        }
    } else {
        None
    };
    let venue = if kind.has_venue() {
        text::optional(
            fe,
            &f("venue"),
            input.venue.as_deref(),
            crate::text::max::PLACE,
        )
    } else {
        None
    };
    let (setup_status, setup_date) = if kind.has_setup_status() {
        let status = match input
            .setup_status
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => Some("planned".to_string()),
            Some(s) if SETUP_STATUSES.contains(&s) => Some(s.to_string()),
            Some(_) => {
                fe.add(&f("setup_status"), Msg::new("field.choose"));
                None
            }
        };
        let date = match input
            .setup_date
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => None,
            Some(s) => match NaiveDate::parse_from_str(s, "%Y-%m-%d") {
                Ok(d) => Some(d),
                Err(_) => {
                    fe.add(&f("setup_date"), Msg::new("field.date_format"));
                    None
                }
            },
        };
        (status, date)
    } else {
        (None, None)
    };
    let phone = text::optional(
        fe,
        &f("phone"),
        input.phone.as_deref(),
        crate::text::max::PHONE,
    );
    if let Some(p) = &phone
        && !p
            .chars()
            .all(|c| c.is_ascii_digit() || c == '-' || c == ' ')
    {
        fe.add(&f("phone"), Msg::new("org.phone_format"));
    }
    let note = text::optional_multiline(
        fe,
        &f("note"),
        input.note.as_deref(),
        crate::text::max::NOTE,
    );
    Attrs {
        name,
        subtype,
        population,
        venue,
        setup_status,
        setup_date,
        phone,
        note,
    }
}

fn node_json(n: &Node) -> serde_json::Value {
    json!({
        "name": n.name, "kind": n.kind, "subtype": n.subtype, "parent_id": n.parent_id, "path": n.path,
        "population": n.population, "venue": n.venue, "setup_status": n.setup_status,
        "setup_date": n.setup_date, "phone": n.phone, "note": n.note, "retired_at": n.retired_at,
    })
}

/// How the audit log names nodes and members: by their names.
pub const AUDIT_NAMES: &[crate::audit::view::Namer] = &[
    crate::audit::view::Namer::plain("org_node", "org_nodes", "name"),
    crate::audit::view::Namer::plain("org_member", "org_members", "name"),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn input(name: &str) -> NodeInput {
        NodeInput {
            name: name.into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_community_needs_a_population_in_range() {
        let mut fe = FieldErrors::default();
        validate(Kind::Community, &input("王齐村"), "", &mut fe);
        assert_eq!(fe.get("population").unwrap().key, "field.required");
        let mut fe = FieldErrors::default();
        validate(
            Kind::Community,
            &NodeInput {
                population: Some("-3".into()),
                ..input("王齐村")
            },
            "",
            &mut fe,
        );
        assert_eq!(fe.get("population").unwrap().key, "org.population_range");
        let mut fe = FieldErrors::default();
        let a = validate(
            Kind::Community,
            &NodeInput {
                population: Some(" 3200 ".into()),
                ..input("王齐村")
            },
            "",
            &mut fe,
        );
        assert!(fe.is_empty());
        assert_eq!(
            (a.population, a.subtype.as_deref()),
            (Some(3200), Some("community"))
        );
    }

    #[test]
    fn a_centre_defaults_to_planned_and_checks_its_date() {
        let mut fe = FieldErrors::default();
        let a = validate(Kind::Centre, &input("薛家村工作站"), "centre_", &mut fe);
        assert_eq!(a.setup_status.as_deref(), Some("planned"));
        validate(
            Kind::Centre,
            &NodeInput {
                setup_date: Some("2020-06-31".into()),
                ..input("x")
            },
            "centre_",
            &mut fe,
        );
        assert_eq!(
            fe.get("centre_setup_date").unwrap().key,
            "field.date_format"
        );
    }

    #[test]
    fn attributes_of_other_kinds_are_ignored_not_stored() {
        let mut fe = FieldErrors::default();
        let a = validate(
            Kind::Department,
            &NodeInput {
                population: Some("9".into()),
                venue: Some("x".into()),
                ..input("社保所")
            },
            "",
            &mut fe,
        );
        assert!(fe.is_empty());
        assert_eq!((a.population, a.venue), (None, None));
    }
}
