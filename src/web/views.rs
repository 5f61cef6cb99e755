//! What every page shares: the shell (header, left menu filtered by permission, language switch,
//! flash message) and the form view that keeps typed values and shows errors beside their fields.

use std::collections::HashMap;

use crate::access::{Actor, Permission};
use crate::error::FieldErrors;
use crate::i18n::{self, Lang};
use crate::page::Page;
use crate::paths;

/// One entry of the left menu.
pub struct MenuItem {
    pub href: &'static str,
    pub label: String,
    pub active: bool,
    /// Things to do behind this entry (shown as a badge when above zero).
    pub badge: i64,
}

/// Layout data of a signed-in page.
pub struct Shell {
    pub lang: Lang,
    pub lang_code: &'static str,
    pub user_name: String,
    pub role_label: String,
    pub menu: Vec<MenuItem>,
    pub csrf: String,
    pub flash: Option<String>,
    /// Current path and query (the language switch returns here).
    pub here: String,
    pub switch_to: &'static str,
    pub switch_label: &'static str,
}

/// Flash messages a redirect may ask for (`?ok=…`); anything else is ignored.
const FLASHES: &[&str] = &[
    "enrolled",
    "waiting",
    "erased",
    "saved",
    "created",
    "moved",
    "retired",
    "member_added",
    "member_removed",
    "user_created",
    "user_disabled",
    "user_enabled",
    "password_reset",
    "password_expired",
    "awaiting_confirmation",
    "request_confirmed",
    "request_rejected",
    "recorded_afterwards",
    "activity_submitted",
    "activity_approved",
    "activity_returned",
    "activity_published",
    "activity_held",
    "schedule_copied",
    "schedule_done",
    "schedule_reopened",
    "deleted",
    "activity_documented",
    "activity_archived",
    "activity_cancelled",
];

/// The menu: each entry's page, its label and the permissions that show it (any of them; none:
/// everyone).
const MENU: &[(&str, &str, &[Permission])] = &[
    (paths::WORKBENCH, "nav.workbench", &[]),
    (paths::TREE, "nav.tree", &[Permission::OrgRead]),
    (paths::NODES, "nav.nodes", &[Permission::OrgRead]),
    (
        paths::ACTIVITIES,
        "nav.activities",
        &[Permission::ActivitiesRead],
    ),
    (
        paths::CALENDAR,
        "nav.calendar",
        &[Permission::ActivitiesRead],
    ),
    (paths::GRID, "nav.grid", &[Permission::ActivitiesRead]),
    (
        paths::SCHEDULE,
        "nav.schedule",
        &[Permission::ScheduleRead, Permission::ScheduleMark],
    ),
    (paths::FUNDS, "nav.funds", &[Permission::FundsRead]),
    (paths::AWARDS, "nav.awards", &[Permission::AwardsRead]),
    (paths::MEETINGS, "nav.meetings", &[Permission::MeetingsRead]),
    (paths::KPIS, "nav.kpis", &[Permission::TargetsRead]),
    (
        paths::REPORT_ANNUAL,
        "nav.reports",
        &[Permission::TargetsRead],
    ),
    (paths::SURVEYS, "nav.surveys", &[Permission::SurveysRead]),
    (
        paths::EQUIPMENT,
        "nav.equipment",
        &[Permission::EquipmentRead],
    ),
    (
        paths::INSPECTIONS,
        "nav.inspections",
        &[Permission::InspectionsRead],
    ),
    (
        paths::CATALOGUE,
        "nav.catalogue",
        &[Permission::CatalogueManage],
    ),
    (paths::RESIDENTS, "nav.residents", &[Permission::PeopleRead]),
    (
        paths::HOUSEHOLDS,
        "nav.households",
        &[Permission::PeopleRead],
    ),
    (paths::TEACHERS, "nav.teachers", &[Permission::TeachersRead]),
    (paths::USERS, "nav.users", &[Permission::UsersRead]),
    (paths::AUDIT, "nav.audit", &[Permission::AuditRead]),
    (paths::ACCOUNT, "nav.account", &[]),
    (paths::API_DOCS, "nav.api", &[]),
];

impl Shell {
    /// Builds the shell for an actor; `active` is the menu entry's href to highlight.
    pub fn new(
        actor: &Actor,
        lang: Lang,
        active: &str,
        here: &str,
        ok: Option<&str>,
        badges: &[(&'static str, i64)],
    ) -> Shell {
        let menu = MENU
            .iter()
            .filter(|(_, _, needs)| needs.is_empty() || needs.iter().any(|p| actor.can(*p)))
            .map(|&(href, key, _)| MenuItem {
                href,
                label: i18n::t(lang, key).to_string(),
                active: href == active,
                badge: badges
                    .iter()
                    .find(|(h, _)| *h == href)
                    .map_or(0, |(_, n)| *n),
            })
            .collect();
        let flash = ok
            .filter(|k| FLASHES.contains(k))
            .map(|k| i18n::t(lang, &format!("flash.{k}")).to_string());
        let (switch_to, switch_label) = match lang {
            Lang::Zh => ("en", "English"),
            Lang::En => ("zh", "中文"),
        };
        Shell {
            lang,
            lang_code: lang.code(),
            user_name: actor.display_name.clone(),
            role_label: i18n::t(lang, actor.role.label_key()).to_string(),
            menu,
            csrf: actor.csrf_token.clone(),
            flash,
            here: here.to_string(),
            switch_to,
            switch_label,
        }
    }

    /// A localised text.
    pub fn t<'a>(&self, key: &'a str) -> &'a str {
        i18n::t(self.lang, key)
    }
}

