//! Email: templates, the transports (SMTP or files), and the outbox worker that delivers what
//! handlers queue.
//!
//! A handler never talks to a mail server. It renders a [`Template`] and queues the result with
//! [`enqueue_for_party`] (or [`enqueue_to`]) on the connection of its own transaction, so the
//! email exists exactly when the change that caused it commits. The [`worker`] delivers it
//! later, retrying while the mail server is away.

pub mod templates;
pub mod transport;
pub mod worker;

use diesel::PgConnection;
use persistence::outbox::{self, NewEmail};
use persistence::RepoError;
use uuid::Uuid;

pub use templates::Template;

/// Renders `template` and queues it for the contact address of `party_id`, inside the
/// caller's transaction. `NotFound` when there is no such party.
pub fn enqueue_for_party(
    conn: &mut PgConnection,
    party_id: Uuid,
    template: &Template,
) -> Result<Uuid, RepoError> {
    let recipient = outbox::party_contact_email(conn, party_id)?;
    enqueue_to(
        conn,
        &recipient,
        template,
        Some(format!("party:{party_id}")),
    )
}

/// Renders `template` and queues it for `recipient`, inside the caller's transaction.
pub fn enqueue_to(
    conn: &mut PgConnection,
    recipient: &str,
    template: &Template,
    reference: Option<String>,
) -> Result<Uuid, RepoError> {
    let rendered = template.render();
    outbox::enqueue(
        conn,
        &NewEmail {
            recipient: recipient.to_string(),
            template: template.name().to_string(),
            subject: rendered.subject,
            text_body: rendered.text,
            html_body: rendered.html,
            reference,
        },
    )
}
