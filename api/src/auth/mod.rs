//! Authentication and authorization: bearer JWTs, roles, and the `Caller` extractor every
//! protected handler takes.

pub mod keys;

use std::future::{ready, Ready};

use actix_web::{web, FromRequest, HttpRequest};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::ApiError;
use crate::state::AppState;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
#[clap(rename_all = "snake_case")]
pub enum Role {
    Merchant,
    Supplier,
    CoreEnterprise,
    /// A consumer paying for a purchase in installments.
    Shopper,
    RiskOfficer,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Merchant => "merchant",
            Role::Supplier => "supplier",
            Role::CoreEnterprise => "core_enterprise",
            Role::Shopper => "shopper",
            Role::RiskOfficer => "risk_officer",
            Role::Admin => "admin",
        }
    }

    /// Staff act for the platform; everyone else acts for a party.
    pub fn is_staff(self) -> bool {
        matches!(self, Role::RiskOfficer | Role::Admin)
    }
}

/// The claims Lendline issues and accepts.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    /// A party id for business roles; the staff member's own id for staff.
    pub sub: String,
    pub role: Role,
    pub iss: String,
    pub aud: String,
    pub iat: i64,
    pub exp: i64,
}

/// Who is calling: verified from the bearer token.
#[derive(Debug, Clone)]
pub struct Caller {
    pub role: Role,
    pub subject: String,
    party: Option<Uuid>,
}

impl Caller {
    /// Refuses the call (403) unless the caller has one of `roles`.
    pub fn require(&self, roles: &[Role]) -> Result<(), ApiError> {
        if roles.contains(&self.role) {
            Ok(())
        } else {
            Err(ApiError::Forbidden)
        }
    }

    /// Who acted, as recorded in the audit trail and idempotency scopes: `role:subject`.
    pub fn actor(&self) -> String {
        format!("{}:{}", self.role.as_str(), self.subject)
    }

    /// The party a business caller acts for (`None` for staff).
    pub fn party(&self) -> Option<Uuid> {
        self.party
    }

    /// Staff see every object; a party sees only objects it owns. Anything else is answered
    /// as "not found", so that a caller cannot learn that another party's object exists.
    pub fn ensure_can_see(&self, owners: &[Uuid]) -> Result<(), ApiError> {
        if self.role.is_staff() || self.party.is_some_and(|p| owners.contains(&p)) {
            Ok(())
        } else {
            Err(ApiError::NotFound)
        }
    }
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = Ready<Result<Caller, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        ready(authenticate(req))
    }
}

fn authenticate(req: &HttpRequest) -> Result<Caller, ApiError> {
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| ApiError::internal("application state missing"))?;
    let header = req
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)
        .ok_or(ApiError::Unauthorized("missing bearer token"))?;
    let token = header
        .to_str()
        .ok()
        .and_then(|h| h.strip_prefix("Bearer "))
        .ok_or(ApiError::Unauthorized("malformed Authorization header"))?;
    let claims = state
        .keys
        .verify(token.trim())
        .map_err(|_| ApiError::Unauthorized("invalid or expired token"))?;
    let party = if claims.role.is_staff() {
        None
    } else {
        Some(
            Uuid::parse_str(&claims.sub)
                .map_err(|_| ApiError::Unauthorized("token subject is not a party id"))?,
        )
    };
    Ok(Caller {
        role: claims.role,
        subject: claims.sub,
        party,
    })
}
