//! Finding teachers: filtered lists, yearly service totals and the pools an actor may use.

use super::*;

/// Filters of the teacher list.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct TeacherFilter {
    pub q: Option<String>,
    /// The pool: a town school or a learning centre.
    pub node_id: Option<i64>,
    pub teacher_type: Option<String>,
    pub source: Option<String>,
    /// active (default), retired, or all
    pub status: Option<String>,
    pub theme_id: Option<i64>,
}

/// The teachers the actor may see: the scope's pools plus the town school's pool.
pub async fn list_teachers(
    db: &Db,
    actor: &Actor,
    f: &TeacherFilter,
    page: PageRequest,
) -> Result<Page<Teacher>> {
    actor.require(Permission::TeachersRead)?;
    let p = store::list(db, &actor.scope_path, f, page).await?;
    let ids: Vec<i64> = p.items.iter().map(|t| t.id).collect();
    let mut names = store::theme_names(db, &ids).await?;
    Ok(Page {
        items: p
            .items
            .into_iter()
            .map(|t| {
                let n = names.remove(&t.id).unwrap_or_default();
                t.view(n, false)
            })
            .collect(),
        total: p.total,
        page: p.page,
        per_page: p.per_page,
    })
}

/// Volunteers' service minutes in a year, per volunteer the actor may see: (teacher, minutes).
pub async fn service_totals(db: &Db, actor: &Actor, year: i32) -> Result<Vec<(Teacher, i64)>> {
    actor.require(Permission::TeachersRead)?;
    let rows = store::service_totals(db, year).await?;
    Ok(rows
        .into_iter()
        .filter(|(t, _)| visible(actor, t))
        .map(|(t, m)| (t.view(Vec::new(), false), m))
        .collect())
}

/// The pools (town school and centres) the actor may add teachers to.
pub async fn pools(db: &Db, actor: &Actor) -> Result<Vec<Node>> {
    let mut out = Vec::new();
    for kind in [Kind::School, Kind::Centre] {
        let page = org::list_nodes(
            db,
            actor,
            &org::NodeFilter {
                kind: Some(kind),
                ..Default::default()
            },
            PageRequest::new(Some(1), Some(200)),
        )
        .await?;
        out.extend(page.items);
    }
    Ok(out)
}

/// The Chinese (or English) label of a type or source code.
pub fn label_key(code: &str) -> String {
    format!("teachers.code.{code}")
}
