//! Commendation's pages: the rounds of the town and the office's form to open one; a round with
//! its categories (quota, reward, nominated, approved) and nominations, the centre's nomination
//! form (deeds and files); a nomination with its record, files and review buttons; the winner's
//! certificate (奖状) on A4 landscape.

use std::collections::HashMap;

use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;

use super::{Ctx, html, html_status, see_other};
use crate::access::Permission as P;
use crate::calendar::Year;
use crate::commendation::{
    self, AwardCategory, AwardCategoryInput, CategoryInput, Certificate, Nomination,
    NominationInput, Round, RoundInput, RoundView,
};
use crate::error::{Error, Result};
use crate::i18n;
use crate::page::PageRequest;
use crate::paths;
use crate::people::{self, ResidentFilter};
use crate::web::download;
use crate::web::extract::{Form, Id, Session, Upload, UploadForm, check_csrf};
use crate::web::routes::{ATTACHMENT_BODY, Object, Routes, Rule};
use crate::web::views::{Choice, FormView, Shell};

pub(super) fn router() -> Routes {
    let read = Rule::needs(P::AwardsRead);
    let manage = Rule::needs(P::AwardsManage);
    Routes::new()
        .get(paths::AWARDS, read, list)
        .post(paths::AWARDS, manage, open)
        .post(
            paths::AWARD_CATEGORIES,
            Rule::needs(P::AwardsCategories),
            add_category,
        )
        .post(
            paths::AWARD_CATEGORY,
            Rule::needs(P::AwardsCategories).on(Object::AwardCategory),
            update_category,
        )
        .get(paths::AWARD_ROUND, read.on(Object::AwardRound), show_round)
        .post(paths::AWARD_PUBLISH, manage.on(Object::AwardRound), publish)
        .upload(
            paths::AWARD_NOMINATE,
            Rule::needs(P::AwardsNominate).on(Object::AwardRound),
            ATTACHMENT_BODY,
            nominate,
        )
        .post(paths::AWARD_DECIDED, manage.on(Object::AwardRound), decided)
        .get(
            paths::NOMINATION,
            read.on(Object::Nomination),
            show_nomination,
        )
        .post(paths::NOMINATION_STEP, read.on(Object::Nomination), step)
        .get(paths::CERTIFICATE, read.on(Object::Nomination), certificate)
        .get(
            paths::NOMINATION_FILE,
            read.on(Object::NominationFile),
            file,
        )
        // The portal's page of a town's published results: no account.
        .get(paths::AWARD_RESULTS, Rule::PUBLIC, results)
}

#[derive(Template)]
#[template(path = "awards/public.html")]
struct ResultsPage {
    lang: i18n::Lang,
    lang_code: &'static str,
    title: String,
    r: commendation::PublicResults,
}

impl ResultsPage {
    fn t<'a>(&self, key: &'a str) -> &'a str {
        i18n::t(self.lang, key)
    }

    fn day(&self, at: &chrono::DateTime<chrono::Utc>) -> String {
        crate::calendar::Day::of(*at).to_string()
    }
}

async fn results(
    axum::extract::State(state): axum::extract::State<crate::web::AppState>,
    lang: i18n::Lang,
    Id(id): Id,
) -> Result<Response> {
    let r = commendation::published_results(&state.db, id).await?;
    html(&ResultsPage {
        lang,
        lang_code: lang.code(),
        title: i18n::render(
            lang,
            &crate::error::Msg::new("commendation.public_title").arg("town", &r.town_name),
        ),
        r,
    })
}

#[derive(Template)]
#[template(path = "awards/list.html")]
struct ListPage {
    shell: Shell,
    rounds: Vec<Round>,
    /// The district's dictionary, retired categories too.
    dictionary: Vec<AwardCategory>,
    kinds: Vec<Choice>,
    can_manage: bool,
    can_edit_categories: bool,
    error: Option<String>,
    town_id: Option<i64>,
    year: i32,
    form: FormView,
}

async fn list_view(cx: &Ctx, form: FormView) -> Result<ListPage> {
    let db = &cx.state.db;
    let rounds = commendation::rounds(db, &cx.actor).await?;
    let town_id =
        crate::org::rules::ancestor_id(&cx.actor.scope_path, crate::org::rules::TOWN_LEVEL);
    Ok(ListPage {
        shell: cx.shell(paths::AWARDS),
        rounds,
        dictionary: commendation::categories(db, &cx.actor).await?,
        kinds: commendation::NomineeKind::ALL
            .iter()
            .map(|k| Choice::new(k, i18n::t(cx.lang, &format!("commendation.kind.{k}"))))
            .collect(),
        can_manage: cx.actor.can(P::AwardsManage),
        can_edit_categories: commendation::categories::may_edit(&cx.actor),
        error: None,
        town_id,
        year: Year::current().0,
        form,
    })
}

