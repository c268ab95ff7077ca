//! The notice of assignment: the debtor is told that a receivable it owes has been assigned to
//! the platform and must now be paid to it.
//!
//! The notice is rendered here and recorded on the receivable's audit chain in the financing
//! transaction, so that it exists exactly when the assignment does.

use diesel::PgConnection;
use persistence::parties;
use persistence::scf::receivables::ReceivableRow;
use uuid::Uuid;

use super::record;
use crate::error::ApiError;

/// Renders the notice for the debtor of `r` and records it in the same transaction.
pub fn assignment(
    conn: &mut PgConnection,
    r: &ReceivableRow,
    request: Uuid,
    actor: &str,
) -> Result<(), ApiError> {
    let debtor = parties::find(conn, r.debtor_id)?;
    let subject = format!("Notice of assignment: invoice {}", r.invoice_number);
    let body = format!(
        "Dear {name},\n\nInvoice {number} dated {issued}, for {amount} {currency} due on {due}, \
         has been assigned to Lendline under factoring request {request}. Please pay it to \
         Lendline on its due date; payment to anyone else will not discharge the debt.\n",
        name = debtor.party.name,
        number = r.invoice_number,
        issued = r.issue_date,
        amount = r.amount.normalize(),
        currency = r.currency,
        due = r.due_date,
    );
    record(
        conn,
        &format!("receivable:{}", r.id),
        actor,
        "receivable.assignment_notice",
        &serde_json::json!({
            "recipient": debtor.party.contact_email,
            "subject": subject,
            "text_body": body,
        }),
    )
}
