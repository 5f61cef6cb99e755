//! The `cedu` command: serve, migrate, demo, admin, backup, restore, import, bench.

use std::io::{BufRead, IsTerminal};
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::{Args, Parser, Subcommand};

use cedu::accounts;
use cedu::app::{App, shutdown_signal};
use cedu::config::{Config, DbOverrides, FileConfig, Overrides};
use cedu::db::Db;
use cedu::{access, backup, demo};

/// glibc's allocator keeps argon2's 19 MiB work areas resident after they are freed (measured: 227
/// MB after loading the demo, 31 MB with a fixed mmap threshold); mimalloc returns them.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// cedu — 社区教育平台 (community education platform for towns and streets).
#[derive(Parser)]
#[command(name = "cedu", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Start the web server (pages, API, /healthz).
    Serve(ServeArgs),
    /// Apply database migrations and exit.
    Migrate(DbArgs),
    /// Load demo data of Qunli town and Qiling street (optionally scaled up for benchmarks).
    Demo(DemoArgs),
    /// Administer accounts from the command line.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// Write a consistent copy of the database while cedu keeps serving.
    Backup(BackupArgs),
    /// Put a backup back (checked first; refused while a server uses the database).
    Restore(RestoreArgs),
    /// Import residents, households, teachers or past activities (补录) from an xlsx or csv file into
    /// a town.
    Import(ImportArgs),
    /// Recount the roll-ups the KPIs read (attendance per centre and month, participants per
    /// community and year) from the attendance, and check them against the live count.
    Rollups(DbArgs),
    /// Run a benchmark and print its figures (built with `--features bench`).
    #[cfg(feature = "bench")]
    Bench {
        #[command(subcommand)]
        command: cedu::bench::cli::BenchCommand,
    },
}

#[derive(Args)]
struct ImportArgs {
    #[command(flatten)]
    db: DbArgs,
    /// What the file holds: residents, households, teachers, past_activities or schedule.
    kind: String,
    /// The xlsx or csv file (use the template from the import page).
    file: PathBuf,
    /// The town or street to import into, by name (e.g. 群力镇).
    #[arg(long)]
    town: String,
    /// Import the valid rows without asking.
    #[arg(long)]
    yes: bool,
}

#[derive(Args, Clone)]
struct DbArgs {
    /// Configuration file (TOML); flags and CEDU_* variables override it.
    #[arg(long, env = "CEDU_CONFIG")]
    config: Option<PathBuf>,
    #[command(flatten)]
    keys: DbOverrides,
}

#[derive(Args)]
struct ServeArgs {
    /// Configuration file (TOML); flags and CEDU_* variables override it.
    #[arg(long, env = "CEDU_CONFIG")]
    config: Option<PathBuf>,
    #[command(flatten)]
    keys: Overrides,
    /// Load the demo towns into an empty database (harmless on later starts).
    #[arg(long)]
    demo: bool,
}

