//! Effective configuration: built-in defaults, then an optional TOML file, then environment
//! variables, then command-line flags (each layer overrides the one before).

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub bind: String,
    /// The management listener (`/metrics`): kept off the API port so that operational data
    /// is reachable only where the operator chooses (loopback by default).
    pub management_bind: String,
    pub data_dir: PathBuf,
    /// `None` means the embedded default: a private PostgreSQL cluster under `data_dir`.
    pub database_url: Option<String>,
    pub run_migrations: bool,
    pub pool_size: u32,
    /// Where to find `initdb`/`pg_ctl`/`postgres`; searched on PATH and the usual places if unset.
    pub pg_bin_dir: Option<PathBuf>,
    pub jwt: JwtConfig,
    pub smtp: SmtpConfig,
    pub limits: Limits,
    pub audit: AuditConfig,
    pub idempotency: IdempotencyConfig,
    pub loans: LoansConfig,
    pub admission: AdmissionConfig,
    pub database: DatabaseConfig,
    pub group_commit: GroupCommitConfig,
    /// On SIGTERM: how long requests and the email in flight may take to finish before the
    /// server stops anyway (an email cut short is sent again later, with its Message-ID).
    pub shutdown_grace_seconds: u64,
}

/// Load shedding: how much work the server takes on at once before it answers 503.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AdmissionConfig {
    /// Requests that may move money or change state (POST, PUT, DELETE) at once.
    pub max_in_flight_writes: usize,
    /// Reads (GET) at once; a separate budget so that a flood of one cannot starve the other.
    pub max_in_flight_reads: usize,
    /// The average latency the writes' bound aims at (see `api/src/concurrency.rs`): slower,
    /// and fewer writes are let in at once, down to `min_in_flight_writes`; 0 keeps the bound
    /// fixed at `max_in_flight_writes`.
    pub write_latency_target_ms: u64,
    /// The least the adaptive bound on writes goes down to.
    pub min_in_flight_writes: usize,
    /// The `Retry-After` a shed request is given.
    pub retry_after_seconds: u32,
    /// How long a request's body may take to arrive. It is read before the request takes its
    /// permit, so a slow or stalled upload holds a connection, never a place in flight; past
    /// this, 408.
    pub body_timeout_ms: std::num::NonZeroU64,
}

impl Default for AdmissionConfig {
    fn default() -> Self {
        AdmissionConfig {
            max_in_flight_writes: 32,
            max_in_flight_reads: 64,
            // About three times an unloaded decision (2–3 ms on the 2-core bench machine):
            // measured there at 3x capacity, accepted p99 22–47 ms against 79–85 ms with a
            // 25 ms target, for about a tenth fewer decisions accepted. A deployment whose
            // decisions take longer unloaded (a Citus cluster: tens of ms) needs no other
            // setting: the bound aims at three times its baseline when that is more.
            write_latency_target_ms: 8,
            min_in_flight_writes: 4,
            retry_after_seconds: 1,
            // A 64 KB body takes well under a second on a slow mobile link.
            body_timeout_ms: const { std::num::NonZeroU64::new(5_000).unwrap() },
        }
    }
}

/// Group commit: concurrent writes committed together (see `api/src/group_commit.rs`).
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GroupCommitConfig {
    /// Writes go to a lane by their party; each lane runs one batch at a time, so this bounds
    /// the connections writes hold. 0 turns group commit off (one transaction per write).
    pub lanes: usize,
    /// The most writes one batch commits.
    pub max_batch: usize,
}

impl Default for GroupCommitConfig {
    fn default() -> Self {
        GroupCommitConfig {
            lanes: 8,
            max_batch: 16,
        }
    }
}

