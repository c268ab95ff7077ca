//! The notice of assignment: the debtor is told that a receivable it owes has been assigned to
//! the platform and must now be paid to it.
//!
//! The email is queued in the outbox inside the financing transaction, so that a notice is sent
//! exactly when the assignment exists (and at least once, by the outbox worker). The notice is
//! also recorded on an audit chain of the receivable's notices.

use persistence::audit::Chain;
use persistence::outbox::{self, NewEmail};
use persistence::scf::receivables::ReceivableRow;
use persistence::RepoError;
use uuid::Uuid;

use super::{record, shown, stored_currency};
use crate::mail::templates::escape_html;
use crate::usecases::{Context, UseCaseError};

pub const TEMPLATE: &str = "notice_of_assignment";

/// Renders the notice for the debtor of `r`, queues it and records it.
pub fn assignment(
    ctx: &mut Context<'_>,
    r: &ReceivableRow,
    request: Uuid,
) -> Result<(), UseCaseError> {
    let debtor = ctx.party(r.debtor_id)?;
    let subject = format!("Notice of assignment: invoice {}", r.invoice_number);
    let text_body = format!(
        "Dear {name},\n\nInvoice {number} dated {issued}, for {amount} {currency} due on {due}, \
         has been assigned to Lendline under factoring request {request}. Please pay it to \
         Lendline on its due date; payment to anyone else will not discharge the debt.\n",
        name = debtor.party.name,
        number = r.invoice_number,
        issued = r.issue_date,
        amount = shown(r.amount, stored_currency(&r.currency)?),
        currency = r.currency,
        due = r.due_date,
    );
    let html_body = format!("<pre>{}</pre>", escape_html(&text_body));
    let (email_id, insert) = outbox::to_recipient(NewEmail {
        recipient: debtor.party.contact_email.clone(),
        template: TEMPLATE.into(),
        subject: subject.clone(),
        text_body,
        html_body,
        reference: Some(format!("receivable:{}", r.id)),
    });
    ctx.write_at_close(insert, || {
        RepoError::Corrupt("an insert of a notice wrote no row".into())
    })?;
    // A chain of its own, not the receivable's: the receivable's chain already takes its
    // financing in this request, and one statement moves a chain's head once.
    record(
        ctx,
        &Chain::of(r.supplier_id, "assignment_notice", r.id),
        "receivable.assignment_notice",
        &serde_json::json!({"email_id": email_id, "recipient": debtor.party.contact_email,
            "subject": subject}),
    )
}
