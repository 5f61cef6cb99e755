//! Answering a survey: the form a resident's phone opens from the link or QR code (no account), the
//! answer it sends — inside the period, not too many from one address, one a person for a named
//! survey — and the paper questionnaires staff enter afterwards.

use std::collections::BTreeMap;

use chrono::{NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::rules::{self, Asked, Source};
use super::{Question, SURVEY, Survey, store};
use crate::access::{Actor, Permission};
use crate::audit::{self, Entry};
use crate::calendar::Day;
use crate::db::Db;
use crate::error::{Error, FieldErrors, Msg, Result};
use crate::org::{self, Kind, Node};
use crate::people;
use crate::text;

/// What a resident's phone shows: the survey's questions and where the answer is counted.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct AnswerForm {
    pub title: String,
    pub intro: Option<String>,
    pub owner_name: String,
    pub closes_on: NaiveDate,
    pub named: bool,
    pub place_id: i64,
    pub place_name: String,
    pub questions: Vec<Question>,
}

/// One question's answer as an API client sends it.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct GivenAnswer {
    pub question_id: i64,
    /// The chosen options' ids (single or multiple choice).
    #[serde(default)]
    pub choices: Vec<i64>,
    /// 1–5 (a scale question).
    #[serde(default)]
    pub scale: Option<i32>,
    /// A free-text answer.
    #[serde(default)]
    pub text: Option<String>,
}

/// An answer sheet: where it was collected, the phone number of a named survey, and per question
/// the values given.
#[derive(Clone, Debug, Default)]
pub struct AnswerInput {
    pub place_id: Option<i64>,
    pub phone: Option<String>,
    pub answers: BTreeMap<i64, Vec<String>>,
}

impl AnswerInput {
    /// From a form's fields: `q_{id}` (repeated for a multiple choice), `phone`, `place_id`.
    pub fn from_pairs(pairs: &[(String, String)]) -> AnswerInput {
        let mut input = AnswerInput::default();
        for (k, v) in pairs {
            if let Some(id) = k.strip_prefix("q_").and_then(|id| id.parse().ok()) {
                input.answers.entry(id).or_default().push(v.clone());
            } else if k == "phone" {
                input.phone = Some(v.clone());
            } else if k == "place_id" {
                input.place_id = v.trim().parse().ok();
            }
        }
        input
    }

    /// From an API client's answers.
    pub fn from_given(place_id: Option<i64>, phone: Option<String>, given: &[GivenAnswer]) -> Self {
        let mut answers: BTreeMap<i64, Vec<String>> = BTreeMap::new();
        for g in given {
            let values = answers.entry(g.question_id).or_default();
            values.extend(g.choices.iter().map(i64::to_string));
            values.extend(g.scale.map(|s| s.to_string()));
            values.extend(g.text.clone());
        }
        AnswerInput {
            place_id,
            phone,
            answers,
        }
    }
}

/// A paper questionnaire entered by staff: the day it was filled in and the answers.
#[derive(Clone, Debug, Default)]
pub struct PaperInput {
    /// YYYY-MM-DD, inside the survey's period and not after today.
    pub answered_on: String,
    pub sheet: AnswerInput,
}

/// The place a response is counted at: the one asked for when it lies in the survey's audience,
/// else the survey's owner.
async fn place_of(db: &Db, s: &Survey, place_id: Option<i64>) -> Result<Node> {
    if let Some(id) = place_id
        && let Some(n) = org::get_node_unscoped(db, id).await?
        && n.path.starts_with(&s.owner_path)
        && n.retired_at.is_none()
        && matches!(
            n.kind(),
            Kind::District | Kind::Town | Kind::Community | Kind::Centre
        )
    {
        return Ok(n);
    }
    org::get_node_unscoped(db, s.owner_id)
        .await?
        .ok_or(Error::NotFound)
}

