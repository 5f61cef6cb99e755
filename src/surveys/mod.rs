//! Surveys (问卷, Q二(三)): a district, town or centre asks its residents questions (single or
//! multiple choice, a 1–5 scale, free text) in an open period; residents answer on their phone from
//! a link or a printed QR code without an account (anonymous, or named by their phone number with
//! one answer a person), staff enter paper questionnaires afterwards. Questions marked as measuring
//! awareness, approval or satisfaction feed the KPIs; the district's template carries the three.
//!
//! Who sees what: a survey is read by those who see its owner, and by those below it whose
//! residents it asks (a town office reads the district's survey); everyone reads only the answers
//! collected inside their own scope — a centre head its own centre's, a town never another's.
//! `surveys:write` creates a survey for a node the actor sees and enters paper answers there.

pub mod answering;
pub mod results;
pub mod rules;
mod store;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

pub use answering::{AnswerForm, AnswerInput, PaperInput, answer, enter_paper, open_form};
pub use results::{
    MeasureCounts, OptionCount, QuestionResult, SurveyResults, measured_by_place, results,
};
pub use rules::{ChoiceInput, QuestionInput, QuestionKind, Source, SurveyInput, SurveyMeasure};

use crate::access::{Actor, Permission};
use crate::audit::{self, Entry};
use crate::calendar::Day;
use crate::db::Db;
use crate::error::{Error, FieldErrors, Msg, Result};
use crate::org::{self, Kind, Node};
use crate::text;

/// The subject type of a survey in the audit log.
pub const SURVEY: &str = "survey";

/// An option of a choice question.
#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Choice {
    pub id: i64,
    #[serde(skip)]
    pub question_id: i64,
    pub label: String,
    /// Choosing it counts as knowing / approving / satisfied (a measured question).
    pub counts: bool,
}

/// A question of a survey (schema name `SurveyQuestion`).
pub type Question = SurveyQuestion;

/// A question of a survey.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct SurveyQuestion {
    pub id: i64,
    pub position: i32,
    pub kind: QuestionKind,
    pub prompt: String,
    pub required: bool,
    pub measure: Option<SurveyMeasure>,
    pub options: Vec<Choice>,
}

/// A survey with its questions.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Survey {
    pub id: i64,
    pub owner_id: i64,
    pub owner_name: String,
    #[serde(skip)]
    pub owner_path: String,
    pub title: String,
    pub intro: Option<String>,
    pub opens_on: NaiveDate,
    pub closes_on: NaiveDate,
    /// Asks for the phone number, one answer a person.
    pub named: bool,
    /// The key of the public link `/s/{code}`.
    pub code: String,
    #[serde(skip)]
    pub secret: String,
    pub created_at: DateTime<Utc>,
    pub questions: Vec<Question>,
}

impl Survey {
    /// Why it takes no answer today, if it does not.
    pub fn refusal_today(&self) -> Option<Msg> {
        rules::period_refusal(self.opens_on, self.closes_on, Day::today())
    }

    /// Takes answers today.
    pub fn is_open(&self) -> bool {
        self.refusal_today().is_none()
    }
}

/// A survey as a list shows it, with the answers collected inside the reader's scope.
#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct SurveyLine {
    pub id: i64,
    pub owner_name: String,
    pub title: String,
    pub opens_on: NaiveDate,
    pub closes_on: NaiveDate,
    pub named: bool,
    pub responses: i64,
}

/// A survey's title, intro and period changed (the questions stay as answered).
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct PeriodInput {
    pub title: String,
    #[serde(default)]
    pub intro: Option<String>,
    /// YYYY-MM-DD
    pub opens_on: String,
    /// YYYY-MM-DD
    pub closes_on: String,
}

/// True when the actor reads a survey owned at this path: its owner is in the actor's scope, or
/// the actor's scope lies under the owner (its residents are asked).
pub fn sees(actor: &Actor, owner_path: &str) -> bool {
    actor.can(Permission::SurveysRead)
        && (actor.sees(owner_path) || actor.scope_path.starts_with(owner_path))
}

/// True when the actor may change the survey and enter its paper answers for the whole audience.
pub fn may_manage(actor: &Actor, s: &Survey) -> bool {
    actor.can(Permission::SurveysWrite) && actor.sees(&s.owner_path)
}

