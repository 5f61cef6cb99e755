//! Staff accounts: create, list, disable/enable, reset a password. An account is bound to one node
//! and one role; who may grant which role follows [`Role::grantable`].

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;

use super::{SecurityProfile, check_password_policy, hash_password_async, store};
use crate::access::{Actor, Permission, Role};
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
    /// A change waiting for the security administrator: create, reset or enable.
    pub pending: Option<String>,
}

/// An account change a system administrator prepared that waits for a second administrator.
#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct AccountRequest {
    pub id: i64,
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub node_name: String,
    /// create, reset or enable
    pub kind: String,
    pub requested_by_name: Option<String>,
    pub requested_at: DateTime<Utc>,
}

/// Filters of the account list.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct UserFilter {
    /// Part of the user name or display name.
    pub q: Option<String>,
    #[serde(deserialize_with = "crate::text::lenient")]
    #[param(value_type = Option<String>)]
    pub role: Option<Role>,
}

/// What the account form submits.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct NewUser {
    #[schema(min_length = 3, max_length = 32, pattern = "^[a-z0-9._-]+$")]
    pub username: String,
    #[schema(min_length = 1, max_length = 50)]
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
    let display_name = text::required(
        &mut fe,
        "display_name",
        &input.display_name,
        crate::text::max::NAME,
    );
    let role = Role::parse(&input.role);
    match role {
        None => fe.add("role", Msg::new("field.choose")),
        Some(r) if !actor.role.grantable().contains(&r) => {
            fe.add("role", Msg::new("user.role_not_grantable"))
        }
        _ => {}
    }
    // A change that waits for the security administrator takes no password from the one who asked:
    // the confirming administrator sets the first one.
    let second = role.is_some_and(|r| needs_second_person(actor, r));
    if !second
        && let Err(Error::Invalid(pe)) = check_password_policy(&input.password, &username, profile)
    {
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
    let hash = if second {
        unusable_password_hash().await?
    } else {
        hash_password_async(&input.password).await?
    };
    let now = Utc::now();
    let id = match store::insert_user(
        &mut tx,
        &username,
        &display_name,
        &hash,
        role.as_str(),
        node.id,
        !second,
        now,
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
    if second {
        store::insert_request(&mut tx, id, "create", actor.user_id, now).await?;
    }
    let user = store::get_user(&mut tx, id).await?.ok_or(Error::NotFound)?;
    audit::record(
        &mut tx,
        actor,
        Entry::of("user.created", "user", Some(id), &node.path).after(json!({"username": username, "display_name": display_name, "role": role.as_str(), "node_id": node.id, "awaiting_confirmation": second})),
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
    create_founding_admin(
        db,
        Role::SystemAdmin,
        username,
        display_name,
        password,
        profile,
    )
    .await
}

/// Creates one of the three administrators (三员) from the command line, where the machine's operator
/// sets up a deployment: the first system administrator while no account exists, the first security
/// or audit administrator while none is active. Later ones go through the system administrator and
/// the security administrator's confirmation.
pub async fn create_founding_admin(
    db: &Db,
    role: Role,
    username: &str,
    display_name: &str,
    password: &str,
    profile: SecurityProfile,
) -> Result<User> {
    match role {
        Role::SystemAdmin if store::count_users(db).await? > 0 => {
            return Err(Error::Conflict(Msg::new("user.first_admin_exists")));
        }
        Role::SystemAdmin => {}
        Role::SecurityAdmin | Role::AuditAdmin => {
            if store::count_active_with_role(db, role.as_str()).await? > 0 {
                return Err(Error::Conflict(
                    Msg::new("user.founding_admin_exists").arg("role", role.label_key()),
                ));
            }
        }
        _ => return Err(Error::invalid("role", Msg::new("user.founding_role"))),
    }
    let root = org::root(db).await?;
    let input = NewUser {
        username: username.into(),
        display_name: display_name.into(),
        role: role.as_str().into(),
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
    if active && needs_second_person(actor, role) {
        request_change(&mut tx, actor, &before, "enable").await?;
        tx.commit().await?;
        return get_user(db, actor, id).await;
    }
    store::set_active(&mut tx, id, active, Utc::now()).await?;
    if !active {
        store::delete_sessions_of(&mut tx, id).await?;
    }
    let after = store::get_user(&mut tx, id).await?.ok_or(Error::NotFound)?;
    audit::record(
        &mut tx,
        actor,
        Entry::of(
            if active {
                "user.enabled"
            } else {
                "user.disabled"
            },
            "user",
            Some(id),
            &before.node_path,
        )
        .before(json!({"active": before.active}))
        .after(json!({"active": after.active})),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// What a password reset did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reset {
    /// The new password is in force; the account's sessions ended.
    Done,
    /// It waits for the security administrator, who sets a temporary password (三员分立).
    AwaitingConfirmation,
}

/// Sets a new password for another account (a forgotten password); its sessions end.
pub async fn reset_password(
    db: &Db,
    actor: &Actor,
    id: i64,
    password: &str,
    profile: SecurityProfile,
) -> Result<Reset> {
    actor.require(Permission::UsersManage)?;
    let user = get_user(db, actor, id).await?;
    // One's own password is changed with the current one (the account page), never reset.
    if Some(id) == actor.user_id {
        return Err(Error::Conflict(Msg::new("user.cannot_reset_self")));
    }
    let role = Role::parse(&user.role).ok_or(Error::NotFound)?;
    if !actor.role.grantable().contains(&role) {
        return Err(Error::Forbidden(Msg::new("user.role_not_grantable")));
    }
    if needs_second_person(actor, role) {
        let mut tx = db.begin().await?;
        request_change(&mut tx, actor, &user, "reset").await?;
        return tx.commit().await.map(|_| Reset::AwaitingConfirmation);
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
        Entry::of("user.password_reset", "user", Some(id), &user.node_path),
    )
    .await?;
    tx.commit().await.map(|_| Reset::Done)
}

/// True when this actor's change that gives an account `target`'s rights waits for a second
/// administrator. The command line (the machine's operator, who holds the database anyway) is not
/// held to it.
fn needs_second_person(actor: &Actor, target: Role) -> bool {
    actor.user_id.is_some() && actor.role.needs_second_person(target)
}

/// A hash of a random password nobody knows: an account waiting for confirmation cannot be used.
async fn unusable_password_hash() -> Result<String> {
    use rand::RngCore;
    let mut secret = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut secret);
    hash_password_async(&crate::text::hex(&secret)).await
}

/// Records a change that waits for the security administrator, and its audit record.
async fn request_change(
    tx: &mut crate::db::Tx,
    actor: &Actor,
    user: &User,
    kind: &'static str,
) -> Result<()> {
    if store::pending_request(tx, user.id).await?.is_some() {
        return Err(Error::Conflict(Msg::new("user.request_pending")));
    }
    store::insert_request(tx, user.id, kind, actor.user_id, Utc::now()).await?;
    audit::record(
        tx,
        actor,
        Entry::of(
            "user.change_requested",
            "user",
            Some(user.id),
            &user.node_path,
        )
        .after(json!({"kind": kind, "role": user.role})),
    )
    .await
}

/// 404 unless a change waits for confirmation on an account inside the actor's scope.
pub async fn require_request(db: &Db, actor: &Actor, id: i64) -> Result<()> {
    actor.require(Permission::UsersConfirm)?;
    let r = store::request(db, id).await?.ok_or(Error::NotFound)?;
    get_user(db, actor, r.user_id).await.map(|_| ())
}

/// The account changes waiting for confirmation, oldest first.
pub async fn pending_requests(db: &Db, actor: &Actor) -> Result<Vec<AccountRequest>> {
    actor.require(Permission::UsersConfirm)?;
    store::pending_requests(db, &actor.scope_path).await
}

/// The second administrator confirms a change: a new or reset account gets the temporary password
/// the confirming administrator sets (its owner must replace it at the first sign-in, so neither
/// administrator keeps a working password), a new or enabled account becomes usable.
pub async fn confirm_request(
    db: &Db,
    actor: &Actor,
    id: i64,
    password: Option<&str>,
) -> Result<User> {
    actor.require(Permission::UsersConfirm)?;
    let r = store::request(db, id).await?.ok_or(Error::NotFound)?;
    let user = get_user(db, actor, r.user_id).await?;
    if r.requested_by.is_some() && r.requested_by == actor.user_id {
        return Err(Error::Forbidden(Msg::new("user.request_own")));
    }
    let sets_password = matches!(r.kind.as_str(), "create" | "reset");
    let hash = if sets_password {
        let password = password.unwrap_or("");
        check_password_policy(password, &user.username, SecurityProfile::Dengbao)?;
        Some(hash_password_async(password).await?)
    } else {
        None
    };
    let now = Utc::now();
    let mut tx = db.begin().await?;
    if store::decide_request(&mut tx, id, "confirmed", actor.user_id, None, now).await? == 0 {
        return Err(Error::Conflict(Msg::new("user.request_decided")));
    }
    if let Some(hash) = hash {
        store::set_password(&mut tx, r.user_id, &hash, now).await?;
        store::require_password_change(&mut tx, r.user_id).await?;
        store::delete_sessions_of(&mut tx, r.user_id).await?;
    }
    if matches!(r.kind.as_str(), "create" | "enable") {
        store::set_active(&mut tx, r.user_id, true, now).await?;
    }
    audit::record(
        &mut tx,
        actor,
        Entry::of(
            "user.change_confirmed",
            "user",
            Some(r.user_id),
            &user.node_path,
        )
        .before(json!({"request": id, "kind": r.kind, "requested_by": r.requested_by}))
        .after(json!({"active": r.kind != "reset" || user.active})),
    )
    .await?;
    tx.commit().await?;
    get_user(db, actor, r.user_id).await
}

/// The second administrator refuses a change, with a reason; a refused new account stays unusable.
pub async fn reject_request(db: &Db, actor: &Actor, id: i64, reason: &str) -> Result<User> {
    actor.require(Permission::UsersConfirm)?;
    let mut fe = FieldErrors::default();
    let reason = text::required(&mut fe, "reason", reason, crate::text::max::REASON);
    fe.into_result()?;
    let r = store::request(db, id).await?.ok_or(Error::NotFound)?;
    let user = get_user(db, actor, r.user_id).await?;
    let mut tx = db.begin().await?;
    let now = Utc::now();
    if store::decide_request(&mut tx, id, "rejected", actor.user_id, Some(&reason), now).await? == 0
    {
        return Err(Error::Conflict(Msg::new("user.request_decided")));
    }
    audit::record(
        &mut tx,
        actor,
        Entry::of(
            "user.change_rejected",
            "user",
            Some(r.user_id),
            &user.node_path,
        )
        .before(json!({"request": id, "kind": r.kind, "requested_by": r.requested_by}))
        .after(json!({"reason": reason})),
    )
    .await?;
    tx.commit().await?;
    get_user(db, actor, r.user_id).await
}
