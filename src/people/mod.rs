//! People: residents (居民) with their households (家庭) and buildings / village groups (楼栋/村组), kept
//! per community. Invariants: phone numbers and ID numbers are unique among residents; lists,
//! exports and API answers carry them masked — the full value is shown only on request to a role
//! that needs it, and every such view is audited without the value itself; an erased resident keeps
//! only community and gender (so attendance still counts, anonymously).

#[cfg(feature = "bench")]
pub mod generated;
pub mod households;
pub mod import;
mod reimport;
pub mod residents;
pub mod rules;
pub mod search;
mod store;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::access::{Actor, Permission};
use crate::audit::{self, Entry};
use crate::db::{Db, Tx};
use crate::error::{Error, FieldErrors, Msg, Result};
use crate::org::{self, Kind, Node};
use crate::page::{Page, PageRequest};
use crate::text;
pub use rules::TAGS;

crate::lite_record! {
    /// A resident as stored (full numbers: never leaves this module unmasked except through
    /// [`reveal`]).
    #[derive(Clone, Debug)]
    pub(crate) struct ResidentRecord {
        pub id: i64,
        pub community_id: i64,
        pub community_name: String,
        pub community_path: String,
        pub name: String,
        pub gender: Option<String>,
        pub birth_date: Option<NaiveDate>,
        pub phone: Option<String>,
        pub id_number: Option<String>,
        pub household_id: Option<i64>,
        pub household_name: Option<String>,
        pub building_id: Option<i64>,
        pub building_name: Option<String>,
        pub guardian_consent: bool,
        pub erased_at: Option<DateTime<Utc>>,
        pub created_at: DateTime<Utc>,
    }
}

pub use households::*;
pub use residents::*;
pub use search::*;

/// A resident as lists, pages, exports and the API show it: phone and ID number masked.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Resident {
    pub id: i64,
    pub community_id: i64,
    pub community_name: String,
    pub name: String,
    /// male or female
    pub gender: Option<String>,
    pub birth_date: Option<NaiveDate>,
    /// Masked: 138****5678.
    pub phone: Option<String>,
    /// Masked: 5001**********1234.
    pub id_number: Option<String>,
    pub household_id: Option<i64>,
    pub household_name: Option<String>,
    pub building_id: Option<i64>,
    pub building_name: Option<String>,
    /// elderly, youth, women, employee, farmer, disabled, migrant
    pub tags: Vec<String>,
    pub guardian_consent: bool,
    pub erased: bool,
    pub created_at: DateTime<Utc>,
}

impl ResidentRecord {
    fn masked(self, tags: Vec<String>) -> Resident {
        Resident {
            id: self.id,
            community_id: self.community_id,
            community_name: self.community_name,
            name: self.name,
            gender: self.gender,
            birth_date: self.birth_date,
            phone: self.phone.as_deref().map(rules::mask_phone),
            id_number: self.id_number.as_deref().map(rules::mask_id_number),
            household_id: self.household_id,
            household_name: self.household_name,
            building_id: self.building_id,
            building_name: self.building_name,
            tags,
            guardian_consent: self.guardian_consent,
            erased: self.erased_at.is_some(),
            created_at: self.created_at,
        }
    }
}

/// A household (家庭) of a community.
#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Household {
    pub id: i64,
    pub community_id: i64,
    pub community_name: String,
    pub building_id: Option<i64>,
    pub building_name: Option<String>,
    /// The address or label of the household, e.g. 3栋2单元401 or 王家湾12号.
    pub name: String,
    pub members: i64,
}

/// A building (楼栋) or village group (村组) of a community.
#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Building {
    pub id: i64,
    pub community_id: i64,
    pub name: String,
    /// building or village_group
    pub kind: String,
}

/// How the audit log names residents and households: masked (`张*三`), as in public notices.
pub const AUDIT_NAMES: &[crate::audit::view::Namer] = &[
    crate::audit::view::Namer {
        subject_type: "resident",
        table: "residents",
        column: "name",
        show: |n| rules::mask_name(&n),
    },
    crate::audit::view::Namer {
        subject_type: "household",
        table: "households",
        column: "name",
        show: |n| rules::mask_name(&n),
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
    }

    fn input() -> ResidentInput {
        ResidentInput {
            name: "王秀英".into(),
            community_id: 7,
            ..Default::default()
        }
    }

    #[test]
    fn a_minimal_resident_needs_only_a_name_and_community() {
        let v = validate(&input(), today()).unwrap();
        assert_eq!(
            (v.name.as_str(), v.phone, v.id_number),
            ("王秀英", None, None)
        );
    }

    #[test]
    fn the_birth_date_comes_from_the_id_number_and_must_agree_with_it() {
        let v = validate(
            &ResidentInput {
                id_number: Some("11010519491231002X".into()),
                ..input()
            },
            today(),
        )
        .unwrap();
        assert_eq!(v.birth_date, NaiveDate::from_ymd_opt(1949, 12, 31));
        let e = validate(
            &ResidentInput {
                id_number: Some("11010519491231002X".into()),
                birth_date: Some("1950-01-01".into()),
                ..input()
            },
            today(),
        )
        .unwrap_err();
        assert_eq!(
            e.get("birth_date").unwrap().key,
            "people.birth_date_mismatch"
        );
    }

    #[test]
    fn a_child_under_fourteen_needs_guardian_consent() {
        let child = ResidentInput {
            birth_date: Some("2018-05-01".into()),
            ..input()
        };
        assert_eq!(
            validate(&child, today())
                .unwrap_err()
                .get("guardian_consent")
                .unwrap()
                .key,
            "people.guardian_consent_needed"
        );
        assert!(
            validate(
                &ResidentInput {
                    guardian_consent: true,
                    ..child
                },
                today()
            )
            .is_ok()
        );
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let bad = ResidentInput {
            name: " ".into(),
            community_id: 0,
            gender: Some("x".into()),
            birth_date: Some("2099-01-01".into()),
            phone: Some("12345".into()),
            id_number: Some("123".into()),
            tags: vec!["学生".into()],
            ..Default::default()
        };
        let e = validate(&bad, today()).unwrap_err();
        let fields: Vec<&str> = e.0.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(
            fields,
            vec![
                "name",
                "gender",
                "birth_date",
                "phone",
                "id_number",
                "tags",
                "community_id"
            ]
        );
    }
}
