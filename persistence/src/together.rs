//! Writes in one statement: `WITH first AS (<first>), second AS (<second>) <last>`, one round
//! trip instead of one per write. All see the snapshot taken before any ran, so none may read
//! what another writes; on one PostgreSQL, constraints are checked after all of them. Put the
//! parent first all the same: a Citus coordinator runs each CTE as a statement of its own, in
//! order, before the last one, so there a child's foreign key is checked when its write runs.
//! Diesel numbers the parameters of all as one statement.

use diesel::pg::Pg;
use diesel::query_builder::{AstPass, QueryFragment};
use diesel::QueryResult;

use crate::prepared::{Prepare, Prepared};

/// `leading` writes (a tuple) then `last`, sent as one statement (see the module doc).
#[derive(Debug, Clone, Copy)]
pub struct Together<L, Last> {
    leading: L,
    last: Last,
}

/// `first` and `second` as one statement, prepared (its SQL is built from structure only).
pub fn together<A, B>(first: A, second: B) -> Prepared<Together<(A,), B>>
where
    Together<(A,), B>: QueryFragment<Pg>,
{
    Together {
        leading: (first,),
        last: second,
    }
    .prepared()
}

/// `first`, `second` and `third` as one statement, prepared.
pub fn together3<A, B, C>(first: A, second: B, third: C) -> Prepared<Together<(A, B), C>>
where
    Together<(A, B), C>: QueryFragment<Pg>,
{
    Together {
        leading: (first, second),
        last: third,
    }
    .prepared()
}

/// The writes that lead a [`Together`], each walked as a named common table expression.
pub trait Leading {
    fn walk_leading<'b>(&'b self, out: &mut AstPass<'_, 'b, Pg>) -> QueryResult<()>;
}

fn walk_cte<'b>(
    name: &str,
    write: &'b impl QueryFragment<Pg>,
    out: &mut AstPass<'_, 'b, Pg>,
) -> QueryResult<()> {
    out.push_sql(name);
    out.push_sql(" AS (");
    write.walk_ast(out.reborrow())?;
    out.push_sql(")");
    Ok(())
}

impl<A: QueryFragment<Pg>> Leading for (A,) {
    fn walk_leading<'b>(&'b self, out: &mut AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        walk_cte("first", &self.0, out)
    }
}

impl<A: QueryFragment<Pg>, B: QueryFragment<Pg>> Leading for (A, B) {
    fn walk_leading<'b>(&'b self, out: &mut AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        walk_cte("first", &self.0, out)?;
        out.push_sql(", ");
        walk_cte("second", &self.1, out)
    }
}

impl<L: Leading, Last: QueryFragment<Pg>> QueryFragment<Pg> for Together<L, Last> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        out.push_sql("WITH ");
        self.leading.walk_leading(&mut out)?;
        out.push_sql(" ");
        self.last.walk_ast(out.reborrow())
    }
}
