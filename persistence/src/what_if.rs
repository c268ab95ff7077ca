//! Running work only to learn what it would produce: the work runs in a savepoint that is
//! always rolled back, whatever the work answers. A payoff quote uses it to run the real
//! accrual up to a future date and read the balances, without keeping the accrual.

use diesel::connection::{AnsiTransactionManager, TransactionManager};
use diesel::PgConnection;

/// Runs `work` in a savepoint (a transaction when none is open), then rolls the savepoint back
/// and answers what the work answered: its effects are never kept. A failed rollback wins
/// over the work's answer, since the connection's state is then unknown.
pub fn rolled_back<T, E>(
    conn: &mut PgConnection,
    work: impl FnOnce(&mut PgConnection) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<diesel::result::Error>,
{
    AnsiTransactionManager::begin_transaction(conn)?;
    let answer = work(conn);
    AnsiTransactionManager::rollback_transaction(conn)?;
    answer
}
