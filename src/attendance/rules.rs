//! Check-in rules as pure functions: the rotating QR code, the form ticket a scan hands out, the
//! check-in window, lateness, and the values staff record.
//!
//! A QR code carries `q.<activity>.<step>.<mac>`: `step` counts 20-second periods and `mac` is an
//! HMAC-SHA-256 over both with the activity's own secret. A code is accepted for its own step and
//! the two before it, so a photo of the screen sent to a friend stops working within a minute.
//! Opening the code hands the phone a ticket `t.<activity>.<issued>.<mac>`, valid for 15 minutes,
//! so a first-time resident has time to type a name.

use chrono::{DateTime, Duration, Utc};

/// Length of one QR period.
pub const STEP_SECONDS: i64 = 20;
/// Periods a QR code stays valid (its own and the two before: 40–60 seconds).
pub const STEPS_ACCEPTED: i64 = 3;
/// How long the form a scan opened may be sent.
pub const TICKET_MINUTES: i64 = 15;
/// Check-in opens this long before the start …
pub const OPENS_BEFORE_MINUTES: i64 = 30;
/// … and closes this long after the end.
pub const CLOSES_AFTER_MINUTES: i64 = 30;
/// Arriving later than this after the start is recorded as late.
pub const LATE_AFTER_MINUTES: i64 = 15;

/// Why a code or ticket is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenError {
    /// Not a code of ours, or signed with another secret.
    Forged,
    /// A real code whose minute has passed.
    Expired,
}

use crate::text::mac;

fn step_of(now: DateTime<Utc>) -> i64 {
    now.timestamp().div_euclid(STEP_SECONDS)
}

/// The activity id a code or ticket names (unverified: used to find the secret that verifies it).
pub fn activity_of(token: &str) -> Option<i64> {
    let mut parts = token.split('.');
    let kind = parts.next()?;
    if !matches!(kind, "q" | "t" | "r" | "e") {
        return None;
    }
    parts.next()?.parse().ok().filter(|id: &i64| *id > 0)
}

fn parts(token: &str, kind: &str) -> Option<(i64, i64, String)> {
    let mut p = token.split('.');
    if p.next()? != kind {
        return None;
    }
    let id = p.next()?.parse().ok()?;
    let n = p.next()?.parse().ok()?;
    let m = p.next()?.to_string();
    if p.next().is_some() {
        return None;
    }
    Some((id, n, m))
}

/// Compares in time independent of where the first difference is.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// The QR code of an activity at `now`.
pub fn qr_token(activity_id: i64, secret: &str, now: DateTime<Utc>) -> String {
    let step = step_of(now);
    let m = mac(secret, &format!("q|{activity_id}|{step}"));
    format!("q.{activity_id}.{step}.{m}")
}

/// Checks a QR code of this activity.
pub fn verify_qr(
    token: &str,
    activity_id: i64,
    secret: &str,
    now: DateTime<Utc>,
) -> Result<(), TokenError> {
    let (id, step, m) = parts(token, "q").ok_or(TokenError::Forged)?;
    if id != activity_id || !same(&m, &mac(secret, &format!("q|{id}|{step}"))) {
        return Err(TokenError::Forged);
    }
    let age = step_of(now) - step;
    if (0..STEPS_ACCEPTED).contains(&age) {
        Ok(())
    } else {
        Err(TokenError::Expired)
    }
}

/// The ticket a scan hands to the phone's form.
pub fn ticket(activity_id: i64, secret: &str, now: DateTime<Utc>) -> String {
    let issued = now.timestamp();
    let m = mac(secret, &format!("t|{activity_id}|{issued}"));
    format!("t.{activity_id}.{issued}.{m}")
}

/// Checks a ticket of this activity.
pub fn verify_ticket(
    token: &str,
    activity_id: i64,
    secret: &str,
    now: DateTime<Utc>,
) -> Result<(), TokenError> {
    let (id, issued, m) = parts(token, "t").ok_or(TokenError::Forged)?;
    if id != activity_id || !same(&m, &mac(secret, &format!("t|{id}|{issued}"))) {
        return Err(TokenError::Forged);
    }
    let age = now.timestamp() - issued;
    if (-60..TICKET_MINUTES * 60).contains(&age) {
        Ok(())
    } else {
        Err(TokenError::Expired)
    }
}

