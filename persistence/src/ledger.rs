//! The double-entry ledger: posting balanced journal entries inside the caller's transaction,
//! O(1) account balances kept in step, reversals, the trial balance and the balance check.
//!
//! Balances are updated in the same statement order (accounts sorted) by every writer, so two
//! transactions touching the same accounts never deadlock on them. Post ledger entries late in a
//! transaction: the balance rows stay locked until commit.
//!
//! A platform-wide account (one not owned by a loan, supplier, pool or bill: `cash:platform`,
//! income, losses) is touched by nearly every entry, so its balance is split over
//! shard rows and each transaction adds to one of them; reads sum the shards. The number of
//! shards is `DEFAULT_SHARDS` unless the database setting `lendline.balance_shards` (1 to 64)
//! says otherwise: `ALTER DATABASE … SET lendline.balance_shards = 32` takes effect for new
//! connections, and changing it never loses a balance, since reads sum every shard row.
//! Without this, every money movement on the platform waited for the previous one's commit.
//!
//! Every entry belongs to a party (the tenant key of a cluster distributed by party): the one
//! whose business it books, or [`PLATFORM`]. Its postings and the balance rows they move carry
//! the same party, so an entry commits on its owner's shard; a balance is summed over parties
//! (and shards) on read.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::query_builder::{BoxedSqlQuery, SqlQuery};
use diesel::sql_types::{Array, BigInt, Bool, Bpchar, Date, Nullable, Numeric, Text, Timestamptz};
use domain::ledger::{Account, JournalEntry};
use rust_decimal::Decimal;
use uuid::Uuid;

use crate::error::RepoError;
use crate::prepared::Prepare;
use crate::schema::{account_balances, journal_entries, postings};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = journal_entries)]
pub struct EntryRow {
    pub id: Uuid,
    pub currency: String,
    pub business_date: NaiveDate,
    pub kind: String,
    pub reference: String,
    pub memo: String,
    pub reverses: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub party_id: Uuid,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = postings)]
pub struct PostingRow {
    pub id: i64,
    pub entry_id: Uuid,
    pub currency: String,
    pub account: String,
    pub amount: Decimal,
}

/// An account's balance in one currency, its shards summed.
#[derive(Debug, Clone, QueryableByName)]
pub struct BalanceRow {
    #[diesel(sql_type = Text)]
    pub account: String,
    #[diesel(sql_type = Bpchar)]
    pub currency: String,
    #[diesel(sql_type = Numeric)]
    pub balance: Decimal,
    #[diesel(sql_type = BigInt)]
    pub postings_count: i64,
}

/// The owner of entries that belong to no one party (end of day's aggregate accrual, bookings
/// of the platform itself).
pub const PLATFORM: Uuid = Uuid::nil();

/// How many balance rows a platform-wide account is spread over by default.
pub const DEFAULT_SHARDS: u32 = 16;

/// Whether `account` belongs to one loan, supplier, pool or bill (`class:<uuid>`): such an
/// account keeps one balance row; a platform-wide one is sharded.
fn owned(account: &str) -> bool {
    account
        .split_once(':')
        .is_some_and(|(_, owner)| Uuid::parse_str(owner).is_ok())
}

/// Posts `party`'s `entry` with id `id`; `reverses` names the entry it corrects, if any (the
/// same party's). One statement: the entry, its postings and the balances they move.
pub fn post(
    conn: &mut PgConnection,
    party: Uuid,
    id: Uuid,
    entry: &JournalEntry,
    reverses: Option<Uuid>,
) -> Result<Uuid, RepoError> {
    let at = Utc::now();
    let lines = Lines::of(entry);
    let net = Net::of(&[entry]);
    let query = diesel::sql_query(format!("{ENTRY_CTE} {}", balances_upsert(12))).into_boxed();
    net.bind(lines.bind(query, party, id, entry, reverses, at), party, at)
        .prepared()
        .execute(conn)?;
    Ok(id)
}

