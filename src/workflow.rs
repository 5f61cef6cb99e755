//! Review workflows (审核流程), one piece for every concept that has them: activities today; awards,
//! news, rectifications and budget changes next. A concept declares its steps once in a table —
//! from which states, to which state, the permissions that allow it, whether a reason is required,
//! and the audit action — and every place that must know asks this module: the use-case before it
//! changes anything ([`check`]), the page for its buttons and the API for its list of actions
//! ([`available`]), both parsing a step by its stable name ([`parse`]). A rule about the record
//! itself (a lead department acts only on the activities it leads) is the concept's, passed in as a
//! predicate so it is asked in the same place. The update itself is a compare-and-set in the
//! concept's store; [`changed_meanwhile`] words its failure with the state the record is in now.

use crate::access::{Actor, Permission};
use crate::error::{Error, FieldErrors, Msg, Result};
use crate::text;

/// One step of a workflow.
#[derive(Debug)]
pub struct Step<S: 'static, T> {
    /// The step's value in the concept.
    pub step: T,
    /// Its stable name in forms and the API (`submit`, `approve`).
    pub name: &'static str,
    /// The states it may be taken from.
    pub from: &'static [S],
    /// The state it leads to.
    pub to: S,
    /// Any one of these permissions allows it.
    pub permissions: &'static [Permission],
    /// The form field of a required reason (returning, cancelling), if one is required.
    pub reason: Option<&'static str>,
    /// The audit action (`activities.approved`).
    pub action: &'static str,
}

/// A concept's workflow: its states, its steps and their table.
pub trait Workflow {
    /// Where a record stands.
    type State: Copy + PartialEq + std::fmt::Debug + 'static;
    /// What someone does to it.
    type Step: Copy + PartialEq + std::fmt::Debug + 'static;
    /// Every step, in the order pages offer them.
    const STEPS: &'static [Step<Self::State, Self::Step>];
    /// The locale key naming a state to people (`activities.status.draft`).
    fn state_label(s: Self::State) -> String;
    /// The message when a step does not apply to the state (names the current state).
    const REFUSED: &'static str;
    /// The message when the record changed between reading and writing.
    const CHANGED: &'static str;
}

/// The table entry of a step.
pub fn rule<W: Workflow>(step: W::Step) -> &'static Step<W::State, W::Step> {
    W::STEPS
        .iter()
        .find(|r| r.step == step)
        .unwrap_or_else(|| unreachable!("every step of a workflow is in its table"))
}

/// A step by its stable name.
pub fn parse<W: Workflow>(name: &str) -> Option<W::Step> {
    W::STEPS.iter().find(|r| r.name == name).map(|r| r.step)
}

/// The state a step leads to from `from`, or `None` when it does not apply there.
pub fn next<W: Workflow>(from: W::State, step: W::Step) -> Option<W::State> {
    let r = rule::<W>(step);
    r.from.contains(&from).then_some(r.to)
}

/// True when the actor's role allows the step at all.
pub fn permitted<W: Workflow>(actor: &Actor, step: W::Step) -> bool {
    rule::<W>(step).permissions.iter().any(|p| actor.can(*p))
}

/// The steps this actor may take on a record in `state` now, in table order. `on_record` is the
/// concept's own rule about this record and actor.
pub fn available<W: Workflow>(
    actor: &Actor,
    state: W::State,
    on_record: impl Fn(W::Step) -> bool,
) -> Vec<&'static Step<W::State, W::Step>> {
    W::STEPS
        .iter()
        .filter(|r| r.from.contains(&state) && permitted::<W>(actor, r.step) && on_record(r.step))
        .collect()
}

/// What a checked step will do.
#[derive(Debug, PartialEq)]
pub struct Checked<S> {
    pub from: S,
    pub to: S,
    /// The reason given, trimmed, when the step requires one.
    pub reason: Option<String>,
}

/// Checks a step before anything is written: 403 when the role does not allow it or the concept's
/// rule about the record refuses (`refusal`, shown as is), 409 naming the current state when the
/// step does not apply to it, 422 on the reason field when a required reason is missing.
pub fn check<W: Workflow>(
    actor: &Actor,
    state: W::State,
    step: W::Step,
    refusal: Option<Msg>,
    reason: Option<&str>,
) -> Result<Checked<W::State>> {
    let r = rule::<W>(step);
    if !permitted::<W>(actor, step) {
        let names: Vec<&str> = r.permissions.iter().map(|p| p.as_str()).collect();
        return Err(Error::Forbidden(
            Msg::new("error.forbidden").arg("permission", names.join(" | ")),
        ));
    }
    if let Some(m) = refusal {
        return Err(Error::Forbidden(m));
    }
    let Some(to) = next::<W>(state, step) else {
        return Err(Error::Conflict(
            Msg::new(W::REFUSED).arg("status", W::state_label(state)),
        ));
    };
    let reason = match r.reason {
        Some(field) => {
            let mut fe = FieldErrors::default();
            let given = text::required(
                &mut fe,
                field,
                reason.unwrap_or(""),
                crate::text::max::REASON,
            );
            fe.into_result()?;
            Some(given)
        }
        None => None,
    };
    Ok(Checked {
        from: state,
        to,
        reason,
    })
}

