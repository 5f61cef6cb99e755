//! Enrolment in activities (报名): staff enrol residents of their scope in a published activity;
//! within capacity they are enrolled, beyond it they wait in order, and a cancellation moves the
//! first waiting resident up in the same transaction. Invariants: a resident holds at most one
//! active enrolment per activity; the enrolled never exceed the capacity, also when two people take
//! the last seat at once (each enrolment first takes the activity's row lock, so they are
//! serialised on both databases).
//!
//! Check-in (签到): a rotating QR code per activity ([`rules`]); a resident scans it, identifies by
//! mobile number (a walk-in gives a name and becomes a resident of a community of the town) and is
//! recorded once — a second scan answers "already checked in". QR check-ins go through the
//! [`CheckinDesk`]'s group commit. Staff mark attendance by hand (present / late / excused /
//! absent), record head counts of open lectures and print paper sign-in sheets to enter afterwards.
//! Residents who attended rate the activity (1–5 with an optional comment).

pub mod checkin;
mod desk;
pub mod enrolment;
pub mod figures;
#[cfg(feature = "bench")]
pub mod generated;
pub mod import;
pub mod marks;
pub mod ratings;
pub mod rules;
mod store;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

pub use desk::{CheckinDesk, DeskFigures, Written};
pub use figures::{SpanFigures, span_figures};
pub use rules::{AttendanceStatus, EnrolmentStatus};

use crate::access::{Actor, Permission};
use crate::activities::{self, Status};
use crate::audit::{self, Entry};
use crate::db::Db;
use crate::error::{Error, Msg, Result};
use crate::org;
use crate::people;
use crate::people::rules::mask_name;

pub use checkin::*;
pub use enrolment::*;
pub use marks::*;
pub use ratings::*;
