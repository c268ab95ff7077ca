//! The application: database (embedded or external), state, HTTP server, and orderly shutdown.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::{Server, ServerHandle};
use actix_web::http::header;
use actix_web::{middleware, web, App, HttpServer};
use anyhow::Context;
use persistence::embedded::{ClusterOptions, EmbeddedPostgres};

use crate::admission::Admission;
use crate::auth::keys::JwtKeys;
use crate::config::Config;
use crate::error::ApiError;
use crate::mail::transport::Mailer;
use crate::mail::worker::MailWorker;
use crate::metrics::Metrics;
use crate::state::AppState;
use crate::supervisor::Supervisor;
use crate::{extract, routes};

const EMBEDDED_DATABASE: &str = "lendline";

/// Where the data lives: the URL to connect to and, in the embedded default, the cluster that
/// this process must stop when it is done.
pub struct Database {
    pub url: String,
    embedded: Option<(Arc<EmbeddedPostgres>, Supervisor)>,
}

impl Database {
    /// Uses `DATABASE_URL` when configured, else starts (or reuses) the embedded cluster.
    pub fn open(config: &Config) -> anyhow::Result<Database> {
        if let Some(url) = &config.database_url {
            return Ok(Database {
                url: url.clone(),
                embedded: None,
            });
        }
        let options = ClusterOptions {
            bin_dir: config.pg_bin_dir.clone(),
            ..ClusterOptions::default()
        };
        let cluster = Arc::new(EmbeddedPostgres::start(&config.data_dir, &options)?);
        let created =
            persistence::db::create_database(&cluster.url("postgres"), EMBEDDED_DATABASE, None)
                .context("creating the lendline database");
        if let Err(e) = created {
            // Leave no cluster running that no one watches.
            if let Err(stop) = cluster.stop() {
                tracing::warn!(error = %stop, "could not stop the embedded cluster");
            }
            return Err(e);
        }
        let supervisor = Supervisor::spawn(Arc::clone(&cluster), options)?;
        Ok(Database {
            url: cluster.url(EMBEDDED_DATABASE),
            embedded: Some((cluster, supervisor)),
        })
    }

    pub fn migrate(&self) -> anyhow::Result<usize> {
        let mut conn = persistence::db::connect(&self.url)?;
        Ok(persistence::db::run_migrations(&mut conn)?)
    }

    /// Stops the embedded cluster if this process started it.
    pub fn close(self) -> anyhow::Result<()> {
        if let Some((cluster, supervisor)) = self.embedded {
            supervisor.stop();
            cluster.stop()?;
            tracing::info!("embedded PostgreSQL stopped");
        }
        Ok(())
    }
}

/// What the database is, read once at start: the shards of a Citus cluster (shards are split
/// or moved by an operator, and a stale map only batches writes of two shards together), and
/// whether it is known to be plain PostgreSQL. Neither when the database cannot tell now:
/// group commit then batches by party hash, and email is written on its own.
fn layout(url: &str) -> (Option<persistence::shards::ShardMap>, bool) {
    let read = persistence::db::connect(url).and_then(|mut conn| {
        if persistence::shards::is_citus(&mut conn)? {
            Ok((true, persistence::shards::ShardMap::read(&mut conn)?))
        } else {
            Ok((false, None))
        }
    });
    match read {
        Ok((false, _)) => (None, true),
        Ok((true, map)) => {
            if let Some(map) = &map {
                tracing::info!(shards = map.count(), "Citus: group commit batches by shard");
            }
            (map, false)
        }
        Err(error) => {
            tracing::warn!(%error, "could not tell the database's layout; batching by party");
            (None, false)
        }
    }
}

pub struct Application {
    port: u16,
    server: Server,
    management_port: u16,
    management: Server,
    database: Database,
    mail: MailWorker,
    grace: std::time::Duration,
}

impl Application {
    /// Opens the database, runs migrations (unless disabled) and binds the listener.
    pub fn build(config: Config) -> anyhow::Result<Application> {
        let database = Database::open(&config)?;
        match Self::start(&config, &database) {
            Ok(started) => Ok(Application {
                port: started.port,
                server: started.server,
                management_port: started.management_port,
                management: started.management,
                database,
                mail: started.mail,
                grace: std::time::Duration::from_secs(config.shutdown_grace_seconds),
            }),
            Err(e) => {
                // Leave no orphan cluster behind when start-up fails half-way.
                if let Err(close_error) = database.close() {
                    tracing::warn!(error = %close_error, "could not stop the embedded cluster");
                }
                Err(e)
            }
        }
    }

