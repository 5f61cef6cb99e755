//! An audit record told in words a town clerk reads: the object by its kind and name, each changed
//! field by its label with its value before → after, times in Beijing time, codes (statuses,
//! roles, kinds) in the user's language. The names of objects come from the caller ([`Names`]):
//! each concept names its own records, this module knows none of them.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::AuditRecord;
use crate::db::Db;
use crate::error::Result;
use crate::i18n::{self, Lang};

/// How a concept names its records in the audit log: the text of `column` of the rows of `table`,
/// shown through `show` (a resident's name is masked). Each concept declares its own.
pub struct Namer {
    pub subject_type: &'static str,
    pub table: &'static str,
    pub column: &'static str,
    pub show: fn(String) -> String,
}

impl Namer {
    /// Names shown as stored.
    pub const fn plain(
        subject_type: &'static str,
        table: &'static str,
        column: &'static str,
    ) -> Namer {
        Namer {
            subject_type,
            table,
            column,
            show: |s| s,
        }
    }
}

/// The names of every object a page of records names ([`references`]), one query per type.
pub async fn names(db: &Db, records: &[AuditRecord], namers: &[&[Namer]]) -> Result<Names> {
    let mut names = Names::default();
    for (subject_type, ids) in references(records) {
        let Some(n) = namers
            .iter()
            .flat_map(|n| n.iter())
            .find(|n| n.subject_type == subject_type)
        else {
            continue;
        };
        let ids: Vec<i64> = ids.into_iter().collect();
        for (id, text) in crate::db::names_by_id(db, n.table, n.column, &ids).await? {
            names.insert(n.subject_type, id, (n.show)(text));
        }
    }
    Ok(names)
}

/// One field of a record: its label, and its value before and after the change ("" when the
/// record has no such side, e.g. a creation has no "before").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    pub label: String,
    pub before: String,
    pub after: String,
}

/// Names of objects by their audit subject type and id, gathered by whoever knows them.
#[derive(Default, Debug)]
pub struct Names(HashMap<(String, i64), String>);

impl Names {
    pub fn insert(&mut self, subject_type: &str, id: i64, name: String) {
        self.0.insert((subject_type.to_string(), id), name);
    }

    pub fn get(&self, subject_type: &str, id: i64) -> Option<&str> {
        self.0
            .get(&(subject_type.to_string(), id))
            .map(String::as_str)
    }
}

/// The subject type an id field of a record's values refers to (`owner_id` names a node).
pub fn referred_type(field: &str) -> Option<&'static str> {
    Some(match field {
        "owner_id" | "node_id" | "parent_id" | "community_id" => "org_node",
        "teacher_id" => "teacher",
        "activity_id" => "activity",
        "resident_id" => "resident",
        _ => return None,
    })
}

/// Every object a page of records names, by subject type: their subjects and the ids inside their
/// values. The caller looks their names up, one query per type.
pub fn references(records: &[AuditRecord]) -> BTreeMap<String, BTreeSet<i64>> {
    let mut out: BTreeMap<String, BTreeSet<i64>> = BTreeMap::new();
    for r in records {
        if let Some(id) = r.subject_id {
            out.entry(r.subject_type.clone()).or_default().insert(id);
        }
        for side in [&r.before_json, &r.after_json].into_iter().flatten() {
            let Ok(Value::Object(map)) = serde_json::from_str::<Value>(side) else {
                continue;
            };
            for (field, v) in map {
                if let (Some(kind), Some(id)) = (referred_type(&field), v.as_i64()) {
                    out.entry(kind.to_string()).or_default().insert(id);
                }
            }
        }
    }
    out
}

/// The kind of an object in words ("活动").
pub fn subject_kind(lang: Lang, subject_type: &str) -> String {
    i18n::find(lang, &format!("audit.subject_type.{subject_type}"))
        .unwrap_or(subject_type)
        .to_string()
}

/// The object of a record: its kind, its name when known, and its number ("活动 文明礼仪讲堂 #345").
pub fn subject(lang: Lang, r: &AuditRecord, names: &Names) -> String {
    let kind = subject_kind(lang, &r.subject_type);
    match r.subject_id {
        None => kind,
        Some(id) => match names.get(&r.subject_type, id) {
            Some(name) => format!("{kind}「{name}」#{id}"),
            None => format!("{kind} #{id}"),
        },
    }
}