async fn list(cx: Ctx) -> Result<Response> {
    html(&list_view(&cx, FormView::default()).await?)
}

/// A category as the dictionary's forms send it (an unchecked box: retired).
fn category_input(f: &HashMap<String, String>) -> AwardCategoryInput {
    let v = |k: &str| f.get(k).cloned().unwrap_or_default();
    AwardCategoryInput {
        name: v("name"),
        nominee_kind: v("nominee_kind"),
        active: f.get("active").is_some_and(|a| a == "true"),
    }
}

/// The district adds a category to its dictionary.
async fn add_category(cx: Ctx, Form(actor, f): Form<HashMap<String, String>>) -> Result<Response> {
    let saved = commendation::add_category(&cx.state.db, &actor, &category_input(&f)).await;
    category_saved(&cx, &f, saved, false).await
}

/// The district renames, retires or reinstates a category.
async fn update_category(
    cx: Ctx,
    Id(id): Id,
    Form(actor, f): Form<HashMap<String, String>>,
) -> Result<Response> {
    let saved = commendation::update_category(&cx.state.db, &actor, id, &category_input(&f)).await;
    category_saved(&cx, &f, saved, true).await
}

async fn category_saved(
    cx: &Ctx,
    f: &HashMap<String, String>,
    saved: Result<AwardCategory>,
    in_list: bool,
) -> Result<Response> {
    match saved {
        Ok(_) => Ok(see_other(&paths::flashed(paths::AWARDS, "saved"))),
        // A line of the list refused: its message above the list, the line as it was.
        Err(Error::Invalid(fe)) if in_list => {
            let mut page = list_view(cx, FormView::default()).await?;
            page.error = fe.0.first().map(|(_, m)| i18n::render(cx.lang, m));
            html_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(Error::Invalid(fe)) => list_refused(cx, f, &fe).await,
        Err(e) => Err(e),
    }
}

/// The list page again with a refused form's values and the errors beside its fields.
async fn list_refused(
    cx: &Ctx,
    f: &HashMap<String, String>,
    fe: &crate::error::FieldErrors,
) -> Result<Response> {
    let typed: Vec<(&str, String)> = f.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
    let form = FormView::with(&typed).errors(cx.lang, fe);
    html_status(
        StatusCode::UNPROCESSABLE_ENTITY,
        &list_view(cx, form).await?,
    )
}

/// The office opens a round: a category counts when its quota is filled in.
async fn open(cx: Ctx, Form(actor, f): Form<HashMap<String, String>>) -> Result<Response> {
    let v = |k: &str| f.get(k).cloned().unwrap_or_default();
    let categories = commendation::categories(&cx.state.db, &actor)
        .await?
        .into_iter()
        .map(|c| c.code)
        .filter_map(|c| {
            let quota = v(&format!("quota_{c}"));
            (!quota.trim().is_empty()).then(|| CategoryInput {
                category: c.to_string(),
                quota: quota.trim().parse().unwrap_or(0),
                reward: Some(v(&format!("reward_{c}"))),
            })
        })
        .collect();
    let town_id = v("town_id").parse().ok();
    let input = RoundInput {
        town_id: town_id.unwrap_or(0),
        year: v("year").parse().unwrap_or(0),
        title: v("title"),
        deadline: v("deadline"),
        categories,
    };
    let opened = match town_id {
        Some(_) => commendation::open_round(&cx.state.db, &actor, &input).await,
        None => Err(Error::invalid(
            "town_id",
            crate::error::Msg::new("field.choose"),
        )),
    };
    match opened {
        Ok(r) => Ok(see_other(&paths::flashed(
            &paths::award_round(r.round.id),
            "created",
        ))),
        Err(Error::Invalid(fe)) => list_refused(&cx, &f, &fe).await,
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "awards/round.html")]
struct RoundPage {
    shell: Shell,
    v: RoundView,
    can_manage: bool,
    can_nominate: bool,
    /// The office may enter results decided on paper while the round is unpublished.
    can_record_afterwards: bool,
    categories: Vec<Choice>,
    residents: Vec<Choice>,
    households: Vec<Choice>,
    buildings: Vec<Choice>,
    communities: Vec<Choice>,
    form: FormView,
    error: Option<String>,
}

impl RoundPage {
    fn status(&self, n: &Nomination) -> String {
        i18n::t(
            self.shell.lang,
            &format!("commendation.status.{}", n.status),
        )
        .to_string()
    }

    fn yuan(&self, fen: &i64) -> String {
        crate::funding::yuan(*fen)
    }
}

async fn round_view(cx: &Ctx, id: i64, form: FormView) -> Result<RoundPage> {
    let db = &cx.state.db;
    let actor = &cx.actor;
    let v = commendation::round(db, actor, id).await?;
    let can_nominate = actor.can(P::AwardsNominate) && v.open;
    let can_manage = commendation::may_manage(actor, &v.round);
    let can_record_afterwards = can_manage && v.round.published_at.is_none();
    let (mut residents, mut households, mut buildings, mut communities) =
        (vec![], vec![], vec![], vec![]);
    if can_nominate || can_record_afterwards {
        let all = PageRequest::new(None, Some(200));
        residents = people::list_residents(db, actor, &ResidentFilter::default(), all)
            .await?
            .items
            .into_iter()
            .map(|r| Choice::new(r.id, format!("{}({})", r.name, r.community_name)))
            .collect();
        households = people::list_households(db, actor, None, None, all)
            .await?
            .items
            .into_iter()
            .map(|h| Choice::new(h.id, format!("{} · {}", h.community_name, h.name)))
            .collect();
        for (id, name) in people::communities(db, actor).await? {
            for b in people::buildings(db, actor, id).await? {
                buildings.push(Choice::new(b.id, format!("{name} · {}", b.name)));
            }
            communities.push(Choice::new(id, name));
        }
    }
    Ok(RoundPage {
        shell: cx.shell(paths::AWARDS),
        categories: v
            .categories
            .iter()
            .map(|c| Choice::new(&c.category, &c.name))
            .collect(),
        can_manage,
        can_nominate,
        can_record_afterwards,
        v,
        residents,
        households,
        buildings,
        communities,
        form,
        error: None,
    })
}

async fn show_round(cx: Ctx, Id(id): Id) -> Result<Response> {
    html(&round_view(&cx, id, FormView::default()).await?)
}

async fn publish(
    cx: Ctx,
    Id(id): Id,
    Form(actor, _): Form<HashMap<String, String>>,
) -> Result<Response> {
    match commendation::publish(&cx.state.db, &actor, id).await {
        Ok(_) => Ok(see_other(&paths::flashed(&paths::award_round(id), "saved"))),
        Err(Error::Conflict(m)) => {
            let mut p = round_view(&cx, id, FormView::default()).await?;
            p.error = Some(i18n::render(cx.lang, &m));
            html_status(StatusCode::CONFLICT, &p)
        }
        Err(e) => Err(e),
    }
}

/// The nomination form (multipart with files): the nominee is read from the field of the
/// category's kind.
async fn nominate(
    cx: Ctx,
    session: axum::Extension<Session>,
    Id(id): Id,
    upload: Upload,
) -> Result<Response> {
    let form: UploadForm = upload.read().await?;
    let keep = [
        "category",
        "resident_id",
        "household_id",
        "building_id",
        "community_id",
        "nominee_name",
        "deeds",
    ];
    let typed = FormView::with(&keep.map(|k| (k, form.text(k))));
    let result = if form.too_large {
        Err(UploadForm::too_large_error())
    } else {
        check_csrf(&session, &form.text("_csrf"))?;
        let field = nominee_field(&cx, id, &form.text("category")).await?;
        let input = NominationInput {
            category: form.text("category"),
            nominee_id: form.text(field).trim().parse().ok(),
            nominee_name: Some(form.text("nominee_name")),
            deeds: form.text("deeds"),
        };
        commendation::nominate(
            &cx.state.db,
            &cx.actor,
            id,
            &input,
            form.file.clone().into_iter().collect(),
        )
        .await
    };
    match result {
        Ok(n) => Ok(see_other(&paths::flashed(
            &paths::nomination(n.id),
            "created",
        ))),
        Err(Error::Invalid(fe)) => html_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &round_view(&cx, id, typed.errors(cx.lang, &fe)).await?,
        ),
        Err(Error::Conflict(m)) => {
            let mut p = round_view(&cx, id, typed).await?;
            p.error = Some(i18n::render(cx.lang, &m));
            html_status(StatusCode::CONFLICT, &p)
        }
        Err(e) => Err(e),
    }
}

