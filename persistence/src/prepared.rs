//! Statements PostgreSQL prepares once per connection instead of parsing and planning on every
//! call.
//!
//! Diesel prepares and caches its own query-builder statements, but sends a hand-written
//! `sql_query`, an `UPDATE`, an upsert or a multi-row insert unprepared every time, because
//! their SQL may differ from call to call under one Rust type. For the decision path's big
//! common table expressions that planning is most of what PostgreSQL spends on them (measured
//! with `pg_stat_statements` under `tests/src/bin/peak`: 0.5–0.8 ms of planning per call).
//!
//! [`Prepared`] marks such a statement safe to cache and keys the cache by its SQL text (never
//! by its Rust type), so a statement whose SQL varies with its input (the number of audit
//! chains, a schedule's rows) gets one cached statement per shape. Use it only for SQL built
//! from structure, never for SQL with values written into its text: every distinct text would
//! stay prepared for the life of the connection.

use diesel::pg::Pg;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::row::NamedRow;
use diesel::sql_types::Untyped;
use diesel::{PgConnection, QueryResult, QueryableByName, RunQueryDsl};

/// `Q`, prepared once per connection and cached under its SQL text (see the module doc), unless
/// it was found too big to keep ([`Prepared::sized`]).
#[derive(Debug, Clone, Copy)]
pub struct Prepared<Q>(Q, bool);

/// `.prepared()` on any statement: see [`Prepared`].
pub trait Prepare: QueryFragment<Pg> + Sized {
    fn prepared(self) -> Prepared<Self> {
        Prepared(self, true)
    }
}

/// The most parts (rows of a multi-row insert, writes of one statement) a statement whose shape
/// follows its input may have and still be kept prepared. Each shape stays prepared, with its
/// plan, in the server and in PostgreSQL for the life of the connection: a supplier sending
/// factoring pools of every size from 2 to 500 would otherwise leave hundreds of big plans on
/// every connection. Past this size a statement is rare and planned on each call.
pub const PREPARE_UP_TO: usize = 32;

impl<Q: QueryFragment<Pg>> Prepare for Q {}

impl<Q: QueryFragment<Pg>> QueryFragment<Pg> for Prepared<Q> {
    fn walk_ast<'b>(&'b self, pass: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        self.0.walk_ast(pass)
    }

    // Diesel's caching rule, overridden: the statement is cached under its SQL text (see
    // `QueryId` below), so SQL that differs between calls is a different cache entry.
    fn is_safe_to_cache_prepared(&self, _backend: &Pg) -> QueryResult<bool> {
        Ok(self.1)
    }
}

/// No static id: diesel then keys its statement cache by the SQL text and bind types.
impl<Q> QueryId for Prepared<Q> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<Q: Query> Query for Prepared<Q> {
    type SqlType = Q::SqlType;
}

impl<Q> RunQueryDsl<PgConnection> for Prepared<Q> {}

impl<Q: QueryFragment<Pg>> Prepared<Q> {
    /// Kept prepared only if its shape has at most [`PREPARE_UP_TO`] `parts`.
    pub fn sized(self, parts: usize) -> Prepared<Q> {
        Prepared(self.0, self.1 && parts <= PREPARE_UP_TO)
    }

    /// Runs a statement for its effects, prepared; any rows it answers are read and dropped.
    /// This shadows diesel's `execute`, which would not prepare it: diesel executes through a
    /// reference, and `QueryFragment for &T` does not pass on [`Prepared`]'s caching rule, so
    /// the inner statement's own rule won, and diesel never caches a `sql_query`, an
    /// `UPDATE`, an upsert, a multi-row insert or an insert with `DEFAULT` values. Under
    /// `tests/src/bin/peak` the PostgreSQL log showed the loan, ledger and decision inserts
    /// sent unnamed, parsed and planned on every call. Loading takes the statement by value,
    /// so this runs it as a load. Diesel reports the rows affected only on the path that
    /// cannot prepare: where the count matters, add `RETURNING` and count the rows answered.
    pub fn execute(self, conn: &mut PgConnection) -> QueryResult<()> {
        self.count(conn).map(drop)
    }

    /// [`Prepared::execute`], answering how many rows the statement answered: with
    /// `RETURNING`, how many it wrote.
    pub fn count(self, conn: &mut PgConnection) -> QueryResult<usize> {
        Unreturning(self).load::<NoRow>(conn).map(|rows| rows.len())
    }
}

/// A prepared statement run through diesel's loading path (see [`Prepared::execute`]).
struct Unreturning<Q>(Prepared<Q>);

impl<Q: QueryFragment<Pg>> QueryFragment<Pg> for Unreturning<Q> {
    fn walk_ast<'b>(&'b self, pass: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        self.0.walk_ast(pass)
    }

    fn is_safe_to_cache_prepared(&self, backend: &Pg) -> QueryResult<bool> {
        self.0.is_safe_to_cache_prepared(backend)
    }
}

impl<Q> QueryId for Unreturning<Q> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<Q> Query for Unreturning<Q> {
    type SqlType = Untyped;
}

impl<Q> RunQueryDsl<PgConnection> for Unreturning<Q> {}

/// A row of a statement run for its effects, dropped unread.
struct NoRow;

impl QueryableByName<Pg> for NoRow {
    fn build<'a>(_row: &impl NamedRow<'a, Pg>) -> diesel::deserialize::Result<Self> {
        Ok(NoRow)
    }
}
