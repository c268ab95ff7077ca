//! Re-keys identifiers stored before the canonical key v2 (migration
//! `2026-11-30-000101_identifier_keys`): SQL cannot run NFKC or TR39 skeletons, so this runs in
//! Rust right after the SQL migrations, every time they run, and does nothing once every row is
//! keyed (partial indexes find the rows left in a few index probes).
//!
//! Two stored papers that turn out to be one under the new key (a disguised duplicate that was
//! registered before this fix) cannot both hold it: the first keeps the key, the other keeps its
//! old one and is logged as a warning for an operator to investigate. New submissions of that
//! paper collide with the first, so the duplicate can never be registered a third time.

use chrono::NaiveDate;
use diesel::prelude::*;
use diesel::sql_query;
use diesel::sql_types::{Date, Numeric, Text, Uuid as SqlUuid};
use domain::identifier::canonical_key;
use domain::money::{Currency, Money};
use domain::receivable_fingerprint::{
    bill_fingerprint, receipt_fingerprint, receivable_fingerprint, ReceivableKey,
};
use rust_decimal::Decimal;
use uuid::Uuid;

use crate::error::RepoError;

/// How many rows were re-keyed, and how many could not be because another row holds the key.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct RekeyReport {
    pub rekeyed: usize,
    pub duplicates: usize,
}

#[derive(QueryableByName)]
struct StoredReceivable {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
    #[diesel(sql_type = Text)]
    number: String,
    #[diesel(sql_type = Numeric)]
    amount: Decimal,
    #[diesel(sql_type = Text)]
    currency: String,
    #[diesel(sql_type = Date)]
    issue_date: NaiveDate,
    #[diesel(sql_type = Text)]
    counterparty: String,
}

#[derive(QueryableByName)]
struct StoredNumber {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
    #[diesel(sql_type = Text)]
    number: String,
    #[diesel(sql_type = Text)]
    counterparty: String,
}

#[derive(QueryableByName)]
struct V1 {
    #[diesel(sql_type = diesel::sql_types::Bool)]
    flag: bool,
}

/// Re-keys everything not yet on v2, each row in its own savepoint.
pub fn rekey_identifiers(conn: &mut PgConnection) -> Result<RekeyReport, RepoError> {
    let mut report = RekeyReport::default();
    // The paper queries join a registry entry's subject to its counterparty, across parties:
    // asked only when some entry is still on v1 (the registry is a small reference table), so a
    // database with nothing to re-key, on a cluster distributed by party too, never runs them.
    let v1 = "SELECT EXISTS (SELECT 1 FROM registry_entries WHERE key_version = 1) AS flag";
    if sql_query(v1).get_result::<V1>(conn)?.flag {
        rekey_receivables(conn, &mut report)?;
        rekey_bills(conn, &mut report)?;
        rekey_receipts(conn, &mut report)?;
    }
    rekey_plain(
        conn,
        &mut report,
        "orders",
        "id",
        "order_number",
        "order_key",
    )?;
    rekey_installment_orders(conn, &mut report)?;
    rekey_payment_references(conn, &mut report)?;
    if report != RekeyReport::default() {
        tracing::info!(?report, "identifiers re-keyed to the canonical key v2");
    }
    Ok(report)
}

/// Runs one row's update in a savepoint; a unique violation means another row holds the key.
fn apply<F>(
    conn: &mut PgConnection,
    report: &mut RekeyReport,
    what: &str,
    id: Uuid,
    update: F,
) -> Result<(), RepoError>
where
    F: FnOnce(&mut PgConnection) -> QueryResult<usize>,
{
    match conn.transaction(|c| update(c).map_err(RepoError::from)) {
        Ok(_) => report.rekeyed += 1,
        Err(RepoError::Conflict { .. }) => {
            report.duplicates += 1;
            tracing::warn!(%id, what, "stored identifier duplicates another under the v2 key; left on its old key");
        }
        Err(other) => return Err(other),
    }
    Ok(())
}

fn move_fingerprint(conn: &mut PgConnection, subject: Uuid, print: &str) -> QueryResult<usize> {
    sql_query("UPDATE registry_entries SET fingerprint = $1, key_version = 2 WHERE subject_id = $2")
        .bind::<Text, _>(print)
        .bind::<SqlUuid, _>(subject)
        .execute(conn)
}

fn rekey_receivables(conn: &mut PgConnection, report: &mut RekeyReport) -> Result<(), RepoError> {
    let rows: Vec<StoredReceivable> = sql_query(
        "SELECT r.id, r.invoice_number AS number, r.amount, r.currency::text AS currency,
                r.issue_date, d.registration_number AS counterparty
           FROM registry_entries e
           JOIN receivables r ON r.id = e.subject_id
           JOIN parties d ON d.id = r.debtor_id
          WHERE e.key_version = 1
          ORDER BY e.registered_at, r.id",
    )
    .load(conn)?;
    for row in rows {
        let currency = Currency::parse(&row.currency)
            .map_err(|e| RepoError::Corrupt(format!("receivable {}: {e}", row.id)))?;
        let print = receivable_fingerprint(&ReceivableKey {
            debtor_registration: &row.counterparty,
            number: &row.number,
            amount: Money::new(row.amount, currency),
            issue_date: row.issue_date,
        });
        apply(conn, report, "receivable", row.id, |c| {
            move_fingerprint(c, row.id, &print)
        })?;
    }
    Ok(())
}

