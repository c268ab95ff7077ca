//! The application: database (embedded or external), state, HTTP server, and orderly shutdown.

use std::net::TcpListener;

use actix_web::dev::{Server, ServerHandle};
use actix_web::{middleware, web, App, HttpServer};
use anyhow::Context;
use persistence::embedded::{ClusterOptions, EmbeddedPostgres};

use crate::auth::keys::JwtKeys;
use crate::config::Config;
use crate::error::ApiError;
use crate::mail::transport::Mailer;
use crate::mail::worker::MailWorker;
use crate::metrics::Metrics;
use crate::state::AppState;
use crate::{extract, routes};

const EMBEDDED_DATABASE: &str = "lendline";

/// Where the data lives: the URL to connect to and, in the embedded default, the cluster that
/// this process must stop when it is done.
pub struct Database {
    pub url: String,
    embedded: Option<EmbeddedPostgres>,
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
        let cluster = EmbeddedPostgres::start(&config.data_dir, &options)?;
        persistence::db::create_database(&cluster.url("postgres"), EMBEDDED_DATABASE, None)
            .context("creating the lendline database")?;
        Ok(Database {
            url: cluster.url(EMBEDDED_DATABASE),
            embedded: Some(cluster),
        })
    }

    pub fn migrate(&self) -> anyhow::Result<usize> {
        let mut conn = persistence::db::connect(&self.url)?;
        Ok(persistence::db::run_migrations(&mut conn)?)
    }

    /// Stops the embedded cluster if this process started it.
    pub fn close(self) -> anyhow::Result<()> {
        if let Some(cluster) = self.embedded {
            cluster.stop()?;
            tracing::info!("embedded PostgreSQL stopped");
        }
        Ok(())
    }
}

pub struct Application {
    port: u16,
    server: Server,
    management_port: u16,
    management: Server,
    database: Database,
    mail: MailWorker,
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

    fn start(config: &Config, database: &Database) -> anyhow::Result<Started> {
        if config.run_migrations {
            let applied = database.migrate().context("running migrations")?;
            tracing::info!(applied, "migrations up to date");
        }
        let pool = persistence::db::build_pool(&database.url, config.pool_size)?;
        let mailer = Mailer::from_config(&config.smtp, &config.data_dir)?;
        let state = web::Data::new(AppState {
            pool,
            keys: JwtKeys::from_config(config)?,
            limits: config.limits.clone(),
            metrics: Metrics::new()?,
            idempotency_wait_ms: config.idempotency.wait_ms,
            auditor_emails: config.audit.auditor_emails.clone(),
            models: Default::default(),
            loans: config.loans.clone(),
            limiter: crate::rate_limit::ClientLimiter::from_limits(&config.limits),
        });
        crate::jobs::spawn(state.pool.clone(), config);
        let listener =
            TcpListener::bind(&config.bind).with_context(|| format!("binding {}", config.bind))?;
        let port = listener.local_addr()?.port();
        let (management_port, management) = management_server(config, state.clone())?;
        let body_limit = config.limits.body_bytes;
        let mail_pool = state.pool.clone();
        let server = HttpServer::new(move || {
            App::new()
                .app_data(state.clone())
                .app_data(extract::json_config(body_limit))
                .app_data(extract::path_config())
                .app_data(extract::query_config())
                .wrap(middleware::from_fn(crate::rate_limit::limit))
                .wrap(middleware::from_fn(crate::metrics::track))
                .wrap(middleware::from_fn(crate::edge::header_limits))
                .wrap(middleware::Logger::new("%r %s %Dms").log_target("lendline::http"))
                .configure(routes::configure)
                .default_service(web::to(crate::edge::unmatched))
        })
        .listen(listener)?
        .run();
        let mail = MailWorker::spawn(mail_pool, mailer, (&config.smtp).into());
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
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        let management = self.management.handle();
        tokio::spawn(self.management);
        let served = self.server.await;
        // The API server owns the signals; the management listener stops when it does.
        management.stop(true).await;
        // Before the database goes: the worker finishes the email in flight and records it.
        self.mail.stop().await;
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
