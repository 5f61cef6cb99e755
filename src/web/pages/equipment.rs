//! Equipment pages: the town's gap report (page and xlsx), a centre's inventory and rooms with
//! their forms, the district's standard list.

use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use super::{Ctx, html, html_status, see_other};
use crate::access::Permission as P;
use crate::equipment::{
    self, CentreEquipment, Condition, GapStatus, ItemChange, ItemInput, Source, StandardInput,
    StandardKind, StandardLine, TownGaps,
};
use crate::error::{Error, Result};
use crate::i18n;
use crate::org;
use crate::paths;
use crate::venues::RoomInput;
use crate::web::download;
use crate::web::extract::{Form, Id, Query, TownYear};
use crate::web::routes::{Object, Routes, Rule};
use crate::web::views::{Choice, FormView, Shell};

pub(super) fn router() -> Routes {
    let read = Rule::needs(P::EquipmentRead);
    let write = Rule::needs(P::EquipmentWrite);
    let standard = Rule::needs(P::EquipmentStandard);
    Routes::new()
        .get(paths::EQUIPMENT, read, gaps_page)
        .get(paths::EQUIPMENT_XLSX, read, gaps_xlsx)
        .get(paths::EQUIPMENT_CENTRE, read.on(Object::Node), centre_page)
        .post(paths::EQUIPMENT_ITEMS, write, add_item)
        .post(
            paths::EQUIPMENT_ITEM,
            write.on(Object::EquipmentItem),
            change_item,
        )
        .post(
            paths::EQUIPMENT_WRITE_OFF,
            write.on(Object::EquipmentItem),
            write_off,
        )
        .post(paths::EQUIPMENT_ROOMS, write, add_room)
        .post(
            paths::EQUIPMENT_ROOM_CLOSE,
            write.on(Object::Room),
            close_room,
        )
        .get(paths::EQUIPMENT_STANDARDS, read, standards_page)
        .post(paths::EQUIPMENT_STANDARDS, standard, add_standard)
        .post(
            paths::EQUIPMENT_STANDARD_RETIRE,
            standard.on(Object::EquipmentStandard),
            retire_standard,
        )
}

fn status_label(lang: i18n::Lang, s: &GapStatus) -> String {
    i18n::t(lang, &format!("equipment.status.{s}")).to_string()
}

#[derive(Template)]
#[template(path = "equipment/gaps.html")]
struct GapsPage {
    shell: Shell,
    g: TownGaps,
    towns: Vec<Choice>,
}

impl GapsPage {
    fn status(&self, s: &GapStatus) -> String {
        status_label(self.shell.lang, s)
    }
}

async fn gaps_page(cx: Ctx, Query(q): Query<TownYear>) -> Result<Response> {
    let db = &cx.state.db;
    let g = equipment::town_gaps(db, &cx.actor, q.town_id).await?;
    let towns = org::town_choices(db, &cx.actor)
        .await?
        .into_iter()
        .map(Choice::from)
        .collect();
    html(&GapsPage {
        shell: cx.shell(paths::EQUIPMENT),
        g,
        towns,
    })
}

async fn gaps_xlsx(cx: Ctx, Query(q): Query<TownYear>) -> Result<Response> {
    let g = equipment::town_gaps(&cx.state.db, &cx.actor, q.town_id).await?;
    download::printout(&equipment::gaps_printout(&g), &equipment::gaps_title(&g))
}

#[derive(Template)]
#[template(path = "equipment/centre.html")]
struct CentrePage {
    shell: Shell,
    c: CentreEquipment,
    can_edit: bool,
    /// The office may book a purchase as an expense.
    can_book: bool,
    item_lines: Vec<Choice>,
    room_lines: Vec<Choice>,
    conditions: Vec<Choice>,
    sources: Vec<Choice>,
    form: FormView,
    error: Option<String>,
}

impl CentrePage {
    fn status(&self, s: &GapStatus) -> String {
        status_label(self.shell.lang, s)
    }
    fn condition(&self, c: &Condition) -> String {
        i18n::t(self.shell.lang, &format!("equipment.condition.{c}")).to_string()
    }
    fn source(&self, s: &Source) -> String {
        i18n::t(self.shell.lang, &format!("equipment.source.{s}")).to_string()
    }
}

