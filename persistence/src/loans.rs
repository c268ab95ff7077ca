//! Loans: creation with their schedule, reads, repayment bookkeeping and transactions.
//!
//! A loan, its schedule and its transactions are keyed by the borrower (`party_id`, the tenant
//! key of a cluster distributed by party): every lock and write names the borrower, so it goes
//! to one shard.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Nullable, Numeric};
use rust_decimal::Decimal;
use uuid::Uuid;

use sha2::{Digest, Sha256};

use crate::error::RepoError;
use crate::prepared::Prepare;
use crate::scf::registry::{self, PAYMENT_REFERENCE_KIND};
use crate::schema::{loan_installments, loan_transactions, loans};
use crate::together::together3;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = loans)]
pub struct LoanRow {
    pub id: Uuid,
    /// The credit line of a stock-up loan; none for the other products.
    pub line_id: Option<Uuid>,
    pub party_id: Uuid,
    pub currency: String,
    pub principal: Decimal,
    pub annual_rate: Decimal,
    pub penalty_rate_daily: Decimal,
    pub method: String,
    pub tenor_days: i32,
    pub start_date: NaiveDate,
    pub maturity_date: NaiveDate,
    pub status: String,
    pub principal_paid: Decimal,
    pub interest_accrued_unrounded: Decimal,
    pub interest_posted: Decimal,
    pub interest_paid: Decimal,
    pub penalty_accrued_unrounded: Decimal,
    pub penalty_posted: Decimal,
    pub penalty_paid: Decimal,
    pub accrued_through: NaiveDate,
    pub dpd: i32,
    pub bucket: String,
    pub written_off_on: Option<NaiveDate>,
    pub recovered: Decimal,
    pub created_at: DateTime<Utc>,
    /// `stock_up`, `installment`, `order_financing` or `inventory_financing`.
    pub product: String,
    pub fees_posted: Decimal,
    pub fees_paid: Decimal,
}

impl LoanRow {
    pub fn principal_outstanding(&self) -> Decimal {
        self.principal - self.principal_paid
    }
    pub fn interest_outstanding(&self) -> Decimal {
        self.interest_posted - self.interest_paid
    }
    pub fn penalty_outstanding(&self) -> Decimal {
        self.penalty_posted - self.penalty_paid
    }
    pub fn fees_outstanding(&self) -> Decimal {
        self.fees_posted - self.fees_paid
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = loan_installments)]
pub struct InstallmentRow {
    pub loan_id: Uuid,
    pub number: i32,
    pub due_date: NaiveDate,
    pub principal: Decimal,
    pub interest: Decimal,
    pub cum_principal: Decimal,
    pub fee: Decimal,
    /// The loan's borrower.
    pub party_id: Uuid,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = loan_transactions)]
pub struct TransactionRow {
    pub id: Uuid,
    pub loan_id: Uuid,
    pub kind: String,
    pub business_date: NaiveDate,
    pub amount: Decimal,
    pub principal: Decimal,
    pub interest: Decimal,
    pub penalty: Decimal,
    pub external_reference: Option<String>,
    pub journal_entry_id: Uuid,
    pub created_at: DateTime<Utc>,
    pub fee: Decimal,
    /// The reference's canonical key (`domain::identifier`): what makes it unique.
    pub external_reference_key: Option<String>,
    /// The loan's borrower.
    pub party_id: Uuid,
}

/// Stores a new loan with its schedule and its disbursement (which moved no outside money, so
/// has no external reference to register), in one statement, the loan first (see
/// `crate::together`).
pub fn insert(
    conn: &mut PgConnection,
    loan: &LoanRow,
    installments: &[InstallmentRow],
    disbursement: &TransactionRow,
) -> Result<(), RepoError> {
    if installments.is_empty() || disbursement.external_reference_key.is_some() {
        return Err(RepoError::Corrupt(format!(
            "loan {} is booked without a schedule or with a referenced disbursement",
            loan.id
        )));
    }
    together3(
        diesel::insert_into(loans::table).values(loan),
        diesel::insert_into(loan_installments::table).values(installments),
        diesel::insert_into(loan_transactions::table).values((
            disbursement,
            loan_transactions::reference_fingerprint.eq(None::<String>),
        )),
    )
    .execute(conn)?;
    Ok(())
}

pub fn find(conn: &mut PgConnection, id: Uuid) -> Result<LoanRow, RepoError> {
    Ok(loans::table
        .find(id)
        .select(LoanRow::as_select())
        .first(conn)?)
}

