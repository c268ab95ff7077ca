//! What every use case is given, built once per request by the runner: the open transaction's
//! connection, the business date and one clock reading, who acts, and the platform's policy.

use std::sync::Arc;

use chrono::{DateTime, NaiveDate, SubsecRound, Utc};
use diesel::PgConnection;
use uuid::Uuid;

use crate::config::LoansConfig;
use crate::usecases::error::UseCaseError;
use crate::usecases::scoring::ModelCache;

/// Who acts: recorded in the audit trail as `name` (`role:subject`).
#[derive(Debug, Clone)]
pub struct Actor {
    pub name: String,
    /// The party a business caller acts for; `None` for staff.
    pub party: Option<Uuid>,
    /// Staff act for the platform and may see every party's objects.
    pub staff: bool,
}

impl Actor {
    /// Staff see every object; a party sees only objects it owns. Anything else is "not
    /// found", so that a caller cannot learn that another party's object exists.
    pub fn can_see(&self, owners: &[Uuid]) -> bool {
        self.staff || self.party.is_some_and(|p| owners.contains(&p))
    }

    /// `object`, owned by `owner`, when the actor may see it; "not found" otherwise.
    pub fn visible<T>(&self, owner: Uuid, object: T) -> Result<T, UseCaseError> {
        if self.can_see(&[owner]) {
            Ok(object)
        } else {
            Err(UseCaseError::NotFound)
        }
    }

    /// Who acts, without the role (`name` is `role:subject`): four eyes tell officers apart by
    /// it, whatever role their token carries.
    pub fn person(&self) -> &str {
        self.name.split_once(':').map_or(&self.name, |(_, who)| who)
    }
}

/// The platform's rules and models, shared by every request.
#[derive(Clone)]
pub struct Policy {
    pub loans: LoansConfig,
    pub models: Arc<ModelCache>,
    /// Who receives every sealed audit checkpoint's hash.
    pub auditor_emails: Vec<String>,
}

pub struct Context<'c> {
    pub conn: &'c mut PgConnection,
    /// The platform's business date: what money movements are dated.
    pub today: NaiveDate,
    /// The one clock reading of this request (microseconds, as PostgreSQL stores them).
    pub now: DateTime<Utc>,
    pub actor: &'c Actor,
    pub policy: &'c Policy,
}

impl<'c> Context<'c> {
    /// Reads the business date once, for the request whose clock reading is `now`;
    /// everything the request records uses these two.
    pub fn open(
        conn: &'c mut PgConnection,
        now: DateTime<Utc>,
        actor: &'c Actor,
        policy: &'c Policy,
    ) -> Result<Context<'c>, persistence::RepoError> {
        let now = now.trunc_subsecs(6);
        let today = persistence::calendar::business_date(conn, now.date_naive())?;
        Ok(Context {
            conn,
            today,
            now,
            actor,
            policy,
        })
    }
}

impl Context<'_> {
    /// Appends `action` to the audit chain `chain` (e.g. `order:<id>`), as this request's actor
    /// at its clock reading: the one way a use case records what it did.
    pub fn audit(
        &mut self,
        chain: &str,
        action: &str,
        payload: &serde_json::Value,
    ) -> Result<(), persistence::RepoError> {
        persistence::audit::append(
            self.conn,
            chain,
            &self.actor.name,
            action,
            payload,
            self.now,
        )?;
        Ok(())
    }
}
