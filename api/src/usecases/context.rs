//! What every use case is given, built once per request by the runner: the open transaction's
//! connection, the business date and one clock reading, who acts, and the platform's policy.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, NaiveDate, SubsecRound, Utc};
use diesel::PgConnection;
use persistence::parties::PartyRecord;
use uuid::Uuid;

use crate::config::{AuditConfig, LoansConfig};
use crate::usecases::error::UseCaseError;
use crate::usecases::recent::Recent;
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

    /// The party whose objects alone the actor may see (its own), which routes a read by id to
    /// that party's shard; `None` for staff, who see every party's.
    pub fn own_party(&self) -> Option<Uuid> {
        self.party.filter(|_| !self.staff)
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
pub struct Policy {
    pub loans: LoansConfig,
    pub models: Arc<ModelCache>,
    /// Who receives sealed audit checkpoints' hashes, and how many heads a checkpoint covers.
    pub audit: AuditConfig,
    /// The business date, reused for a moment (see [`Recent`]).
    pub calendar: Recent<NaiveDate>,
    /// Whether the writes of [`Context::write_at_close`] ride along with the request's audit
    /// appends: only on a database known to be plain PostgreSQL (off by default), never on a
    /// Citus cluster, where the outbox is the coordinator's table, the appends go to a
    /// party's shard, and a statement of many writes is split by the coordinator anyway.
    pub writes_ride: bool,
}

/// What a use case may change that requests keep for a moment (see [`Recent`]).
#[derive(Debug, Clone, Copy)]
pub enum Shared {
    Calendar,
    Assignments,
}

impl Policy {
    /// Changes announced by [`Context::forget`] have committed: they may be kept again.
    pub fn settle(&self, changed: &[Shared]) {
        for shared in changed {
            match shared {
                Shared::Calendar => self.calendar.settle(),
                Shared::Assignments => self.models.settle_assignments(),
            }
        }
    }

    /// The policy of a server (or a command) whose shared state is reused for `cache_ttl`.
    pub fn new(loans: LoansConfig, audit: AuditConfig, cache_ttl: Duration) -> Policy {
        Policy {
            loans,
            models: Arc::new(ModelCache::new(cache_ttl)),
            audit,
            calendar: Recent::new(cache_ttl),
            writes_ride: false,
        }
    }
}

pub struct Context<'c> {
    pub conn: &'c mut PgConnection,
    /// The platform's business date: what money movements are dated.
    pub today: NaiveDate,
    /// The one clock reading of this request (microseconds, as PostgreSQL stores them).
    pub now: DateTime<Utc>,
    pub actor: &'c Actor,
    pub policy: &'c Policy,
    /// What this request changes that requests keep: settled by the runner after the commit.
    changed: Vec<Shared>,
    /// Parties this request has read through [`Context::party`].
    parties: HashMap<Uuid, PartyRecord>,
    /// What the request records on audit chains, appended when it closes (one statement for a
    /// request of a few events and riding writes).
    pub audit_log: persistence::audit::AuditLog,
}

impl<'c> Context<'c> {
    /// Takes the business date (kept by the policy for a moment, else read), for the request
    /// whose clock reading is `now`; everything the request records uses these two.
    pub fn open(
        conn: &'c mut PgConnection,
        now: DateTime<Utc>,
        actor: &'c Actor,
        policy: &'c Policy,
    ) -> Result<Context<'c>, persistence::RepoError> {
        let now = now.trunc_subsecs(6);
        let today = policy
            .calendar
            .get_or_load(|| persistence::calendar::business_date(conn, now.date_naive()))?;
        Ok(Context {
            conn,
            today,
            now,
            actor,
            policy,
            changed: Vec::new(),
            parties: HashMap::new(),
            audit_log: Default::default(),
        })
    }

    /// A party with its sales history, read once per request: a decision that looks at one
    /// party twice (to score it, then to write to it) pays one read. Only for parties the
    /// request does not change.
    pub fn party(&mut self, id: Uuid) -> Result<PartyRecord, persistence::RepoError> {
        if let Some(party) = self.parties.get(&id) {
            return Ok(party.clone());
        }
        let party = persistence::parties::find(self.conn, id)?;
        self.parties.insert(id, party.clone());
        Ok(party)
    }

    /// Reads the parties of `ids` that [`Context::party`] has not read yet, in one statement.
    pub fn read_parties(&mut self, ids: &[Uuid]) -> Result<(), persistence::RepoError> {
        let unread: Vec<Uuid> = ids
            .iter()
            .filter(|id| !self.parties.contains_key(id))
            .copied()
            .collect();
        if unread.len() > 1 {
            for party in persistence::parties::find_many(self.conn, &unread)? {
                self.parties.insert(party.party.id, party);
            }
        }
        Ok(())
    }

    /// This request changes `shared`: no request keeps it until this one has committed.
    pub fn forget(&mut self, shared: Shared) {
        match shared {
            Shared::Calendar => self.policy.calendar.forget(),
            Shared::Assignments => self.policy.models.forget_assignments(),
        }
        self.changed.push(shared);
    }

    /// Ends the request's work: answers what it changed of what requests keep, for
    /// [`Policy::settle`] after the commit, and the events it recorded on audit chains, which
    /// the caller must append before it commits (with its idempotency answer, if it has one:
    /// one statement for both).
    #[must_use]
    pub fn close(self) -> (Vec<Shared>, persistence::audit::AuditLog) {
        (self.changed, self.audit_log)
    }
}

impl Context<'_> {
    /// Makes `tail` part of this request, for a write that nothing later in the request reads
    /// and that no other write of the request touches (one statement changes a row once): it
    /// rides in the statement of the request's audit appends where [`Policy::writes_ride`]
    /// (one round trip fewer), else it runs now. The request fails with `untouched()` if
    /// `tail` returns no row.
    pub fn write_at_close(
        &mut self,
        tail: persistence::audit::Tail<'static>,
        untouched: fn() -> persistence::RepoError,
    ) -> Result<(), persistence::RepoError> {
        self.writes_at_close(
            tail,
            |tail| [tail],
            |conn, tail| match persistence::audit::run_alone(conn, tail)? {
                true => Ok(()),
                false => Err(untouched()),
            },
            untouched,
        )
    }

    /// [`Context::write_at_close`] for several writes that may run alone in fewer statements
    /// than they ride in: `ride` makes them writes that ride in the statement of the request's
    /// audit appends where [`Policy::writes_ride`] (each failing the request with
    /// `untouched()` if it returns no row), else `alone` writes them now.
    pub fn writes_at_close<W, const N: usize>(
        &mut self,
        writes: W,
        ride: impl FnOnce(W) -> [persistence::audit::Tail<'static>; N],
        alone: impl FnOnce(&mut PgConnection, W) -> Result<(), persistence::RepoError>,
        untouched: fn() -> persistence::RepoError,
    ) -> Result<(), persistence::RepoError> {
        if self.policy.writes_ride {
            for tail in ride(writes) {
                self.audit_log.ride(tail, untouched);
            }
            Ok(())
        } else {
            alone(self.conn, writes)
        }
    }

    /// Records `action` on the audit chain `chain` (e.g. an order's, kept with its merchant),
    /// as this request's actor at its clock reading: the one way a use case records what it did.
    /// Appended with the request's other events when it closes ([`Context::close`]).
    pub fn audit(
        &mut self,
        chain: &persistence::audit::Chain,
        action: &str,
        payload: &serde_json::Value,
    ) {
        self.audit_log
            .record(chain, &self.actor.name, action, payload, self.now);
    }
}