/// The phone form of a survey's link, for anyone: 404 for an unknown code, the reason when it is
/// outside its period (409).
pub async fn open_form(db: &Db, code: &str, place_id: Option<i64>) -> Result<AnswerForm> {
    let s = store::by_code(db, code).await?.ok_or(Error::NotFound)?;
    if let Some(m) = s.refusal_today() {
        return Err(Error::Conflict(m));
    }
    let place = place_of(db, &s, place_id).await?;
    Ok(AnswerForm {
        title: s.title,
        intro: s.intro,
        owner_name: s.owner_name,
        closes_on: s.closes_on,
        named: s.named,
        place_id: place.id,
        place_name: place.name,
        questions: s.questions,
    })
}

/// Checks the answers against the survey's questions.
fn checked(
    s: &Survey,
    input: &AnswerInput,
) -> std::result::Result<Vec<rules::AnswerRow>, FieldErrors> {
    let options: Vec<Vec<(i64, bool)>> = s
        .questions
        .iter()
        .map(|q| q.options.iter().map(|o| (o.id, o.counts)).collect())
        .collect();
    let asked: Vec<Asked<'_>> = s
        .questions
        .iter()
        .zip(&options)
        .map(|(q, o)| Asked {
            id: q.id,
            kind: q.kind,
            required: q.required,
            measure: q.measure,
            options: o,
        })
        .collect();
    rules::check_answers(&asked, &input.answers)
}

/// Who answers a named survey: the key their number is known by in this survey, the resident it
/// belongs to in the place's town (if registered), the number masked.
struct Respondent {
    key: String,
    resident_id: Option<i64>,
    masked: String,
}

async fn respondent(
    db: &Db,
    s: &Survey,
    place: &Node,
    phone: Option<&str>,
    fe: &mut FieldErrors,
) -> Result<Option<Respondent>> {
    if !s.named {
        return Ok(None);
    }
    let phone = match people::rules::parse_phone(phone.unwrap_or_default()) {
        Ok(p) => p,
        Err(m) => {
            fe.add("phone", m);
            return Ok(None);
        }
    };
    let town = org::rules::ancestor_id(&place.path, org::rules::TOWN_LEVEL);
    let resident_id = match town {
        Some(t) => people::id_by_phone(db, t, &phone).await?,
        None => None,
    };
    Ok(Some(Respondent {
        key: text::mac(&s.secret, &format!("phone|{phone}")),
        resident_id,
        masked: people::rules::mask_phone(&phone),
    }))
}

