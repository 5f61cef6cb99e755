//! Staff accounts: create, list, disable/enable, reset a password. An account is bound to one node and
//! one role; who may grant which role follows [`Role::grantable`].

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;

use super::{
    Actor, Permission, Role, SecurityProfile, check_password_policy, hash_password_async, store,
};
use crate::audit::{self, Entry};
use crate::db::Db;
use crate::error::{Error, FieldErrors, Msg, Result};
use crate::org;
use crate::page::{Page, PageRequest};
use crate::text;

/// An account as lists and forms show it (never its password hash).
#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub node_id: i64,
    pub node_name: String,
    #[serde(skip)]
    pub node_path: String,
    pub active: bool,
    pub created_at: DateTime<Utc>,
}

/// Filters of the account list.
#[derive(Clone, Debug, Default)]
pub struct UserFilter {
    pub q: Option<String>,
    pub role: Option<Role>,
}

/// What the account form submits.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub node_id: i64,
    pub password: String,
}

fn validate_username(username: &str, fe: &mut FieldErrors) {
    let n = username.chars().count();
    if n == 0 {
        fe.add("username", Msg::new("field.required"));
    } else if !(3..=32).contains(&n)
        || !username
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '_' | '.' | '-'))
    {
        fe.add("username", Msg::new("user.username_format"));
    }
}

/// Creates an account inside the actor's scope with a role the actor may grant.
pub async fn create_user(
    db: &Db,
    actor: &Actor,
    input: &NewUser,
    profile: SecurityProfile,
) -> Result<User> {
    actor.require(Permission::UsersManage)?;
    let username = input.username.trim().to_lowercase();
    let mut fe = FieldErrors::default();
    validate_username(&username, &mut fe);
    let display_name = text::required(&mut fe, "display_name", &input.display_name, 50);
    let role = Role::parse(&input.role);
    match role {
        None => fe.add("role", Msg::new("field.choose")),
        Some(r) if !actor.role.grantable().contains(&r) => {
            fe.add("role", Msg::new("user.role_not_grantable"))
        }
        _ => {}
    }
    if let Err(Error::Invalid(pe)) = check_password_policy(&input.password, &username, profile) {
        fe.0.extend(pe.0);
    }
    let mut tx = db.begin().await?;
    let node = org::find_active_tx(&mut tx, input.node_id)
        .await?
        .filter(|n| actor.sees(&n.path));
    match (&node, role) {
        (None, _) => fe.add("node_id", Msg::new("user.node_unknown")),
        (Some(n), Some(r)) if !r.node_kinds().contains(&n.kind.as_str()) => {
            fe.add("node_id", Msg::new("user.node_kind_mismatch"))
        }
        _ => {}
    }
    if fe.get("username").is_none() && store::username_taken(&mut tx, &username).await? {
        fe.add(
            "username",
            Msg::new("user.username_taken").arg("username", &username),
        );
    }
    fe.into_result()?;
    let (node, role) = (node.ok_or(Error::NotFound)?, role.ok_or(Error::NotFound)?);
    let hash = hash_password_async(&input.password).await?;
    let id = match store::insert_user(
        &mut tx,
        &username,
        &display_name,
        &hash,
        role.as_str(),
        node.id,
        Utc::now(),
    )
    .await
    {
        Err(Error::Conflict(_)) => {
            return Err(Error::invalid(
                "username",
                Msg::new("user.username_taken").arg("username", &username),
            ));
        }
        other => other?,
    };
    // Under the 等保 profile a password someone else chose is replaced by its owner first (the first
    // administrator, created on the command line, chose their own).
    if profile == SecurityProfile::Dengbao && actor.user_id.is_some() {
        store::require_password_change(&mut tx, id).await?;
    }
    let user = store::get_user_tx(&mut tx, id)
        .await?
        .ok_or(Error::NotFound)?;
    audit::record(
        &mut tx,
        actor,
        Entry {
            action: "user.created",
            subject_type: "user",
            subject_id: Some(id),
            node_path: &node.path,
            before: None,
            after: Some(json!({"username": username, "display_name": display_name, "role": role.as_str(), "node_id": node.id})),
            result: "ok",
        },
    )
    .await?;
    tx.commit().await?;
    Ok(user)
}