/// Checks a QR code or a ticket.
pub fn verify_any(
    token: &str,
    activity_id: i64,
    secret: &str,
    now: DateTime<Utc>,
) -> Result<(), TokenError> {
    if token.starts_with("t.") {
        verify_ticket(token, activity_id, secret, now)
    } else {
        verify_qr(token, activity_id, secret, now)
    }
}

/// The link a checked-in resident keeps to rate the activity afterwards (no expiry of its own: the
/// rating period of the activity applies).
pub fn rating_token(activity_id: i64, resident_id: i64, secret: &str) -> String {
    let m = mac(secret, &format!("r|{activity_id}|{resident_id}"));
    format!("r.{activity_id}.{resident_id}.{m}")
}

/// Checks a rating link of this activity; returns the resident it was given to.
pub fn verify_rating(token: &str, activity_id: i64, secret: &str) -> Result<i64, TokenError> {
    let (id, resident, m) = parts(token, "r").ok_or(TokenError::Forged)?;
    if id != activity_id || !same(&m, &mac(secret, &format!("r|{id}|{resident}"))) {
        return Err(TokenError::Forged);
    }
    Ok(resident)
}

/// The enrolment link of an activity (valid while it is published and not started).
pub fn enrol_token(activity_id: i64, secret: &str) -> String {
    let m = mac(secret, &format!("e|{activity_id}"));
    format!("e.{activity_id}.0.{m}")
}

/// Checks an enrolment link of this activity.
pub fn verify_enrol(token: &str, activity_id: i64, secret: &str) -> Result<(), TokenError> {
    let (id, _, m) = parts(token, "e").ok_or(TokenError::Forged)?;
    if id != activity_id || !same(&m, &mac(secret, &format!("e|{id}"))) {
        return Err(TokenError::Forged);
    }
    Ok(())
}

/// Ratings are taken until this many days after the activity.
pub const RATING_DAYS: i64 = 30;

/// Where `now` stands against the check-in window of an activity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Window {
    /// Opens at the given instant.
    NotYet(DateTime<Utc>),
    Open,
    Closed,
}

/// The check-in window: from 30 minutes before the start to 30 minutes after the end.
pub fn window(starts: DateTime<Utc>, ends: DateTime<Utc>, now: DateTime<Utc>) -> Window {
    let opens = starts - Duration::minutes(OPENS_BEFORE_MINUTES);
    if now < opens {
        Window::NotYet(opens)
    } else if now > ends + Duration::minutes(CLOSES_AFTER_MINUTES) {
        Window::Closed
    } else {
        Window::Open
    }
}

/// How a self check-in at `now` is recorded.
pub fn arrival(starts: DateTime<Utc>, now: DateTime<Utc>) -> AttendanceStatus {
    if now > starts + Duration::minutes(LATE_AFTER_MINUTES) {
        AttendanceStatus::Late
    } else {
        AttendanceStatus::Present
    }
}

crate::text_enum! {
    /// Where an enrolment stands: holding a seat, waiting for one in order, or cancelled.
    pub enum EnrolmentStatus {
        Enrolled = "enrolled",
        Waiting = "waiting",
        Cancelled = "cancelled",
    }
}

crate::text_enum! {
    /// What staff record for a resident.
    pub enum AttendanceStatus {
        Present = "present",
        Late = "late",
        Excused = "excused",
        Absent = "absent",
    }
}

impl AttendanceStatus {
    /// True when the resident was there (counts as attendance).
    pub fn attended(self) -> bool {
        matches!(self, AttendanceStatus::Present | AttendanceStatus::Late)
    }
}

/// The largest head count an open lecture may record.
pub const MAX_HEAD_COUNT: i64 = 100_000;

#[cfg(test)]
mod tests {
    #[test]
    fn the_screen_and_the_refusal_tell_the_same_rotation() {
        let every = format!("每 {STEP_SECONDS} 秒更新");
        for key in ["checkin.qr_hint", "attendance.code_expired"] {
            let text = crate::i18n::t(crate::i18n::Lang::Zh, key);
            assert!(text.contains(&every), "{key}: {text}");
        }
        assert_eq!(
            STEP_SECONDS * STEPS_ACCEPTED,
            60,
            "valid for a minute, as the texts say"
        );
    }

