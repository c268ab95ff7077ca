//! Deciding a credit-line application: the scoring engine approves, declines or refers; an
//! approval opens the line at once, a referral opens a review case; an officer's decision on
//! that case finishes the application.
//!
//! The engine's limit is the merchant's total credit with Lendline, not a per-application
//! allowance: a new application is scored with every open line counted at its full limit (plus
//! other products' outstanding principal), so it is approved for at most what the open lines
//! leave of that total and declined when what is left is under the product minimum. Several
//! lines may coexist (e.g. one per sales event); together they never exceed the limit.

use chrono::NaiveDate;
use credit_scoring::{Outcome, ProductKind};
use domain::lending_state::ApplicationStatus;
use domain::money::{Currency, Money};
use domain::review::ReviewStatus;
use persistence::audit::Chain;
use persistence::credit_lines::{self, ApplicationRow, LineRow};
use persistence::reviews::{NewReview, ReviewRow};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::lines::{line_for, open_line, record_opened, LineTerms};
use crate::mail::{self, Template};
use crate::usecases::scoring::assess;
use crate::usecases::scoring::{
    merchant_inputs, ApplicationFacts, AssessmentRequest, StoredDecision,
};
use crate::usecases::{Context, Decided, UseCaseError, Verdict};

pub const REVIEW_KIND: &str = "credit_line_application";

/// An application as the merchant made it (already checked at the edge: consent given, a
/// known currency, a positive limit in it, a displayable purpose and event name).
#[derive(Debug, Clone)]
pub struct Apply {
    pub party: Uuid,
    pub requested_limit: Money,
    pub purpose: String,
    pub event_name: Option<String>,
    pub event_date: Option<NaiveDate>,
}

/// An application and the line it opened, if any.
#[derive(Debug, Clone)]
pub struct Application {
    pub row: ApplicationRow,
    pub line: Option<Uuid>,
}

/// The outcome stored with the application (its `decision` column), as clients read it back.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DecisionRecord {
    /// `approved`, `declined` or `referred`.
    pub outcome: String,
    pub credit_limit: Option<Decimal>,
    pub annual_rate: Option<Decimal>,
    pub max_tenor_days: Option<i32>,
    pub expires_on: Option<NaiveDate>,
    /// Readable reasons (adverse-action style); never points or model internals.
    pub reasons: Vec<String>,
}

impl DecisionRecord {
    fn new(status: ApplicationStatus, reasons: Vec<String>) -> DecisionRecord {
        DecisionRecord {
            outcome: status.as_str().into(),
            credit_limit: None,
            annual_rate: None,
            max_tenor_days: None,
            expires_on: None,
            reasons,
        }
    }

    fn approved(line: &LineRow, reasons: Vec<String>) -> DecisionRecord {
        DecisionRecord {
            credit_limit: Some(line.limit_amount),
            annual_rate: Some(line.annual_rate.normalize()),
            max_tenor_days: Some(line.max_tenor_days),
            expires_on: Some(line.expires_on),
            ..DecisionRecord::new(ApplicationStatus::Approved, reasons)
        }
    }

    /// The record stored with `application`; a row that does not read is corrupt.
    pub fn of(application: &ApplicationRow) -> Result<DecisionRecord, UseCaseError> {
        serde_json::from_value(application.decision.clone())
            .map_err(|e| UseCaseError::corrupt("application decision", e))
    }
}