/// The form field that carries the nominee of a round's category (its kind decides).
async fn nominee_field(cx: &Ctx, round: i64, category: &str) -> Result<&'static str> {
    let categories = commendation::round_categories(&cx.state.db, &cx.actor, round).await?;
    let kind = categories
        .iter()
        .find(|c| c.category == category.trim())
        .map(|c| c.nominee_kind);
    Ok(match kind.map(|k| k.as_str()) {
        Some("resident") => "resident_id",
        Some("household") => "household_id",
        Some("building") => "building_id",
        Some("community") => "community_id",
        _ => "",
    })
}

/// The office enters a result decided on paper.
async fn decided(
    cx: Ctx,
    Id(id): Id,
    Form(actor, f): Form<HashMap<String, String>>,
) -> Result<Response> {
    let v = |k: &str| f.get(k).cloned().unwrap_or_default();
    let field = nominee_field(&cx, id, &v("category")).await?;
    let input = commendation::DecidedInput {
        category: v("category"),
        nominee_id: v(field).trim().parse().ok(),
        nominee_name: Some(v("nominee_name")),
        deeds: v("deeds"),
        decided_on: v("decided_on"),
        decided_by: v("decided_by"),
    };
    let typed: Vec<(&str, String)> = f.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
    match commendation::record_decided(&cx.state.db, &actor, id, &input).await {
        Ok(_) => Ok(see_other(&paths::flashed(
            &paths::award_round(id),
            "created",
        ))),
        Err(Error::Invalid(fe)) => html_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &round_view(&cx, id, FormView::with(&typed).errors(cx.lang, &fe)).await?,
        ),
        Err(Error::Conflict(m)) => {
            let mut p = round_view(&cx, id, FormView::with(&typed)).await?;
            p.error = Some(i18n::render(cx.lang, &m));
            html_status(StatusCode::CONFLICT, &p)
        }
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "awards/nomination.html")]
struct NominationPage {
    shell: Shell,
    n: Nomination,
    category: String,
    status: String,
    form: FormView,
    error: Option<String>,
}

