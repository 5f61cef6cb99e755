//! cedu — the community education platform of Chinese towns and streets (see `SPEC.md`).
//!
//! One module per business concept; `web` is the thin HTTP layer over them, `db` the storage
//! boundary.

pub mod access;
pub mod accounts;
pub mod activities;
pub mod app;
pub mod attachments;
pub mod attendance;
pub mod audit;
pub mod backup;
#[cfg(feature = "bench")]
pub mod bench;
pub mod calendar;
pub mod catalogue;
pub mod charts;
pub mod commendation;
pub mod config;
pub mod db;
pub mod demo;
pub mod documents;
pub mod equipment;
pub mod error;
pub mod evidence;
pub mod funding;
pub mod i18n;
pub mod importers;
pub mod imports;
pub mod inspections;
pub mod meetings;
pub mod org;
pub mod page;
pub mod paths;
pub mod people;
pub mod reports;
pub mod rollups;
pub mod schedule;
pub mod spreadsheet;
pub mod statistics;
pub mod surveys;
pub mod targets;
pub mod teachers;
pub mod text;
pub mod venues;
pub mod web;
pub mod workbench;
pub mod workflow;
