//! The `cedu bench` command line: which benchmark, with which sizes, on which databases.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Subcommand};

#[derive(Subcommand)]
pub enum BenchCommand {
    /// QR check-ins over HTTP into the real server on loopback (SQLite and PostgreSQL), verified by
    /// count.
    Checkin {
        /// Residents of the generated district.
        #[arg(long, default_value_t = 1_000_000)]
        residents: i64,
        /// Activities going on at the same time.
        #[arg(long, default_value_t = 64)]
        activities: usize,
        /// New check-ins to send (the second pass repeats half of them).
        #[arg(long, default_value_t = 100_000)]
        checkins: usize,
        /// Concurrent clients, each on its own keep-alive connection.
        #[arg(long, default_value_t = 64)]
        clients: usize,
        #[command(flatten)]
        target: BenchTarget,
    },
    /// Dashboards, KPIs and reports over a district of ~30 towns with ~1 million residents and
    /// ~10 million attendance records over 3 years: the roll-ups rebuilt and checked against the
    /// live GROUP BY, timed side by side, every answer timed through the real server (SQLite and
    /// PostgreSQL).
    Dashboard {
        /// Residents of the generated district.
        #[arg(long, default_value_t = 1_000_000)]
        residents: i64,
        /// Attendance records to generate over the 3 years (about).
        #[arg(long, default_value_t = 10_000_000)]
        attendances: i64,
        /// Activities a learning centre holds a year.
        #[arg(long, default_value_t = 100)]
        per_centre: usize,
        /// Measure again on the district a previous `--reuse` run generated (its SQLite file and
        /// the PostgreSQL schema `cedu_bench_dashboard` are kept), generating it only if absent.
        #[arg(long)]
        reuse: bool,
        #[command(flatten)]
        target: BenchTarget,
    },
    /// The month x centre grid of a ~30-town district over a year of activities (SQLite and
    /// PostgreSQL).
    Grid {
        /// Approved activities per learning centre over the year.
        #[arg(long, default_value_t = 30)]
        per_centre: usize,
        #[command(flatten)]
        target: BenchTarget,
    },
    /// The year's governance of a ~30-town district (schedule, funds, awards, meetings, equipment,
    /// inspections, assessment) written through the use-cases, then every page, API answer and
    /// export of these modules timed through the real server (SQLite and PostgreSQL).
    Governance {
        #[command(flatten)]
        target: BenchTarget,
    },
    /// Import of 100,000 residents from xlsx (SQLite and PostgreSQL), search among ~1 million,
    /// export.
    People {
        /// Rows of the generated spreadsheet.
        #[arg(long, default_value_t = 100_000)]
        rows: usize,
        /// Residents of the generated district to search among (0 skips the search figures).
        #[arg(long, default_value_t = 1_000_000)]
        search_residents: i64,
        #[command(flatten)]
        target: BenchTarget,
    },
}

/// Where every benchmark runs: SQLite in a work folder, and PostgreSQL unless skipped.
#[derive(Args)]
pub struct BenchTarget {
    /// PostgreSQL to run on as well; a fresh schema is created there.
    #[arg(
        long,
        env = "CEDU_BENCH_POSTGRES",
        default_value = "postgres://postgres@127.0.0.1:5432/test"
    )]
    postgres_url: String,
    /// Skip PostgreSQL.
    #[arg(long)]
    sqlite_only: bool,
    /// Folder for the benchmark's databases.
    #[arg(long, default_value = "cedu-bench")]
    work_dir: PathBuf,
}

impl BenchTarget {
    /// The work folder and the URL of a fresh PostgreSQL schema (None with --sqlite-only).
    async fn prepare(self) -> anyhow::Result<(PathBuf, Option<String>)> {
        let url = if self.sqlite_only {
            None
        } else {
            Some(bench_schema(&self.postgres_url).await?)
        };
        Ok((self.work_dir, url))
    }

    /// The work folder and the URL of a PostgreSQL schema kept between runs (created if absent).
    async fn prepare_kept(self, schema: &str) -> anyhow::Result<(PathBuf, Option<String>)> {
        let url = if self.sqlite_only {
            None
        } else {
            Some(schema_url(&self.postgres_url, schema, "create schema if not exists").await?)
        };
        Ok((self.work_dir, url))
    }
}

/// Runs one benchmark and prints its figures.
pub async fn run(command: BenchCommand) -> anyhow::Result<()> {
    match command {
        BenchCommand::People {
            rows,
            search_residents,
            target,
        } => {
            let (work_dir, postgres_url) = target.prepare().await?;
            super::people(&super::PeopleBench {
                rows,
                search_residents,
                postgres_url,
                work_dir,
            })
            .await?;
        }
        BenchCommand::Governance { target } => {
            let (work_dir, postgres_url) = target.prepare().await?;
            super::governance(&work_dir, postgres_url.as_deref()).await?;
        }
        BenchCommand::Dashboard {
            residents,
            attendances,
            per_centre,
            reuse,
            target,
        } => {
            let (work_dir, postgres_url) = if reuse {
                target.prepare_kept("cedu_bench_dashboard").await?
            } else {
                target.prepare().await?
            };
            let b = super::DashboardBench {
                residents,
                attendances,
                per_centre: per_centre.max(1),
                reuse,
            };
            super::dashboard(&work_dir, &b, postgres_url.as_deref()).await?;
        }
        BenchCommand::Grid { per_centre, target } => {
            let (work_dir, postgres_url) = target.prepare().await?;
            super::grid(&work_dir, per_centre, postgres_url.as_deref()).await?;
        }
        BenchCommand::Checkin {
            residents,
            activities,
            checkins,
            clients,
            target,
        } => {
            let (work_dir, postgres_url) = target.prepare().await?;
            super::checkin(&super::CheckinBench {
                residents,
                activities: activities.max(1),
                checkins,
                clients: clients.max(1),
                postgres_url,
                work_dir,
            })
            .await?;
        }
    }
    Ok(())
}

/// A fresh schema on the benchmark's PostgreSQL, and the URL that selects it.
async fn bench_schema(url: &str) -> anyhow::Result<String> {
    let schema = format!("cedu_bench_{}", chrono::Utc::now().timestamp());
    schema_url(url, &schema, "create schema").await
}

/// Creates a schema (`create` is the statement's verb) and returns the URL that selects it.
async fn schema_url(url: &str, schema: &str, create: &str) -> anyhow::Result<String> {
    use sqlx::Connection;
    let mut c = sqlx::PgConnection::connect(url)
        .await
        .context("connecting to the benchmark's PostgreSQL")?;
    sqlx::query(&format!("{create} {schema}"))
        .execute(&mut c)
        .await?;
    let sep = if url.contains('?') { '&' } else { '?' };
    Ok(format!("{url}{sep}options=-c%20search_path%3D{schema}"))
}
