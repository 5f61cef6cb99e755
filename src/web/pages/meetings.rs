//! Meetings' pages: the year's meetings with the count against the plan (the leadership group
//! 1–2 times a year) and the form to record one (attendees ticked among the group's members,
//! agenda, minutes, decisions with who and by when); a meeting with its follow-ups and the scan
//! of the signed minutes.

use std::collections::HashMap;

use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use super::{Ctx, html, html_status, see_other};
use crate::access::{Actor, Permission as P};
use crate::error::{Error, Msg, Result};
use crate::i18n;
use crate::meetings::{self, DecisionInput, Meeting, MeetingInput, MeetingKind, MeetingsYear};
use crate::org::{self, Kind, Member};
use crate::paths;
use crate::web::download;
use crate::web::extract::{
    Form, Id, Query, RawForm, Session, TownYear, Upload, UploadForm, check_csrf,
};
use crate::web::routes::{ATTACHMENT_BODY, Object, Routes, Rule};
use crate::web::views::{FormView, Shell, Ticked};

pub(super) fn router() -> Routes {
    let read = Rule::needs(P::MeetingsRead);
    let write = Rule::needs(P::MeetingsWrite);
    Routes::new()
        .get(paths::MEETINGS, read, year_page)
        .post(paths::MEETINGS, write, record)
        .get(paths::MEETING, read.on(Object::Meeting), show)
        .post(
            paths::MEETING_FOLLOW_UP,
            write.on(Object::Meeting),
            follow_up,
        )
        .upload(
            paths::MEETING_SCAN,
            write.on(Object::Meeting),
            ATTACHMENT_BODY,
            scan,
        )
        .get(paths::MEETING_FILE, read.on(Object::MeetingFile), file)
}

/// A group and its members, for the attendance boxes.
pub(super) struct GroupBoxes {
    pub kind: &'static str,
    pub name: String,
    pub members: Vec<Member>,
}

#[derive(Template)]
#[template(path = "meetings/year.html")]
struct YearPage {
    shell: Shell,
    y: MeetingsYear,
    groups: Vec<GroupBoxes>,
    can_write: bool,
    form: FormView,
    present: Ticked,
    notice: Option<String>,
}

impl YearPage {
    fn kind(&self, k: &MeetingKind) -> String {
        i18n::t(self.shell.lang, &format!("meetings.kind.{k}")).to_string()
    }

    fn present_count(&self, m: &Meeting) -> usize {
        m.attendees.iter().filter(|a| a.present).count()
    }
}

async fn groups(cx: &Ctx, town_id: i64) -> Result<Vec<GroupBoxes>> {
    let db = &cx.state.db;
    let town = org::get_node(db, &cx.actor, town_id).await?;
    let mut out = Vec::new();
    let all = Actor::command_line();
    for n in org::all_of_kind(db, &cx.actor, Kind::Group).await? {
        if !n.path.starts_with(&town.path) {
            continue;
        }
        let which = match n.subtype.as_deref() {
            Some("leadership") => "leadership",
            Some("office") => "office",
            _ => continue,
        };
        out.push(GroupBoxes {
            kind: which,
            name: n.name.clone(),
            members: org::members(db, &all, n.id).await?,
        });
    }
    Ok(out)
}

async fn year_view(cx: &Ctx, q: &TownYear, form: FormView, present: Ticked) -> Result<YearPage> {
    let y = meetings::year(&cx.state.db, &cx.actor, q.town_id, q.page_year()).await?;
    let can_write = cx.actor.can(P::MeetingsWrite);
    let groups = if can_write {
        groups(cx, y.town_id).await?
    } else {
        Vec::new()
    };
    let notice = y
        .leadership_below_plan
        .then(|| i18n::t(cx.lang, "meetings.below_plan").replace("{year}", &y.year.to_string()));
    Ok(YearPage {
        shell: cx.shell(paths::MEETINGS),
        y,
        groups,
        can_write,
        form,
        present,
        notice,
    })
}

async fn year_page(cx: Ctx, Query(q): Query<TownYear>) -> Result<Response> {
    html(&year_view(&cx, &q, FormView::default(), Ticked::default()).await?)
}

#[derive(Deserialize)]
struct RecordFields {}