/// `party`'s loan `id`, without a lock (not found when the loan is someone else's): found
/// through its borrower, so on a cluster it is read on the borrower's shard alone.
pub fn get(conn: &mut PgConnection, party: Uuid, id: Uuid) -> Result<LoanRow, RepoError> {
    Ok(loans::table
        .find(id)
        .filter(loans::party_id.eq(party))
        .select(LoanRow::as_select())
        .first(conn)?)
}

/// Loads several loans in one query, keyed by id (ids with no loan are simply absent).
pub fn find_many(
    conn: &mut PgConnection,
    ids: &[Uuid],
) -> Result<std::collections::HashMap<Uuid, LoanRow>, RepoError> {
    Ok(loans::table
        .filter(loans::id.eq_any(ids))
        .select(LoanRow::as_select())
        .load(conn)?
        .into_iter()
        .map(|loan| (loan.id, loan))
        .collect())
}

/// Whose loan `id` is: how a caller that knows only the loan (staff) finds the borrower to lock
/// it through. A read without a lock, so on a cluster it may ask every shard.
pub fn owner(conn: &mut PgConnection, id: Uuid) -> Result<Uuid, RepoError> {
    Ok(loans::table.find(id).select(loans::party_id).first(conn)?)
}

/// Loads `party`'s loan `id` and locks it for the rest of the transaction (not found when the
/// loan is someone else's).
pub fn lock(conn: &mut PgConnection, party: Uuid, id: Uuid) -> Result<LoanRow, RepoError> {
    Ok(loans::table
        .find(id)
        .filter(loans::party_id.eq(party))
        .select(LoanRow::as_select())
        .for_update()
        .first(conn)?)
}

/// The schedule of `party`'s loan `id`.
pub fn installments(
    conn: &mut PgConnection,
    party: Uuid,
    id: Uuid,
) -> Result<Vec<InstallmentRow>, RepoError> {
    Ok(loan_installments::table
        .filter(loan_installments::party_id.eq(party))
        .filter(loan_installments::loan_id.eq(id))
        .order(loan_installments::number.asc())
        .select(InstallmentRow::as_select())
        .load(conn)?)
}

#[derive(Debug, Clone, Default)]
pub struct LoanFilter {
    pub party: Option<Uuid>,
    pub product: Option<String>,
    pub line: Option<Uuid>,
    pub status: Option<String>,
    pub bucket: Option<String>,
    pub after: Option<Uuid>,
    pub limit: i64,
}

pub fn list(conn: &mut PgConnection, filter: &LoanFilter) -> Result<Vec<LoanRow>, RepoError> {
    let mut query = loans::table.select(LoanRow::as_select()).into_boxed();
    if let Some(p) = filter.party {
        query = query.filter(loans::party_id.eq(p));
    }
    if let Some(p) = &filter.product {
        query = query.filter(loans::product.eq(p));
    }
    if let Some(l) = filter.line {
        query = query.filter(loans::line_id.eq(l));
    }
    if let Some(s) = &filter.status {
        query = query.filter(loans::status.eq(s));
    }
    if let Some(b) = &filter.bucket {
        query = query.filter(loans::bucket.eq(b));
    }
    if let Some(a) = filter.after {
        query = query.filter(loans::id.gt(a));
    }
    Ok(query
        .order(loans::id.asc())
        .limit(filter.limit)
        .load(conn)?)
}

/// Records what a repayment (or write-off) settled on the loan.
pub fn record_payment(conn: &mut PgConnection, loan: &LoanRow) -> Result<(), RepoError> {
    diesel::update(
        loans::table
            .find(loan.id)
            .filter(loans::party_id.eq(loan.party_id)),
    )
    .set((
        loans::principal_paid.eq(loan.principal_paid),
        loans::interest_paid.eq(loan.interest_paid),
        loans::penalty_paid.eq(loan.penalty_paid),
        loans::fees_paid.eq(loan.fees_paid),
        loans::status.eq(&loan.status),
        loans::written_off_on.eq(loan.written_off_on),
        loans::recovered.eq(loan.recovered),
    ))
    .prepared()
    .execute(conn)?;
    Ok(())
}

/// The name a second payment with the same external reference is refused under, whichever
/// loan it names: the registry's own constraint says nothing about payments.
pub const REFERENCE_TAKEN: &str = "loan_transactions_reference_key_unique";