/// Posts several entries that belong to one business event (e.g. the interest accrued up to
/// a repayment, then the repayment) and moves the balances of all of them in one sorted
/// statement, so the balance rows are locked in the one house order however the entries'
/// accounts interleave. All are `party`'s. Answers the ids, in order.
pub fn post_all(
    conn: &mut PgConnection,
    party: Uuid,
    entries: &[JournalEntry],
) -> Result<Vec<Uuid>, RepoError> {
    // One entry (no accrual before the event): entry and balances in one statement.
    if let [entry] = entries {
        return Ok(vec![post(conn, party, Uuid::now_v7(), entry, None)?]);
    }
    let at = Utc::now();
    let mut ids = Vec::with_capacity(entries.len());
    for entry in entries {
        let id = Uuid::now_v7();
        let query = diesel::sql_query(format!("{ENTRY_CTE} SELECT 1")).into_boxed();
        Lines::of(entry)
            .bind(query, party, id, entry, None, at)
            .prepared()
            .execute(conn)?;
        ids.push(id);
    }
    let all: Vec<&JournalEntry> = entries.iter().collect();
    let query = diesel::sql_query(balances_upsert(1)).into_boxed();
    Net::of(&all)
        .bind(query, party, at)
        .prepared()
        .execute(conn)?;
    Ok(ids)
}

/// An entry and its postings ($1 to $11, the party last; posting ids follow the entry's line
/// order).
const ENTRY_CTE: &str = "WITH e AS (
         INSERT INTO journal_entries
             (id, currency, business_date, kind, reference, memo, reverses, created_at, party_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $11)),
     p AS (
         INSERT INTO postings (entry_id, currency, account, amount, party_id)
         SELECT $1, $2, a, amount, $11
           FROM unnest($9::text[], $10::numeric[]) WITH ORDINALITY AS t(a, amount, n)
          ORDER BY n)";

/// Adds net movements to the balances, in account order, from parameter `$first` on (the
/// party, accounts, currencies, amounts, posting counts, owned flags, the clock reading). A platform-wide
/// account's shard is picked by the transaction id, so every entry of one transaction adds to
/// the same shard row and a transaction never holds two of them.
///
/// `updated_at` is the bound clock reading, never `now()`: Citus refuses a volatile function in
/// `DO UPDATE SET`, and a bound value is the same on every node anyway.
fn balances_upsert(first: usize) -> String {
    let [p, a, ccy, s, c, o, t] = [0, 1, 2, 3, 4, 5, 6].map(|n| first + n);
    format!(
        "INSERT INTO account_balances
             (party_id, account, currency, balance, postings_count, updated_at, shard)
         SELECT ${p}::uuid, a, ccy, s, c, ${t}::timestamptz, CASE WHEN o THEN 0 ELSE (txid_current() % least(greatest(coalesce(
                (SELECT v::int FROM (SELECT current_setting('lendline.balance_shards', true)) AS g(v)
                  WHERE v ~ '^[0-9]{{1,2}}$'),
                {DEFAULT_SHARDS}), 1), 64))::smallint END
           FROM unnest(${a}::text[], ${ccy}::bpchar[], ${s}::numeric[], ${c}::bigint[], ${o}::bool[])
                AS t(a, ccy, s, c, o)
         ORDER BY a, ccy
         ON CONFLICT (party_id, account, currency, shard) DO UPDATE
            SET balance = account_balances.balance + EXCLUDED.balance,
                postings_count = account_balances.postings_count + EXCLUDED.postings_count,
                updated_at = EXCLUDED.updated_at"
    )
}

type Query<'a> = BoxedSqlQuery<'a, Pg, SqlQuery>;

/// An entry's posting lines, as bound to [`ENTRY_CTE`].
struct Lines<'a> {
    accounts: Vec<&'a str>,
    amounts: Vec<Decimal>,
}

