//! The workbench page (工作台): the signed-in person's to-dos and figures.

use askama::Template;
use axum::extract::State;
use axum::response::Response;

use super::{Ctx, html};
use crate::error::Result;
use crate::i18n;
use crate::paths;
use crate::web::AppState;
use crate::web::routes::{Routes, Rule};
use crate::web::views::Shell;
use crate::workbench;

pub(super) fn router() -> Routes {
    Routes::new().get(paths::WORKBENCH, Rule::SIGNED_IN, page)
}

/// A to-do or a figure as the page shows it.
struct Line {
    id: &'static str,
    label: String,
    count: i64,
    href: String,
    urgent: bool,
}

#[derive(Template)]
#[template(path = "workbench.html")]
struct WorkbenchPage {
    shell: Shell,
    todos: Vec<Line>,
    figures: Vec<Line>,
    /// Something to do at all.
    busy: bool,
}

async fn page(State(state): State<AppState>, cx: Ctx) -> Result<Response> {
    let w = workbench::workbench(&state.db, &cx.actor).await?;
    let label = |group: &str, kind: &str| i18n::t(cx.lang, &format!("{group}.{kind}")).to_string();
    let busy = w.todos.iter().any(|t| t.count > 0);
    let todos = w
        .todos
        .into_iter()
        .map(|t| Line {
            id: t.kind,
            label: label("workbench.todo", t.kind),
            count: t.count,
            href: t.href,
            urgent: t.urgent && t.count > 0,
        })
        .collect();
    let figures = w
        .figures
        .into_iter()
        .map(|f| Line {
            id: f.kind,
            label: label("workbench.figure", f.kind),
            count: f.value,
            href: f.href,
            urgent: false,
        })
        .collect();
    html(&WorkbenchPage {
        shell: cx.shell(paths::WORKBENCH),
        todos,
        figures,
        busy,
    })
}
