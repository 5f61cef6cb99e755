//! Pages of staff accounts: the list, the new-account form, disable / enable, password reset.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use super::Ctx;
use super::{html, html_status, see_other};
use crate::access::Permission as P;
use crate::access::{Permission, Role};
use crate::accounts;
use crate::accounts::{NewUser, UserFilter};
use crate::error::{Error, Result};
use crate::i18n::{self, Lang};
use crate::org::{self, Kind, NodeFilter};
use crate::page::PageRequest;
use crate::paths;
use crate::web::AppState;
use crate::web::extract::{Form, Id, Query};
use crate::web::routes::{Object, Routes, Rule};
use crate::web::views::{Choice, FormView, Pager, Shell};

pub(super) fn router() -> Routes {
    let user = Rule::needs(P::UsersManage).on(Object::User);
    Routes::new()
        .get(paths::USERS, Rule::needs(P::UsersRead), list)
        .post(paths::USERS, Rule::needs(P::UsersManage), create)
        .get(paths::USER_NEW, Rule::needs(P::UsersManage), new_form)
        .post(paths::USER_DISABLE, user, disable)
        .post(paths::USER_ENABLE, user, enable)
        .post(paths::USER_PASSWORD, user, reset_password)
        .post(
            paths::ACCOUNT_REQUEST_CONFIRM,
            Rule::needs(P::UsersConfirm).on(Object::AccountRequest),
            confirm_request,
        )
        .post(
            paths::ACCOUNT_REQUEST_REJECT,
            Rule::needs(P::UsersConfirm).on(Object::AccountRequest),
            reject_request,
        )
}

/// An account line.
pub struct UserRow {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role_label: String,
    pub node_name: String,
    pub active: bool,
    /// The label of a change waiting for the security administrator.
    pub pending: Option<String>,
}

/// A change waiting for the security administrator, as the confirming page lists it.
pub struct RequestRow {
    pub id: i64,
    pub account: String,
    pub role_label: String,
    pub node_name: String,
    pub kind_label: String,
    pub requested_by: String,
    pub sets_password: bool,
}

#[derive(Template)]
#[template(path = "users/list.html")]
struct ListPage {
    shell: Shell,
    rows: Vec<UserRow>,
    roles: Vec<Choice>,
    form: FormView,
    pager: Pager,
    can_manage: bool,
    /// Changes waiting for this (security) administrator's decision.
    requests: Option<Vec<RequestRow>>,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
struct ListQuery {
    q: Option<String>,
    role: Option<String>,
    page: Option<u32>,
}

fn role_choices(lang: Lang, roles: &[Role]) -> Vec<Choice> {
    roles
        .iter()
        .map(|r| Choice::new(r.as_str(), i18n::t(lang, r.label_key())))
        .collect()
}

async fn list_page(state: &AppState, cx: &Ctx, q: ListQuery) -> Result<ListPage> {
    let (actor, lang) = (&cx.actor, cx.lang);
    let filter = UserFilter {
        q: q.q.clone(),
        role: q.role.as_deref().and_then(Role::parse),
    };
    let page =
        accounts::list_users(&state.db, actor, &filter, PageRequest::new(q.page, None)).await?;
    let query = [
        ("q", q.q.clone().unwrap_or_default()),
        ("role", q.role.clone().unwrap_or_default()),
    ];
    Ok(ListPage {
        shell: cx.shell(paths::USERS),
        pager: Pager::of(lang, paths::USERS, &query, &page),
        rows: page
            .items
            .iter()
            .map(|u| UserRow {
                id: u.id,
                username: u.username.clone(),
                display_name: u.display_name.clone(),
                role_label: Role::parse(&u.role)
                    .map(|r| i18n::t(lang, r.label_key()).to_string())
                    .unwrap_or_default(),
                node_name: u.node_name.clone(),
                active: u.active,
                pending: u
                    .pending
                    .as_deref()
                    .map(|k| i18n::t(lang, &format!("user.request.{k}")).to_string()),
            })
            .collect(),
        roles: role_choices(lang, &Role::ALL),
        form: FormView::with(&query),
        can_manage: actor.can(Permission::UsersManage),
        requests: if actor.can(Permission::UsersConfirm) {
            Some(
                accounts::pending_requests(&state.db, actor)
                    .await?
                    .into_iter()
                    .map(|r| RequestRow {
                        id: r.id,
                        account: format!("{}({})", r.display_name, r.username),
                        role_label: Role::parse(&r.role)
                            .map(|x| i18n::t(lang, x.label_key()).to_string())
                            .unwrap_or_default(),
                        node_name: r.node_name,
                        kind_label: i18n::t(lang, &format!("user.request.{}", r.kind)).to_string(),
                        sets_password: r.kind != "enable",
                        requested_by: r.requested_by_name.unwrap_or_default(),
                    })
                    .collect(),
            )
        } else {
            None
        },
        error: None,
    })
}

async fn list(cx: Ctx, Query(q): Query<ListQuery>) -> Result<Response> {
    let state = &cx.state;
    html(&list_page(state, &cx, q).await?)
}

#[derive(Template)]
#[template(path = "users/form.html")]
struct FormPage {
    shell: Shell,
    roles: Vec<Choice>,
    nodes: Vec<Choice>,
    form: FormView,
}

async fn form_page(state: &AppState, cx: &Ctx, form: FormView) -> Result<FormPage> {
    let (actor, lang) = (&cx.actor, cx.lang);
    actor.require(Permission::UsersManage)?;
    let grantable = actor.role.grantable();
    let mut nodes = Vec::new();
    for kind in [
        Kind::Root,
        Kind::District,
        Kind::Town,
        Kind::Department,
        Kind::School,
        Kind::Community,
        Kind::Centre,
    ] {
        if !grantable
            .iter()
            .any(|r| r.node_kinds().contains(&kind.as_str()))
        {
            continue;
        }
        let page = org::list_nodes(
            &state.db,
            actor,
            &NodeFilter {
                kind: Some(kind),
                ..Default::default()
            },
            PageRequest::new(Some(1), Some(200)),
        )
        .await?;
        let kl = i18n::t(lang, &format!("kind.{}", kind.as_str())).to_string();
        nodes.extend(
            page.items
                .into_iter()
                .map(|n| Choice::new(n.id, format!("{} · {kl}", n.name))),
        );
    }
    Ok(FormPage {
        shell: cx.shell(paths::USERS),
        roles: role_choices(lang, grantable),
        nodes,
        form,
    })
}

async fn new_form(State(state): State<AppState>, cx: Ctx) -> Result<Response> {
    html(&form_page(&state, &cx, FormView::default()).await?)
}

#[derive(Deserialize)]
struct UserForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    node_id: String,
    #[serde(default)]
    password: String,
}

