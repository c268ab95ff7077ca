//! The double-entry ledger: posting balanced journal entries inside the caller's transaction,
//! O(1) account balances kept in step, reversals, the trial balance and the balance check.
//!
//! Balances are updated in the same statement order (accounts sorted) by every writer, so two
//! transactions touching the same accounts never deadlock on them. Post ledger entries late in a
//! transaction: the balance rows stay locked until commit.
//!
//! A platform-wide account (one not owned by a loan, supplier, pool or bill: `cash:platform`,
//! income, losses) is touched by nearly every entry, so its balance is split over
//! `POOLED_SHARDS` rows and each entry adds to one of them; reads sum the shards. Without this,
//! every money movement on the platform waited for the previous one's commit.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Bpchar, Numeric, SmallInt, Text};
use domain::ledger::{Account, JournalEntry};
use rust_decimal::Decimal;
use uuid::Uuid;

use crate::error::RepoError;
use crate::schema::{account_balances, journal_entries, postings};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
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

/// How many balance rows a platform-wide account is spread over.
pub const POOLED_SHARDS: u8 = 16;

/// The balance row `entry` adds to for `account`: an owned account (`class:<uuid>`) has one
/// row; a platform-wide one a shard picked by the entry id's random bits.
fn shard_of(account: &str, entry: Uuid) -> i16 {
    let owned = account
        .split_once(':')
        .is_some_and(|(_, owner)| Uuid::parse_str(owner).is_ok());
    if owned {
        0
    } else {
        i16::from(entry.as_bytes()[15] % POOLED_SHARDS)
    }
}

/// Posts `entry` with id `id`; `reverses` names the entry it corrects, if any.
pub fn post(
    conn: &mut PgConnection,
    id: Uuid,
    entry: &JournalEntry,
    reverses: Option<Uuid>,
) -> Result<Uuid, RepoError> {
    let currency = entry.currency().code();
    diesel::insert_into(journal_entries::table)
        .values(&EntryRow {
            id,
            currency: currency.to_string(),
            business_date: entry.business_date(),
            kind: entry.kind().to_string(),
            reference: entry.reference().to_string(),
            memo: entry.memo().to_string(),
            reverses,
            created_at: Utc::now(),
        })
        .execute(conn)?;
    let rows: Vec<_> = entry
        .postings()
        .iter()
        .map(|p| {
            (
                postings::entry_id.eq(id),
                postings::currency.eq(currency),
                postings::account.eq(p.account.as_str()),
                postings::amount.eq(p.amount),
            )
        })
        .collect();
    diesel::insert_into(postings::table)
        .values(&rows)
        .execute(conn)?;
    apply_to_balances(conn, id, entry)?;
    Ok(id)
}

/// Adds the entry's net movement per account to the balances, accounts in sorted order.
fn apply_to_balances(
    conn: &mut PgConnection,
    id: Uuid,
    entry: &JournalEntry,
) -> Result<(), RepoError> {
    let mut net: Vec<(String, Decimal, i64)> = Vec::new();
    let mut lines: Vec<_> = entry.postings().iter().collect();
    lines.sort_by(|a, b| a.account.cmp(&b.account));
    for p in lines {
        match net.last_mut() {
            Some((account, sum, count)) if account == p.account.as_str() => {
                *sum += p.amount;
                *count += 1;
            }
            _ => net.push((p.account.as_str().to_string(), p.amount, 1)),
        }
    }
    let (accounts, rest): (Vec<String>, Vec<(Decimal, i64)>) =
        net.into_iter().map(|(a, s, c)| (a, (s, c))).unzip();
    let (amounts, counts): (Vec<Decimal>, Vec<i64>) = rest.into_iter().unzip();
    let shards: Vec<i16> = accounts.iter().map(|a| shard_of(a, id)).collect();
    diesel::sql_query(
        "INSERT INTO account_balances (account, currency, balance, postings_count, shard)
         SELECT a, $4, s, c, h
           FROM unnest($1::text[], $2::numeric[], $3::bigint[], $5::smallint[]) AS t(a, s, c, h)
         ORDER BY a
         ON CONFLICT (account, currency, shard) DO UPDATE
            SET balance = account_balances.balance + EXCLUDED.balance,
                postings_count = account_balances.postings_count + EXCLUDED.postings_count,
                updated_at = now()",
    )
    .bind::<Array<Text>, _>(&accounts)
    .bind::<Array<Numeric>, _>(&amounts)
    .bind::<Array<BigInt>, _>(&counts)
    .bind::<Bpchar, _>(entry.currency().code())
    .bind::<Array<SmallInt>, _>(&shards)
    .execute(conn)?;
    Ok(())
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
