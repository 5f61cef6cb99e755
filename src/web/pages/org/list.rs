//! The organisation tree and the filtered list of nodes.

use super::*;
use crate::paths;

#[derive(Template)]
#[template(path = "org/tree.html")]
pub(super) struct TreePage {
    shell: Shell,
    rows: Vec<TreeRow>,
    top_name: String,
}

#[derive(Deserialize, Default)]
pub(super) struct TreeQuery {
    top: Option<i64>,
}

pub(super) async fn tree(cx: Ctx, Query(q): Query<TreeQuery>) -> Result<Response> {
    let state = &cx.state;
    let (actor, lang) = (&cx.actor, cx.lang);
    let t = org::tree(&state.db, actor, q.top, 4).await?;
    let mut rows = Vec::new();
    flatten(lang, &t, 0, actor.can(Permission::OrgManage), &mut rows);
    html(&TreePage {
        shell: cx.shell(paths::TREE),
        top_name: t.node.name.clone(),
        rows,
    })
}

#[derive(Template)]
#[template(path = "org/nodes.html")]
pub(super) struct ListPage {
    shell: Shell,
    rows: Vec<NodeView>,
    form: FormView,
    kinds: Vec<Choice>,
    pager: Pager,
}

#[derive(Deserialize, Default)]
pub(super) struct ListQuery {
    q: Option<String>,
    kind: Option<String>,
    retired: Option<String>,
    page: Option<u32>,
}

pub(super) async fn list(cx: Ctx, Query(q): Query<ListQuery>) -> Result<Response> {
    let state = &cx.state;
    let (actor, lang) = (&cx.actor, cx.lang);
    let filter = NodeFilter {
        q: q.q.clone(),
        kind: q.kind.as_deref().and_then(Kind::parse),
        include_retired: q.retired.as_deref() == Some("1"),
    };
    let page = org::list_nodes(&state.db, actor, &filter, PageRequest::new(q.page, None)).await?;
    let query = [
        ("q", q.q.clone().unwrap_or_default()),
        ("kind", q.kind.clone().unwrap_or_default()),
        ("retired", q.retired.clone().unwrap_or_default()),
    ];
    let pager = Pager::of(lang, paths::NODES, &query, &page);
    let kinds = kind_choices(lang, Kind::ALL.into_iter().filter(|k| *k != Kind::Root));
    html(&ListPage {
        shell: cx.shell(paths::NODES),
        rows: page.items.iter().map(|n| view(lang, n)).collect(),
        form: FormView::with(&query),
        kinds,
        pager,
    })
}
