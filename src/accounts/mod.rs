//! Staff accounts and how they sign in: creating, disabling and resetting accounts (with the 三员
//! two-person rule for the system administrator), password hashing and policy (the standard and 等保
//! profiles), sessions with idle and absolute timeouts, login throttling. Who may do what once
//! signed in is `access`'s.

mod password;
mod session;
mod store;
mod users;

pub use password::{
    SecurityProfile, check_password_policy, hash_password, hash_password_async, verify_password,
    verify_password_async,
};
pub use session::{
    ABSOLUTE_TIMEOUT, IDLE_TIMEOUT, LOCKOUT_FAILURES, LOCKOUT_WINDOW, LoginOutcome, SessionToken,
    SignedIn, change_password, login, logout, session_actor,
};
pub use users::{
    AccountRequest, NewUser, Reset, User, UserFilter, confirm_request, create_first_admin,
    create_founding_admin, create_user, get_user, list_users, pending_requests, reject_request,
    require_request, reset_password, set_active,
};

/// How the audit log names an account: by its display name.
pub const AUDIT_NAMES: &[crate::audit::view::Namer] = &[crate::audit::view::Namer::plain(
    "user",
    "users",
    "display_name",
)];
