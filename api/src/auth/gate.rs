//! The authentication gate in front of every `/v1` route: it verifies the token, refuses a
//! role the route does not admit, and checks that a business token's party exists and is of
//! the role's kind, all before any extractor reads the body. So a merchant posting to an
//! officer's route is told 403, not 400 or 422 about a body it had no business sending.
//!
//! The caller it admits is left in the request for the [`Caller`] extractor.

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{web, HttpMessage};
use persistence::RepoError;
use uuid::Uuid;

use super::{authenticate, policy, Caller};
use crate::error::ApiError;
use crate::state::AppState;

/// Middleware on the `/v1` scope.
pub async fn gate(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    match admit(&req).await {
        Ok(Some(caller)) => {
            req.extensions_mut().insert(caller);
        }
        // No route matches: the 404 (or 405) answer reveals nothing a token would protect.
        Ok(None) => {}
        Err(error) => return Ok(req.error_response(error).map_into_right_body()),
    }
    Ok(next.call(req).await?.map_into_left_body())
}

async fn admit(req: &ServiceRequest) -> Result<Option<Caller>, ApiError> {
    let Some(pattern) = req.match_pattern() else {
        return Ok(None);
    };
    let state = req
        .app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(|| ApiError::internal("application state missing"))?;
    let caller = authenticate(req.request(), &state)?;
    if !policy::allows(caller.role, req.method(), &pattern) {
        return Err(ApiError::Forbidden);
    }
    if let (Some(party), Some(kind)) = (caller.party(), caller.role.party_kind()) {
        let actual = match state.party_kinds.get(party) {
            Some(known) => Some(known),
            None => kind_from_database(&state, party).await?,
        };
        match actual {
            // The token was signed by us, but for no party we know: not an identity.
            None => return Err(ApiError::Unauthorized("the token names no known party")),
            Some(actual) if actual != kind => return Err(ApiError::Forbidden),
            Some(_) => {}
        }
    }
    Ok(Some(caller))
}

/// One indexed read, once per party per process (then cached).
async fn kind_from_database(
    state: &web::Data<AppState>,
    party: Uuid,
) -> Result<Option<String>, ApiError> {
    let pool = state.pool.clone();
    let kind = web::block(move || {
        let mut conn = pool.get().map_err(RepoError::from)?;
        persistence::parties::kind_of(&mut conn, party)
    })
    .await??;
    if let Some(kind) = &kind {
        state.party_kinds.remember(party, kind.clone());
    }
    Ok(kind)
}
