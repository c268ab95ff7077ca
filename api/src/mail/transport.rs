//! How a queued email leaves the server: over SMTP with lettre, or, when no SMTP host is
//! configured (the embedded default), appended to the day's mailbox under `<data_dir>/mail/`
//! (`<UTC date>.mbox`, mboxrd), so that nothing is lost on a machine without a mail server.
//!
//! One mailbox per day rather than one file per message: creating a file costs an inode, and
//! under the peak benchmark ext4's inode allocation (`find_inode_bit` → `recently_deleted`)
//! was a fifth of the server's CPU, 70–760 µs per message against about 5 µs for an append.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{bail, Context};
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use persistence::outbox::EmailRow;

use crate::config::SmtpConfig;

/// lettre's own timeout, which bounds the connect; the worker's per-message deadline bounds the
/// whole conversation, reads and writes included. lettre's connection pool is not built (the
/// `pool` feature is off): a conversation cut by the deadline must never be reused for the next
/// message, whose replies would then be read against the wrong commands.
const SMTP_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Where emails go.
pub enum Mailer {
    Smtp {
        transport: AsyncSmtpTransport<Tokio1Executor>,
        from: Mailbox,
    },
    Mailboxes {
        dir: PathBuf,
        from: Mailbox,
    },
}

/// Why a delivery did not happen. A permanent failure (the server refused with a 5xx code, or
/// the message cannot be built) is not retried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub permanent: bool,
    pub message: String,
}

impl Failure {
    fn transient(message: impl std::fmt::Display) -> Failure {
        Failure {
            permanent: false,
            message: message.to_string(),
        }
    }

    fn permanent(message: impl std::fmt::Display) -> Failure {
        Failure {
            permanent: true,
            message: message.to_string(),
        }
    }
}

impl Mailer {
    /// SMTP when `smtp.host` is set, else files under `<data_dir>/mail`. A bad `smtp.from` or
    /// `smtp.tls` is a start-up error, not a surprise at the first email.
    pub fn from_config(smtp: &SmtpConfig, data_dir: &Path) -> anyhow::Result<Mailer> {
        let from: Mailbox = smtp
            .from
            .parse()
            .with_context(|| format!("smtp.from {:?} is not an address", smtp.from))?;
        let Some(host) = smtp.host.as_deref() else {
            return Ok(Mailer::Mailboxes {
                dir: data_dir.join("mail"),
                from,
            });
        };
        let tls = match smtp.tls.as_str() {
            "none" => Tls::None,
            "starttls" => Tls::Required(TlsParameters::new(host.into())?),
            "tls" => Tls::Wrapper(TlsParameters::new(host.into())?),
            other => bail!("smtp.tls must be none, starttls or tls, not {other:?}"),
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
            .port(smtp.port)
            .tls(tls)
            .timeout(Some(SMTP_CONNECT_TIMEOUT));
        if let Some(username) = &smtp.username {
            builder = builder.credentials(Credentials::new(
                username.clone(),
                smtp.password.clone().unwrap_or_default(),
            ));
        }
        Ok(Mailer::Smtp {
            transport: builder.build(),
            from,
        })
    }

    /// For the start-up log.
    pub fn describe(&self) -> String {
        match self {
            Mailer::Smtp { .. } => "smtp".into(),
            Mailer::Mailboxes { dir, .. } => format!("mailboxes under {}", dir.display()),
        }
    }

    /// Hands `email` to the mail server (or appends it to the day's mailbox). `Ok` means the server accepted
    /// responsibility for it.
    pub async fn deliver(&self, email: &EmailRow) -> Result<(), Failure> {
        match self {
            Mailer::Smtp { transport, from } => {
                let message = build_message(from, email)?;
                transport.send(message).await.map(|_| ()).map_err(|e| {
                    let message = crate::telemetry::error_chain(&e);
                    if e.is_permanent() {
                        Failure::permanent(message)
                    } else {
                        Failure::transient(message)
                    }
                })
            }
            Mailer::Mailboxes { dir, from } => {
                let bytes = build_message(from, email)?.formatted();
                let path = dir.join(mailbox_name(chrono::Utc::now()));
                tokio::task::spawn_blocking(move || super::mailbox::append(&path, &bytes))
                    .await
                    .map_err(Failure::transient)?
                    .map_err(|e| Failure::transient(format!("appending to the mailbox: {e}")))
            }
        }
    }
}

/// The MIME message: plain text and HTML as alternatives. Its Message-ID derives from the
/// outbox id, so that if a crash makes the worker send it twice, mail clients see one message.
fn build_message(from: &Mailbox, email: &EmailRow) -> Result<Message, Failure> {
    let to: Mailbox = email.recipient.parse().map_err(|e| {
        Failure::permanent(format!(
            "recipient {:?} is not an address: {e}",
            email.recipient
        ))
    })?;
    Message::builder()
        .from(from.clone())
        .to(to)
        .subject(email.subject.clone())
        .message_id(Some(format!("<{}@{}>", email.id, from.email.domain())))
        .multipart(MultiPart::alternative_plain_html(
            email.text_body.clone(),
            email.html_body.clone(),
        ))
        .map_err(|e| Failure::permanent(format!("building the message: {e}")))
}

/// The mailbox a message delivered at `now` goes to: one per UTC day.
pub fn mailbox_name(now: chrono::DateTime<chrono::Utc>) -> String {
    format!("{}.mbox", now.format("%Y-%m-%d"))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn smtp(host: Option<&str>, tls: &str) -> SmtpConfig {
        SmtpConfig {
            host: host.map(String::from),
            tls: tls.into(),
            ..SmtpConfig::default()
        }
    }

    #[test]
    fn without_an_smtp_host_emails_go_to_mailboxes_under_the_data_dir() {
        let mailer = Mailer::from_config(&smtp(None, "none"), Path::new("/data")).unwrap();
        assert_eq!(mailer.describe(), "mailboxes under /data/mail");
    }

    #[test]
    fn a_day_has_one_mailbox_named_by_its_utc_date() {
        let at = |s: &str| s.parse::<chrono::DateTime<chrono::Utc>>().unwrap();
        assert_eq!(mailbox_name(at("2026-11-11T00:00:00Z")), "2026-11-11.mbox");
        assert_eq!(
            mailbox_name(at("2026-11-11T23:59:59+00:00")),
            "2026-11-11.mbox"
        );
        assert_eq!(
            mailbox_name(at("2026-11-11T23:30:00-01:00")),
            "2026-11-12.mbox"
        );
    }

    #[test]
    fn an_unknown_tls_mode_is_refused_at_start() {
        let error = Mailer::from_config(&smtp(Some("mail.example"), "ssl"), Path::new("/d"))
            .err()
            .unwrap();
        assert!(error.to_string().contains("smtp.tls"), "{error}");
    }

    // The SMTP connection pool starts a task, so this needs a runtime.
    #[tokio::test]
    async fn each_tls_mode_builds_a_transport() {
        for tls in ["none", "starttls", "tls"] {
            let mailer = Mailer::from_config(&smtp(Some("mail.example"), tls), Path::new("/d"));
            assert_eq!(mailer.unwrap().describe(), "smtp");
        }
    }
}
