//! What every page shares: the shell (header, left menu filtered by permission, language switch,
//! flash message) and the form view that keeps typed values and shows errors beside their fields.

use std::collections::HashMap;

use crate::access::{Actor, Permission};
use crate::error::FieldErrors;
use crate::i18n::{self, Lang};
use crate::page::Page;

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
    "activity_documented",
    "activity_archived",
    "activity_cancelled",
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
        let mut menu = Vec::new();
        let mut add = |href: &'static str, key: &str, allowed: bool| {
            if allowed {
                menu.push(MenuItem {
                    href,
                    label: i18n::t(lang, key).to_string(),
                    active: href == active,
                    badge: badges
                        .iter()
                        .find(|(h, _)| *h == href)
                        .map_or(0, |(_, n)| *n),
                });
            }
        };
        add("/workbench", "nav.workbench", true);
        add("/org/tree", "nav.tree", actor.can(Permission::OrgRead));
        add("/org/nodes", "nav.nodes", actor.can(Permission::OrgRead));
        add(
            "/activities",
            "nav.activities",
            actor.can(Permission::ActivitiesRead),
        );
        add(
            "/activities/calendar",
            "nav.calendar",
            actor.can(Permission::ActivitiesRead),
        );
        add(
            "/activities/grid",
            "nav.grid",
            actor.can(Permission::ActivitiesRead),
        );
        add(
            "/catalogue",
            "nav.catalogue",
            actor.can(Permission::CatalogueManage),
        );
        add(
            "/people/residents",
            "nav.residents",
            actor.can(Permission::PeopleRead),
        );
        add(
            "/people/households",
            "nav.households",
            actor.can(Permission::PeopleRead),
        );
        add(
            "/teachers",
            "nav.teachers",
            actor.can(Permission::TeachersRead),
        );
        add("/users", "nav.users", actor.can(Permission::UsersRead));
        add("/audit", "nav.audit", actor.can(Permission::AuditRead));
        add("/account", "nav.account", true);
        add("/api/docs", "nav.api", true);
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
#[derive(Default)]
pub struct FormView {
    values: HashMap<String, String>,
    errors: HashMap<String, String>,
}

impl FormView {
    /// A form pre-filled with values.
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
            let mut q: Vec<(&str, String)> = query
                .iter()
                .filter(|(_, v)| !v.is_empty())
                .cloned()
                .collect();
            q.push(("page", p.to_string()));
            format!(
                "{base}?{}",
                serde_urlencoded::to_string(&q).unwrap_or_default()
            )
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

/// A choice in a drop-down.
pub struct Choice {
    pub value: String,
    pub label: String,
}