/// The refusal when a compare-and-set found the record no longer in the state it was read in: it
/// names the state the record is in now, so the clerk knows what happened.
pub fn changed_meanwhile<W: Workflow>(now: Option<W::State>) -> Error {
    match now {
        Some(s) => Error::Conflict(Msg::new(W::CHANGED).arg("status", W::state_label(s))),
        None => Error::NotFound,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::Role;

    #[derive(Clone, Copy, Debug, PartialEq)]
    enum Light {
        Open,
        Answered,
        Closed,
    }

    #[derive(Clone, Copy, Debug, PartialEq)]
    enum Act {
        Answer,
        Close,
        Reopen,
    }

    struct Rectification;

    impl Workflow for Rectification {
        type State = Light;
        type Step = Act;
        const STEPS: &'static [Step<Light, Act>] = &[
            Step {
                step: Act::Answer,
                name: "answer",
                from: &[Light::Open],
                to: Light::Answered,
                permissions: &[Permission::ActivitiesAttend],
                reason: Some("answer"),
                action: "rectification.answered",
            },
            Step {
                step: Act::Close,
                name: "close",
                from: &[Light::Answered],
                to: Light::Closed,
                permissions: &[Permission::ActivitiesReview],
                reason: None,
                action: "rectification.closed",
            },
            Step {
                step: Act::Reopen,
                name: "reopen",
                from: &[Light::Answered, Light::Closed],
                to: Light::Open,
                permissions: &[Permission::ActivitiesReview],
                reason: Some("reason"),
                action: "rectification.reopened",
            },
        ];
        const REFUSED: &'static str = "activities.transition_refused";
        const CHANGED: &'static str = "activities.changed_meanwhile";
        fn state_label(s: Light) -> String {
            format!("{s:?}")
        }
    }

    fn actor(role: Role) -> Actor {
        Actor {
            role,
            ..Actor::command_line()
        }
    }

    #[test]
    fn available_steps_follow_the_state_the_role_and_the_records_own_rule() {
        let office = actor(Role::TownOffice);
        let names = |v: Vec<&Step<Light, Act>>| v.iter().map(|r| r.name).collect::<Vec<_>>();
        assert_eq!(
            names(available::<Rectification>(&office, Light::Answered, |_| {
                true
            })),
            ["close", "reopen"]
        );
        assert_eq!(
            names(available::<Rectification>(&office, Light::Answered, |s| s != Act::Close)),
            ["reopen"]
        );
        let head = actor(Role::CentreHead);
        assert_eq!(
            names(available::<Rectification>(&head, Light::Open, |_| true)),
            ["answer"]
        );
        assert!(available::<Rectification>(&head, Light::Answered, |_| true).is_empty());
        assert_eq!(parse::<Rectification>("reopen"), Some(Act::Reopen));
        assert_eq!(parse::<Rectification>("approve"), None);
    }

    #[test]
    fn a_step_is_refused_for_the_role_the_record_the_state_or_a_missing_reason() {
        let head = actor(Role::CentreHead);
        let office = actor(Role::TownOffice);
        assert!(matches!(
            check::<Rectification>(&head, Light::Answered, Act::Close, None, None),
            Err(Error::Forbidden(_))
        ));
        let refusal = Msg::new("activities.not_led_by_you");
        assert!(matches!(
            check::<Rectification>(&office, Light::Answered, Act::Close, Some(refusal), None),
            Err(Error::Forbidden(m)) if m.key == "activities.not_led_by_you"
        ));
        assert!(matches!(
            check::<Rectification>(&office, Light::Open, Act::Close, None, None),
            Err(Error::Conflict(m)) if m.args == vec![("status", "Open".to_string())]
        ));
        assert!(matches!(
            check::<Rectification>(&office, Light::Closed, Act::Reopen, None, Some("  ")),
            Err(Error::Invalid(fe)) if fe.get("reason").is_some()
        ));
        assert_eq!(
            check::<Rectification>(
                &office,
                Light::Closed,
                Act::Reopen,
                None,
                Some(" 照片不清 ")
            )
            .unwrap(),
            Checked {
                from: Light::Closed,
                to: Light::Open,
                reason: Some("照片不清".into())
            }
        );
        assert!(matches!(
            changed_meanwhile::<Rectification>(Some(Light::Closed)),
            Error::Conflict(m) if m.args == vec![("status", "Closed".to_string())]
        ));
    }
}