    // Over 70 lines: the start-up sequence in the order it happens (pools, state, jobs,
    // listeners); splitting it would scatter that order. To split when it next grows.
    fn start(config: &Config, database: &Database) -> anyhow::Result<Started> {
        if config.run_migrations {
            let applied = database.migrate().context("running migrations")?;
            tracing::info!(applied, "migrations up to date");
        }
        let pool = persistence::pool::build_pool(&database.url, &config.pool_settings());
        let mailer = Mailer::from_config(&config.smtp, &config.data_dir)?;
        let side_pool = |size, statement_timeout_ms, lock_timeout_ms| {
            persistence::pool::build_pool(
                &database.url,
                &persistence::PoolSettings {
                    size,
                    statement_timeout_ms,
                    lock_timeout_ms,
                    ..config.pool_settings()
                },
            )
        };
        let (shards, plain) = layout(&database.url);
        let state = web::Data::new(AppState {
            pool,
            probe_pool: side_pool(1, 1_000, 1_000),
            keys: JwtKeys::from_config(config)?,
            limits: config.limits.clone(),
            metrics: Metrics::new()?,
            idempotency_wait_ms: config.idempotency.wait_ms,
            policy: std::sync::Arc::new(crate::usecases::context::Policy {
                writes_ride: plain,
                ..crate::usecases::context::Policy::new(
                    config.loans.clone(),
                    config.audit.clone(),
                    Duration::from_millis(config.database.cache_ms),
                )
            }),
            limiter: crate::rate_limit::ClientLimiter::from_limits(&config.limits),
            admission: Admission::new(&config.admission),
            party_kinds: Default::default(),
            shards,
            group_commit: (config.group_commit.lanes > 0).then(|| {
                Arc::new(crate::group_commit::GroupCommit::new(
                    config.group_commit.lanes,
                    config.group_commit.max_batch,
                ))
            }),
        });
        // Email and periodic jobs get pools of their own: at the peak they must not take
        // connections from decisions, a flood of decisions must not starve them, and a long end
        // of day must not hold up email. End of day over a large book is one long transaction,
        // and may wait for the rows it ages: no statement or lock deadline there.
        crate::jobs::spawn(side_pool(2, 0, 0), config, Arc::clone(&state.policy));
        crate::memory::spawn_trimmer(state.metrics.clone());
        state.admission.spawn_ticker(state.metrics.clone());
        let listener =
            TcpListener::bind(&config.bind).with_context(|| format!("binding {}", config.bind))?;
        let port = listener.local_addr()?.port();
        let (management_port, management) = management_server(config, state.clone())?;
        let body_limit = config.limits.body_bytes;
        let workers = std::thread::available_parallelism().map_or(1, usize::from);
        let max_connections = crate::open_files::connections_per_worker(
            crate::open_files::raise_to_hard_limit(),
            workers,
        );
        let server = HttpServer::new(move || {
            App::new()
                .app_data(state.clone())
                .app_data(extract::json_config(body_limit))
                .app_data(extract::path_config())
                .app_data(extract::query_config())
                .wrap(middleware::from_fn(crate::text::refuse_nul_in_uri))
                .wrap(middleware::from_fn(crate::rate_limit::limit))
                .wrap(middleware::from_fn(crate::metrics::track))
                .wrap(middleware::from_fn(crate::edge::header_limits))
                .wrap(middleware::Logger::new("%r %s %Dms").log_target("lendline::http"))
                .wrap(middleware::from_fn(crate::admission::admit))
                // Outermost, so every response has it (an error, a 401 of the gate, a 429, an
                // unknown path's 404): no browser may reinterpret a JSON body, say an error
                // echoing client text, as HTML or script. Middlewares answer refusals as
                // responses rather than errors so that this applies to them too.
                .wrap(
                    middleware::DefaultHeaders::new()
                        .add((header::X_CONTENT_TYPE_OPTIONS, "nosniff")),
                )
                .configure(routes::configure)
                .default_service(web::to(crate::edge::unmatched))
        })
        .workers(workers)
        // Signals are ours (`run_until_stopped`): the outbox must hear of them at once too.
        .disable_signals()
        .shutdown_timeout(config.shutdown_grace_seconds)
        .max_connections(max_connections)
        .listen(listener)?
        .run();
        let mail = MailWorker::spawn(side_pool(2, 10_000, 2_000), mailer, (&config.smtp).into());
        Ok(Started {
            port,
            server,
            management_port,
            management,
            mail,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The port of the management listener (`/metrics`).
    pub fn management_port(&self) -> u16 {
        self.management_port
    }

    pub fn handle(&self) -> ServerHandle {
        self.server.handle()
    }

    /// Serves until SIGINT/SIGTERM (or `handle().stop()`), then stops the embedded cluster.
    ///
    /// On a signal, the HTTP server and the outbox worker start stopping together and share one
    /// grace period: requests in flight and the email in flight finish within it, or are cut.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        let management = self.management.handle();
        tokio::spawn(self.management);
        let handle = self.server.handle();
        let stop_mail = self.mail.stop_trigger();
        let signalled_at = Arc::new(std::sync::OnceLock::new());
        let signalled = Arc::clone(&signalled_at);
        let watcher = tokio::spawn(async move {
            crate::shutdown::signal().await;
            signalled.get_or_init(std::time::Instant::now);
            stop_mail.fire();
            handle.stop(true).await;
        });
        let served = self.server.await;
        watcher.abort();
        // The management listener stops with the API server.
        management.stop(true).await;
        let grace_left = signalled_at
            .get()
            .map_or(self.grace, |at| self.grace.saturating_sub(at.elapsed()));
        // Before the database goes: the worker finishes the email in flight and records it (or is
        // cut when the grace period is over).
        self.mail.stop(grace_left).await;
        let database = self.database;
        tokio::task::spawn_blocking(move || database.close()).await??;
        served.context("HTTP server")
    }
}

/// What `Application::start` brings up.
struct Started {
    port: u16,
    server: Server,
    management_port: u16,
    management: Server,
    mail: MailWorker,
}

/// The management listener: `/metrics` only, on its own address so the API port never
/// exposes operational data. One worker is plenty for a scraper.
fn management_server(config: &Config, state: web::Data<AppState>) -> anyhow::Result<(u16, Server)> {
    let listener = TcpListener::bind(&config.management_bind)
        .with_context(|| format!("binding {}", config.management_bind))?;
    let port = listener.local_addr()?.port();
    let server = HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .route("/metrics", web::get().to(crate::metrics::expose))
            .default_service(web::to(|| async { Err::<String, _>(ApiError::NotFound) }))
    })
    .workers(1)
    .disable_signals()
    .listen(listener)?
    .run();
    Ok((port, server))
}
