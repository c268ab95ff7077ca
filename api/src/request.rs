//! The one way a handler runs a use case: [`Call::run`] opens one transaction on the blocking
//! pool, honours the request's `Idempotency-Key`, builds the use case's [`Context`] once, and
//! turns the result into HTTP in one place. A handler extracts, calls this once, and maps.

use std::future::{ready, Ready};
use std::sync::Arc;
use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::{web, FromRequest, HttpRequest, HttpResponse};
use persistence::audit::AuditLog;
use serde::Serialize;
use uuid::Uuid;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::idempotency::{self, KeyPolicy};
use crate::state::AppState;
use crate::usecases::context::{Policy, Shared};
use crate::usecases::{Actor, Context, Decided, UseCaseError, Verdict};

/// Everything a handler needs to run a use case for the authenticated caller.
pub struct Call {
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
}

impl FromRequest for Call {
    type Error = ApiError;
    type Future = Ready<Result<Call, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut actix_web::dev::Payload) -> Self::Future {
        let call = (|| {
            let state = req
                .app_data::<web::Data<AppState>>()
                .cloned()
                .ok_or_else(|| ApiError::internal("application state is not configured"))?;
            let caller = Caller::from_request(req, payload).into_inner()?;
            Ok(Call {
                state,
                caller,
                req: req.clone(),
            })
        })();
        ready(call)
    }
}

/// What a use case's result becomes: a status and the JSON body (stored as is for replays),
/// and the verdict when it answers an automated decision (counted once committed).
pub struct Reply {
    status: StatusCode,
    body: Vec<u8>,
    verdict: Option<Verdict>,
}

impl Reply {
    pub fn ok(view: &impl Serialize) -> Result<Reply, ApiError> {
        Reply::with(StatusCode::OK, view)
    }

    pub fn created(view: &impl Serialize) -> Result<Reply, ApiError> {
        Reply::with(StatusCode::CREATED, view)
    }

    /// The one answer to an automated decision, whatever the product: 201 when it approved
    /// or referred (something was created), 200 when it declined; the body is the subject's
    /// view with `outcome`, `decision_id` and `reasons` beside its own fields.
    pub fn decided<T, V: Serialize>(
        decided: Decided<T>,
        view: impl FnOnce(T) -> Result<V, ApiError>,
    ) -> Result<Reply, ApiError> {
        let status = match decided.verdict {
            Verdict::Approved | Verdict::Referred => StatusCode::CREATED,
            Verdict::Declined => StatusCode::OK,
        };
        let body = DecidedView {
            outcome: decided.verdict,
            decision_id: decided.decision_id,
            reasons: decided.reasons,
            subject: view(decided.subject)?,
        };
        Ok(Reply {
            verdict: Some(decided.verdict),
            ..Reply::with(status, &body)?
        })
    }

    fn with(status: StatusCode, view: &impl Serialize) -> Result<Reply, ApiError> {
        let body = serde_json::to_vec(view).map_err(ApiError::internal)?;
        Ok(Reply {
            status,
            body,
            verdict: None,
        })
    }
}

#[derive(Serialize)]
struct DecidedView<V> {
    outcome: Verdict,
    decision_id: Option<Uuid>,
    reasons: Vec<String>,
    #[serde(flatten)]
    subject: V,
}

impl Call {
    pub fn caller(&self) -> &Caller {
        &self.caller
    }

    /// The matched route pattern (never the raw path, whose ids would explode metric labels).
    fn route(&self) -> String {
        self.req
            .match_pattern()
            .unwrap_or_else(|| "unmatched".into())
    }

    /// Which party a write is for, as a number: a party's writes share a group-commit lane
    /// (staff, who act for no party, by their name). On a Citus cluster the number is the
    /// party's shard, so with as many lanes as shards a batch commits on one worker.
    fn party_key(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::hash::DefaultHasher::new();
        match (self.caller.party(), &self.state.shards) {
            (Some(party), Some(shards)) => return shards.shard_of(party) as u64,
            (Some(party), None) => party.hash(&mut hasher),
            (None, _) => self.caller.actor().hash(&mut hasher),
        }
        hasher.finish()
    }