async fn centre_view(
    cx: &Ctx,
    id: i64,
    form: FormView,
    error: Option<String>,
) -> Result<CentrePage> {
    let db = &cx.state.db;
    let c = equipment::centre(db, &cx.actor, id).await?;
    let node = org::get_node(db, &cx.actor, id).await?;
    let lines = equipment::standard_for(db, &node).await?;
    let choose = |k: StandardKind| {
        lines
            .iter()
            .filter(|l| l.kind == k)
            .map(|l| Choice::new(l.id, format!("{}({}{})", l.name, l.quantity, l.unit)))
            .collect()
    };
    let lang = cx.lang;
    Ok(CentrePage {
        shell: cx.shell(paths::EQUIPMENT),
        can_edit: equipment::may_edit(&cx.actor, &node.path),
        can_book: crate::funding::may_book(&cx.actor, &node.path),
        item_lines: choose(StandardKind::Item),
        room_lines: choose(StandardKind::Room),
        conditions: Condition::ALL
            .iter()
            .map(|c| {
                Choice::new(
                    c.as_str(),
                    i18n::t(lang, &format!("equipment.condition.{c}")),
                )
            })
            .collect(),
        sources: Source::ALL
            .iter()
            .map(|s| Choice::new(s.as_str(), i18n::t(lang, &format!("equipment.source.{s}"))))
            .collect(),
        c,
        form,
        error,
    })
}

async fn centre_page(cx: Ctx, Id(id): Id) -> Result<Response> {
    html(&centre_view(&cx, id, FormView::default(), None).await?)
}

