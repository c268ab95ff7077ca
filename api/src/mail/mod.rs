//! Email: templates, the transports (SMTP or files), and the outbox worker that delivers what
//! handlers queue.
//!
//! A handler never talks to a mail server. It renders a [`Template`] and queues the result with
//! [`enqueue_for_party`] (or [`enqueue_to`]) on the connection of its own transaction, so the
//! email exists exactly when the change that caused it commits. The [`worker`] delivers it
//! later, retrying while the mail server is away.

pub mod mailbox;
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
    outbox::enqueue_for_party(
        conn,
        party_id,
        &message(template, String::new(), Some(format!("party:{party_id}"))),
    )
}

fn message(template: &Template, recipient: String, reference: Option<String>) -> NewEmail {
    let rendered = template.render();
    NewEmail {
        recipient,
        template: template.name().to_string(),
        subject: rendered.subject,
        text_body: rendered.text,
        html_body: rendered.html,
        reference,
    }
}

/// Queues a plain notice (a subject and paragraphs) for a party's contact address; `template`
/// is the name it is stored under (e.g. `margin_call`).
pub fn notify(
    conn: &mut PgConnection,
    party_id: Uuid,
    template: &'static str,
    subject: String,
    lines: Vec<String>,
) -> Result<Uuid, RepoError> {
    enqueue_for_party(
        conn,
        party_id,
        &Template::LendingNotice {
            template,
            subject,
            lines,
        },
    )
}

/// Renders `template` and queues it for `recipient`, inside the caller's transaction.
pub fn enqueue_to(
    conn: &mut PgConnection,
    recipient: &str,
    template: &Template,
    reference: Option<String>,
) -> Result<Uuid, RepoError> {
    outbox::enqueue(conn, &message(template, recipient.to_string(), reference))
}
