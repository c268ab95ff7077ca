//! The `lendline` command line: `serve` (default), `token`, `migrate`, `scoring`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};

use crate::app::{Application, Database};
use crate::auth::keys::JwtKeys;
use crate::auth::{Claims, Role};
use crate::cli_scoring::ScoringArgs;
use crate::config::Config;

#[derive(Debug, Parser)]
#[command(
    name = "lendline",
    version,
    about = "Lendline: supply-chain financing and merchant lending"
)]
pub struct Cli {
    /// TOML configuration file (environment variables and flags override it).
    #[arg(long, global = true, env = "LENDLINE_CONFIG")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Start the HTTP server (the default). Without DATABASE_URL, a private PostgreSQL cluster
    /// is created and started under the data directory.
    Serve(ServeArgs),
    /// Print a bearer token that a server with the same configuration accepts.
    Token(TokenArgs),
    /// Apply pending database migrations and exit.
    Migrate(DataDirArg),
    /// Credit scorecards offline: train one from CSV, evaluate one on CSV.
    Scoring(ScoringArgs),
    /// Run end of day for a business date (accrual, aging, freezes, reminders); a second run
    /// for the same date changes nothing.
    Eod(EodArgs),
}

#[derive(Debug, Args)]
pub struct EodArgs {
    /// The business date, YYYY-MM-DD [default: the platform's business date].
    #[arg(long)]
    pub date: Option<chrono::NaiveDate>,
    #[command(flatten)]
    pub data_dir: DataDirArg,
}

#[derive(Debug, Args, Default)]
pub struct DataDirArg {
    /// Data directory for the embedded database and the token secret [default: ./.lendline].
    #[arg(long, env = "LENDLINE_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
}

#[derive(Debug, Args, Default)]
pub struct ServeArgs {
    /// Address to listen on [default: 127.0.0.1:8080].
    #[arg(long, env = "LENDLINE_BIND")]
    pub bind: Option<String>,
    /// Address of the management listener serving `/metrics` [default: 127.0.0.1:9090].
    #[arg(long, env = "LENDLINE_MANAGEMENT_BIND")]
    pub management_bind: Option<String>,
    #[command(flatten)]
    pub data_dir: DataDirArg,
}

#[derive(Debug, Args)]
pub struct TokenArgs {
    #[arg(long, value_enum)]
    pub role: Role,
    /// Party id for merchant/supplier/core_enterprise/shopper; the staff member's id for staff;
    /// the bank's own id for a financier.
    #[arg(long)]
    pub party: String,
    #[command(flatten)]
    pub data_dir: DataDirArg,
    /// Lifetime, e.g. 15m, 1h (at most `jwt.max_lifetime`, 24h by default).
    #[arg(long, default_value = "1h", value_parser = humantime::parse_duration)]
    pub ttl: std::time::Duration,
    /// Print a sign-in link to the console (`http://<bind>/console/#token=…`) instead of the
    /// bare token.
    #[arg(long)]
    pub link: bool,
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    crate::telemetry::init();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn load_config(cli_config: Option<&PathBuf>, data_dir: &DataDirArg) -> anyhow::Result<Config> {
    let mut config = Config::load(cli_config.map(PathBuf::as_path), &|k| std::env::var(k).ok())?;
    if let Some(dir) = &data_dir.data_dir {
        config.data_dir = dir.clone();
    }
    Ok(config)
}

fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command.unwrap_or(Command::Serve(ServeArgs::default())) {
        Command::Serve(args) => {
            let mut config = load_config(cli.config.as_ref(), &args.data_dir)?;
            if let Some(bind) = args.bind {
                config.bind = bind;
            }
            if let Some(bind) = args.management_bind {
                config.management_bind = bind;
            }
            serve(config)
        }
        Command::Token(args) => {
            let config = load_config(cli.config.as_ref(), &args.data_dir)?;
            let token = mint_token(&config, args.role, &args.party, args.ttl)?;
            if args.link {
                println!("{}", crate::console::sign_in_link(&config.bind, &token));
            } else {
                println!("{token}");
            }
            Ok(())
        }
        Command::Migrate(args) => {
            let config = load_config(cli.config.as_ref(), &args)?;
            let database = Database::open(&config)?;
            let applied = migrate_with_progress(&database);
            database.close()?;
            println!("{} migration(s) applied", applied?);
            Ok(())
        }
        Command::Scoring(args) => crate::cli_scoring::run(args),
        Command::Eod(args) => {
            let config = load_config(cli.config.as_ref(), &args.data_dir)?;
            let database = Database::open(&config)?;
            let progress = crate::progress::Progress::new("end of day", Some(2));
            let outcome = run_eod(&database, args.date, &config, &progress);
            progress.finish(if outcome.is_ok() { "done" } else { "failed" });
            database.close()?;
            match outcome? {
                (date, Some(stats)) => println!("end of day {date}: {stats:?}"),
                (date, None) => println!("end of day {date} had already run: nothing changed"),
            }
            Ok(())
        }
    }
}

