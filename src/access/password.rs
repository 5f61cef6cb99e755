//! Password hashing (argon2id, m = 19 MiB, t = 2, p = 1) and the password policy of SECURITY.md.

use argon2::password_hash::{
    PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng,
};
use argon2::{Algorithm, Argon2, Params, Version};

use crate::error::{Error, Msg, Result};

fn argon2() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("static argon2 parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes a password into a PHC string. CPU-heavy: call from `spawn_blocking` in async code.
pub fn hash_password(password: &str) -> Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| Error::Internal(format!("password hashing: {e}")))
}

/// Checks a password against a stored PHC string; a malformed hash simply fails.
pub fn verify_password(password: &str, phc: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(h) => argon2().verify_password(password.as_bytes(), &h).is_ok(),
        Err(_) => false,
    }
}

/// Passwords that appear at the top of every leaked list.
const COMMON: &[&str] = &[
    "12345678",
    "123456789",
    "1234567890",
    "87654321",
    "11111111",
    "88888888",
    "66666666",
    "00000000",
    "password",
    "password1",
    "password123",
    "passw0rd",
    "qwertyui",
    "qwerty123",
    "1qaz2wsx",
    "abc12345",
    "abcd1234",
    "aa123456",
    "a1234567",
    "iloveyou",
    "admin123",
    "admin888",
    "woaini1314",
    "5201314520",
    "qwe123456",
    "asdfghjk",
    "zxcvbnm123",
    "123qweasd",
    "p@ssw0rd",
    "administrator",
];

/// Words tied to this system and its users that must not carry a password.
const CONTEXT: &[&str] = &[
    "cedu",
    "jiaoyu",
    "shequjiaoyu",
    "qunli",
    "qiling",
    "tongnan",
    "linzi",
    "admin",
    "password",
    "xuexi",
];

/// Applies the policy: 8–128 characters, not a common password, no context word, not the user name.
pub fn check_password_policy(password: &str, username: &str) -> Result<()> {
    let n = password.chars().count();
    if n < 8 {
        return Err(Error::invalid("password", Msg::new("password.too_short")));
    }
    if n > 128 {
        return Err(Error::invalid("password", Msg::new("password.too_long")));
    }
    let lower = password.to_lowercase();
    if COMMON.contains(&lower.as_str())
        || lower
            .chars()
            .all(|c| c == lower.chars().next().unwrap_or(' '))
    {
        return Err(Error::invalid("password", Msg::new("password.common")));
    }
    let uname = username.trim().to_lowercase();
    if CONTEXT.iter().any(|w| lower.contains(w))
        || (uname.chars().count() >= 3 && lower.contains(&uname))
    {
        return Err(Error::invalid("password", Msg::new("password.context")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_only_its_own_password_and_is_argon2id() {
        let h = hash_password("Learn-Together-2026").unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify_password("Learn-Together-2026", &h));
        assert!(!verify_password("learn-together-2026", &h));
        assert!(!verify_password("anything", "not a hash"));
    }

    #[test]
    fn the_policy_refuses_short_common_and_context_passwords() {
        let code = |p: &str| match check_password_policy(p, "wangfang") {
            Ok(()) => "ok",
            Err(Error::Invalid(fe)) => fe.get("password").unwrap().key,
            Err(_) => "other",
        };
        assert_eq!(code("short"), "password.too_short");
        assert_eq!(code("12345678"), "password.common");
        assert_eq!(code("aaaaaaaaaa"), "password.common");
        assert_eq!(code("Qunli2020!"), "password.context");
        assert_eq!(code("wangfang-1990"), "password.context");
        assert_eq!(code(&"x1".repeat(70)), "password.too_long");
        assert_eq!(code("绿水青山就是金山银山"), "ok");
        assert_eq!(code("Learn-Together-2026"), "ok");
    }
}