/// What an action is called ("审核通过").
pub fn action(lang: Lang, action: &str) -> String {
    i18n::find(lang, &format!("action.{action}"))
        .unwrap_or(action)
        .to_string()
}

/// The outcome of a record: "成功", or the refusal in words.
pub fn result(lang: Lang, result: &str) -> String {
    i18n::find(lang, &format!("audit.outcome.{result}"))
        .unwrap_or(result)
        .to_string()
}

/// The label of a field of a record's values ("title" → "标题").
pub fn field_label(lang: Lang, field: &str) -> String {
    i18n::find(lang, &format!("audit.field.{field}"))
        .unwrap_or(field)
        .to_string()
}

/// The fields a record touches, in the order of their first appearance (before, then after): a
/// field whose value did not change is left out when the record has both sides.
pub fn changes(lang: Lang, r: &AuditRecord, names: &Names) -> Vec<Change> {
    let side = |json: &Option<String>| -> Option<serde_json::Map<String, Value>> {
        match json.as_deref().map(serde_json::from_str::<Value>) {
            Some(Ok(Value::Object(m))) => Some(m),
            _ => None,
        }
    };
    let (before, after) = (side(&r.before_json), side(&r.after_json));
    let mut fields: Vec<&String> = Vec::new();
    for m in [&before, &after].into_iter().flatten() {
        for k in m.keys() {
            if !fields.contains(&k) {
                fields.push(k);
            }
        }
    }
    let both = before.is_some() && after.is_some();
    fields
        .into_iter()
        .filter_map(|f| {
            let b = before.as_ref().and_then(|m| m.get(f));
            let a = after.as_ref().and_then(|m| m.get(f));
            if both && b == a {
                return None;
            }
            let shown = |v: Option<&Value>| {
                v.map(|v| value(lang, &r.subject_type, f, v, names))
                    .unwrap_or_default()
            };
            Some(Change {
                label: field_label(lang, f),
                before: shown(b),
                after: shown(a),
            })
        })
        .collect()
}

/// The locale section that names the codes of a field (`status` of an activity → its statuses).
fn dictionary(subject_type: &str, field: &str) -> Option<&'static str> {
    Some(match (subject_type, field) {
        ("activity", "status") => "activities.status",
        ("teacher", "status") => "teachers.status",
        ("attendance", "status") => "attendance.status",
        (_, "teacher_type" | "source") => "teachers.code",
        ("org_member", "role") => "member_role",
        (_, "role") => "role",
        ("org_node", "kind") => "kind",
        ("org_node", "subtype") => "subtype",
        (_, "setup_status") => "setup",
        ("activity_file", "kind") => "evidence.kind",
        ("import_batch", "kind") => "import.kind",
        ("award_category", "nominee_kind") => "commendation.kind",
        (_, "method") => "attendance.method",
        (_, "tag" | "tags") => "people.tag",
        // Lists of the fields an edit touched name them by their labels.
        (_, "changed" | "fields") => "audit.field",
        _ => return None,
    })
}