async fn nomination_view(
    cx: &Ctx,
    id: i64,
    form: FormView,
    error: Option<String>,
) -> Result<NominationPage> {
    let n = commendation::get(&cx.state.db, &cx.actor, id).await?;
    Ok(NominationPage {
        shell: cx.shell(paths::AWARDS),
        category: n.category_name.clone(),
        status: i18n::t(cx.lang, &format!("commendation.status.{}", n.status)).to_string(),
        n,
        form,
        error,
    })
}

async fn show_nomination(cx: Ctx, Id(id): Id) -> Result<Response> {
    html(&nomination_view(&cx, id, FormView::default(), None).await?)
}

async fn step(
    cx: Ctx,
    Id(id): Id,
    Form(actor, f): Form<HashMap<String, String>>,
) -> Result<Response> {
    let action = f.get("action").cloned().unwrap_or_default();
    let reason = f.get("reason").cloned();
    match commendation::step(&cx.state.db, &actor, id, &action, reason.as_deref()).await {
        Ok(_) => Ok(see_other(&paths::flashed(&paths::nomination(id), "saved"))),
        Err(Error::Invalid(fe)) => {
            let form =
                FormView::with(&[("reason", reason.unwrap_or_default())]).errors(cx.lang, &fe);
            html_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &nomination_view(&cx, id, form, None).await?,
            )
        }
        Err(Error::Conflict(m)) => {
            let page = nomination_view(
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

#[derive(Template)]
#[template(path = "awards/certificate.html")]
struct CertificatePage {
    lang_code: &'static str,
    c: Certificate,
    category: String,
    date: String,
}

async fn certificate(cx: Ctx, Id(id): Id) -> Result<Response> {
    let c = commendation::certificate(&cx.state.db, &cx.actor, id).await?;
    let today = crate::calendar::Day::today();
    html(&CertificatePage {
        lang_code: cx.lang.code(),
        category: c.category.clone(),
        date: format!(
            "{}年{}月{}日",
            today.year(),
            today.month().month,
            today.day_of_month()
        ),
        c,
    })
}

async fn file(cx: Ctx, Id(id): Id) -> Result<Response> {
    let (f, body) = commendation::file(&cx.state.db, &cx.actor, id).await?;
    Ok(download::stored(body, &f.content_type, &f.file_name))
}