    /// Clamps a requested page size to the configured bounds.
    pub fn page_size(&self, requested: Option<i64>) -> i64 {
        self.state.page_size(requested)
    }

    /// The party a business caller acts for; staff have none (403).
    pub fn party(&self) -> Result<Uuid, ApiError> {
        self.caller.party().ok_or(ApiError::Forbidden)
    }

    /// Runs `work` in one transaction and answers with `reply` of its result. With a key
    /// (required when `keys` says so), the answer is stored with the work's effects and
    /// replayed to every retry; `body_hash` tells a retry from a different request.
    pub async fn run<T, W, R>(
        self,
        keys: KeyPolicy,
        body_hash: Option<&str>,
        work: W,
        reply: R,
    ) -> Result<HttpResponse, ApiError>
    where
        W: FnOnce(&mut Context<'_>) -> Result<T, UseCaseError> + Send + 'static,
        R: FnOnce(T) -> Result<Reply, ApiError> + Send + 'static,
    {
        let scope = idempotency::scope(&self.req, &self.caller, body_hash, keys)?;
        let wait = Duration::from_millis(self.state.idempotency_wait_ms);
        let (actor, policy) = (actor_of(&self.caller), Arc::clone(&self.state.policy));
        let route = self.route();
        let mut verdict = None;
        let mut changed = Vec::new();
        let shared = Arc::clone(&policy);
        let outcome = self
            .state
            .write(self.party_key(), route.clone(), move |conn| {
                let outcome = idempotency::guarded(conn, scope, wait, |conn| {
                    let (answer, log);
                    (answer, changed, log) = within(conn, &actor, &policy, work)?;
                    let reply = reply(answer)?;
                    verdict = reply.verdict;
                    Ok((reply.status, reply.body, log))
                })?;
                Ok((outcome, verdict, changed))
            })
            .await
            .inspect_err(|e| {
                if e.is_business_day_closed() {
                    // Dated by a business date kept from before an end of day run elsewhere:
                    // the client's retry reads the new one.
                    shared.calendar.expire();
                }
            })?;
        let (outcome, verdict, changed) = outcome;
        shared.settle(&changed);
        if let Some(verdict) = verdict {
            self.state.metrics.decided(&route, verdict.as_str());
        }
        Ok(outcome.into_response())
    }

    /// Runs a read in one transaction (no key: reads are naturally repeatable).
    pub async fn read<T, W, R>(self, work: W, reply: R) -> Result<HttpResponse, ApiError>
    where
        W: FnOnce(&mut Context<'_>) -> Result<T, UseCaseError> + Send + 'static,
        R: FnOnce(T) -> Result<Reply, ApiError> + Send + 'static,
    {
        let (actor, policy) = (actor_of(&self.caller), Arc::clone(&self.state.policy));
        let Reply { status, body, .. } = self
            .state
            .transaction(self.route(), move |conn| {
                // A read changes nothing that requests keep, and records nothing.
                let (answer, _, mut log) = within(conn, &actor, &policy, work)?;
                log.append(conn)?;
                reply(answer)
            })
            .await?;
        Ok(HttpResponse::build(status)
            .content_type("application/json")
            .body(body))
    }
}

/// Runs `work` in a fresh [`Context`]; answers its result, what it changed of what requests
/// keep (to settle once committed) and the audit events it recorded (to append before).
fn within<T>(
    conn: &mut diesel::PgConnection,
    actor: &Actor,
    policy: &Policy,
    work: impl FnOnce(&mut Context<'_>) -> Result<T, UseCaseError>,
) -> Result<(T, Vec<Shared>, AuditLog), ApiError> {
    let mut context = Context::open(conn, chrono::Utc::now(), actor, policy)?;
    let answer = work(&mut context)?;
    let (changed, log) = context.close();
    Ok((answer, changed, log))
}

fn actor_of(caller: &Caller) -> Actor {
    Actor {
        name: caller.actor(),
        party: caller.party(),
        staff: caller.role.is_staff(),
    }
}