fn run_eod(
    database: &Database,
    date: Option<chrono::NaiveDate>,
    config: &Config,
    progress: &crate::progress::Progress,
) -> anyhow::Result<(chrono::NaiveDate, Option<persistence::loans_eod::EodStats>)> {
    progress.step("applying pending migrations");
    database.migrate()?;
    let mut conn = persistence::db::connect(&database.url)?;
    let now = chrono::Utc::now();
    progress.step("end of day: accrual, aging, freezes and reminders");
    // End of day seals no checkpoint; no request shares this policy.
    let policy = crate::usecases::context::Policy::new(
        config.loans.clone(),
        crate::config::AuditConfig::default(),
        std::time::Duration::from_millis(config.database.cache_ms),
    );
    crate::unattended::run(&mut conn, "system:eod", &policy, now, |ctx| {
        crate::usecases::day::eod::end_of_day(ctx, date)
    })
    .map_err(|e| anyhow::anyhow!("end of day failed: {}", crate::telemetry::error_chain(&e)))
}

/// `lendline migrate`: one migration at a time, so a long one shows which it is.
fn migrate_with_progress(database: &Database) -> anyhow::Result<usize> {
    let mut conn = persistence::db::connect(&database.url)?;
    let pending = persistence::db::pending_migrations(&mut conn)?;
    let total = u64::try_from(pending).unwrap_or(u64::MAX).saturating_add(1);
    let progress = crate::progress::Progress::new("migrate", Some(total));
    let applied = persistence::db::run_migrations_reporting(&mut conn, |name| progress.step(name));
    progress.finish(if applied.is_ok() { "done" } else { "failed" });
    Ok(applied?)
}

fn serve(config: Config) -> anyhow::Result<()> {
    tracing::info!("effective configuration:\n{config}");
    crate::memory::limit_arenas();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(async move {
        let app = Application::build(config)?;
        tracing::info!(
            port = app.port(),
            management_port = app.management_port(),
            "Lendline is serving"
        );
        app.run_until_stopped().await
    })
}

/// Business roles must name a party id; staff and financiers a short id of their own. A
/// lifetime above `jwt.max_lifetime` is refused: the server would refuse the token anyway.
pub fn mint_token(
    config: &Config,
    role: Role,
    party: &str,
    ttl: std::time::Duration,
) -> anyhow::Result<String> {
    if role.party_kind().is_some() {
        uuid::Uuid::parse_str(party).context("--party must be a party id (UUID) for this role")?;
    } else {
        anyhow::ensure!(
            crate::auth::is_valid_own_id(party),
            "--party for {} must be 1-64 characters of [A-Za-z0-9-_.@]",
            role.as_str()
        );
    }
    anyhow::ensure!(
        ttl <= config.jwt.max_lifetime,
        "--ttl {} is above jwt.max_lifetime ({})",
        humantime::format_duration(ttl),
        humantime::format_duration(config.jwt.max_lifetime)
    );
    let now = chrono::Utc::now().timestamp();
    let ttl_seconds = i64::try_from(ttl.as_secs()).context("--ttl is too long")?;
    let claims = Claims {
        sub: party.to_string(),
        role,
        iss: config.jwt.issuer.clone(),
        aud: config.jwt.audience.clone(),
        iat: now,
        exp: now.saturating_add(ttl_seconds),
        nbf: None,
    };
    Ok(JwtKeys::from_config(config)?.sign(&claims)?)
}
