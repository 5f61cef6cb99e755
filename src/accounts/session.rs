//! Login, sessions and logout. Sessions live in the database so that every app server on one
//! PostgreSQL shares them; the cookie carries 256 random bits and the database keeps only their
//! SHA-256.

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Utc;
use rand::RngCore;
use serde_json::json;
use sha2::{Digest, Sha256};

use super::password::password_expired;
use super::store::{self, SessionRow};
use super::{
    SecurityProfile, check_password_policy, hash_password, hash_password_async,
    verify_password_async,
};
use crate::access::{Actor, Role, scope_root};
use crate::audit::{self, Entry};
use crate::db::Db;
use crate::error::{Error, Msg, Result};

/// A session ends after this long without a request.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(30 * 60);
/// A session ends this long after login, whatever happens.
pub const ABSOLUTE_TIMEOUT: Duration = Duration::from_secs(12 * 3600);
/// Failed logins for one user name within [`LOCKOUT_WINDOW`] that lock it.
pub const LOCKOUT_FAILURES: i64 = 5;
/// How long failures count and a lock lasts.
pub const LOCKOUT_WINDOW: Duration = Duration::from_secs(15 * 60);
/// Failed logins from one address within the window before that address is refused.
const ADDRESS_FAILURES: i64 = 30;

/// The secret a client presents: the cookie value or bearer token.
#[derive(Clone, Debug)]
pub struct SessionToken(pub String);

/// What a successful login hands back.
#[derive(Clone, Debug)]
pub struct LoginOutcome {
    pub token: SessionToken,
    pub csrf_token: String,
    pub actor: Actor,
}

fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

fn hash_token(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    crate::text::hex(&digest)
}

fn since(d: Duration) -> chrono::DateTime<Utc> {
    Utc::now() - chrono::Duration::from_std(d).unwrap_or_default()
}

fn actor_from(row: &SessionRow, token_hash: Option<String>, ip: Option<String>) -> Result<Actor> {
    let role = Role::parse(&row.role)
        .ok_or_else(|| Error::internal(format!("unknown role {}", row.role)))?;
    let scope_path = scope_root(role, &row.node_path);
    let scope_node_id = scope_path
        .trim_matches('/')
        .rsplit('/')
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    Ok(Actor {
        user_id: Some(row.user_id),
        username: row.username.clone(),
        display_name: row.display_name.clone(),
        role,
        node_id: row.node_id,
        scope_path,
        scope_node_id,
        csrf_token: row.csrf_token.clone(),
        session_hash: token_hash,
        source_ip: ip,
        request_id: None,
    })
}

/// An anonymous actor for auditing events before anyone is known (a failed login).
fn anonymous(username: &str, ip: Option<String>) -> Actor {
    Actor {
        user_id: None,
        username: username.chars().take(64).collect(),
        display_name: String::new(),
        role: Role::Resident,
        node_id: 0,
        scope_path: "/".into(),
        scope_node_id: 0,
        csrf_token: String::new(),
        session_hash: None,
        source_ip: ip,
        request_id: None,
    }
}

/// Checks a user name and password and opens a new session. Unknown user and wrong password get the
/// same answer; 5 failures in 15 minutes lock the name, many failures from one address lock the
/// address.
pub async fn login(
    db: &Db,
    username: &str,
    password: &str,
    ip: Option<String>,
) -> Result<LoginOutcome> {
    let username = username.trim();
    let addr = ip.clone().unwrap_or_default();
    let window_start = since(LOCKOUT_WINDOW);
    let locked_answer =
        || Error::Throttled(Msg::new("login.locked").arg("minutes", LOCKOUT_WINDOW.as_secs() / 60));

    if store::failures_from_address(db, &addr, window_start).await? >= ADDRESS_FAILURES {
        audit::record_now(
            db,
            &anonymous(username, ip.clone()),
            failed_entry("address_throttled"),
        )
        .await?;
        return Err(locked_answer());
    }
    if store::failures_for_username(db, username, window_start).await? >= LOCKOUT_FAILURES {
        audit::record_now(db, &anonymous(username, ip.clone()), failed_entry("locked")).await?;
        return Err(locked_answer());
    }

    let user = store::user_for_login(db, username).await?;
    // Verify even for an unknown name so both answers take the same time.
    let ok = match &user {
        Some(u) => verify_password_async(password, &u.password_hash).await?,
        None => {
            let _ = verify_password_async(password, &DUMMY_HASH).await?;
            false
        }
    };

    let user = match user {
        Some(u) if ok && u.active => u,
        other => {
            let mut tx = db.begin().await?;
            store::insert_failure(&mut tx, username, &addr, Utc::now()).await?;
            let reason = match other {
                Some(u) if ok && !u.active => "disabled",
                _ => "wrong_credentials",
            };
            let failures = store::failures_for_username(&mut tx, username, window_start).await?;
            audit::record(
                &mut tx,
                &anonymous(username, ip.clone()),
                failed_entry(reason),
            )
            .await?;
            if failures >= LOCKOUT_FAILURES {
                audit::record(
                    &mut tx,
                    &anonymous(username, ip.clone()),
                    Entry {
                        action: "auth.locked",
                        ..failed_entry("locked")
                    },
                )
                .await?;
            }
            tx.commit().await?;
            return Err(Error::Invalid({
                let mut fe = crate::error::FieldErrors::default();
                fe.add("password", Msg::new("login.wrong"));
                fe
            }));
        }
    };

    let token = random_token();
    let token_hash = hash_token(&token);
    let csrf = random_token();
    let now = Utc::now();
    let mut tx = db.begin().await?;
    store::clear_failures(&mut tx, username).await?;
    store::insert_session(&mut tx, &token_hash, user.id, &csrf, now, &addr).await?;
    let row = store::session_row(&mut tx, &token_hash)
        .await?
        .ok_or(Error::NotFound)?;
    let actor = actor_from(&row, Some(token_hash), ip)?;
    audit::record(
        &mut tx,
        &actor,
        Entry::of("auth.login", "user", Some(user.id), &row.node_path),
    )
    .await?;
    tx.commit().await?;
    Ok(LoginOutcome {
        token: SessionToken(token),
        csrf_token: csrf,
        actor,
    })
}

