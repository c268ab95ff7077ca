//! Prometheus metrics: request counts and latency histograms by route and status, pool usage.

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{web, HttpResponse};
use prometheus::{
    Encoder, Histogram, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, IntGaugeVec, Opts,
    Registry, TextEncoder,
};

use crate::error::ApiError;
use crate::state::AppState;

/// Cheap to clone: every field is a handle to shared counters.
#[derive(Clone)]
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    pool_connections: IntGauge,
    pool_idle: IntGauge,
    /// Requests refused at admission, by reason (`writes`, `reads`: budget full; `db_pool`: no
    /// connection within the wait).
    shed: IntCounterVec,
    in_flight: IntGaugeVec,
    /// Each budget's bound on requests in flight (the writes' adapts to their latency).
    admission_limit: IntGaugeVec,
    connection_wait: Histogram,
    /// Statements each request sent to PostgreSQL (BEGIN and COMMIT included), by route.
    statements: HistogramVec,
    /// Automated decisions that committed, by route and outcome (replays not counted).
    decisions: IntCounterVec,
    /// Writes committed per transaction by group commit.
    batch_size: Histogram,
}

impl Metrics {
    // Over 70 lines on purpose: each metric is declared and registered here, in one list.
    pub fn new() -> Result<Metrics, prometheus::Error> {
        let registry = Registry::new();
        let labels = ["method", "route", "status"];
        let requests = IntCounterVec::new(
            Opts::new("http_requests_total", "HTTP requests by route and status"),
            &labels,
        )?;
        let latency = HistogramVec::new(
            HistogramOpts::new("http_request_duration_seconds", "HTTP request latency").buckets(
                vec![
                    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
                ],
            ),
            &labels,
        )?;
        let pool_connections = IntGauge::new("db_pool_connections", "open database connections")?;
        let pool_idle = IntGauge::new("db_pool_idle_connections", "idle database connections")?;
        let shed = IntCounterVec::new(
            Opts::new("requests_shed_total", "requests refused with 503 by reason"),
            &["reason"],
        )?;
        let in_flight = IntGaugeVec::new(
            Opts::new(
                "requests_in_flight",
                "admitted requests being served, by budget",
            ),
            &["class"],
        )?;
        let admission_limit = IntGaugeVec::new(
            Opts::new(
                "admission_limit",
                "the bound on requests in flight, by budget",
            ),
            &["class"],
        )?;
        let connection_wait = Histogram::with_opts(
            HistogramOpts::new(
                "db_connection_wait_seconds",
                "time a request waited for a pooled connection",
            )
            .buckets(vec![
                0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1.0,
            ]),
        )?;
        let statements = HistogramVec::new(
            HistogramOpts::new(
                "db_statements_per_request",
                "statements a request sent to the database, BEGIN and COMMIT included",
            )
            .buckets(vec![
                2.0, 4.0, 6.0, 8.0, 10.0, 12.0, 16.0, 20.0, 24.0, 32.0, 48.0, 64.0,
            ]),
            &["route"],
        )?;
        let decisions = IntCounterVec::new(
            Opts::new(
                "decisions_total",
                "automated decisions committed, by outcome",
            ),
            &["route", "outcome"],
        )?;
        let batch_size = Histogram::with_opts(
            HistogramOpts::new(
                "group_commit_batch_size",
                "writes committed together in one transaction",
            )
            .buckets(vec![1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0]),
        )?;
        registry.register(Box::new(batch_size.clone()))?;
        registry.register(Box::new(statements.clone()))?;
        registry.register(Box::new(decisions.clone()))?;
        registry.register(Box::new(shed.clone()))?;
        registry.register(Box::new(in_flight.clone()))?;
        registry.register(Box::new(admission_limit.clone()))?;
        registry.register(Box::new(connection_wait.clone()))?;
        registry.register(Box::new(requests.clone()))?;
        registry.register(Box::new(latency.clone()))?;
        registry.register(Box::new(pool_connections.clone()))?;
        registry.register(Box::new(pool_idle.clone()))?;
        Ok(Metrics {
            registry,
            requests,
            latency,
            pool_connections,
            pool_idle,
            shed,
            in_flight,
            admission_limit,
            connection_wait,
            statements,
            batch_size,
            decisions,
        })
    }

    pub fn shed(&self, reason: &str) {
        self.shed.with_label_values(&[reason]).inc();
    }

    pub fn admission_limit(&self, class: &str, limit: usize) {
        self.admission_limit
            .with_label_values(&[class])
            .set(i64::try_from(limit).unwrap_or(i64::MAX));
    }

    pub fn in_flight(&self, class: &str) -> IntGauge {
        self.in_flight.with_label_values(&[class])
    }

    pub fn observe_statements(&self, route: &str, count: u64) {
        // A count of statements is far below 2^52: exact as a float.
        #[allow(clippy::cast_precision_loss)]
        self.statements
            .with_label_values(&[route])
            .observe(count as f64);
    }

    pub fn observe_batch(&self, writes: usize) {
        // A batch is far below 2^52 writes: exact as a float.
        #[allow(clippy::cast_precision_loss)]
        self.batch_size.observe(writes as f64);
    }

    pub fn decided(&self, route: &str, outcome: &str) {
        self.decisions.with_label_values(&[route, outcome]).inc();
    }

    pub fn observe_connection_wait(&self, seconds: f64) {
        self.connection_wait.observe(seconds);
    }

    fn observe(&self, method: &str, route: &str, status: u16, seconds: f64) {
        let status = status.to_string();
        let labels = [method, route, status.as_str()];
        self.requests.with_label_values(&labels).inc();
        self.latency.with_label_values(&labels).observe(seconds);
    }
}

/// Middleware: times every request, labelled by the matched route pattern (not the raw path,
/// which would explode label cardinality with ids).
pub async fn track(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let method = req.method().to_string();
    let route = req.match_pattern().unwrap_or_else(|| "unmatched".into());
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let response = next.call(req).await;
    if let Some(state) = state {
        let status = match &response {
            Ok(res) => res.status().as_u16(),
            Err(e) => e.as_response_error().status_code().as_u16(),
        };
        state
            .metrics
            .observe(&method, &route, status, started.elapsed().as_secs_f64());
    }
    response
}

/// `GET /metrics`: Prometheus text exposition.
pub async fn expose(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let pool = state.pool.state();
    state
        .metrics
        .pool_connections
        .set(i64::from(pool.connections));
    state
        .metrics
        .pool_idle
        .set(i64::from(pool.idle_connections));
    let mut buffer = Vec::new();
    TextEncoder::new()
        .encode(&state.metrics.registry.gather(), &mut buffer)
        .map_err(ApiError::internal)?;
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(buffer))
}
