//! Re-importing residents already registered: a sheet's row over a stored resident (a blank cell
//! keeps what is stored) and the changes a clerk is shown before confirming.

use serde::{Deserialize, Serialize};

use super::{ResidentValues, rules};
use crate::imports::FieldChange;

/// A checked resident row: a new resident, or the new values of one already registered in the
/// town (matched by ID number, else by mobile number), which the confirmation writes over it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ResidentRow {
    #[serde(flatten)]
    pub values: ResidentValues,
    /// The registered resident this row updates.
    #[serde(default)]
    pub update_of: Option<i64>,
}

impl From<ResidentValues> for ResidentRow {
    fn from(values: ResidentValues) -> ResidentRow {
        ResidentRow {
            values,
            update_of: None,
        }
    }
}

/// What a row says over what is registered: a blank cell keeps the stored value (a re-import of a
/// sheet with fewer columns erases nothing).
pub(super) fn merged(stored: ResidentValues, row: ResidentValues) -> ResidentValues {
    ResidentValues {
        name: row.name,
        community_id: row.community_id,
        gender: row.gender.or(stored.gender),
        birth_date: row.birth_date.or(stored.birth_date),
        phone: row.phone.or(stored.phone),
        id_number: row.id_number.or(stored.id_number),
        household: row.household.or(stored.household),
        building: row.building.or(stored.building),
        tags: if row.tags.is_empty() {
            stored.tags
        } else {
            row.tags
        },
        guardian_consent: row.guardian_consent || stored.guardian_consent,
    }
}

/// Each field an update changes, as the clerk reads it: the column's header, the value before and
/// after (numbers masked, a community by its name, tags by their labels).
pub(super) fn field_changes(
    a: &ResidentValues,
    b: &ResidentValues,
    header: &dyn Fn(&str) -> String,
    community: &dyn Fn(i64) -> String,
) -> Vec<FieldChange> {
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    let masked =
        |v: &Option<String>, f: fn(&str) -> String| v.as_deref().map(f).unwrap_or_default();
    let gender = |g: &Option<String>| {
        match g.as_deref() {
            Some("male") => "男",
            Some("female") => "女",
            _ => "",
        }
        .to_string()
    };
    let tags = |t: &[String]| {
        let mut labels: Vec<&str> = t.iter().map(|t| rules::tag_labels(t)[0]).collect();
        labels.sort_unstable();
        labels.join("、")
    };
    let yes = |b: bool| if b { "是" } else { "" }.to_string();
    let date = |d: &Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    let pairs = [
        ("name", a.name.clone(), b.name.clone()),
        ("gender", gender(&a.gender), gender(&b.gender)),
        ("birth_date", date(&a.birth_date), date(&b.birth_date)),
        (
            "phone",
            masked(&a.phone, rules::mask_phone),
            masked(&b.phone, rules::mask_phone),
        ),
        (
            "id_number",
            masked(&a.id_number, rules::mask_id_number),
            masked(&b.id_number, rules::mask_id_number),
        ),
        (
            "community",
            community(a.community_id),
            community(b.community_id),
        ),
        ("household", opt(&a.household), opt(&b.household)),
        ("building", opt(&a.building), opt(&b.building)),
        ("tags", tags(&a.tags), tags(&b.tags)),
        (
            "guardian_consent",
            yes(a.guardian_consent),
            yes(b.guardian_consent),
        ),
    ];
    // Numbers compare in full: two different numbers may mask alike.
    let same_number = |f: &str| match f {
        "phone" => a.phone == b.phone,
        "id_number" => a.id_number == b.id_number,
        _ => false,
    };
    pairs
        .into_iter()
        .filter(|(f, before, after)| {
            if matches!(*f, "phone" | "id_number") {
                !same_number(f)
            } else {
                before != after
            }
        })
        .map(|(f, before, after)| FieldChange {
            column: header(f),
            before,
            after,
        })
        .collect()
}