    use super::*;
    use chrono::TimeZone;

    fn t(s: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(1_800_000_000 + s, 0).single().unwrap()
    }

    #[test]
    fn a_qr_code_works_for_under_a_minute_and_only_for_its_activity() {
        let code = qr_token(7, "secret", t(0));
        assert_eq!(activity_of(&code), Some(7));
        assert_eq!(verify_qr(&code, 7, "secret", t(0)), Ok(()));
        assert_eq!(verify_qr(&code, 7, "secret", t(39)), Ok(()));
        assert_eq!(
            verify_qr(&code, 7, "secret", t(61)),
            Err(TokenError::Expired)
        );
        assert_eq!(verify_qr(&code, 8, "secret", t(0)), Err(TokenError::Forged));
        assert_eq!(verify_qr(&code, 7, "other", t(0)), Err(TokenError::Forged));
        // A code from the future (a forged step) is refused as well.
        let later = qr_token(7, "secret", t(600));
        assert_eq!(
            verify_qr(&later, 7, "secret", t(0)),
            Err(TokenError::Expired)
        );
    }

    #[test]
    fn tampered_and_malformed_codes_are_forged() {
        let code = qr_token(7, "secret", t(0));
        let mut bytes = code.clone().into_bytes();
        let last = bytes.len() - 1;
        bytes[last] = if bytes[last] == b'0' { b'1' } else { b'0' };
        let tampered = String::from_utf8(bytes).unwrap();
        assert_eq!(
            verify_qr(&tampered, 7, "secret", t(0)),
            Err(TokenError::Forged)
        );
        for bad in ["", "q", "q.7", "q.7.x.y", "x.7.1.2", &format!("{code}.1")] {
            assert_eq!(verify_qr(bad, 7, "secret", t(0)), Err(TokenError::Forged));
        }
        assert_eq!(activity_of("q.-3.1.2"), None);
        assert_eq!(activity_of("z.3.1.2"), None);
    }

    #[test]
    fn a_ticket_lasts_a_quarter_hour() {
        let tk = ticket(7, "s", t(0));
        assert_eq!(verify_any(&tk, 7, "s", t(14 * 60)), Ok(()));
        assert_eq!(
            verify_any(&tk, 7, "s", t(15 * 60 + 1)),
            Err(TokenError::Expired)
        );
        // A QR code is not a ticket and the other way round.
        let code = qr_token(7, "s", t(0));
        assert_eq!(verify_ticket(&code, 7, "s", t(0)), Err(TokenError::Forged));
        assert_eq!(verify_qr(&tk, 7, "s", t(0)), Err(TokenError::Forged));
    }

    #[test]
    fn a_rating_link_names_its_resident_and_cannot_be_altered() {
        let tk = rating_token(7, 42, "s");
        assert_eq!(activity_of(&tk), Some(7));
        assert_eq!(verify_rating(&tk, 7, "s"), Ok(42));
        let other = tk.replace(".42.", ".43.");
        assert_eq!(verify_rating(&other, 7, "s"), Err(TokenError::Forged));
        assert_eq!(verify_rating(&tk, 8, "s"), Err(TokenError::Forged));
    }

    #[test]
    fn the_window_and_lateness() {
        let (s, e) = (t(3600), t(7200));
        assert_eq!(window(s, e, t(0)), Window::NotYet(t(1800)));
        assert_eq!(window(s, e, t(1800)), Window::Open);
        assert_eq!(window(s, e, t(7200 + 1800)), Window::Open);
        assert_eq!(window(s, e, t(7200 + 1801)), Window::Closed);
        assert_eq!(arrival(s, t(3600 + 900)), AttendanceStatus::Present);
        assert_eq!(arrival(s, t(3600 + 901)), AttendanceStatus::Late);
        assert!(
            AttendanceStatus::ALL
                .iter()
                .all(|x| AttendanceStatus::parse(x.as_str()) == Some(*x))
        );
    }
}
