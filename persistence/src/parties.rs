//! Parties repository: onboarding and reading merchants, suppliers and core enterprises.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use rust_decimal::Decimal;
use uuid::Uuid;

use sha2::{Digest, Sha256};

use crate::error::RepoError;
use crate::prepared::Prepare;
use crate::scf::registry::{self, REGISTRATION_KIND};
use crate::schema::{parties, party_monthly_sales};

#[derive(Debug, Clone, Queryable, QueryableByName, Selectable, Insertable)]
#[diesel(table_name = parties)]
pub struct PartyRow {
    pub id: Uuid,
    pub kind: String,
    pub name: String,
    pub registration_number: String,
    pub country: String,
    pub sector: String,
    pub onboarded_on: NaiveDate,
    pub contact_email: String,
    pub currency: String,
    pub store_opened_on: Option<NaiveDate>,
    pub returns_rate: Option<Decimal>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = party_monthly_sales)]
pub struct MonthlySalesRow {
    pub party_id: Uuid,
    pub month: NaiveDate,
    pub amount: Decimal,
}

/// A party with its sales history, oldest month first.
#[derive(Debug, Clone)]
pub struct PartyRecord {
    pub party: PartyRow,
    pub monthly_sales: Vec<MonthlySalesRow>,
}

/// Filters for listing parties; `after` is the keyset cursor (ids are time-ordered UUIDv7).
#[derive(Debug, Clone, Default)]
pub struct PartyFilter {
    pub kind: Option<String>,
    pub country: Option<String>,
    pub after: Option<Uuid>,
    pub limit: i64,
}

/// The name a second party with the same registration number (in the same country) is refused
/// under: the registry's own constraint says nothing about parties.
pub const REGISTRATION_TAKEN: &str = "parties_registration_unique";

/// The registry key of a party's registration: the hex SHA-256 of
/// `lendline-registry-v1\nparty_registration\n<country>\n<registration number>` (the migration
/// that moved the uniqueness into the registry computes the same for parties stored before).
pub fn registration_fingerprint(country: &str, registration_number: &str) -> String {
    let text =
        format!("lendline-registry-v1\nparty_registration\n{country}\n{registration_number}");
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// Onboards a party. Its registration is unique platform-wide through the registry (a unique
/// index on the party table could not be, distributed by party): a second party with the same
/// country and number fails with `RepoError::Conflict` on [`REGISTRATION_TAKEN`].
pub fn insert(conn: &mut PgConnection, record: &PartyRecord) -> Result<(), RepoError> {
    let party = &record.party;
    let print = registration_fingerprint(&party.country, &party.registration_number);
    registry::register_with(
        conn,
        (&print, REGISTRATION_KIND, party.id),
        diesel::insert_into(parties::table)
            .values((party, parties::registration_fingerprint.eq(&print))),
        REGISTRATION_TAKEN,
    )?;
    diesel::insert_into(party_monthly_sales::table)
        .values(&record.monthly_sales)
        .execute(conn)?;
    Ok(())
}

/// A party with its sales history, in one statement (see [`joined`]).
pub fn find(conn: &mut PgConnection, id: Uuid) -> Result<PartyRecord, RepoError> {
    joined(conn, id, "")
}

/// The parties of `ids` that exist, with their sales histories, in one statement: a decision
/// that scores several parties (a factoring request's supplier and debtors) reads them in one
/// round trip.
pub fn find_many(conn: &mut PgConnection, ids: &[Uuid]) -> Result<Vec<PartyRecord>, RepoError> {
    let rows: Vec<PartyMonth> = diesel::sql_query(
        "SELECT p.*, s.month, s.amount
           FROM parties p
           LEFT JOIN party_monthly_sales s ON s.party_id = p.id
          WHERE p.id = ANY($1)
          ORDER BY p.id, s.month",
    )
    .bind::<diesel::sql_types::Array<diesel::sql_types::Uuid>, _>(ids)
    .prepared()
    .load(conn)?;
    let mut records: Vec<PartyRecord> = Vec::new();
    for row in rows {
        let id = row.party.id;
        if records.last().is_none_or(|r| r.party.id != id) {
            records.push(PartyRecord {
                party: row.party,
                monthly_sales: Vec::new(),
            });
        }
        if let (Some(record), Some(month), Some(amount)) =
            (records.last_mut(), row.month, row.amount)
        {
            record.monthly_sales.push(MonthlySalesRow {
                party_id: id,
                month,
                amount,
            });
        }
    }
    Ok(records)
}

/// Locks a party's row for the rest of the transaction and answers it with its sales history.
///
/// Decisions that read a party's exposure and then add to it (a checkout, a credit-line
/// application) take this lock first, so two such decisions for one party run one after the
/// other and the second sees what the first committed. `FOR NO KEY UPDATE` leaves inserts of
/// rows referencing the party (their foreign-key checks take `KEY SHARE`) unblocked.
///
/// One statement: the party joined with its months (a party without sales comes as one row
/// without a month), the lock on the party's row only.
pub fn lock(conn: &mut PgConnection, id: Uuid) -> Result<PartyRecord, RepoError> {
    joined(conn, id, " FOR NO KEY UPDATE OF p")
}

/// The party joined with its months in one statement (a party without sales comes as one row
/// without a month), followed by `locking`.
fn joined(conn: &mut PgConnection, id: Uuid, locking: &str) -> Result<PartyRecord, RepoError> {
    let rows: Vec<PartyMonth> = diesel::sql_query(format!(
        "SELECT p.*, s.month, s.amount
           FROM parties p
           LEFT JOIN party_monthly_sales s ON s.party_id = p.id
          WHERE p.id = $1
          ORDER BY s.month{locking}"
    ))
    .bind::<diesel::sql_types::Uuid, _>(id)
    .prepared()
    .load(conn)?;
    let party = rows.first().ok_or(RepoError::NotFound)?.party.clone();
    let monthly_sales = rows
        .into_iter()
        .filter_map(|row| {
            Some(MonthlySalesRow {
                party_id: id,
                month: row.month?,
                amount: row.amount?,
            })
        })
        .collect();
    Ok(PartyRecord {
        party,
        monthly_sales,
    })
}

/// A party with one of its months (none for a party without sales).
#[derive(QueryableByName)]
struct PartyMonth {
    #[diesel(embed)]
    party: PartyRow,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Date>)]
    month: Option<NaiveDate>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Numeric>)]
    amount: Option<Decimal>,
}

/// Lists parties without their sales history (a list view does not need it).
pub fn list(conn: &mut PgConnection, filter: &PartyFilter) -> Result<Vec<PartyRow>, RepoError> {
    let mut query = parties::table.select(PartyRow::as_select()).into_boxed();
    if let Some(kind) = &filter.kind {
        query = query.filter(parties::kind.eq(kind));
    }
    if let Some(country) = &filter.country {
        query = query.filter(parties::country.eq(country));
    }
    if let Some(after) = filter.after {
        query = query.filter(parties::id.gt(after));
    }
    Ok(query
        .order(parties::id.asc())
        .limit(filter.limit)
        .load(conn)?)
}

/// A party's kind, or `None` when there is no such party: the per-request check that a
/// token's role matches its party reads only this.
pub fn kind_of(conn: &mut PgConnection, id: Uuid) -> Result<Option<String>, RepoError> {
    Ok(parties::table
        .find(id)
        .select(parties::kind)
        .first(conn)
        .optional()?)
}
