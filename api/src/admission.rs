//! Admission control: a bounded number of requests in flight, answered 503 with `Retry-After`
//! at once beyond it. The writes' bound follows their latency (`crate::concurrency`).
//!
//! At the midnight spike a server that accepts everything queues, and every queued request
//! eventually times out on the client after it has cost us work: the classic collapse. So a
//! request that finds its budget full is refused in microseconds, before anything else happens
//! (before its body is read, its token verified or a connection asked for). One that finds room
//! has its body read first, within `admission.body_timeout_ms` and with at most four bodies
//! being read per place in flight (beyond, 503 at once), and then takes its permit: a
//! body that trickles in must not hold a place in flight (an attacker's run: 32 uploads stalled
//! after one byte, from one shopper's token, held every write permit, and every merchant's draw
//! was refused until the sockets closed).
//! Writes (money movements) and reads have separate budgets so that a flood of one cannot
//! starve the other. Health probes and the OpenAPI document are never shed: an orchestrator that
//! cannot probe a busy server would kill it. (Metrics are scraped on the management listener,
//! which admission does not guard.)

use std::sync::Arc;
use std::time::Duration;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{header, Method};
use actix_web::middleware::Next;
use actix_web::HttpMessage;
use actix_web::{web, ResponseError};
use futures_util::StreamExt;
use prometheus::IntGauge;

use crate::concurrency::{Adaptive, Budget, Permit};
use crate::config::AdmissionConfig;
use crate::error::ApiError;
use crate::state::AppState;

/// Which budget a request draws on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    Read,
    Write,
}

impl Class {
    pub fn as_str(self) -> &'static str {
        match self {
            Class::Read => "reads",
            Class::Write => "writes",
        }
    }

    fn of(method: &Method) -> Class {
        if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
            Class::Read
        } else {
            Class::Write
        }
    }
}

/// How often the writes' adaptive bound is reconsidered: long enough to average over a few
/// dozen requests at the peak, short enough to follow a spike within a second.
const ADAPT_WINDOW: Duration = Duration::from_millis(100);

/// The two budgets and how long a refused client should wait.
pub struct Admission {
    reads: Arc<Budget>,
    writes: Arc<Budget>,
    retry_after_seconds: u32,
    body_timeout: Duration,
    /// Bodies being read before their permit: at most [`READERS_PER_PLACE`] per place in
    /// flight, so that connections sending no body (or sending it slowly), with or without a
    /// token, hold a bounded amount of memory.
    readers: Arc<Budget>,
}

/// Bodies read at once before admission, per place in flight (reads and writes): enough for
/// every permit to find its next request read, and a bound of a few megabytes of buffers.
const READERS_PER_PLACE: usize = 4;

impl Admission {
    pub fn new(config: &AdmissionConfig) -> Admission {
        let writes = match config.write_latency_target_ms {
            0 => Budget::fixed(config.max_in_flight_writes),
            target => Budget::adaptive(Adaptive {
                min: config.min_in_flight_writes,
                max: config.max_in_flight_writes,
                target: Duration::from_millis(target),
                window: ADAPT_WINDOW,
            }),
        };
        let places = config.max_in_flight_reads + config.max_in_flight_writes;
        Admission {
            reads: Budget::fixed(config.max_in_flight_reads),
            writes,
            retry_after_seconds: config.retry_after_seconds,
            body_timeout: Duration::from_millis(config.body_timeout_ms.get()),
            readers: Budget::fixed(places.saturating_mul(READERS_PER_PLACE)),
        }
    }

    /// Lets the writes' bound climb back while the server is idle ([`Budget::tick`]): every
    /// adaptation window, on the current runtime, until it stops.
    /// The gauge of the bound follows it too.
    pub fn spawn_ticker(&self, metrics: crate::metrics::Metrics) {
        let writes = Arc::clone(&self.writes);
        tokio::spawn(async move {
            let mut ticker = tokio::time::interval(ADAPT_WINDOW);
            loop {
                ticker.tick().await;
                writes.tick();
                metrics.admission_limit(Class::Write.as_str(), writes.limit());
            }
        });
    }

    fn budget(&self, class: Class) -> &Arc<Budget> {
        match class {
            Class::Read => &self.reads,
            Class::Write => &self.writes,
        }
    }

    /// The answer to a request refused for lack of capacity.
    pub fn refusal(&self) -> ApiError {
        ApiError::Unavailable {
            retry_after_seconds: self.retry_after_seconds,
        }
    }
}

/// Probes and scrapes are exempt: they are cheap and must work hardest when the server is busy.
fn is_exempt(path: &str) -> bool {
    path.starts_with("/health/") || path == "/openapi.json"
}

/// Middleware (outermost): reads the body and takes a permit for the request's class, or
/// answers 503 at once when the budget is full.
pub async fn admit(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let (Some(state), false) = (state, is_exempt(req.path())) else {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_left_body);
    };
    let class = Class::of(req.method());
    let budget = state.admission.budget(class);
    state
        .metrics
        .admission_limit(class.as_str(), budget.limit());
    let mut req = req;
    if !budget.has_room() {
        discard_small_body(&mut req).await;
        return Ok(refuse(req, &state, class));
    }
    let Some(reading) = state.admission.readers.try_acquire() else {
        return Ok(refuse(req, &state, class));
    };
    let limit = state.limits.body_bytes;
    if let Err(error) = read_body(&mut req, limit, state.admission.body_timeout).await {
        let response = error.error_response();
        return Ok(req.into_response(response).map_into_right_body());
    }
    drop(reading);
    // The body is read: a refusal now keeps the connection.
    let Some(permit) = budget.try_acquire() else {
        return Ok(refuse(req, &state, class));
    };
    let _admitted = Admitted::new(permit, state.metrics.in_flight(class.as_str()));
    next.call(req)
        .await
        .map(ServiceResponse::map_into_left_body)
}