/// The registry key of a payment reference: the hex SHA-256 of
/// `lendline-registry-v1\npayment_reference\n<canonical key>` (the migration that moved the
/// uniqueness into the registry computes the same for transactions stored before).
pub fn payment_reference_fingerprint(key: &str) -> String {
    let text = format!("lendline-registry-v1\npayment_reference\n{key}");
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// Books a transaction; its external reference, if any, is registered in the same statement
/// (unique platform-wide, through the registry): a second one fails with
/// `RepoError::Conflict` on [`REFERENCE_TAKEN`].
pub fn insert_transaction(conn: &mut PgConnection, tx: &TransactionRow) -> Result<(), RepoError> {
    let Some(key) = &tx.external_reference_key else {
        diesel::insert_into(loan_transactions::table)
            .values((
                tx,
                loan_transactions::reference_fingerprint.eq(None::<String>),
            ))
            .execute(conn)?;
        return Ok(());
    };
    let print = payment_reference_fingerprint(key);
    registry::register_with(
        conn,
        (&print, PAYMENT_REFERENCE_KIND, tx.id),
        diesel::insert_into(loan_transactions::table).values((
            tx,
            loan_transactions::reference_fingerprint.eq(Some(&print)),
        )),
        REFERENCE_TAKEN,
    )
}

/// The transactions of `party`'s loan `loan`, oldest first, after `after`.
pub fn transactions(
    conn: &mut PgConnection,
    party: Uuid,
    loan: Uuid,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<TransactionRow>, RepoError> {
    let mut query = loan_transactions::table
        .filter(loan_transactions::party_id.eq(party))
        .filter(loan_transactions::loan_id.eq(loan))
        .select(TransactionRow::as_select())
        .into_boxed();
    if let Some(a) = after {
        query = query.filter(loan_transactions::id.gt(a));
    }
    Ok(query
        .order(loan_transactions::id.asc())
        .limit(limit)
        .load(conn)?)
}

/// The loan with the principal not yet repaid that was scheduled before `date`, and through
/// `date`, in one statement: what is past due on `date`, and that plus what falls due on it.
pub fn get_with_overdue(
    conn: &mut PgConnection,
    party: Uuid,
    id: Uuid,
    date: NaiveDate,
) -> Result<(LoanRow, Decimal, Decimal), RepoError> {
    // Cumulative principal grows with the due date, so the latest due installment holds it.
    let scheduled = |comparison: &str| {
        diesel::dsl::sql::<Nullable<Numeric>>(&format!(
            "(SELECT cum_principal FROM loan_installments i
               WHERE i.party_id = loans.party_id AND i.loan_id = loans.id AND i.due_date {comparison} "
        ))
        .bind::<diesel::sql_types::Date, _>(date)
        .sql(" ORDER BY i.due_date DESC LIMIT 1)")
    };
    let (loan, before, through): (LoanRow, Option<Decimal>, Option<Decimal>) = loans::table
        .find(id)
        .filter(loans::party_id.eq(party))
        .select((LoanRow::as_select(), scheduled("<"), scheduled("<=")))
        .prepared()
        .get_result(conn)?;
    let unpaid = |due: Option<Decimal>| {
        (due.unwrap_or(Decimal::ZERO) - loan.principal_paid).max(Decimal::ZERO)
    };
    let (past_due, through) = (unpaid(before), unpaid(through));
    Ok((loan, past_due, through))
}

/// Replaces the schedule and principal of a loan (an installment plan cut by a refund).
pub fn reschedule(
    conn: &mut PgConnection,
    loan: &LoanRow,
    installments: &[InstallmentRow],
) -> Result<(), RepoError> {
    diesel::update(
        loans::table
            .find(loan.id)
            .filter(loans::party_id.eq(loan.party_id)),
    )
    .set((
        loans::principal.eq(loan.principal),
        loans::status.eq(&loan.status),
    ))
    .execute(conn)?;
    for i in installments {
        let row = loan_installments::table
            .find((i.loan_id, i.number))
            .filter(loan_installments::party_id.eq(loan.party_id));
        diesel::update(row)
            .set((
                loan_installments::principal.eq(i.principal),
                loan_installments::fee.eq(i.fee),
                loan_installments::cum_principal.eq(i.cum_principal),
            ))
            .execute(conn)?;
    }
    Ok(())
}
