//! Per-client rate limiting (GCRA, via `governor`): one misbehaving client cannot starve the
//! others. Health probes and metrics scrapes are never limited.

use std::net::IpAddr;
use std::num::NonZeroU32;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::web;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::config::Limits;
use crate::error::ApiError;
use crate::state::AppState;

pub struct ClientLimiter {
    limiter: DefaultKeyedRateLimiter<IpAddr>,
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
    fn check(&self, client: IpAddr) -> Result<(), u32> {
        self.limiter.check_key(&client).map_err(|not_until| {
            let wait = not_until.wait_time_from(self.clock.now());
            u32::try_from(wait.as_secs() + 1).unwrap_or(u32::MAX)
        })
    }
}

/// Middleware: answers 429 with `Retry-After` to a client over its quota.
pub async fn limit(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let exempt = req.path().starts_with("/health/") || req.path() == "/metrics";
    let over = match (
        exempt,
        req.app_data::<web::Data<AppState>>(),
        req.peer_addr(),
    ) {
        (false, Some(state), Some(peer)) => state
            .limiter
            .as_ref()
            .and_then(|l| l.check(peer.ip()).err()),
        _ => None,
    };
    match over {
        Some(retry_after_seconds) => Err(ApiError::TooManyRequests {
            retry_after_seconds,
        }
        .into()),
        None => next.call(req).await,
    }
}
