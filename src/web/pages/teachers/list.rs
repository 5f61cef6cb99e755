//! The teacher list with its filters, and its export to xlsx.

use super::*;
use crate::paths;

#[derive(Template)]
#[template(path = "teachers/list.html")]
pub(super) struct ListPage {
    shell: Shell,
    rows: Vec<TeacherRow>,
    pools: Vec<Choice>,
    types: Vec<Choice>,
    sources: Vec<Choice>,
    themes: Vec<Choice>,
    form: FormView,
    pager: Pager,
    can_write: bool,
    can_export: bool,
    export_link: String,
}

#[derive(Deserialize, Default)]
pub(super) struct ListQuery {
    q: Option<String>,
    node_id: Option<String>,
    teacher_type: Option<String>,
    source: Option<String>,
    status: Option<String>,
    theme_id: Option<String>,
    page: Option<u32>,
}

pub(super) async fn list(cx: Ctx, Query(q): Query<ListQuery>) -> Result<Response> {
    let state = &cx.state;
    let (actor, lang) = (&cx.actor, cx.lang);
    let requested = PageRequest::new(q.page, None);
    let page = teachers::list_teachers(&state.db, actor, &q.filter(), requested).await?;
    let pairs = [
        ("q", q.q.clone().unwrap_or_default()),
        ("node_id", q.node_id.clone().unwrap_or_default()),
        ("teacher_type", q.teacher_type.clone().unwrap_or_default()),
        ("source", q.source.clone().unwrap_or_default()),
        ("status", q.status.clone().unwrap_or_default()),
        ("theme_id", q.theme_id.clone().unwrap_or_default()),
    ];
    let export_link = paths::link_with(paths::TEACHERS_EXPORT, &pairs);
    html(&ListPage {
        export_link,
        can_export: actor.can(Permission::PeopleExport),
        shell: cx.shell(paths::TEACHERS),
        pager: Pager::of(lang, paths::TEACHERS, &pairs, &page),
        rows: page.items.iter().map(|t| row(lang, t)).collect(),
        pools: pool_choices(state, actor, lang).await?,
        types: codes(lang, &TYPES),
        sources: codes(lang, &SOURCES),
        themes: theme_choices(state, actor).await?,
        form: FormView::with(&pairs),
        can_write: actor.can(Permission::TeachersWrite),
    })
}

impl ListQuery {
    fn filter(&self) -> TeacherFilter {
        TeacherFilter {
            q: self.q.clone(),
            node_id: self.node_id.as_deref().and_then(|s| s.parse().ok()),
            teacher_type: self.teacher_type.clone(),
            source: self.source.clone(),
            status: self.status.clone(),
            theme_id: self.theme_id.as_deref().and_then(|s| s.parse().ok()),
        }
    }
}

/// The teacher list as filtered, phones masked, as an xlsx download (audited).
pub(super) async fn export(cx: Ctx, Query(q): Query<ListQuery>) -> Result<Response> {
    let (state, actor, lang) = (&cx.state, &cx.actor, cx.lang);
    actor.require(Permission::PeopleExport)?;
    let all = PageRequest {
        page: 1,
        per_page: crate::people::EXPORT_MAX as u32,
    };
    let page = teachers::list_teachers(&state.db, actor, &q.filter(), all).await?;
    let t = |k| i18n::t(lang, k).to_string();
    let table = crate::spreadsheet::Table {
        sheet_name: t("teachers.title"),
        headers: [
            "teachers.name",
            "teachers.pool",
            "teachers.type",
            "teachers.source",
            "teachers.themes",
            "teachers.speciality",
            "people.phone",
            "teachers.status_label",
            "teachers.training_hours",
        ]
        .iter()
        .map(|k| t(k))
        .collect(),
        rows: page
            .items
            .iter()
            .map(|x| {
                let r = row(lang, x);
                vec![
                    r.name,
                    format!("{} {}", r.pool, r.level),
                    r.teacher_type,
                    r.source,
                    r.themes,
                    r.speciality,
                    r.phone,
                    format!("{} {}", r.status, r.retired_note)
                        .trim()
                        .to_string(),
                    r.training_hours,
                ]
            })
            .collect(),
        text_columns: vec![6],
        number_columns: Vec::new(),
        charts: Vec::new(),
        notes: vec![],
    };
    crate::people::audit_export(
        &state.db,
        actor,
        "teachers",
        table.rows.len(),
        serde_json::json!({"q": q.q, "node_id": q.node_id, "status": q.status}),
    )
    .await?;
    crate::web::download::xlsx(&table, i18n::t(lang, "teachers.title"))
}