fn rekey_bills(conn: &mut PgConnection, report: &mut RekeyReport) -> Result<(), RepoError> {
    let rows: Vec<StoredNumber> = sql_query(
        "SELECT b.id, b.bill_number AS number, a.registration_number AS counterparty
           FROM registry_entries e
           JOIN bills b ON b.id = e.subject_id
           JOIN parties a ON a.id = b.acceptor_id
          WHERE e.key_version = 1
          ORDER BY e.registered_at, b.id",
    )
    .load(conn)?;
    for row in rows {
        let print = bill_fingerprint(&row.counterparty, &row.number);
        apply(conn, report, "bill", row.id, |c| {
            move_fingerprint(c, row.id, &print)
        })?;
    }
    Ok(())
}

fn rekey_receipts(conn: &mut PgConnection, report: &mut RekeyReport) -> Result<(), RepoError> {
    let rows: Vec<StoredNumber> = sql_query(
        "SELECT c.id, c.receipt_number AS number, c.warehouse AS counterparty
           FROM registry_entries e
           JOIN collateral c ON c.id = e.subject_id
          WHERE e.key_version = 1
          ORDER BY e.registered_at, c.id",
    )
    .load(conn)?;
    for row in rows {
        let key = canonical_key(&row.number);
        let print = receipt_fingerprint(&key);
        apply(conn, report, "warehouse receipt", row.id, |c| {
            sql_query("UPDATE collateral SET receipt_key = $1 WHERE id = $2")
                .bind::<Text, _>(&key)
                .bind::<SqlUuid, _>(row.id)
                .execute(c)?;
            move_fingerprint(c, row.id, &print)
        })?;
    }
    Ok(())
}

/// Payment references stored before keys existed: the key, and its registry row (which is what
/// makes it unique), in one savepoint; a key another payment holds is a duplicate.
fn rekey_payment_references(
    conn: &mut PgConnection,
    report: &mut RekeyReport,
) -> Result<(), RepoError> {
    let rows: Vec<StoredNumber> = sql_query(
        "SELECT id, external_reference AS number, '' AS counterparty FROM loan_transactions
          WHERE external_reference IS NOT NULL AND external_reference_key IS NULL
          ORDER BY created_at, id",
    )
    .load(conn)?;
    for row in rows {
        let key = canonical_key(&row.number);
        let print = crate::loans::payment_reference_fingerprint(&key);
        apply(conn, report, "payment reference", row.id, |c| {
            register_keyed(
                c,
                "payment_reference",
                (&key, &print, row.id),
                "UPDATE loan_transactions SET external_reference_key = $1, reference_fingerprint = $2
                  WHERE id = $3",
            )
        })?;
    }
    Ok(())
}

/// Installment plans stored before keys existed: the key and its registry row (which is what
/// makes it unique per merchant), in one savepoint; a key another plan holds is a duplicate.
fn rekey_installment_orders(
    conn: &mut PgConnection,
    report: &mut RekeyReport,
) -> Result<(), RepoError> {
    let rows: Vec<StoredNumber> = sql_query(
        "SELECT loan_id AS id, order_reference AS number, merchant_id::text AS counterparty
           FROM installment_plans WHERE order_key IS NULL ORDER BY created_at, loan_id",
    )
    .load(conn)?;
    for row in rows {
        let key = canonical_key(&row.number);
        let merchant = Uuid::parse_str(&row.counterparty)
            .map_err(|e| RepoError::Corrupt(format!("installment plan {}: {e}", row.id)))?;
        let print = crate::installment_plans::order_fingerprint(merchant, &key);
        apply(conn, report, "installment order", row.id, |c| {
            register_keyed(
                c,
                "installment_order",
                (&key, &print, row.id),
                "UPDATE installment_plans SET order_key = $1, order_fingerprint = $2
                  WHERE loan_id = $3",
            )
        })?;
    }
    Ok(())
}

/// Enters a row's fingerprint in the registry under `kind` (which is what makes its key unique
/// platform-wide), then stores the key and fingerprint on the row with `update` (`$1` the key,
/// `$2` the fingerprint, `$3` the row's id; a fixed statement from this module).
fn register_keyed(
    c: &mut PgConnection,
    kind: &str,
    (key, print, id): (&str, &str, Uuid),
    update: &str,
) -> diesel::QueryResult<usize> {
    sql_query("INSERT INTO registry_entries (fingerprint, kind, subject_id) VALUES ($1, $2, $3)")
        .bind::<Text, _>(print)
        .bind::<Text, _>(kind)
        .bind::<SqlUuid, _>(id)
        .execute(c)?;
    sql_query(update)
        .bind::<Text, _>(key)
        .bind::<Text, _>(print)
        .bind::<SqlUuid, _>(id)
        .execute(c)
}

/// Tables whose key is a plain column filled from the number as typed. `table`, `pk`, `raw`
/// and `key` are fixed names from this module, never input.
fn rekey_plain(
    conn: &mut PgConnection,
    report: &mut RekeyReport,
    table: &str,
    pk: &str,
    raw: &str,
    key: &str,
) -> Result<(), RepoError> {
    let rows: Vec<StoredNumber> = sql_query(format!(
        "SELECT {pk} AS id, {raw} AS number, '' AS counterparty FROM {table}
          WHERE {raw} IS NOT NULL AND {key} IS NULL ORDER BY created_at, {pk}"
    ))
    .load(conn)?;
    let update = format!("UPDATE {table} SET {key} = $1 WHERE {pk} = $2");
    for row in rows {
        let canonical = canonical_key(&row.number);
        apply(conn, report, table, row.id, |c| {
            sql_query(&update)
                .bind::<Text, _>(&canonical)
                .bind::<SqlUuid, _>(row.id)
                .execute(c)
        })?;
    }
    Ok(())
}