/// One value in words: yes/no, Beijing time, a code by its name, an id by the object's name.
fn value(lang: Lang, subject_type: &str, field: &str, v: &Value, names: &Names) -> String {
    match v {
        Value::Null => i18n::t(lang, "audit.empty").to_string(),
        Value::Bool(b) => i18n::t(lang, if *b { "audit.yes" } else { "audit.no" }).to_string(),
        Value::Number(n) => match (referred_type(field), n.as_i64()) {
            (Some(kind), Some(id)) => match names.get(kind, id) {
                Some(name) => format!("{name} #{id}"),
                None => format!("#{id}"),
            },
            _ => n.to_string(),
        },
        Value::String(s) => {
            if let Ok(at) = DateTime::parse_from_rfc3339(s) {
                return crate::calendar::minute(at.with_timezone(&Utc));
            }
            dictionary(subject_type, field)
                .and_then(|d| i18n::find(lang, &format!("{d}.{s}")))
                .unwrap_or(s)
                .to_string()
        }
        Value::Array(items) => items
            .iter()
            .map(|i| value(lang, subject_type, field, i, names))
            .collect::<Vec<_>>()
            .join("、"),
        // A nested record (an export's filter): each field given, by its label.
        Value::Object(m) => m
            .iter()
            .filter(|(_, v)| !v.is_null() && v.as_str() != Some(""))
            .map(|(k, v)| {
                format!(
                    "{} {}",
                    field_label(lang, k),
                    value(lang, subject_type, k, v, names)
                )
            })
            .collect::<Vec<_>>()
            .join("、"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(subject_type: &str, before: Option<&str>, after: Option<&str>) -> AuditRecord {
        AuditRecord {
            id: 1,
            at: Utc::now(),
            actor_id: Some(1),
            actor_name: "qunli.office".into(),
            actor_role: "town_office".into(),
            node_path: "/1/2/3/".into(),
            action: "activities.approved".into(),
            subject_type: subject_type.into(),
            subject_id: Some(30),
            before_json: before.map(str::to_string),
            after_json: after.map(str::to_string),
            result: "ok".into(),
            source_ip: None,
            request_id: None,
        }
    }

    #[test]
    fn a_review_step_reads_as_labelled_changes_in_chinese() {
        let r = record(
            "activity",
            Some(r#"{"status":"submitted"}"#),
            Some(r#"{"late":true,"reason":null,"status":"approved"}"#),
        );
        let mut names = Names::default();
        names.insert("activity", 30, "文明礼仪讲堂".into());
        assert_eq!(subject(Lang::Zh, &r, &names), "活动「文明礼仪讲堂」#30");
        let c = changes(Lang::Zh, &r, &names);
        assert_eq!(
            c,
            vec![
                Change {
                    label: "状态".into(),
                    before: "待审核".into(),
                    after: "已通过".into()
                },
                Change {
                    label: "逾期报送".into(),
                    before: "".into(),
                    after: "是".into()
                },
                Change {
                    label: "原因".into(),
                    before: "".into(),
                    after: "—".into()
                },
            ]
        );
    }

    #[test]
    fn times_are_beijing_time_and_ids_are_named() {
        let r = record(
            "activity",
            None,
            Some(r#"{"owner_id":16,"starts_at":"2027-01-06T01:00:00Z","title":"文明礼仪讲堂"}"#),
        );
        let mut names = Names::default();
        names.insert("org_node", 16, "王齐村工作站".into());
        let c = changes(Lang::Zh, &r, &names);
        assert_eq!(c[0].after, "王齐村工作站 #16");
        assert_eq!(c[1].label, "开始时间");
        assert_eq!(c[1].after, "2027-01-06 09:00");
        let refs = references(&[r]);
        assert_eq!(refs["org_node"], BTreeSet::from([16]));
        assert_eq!(refs["activity"], BTreeSet::from([30]));
    }

    #[test]
    fn lists_of_fields_and_an_exports_filter_read_in_words() {
        let edit = record(
            "resident",
            Some(r#"{"community_id":5,"has_phone":true}"#),
            Some(r#"{"community_id":5,"has_phone":true,"changed":["phone","building"]}"#),
        );
        let c = changes(Lang::Zh, &edit, &Names::default());
        assert_eq!(c.len(), 1, "{c:?}");
        assert_eq!(
            (c[0].label.as_str(), c[0].after.as_str()),
            ("修改的项目", "电话、楼栋/村民小组")
        );
        let export = record(
            "resident",
            None,
            Some(r#"{"rows":12,"filter":{"q":"王","tag":"elderly","include_erased":""}}"#),
        );
        let c = changes(Lang::Zh, &export, &Names::default());
        let filter = c.iter().find(|c| c.label == "筛选条件").unwrap();
        assert_eq!(filter.after, "搜索 王、人群标签 老年人");
    }

    #[test]
    fn an_unchanged_field_of_an_edit_is_left_out() {
        let r = record(
            "org_node",
            Some(r#"{"name":"王齐村","kind":"community","population":800}"#),
            Some(r#"{"name":"王齐村","kind":"community","population":950}"#),
        );
        let c = changes(Lang::Zh, &r, &Names::default());
        assert_eq!(c.len(), 1);
        assert_eq!((c[0].before.as_str(), c[0].after.as_str()), ("800", "950"));
    }
}