async fn create(cx: Ctx, Form(actor, f): Form<UserForm>) -> Result<Response> {
    let state = &cx.state;
    let input = NewUser {
        username: f.username.clone(),
        display_name: f.display_name.clone(),
        role: f.role.clone(),
        node_id: f.node_id.trim().parse().unwrap_or(0),
        password: f.password.clone(),
    };
    match accounts::create_user(&state.db, &actor, &input, state.config.security_profile).await {
        Ok(u) if u.pending.is_some() => Ok(see_other(&paths::flashed(
            paths::USERS,
            "awaiting_confirmation",
        ))),
        Ok(_) => Ok(see_other(&paths::flashed(paths::USERS, "user_created"))),
        Err(Error::Invalid(fe)) => {
            // The password is never sent back into the page.
            let form = FormView::with(&[
                ("username", f.username),
                ("display_name", f.display_name),
                ("role", f.role),
                ("node_id", f.node_id),
            ])
            .errors(cx.lang, &fe);
            html_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &form_page(state, &cx, form).await?,
            )
        }
        Err(e) => Err(e),
    }
}

async fn refused(state: &AppState, cx: &Ctx, e: Error) -> Result<Response> {
    let lang = cx.lang;
    let msg = match &e {
        Error::Conflict(m) | Error::Forbidden(m) => i18n::render(lang, m),
        Error::Invalid(fe) => {
            fe.0.first()
                .map(|(_, m)| i18n::render(lang, m))
                .unwrap_or_default()
        }
        _ => return Err(e),
    };
    let status = if matches!(e, Error::Forbidden(_)) {
        StatusCode::FORBIDDEN
    } else {
        StatusCode::CONFLICT
    };
    let mut page = list_page(state, cx, ListQuery::default()).await?;
    page.error = Some(msg);
    html_status(status, &page)
}

async fn disable(
    cx: Ctx,
    Id(id): Id,
    Form(actor, _): Form<crate::web::extract::NoFields>,
) -> Result<Response> {
    let state = &cx.state;
    match accounts::set_active(&state.db, &actor, id, false).await {
        Ok(_) => Ok(see_other(&paths::flashed(paths::USERS, "user_disabled"))),
        Err(e) => refused(state, &cx, e).await,
    }
}

async fn enable(
    cx: Ctx,
    Id(id): Id,
    Form(actor, _): Form<crate::web::extract::NoFields>,
) -> Result<Response> {
    let state = &cx.state;
    match accounts::set_active(&state.db, &actor, id, true).await {
        Ok(u) if u.pending.is_some() => Ok(see_other(&paths::flashed(
            paths::USERS,
            "awaiting_confirmation",
        ))),
        Ok(_) => Ok(see_other(&paths::flashed(paths::USERS, "user_enabled"))),
        Err(e) => refused(state, &cx, e).await,
    }
}

#[derive(Deserialize)]
struct ResetForm {
    #[serde(default)]
    password: String,
}

async fn reset_password(cx: Ctx, Id(id): Id, Form(actor, f): Form<ResetForm>) -> Result<Response> {
    let state = &cx.state;
    match accounts::reset_password(
        &state.db,
        &actor,
        id,
        &f.password,
        state.config.security_profile,
    )
    .await
    {
        Ok(accounts::Reset::Done) => Ok(see_other(&paths::flashed(paths::USERS, "password_reset"))),
        Ok(accounts::Reset::AwaitingConfirmation) => Ok(see_other(&paths::flashed(
            paths::USERS,
            "awaiting_confirmation",
        ))),
        Err(e) => refused(state, &cx, e).await,
    }
}

#[derive(Deserialize)]
struct DecisionForm {
    #[serde(default)]
    password: String,
    #[serde(default)]
    reason: String,
}

async fn confirm_request(
    cx: Ctx,
    Id(id): Id,
    Form(actor, f): Form<DecisionForm>,
) -> Result<Response> {
    let state = &cx.state;
    match accounts::confirm_request(&state.db, &actor, id, Some(&f.password)).await {
        Ok(_) => Ok(see_other(&paths::flashed(
            paths::USERS,
            "request_confirmed",
        ))),
        Err(e) => refused(state, &cx, e).await,
    }
}

async fn reject_request(
    cx: Ctx,
    Id(id): Id,
    Form(actor, f): Form<DecisionForm>,
) -> Result<Response> {
    let state = &cx.state;
    match accounts::reject_request(&state.db, &actor, id, &f.reason).await {
        Ok(_) => Ok(see_other(&paths::flashed(paths::USERS, "request_rejected"))),
        Err(e) => refused(state, &cx, e).await,
    }
}
