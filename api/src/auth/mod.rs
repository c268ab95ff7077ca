//! Authentication and authorization: bearer JWTs, roles, and the `Caller` extractor every
//! protected handler takes.

pub mod gate;
pub mod keys;
mod party_kinds;
pub mod policy;

pub use party_kinds::PartyKinds;

use std::future::{ready, Ready};

use actix_web::{FromRequest, HttpMessage, HttpRequest};
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
    /// An outside bank or factor: may ask the registry whether an asset is registered and
    /// encumbered, and nothing else. Its subject is its own id (e.g. `bank-of-x`), not a party:
    /// outside financiers are not onboarded.
    Financier,
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
            Role::Financier => "financier",
        }
    }

    /// Staff act for the platform and see every object.
    pub fn is_staff(self) -> bool {
        matches!(self, Role::RiskOfficer | Role::Admin)
    }

    /// The kind of party a business role acts for; `None` for staff and financiers, whose
    /// subject is their own id rather than a party.
    pub fn party_kind(self) -> Option<&'static str> {
        match self {
            Role::Merchant => Some("merchant"),
            Role::Supplier => Some("supplier"),
            Role::CoreEnterprise => Some("core_enterprise"),
            Role::Shopper => Some("shopper"),
            Role::RiskOfficer | Role::Admin | Role::Financier => None,
        }
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
    /// Not valid before (optional; honoured when present).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<i64>,
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

    /// The caller [`gate::admit`] authenticated before any extractor ran. A handler outside
    /// the gate cannot have one: that is refused rather than trusted.
    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        ready(
            req.extensions()
                .get::<Caller>()
                .cloned()
                .ok_or(ApiError::Unauthorized("missing bearer token")),
        )
    }
}

/// Staff and financier ids: short, plain ASCII, so that no look-alike character can pass
/// for another person's id.
pub fn is_valid_own_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.@".contains(c))
}

/// Verifies the bearer token and reads who it names (without asking the database).
fn authenticate(req: &HttpRequest, state: &AppState) -> Result<Caller, ApiError> {
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
    if claims.role.party_kind().is_some() {
        let party = Uuid::parse_str(&claims.sub)
            .map_err(|_| ApiError::Unauthorized("token subject is not a party id"))?;
        return Ok(Caller {
            role: claims.role,
            subject: party.to_string(),
            party: Some(party),
        });
    }
    if !is_valid_own_id(&claims.sub) {
        return Err(ApiError::Unauthorized("token subject is not a valid id"));
    }
    // Folded so that `OFFICER-7` and `officer-7` are one person: four eyes, audit actors and
    // idempotency scopes all compare this.
    Ok(Caller {
        role: claims.role,
        subject: claims.sub.to_ascii_lowercase(),
        party: None,
    })
}
