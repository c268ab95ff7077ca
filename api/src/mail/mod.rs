//! Email: templates, the transports (SMTP or daily mailboxes), and the outbox worker that
//! delivers what handlers queue.
//!
//! A handler never talks to a mail server. It renders a [`Template`] and queues the result with
//! [`enqueue_in`] (or [`enqueue_to`]) in its own transaction, so the
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

use crate::usecases::Context;

pub use templates::Template;

/// Renders `template` and queues it for the contact address of `party_id` as part of a use
/// case: the message rides along with the request's audit appends where writes ride
/// ([`Context::write_at_close`]). `NotFound` (from the append, or at once) when there is no
/// such party.
pub fn enqueue_in(
    ctx: &mut Context<'_>,
    party_id: Uuid,
    template: &Template,
) -> Result<(), RepoError> {
    let (_, insert) = outbox::for_party(party_id, for_party(template, party_id));
    ctx.write_at_close(insert, || RepoError::NotFound)
}

fn for_party(template: &Template, party_id: Uuid) -> NewEmail {
    message(template, String::new(), Some(format!("party:{party_id}")))
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

/// Queues a plain notice (a subject and paragraphs) for a party's contact address as part of a
/// use case, like [`enqueue_in`]; `template` is the name it is stored under (e.g.
/// `margin_call`).
pub fn notify(
    ctx: &mut Context<'_>,
    party_id: Uuid,
    template: &'static str,
    subject: String,
    lines: Vec<String>,
) -> Result<(), RepoError> {
    let notice = Template::LendingNotice {
        template,
        subject,
        lines,
    };
    enqueue_in(ctx, party_id, &notice)
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