/// Creates the first system administrator from the command line; refused once any account exists.
pub async fn create_first_admin(
    db: &Db,
    username: &str,
    display_name: &str,
    password: &str,
    profile: SecurityProfile,
) -> Result<User> {
    if store::count_users(db).await? > 0 {
        return Err(Error::Conflict(Msg::new("user.first_admin_exists")));
    }
    let root = org::root(db).await?;
    let input = NewUser {
        username: username.into(),
        display_name: display_name.into(),
        role: Role::SystemAdmin.as_str().into(),
        node_id: root.id,
        password: password.into(),
    };
    create_user(db, &Actor::command_line(), &input, profile).await
}

/// One account inside the actor's scope.
pub async fn get_user(db: &Db, actor: &Actor, id: i64) -> Result<User> {
    actor.require(Permission::UsersRead)?;
    let user = store::get_user(db, id).await?.ok_or(Error::NotFound)?;
    actor.require_sees(&user.node_path)?;
    Ok(user)
}

/// Accounts inside the actor's scope.
pub async fn list_users(
    db: &Db,
    actor: &Actor,
    filter: &UserFilter,
    page: PageRequest,
) -> Result<Page<User>> {
    actor.require(Permission::UsersRead)?;
    store::list_users(db, &actor.scope_path, filter, page).await
}

/// Disables or re-enables an account; disabling ends all its sessions at once.
pub async fn set_active(db: &Db, actor: &Actor, id: i64, active: bool) -> Result<User> {
    actor.require(Permission::UsersManage)?;
    let before = get_user(db, actor, id).await?;
    if Some(id) == actor.user_id {
        return Err(Error::Conflict(Msg::new("user.cannot_disable_self")));
    }
    let role = Role::parse(&before.role).ok_or(Error::NotFound)?;
    if !actor.role.grantable().contains(&role) {
        return Err(Error::Forbidden(Msg::new("user.role_not_grantable")));
    }
    let mut tx = db.begin().await?;
    store::set_active(&mut tx, id, active, Utc::now()).await?;
    if !active {
        store::delete_sessions_of(&mut tx, id).await?;
    }
    let after = store::get_user_tx(&mut tx, id)
        .await?
        .ok_or(Error::NotFound)?;
    audit::record(
        &mut tx,
        actor,
        Entry {
            action: if active {
                "user.enabled"
            } else {
                "user.disabled"
            },
            subject_type: "user",
            subject_id: Some(id),
            node_path: &before.node_path,
            before: Some(json!({"active": before.active})),
            after: Some(json!({"active": after.active})),
            result: "ok",
        },
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Sets a new password for another account (a forgotten password); its sessions end.
pub async fn reset_password(
    db: &Db,
    actor: &Actor,
    id: i64,
    password: &str,
    profile: SecurityProfile,
) -> Result<()> {
    actor.require(Permission::UsersManage)?;
    let user = get_user(db, actor, id).await?;
    let role = Role::parse(&user.role).ok_or(Error::NotFound)?;
    if !actor.role.grantable().contains(&role) {
        return Err(Error::Forbidden(Msg::new("user.role_not_grantable")));
    }
    check_password_policy(password, &user.username, profile)?;
    let hash = hash_password_async(password).await?;
    let mut tx = db.begin().await?;
    store::set_password(&mut tx, id, &hash, Utc::now()).await?;
    if profile == SecurityProfile::Dengbao {
        store::require_password_change(&mut tx, id).await?;
    }
    store::delete_sessions_of(&mut tx, id).await?;
    audit::record(
        &mut tx,
        actor,
        Entry {
            action: "user.password_reset",
            subject_type: "user",
            subject_id: Some(id),
            node_path: &user.node_path,
            before: None,
            after: None,
            result: "ok",
        },
    )
    .await?;
    tx.commit().await
}

/// Active accounts bound to a node (a node still in use cannot be retired).
pub async fn active_accounts_on(tx: &mut crate::db::Tx, node_id: i64) -> Result<i64> {
    store::active_accounts_on(tx, node_id).await
}