/// Stores a checked response; a named survey's second answer from one person is refused.
async fn store_response(
    db: &Db,
    new: store::NewResponse<'_>,
    rows: &[rules::AnswerRow],
    audit_entry: Option<(&Actor, &str)>,
) -> Result<i64> {
    let mut tx = db.begin().await?;
    let id = store::insert_response(&mut tx, &new, rows, Utc::now())
        .await?
        .ok_or_else(|| Error::Conflict(Msg::new("surveys.answered_already")))?;
    if let Some((actor, owner_path)) = audit_entry {
        let after = json!({"response_id": id, "place": new.place.1, "answered_on": new.answered_on,
            "answers": rows.len()});
        audit::record(
            &mut tx,
            actor,
            Entry::of(
                "surveys.paper_entered",
                SURVEY,
                Some(new.survey_id),
                owner_path,
            )
            .after(after),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(id)
}

/// A resident's answer from the phone form: refused outside the period (409), throttled when one
/// address has sent too many in a while (429), checked question by question (422), once a person
/// for a named survey (409). The address is kept only as a key for the throttle.
pub async fn answer(db: &Db, code: &str, input: &AnswerInput, ip: Option<&str>) -> Result<i64> {
    let s = store::by_code(db, code).await?.ok_or(Error::NotFound)?;
    if let Some(m) = s.refusal_today() {
        return Err(Error::Conflict(m));
    }
    let address_key = ip.map(|ip| text::mac(&s.secret, &format!("address|{ip}")));
    if let Some(key) = &address_key {
        let since = Utc::now() - rules::THROTTLE_WINDOW;
        if store::answers_from(db, s.id, key, since).await? >= rules::THROTTLE_ANSWERS {
            let minutes = rules::THROTTLE_WINDOW.as_secs() / 60;
            return Err(Error::Throttled(
                Msg::new("surveys.throttled").arg("minutes", minutes),
            ));
        }
    }
    let place = place_of(db, &s, input.place_id).await?;
    let mut fe = FieldErrors::default();
    let who = respondent(db, &s, &place, input.phone.as_deref(), &mut fe).await?;
    let rows = match checked(&s, input) {
        Ok(rows) if fe.is_empty() => rows,
        Ok(_) => return Err(Error::Invalid(fe)),
        Err(more) => {
            fe.0.extend(more.0);
            return Err(Error::Invalid(fe));
        }
    };
    let new = store::NewResponse {
        survey_id: s.id,
        place: (place.id, &place.path),
        source: Source::Phone,
        respondent_key: who.as_ref().map(|w| w.key.as_str()),
        resident_id: who.as_ref().and_then(|w| w.resident_id),
        phone_masked: who.as_ref().map(|w| w.masked.as_str()),
        address_key: address_key.as_deref(),
        answered_on: Day::today().0,
        entered_by: None,
    };
    store_response(db, new, &rows, None).await
}

/// Enters a paper questionnaire (staff with `surveys:write` who read the survey), counted at a
/// place inside both the survey's audience and the actor's scope, dated inside the period and not
/// after today. Audited.
pub async fn enter_paper(
    db: &Db,
    actor: &Actor,
    survey_id: i64,
    input: &PaperInput,
) -> Result<i64> {
    actor.require(Permission::SurveysWrite)?;
    let s = super::get(db, actor, survey_id).await?;
    if !super::may_enter_paper(actor, &s) {
        return Err(Error::Forbidden(Msg::new("surveys.not_yours")));
    }
    let mut fe = FieldErrors::default();
    let default_place = if actor.sees(&s.owner_path) {
        s.owner_id
    } else {
        actor.scope_node_id
    };
    let place = place_of(db, &s, Some(input.sheet.place_id.unwrap_or(default_place))).await?;
    if !actor.sees(&place.path) {
        fe.add("place_id", Msg::new("field.choose"));
    }
    let day = match Day::parse(input.answered_on.trim()) {
        Some(d) if d > Day::today() => {
            fe.add("answered_on", Msg::new("surveys.paper_in_future"));
            None
        }
        Some(d) if d.0 < s.opens_on || d.0 > s.closes_on => {
            let m = Msg::new("surveys.paper_outside_period")
                .arg("from", s.opens_on)
                .arg("to", s.closes_on);
            fe.add("answered_on", m);
            None
        }
        Some(d) => Some(d),
        None => {
            fe.add("answered_on", Msg::new("field.date_format"));
            None
        }
    };
    let who = respondent(db, &s, &place, input.sheet.phone.as_deref(), &mut fe).await?;
    let rows = match checked(&s, &input.sheet) {
        Ok(rows) => rows,
        Err(more) => {
            fe.0.extend(more.0);
            Vec::new()
        }
    };
    let (Some(day), true) = (day, fe.is_empty()) else {
        return Err(Error::Invalid(fe));
    };
    let new = store::NewResponse {
        survey_id: s.id,
        place: (place.id, &place.path),
        source: Source::Paper,
        respondent_key: who.as_ref().map(|w| w.key.as_str()),
        resident_id: who.as_ref().and_then(|w| w.resident_id),
        phone_masked: who.as_ref().map(|w| w.masked.as_str()),
        address_key: None,
        answered_on: day.0,
        entered_by: actor.user_id,
    };
    store_response(db, new, &rows, Some((actor, &s.owner_path))).await
}