/// True when the actor may enter paper questionnaires of the survey (at places in their scope).
pub fn may_enter_paper(actor: &Actor, s: &Survey) -> bool {
    actor.can(Permission::SurveysWrite) && sees(actor, &s.owner_path)
}

/// The kinds of node that run a survey.
const OWNER_KINDS: [Kind; 4] = [Kind::District, Kind::Town, Kind::Community, Kind::Centre];

/// Creates a survey (from the district's template or the questions given) for a node the actor
/// sees.
pub async fn create(db: &Db, actor: &Actor, input: &SurveyInput) -> Result<Survey> {
    actor.require(Permission::SurveysWrite)?;
    let owner = owner_node(db, actor, input.owner_id).await?;
    let draft = rules::check_definition(input).map_err(Error::Invalid)?;
    let code = text::new_secret()[..20].to_string();
    let now = Utc::now();
    let mut tx = db.begin().await?;
    let id = store::insert(&mut tx, &owner, &draft, &code, actor.user_id, now).await?;
    let h = &draft.heading;
    let after = json!({"title": h.title, "owner": owner.name, "opens_on": h.opens_on,
        "closes_on": h.closes_on, "named": draft.named, "questions": draft.questions.len()});
    audit::record(
        &mut tx,
        actor,
        Entry::of("surveys.created", SURVEY, Some(id), &owner.path).after(after),
    )
    .await?;
    tx.commit().await?;
    get(db, actor, id).await
}

async fn owner_node(db: &Db, actor: &Actor, id: i64) -> Result<Node> {
    let owner = org::get_node_unscoped(db, id)
        .await?
        .filter(|n| n.retired_at.is_none() && actor.sees(&n.path))
        .ok_or_else(|| Error::invalid("owner_id", Msg::new("field.choose")))?;
    if !OWNER_KINDS.contains(&owner.kind()) {
        return Err(Error::invalid("owner_id", Msg::new("surveys.owner_kind")));
    }
    Ok(owner)
}

/// One survey with its questions, for whoever reads it.
pub async fn get(db: &Db, actor: &Actor, id: i64) -> Result<Survey> {
    actor.require(Permission::SurveysRead)?;
    let s = store::survey(db, id).await?.ok_or(Error::NotFound)?;
    if !sees(actor, &s.owner_path) {
        return Err(Error::NotFound);
    }
    Ok(s)
}

/// 404 unless the actor reads the survey; 403 for a change the actor may not make to it.
pub async fn require_survey(db: &Db, actor: &Actor, id: i64, write: bool) -> Result<()> {
    let s = get(db, actor, id).await?;
    if write && !may_enter_paper(actor, &s) {
        return Err(Error::Forbidden(Msg::new("surveys.not_yours")));
    }
    Ok(())
}

/// The surveys the actor reads, newest first, with the answers collected inside their scope.
pub async fn list(db: &Db, actor: &Actor) -> Result<Vec<SurveyLine>> {
    actor.require(Permission::SurveysRead)?;
    store::lines(db, &actor.scope_path).await
}

/// Changes a survey's title, intro and period (extend it, close it early): the questions stay.
pub async fn edit(db: &Db, actor: &Actor, id: i64, input: &PeriodInput) -> Result<Survey> {
    let s = get(db, actor, id).await?;
    if !may_manage(actor, &s) {
        return Err(Error::Forbidden(Msg::new("surveys.not_yours")));
    }
    let mut fe = FieldErrors::default();
    let h = rules::check_heading(
        &mut fe,
        &input.title,
        input.intro.as_deref(),
        &input.opens_on,
        &input.closes_on,
    );
    let Some(d) = h else {
        return Err(Error::Invalid(fe));
    };
    let mut tx = db.begin().await?;
    store::update_period(&mut tx, id, &d).await?;
    let before = json!({"title": s.title, "opens_on": s.opens_on, "closes_on": s.closes_on});
    let after = json!({"title": d.title, "opens_on": d.opens_on, "closes_on": d.closes_on});
    audit::record(
        &mut tx,
        actor,
        Entry::of("surveys.edited", SURVEY, Some(id), &s.owner_path)
            .before(before)
            .after(after),
    )
    .await?;
    tx.commit().await?;
    get(db, actor, id).await
}

/// How the audit log names a survey: by its title.
pub const AUDIT_NAMES: &[crate::audit::view::Namer] =
    &[crate::audit::view::Namer::plain(SURVEY, "surveys", "title")];
