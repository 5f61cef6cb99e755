//! The review of a plan (审核): which acts an actor may use on an activity, and the moves of its
//! lifecycle through the shared workflow.

use super::*;

/// What someone does to an activity besides its review steps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Act {
    /// Change the plan (a draft or a returned one).
    Edit,
    /// Attach lesson materials (课件/教案).
    AttachMaterial,
    /// Show the check-in code, mark attendance, count heads, upload photos and sign-in scans.
    Attend,
    /// A step of the review lifecycle.
    Step(Transition),
}

impl Act {
    fn permissions(self) -> &'static [Permission] {
        match self {
            Act::Edit | Act::AttachMaterial => &[Permission::ActivitiesPlan],
            Act::Attend => &[Permission::ActivitiesAttend],
            Act::Step(t) => crate::workflow::rule::<Lifecycle>(t).permissions,
        }
    }
}

/// The rule about the activity itself, beyond role and scope: a lead department acts only on the
/// activities it leads (it sees every activity of its town). The one place that decides it; pages,
/// the API and the use-cases all ask [`may`] or [`require`].
pub(super) fn refusal(actor: &Actor, a: &Activity) -> Option<Msg> {
    if actor.role != Role::LeadDepartment || a.lead_department_id == Some(actor.node_id) {
        return None;
    }
    Some(match &a.lead_department_name {
        Some(d) => Msg::new("activities.not_led_by_you").arg("department", d),
        None => Msg::new("activities.led_by_no_department"),
    })
}

/// True when the actor may do `act` to this activity now (role, the activity's own rule and, for a
/// review step or an edit, its state). Pages ask this to show a button.
pub fn may(actor: &Actor, a: &Activity, act: Act) -> bool {
    visible(actor, a)
        && act.permissions().iter().any(|p| actor.can(*p))
        && refusal(actor, a).is_none()
        && match act {
            Act::Edit => a.status().editable(),
            Act::Step(t) => rules::next(a.status(), t).is_some(),
            Act::AttachMaterial | Act::Attend => true,
        }
}

/// Refuses `act` unless the actor's role allows it and the activity's own rule does: 403 with the
/// reason. (The state is each use-case's to check, with its own message.)
pub fn require(actor: &Actor, a: &Activity, act: Act) -> Result<()> {
    if !act.permissions().iter().any(|p| actor.can(*p)) {
        let names: Vec<&str> = act.permissions().iter().map(|p| p.as_str()).collect();
        return Err(Error::Forbidden(
            Msg::new("error.forbidden").arg("permission", names.join(" | ")),
        ));
    }
    match refusal(actor, a) {
        Some(m) => Err(Error::Forbidden(m)),
        None => Ok(()),
    }
}

/// The review steps the actor may take on this activity now, in the order pages offer them.
pub fn steps(actor: &Actor, a: &Activity) -> Vec<&'static Step<Status, Transition>> {
    let own = refusal(actor, a).is_none();
    crate::workflow::available::<Lifecycle>(actor, a.status(), |t| own && t != Transition::Document)
}

/// Moves an activity along its lifecycle. Returning and cancelling need a reason; reviewing needs
/// the town school's role; a submission under 15 days before the activity is accepted and marked
/// late.
pub async fn transition(
    db: &Db,
    actor: &Actor,
    id: i64,
    t: Transition,
    reason: Option<&str>,
) -> Result<Activity> {
    if t == Transition::Document {
        // Documenting needs attendance and evidence: `evidence::document` checks them first.
        return Err(Error::Conflict(Msg::new("evidence.use_document_form")));
    }
    apply_transition(db, actor, id, t, reason).await
}

/// Moves an activity along its lifecycle once the caller has checked what the transition needs
/// (`reason` is the summary when documenting).
pub(crate) async fn apply_transition(
    db: &Db,
    actor: &Actor,
    id: i64,
    t: Transition,
    reason: Option<&str>,
) -> Result<Activity> {
    let a = get(db, actor, id).await?;
    let checked =
        crate::workflow::check::<Lifecycle>(actor, a.status(), t, refusal(actor, &a), reason)?;
    let (from, to) = (checked.from, checked.to);
    let reason = match t {
        // Documenting keeps the centre head's summary, longer than a reason.
        Transition::Document => {
            let mut fe = FieldErrors::default();
            let summary = text::required_multiline(
                &mut fe,
                "summary",
                reason.unwrap_or(""),
                crate::text::max::DESCRIPTION,
            );
            fe.into_result()?;
            Some(summary)
        }
        _ => checked.reason,
    };
    let now = Utc::now();
    // A submission is judged now; every later step keeps (and audits) the plan's mark.
    let late = if t == Transition::Submit {
        rules::is_late(now, a.starts_at)
    } else {
        a.late
    };
    let mut tx = db.begin().await?;
    // The status is checked again in the update: a concurrent transition makes this one fail
    // cleanly, naming the status the other one left.
    if store::set_status(&mut tx, id, from, to, t, reason.as_deref(), late, now).await? == 0 {
        let now = store::status_now(&mut tx, id).await?;
        return Err(crate::workflow::changed_meanwhile::<Lifecycle>(
            now.as_deref().and_then(Status::parse),
        ));
    }
    if to == Status::Cancelled {
        // Its check-ins no longer count.
        let mut touched = crate::rollups::Touched::default();
        touched.activity_with_everyone(&mut tx, id).await?;
        crate::rollups::refresh(&mut tx, &touched).await?;
    }
    audit::record(
        &mut tx,
        actor,
        Entry::of(t.action(), "activity", Some(id), &a.owner_path)
            .before(json!({"status": from.as_str()}))
            .after(json!({"status": to.as_str(), "reason": reason, "late": late})),
    )
    .await?;
    tx.commit().await?;
    get(db, actor, id).await
}
