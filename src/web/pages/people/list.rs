//! The resident list with its filters, and its export to xlsx.

use super::*;
use crate::paths;

#[derive(Deserialize, Default)]
pub(super) struct ListQuery {
    q: Option<String>,
    community_id: Option<String>,
    tag: Option<String>,
    erased: Option<String>,
    page: Option<u32>,
}

impl ListQuery {
    fn filter(&self) -> ResidentFilter {
        ResidentFilter {
            q: self.q.clone(),
            community_id: self.community_id.as_deref().and_then(|s| s.parse().ok()),
            tag: self.tag.clone().filter(|t| TAGS.contains(&t.as_str())),
            include_erased: self.erased.as_deref() == Some("1"),
        }
    }

    fn pairs(&self) -> [(&'static str, String); 4] {
        [
            ("q", self.q.clone().unwrap_or_default()),
            (
                "community_id",
                self.community_id.clone().unwrap_or_default(),
            ),
            ("tag", self.tag.clone().unwrap_or_default()),
            ("erased", self.erased.clone().unwrap_or_default()),
        ]
    }
}

#[derive(Template)]
#[template(path = "people/list.html")]
pub(super) struct ListPage {
    shell: Shell,
    rows: Vec<ResidentRow>,
    communities: Vec<Choice>,
    tags: Vec<Choice>,
    form: FormView,
    pager: Pager,
    export_link: String,
    can_write: bool,
    can_import: bool,
    can_export: bool,
}

pub(super) async fn list(cx: Ctx, Query(q): Query<ListQuery>) -> Result<Response> {
    let state = &cx.state;
    let (actor, lang) = (&cx.actor, cx.lang);
    let requested = PageRequest::new(q.page, None);
    let page = people::list_residents(&state.db, actor, &q.filter(), requested).await?;
    let pairs = q.pairs();
    let pager = Pager::of(lang, paths::RESIDENTS, &pairs, &page);
    let export_link = paths::link_with(paths::RESIDENTS_EXPORT, &pairs);
    html(&ListPage {
        shell: cx.shell(paths::RESIDENTS),
        rows: page.items.iter().map(|r| row(lang, r)).collect(),
        communities: community_choices(state, actor).await?,
        tags: tag_choices(lang),
        form: FormView::with(&pairs),
        pager,
        export_link,
        can_write: actor.can(Permission::PeopleWrite),
        can_import: actor.can(Permission::PeopleImport),
        can_export: actor.can(Permission::PeopleExport),
    })
}

/// The resident list as the user filtered it, masked, as an xlsx download (audited).
pub(super) async fn export(cx: Ctx, Query(q): Query<ListQuery>) -> Result<Response> {
    let (state, actor, lang) = (&cx.state, &cx.actor, cx.lang);
    let table = export_table(state, actor, lang, &q.filter()).await?;
    crate::web::download::xlsx(&table, i18n::t(lang, "people.export_file"))
}

/// Builds the export table and records the export in the audit log.
pub async fn export_table(
    state: &AppState,
    actor: &Actor,
    lang: Lang,
    filter: &ResidentFilter,
) -> Result<Table> {
    let rows = people::export_residents(&state.db, actor, filter).await?;
    let table = people::residents_table(lang, &rows);
    let filter = serde_json::json!({
        "q": filter.q, "community_id": filter.community_id, "tag": filter.tag, "include_erased": filter.include_erased
    });
    people::audit_export(&state.db, actor, "residents", table.rows.len(), filter).await?;
    Ok(table)
}