/// The record form: fields by name, the ticked members as repeated `present`, decisions as
/// `decision_N` / `owner_N` / `due_N`.
async fn record(cx: Ctx, RawForm(actor, _, raw): RawForm<RecordFields>) -> Result<Response> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&raw)
        .map_err(|_| Error::BadRequest(Msg::new("request.bad_form")))?;
    let f: HashMap<&str, &str> = pairs
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let v = |k: &str| f.get(k).map(|s| s.to_string()).unwrap_or_default();
    let present: Vec<String> = pairs
        .iter()
        .filter(|(k, _)| k == "present")
        .map(|(_, v)| v.clone())
        .collect();
    let decisions = (1..=5)
        .map(|i| DecisionInput {
            decision: v(&format!("decision_{i}")),
            owner: v(&format!("owner_{i}")),
            due_on: Some(v(&format!("due_{i}"))),
        })
        .collect();
    let town_id = v("town_id").parse().ok();
    let input = MeetingInput {
        town_id: town_id.unwrap_or(0),
        kind: v("kind"),
        held_on: v("held_on"),
        place: v("place"),
        agenda: v("agenda"),
        minutes: Some(v("minutes")),
        present: present.iter().filter_map(|p| p.parse().ok()).collect(),
        decisions,
    };
    let result = match town_id {
        Some(_) => meetings::record(&cx.state.db, &actor, &input).await,
        None => Err(Error::invalid("town_id", Msg::new("field.choose"))),
    };
    match result {
        Ok(m) => Ok(see_other(&paths::flashed(&paths::meeting(m.id), "saved"))),
        Err(Error::Invalid(fe)) => {
            let form = FormView::from_pairs(&pairs).errors(cx.lang, &fe);
            let q = TownYear {
                year: None,
                town_id,
            };
            html_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &year_view(&cx, &q, form, Ticked(present)).await?,
            )
        }
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "meetings/show.html")]
struct ShowPage {
    shell: Shell,
    m: Meeting,
    kind: String,
    can_write: bool,
    form: FormView,
    error: Option<String>,
}

async fn show_view(cx: &Ctx, id: i64, form: FormView, error: Option<String>) -> Result<ShowPage> {
    let m = meetings::get(&cx.state.db, &cx.actor, id).await?;
    Ok(ShowPage {
        shell: cx.shell(paths::MEETINGS),
        kind: i18n::t(cx.lang, &format!("meetings.kind.{}", m.kind)).to_string(),
        m,
        can_write: cx.actor.can(P::MeetingsWrite),
        form,
        error,
    })
}

async fn show(cx: Ctx, Id(id): Id) -> Result<Response> {
    html(&show_view(&cx, id, FormView::default(), None).await?)
}

#[derive(Deserialize)]
struct FollowUp {
    decision_id: Option<i64>,
    #[serde(default)]
    note: String,
}

async fn follow_up(cx: Ctx, Id(id): Id, Form(actor, f): Form<FollowUp>) -> Result<Response> {
    let r = match f.decision_id {
        Some(d) => meetings::follow_up(&cx.state.db, &actor, id, d, &f.note).await,
        None => Err(Error::invalid("decision_id", Msg::new("field.choose"))),
    };
    match r {
        Ok(_) => Ok(see_other(&paths::flashed(&paths::meeting(id), "saved"))),
        Err(Error::Invalid(fe)) => {
            let form = FormView::with(&[("note", f.note)]).errors(cx.lang, &fe);
            html_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &show_view(&cx, id, form, None).await?,
            )
        }
        Err(Error::Conflict(m)) => {
            let page = show_view(
                &cx,
                id,
                FormView::default(),
                Some(i18n::render(cx.lang, &m)),
            )
            .await?;
            html_status(StatusCode::CONFLICT, &page)
        }
        Err(e) => Err(e),
    }
}

async fn scan(
    cx: Ctx,
    session: axum::Extension<Session>,
    Id(id): Id,
    upload: Upload,
) -> Result<Response> {
    let form: UploadForm = upload.read().await?;
    let result = if form.too_large {
        Err(UploadForm::too_large_error())
    } else {
        check_csrf(&session, &form.text("_csrf"))?;
        let (name, bytes) = form.file.unwrap_or_default();
        meetings::attach_scan(&cx.state.db, &cx.actor, id, &name, bytes).await
    };
    match result {
        Ok(_) => Ok(see_other(&paths::flashed(&paths::meeting(id), "saved"))),
        Err(Error::Invalid(fe)) => {
            let form = FormView::default().errors(cx.lang, &fe);
            html_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &show_view(&cx, id, form, None).await?,
            )
        }
        Err(e) => Err(e),
    }
}

async fn file(cx: Ctx, Id(id): Id) -> Result<Response> {
    let (f, body) = meetings::scan(&cx.state.db, &cx.actor, id).await?;
    Ok(download::stored(body, &f.content_type, &f.file_name))
}