/// The 503 of a request its budget has no room for.
fn refuse<B>(
    req: ServiceRequest,
    state: &AppState,
    class: Class,
) -> ServiceResponse<EitherBody<B>> {
    state.metrics.shed(class.as_str());
    let response = state.admission.refusal().error_response();
    req.into_response(response).map_into_right_body()
}

/// The most a body's buffer starts with.
const BODY_START_BYTES: usize = 8 * 1024;

/// Reads the request's body (at most `limit` bytes) within `deadline` and puts it back for the
/// handler. A body declared longer than `limit` is left unread: the JSON extractor refuses it
/// from its length (413) without reading it.
async fn read_body(
    req: &mut ServiceRequest,
    limit: usize,
    deadline: Duration,
) -> Result<(), ApiError> {
    let declared = declared_length(req);
    let chunked = req.headers().contains_key(header::TRANSFER_ENCODING);
    match declared {
        Some(n) if n > limit => return Ok(()),
        Some(0) => return Ok(()),
        None if !chunked => return Ok(()),
        _ => {}
    }
    let mut payload = req.take_payload();
    // Grown as the bytes arrive: a declared length costs nothing until they do.
    let mut body = web::BytesMut::with_capacity(declared.unwrap_or(0).min(BODY_START_BYTES));
    let read = tokio::time::timeout(deadline, async {
        while let Some(chunk) = payload.next().await {
            let chunk = chunk.map_err(|e| {
                ApiError::bad_request(
                    "unreadable_body",
                    format!("the body could not be read: {e}"),
                    None,
                )
            })?;
            if body.len() + chunk.len() > limit {
                return Err(ApiError::PayloadTooLarge { limit_bytes: limit });
            }
            body.extend_from_slice(&chunk);
        }
        Ok(())
    })
    .await
    .map_err(|_| ApiError::BodyTimeout {
        millis: deadline.as_millis(),
    })?;
    read?;
    req.set_payload(actix_web::dev::Payload::from(body.freeze()));
    Ok(())
}

/// The body's length as its `Content-Length` declares it, if it does.
fn declared_length(req: &ServiceRequest) -> Option<usize> {
    req.headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok())
}

/// The most of a refused request's body that is read (and thrown away) to keep its connection.
const DISCARD_BYTES: usize = 16 * 1024;
/// How long a refused request's body is waited for.
const DISCARD_WAIT: Duration = Duration::from_millis(5);

/// Reads a refused request's small body to its end, unparsed, so that the connection stays open
/// for the client's retry: a server that answers before the body is read must close the
/// connection, and at a spike every refusal then costs the client a new connection (measured:
/// at 5x capacity refusals waited 1–2 s, most of it for connections). A large or slow body is
/// not waited for; that connection closes.
async fn discard_small_body(req: &mut ServiceRequest) {
    if !matches!(declared_length(req), Some(n) if n <= DISCARD_BYTES) {
        return;
    }
    let mut payload = req.take_payload();
    let _ = tokio::time::timeout(DISCARD_WAIT, async {
        let mut read = 0usize;
        while let Some(Ok(chunk)) = payload.next().await {
            read += chunk.len();
            if read > DISCARD_BYTES {
                break;
            }
        }
    })
    .await;
}

/// An admitted request's permit and its place in the in-flight gauge, both given back when the
/// request ends, however it ends (a client that goes away drops the future mid-way).
struct Admitted {
    _permit: Permit,
    gauge: IntGauge,
}

impl Admitted {
    fn new(permit: Permit, gauge: IntGauge) -> Admitted {
        gauge.inc();
        Admitted {
            _permit: permit,
            gauge,
        }
    }
}

impl Drop for Admitted {
    fn drop(&mut self) {
        self.gauge.dec();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_safe_methods_are_reads() {
        assert_eq!(Class::of(&Method::GET), Class::Read);
        assert_eq!(Class::of(&Method::HEAD), Class::Read);
        assert_eq!(Class::of(&Method::POST), Class::Write);
        assert_eq!(Class::of(&Method::PUT), Class::Write);
        assert_eq!(Class::of(&Method::DELETE), Class::Write);
    }

    #[test]
    fn probes_and_scrapes_are_never_shed() {
        assert!(is_exempt("/health/ready"));
        assert!(is_exempt("/openapi.json"));
        assert!(!is_exempt("/v1/loans"));
        assert!(!is_exempt("/healthz"));
    }

    #[test]
    fn a_full_budget_refuses_the_next_request_until_one_finishes() {
        let admission = Admission::new(&AdmissionConfig {
            max_in_flight_writes: 1,
            ..AdmissionConfig::default()
        });
        let held = admission.budget(Class::Write).try_acquire().unwrap();
        assert!(admission.budget(Class::Write).try_acquire().is_none());
        assert!(admission.budget(Class::Read).try_acquire().is_some());
        drop(held);
        assert!(admission.budget(Class::Write).try_acquire().is_some());
    }
}
