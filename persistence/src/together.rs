//! Two writes in one statement: `WITH first AS (<first>) <second>`, one round trip instead of
//! two. Both see the snapshot taken before either ran, so `second` must not read what `first`
//! writes; constraints are checked after both (a child row may refer to the parent row written
//! beside it). Diesel numbers the parameters of both as one statement.

use diesel::pg::Pg;
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::{PgConnection, QueryResult, RunQueryDsl};

/// `first` then `second`, sent as one statement (see the module doc).
#[derive(Debug, Clone, Copy, QueryId)]
pub struct Together<A, B> {
    first: A,
    second: B,
}

/// `first` and `second` as one statement.
pub fn together<A, B>(first: A, second: B) -> Together<A, B> {
    Together { first, second }
}

impl<A: QueryFragment<Pg>, B: QueryFragment<Pg>> QueryFragment<Pg> for Together<A, B> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        out.push_sql("WITH first AS (");
        self.first.walk_ast(out.reborrow())?;
        out.push_sql(") ");
        self.second.walk_ast(out.reborrow())
    }
}

impl<A, B> RunQueryDsl<PgConnection> for Together<A, B> {}