fn failed_entry(result: &str) -> Entry<'_> {
    Entry::of("auth.login_failed", "user", None, "/").result(result)
}

/// A real argon2id hash, verified against when the user name is unknown.
static DUMMY_HASH: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    hash_password("no such user, no such password").unwrap_or_default()
});

/// A signed-in account, and whether it must change its password before anything else.
pub struct SignedIn {
    pub actor: Actor,
    pub password_change_due: bool,
}

/// Resolves a presented token to its actor, ending sessions past their idle or absolute timeout and
/// sessions of disabled accounts. Under the 等保 profile it also tells whether the password is due
/// for a change (older than 90 days, or one someone else chose); the same read serves both.
pub async fn session_actor(
    db: &Db,
    token: &str,
    ip: Option<String>,
    profile: SecurityProfile,
) -> Result<Option<SignedIn>> {
    if token.is_empty() || token.len() > 100 {
        return Ok(None);
    }
    let token_hash = hash_token(token);
    let Some(row) = store::session_row(db, &token_hash).await? else {
        return Ok(None);
    };
    let now = Utc::now();
    let idle = row.last_seen_at < since(IDLE_TIMEOUT);
    let expired = row.created_at < since(ABSOLUTE_TIMEOUT);
    if idle || expired || !row.active {
        store::delete_session(db, &token_hash).await?;
        return Ok(None);
    }
    // Touch at most once a minute: idle detection needs no finer grain, and it spares a write per
    // request. A failed touch (a full disk) must not refuse a page that only reads: the session is
    // just seen as idle a minute earlier.
    if now - row.last_seen_at > chrono::Duration::seconds(60)
        && let Err(e) = store::touch_session(db, &token_hash, now).await
    {
        tracing::warn!(error = %e, "could not record the session's activity");
    }
    // A password someone else chose is marked (under the 等保 profile for every administrator's, and
    // always for the temporary password of a confirmed 三员 change); under the profile it also ages.
    let password_change_due =
        row.password_must_change || password_expired(profile, row.password_changed_at, now);
    Ok(Some(SignedIn {
        actor: actor_from(&row, Some(token_hash), ip)?,
        password_change_due,
    }))
}

/// Ends the actor's current session.
pub async fn logout(db: &Db, actor: &Actor) -> Result<()> {
    let Some(hash) = &actor.session_hash else {
        return Ok(());
    };
    let mut tx = db.begin().await?;
    store::delete_session(&mut tx, hash).await?;
    audit::record(
        &mut tx,
        actor,
        Entry::of("auth.logout", "user", actor.user_id, &actor.scope_path),
    )
    .await?;
    tx.commit().await
}

/// Changes the actor's own password after checking the current one; every session of the account
/// ends.
pub async fn change_password(
    db: &Db,
    actor: &Actor,
    current: &str,
    new: &str,
    confirm: &str,
    profile: SecurityProfile,
) -> Result<()> {
    let user_id = actor.user_id.ok_or(Error::Unauthenticated)?;
    let user = store::user_for_login(db, &actor.username)
        .await?
        .ok_or(Error::Unauthenticated)?;
    let ok = verify_password_async(current, &user.password_hash).await?;
    if !ok {
        return Err(Error::invalid(
            "current",
            Msg::new("password.current_wrong"),
        ));
    }
    if new != confirm {
        return Err(Error::invalid("confirm", Msg::new("password.mismatch")));
    }
    check_password_policy(new, &actor.username, profile)?;
    if new == current {
        return Err(Error::invalid("password", Msg::new("password.same")));
    }
    let hash = hash_password_async(new).await?;
    let mut tx = db.begin().await?;
    store::set_password(&mut tx, user_id, &hash, Utc::now()).await?;
    store::delete_sessions_of(&mut tx, user_id).await?;
    audit::record(
        &mut tx,
        actor,
        Entry::of(
            "auth.password_changed",
            "user",
            Some(user_id),
            &actor.scope_path,
        )
        .after(json!({"sessions_ended": true})),
    )
    .await?;
    tx.commit().await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_stored_hashed() {
        let (a, b) = (random_token(), random_token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 43); // 256 bits in base64url
        assert_eq!(hash_token(&a).len(), 64);
        assert_ne!(hash_token(&a), a);
    }

    #[test]
    fn the_dummy_hash_is_well_formed() {
        assert!(argon2::password_hash::PasswordHash::new(&DUMMY_HASH).is_ok());
    }
}
