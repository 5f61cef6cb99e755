//! The annual schedule (年度工作配档表, SPEC.md "The annual schedule"; Qiling's attachment): per
//! town and year, rows of months ("1-2月", "全年"), a work item and the units responsible for it,
//! each row planned, under way, done or overdue.
//!
//! Built so far: the rules of a row ([`rules`]) — reading one as printed and where it stands on a
//! day — and a sheet laid out like the attachment read into rows ([`sheet`]). The stored
//! schedule, its import (an `imports::Importer` with `FILLS_MERGED_CELLS` whose check is
//! [`read_printed`]), pages and API plug into these.

pub mod rules;
pub mod sheet;

pub use rules::{Line, Status, read_line, status, year_in_title};
pub use sheet::{Printed, read_printed};