/// Decides and stores the merchant's application: approved (a line is open), referred (a
/// review case is open) or declined, each with the engine's decision id and reasons.
pub fn apply(ctx: &mut Context<'_>, ask: Apply) -> Result<Decided<Application>, UseCaseError> {
    let currency = ask.requested_limit.currency();
    let mut application = ApplicationRow {
        id: Uuid::now_v7(),
        party_id: ask.party,
        currency: currency.code().into(),
        requested_limit: ask.requested_limit.amount(),
        purpose: ask.purpose,
        event_name: ask.event_name,
        event_date: ask.event_date,
        consent_given_at: ctx.now,
        status: ApplicationStatus::Referred.as_str().into(),
        decision: serde_json::Value::Null,
        created_at: ctx.now,
    };
    let stored = score(ctx, &application, currency)?;
    let decision = &stored.decision;
    let reasons: Vec<String> = decision.reasons.iter().map(|r| r.text.clone()).collect();
    // Decided before anything is stored, so the application is stored once, with its outcome
    // (and the id of the line it opens).
    let (verdict, record, line) = match decision.outcome {
        Outcome::Approve => {
            let terms = LineTerms {
                limit: application.requested_limit.min(decision.credit_limit),
                annual_rate: decision.rate_annual,
            };
            let line = line_for(&application, terms, (ctx.today, ctx.now), &ctx.policy.loans);
            let record = DecisionRecord::approved(&line, reasons.clone());
            (Verdict::Approved, record, Some(line))
        }
        Outcome::Refer => {
            let record = DecisionRecord::new(ApplicationStatus::Referred, reasons.clone());
            (Verdict::Referred, record, None)
        }
        Outcome::Decline => {
            let record = DecisionRecord::new(ApplicationStatus::Declined, reasons.clone());
            (Verdict::Declined, record, None)
        }
    };
    settle(&mut application, &record)?;
    credit_lines::insert_application(ctx.conn, &application, line.as_ref())?;
    if let Some(line) = &line {
        record_opened(&mut ctx.audit_log, line, &ctx.actor.name);
    }
    if verdict == Verdict::Referred {
        refer(ctx, &application, &stored, &reasons)?;
    }
    announce(ctx, &application, record)?;
    let line = line.map(|l| l.id);
    Ok(Decided {
        verdict,
        decision_id: Some(stored.id),
        reasons,
        subject: Application {
            row: application,
            line,
        },
    })
}

/// Scores the application with the merchant's standing. The merchant's row stays locked until
/// commit, so concurrent applications are decided in turn, each seeing the lines the previous
/// ones opened.
fn score(
    ctx: &mut Context<'_>,
    application: &ApplicationRow,
    currency: Currency,
) -> Result<StoredDecision, UseCaseError> {
    let party = persistence::parties::lock(ctx.conn, application.party_id)?;
    crate::usecases::party_currency::check(&party, currency)?;
    let credit = credit_lines::party_credit(ctx.conn, application.party_id, ctx.today)?;
    // The engine's limit is the merchant's total: an open line weighs its whole limit, drawn or
    // not, so a new line gets at most what the open ones leave.
    let facts = ApplicationFacts {
        requested_amount: application.requested_limit,
        current_exposure: credit.exposure + credit.open_line_headroom,
        max_days_past_due: u32::try_from(credit.max_dpd).unwrap_or(0),
        past_delinquencies: u32::try_from(credit.delinquent_loans).unwrap_or(u32::MAX),
        blacklisted: false,
    };
    let request = AssessmentRequest {
        party_id: application.party_id,
        product: ProductKind::StockUpLine,
        subject: format!("{REVIEW_KIND}:{}", application.id),
        currency,
        actor: ctx.actor.name.clone(),
        // Scored on the platform's calendar, never the wall clock's.
        inputs: merchant_inputs(&party, ctx.today, &facts),
        decided_at: ctx.now,
    };
    assess(ctx, &request)
}

fn open(
    ctx: &mut Context<'_>,
    application: &ApplicationRow,
    terms: LineTerms,
) -> Result<LineRow, UseCaseError> {
    let line = line_for(application, terms, (ctx.today, ctx.now), &ctx.policy.loans);
    open_line(ctx.conn, &mut ctx.audit_log, &line, &ctx.actor.name)?;
    Ok(line)
}

/// Opens the review case of a referred application, with the engine's explanation.
fn refer(
    ctx: &mut Context<'_>,
    application: &ApplicationRow,
    stored: &StoredDecision,
    reasons: &[String],
) -> Result<(), UseCaseError> {
    let decision = &stored.decision;
    let engine = serde_json::json!({"decision_id": stored.id, "outcome": "refer",
        "score": decision.score, "grade": format!("{:?}", decision.grade),
        "credit_limit": decision.credit_limit.to_string(),
        "rate_annual": decision.rate_annual.to_string(), "reasons": reasons});
    persistence::reviews::open(
        ctx.conn,
        &NewReview {
            subject_kind: REVIEW_KIND.into(),
            subject_id: application.id,
            party_id: application.party_id,
            product: ProductKind::StockUpLine.as_str().into(),
            amount: application.requested_limit,
            currency: application.currency.clone(),
            engine_decision: engine,
        },
        ctx.now,
    )?;
    Ok(())
}