/// Deadlines on every database interaction, so a slow or dead database fails requests fast.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DatabaseConfig {
    /// How long a request waits for a pooled connection before it is answered 503.
    pub acquire_timeout_ms: u64,
    pub connect_timeout_seconds: u32,
    pub statement_timeout_ms: u64,
    pub lock_timeout_ms: u64,
    /// How long the business date and the scoring assignments are reused before they are read
    /// again: a change made through another instance is seen within it (one made through
    /// this instance at once).
    pub cache_ms: u64,
    /// Pooled connections kept open while idle; the others close after
    /// `idle_timeout_seconds` idle (within 30 s more), and open again when the load returns.
    pub min_idle: u32,
    pub idle_timeout_seconds: u64,
}

impl Default for DatabaseConfig {
    fn default() -> Self {
        DatabaseConfig {
            acquire_timeout_ms: 500,
            connect_timeout_seconds: 2,
            statement_timeout_ms: 5_000,
            lock_timeout_ms: 2_000,
            cache_ms: 1_000,
            min_idle: 4,
            idle_timeout_seconds: 20,
        }
    }
}

impl Config {
    /// The pool's settings: its size from `pool_size`, its deadlines from `[database]`.
    pub fn pool_settings(&self) -> persistence::PoolSettings {
        persistence::PoolSettings {
            size: self.pool_size,
            acquire_timeout: std::time::Duration::from_millis(self.database.acquire_timeout_ms),
            connect_timeout_seconds: self.database.connect_timeout_seconds,
            statement_timeout_ms: self.database.statement_timeout_ms,
            lock_timeout_ms: self.database.lock_timeout_ms,
            min_idle: self.database.min_idle,
            idle_timeout: std::time::Duration::from_secs(self.database.idle_timeout_seconds),
        }
    }
}

/// Lending policy that operators tune without a release.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LoansConfig {
    /// Approvals of referred cases above this amount need a second officer.
    #[serde(with = "rust_decimal::serde::str")]
    pub four_eyes_above: rust_decimal::Decimal,
    /// A line freezes while any of its loans is more than this many days past due.
    pub freeze_after_dpd: i32,
    /// Risk officers may write a loan off from this many days past due.
    pub write_off_after_dpd: i32,
    /// Penalty interest per day on overdue principal.
    #[serde(with = "rust_decimal::serde::str")]
    pub penalty_rate_daily: rust_decimal::Decimal,
    pub min_tenor_days: i32,
    pub max_tenor_days: i32,
    /// How long an approved line stays open.
    pub line_validity_days: i64,
    /// Reminder emails go out this many days before an installment falls due.
    pub reminder_days_before_due: i64,
    /// Wall-clock time (UTC) at which the server runs end of day for the business date and
    /// moves to the next; unset: end of day only runs when asked (`lendline eod`, the API).
    pub eod_at: Option<chrono::NaiveTime>,
}