impl<'a> Lines<'a> {
    fn of(entry: &'a JournalEntry) -> Self {
        let (accounts, amounts) = entry
            .postings()
            .iter()
            .map(|p| (p.account.as_str(), p.amount))
            .unzip();
        Lines { accounts, amounts }
    }

    fn bind(
        self,
        query: Query<'a>,
        party: Uuid,
        id: Uuid,
        entry: &'a JournalEntry,
        reverses: Option<Uuid>,
        at: DateTime<Utc>,
    ) -> Query<'a> {
        query
            .bind::<diesel::sql_types::Uuid, _>(id)
            .bind::<Bpchar, _>(entry.currency().code())
            .bind::<Date, _>(entry.business_date())
            .bind::<Text, _>(entry.kind())
            .bind::<Text, _>(entry.reference())
            .bind::<Text, _>(entry.memo())
            .bind::<Nullable<diesel::sql_types::Uuid>, _>(reverses)
            .bind::<Timestamptz, _>(at)
            .bind::<Array<Text>, _>(self.accounts)
            .bind::<Array<Numeric>, _>(self.amounts)
            .bind::<diesel::sql_types::Uuid, _>(party)
    }
}

/// Entries' net movement per account and currency, sorted, as bound to [`balances_upsert`].
struct Net<'a> {
    accounts: Vec<&'a str>,
    currencies: Vec<&'a str>,
    amounts: Vec<Decimal>,
    counts: Vec<i64>,
    owned: Vec<bool>,
}