/// Sets the application's outcome from `record`.
fn settle(application: &mut ApplicationRow, record: &DecisionRecord) -> Result<(), UseCaseError> {
    application.status = record.outcome.clone();
    application.decision = serde_json::to_value(record)
        .map_err(|e| UseCaseError::corrupt("application decision", e))?;
    Ok(())
}

/// Stores the outcome of a stored application (decided on review).
fn finish(
    ctx: &mut Context<'_>,
    application: &mut ApplicationRow,
    record: DecisionRecord,
) -> Result<(), UseCaseError> {
    settle(application, &record)?;
    credit_lines::set_application_outcome(
        ctx.conn,
        application.party_id,
        application.id,
        &application.status,
        &application.decision,
    )?;
    announce(ctx, application, record)
}

/// Records the outcome on the application's chain and tells the merchant.
fn announce(
    ctx: &mut Context<'_>,
    application: &ApplicationRow,
    record: DecisionRecord,
) -> Result<(), UseCaseError> {
    ctx.audit(
        &Chain::of(application.party_id, REVIEW_KIND, application.id),
        "application.decided",
        &application.decision,
    );
    mail::enqueue_in(
        ctx,
        application.party_id,
        &Template::ApplicationDecided {
            application_id: application.id,
            outcome: record.outcome,
            reasons: record.reasons,
        },
    )?;
    Ok(())
}

/// Finishes a referred application once its review case is approved or declined: an
/// approval opens the line on the officer's terms (never more than asked, never below the
/// engine's rate: checked when the officer decided).
pub fn on_review_closed(ctx: &mut Context<'_>, review: &ReviewRow) -> Result<(), UseCaseError> {
    let mut application = credit_lines::find_application(ctx.conn, review.subject_id)?;
    let approved = ReviewStatus::parse(&review.status) == Some(ReviewStatus::Approved);
    let status: ApplicationStatus = application
        .status
        .parse()
        .map_err(|e| UseCaseError::corrupt("application status", e))?;
    let status = status
        .reviewed(approved)
        .map_err(|e| UseCaseError::Conflict {
            code: "application_not_referred",
            message: format!("the application is already decided ({e})"),
            field: None,
        })?;
    let record = if approved {
        let terms = LineTerms {
            limit: review
                .approved_amount
                .unwrap_or(application.requested_limit)
                .min(application.requested_limit),
            annual_rate: review
                .approved_rate
                .or(engine_rate(review))
                .ok_or_else(|| UseCaseError::corrupt("review", "no rate for an approved review"))?,
        };
        let line = open(ctx, &application, terms)?;
        DecisionRecord::approved(&line, Vec::new())
    } else {
        let reasons = review
            .reason_code
            .iter()
            .map(|c| format!("Declined on review ({c})"))
            .collect();
        DecisionRecord::new(status, reasons)
    };
    finish(ctx, &mut application, record)
}

/// The engine's rate on a referred case (the officer may raise it, not lower it).
pub fn engine_rate(review: &ReviewRow) -> Option<Decimal> {
    review
        .engine_decision
        .get("rate_annual")
        .and_then(|r| r.as_str())
        .and_then(|r| r.parse::<Decimal>().ok())
}

/// One application the actor may see, with the line it opened.
pub fn find_application(ctx: &mut Context<'_>, id: Uuid) -> Result<Application, UseCaseError> {
    let row = credit_lines::find_application(ctx.conn, id)?;
    let row = ctx.actor.visible(row.party_id, row)?;
    let line = credit_lines::line_of_application(ctx.conn, row.party_id, id)?;
    Ok(Application { row, line })
}