/// The answer to a form of the centre page: back to it when saved, the page again with the
/// typed values and the messages when refused.
async fn answered<T>(
    cx: &Ctx,
    centre: i64,
    result: Result<T>,
    typed: &[(&str, String)],
) -> Result<Response> {
    match result {
        Ok(_) => Ok(see_other(&paths::flashed(
            &paths::equipment_centre(centre),
            "saved",
        ))),
        Err(Error::Invalid(fe)) => {
            let form = FormView::with(typed).errors(cx.lang, &fe);
            let page = centre_view(cx, centre, form, None).await?;
            html_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(Error::Conflict(m)) => {
            let msg = Some(i18n::render(cx.lang, &m));
            let page = centre_view(cx, centre, FormView::default(), msg).await?;
            html_status(StatusCode::CONFLICT, &page)
        }
        Err(e) => Err(e),
    }
}

#[derive(Deserialize)]
struct ItemFields {
    node_id: i64,
    standard_id: Option<String>,
    name: Option<String>,
    #[serde(default)]
    quantity: String,
    #[serde(default)]
    condition: String,
    #[serde(default)]
    source: String,
    acquired_on: Option<String>,
    note: Option<String>,
    amount: Option<String>,
    payee: Option<String>,
    over_budget_reason: Option<String>,
}

async fn add_item(cx: Ctx, Form(actor, f): Form<ItemFields>) -> Result<Response> {
    let o = |v: &Option<String>| v.clone().unwrap_or_default();
    let input = ItemInput {
        node_id: f.node_id,
        standard_id: f.standard_id.as_deref().and_then(|s| s.parse().ok()),
        name: f.name.clone(),
        quantity: f.quantity.clone(),
        condition: f.condition.clone(),
        source: f.source.clone(),
        acquired_on: f.acquired_on.clone(),
        note: f.note.clone(),
        amount: f.amount.clone(),
        payee: f.payee.clone(),
        over_budget_reason: f.over_budget_reason.clone(),
    };
    let r = equipment::add_item(&cx.state.db, &actor, &input).await;
    let typed = [
        ("standard_id", o(&f.standard_id)),
        ("name", o(&f.name)),
        ("quantity", f.quantity.clone()),
        ("condition", f.condition.clone()),
        ("source", f.source.clone()),
        ("acquired_on", o(&f.acquired_on)),
        ("note", o(&f.note)),
        ("amount", o(&f.amount)),
        ("payee", o(&f.payee)),
        ("over_budget_reason", o(&f.over_budget_reason)),
    ];
    answered(&cx, f.node_id, r, &typed).await
}

#[derive(Deserialize)]
struct ChangeFields {
    #[serde(default)]
    quantity: String,
    #[serde(default)]
    condition: String,
    note: Option<String>,
    version: i64,
}

async fn change_item(cx: Ctx, Id(id): Id, Form(actor, f): Form<ChangeFields>) -> Result<Response> {
    let before = equipment::item(&cx.state.db, &actor, id).await?;
    let change = ItemChange {
        quantity: f.quantity.clone(),
        condition: f.condition.clone(),
        note: f.note.clone(),
        version: f.version,
    };
    let r = equipment::change_item(&cx.state.db, &actor, id, &change).await;
    answered(&cx, before.node_id, r, &[]).await
}

#[derive(Deserialize)]
struct WriteOffFields {
    #[serde(default)]
    reason: String,
}

async fn write_off(cx: Ctx, Id(id): Id, Form(actor, f): Form<WriteOffFields>) -> Result<Response> {
    let before = equipment::item(&cx.state.db, &actor, id).await?;
    let r = equipment::write_off(&cx.state.db, &actor, id, &f.reason).await;
    answered(&cx, before.node_id, r, &[("write_off_reason", f.reason)]).await
}

#[derive(Deserialize)]
struct RoomFields {
    node_id: i64,
    standard_id: Option<String>,
    #[serde(default)]
    room_name: String,
    capacity: Option<String>,
    room_note: Option<String>,
}

async fn add_room(cx: Ctx, Form(actor, f): Form<RoomFields>) -> Result<Response> {
    let input = RoomInput {
        node_id: f.node_id,
        standard_id: f.standard_id.as_deref().and_then(|s| s.parse().ok()),
        name: f.room_name.clone(),
        capacity: f.capacity.clone(),
        note: f.room_note.clone(),
    };
    // The room form's fields carry their own names on the page (the item form has `name` too).
    let r = equipment::add_room(&cx.state.db, &actor, &input)
        .await
        .map_err(|e| match e {
            Error::Invalid(fe) => Error::Invalid(fe.renamed(&[
                ("name", "room_name"),
                ("note", "room_note"),
                ("standard_id", "room_standard_id"),
            ])),
            e => e,
        });
    let typed = [
        ("room_name", f.room_name.clone()),
        ("capacity", f.capacity.clone().unwrap_or_default()),
        ("room_note", f.room_note.clone().unwrap_or_default()),
    ];
    answered(&cx, f.node_id, r, &typed).await
}

async fn close_room(
    cx: Ctx,
    Id(id): Id,
    Form(actor, _): Form<crate::web::extract::NoFields>,
) -> Result<Response> {
    let r = crate::venues::room(&cx.state.db, &actor, id).await?;
    let result = equipment::close_room(&cx.state.db, &actor, id).await;
    answered(&cx, r.node_id, result, &[]).await
}

#[derive(Template)]
#[template(path = "equipment/standards.html")]
struct StandardsPage {
    shell: Shell,
    lines: Vec<StandardLine>,
    can_edit: bool,
    form: FormView,
}

impl StandardsPage {
    fn label(&self, key: &str) -> String {
        i18n::t(self.shell.lang, key).to_string()
    }
}

async fn standards_view(cx: &Ctx, form: FormView) -> Result<StandardsPage> {
    Ok(StandardsPage {
        shell: cx.shell(paths::EQUIPMENT),
        lines: equipment::standards(&cx.state.db, &cx.actor).await?,
        can_edit: cx.actor.can(P::EquipmentStandard),
        form,
    })
}

async fn standards_page(cx: Ctx) -> Result<Response> {
    html(&standards_view(&cx, FormView::default()).await?)
}

#[derive(Deserialize)]
struct StandardFields {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    applies_to: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    quantity: String,
    required: Option<String>,
    #[serde(default)]
    basis: String,
}

async fn add_standard(cx: Ctx, Form(actor, f): Form<StandardFields>) -> Result<Response> {
    let input = StandardInput {
        kind: f.kind.clone(),
        applies_to: f.applies_to.clone(),
        name: f.name.clone(),
        unit: f.unit.clone(),
        quantity: f.quantity.clone(),
        required: f.required.as_deref() == Some("1"),
        basis: f.basis.clone(),
    };
    match equipment::add_standard(&cx.state.db, &actor, &input).await {
        Ok(_) => Ok(see_other(&paths::flashed(
            paths::EQUIPMENT_STANDARDS,
            "saved",
        ))),
        Err(Error::Invalid(fe)) => {
            let typed = [
                ("kind", f.kind),
                ("applies_to", f.applies_to),
                ("name", f.name),
                ("unit", f.unit),
                ("quantity", f.quantity),
                ("required", f.required.unwrap_or_default()),
                ("basis", f.basis),
            ];
            let form = FormView::with(&typed).errors(cx.lang, &fe);
            html_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &standards_view(&cx, form).await?,
            )
        }
        Err(e) => Err(e),
    }
}

async fn retire_standard(
    cx: Ctx,
    Id(id): Id,
    Form(actor, _): Form<crate::web::extract::NoFields>,
) -> Result<Response> {
    equipment::retire_standard(&cx.state.db, &actor, id).await?;
    Ok(see_other(&paths::flashed(
        paths::EQUIPMENT_STANDARDS,
        "saved",
    )))
}