impl<'a> Net<'a> {
    fn of(entries: &[&'a JournalEntry]) -> Self {
        let mut net: BTreeMap<(&str, &str), (Decimal, i64)> = BTreeMap::new();
        for entry in entries {
            for p in entry.postings() {
                let line = net
                    .entry((p.account.as_str(), entry.currency().code()))
                    .or_default();
                line.0 += p.amount;
                line.1 += 1;
            }
        }
        let mut all = Net {
            accounts: Vec::with_capacity(net.len()),
            currencies: Vec::with_capacity(net.len()),
            amounts: Vec::with_capacity(net.len()),
            counts: Vec::with_capacity(net.len()),
            owned: Vec::with_capacity(net.len()),
        };
        for ((account, currency), (amount, count)) in net {
            all.accounts.push(account);
            all.currencies.push(currency);
            all.amounts.push(amount);
            all.counts.push(count);
            all.owned.push(owned(account));
        }
        all
    }

    fn bind(self, query: Query<'a>, party: Uuid, at: DateTime<Utc>) -> Query<'a> {
        query
            .bind::<diesel::sql_types::Uuid, _>(party)
            .bind::<Array<Text>, _>(self.accounts)
            .bind::<Array<Bpchar>, _>(self.currencies)
            .bind::<Array<Numeric>, _>(self.amounts)
            .bind::<Array<BigInt>, _>(self.counts)
            .bind::<Array<Bool>, _>(self.owned)
            .bind::<Timestamptz, _>(at)
    }
}

/// The entry and its postings.
pub fn find_entry(
    conn: &mut PgConnection,
    id: Uuid,
) -> Result<(EntryRow, Vec<PostingRow>), RepoError> {
    let entry = journal_entries::table
        .find(id)
        .select(EntryRow::as_select())
        .first(conn)?;
    let lines = postings::table
        .filter(postings::party_id.eq(entry.party_id))
        .filter(postings::entry_id.eq(id))
        .order(postings::id.asc())
        .select(PostingRow::as_select())
        .load(conn)?;
    Ok((entry, lines))
}

/// The shards summed per account and currency; `$1`.. bind the filter.
const SUMMED: &str = "SELECT account, currency, sum(balance) AS balance,
        sum(postings_count)::bigint AS postings_count
   FROM account_balances";

/// Balances of one account (one per currency it has seen).
pub fn balances_of(
    conn: &mut PgConnection,
    account: &Account,
) -> Result<Vec<BalanceRow>, RepoError> {
    Ok(diesel::sql_query(format!(
        "{SUMMED} WHERE account = $1 GROUP BY account, currency ORDER BY currency"
    ))
    .bind::<Text, _>(account.as_str())
    .load(conn)?)
}

/// The balance of `account` in `currency` (zero when it has never been posted to).
pub fn balance(
    conn: &mut PgConnection,
    account: &Account,
    currency: &str,
) -> Result<Decimal, RepoError> {
    use diesel::dsl::sum;
    Ok(account_balances::table
        .filter(account_balances::account.eq(account.as_str()))
        .filter(account_balances::currency.eq(currency))
        .select(sum(account_balances::balance))
        .first::<Option<Decimal>>(conn)?
        .unwrap_or(Decimal::ZERO))
}

/// Makes the transactions that decide an amount from `account`'s balance take turns (until
/// commit), without locking its balance row early, which would break the sorted order in which
/// postings lock balance rows.
pub fn serialise_on(conn: &mut PgConnection, account: &Account) -> Result<(), RepoError> {
    diesel::sql_query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
        .bind::<Text, _>(format!("balance:{}", account.as_str()))
        .execute(conn)?;
    Ok(())
}

/// Postings of one account, oldest first, after posting id `after`.
pub fn postings_of(
    conn: &mut PgConnection,
    account: &Account,
    after: i64,
    limit: i64,
) -> Result<Vec<PostingRow>, RepoError> {
    Ok(postings::table
        .filter(postings::account.eq(account.as_str()))
        .filter(postings::id.gt(after))
        .order(postings::id.asc())
        .limit(limit)
        .select(PostingRow::as_select())
        .load(conn)?)
}

/// Every account's balance, in account order, after the account name `after`.
pub fn trial_balance_page(
    conn: &mut PgConnection,
    after: &str,
    limit: i64,
) -> Result<Vec<BalanceRow>, RepoError> {
    Ok(diesel::sql_query(format!(
        "{SUMMED} WHERE account > $1 GROUP BY account, currency
          ORDER BY account, currency LIMIT $2"
    ))
    .bind::<Text, _>(after)
    .bind::<BigInt, _>(limit)
    .load(conn)?)
}

/// The sum of all balances per currency: exactly zero in a sound ledger.
pub fn totals_by_currency(conn: &mut PgConnection) -> Result<Vec<(String, Decimal)>, RepoError> {
    use diesel::dsl::sum;
    let rows: Vec<(String, Option<Decimal>)> = account_balances::table
        .group_by(account_balances::currency)
        .select((account_balances::currency, sum(account_balances::balance)))
        .order(account_balances::currency.asc())
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(c, s)| (c, s.unwrap_or(Decimal::ZERO)))
        .collect())
}

#[derive(Debug, Clone, QueryableByName, PartialEq, Eq)]
pub struct BalanceMismatch {
    #[diesel(sql_type = Text)]
    pub account: String,
    #[diesel(sql_type = Bpchar)]
    pub currency: String,
    #[diesel(sql_type = Numeric)]
    pub kept: Decimal,
    #[diesel(sql_type = Numeric)]
    pub from_postings: Decimal,
}

/// Accounts whose kept balance differs from the sum of their postings (empty when sound).
pub fn balance_mismatches(conn: &mut PgConnection) -> Result<Vec<BalanceMismatch>, RepoError> {
    Ok(diesel::sql_query(
        "SELECT coalesce(b.account, p.account) AS account, coalesce(b.currency, p.currency) AS currency,
                coalesce(b.balance, 0) AS kept, coalesce(p.total, 0) AS from_postings
           FROM (SELECT account, currency, sum(balance) AS balance
                   FROM account_balances GROUP BY 1, 2) b
           FULL JOIN (SELECT account, currency, sum(amount) AS total FROM postings GROUP BY 1, 2) p
             ON p.account = b.account AND p.currency = b.currency
          WHERE coalesce(b.balance, 0) <> coalesce(p.total, 0)
          ORDER BY 1, 2
          LIMIT 100",
    )
    .load(conn)?)
}
