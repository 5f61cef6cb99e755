//! An activity's page: its plan, the review buttons the actor may use, enrolments; the review
//! moves and enrolment posted from it.

use super::*;
use crate::paths;

/// A review action offered on an activity's page.
pub struct ActionButton {
    pub action: &'static str,
    pub label: String,
    pub needs_reason: bool,
    /// The label of its reason field (退回原因, 取消原因).
    pub reason_label: String,
    /// What was wrong with the reason typed, shown at the field.
    pub reason_error: Option<String>,
    /// The reason as typed (kept when it is refused).
    pub reason_typed: String,
}

#[derive(Template)]
#[template(path = "activities/show.html")]
pub(super) struct ShowPage {
    shell: Shell,
    a: ActivityRow,
    act: Activity,
    teachers: String,
    format: String,
    target: String,
    special: String,
    actions: Vec<ActionButton>,
    can_edit: bool,
    error: Option<String>,
    /// Enrolled and waiting residents (None when the user may not see them).
    enrolments: Option<Vec<EnrolmentRow>>,
    can_enrol: bool,
    enrolled: usize,
    form: FormView,
    /// Attendance and evidence exist from publication on.
    show_attendance: bool,
}

/// A line of the enrolment list.
pub struct EnrolmentRow {
    pub id: i64,
    pub resident_id: i64,
    pub name: String,
    pub phone: String,
    pub waiting: bool,
}

pub(super) async fn show_page(state: &AppState, cx: &Ctx, id: i64) -> Result<ShowPage> {
    let (actor, lang) = (&cx.actor, cx.lang);
    let a = activities::get(&state.db, actor, id).await?;
    let teachers = activities::teachers(&state.db, actor, id)
        .await?
        .into_iter()
        .map(|(_, n)| n)
        .collect::<Vec<_>>()
        .join("、");
    let status = a.status();
    let actions = activities::steps(actor, &a)
        .into_iter()
        .map(|step| ActionButton {
            action: step.name,
            label: i18n::t(lang, &format!("activities.action.{}", step.name)).to_string(),
            needs_reason: step.reason.is_some(),
            reason_label: i18n::t(lang, &format!("activities.reason_for.{}", step.name))
                .to_string(),
            reason_error: None,
            reason_typed: String::new(),
        })
        .collect();
    let enrolments = if actor.can(Permission::PeopleRead) {
        Some(
            attendance::list(&state.db, actor, id)
                .await?
                .into_iter()
                .map(|e| EnrolmentRow {
                    id: e.id,
                    resident_id: e.resident_id,
                    name: e.resident_name,
                    phone: e.phone.unwrap_or_default(),
                    waiting: e.status == crate::attendance::EnrolmentStatus::Waiting,
                })
                .collect::<Vec<_>>(),
        )
    } else {
        None
    };
    Ok(ShowPage {
        enrolled: enrolments
            .as_ref()
            .map(|l| l.iter().filter(|e| !e.waiting).count())
            .unwrap_or(0),
        can_enrol: actor.can(Permission::PeopleWrite) && status == Status::Published,
        // Lesson materials attach from the draft on; attendance and evidence from publication.
        show_attendance: status != Status::Cancelled,
        enrolments,
        form: FormView::default(),
        shell: cx.shell(paths::ACTIVITIES),
        a: row(lang, &a),
        teachers,
        format: a.format_name.clone().unwrap_or_default(),
        target: a.target_group_name.clone().unwrap_or_default(),
        special: a
            .special_event
            .as_deref()
            .map(|s| i18n::t(lang, &format!("activities.special.{s}")).to_string())
            .unwrap_or_default(),
        actions,
        can_edit: activities::may(actor, &a, Act::Edit),
        error: None,
        act: a,
    })
}

pub(super) async fn show(State(state): State<AppState>, cx: Ctx, Id(id): Id) -> Result<Response> {
    html(&show_page(&state, &cx, id).await?)
}

#[derive(Deserialize)]
pub(super) struct TransitionForm {
    #[serde(default)]
    action: String,
    reason: Option<String>,
}

pub(super) async fn transition(
    cx: Ctx,
    Id(id): Id,
    Form(actor, f): Form<TransitionForm>,
) -> Result<Response> {
    let state = &cx.state;
    let lang = cx.lang;
    let t = crate::workflow::parse::<Lifecycle>(&f.action)
        .ok_or_else(|| Error::invalid("action", crate::error::Msg::new("field.choose")));
    let done = match t {
        Ok(t) => activities::transition(&state.db, &actor, id, t, f.reason.as_deref()).await,
        Err(e) => Err(e),
    };
    match done {
        // Say what happened (已报送审核, 已审核通过, 已退回 …), not just that something was saved.
        Ok(a) => Ok(see_other(&paths::flashed(
            &paths::activity(id),
            &format!("activity_{}", a.status.as_str()),
        ))),
        Err(Error::Conflict(m)) => {
            let mut page = show_page(state, &cx, id).await?;
            page.error = Some(i18n::render(lang, &m));
            html_status(StatusCode::CONFLICT, &page)
        }
        Err(Error::Invalid(fe)) => {
            let mut page = show_page(state, &cx, id).await?;
            // A missing or too long reason is shown at the reason field of the step asked for.
            let message = fe.0.first().map(|(_, m)| i18n::render(lang, m));
            match page
                .actions
                .iter_mut()
                .find(|b| b.action == f.action && b.needs_reason)
            {
                Some(b) => {
                    b.reason_error = message;
                    b.reason_typed = f.reason.clone().unwrap_or_default();
                }
                None => page.error = message,
            }
            html_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(e) => Err(e),
    }
}

#[derive(Deserialize)]
pub(super) struct EnrolForm {
    #[serde(default)]
    phone: String,
}

pub(super) async fn enrol(
    cx: Ctx,
    Id(id): Id,
    Form(actor, f): Form<EnrolForm>,
) -> Result<Response> {
    let state = &cx.state;
    let lang = cx.lang;
    match attendance::enrol_by_phone(&state.db, &actor, id, &f.phone).await {
        Ok(e) => Ok(see_other(&paths::flashed(
            &paths::activity(id),
            if e.status == crate::attendance::EnrolmentStatus::Waiting {
                "waiting"
            } else {
                "enrolled"
            },
        ))),
        Err(Error::Invalid(fe)) => {
            let mut page = show_page(state, &cx, id).await?;
            page.form = FormView::with(&[("phone", f.phone)]).errors(lang, &fe);
            html_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(Error::Conflict(m)) => {
            let mut page = show_page(state, &cx, id).await?;
            page.error = Some(i18n::render(lang, &m));
            html_status(StatusCode::CONFLICT, &page)
        }
        Err(e) => Err(e),
    }
}

#[derive(Deserialize)]
pub(super) struct CancelForm {
    #[serde(default)]
    activity_id: String,
}

pub(super) async fn cancel_enrolment(
    State(state): State<AppState>,
    Id(id): Id,
    Form(actor, f): Form<CancelForm>,
) -> Result<Response> {
    attendance::cancel(&state.db, &actor, id).await?;
    let activity = f.activity_id.trim().parse::<i64>().unwrap_or(0);
    Ok(see_other(&paths::flashed(
        &paths::activity(activity),
        "saved",
    )))
}
