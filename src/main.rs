//! The `cedu` command: serve, migrate, demo, admin, backup.

use std::io::{BufRead, IsTerminal};
use std::net::IpAddr;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};

use cedu::app::{App, shutdown_signal};
use cedu::config::{Config, FileConfig, Overrides};
use cedu::db::Db;
use cedu::{access, backup, demo};

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
}

#[derive(Args, Clone)]
struct DbArgs {
    /// Configuration file (TOML); flags and CEDU_* variables override it.
    #[arg(long, env = "CEDU_CONFIG")]
    config: Option<PathBuf>,
    /// Data folder for the embedded SQLite database (created if missing).
    #[arg(long, env = "CEDU_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// Database URL: sqlite://PATH or postgres://USER@HOST/DB (default: SQLite in the data folder).
    #[arg(long, env = "CEDU_DATABASE_URL")]
    database_url: Option<String>,
}

#[derive(Args)]
struct ServeArgs {
    #[command(flatten)]
    db: DbArgs,
    /// Port to listen on (0 picks a free one).
    #[arg(long, env = "CEDU_PORT")]
    port: Option<u16>,
    /// Address to listen on.
    #[arg(long, env = "CEDU_BIND")]
    bind: Option<IpAddr>,
    /// Load the demo towns into an empty database (harmless on later starts).
    #[arg(long)]
    demo: bool,
    /// Mark cookies Secure with the __Host- prefix (set when served behind TLS).
    #[arg(long, env = "CEDU_SECURE_COOKIES")]
    secure_cookies: Option<bool>,
    /// Log format: text or json.
    #[arg(long, env = "CEDU_LOG_FORMAT")]
    log_format: Option<String>,
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
    /// Create the first system administrator (refused once any account exists). The password is read
    /// from CEDU_ADMIN_PASSWORD or from standard input.
    Create {
        #[command(flatten)]
        db: DbArgs,
        #[arg(long)]
        username: String,
        #[arg(long, default_value = "系统管理员")]
        display_name: String,
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

fn config_of(db: &DbArgs, over: Overrides) -> anyhow::Result<Config> {
    let file = match &db.config {
        Some(p) => FileConfig::read(p)?,
        None => FileConfig::default(),
    };
    let over = Overrides {
        data_dir: db.data_dir.clone(),
        database_url: db.database_url.clone(),
        ..over
    };
    Ok(Config::layered(file, over)?)
}

async fn connect(config: &Config) -> anyhow::Result<Db> {
    if config.database_url.is_none() {
        config.prepare_data_dir()?;
    }
    let db = Db::connect(&config.effective_database_url()).await?;
    db.migrate().await?;
    cedu::org::ensure_root(&db).await?;
    Ok(db)
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
            // A refusal is shown as the clerk would read it; anything else with its chain of causes.
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
            let over = Overrides {
                port: args.port,
                bind: args.bind,
                secure_cookies: args.secure_cookies,
                log_format: args.log_format.clone(),
                ..Default::default()
            };
            let config = config_of(&args.db, over)?;
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
            let config = config_of(&db, Overrides::default())?;
            connect(&config).await?;
            println!("数据库已是最新结构 · migrations applied");
        }
        Command::Demo(args) => {
            let config = config_of(&args.db, Overrides::default())?;
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
                },
        } => {
            let config = config_of(&db, Overrides::default())?;
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
            match access::create_first_admin(&pool, &username, &display_name, &password).await {
                Ok(u) => println!(
                    "已创建系统管理员 · created system administrator {}",
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
        Command::Backup(args) => {
            let config = config_of(&args.db, Overrides::default())?;
            let db = connect(&config).await?;
            backup::backup(&db, &config.effective_database_url(), &args.out).await?;
            println!("备份完成 · backup written to {}", args.out.display());
        }
    }
    Ok(())
}
