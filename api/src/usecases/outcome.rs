//! The one outcome of an automated decision, whatever the product: approved, referred to a
//! risk officer, or declined. A decline is an answer, not a failure: it commits (the stored
//! decision, its audit event) like any other outcome and a retry replays it.

use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Approved,
    Referred,
    Declined,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Approved => "approved",
            Verdict::Referred => "referred",
            Verdict::Declined => "declined",
        }
    }
}

/// What was decided about `subject` (the application, the plan, the order, the request).
#[derive(Debug, Clone)]
pub struct Decided<T> {
    pub verdict: Verdict,
    /// The stored decision that explains the verdict (`GET /v1/decisions/{id}`), when the
    /// scoring engine made one.
    pub decision_id: Option<Uuid>,
    /// Readable reasons (adverse-action style): never points or model internals.
    pub reasons: Vec<String>,
    pub subject: T,
}
