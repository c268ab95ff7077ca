//! Email templates: each renders a subject, a plain-text part and an HTML part.
//!
//! Values come from clients (a party's name, for instance), so every value placed in the HTML
//! part goes through [`escape_html`]; the plain-text part needs no escaping.

/// A message Lendline sends, with the values it needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Template {
    /// Sent to a party's contact address when it is onboarded.
    Welcome {
        party_name: String,
        /// `merchant`, `supplier` or `core_enterprise`.
        party_kind: String,
    },
    /// The engine's (or an officer's) decision on a credit-line application.
    ApplicationDecided {
        application_id: uuid::Uuid,
        outcome: String,
        reasons: Vec<String>,
    },
    /// A loan was paid out.
    LoanDisbursed {
        loan_id: uuid::Uuid,
        principal: String,
        currency: String,
        maturity_date: chrono::NaiveDate,
    },
    /// A notice about an installment plan, a financed order or pledged goods; `template` is
    /// the stored name (e.g. `installment_plan_created`, `margin_call`), the lines the body.
    LendingNotice {
        template: &'static str,
        subject: String,
        lines: Vec<String>,
    },
    /// A checkpoint of the audit trail, for outside auditors to keep.
    AuditCheckpoint {
        id: i64,
        hash: String,
        created_at: String,
    },
}

/// A rendered message, ready to queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

impl Template {
    /// The stored template name (`outbox_emails.template`).
    pub fn name(&self) -> &'static str {
        match self {
            Template::Welcome { .. } => "welcome",
            Template::ApplicationDecided { .. } => "application_decided",
            Template::LoanDisbursed { .. } => "loan_disbursed",
            Template::AuditCheckpoint { .. } => "audit_checkpoint",
            Template::LendingNotice { template, .. } => template,
        }
    }

    pub fn render(&self) -> Rendered {
        match self {
            Template::Welcome {
                party_name,
                party_kind,
            } => welcome(party_name, &party_kind.replace('_', " ")),
            Template::ApplicationDecided { application_id, outcome, reasons } => {
                let mut lines = vec![format!("Your credit-line application {application_id} was {outcome}.")];
                lines.extend(reasons.iter().map(|r| format!("Reason: {r}")));
                notice(&format!("Your credit-line application was {outcome}"), &lines)
            }
            Template::LoanDisbursed { loan_id, principal, currency, maturity_date } => notice(
                "Your loan has been paid out",
                &[format!("Loan {loan_id} of {principal} {currency} has been paid out. It matures on {maturity_date}.")],
            ),
            Template::LendingNotice { subject, lines, .. } => notice(subject, lines),
            Template::AuditCheckpoint { id, hash, created_at } => notice(
                &format!("Lendline audit checkpoint {id}"),
                &[
                    format!("Checkpoint {id} of the Lendline audit trail was sealed at {created_at}."),
                    format!("Its hash is {hash}."),
                    "Keep this message: verifying the trail against this hash later proves that no history before it was rewritten.".into(),
                ],
            ),
        }
    }
}

/// A plain notice: a greeting, the given paragraphs, a signature; every value HTML-escaped.
fn notice(subject: &str, paragraphs: &[String]) -> Rendered {
    let text = format!(
        "Hello,\n\n{}\n\nThe Lendline team\n",
        paragraphs.join("\n\n")
    );
    let body: String = paragraphs
        .iter()
        .map(|p| format!("<p>{}</p>\n", escape_html(p)))
        .collect();
    let html = format!("<!DOCTYPE html>\n<html><body>\n<p>Hello,</p>\n{body}<p>The Lendline team</p>\n</body></html>\n");
    Rendered {
        subject: subject.to_string(),
        text,
        html,
    }
}

fn welcome(name: &str, kind: &str) -> Rendered {
    let text = format!(
        "Hello {name},\n\n\
         welcome to Lendline. Your {kind} account is open, and this address is where we will \
         write to you about it.\n\n\
         If you did not expect this message, please reply and tell us.\n\n\
         The Lendline team\n"
    );
    let html = format!(
        "<!DOCTYPE html>\n<html><body>\n\
         <p>Hello {name},</p>\n\
         <p>welcome to Lendline. Your {kind} account is open, and this address is where we \
         will write to you about it.</p>\n\
         <p>If you did not expect this message, please reply and tell us.</p>\n\
         <p>The Lendline team</p>\n\
         </body></html>\n",
        name = escape_html(name),
        kind = escape_html(kind),
    );
    Rendered {
        subject: "Welcome to Lendline".into(),
        text,
        html,
    }
}

/// Escapes the five characters that are markup in HTML text and attribute values.
pub fn escape_html(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn welcome_for(name: &str) -> Rendered {
        Template::Welcome {
            party_name: name.into(),
            party_kind: "core_enterprise".into(),
        }
        .render()
    }

    #[test]
    fn the_welcome_email_names_the_party_in_both_parts() {
        let rendered = welcome_for("Blue Sky Trading");
        assert_eq!(rendered.subject, "Welcome to Lendline");
        assert!(rendered.text.contains("Hello Blue Sky Trading,"));
        assert!(rendered.text.contains("core enterprise account"));
        assert!(rendered.html.contains("<p>Hello Blue Sky Trading,</p>"));
    }

    #[test]
    fn markup_in_a_party_name_is_escaped_in_the_html_part_only() {
        let rendered = welcome_for("<script>alert('x')</script> & Co \"Ltd\"");
        assert!(rendered.html.contains(
            "Hello &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; Co &quot;Ltd&quot;,"
        ));
        assert!(!rendered.html.contains("<script>"));
        assert!(rendered
            .text
            .contains("Hello <script>alert('x')</script> & Co \"Ltd\","));
    }

    #[test]
    fn escaping_leaves_plain_text_and_unicode_alone() {
        assert_eq!(escape_html("杭州蓝天贸易 GmbH"), "杭州蓝天贸易 GmbH");
    }
}
