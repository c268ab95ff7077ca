//! Idempotent requests: `Idempotency-Key` scoped to the caller; the first response is stored with
//! its effect in one transaction and replayed byte for byte to every retry.
//!
//! A retry that arrives while the first request is still running waits for it (up to the
//! configured time) and then replays its answer; if the first is still running after that, the
//! retry gets 409 with `Retry-After`. The same key with a different body is refused with 422.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::{web, FromRequest, HttpRequest, HttpResponse};
use diesel::PgConnection;
use persistence::audit::AuditLog;
use persistence::canonical::{canonical_json, sha256_hex};
use persistence::idempotency::{self, Claim, KeyedRequest, StoredRequest};
use serde::de::DeserializeOwned;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::strict_json::{self, UniqueKeys};

pub const HEADER: &str = "Idempotency-Key";
pub const MAX_KEY_CHARS: usize = 200;

/// A JSON body, parsed into `T`, with the hash of its canonical form kept for idempotency.
pub struct JsonBody<T> {
    pub value: T,
    canonical_hash: String,
}

impl<T: DeserializeOwned + 'static> FromRequest for JsonBody<T> {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut actix_web::dev::Payload) -> Self::Future {
        let json = web::Json::<UniqueKeys>::from_request(req, payload);
        Box::pin(async move {
            let UniqueKeys(raw) = json.await?.into_inner();
            crate::text::refuse_nul_in_json(&raw)?;
            let canonical_hash = sha256_hex(&[canonical_json(&raw).as_bytes()]);
            let value = strict_json::typed(&raw)?;
            strict_json::check_date_horizon(&raw)?;
            Ok(JsonBody {
                value,
                canonical_hash,
            })
        })
    }
}

impl<T> JsonBody<T> {
    pub fn into_inner(self) -> T {
        self.value
    }
}

/// Whether a key must be sent: money movements require one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyPolicy {
    Optional,
    Required,
}

/// The request facts stored with a key.
pub(crate) type Scope = KeyedRequest;

fn read_key(req: &HttpRequest, policy: KeyPolicy) -> Result<Option<String>, ApiError> {
    let Some(header) = req.headers().get(HEADER) else {
        return match policy {
            KeyPolicy::Optional => Ok(None),
            KeyPolicy::Required => Err(ApiError::bad_request(
                "idempotency_key_required",
                "this request moves money: send an Idempotency-Key header",
                Some(HEADER),
            )),
        };
    };
    let key = header.to_str().unwrap_or("").trim();
    if key.is_empty() || key.chars().count() > MAX_KEY_CHARS || key.chars().any(|c| c.is_control())
    {
        return Err(ApiError::bad_request(
            "invalid_idempotency_key",
            format!("Idempotency-Key must be 1 to {MAX_KEY_CHARS} visible characters"),
            Some(HEADER),
        ));
    }
    Ok(Some(key.to_string()))
}

pub(crate) enum Outcome {
    Fresh(StatusCode, Vec<u8>),
    Replayed(StatusCode, Vec<u8>),
}

/// The request's scope for its `Idempotency-Key`, if it sent one (`policy` says whether it
/// must).
pub(crate) fn scope(
    req: &HttpRequest,
    caller: &Caller,
    body_hash: Option<&str>,
    policy: KeyPolicy,
) -> Result<Option<Scope>, ApiError> {
    Ok(read_key(req, policy)?.map(|key| Scope {
        party: caller.party().unwrap_or(persistence::ledger::PLATFORM),
        caller: caller.actor(),
        key,
        method: req.method().to_string(),
        path: req.path().to_string(),
        // A bodyless request hashes as the empty body (the column is a fixed 64 characters).
        request_hash: body_hash.map_or_else(|| sha256_hex(&[]), str::to_string),
    }))
}

/// Runs `work` on `conn` (inside the caller's transaction) once it has claimed the key: the
/// first request with a key does the work and stores its answer, in one statement with the
/// audit events the work recorded; a retry replays that answer.
pub(crate) fn guarded(
    conn: &mut PgConnection,
    scope: Option<Scope>,
    wait: Duration,
    work: impl FnOnce(&mut PgConnection) -> Result<(StatusCode, Vec<u8>, AuditLog), ApiError>,
) -> Result<Outcome, ApiError> {
    let Some(scope) = scope else {
        let (status, body, mut log) = work(conn)?;
        log.append(conn)?;
        return Ok(Outcome::Fresh(status, body));
    };
    match idempotency::claim_within(conn, &scope, wait)? {
        Claim::Fresh => {}
        Claim::Answered(stored) => return replay(&scope, stored),
        Claim::Busy => {
            return Err(ApiError::Conflict {
                code: "request_in_progress",
                message: "a request with this Idempotency-Key is still being processed".into(),
                field: Some(HEADER.into()),
                retry_after_seconds: Some(1),
            })
        }
    }
    let (status, body, mut log) = work(conn)?;
    let stored_status = i16::try_from(status.as_u16()).map_err(ApiError::internal)?;
    idempotency::answer(conn, &scope, stored_status, &body, &mut log)?;
    Ok(Outcome::Fresh(status, body))
}

impl Outcome {
    pub(crate) fn into_response(self) -> HttpResponse {
        match self {
            Outcome::Fresh(status, body) => HttpResponse::build(status)
                .content_type("application/json")
                .body(body),
            Outcome::Replayed(status, body) => HttpResponse::build(status)
                .content_type("application/json")
                .insert_header(("Idempotency-Replayed", "true"))
                .body(body),
        }
    }
}

fn replay(scope: &Scope, stored: StoredRequest) -> Result<Outcome, ApiError> {
    if stored.method != scope.method
        || stored.path != scope.path
        || stored.request_hash != scope.request_hash
    {
        return Err(ApiError::unprocessable(
            "idempotency_key_reused",
            "this Idempotency-Key was used for a different request",
            Some(HEADER),
        ));
    }
    let status = u16::try_from(stored.response_status)
        .ok()
        .and_then(|s| StatusCode::from_u16(s).ok())
        .ok_or_else(|| ApiError::internal("stored idempotent status is invalid"))?;
    Ok(Outcome::Replayed(status, stored.response_body))
}

impl<T> JsonBody<T> {
    pub fn hash(&self) -> &str {
        &self.canonical_hash
    }
}
