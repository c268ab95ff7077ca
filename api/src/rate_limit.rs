//! Per-client rate limiting (GCRA, via `governor`): one misbehaving client cannot starve the
//! others. A client is the token's subject when the request carries a valid token, so that
//! merchants behind one address (a marketplace's gateway, a carrier NAT) each have their own
//! quota and one of them cannot use up the others'; without a valid token it is the address.
//! Health probes are never limited (metrics are scraped on the management listener).

use std::net::IpAddr;
use std::num::NonZeroU32;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::Next;
use actix_web::web;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::config::Limits;
use crate::error::ApiError;
use crate::state::AppState;

/// Who a quota belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Client {
    /// The subject of a valid token (a party id or a staff id).
    Subject(String),
    /// The peer address of a request without a valid token.
    Address(IpAddr),
}

pub struct ClientLimiter {
    limiter: DefaultKeyedRateLimiter<Client>,
    clock: DefaultClock,
}

impl ClientLimiter {
    /// `None` when limiting is switched off (`requests_per_second = 0`).
    pub fn from_limits(limits: &Limits) -> Option<ClientLimiter> {
        let rate = NonZeroU32::new(limits.requests_per_second)?;
        let burst = NonZeroU32::new(limits.burst).unwrap_or(rate);
        Some(ClientLimiter {
            limiter: RateLimiter::keyed(Quota::per_second(rate).allow_burst(burst)),
            clock: DefaultClock::default(),
        })
    }

    /// `Err(seconds to wait)` when `client` is over its quota.
    fn check(&self, client: &Client) -> Result<(), u32> {
        self.limiter.check_key(client).map_err(|not_until| {
            let wait = not_until.wait_time_from(self.clock.now());
            u32::try_from(wait.as_secs() + 1).unwrap_or(u32::MAX)
        })
    }
}

/// Middleware: answers 429 with `Retry-After` to a client over its quota.
pub async fn limit(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let exempt = req.path().starts_with("/health/");
    let over = match (exempt, req.app_data::<web::Data<AppState>>()) {
        (false, Some(state)) => state.limiter.as_ref().and_then(|limiter| {
            let client = client_of(&req, state)?;
            limiter.check(&client).err()
        }),
        _ => None,
    };
    match over {
        // Answered as a response, not an error, so that outer middlewares (the security
        // headers) still see and decorate it.
        Some(retry_after_seconds) => Ok(req
            .error_response(ApiError::TooManyRequests {
                retry_after_seconds,
            })
            .map_into_right_body()),
        None => Ok(next.call(req).await?.map_into_left_body()),
    }
}

/// The token's subject when the request carries a valid token, else the peer address.
fn client_of(req: &ServiceRequest, state: &AppState) -> Option<Client> {
    let subject = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|h| h.to_str().ok())
        .and_then(|h| h.strip_prefix("Bearer "))
        .and_then(|token| state.keys.verify(token.trim()).ok())
        .map(|claims| Client::Subject(claims.sub));
    subject.or_else(|| req.peer_addr().map(|peer| Client::Address(peer.ip())))
}