impl Default for LoansConfig {
    fn default() -> Self {
        LoansConfig {
            four_eyes_above: rust_decimal::Decimal::new(20_000, 0),
            freeze_after_dpd: 15,
            write_off_after_dpd: 90,
            penalty_rate_daily: rust_decimal::Decimal::new(5, 4),
            min_tenor_days: 7,
            max_tenor_days: 180,
            line_validity_days: 365,
            reminder_days_before_due: 3,
            eod_at: chrono::NaiveTime::from_hms_opt(23, 30, 0),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuditConfig {
    /// How often the server seals a checkpoint over the chain heads that moved (0: never).
    pub checkpoint_interval_seconds: u64,
    /// Outside auditors who receive by email the last checkpoint of every sealing round (and
    /// every checkpoint sealed on request); it vouches for the ones before it.
    pub auditor_emails: Vec<String>,
    /// The most chain heads one checkpoint covers; a round seals as many checkpoints as the
    /// heads that moved need (see `persistence::audit::create_checkpoint`).
    pub checkpoint_max_chains: std::num::NonZeroU32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct IdempotencyConfig {
    /// How long a retry waits for a still-running first request before answering 409.
    pub wait_ms: u64,
    /// Keys are kept at least this long, then purged.
    pub retention_hours: u64,
}

impl Default for AuditConfig {
    fn default() -> Self {
        AuditConfig {
            checkpoint_interval_seconds: 300,
            auditor_emails: Vec::new(),
            checkpoint_max_chains: const { std::num::NonZeroU32::new(5_000).unwrap() },
        }
    }
}

impl Default for IdempotencyConfig {
    fn default() -> Self {
        IdempotencyConfig {
            wait_ms: 5_000,
            retention_hours: 24,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct JwtConfig {
    pub issuer: String,
    pub audience: String,
    /// HS256 secret (at least 32 bytes). Unset: a secret generated once into the data dir.
    pub secret: Option<String>,
    /// RS256 instead of HS256: PEM public key to verify with, private key to mint with.
    pub rsa_public_key_file: Option<PathBuf>,
    pub rsa_private_key_file: Option<PathBuf>,
    /// The longest lifetime (`exp - iat`) a token may have, e.g. `"24h"`: a leaked token is
    /// worth at most this long, and tokens minted for longer are refused, not shortened.
    #[serde(deserialize_with = "human_duration")]
    pub max_lifetime: std::time::Duration,
}

/// A duration written for people (`"15m"`, `"24h"`, `"7d"`).
fn human_duration<'de, D>(deserializer: D) -> Result<std::time::Duration, D::Error>
where
    D: serde::Deserializer<'de>,
{
    let text = String::deserialize(deserializer)?;
    humantime::parse_duration(&text).map_err(serde::de::Error::custom)
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SmtpConfig {
    /// Unset: emails are appended to the day's mailbox, `data_dir/mail/<UTC date>.mbox`.
    pub host: Option<String>,
    pub port: u16,
    pub username: Option<String>,
    pub password: Option<String>,
    pub from: String,
    /// `none`, `starttls` or `tls`.
    pub tls: String,
    /// How often the outbox worker looks for due emails when it has nothing to do. Short, so
    /// that mail leaves steadily: with 1 s, the worker slept a second whenever it caught up,
    /// and at the peak then delivered a second's worth of mail at once (a saw-tooth of 300–700
    /// waiting emails after every spike on the benchmark, in step with its slow windows); with
    /// 100 ms, at most a few dozen wait. An idle look is one indexed query.
    pub poll_interval_ms: u64,
    /// Delivery attempts before an email is parked as `failed`.
    pub max_attempts: u32,
    /// The wait after a first failed attempt; it doubles after each further one.
    pub backoff_base_ms: u64,
    /// The longest one message's delivery may take, whole conversation included: a server that
    /// accepts the connection and then says nothing costs one failed attempt, not the worker.
    pub message_deadline_ms: u64,
}

impl Default for SmtpConfig {
    fn default() -> Self {
        SmtpConfig {
            host: None,
            port: 25,
            username: None,
            password: None,
            from: "Lendline <no-reply@lendline.local>".into(),
            tls: "none".into(),
            poll_interval_ms: 100,
            max_attempts: 8,
            backoff_base_ms: 30_000,
            message_deadline_ms: 60_000,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    pub body_bytes: usize,
    pub max_page_size: i64,
    pub default_page_size: i64,
    /// Sustained requests per second allowed from one client address (0: no limit); above
    /// it, 429 with `Retry-After`.
    pub requests_per_second: u32,
    /// Requests a client may send in a burst above the sustained rate.
    pub burst: u32,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            bind: "127.0.0.1:8080".into(),
            management_bind: "127.0.0.1:9090".into(),
            data_dir: PathBuf::from("./.lendline"),
            database_url: None,
            run_migrations: true,
            pool_size: 16,
            pg_bin_dir: None,
            jwt: JwtConfig::default(),
            smtp: SmtpConfig::default(),
            limits: Limits::default(),
            audit: AuditConfig::default(),
            idempotency: IdempotencyConfig::default(),
            loans: LoansConfig::default(),
            admission: AdmissionConfig::default(),
            database: DatabaseConfig::default(),
            group_commit: GroupCommitConfig::default(),
            shutdown_grace_seconds: 10,
        }
    }
}

impl Default for JwtConfig {
    fn default() -> Self {
        JwtConfig {
            issuer: "lendline".into(),
            audience: "lendline-api".into(),
            secret: None,
            rsa_public_key_file: None,
            rsa_private_key_file: None,
            max_lifetime: std::time::Duration::from_secs(24 * 3600),
        }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            body_bytes: 64 * 1024,
            max_page_size: 100,
            default_page_size: 50,
            requests_per_second: 2_000,
            burst: 4_000,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {reason}")]
    File { path: PathBuf, reason: String },
    #[error("environment variable {name}: {reason}")]
    Env { name: &'static str, reason: String },
}

/// Reads process environment through a function so tests can supply their own.
pub type EnvLookup<'a> = &'a dyn Fn(&str) -> Option<String>;

impl Config {
    /// Loads defaults, the TOML file (if any) and the environment.
    pub fn load(file: Option<&Path>, env: EnvLookup<'_>) -> Result<Config, ConfigError> {
        let mut config = match file {
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|e| ConfigError::File {
                    path: path.into(),
                    reason: e.to_string(),
                })?;
                toml::from_str(&text).map_err(|e| ConfigError::File {
                    path: path.into(),
                    reason: e.to_string(),
                })?
            }
            None => Config::default(),
        };
        config.apply_env(env)?;
        Ok(config)
    }

    fn apply_env(&mut self, env: EnvLookup<'_>) -> Result<(), ConfigError> {
        let set = |name: &str| env(name).filter(|v| !v.is_empty());
        if let Some(v) = set("LENDLINE_BIND") {
            self.bind = v;
        }
        if let Some(v) = set("LENDLINE_MANAGEMENT_BIND") {
            self.management_bind = v;
        }
        if let Some(v) = set("LENDLINE_DATA_DIR") {
            self.data_dir = v.into();
        }
        if let Some(v) = set("DATABASE_URL") {
            self.database_url = Some(v);
        }
        if let Some(v) = set("LENDLINE_RUN_MIGRATIONS") {
            self.run_migrations = parse_env("LENDLINE_RUN_MIGRATIONS", &v)?;
        }
        if let Some(v) = set("LENDLINE_POOL_SIZE") {
            self.pool_size = parse_env("LENDLINE_POOL_SIZE", &v)?;
        }
        if let Some(v) = set("LENDLINE_PG_BIN_DIR") {
            self.pg_bin_dir = Some(v.into());
        }
        if let Some(v) = set("LENDLINE_JWT_SECRET") {
            self.jwt.secret = Some(v);
        }
        if let Some(v) = set("LENDLINE_JWT_ISSUER") {
            self.jwt.issuer = v;
        }
        if let Some(v) = set("LENDLINE_JWT_AUDIENCE") {
            self.jwt.audience = v;
        }
        if let Some(v) = set("LENDLINE_SMTP_HOST") {
            self.smtp.host = Some(v);
        }
        if let Some(v) = set("LENDLINE_SMTP_PORT") {
            self.smtp.port = parse_env("LENDLINE_SMTP_PORT", &v)?;
        }
        if let Some(v) = set("LENDLINE_SMTP_USERNAME") {
            self.smtp.username = Some(v);
        }
        if let Some(v) = set("LENDLINE_SMTP_PASSWORD") {
            self.smtp.password = Some(v);
        }
        if let Some(v) = set("LENDLINE_SMTP_FROM") {
            self.smtp.from = v;
        }
        if let Some(v) = set("LENDLINE_SMTP_TLS") {
            self.smtp.tls = v;
        }
        Ok(())
    }
}

fn parse_env<T: std::str::FromStr>(name: &'static str, value: &str) -> Result<T, ConfigError>
where
    T::Err: fmt::Display,
{
    value.parse().map_err(|e: T::Err| ConfigError::Env {
        name,
        reason: e.to_string(),
    })
}

fn mask(secret: &Option<String>) -> &'static str {
    if secret.is_some() {
        "***"
    } else {
        "(unset)"
    }
}

/// Masks the password in a database URL (`postgres://user:secret@host` → `user:***@host`).
fn mask_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let creds = &url[scheme_end + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// The effective configuration as printed at start: secrets masked.
impl fmt::Display for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let db = match &self.database_url {
            Some(url) => mask_url(url),
            None => format!("embedded cluster under {}", self.data_dir.display()),
        };
        writeln!(f, "bind = {}", self.bind)?;
        writeln!(f, "management_bind = {}", self.management_bind)?;
        writeln!(f, "data_dir = {}", self.data_dir.display())?;
        writeln!(f, "database = {db}")?;
        writeln!(f, "run_migrations = {}", self.run_migrations)?;
        writeln!(f, "pool_size = {}", self.pool_size)?;
        writeln!(
            f,
            "admission.max_in_flight_writes = {}, admission.max_in_flight_reads = {}",
            self.admission.max_in_flight_writes, self.admission.max_in_flight_reads
        )?;
        writeln!(f, "jwt.issuer = {}", self.jwt.issuer)?;
        writeln!(f, "jwt.audience = {}", self.jwt.audience)?;
        writeln!(f, "jwt.secret = {}", mask(&self.jwt.secret))?;
        writeln!(
            f,
            "jwt.max_lifetime = {}",
            humantime::format_duration(self.jwt.max_lifetime)
        )?;
        let smtp_host = self.smtp.host.as_deref().unwrap_or("(unset: files)");
        writeln!(f, "smtp.host = {smtp_host}:{}", self.smtp.port)?;
        writeln!(f, "smtp.password = {}", mask(&self.smtp.password))?;
        write!(
            f,
            "limits.body_bytes = {}, limits.max_page_size = {}",
            self.limits.body_bytes, self.limits.max_page_size
        )
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use std::collections::HashMap;

    fn env_of(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn environment_overrides_the_toml_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("lendline.toml");
        std::fs::write(&file, "bind = \"0.0.0.0:9000\"\npool_size = 4\n").unwrap();
        let env = env_of(&[("LENDLINE_POOL_SIZE", "7")]);
        let config = Config::load(Some(&file), &|k| env.get(k).cloned()).unwrap();
        assert_eq!(config.bind, "0.0.0.0:9000");
        assert_eq!(config.pool_size, 7);
    }

    #[test]
    fn unknown_keys_in_the_file_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("lendline.toml");
        std::fs::write(&file, "bnid = \"typo\"\n").unwrap();
        assert!(Config::load(Some(&file), &|_| None).is_err());
    }

    #[test]
    fn printed_configuration_masks_secrets() {
        let env = env_of(&[
            (
                "DATABASE_URL",
                "postgres://app:hunter2@db.internal/lendline",
            ),
            ("LENDLINE_JWT_SECRET", "0123456789abcdef0123456789abcdef"),
            ("LENDLINE_SMTP_PASSWORD", "mailpass"),
        ]);
        let printed = Config::load(None, &|k| env.get(k).cloned())
            .unwrap()
            .to_string();
        assert!(!printed.contains("hunter2"), "{printed}");
        assert!(!printed.contains("0123456789abcdef"), "{printed}");
        assert!(!printed.contains("mailpass"), "{printed}");
        assert!(
            printed.contains("postgres://app:***@db.internal/lendline"),
            "{printed}"
        );
    }

    #[test]
    fn the_shipped_example_configuration_loads() {
        let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../deploy/lendline.toml.example");
        let config = Config::load(Some(&example), &|_| None).unwrap();
        assert_eq!(config.pool_size, 32);
    }
}
