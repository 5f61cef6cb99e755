//! The audit log page: filter by action, actor, subject and dates, newest first.

use askama::Template;
use axum::response::Response;
use chrono::NaiveDate;
use serde::Deserialize;

use super::Ctx;
use super::html;
use crate::access::Permission as P;
use crate::audit::{self, AuditFilter, view};
use crate::error::{Error, Msg, Result};
use crate::i18n::{self};
use crate::page::PageRequest;
use crate::paths;
use crate::web::extract::Query;
use crate::web::routes::{Routes, Rule};
use crate::web::views::{Choice, FormView, Pager, Shell};

/// Who names which objects of the log: every concept that writes audit records.
const NAMERS: &[&[view::Namer]] = &[
    crate::activities::AUDIT_NAMES,
    crate::org::AUDIT_NAMES,
    crate::teachers::AUDIT_NAMES,
    crate::accounts::AUDIT_NAMES,
    crate::people::AUDIT_NAMES,
    crate::evidence::AUDIT_NAMES,
    crate::catalogue::AUDIT_NAMES,
    crate::schedule::AUDIT_NAMES,
    crate::funding::AUDIT_NAMES,
    crate::commendation::AUDIT_NAMES,
    crate::meetings::AUDIT_NAMES,
    crate::equipment::AUDIT_NAMES,
    crate::surveys::AUDIT_NAMES,
];

pub(super) fn router() -> Routes {
    Routes::new().get(paths::AUDIT, Rule::needs(P::AuditRead), list)
}

/// An audit line in words: Beijing time, the object by kind and name, each change labelled.
pub struct AuditRow {
    pub at: String,
    pub actor: String,
    pub role: String,
    pub action: String,
    pub action_code: String,
    pub subject: String,
    pub changes: Vec<view::Change>,
    pub ok: bool,
    pub result: String,
    pub source_ip: String,
}

#[derive(Template)]
#[template(path = "audit/list.html")]
struct ListPage {
    shell: Shell,
    rows: Vec<AuditRow>,
    actions: Vec<Choice>,
    subject_types: Vec<Choice>,
    form: FormView,
    pager: Pager,
}

#[derive(Deserialize, Default)]
struct ListQuery {
    action: Option<String>,
    actor: Option<String>,
    subject_type: Option<String>,
    subject_id: Option<String>,
    from: Option<String>,
    to: Option<String>,
    page: Option<u32>,
}

fn date(field: &str, v: &Option<String>) -> Result<Option<NaiveDate>> {
    match v.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| Error::invalid(field, Msg::new("field.date_format"))),
    }
}

async fn list(cx: Ctx, Query(q): Query<ListQuery>) -> Result<Response> {
    let state = &cx.state;
    let (actor, lang) = (&cx.actor, cx.lang);
    let filter = AuditFilter {
        action: q.action.clone(),
        actor: q.actor.clone(),
        subject_type: q.subject_type.clone(),
        subject_id: q.subject_id.as_deref().and_then(|s| s.trim().parse().ok()),
        from: date("from", &q.from)?,
        to: date("to", &q.to)?,
    };
    let page = audit::list(
        &state.db,
        actor,
        &filter,
        PageRequest::new(q.page, Some(50)),
    )
    .await?;
    let query = [
        ("action", q.action.clone().unwrap_or_default()),
        ("actor", q.actor.clone().unwrap_or_default()),
        ("subject_type", q.subject_type.clone().unwrap_or_default()),
        ("subject_id", q.subject_id.clone().unwrap_or_default()),
        ("from", q.from.clone().unwrap_or_default()),
        ("to", q.to.clone().unwrap_or_default()),
    ];
    let names = view::names(&state.db, &page.items, NAMERS).await?;
    let rows = page
        .items
        .iter()
        .map(|r| AuditRow {
            at: crate::calendar::local(r.at)
                .format("%Y-%m-%d %H:%M:%S")
                .to_string(),
            actor: r.actor_name.clone(),
            role: crate::access::Role::parse(&r.actor_role)
                .map(|x| i18n::t(lang, x.label_key()).to_string())
                .unwrap_or_default(),
            action: view::action(lang, &r.action),
            action_code: r.action.clone(),
            subject: view::subject(lang, r, &names),
            changes: view::changes(lang, r, &names),
            ok: r.result == "ok",
            result: view::result(lang, &r.result),
            source_ip: r.source_ip.clone().unwrap_or_default(),
        })
        .collect();
    let actions = audit::known_actions(&state.db, actor)
        .await?
        .into_iter()
        .map(|a| Choice::new(&a, view::action(lang, &a)))
        .collect();
    let subject_types = audit::known_subject_types(&state.db, actor)
        .await?
        .into_iter()
        .map(|t| Choice::new(&t, view::subject_kind(lang, &t)))
        .collect();
    html(&ListPage {
        shell: cx.shell(paths::AUDIT),
        rows,
        actions,
        subject_types,
        pager: Pager::of(lang, paths::AUDIT, &query, &page),
        form: FormView::with(&query),
    })
}