/// Typed values and field errors of a form being shown again.
#[derive(Clone, Default)]
pub struct FormView {
    values: HashMap<String, String>,
    errors: HashMap<String, String>,
}

impl FormView {
    /// A form pre-filled with values.
    /// The values of a form read as (field, value) pairs (a raw body: repeated fields, numbered
    /// blocks).
    pub fn from_pairs(pairs: &[(String, String)]) -> FormView {
        let typed: Vec<(&str, String)> =
            pairs.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
        FormView::with(&typed)
    }

    pub fn with(values: &[(&str, String)]) -> FormView {
        FormView {
            values: values
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
            errors: HashMap::new(),
        }
    }

    /// Adds the field errors of a refused submission, rendered in `lang`.
    pub fn errors(mut self, lang: Lang, fe: &FieldErrors) -> FormView {
        for (f, m) in &fe.0 {
            self.errors
                .entry(f.clone())
                .or_insert_with(|| i18n::render(lang, m));
        }
        self
    }

    /// The value typed into a field.
    pub fn v(&self, field: &str) -> &str {
        self.values.get(field).map(String::as_str).unwrap_or("")
    }

    /// True when the field's value equals `option` (selected options, checked boxes).
    pub fn is(&self, field: &str, option: &str) -> bool {
        self.v(field) == option
    }

    /// True when the form carries a typed value for the field (a refused form shown again),
    /// so the page shows it instead of the stored one.
    pub fn has_value(&self, field: &str) -> bool {
        self.values.contains_key(field)
    }

    /// True when the field has an error.
    pub fn has(&self, field: &str) -> bool {
        self.errors.contains_key(field)
    }

    /// The error of a field, or "".
    pub fn e(&self, field: &str) -> &str {
        self.errors.get(field).map(String::as_str).unwrap_or("")
    }

    /// A copy of the typed values without the errors.
    pub fn clone_values(&self) -> FormView {
        FormView {
            values: self.values.clone(),
            errors: HashMap::new(),
        }
    }

    /// True when any field has an error.
    pub fn any_error(&self) -> bool {
        !self.errors.is_empty()
    }
}

/// Links of a pager, keeping the other query parameters.
pub struct Pager {
    pub summary: String,
    pub prev: Option<String>,
    pub next: Option<String>,
}

impl Pager {
    /// Builds the pager of a page of results; `query` is the filter part of the URL without `page`.
    pub fn of<T>(lang: Lang, base: &str, query: &[(&str, String)], page: &Page<T>) -> Pager {
        let link = |p: u32| {
            let mut q = query.to_vec();
            q.push(("page", p.to_string()));
            paths::link_with(base, &q)
        };
        let summary = i18n::t(lang, "list.summary")
            .replace("{total}", &page.total.to_string())
            .replace("{page}", &page.page.to_string())
            .replace("{pages}", &page.pages().to_string());
        Pager {
            summary,
            prev: page.has_prev().then(|| link(page.page - 1)),
            next: page.has_next().then(|| link(page.page + 1)),
        }
    }
}

/// The ticked boxes of a multiple choice, by their values.
#[derive(Default)]
pub struct Ticked(pub Vec<String>);

impl Ticked {
    /// Whether the box of this value is ticked.
    pub fn has(&self, value: &str) -> bool {
        self.0.iter().any(|v| v == value)
    }
}

/// A choice in a drop-down.
pub struct Choice {
    pub value: String,
    pub label: String,
}

impl Choice {
    /// The choice of `value`, shown as `label`.
    pub fn new(value: impl ToString, label: impl Into<String>) -> Choice {
        Choice {
            value: value.to_string(),
            label: label.into(),
        }
    }
}

/// Records chosen by their id and shown by their name (a node of the tree, a theme, an entry of
/// the catalogue).
macro_rules! choice_by_id {
    ($($t:ty),+) => {
        $(
            impl From<$t> for Choice {
                fn from(r: $t) -> Choice {
                    Choice::new(r.id, r.name)
                }
            }
        )+
    };
}

choice_by_id!(
    crate::org::Node,
    crate::catalogue::Theme,
    crate::catalogue::Entry
);