#[derive(Args)]
struct DemoArgs {
    #[command(flatten)]
    db: DbArgs,
    /// Seed of the generator: the same seed gives the same data.
    #[arg(long, default_value_t = 2020)]
    seed: u64,
    /// Extra generated towns in Tongnan district (28 gives a district of ~30 towns).
    #[arg(long, default_value_t = 0)]
    towns: usize,
    /// Total residents of the generated towns (e.g. 1000000): their population, all registered.
    #[arg(long, default_value_t = 0)]
    residents: i64,
    /// Registered residents generated in each community of Qunli and Qiling.
    #[arg(long, default_value_t = 120)]
    per_community: usize,
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Create one of the three administrators (三员): the first system administrator (refused once
    /// any account exists), or the first security or audit administrator (refused while one is
    /// active). The password is read from CEDU_ADMIN_PASSWORD or from standard input.
    Create {
        #[command(flatten)]
        db: DbArgs,
        #[arg(long)]
        username: String,
        #[arg(long, default_value = "系统管理员")]
        display_name: String,
        /// system_admin, security_admin or audit_admin
        #[arg(long, default_value = "system_admin")]
        role: String,
    },
}

#[derive(Args)]
struct BackupArgs {
    #[command(flatten)]
    db: DbArgs,
    /// File to write (must not exist yet).
    #[arg(long)]
    out: PathBuf,
}

#[derive(Args)]
struct RestoreArgs {
    #[command(flatten)]
    db: DbArgs,
    /// The backup to put back: a file written by `cedu backup`.
    #[arg(long)]
    from: PathBuf,
}

/// The configuration of a command: its file (if any) under its flags and variables.
fn config_of(file: Option<&Path>, over: Overrides) -> anyhow::Result<Config> {
    let file = match file {
        Some(p) => FileConfig::read(p)?,
        None => FileConfig::default(),
    };
    Ok(Config::layered(file, over)?)
}

/// The configuration of a command that only needs the database.
fn db_config(db: &DbArgs) -> anyhow::Result<Config> {
    config_of(db.config.as_deref(), db.keys.clone().into())
}

/// An open database for a command, marked in use until the command ends (a restore waits).
struct Connected {
    db: Db,
    _in_use: Option<cedu::db::InUse>,
}

impl std::ops::Deref for Connected {
    type Target = Db;
    fn deref(&self) -> &Db {
        &self.db
    }
}

async fn connect(config: &Config) -> anyhow::Result<Connected> {
    if config.database_url.is_none() {
        config.prepare_data_dir()?;
    }
    let db = Db::connect(&config.effective_database_url()).await?;
    let in_use = db.claim()?;
    db.migrate().await?;
    cedu::org::ensure_root(&db).await?;
    Ok(Connected {
        db,
        _in_use: in_use,
    })
}

fn init_logs(format: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("CEDU_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,tower_http=info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if format == "json" {
        builder.json().init();
    } else {
        builder.init();
    }
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    match run(Cli::parse()).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            // A refusal is shown as the clerk would read it; anything else with its chain of
            // causes.
            match e.downcast_ref::<cedu::error::Error>() {
                Some(cedu::error::Error::Invalid(fe)) => {
                    for (field, msg) in &fe.0 {
                        eprintln!(
                            "错误 · {field}: {}",
                            cedu::i18n::render(cedu::i18n::Lang::Zh, msg)
                        );
                    }
                }
                Some(
                    cedu::error::Error::Conflict(m)
                    | cedu::error::Error::Forbidden(m)
                    | cedu::error::Error::BadRequest(m)
                    | cedu::error::Error::Throttled(m),
                ) => eprintln!("错误 · {}", cedu::i18n::render(cedu::i18n::Lang::Zh, m)),
                _ => eprintln!("错误 · error: {e:#}"),
            }
            std::process::ExitCode::from(2)
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve(args) => {
            let config = config_of(args.config.as_deref(), args.keys.clone())?;
            init_logs(&config.log_format);
            let url = config.effective_database_url();
            let backend = if url.starts_with("postgres") {
                "PostgreSQL"
            } else {
                "SQLite"
            };
            let app = App::build(config, args.demo).await?;
            println!("cedu 已启动 · listening on http://{}", app.addr);
            println!("数据库 · database: {backend}");
            if args.demo {
                println!(
                    "演示账号 · demo logins (密码 password: {}):",
                    demo::DEMO_PASSWORD
                );
                for (u, name, role, node) in demo::DEMO_LOGINS {
                    println!("  {u:<14} {name} · {} · {node}", role.as_str());
                }
            }
            app.run_until(shutdown_signal()).await?;
        }
        Command::Migrate(db) => {
            let config = db_config(&db)?;
            connect(&config).await?;
            println!("数据库已是最新结构 · migrations applied");
        }
        Command::Rollups(db) => {
            let config = db_config(&db)?;
            let db = connect(&config).await?;
            let started = std::time::Instant::now();
            let (months, people) = cedu::rollups::rebuild(&db).await?;
            let took = started.elapsed();
            let differences = cedu::rollups::differences(&db).await?;
            println!(
                "已重算统计:{months} 个单位·月,{people} 个居民·年,用时 {:.1} s;与实时统计{} · rollups rebuilt in {:.1} s",
                took.as_secs_f64(),
                if differences.is_empty() {
                    "一致"
                } else {
                    "不一致"
                },
                took.as_secs_f64()
            );
            if !differences.is_empty() {
                anyhow::bail!(
                    "roll-ups differ from the live count: {:?}",
                    &differences[..differences.len().min(10)]
                );
            }
        }
        Command::Demo(args) => {
            let config = db_config(&args.db)?;
            let db = connect(&config).await?;
            let opts = demo::DemoOptions {
                seed: args.seed,
                extra_towns: args.towns,
                extra_population: args.residents,
                residents_per_community: args.per_community,
            };
            if demo::load_if_empty(&db, &opts).await? {
                println!("演示数据已载入 · demo data loaded (seed {})", args.seed);
            } else {
                println!(
                    "数据库中已有区县数据,未重复载入 · the database already holds districts; nothing loaded"
                );
            }
        }
        Command::Admin {
            command:
                AdminCommand::Create {
                    db,
                    username,
                    display_name,
                    role,
                },
        } => {
            let role = access::Role::parse(&role).with_context(|| {
                format!("role \"{role}\": use system_admin, security_admin or audit_admin")
            })?;
            let config = db_config(&db)?;
            let pool = connect(&config).await?;
            let password = match std::env::var("CEDU_ADMIN_PASSWORD") {
                Ok(p) => p,
                Err(_) => {
                    if std::io::stdin().is_terminal() {
                        eprintln!("请输入新管理员密码 · enter the new administrator's password:");
                    }
                    let mut line = String::new();
                    std::io::stdin()
                        .lock()
                        .read_line(&mut line)
                        .context("reading the password from standard input")?;
                    line.trim_end_matches(['\r', '\n']).to_string()
                }
            };
            match accounts::create_founding_admin(
                &pool,
                role,
                &username,
                &display_name,
                &password,
                config.security_profile,
            )
            .await
            {
                Ok(u) => println!(
                    "已创建{} · created {} {}",
                    cedu::i18n::t(cedu::i18n::Lang::Zh, role.label_key()),
                    cedu::i18n::t(cedu::i18n::Lang::En, role.label_key()).to_lowercase(),
                    u.username
                ),
                Err(cedu::error::Error::Invalid(fe)) => {
                    for (field, msg) in &fe.0 {
                        eprintln!("{field}: {}", cedu::i18n::render(cedu::i18n::Lang::Zh, msg));
                    }
                    std::process::exit(2);
                }
                Err(cedu::error::Error::Conflict(m)) => {
                    eprintln!("{}", cedu::i18n::render(cedu::i18n::Lang::Zh, &m));
                    std::process::exit(2);
                }
                Err(e) => return Err(e.into()),
            }
        }
        Command::Import(args) => import(args).await?,
        #[cfg(feature = "bench")]
        Command::Bench { command } => cedu::bench::cli::run(command).await?,
        Command::Backup(args) => {
            let config = db_config(&args.db)?;
            let db = connect(&config).await?;
            backup::backup(&db, &config.effective_database_url(), &args.out).await?;
            println!("备份完成 · backup written to {}", args.out.display());
        }
        Command::Restore(args) => {
            let config = db_config(&args.db)?;
            if config.database_url.is_none() {
                config.prepare_data_dir()?;
            }
            let restored = backup::restore(&config.effective_database_url(), &args.from).await?;
            // Opening it once applies any newer migrations and proves it is usable.
            connect(&config).await?;
            println!("恢复完成 · restored from {}", args.from.display());
            if let Some(p) = restored.previous {
                println!(
                    "原数据库已保留 · the previous database was kept as {}",
                    p.display()
                );
            }
        }
    }
    Ok(())
}

