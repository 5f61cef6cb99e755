//! The integration suite: one binary. Every storage and HTTP scenario runs twice, on SQLite and on
//! the PostgreSQL at 127.0.0.1:5432 (or TEST_DATABASE_URL); a PostgreSQL that cannot be reached
//! fails the suite instead of skipping it.

mod helpers;

mod activities;
mod authorization;
mod award_categories;
mod binary;
mod canary;
mod catalogue;
mod checkin;
mod commendation;
mod concurrency;
mod contract;
mod e2e;
mod e2e_targets;
mod enrolment;
mod equipment;
mod faults;
mod funding;
mod governance_at_once;
mod http_access;
mod http_org;
mod inspections;
mod layers;
mod meetings;
mod midyear;
mod people;
mod reimport;
mod rollups;
mod schedule;
mod statistics;
mod store;
mod surveys;
mod targets;
mod teachers;
mod workbench;