/// `cedu import KIND FILE --town NAME`: check, show the report, confirm, import in one transaction.
async fn import(args: ImportArgs) -> anyhow::Result<()> {
    use cedu::importers::{self, Kind as ImportKind};
    let kind =
        ImportKind::parse(&args.kind).context("导入类型只能是 residents(居民)、households(家庭)、teachers(师资)、past_activities(已举办的活动)或 schedule(年度工作配档表) · kind must be residents, households, teachers, past_activities or schedule")?;
    let config = db_config(&args.db)?;
    let db = connect(&config).await?;
    let towns = cedu::org::list_nodes(
        &db,
        &cedu::access::Actor::command_line(),
        &cedu::org::NodeFilter {
            q: Some(args.town.clone()),
            kind: Some(cedu::org::Kind::Town),
            ..Default::default()
        },
        cedu::page::PageRequest::new(None, Some(50)),
    )
    .await?;
    let matching: Vec<_> = towns
        .items
        .into_iter()
        .filter(|t| t.name == args.town)
        .collect();
    let town = match matching.as_slice() {
        [t] => t.clone(),
        [] => anyhow::bail!(
            "没有名为“{}”的镇街 · no town or street named {}",
            args.town,
            args.town
        ),
        _ => anyhow::bail!(
            "有多个名为“{}”的镇街 · several towns are named {}",
            args.town,
            args.town
        ),
    };
    let actor = cedu::access::Actor::command_line_for_town(town.id, &town.path);
    let bar = indicatif::ProgressBar::new_spinner();
    if !std::io::stderr().is_terminal() {
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    let started = std::time::Instant::now();
    bar.set_message(format!("读取 {} · reading", args.file.display()));
    let bytes =
        std::fs::read(&args.file).with_context(|| format!("reading {}", args.file.display()))?;
    let name = args
        .file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let sheet = cedu::spreadsheet::read(&bytes, &name)?;
    bar.set_message(format!(
        "检查 {} 行 · checking rows",
        sheet.rows.len().saturating_sub(1)
    ));
    let batch = importers::preview(&db, &actor, kind, town.id, &name, &sheet).await?;
    bar.finish_and_clear();
    println!(
        "{}: {} 行数据 · rows, {} 行可导入 · valid, {} 行有问题 · with problems",
        town.name,
        batch.total_rows,
        batch.valid_rows,
        batch.errors.len()
    );
    for e in batch.errors.iter().take(20) {
        println!(
            "  第 {} 行 · row {} [{}] {}",
            e.row,
            e.row,
            e.column,
            e.message(cedu::i18n::Lang::Zh)
        );
    }
    if batch.errors.len() > 20 {
        println!("  … 另有 {} 条 · more", batch.errors.len() - 20);
    }
    if !batch.errors.is_empty() {
        let report = args.file.with_extension("errors.xlsx");
        std::fs::write(
            &report,
            cedu::spreadsheet::to_xlsx(&cedu::imports::report_table(&batch, cedu::i18n::Lang::Zh))?,
        )?;
        println!("错误报告 · error report: {}", report.display());
    }
    if batch.valid_rows == 0 {
        importers::cancel(&db, &actor, batch.id).await?;
        anyhow::bail!("没有可导入的行 · no valid rows");
    }
    if !args.yes {
        eprint!(
            "导入 {} 行?· import {} rows? [y/N] ",
            batch.valid_rows, batch.valid_rows
        );
        let mut answer = String::new();
        std::io::stdin().lock().read_line(&mut answer)?;
        if !matches!(answer.trim(), "y" | "Y" | "yes" | "是") {
            importers::cancel(&db, &actor, batch.id).await?;
            println!("已取消,未导入任何数据 · cancelled, nothing imported");
            return Ok(());
        }
    }
    let bar = indicatif::ProgressBar::new_spinner();
    if !std::io::stderr().is_terminal() {
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    bar.set_message(format!("导入 {} 行 · importing", batch.valid_rows));
    let n = importers::confirm(&db, &actor, batch.id).await?;
    bar.finish_and_clear();
    println!(
        "已导入 {n} 行 · imported {n} rows in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
