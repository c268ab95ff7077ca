//! Deciding a credit-line application: the scoring engine approves, declines or refers; an
//! approval opens the line at once, a referral opens a review case; an officer's decision on
//! that case finishes the application.
//!
//! The engine's limit is the merchant's total credit with Lendline, not a per-application
//! allowance: a new application is scored with every open line counted at its full limit (plus
//! other products' outstanding principal), so it is approved for at most what the open lines
//! leave of that total and declined when what is left is under the product minimum. Several
//! lines may coexist (e.g. one per sales event); together they never exceed the limit.

use chrono::{NaiveDate, SubsecRound, Utc};
use credit_scoring::{Outcome, ProductKind};
use diesel::PgConnection;
use persistence::credit_lines::{self, ApplicationRow, LineRow};
use persistence::reviews::{NewReview, ReviewRow};
use rust_decimal::Decimal;

use super::lines::{open_line, LineTerms};
use crate::config::LoansConfig;
use crate::error::ApiError;
use crate::handlers::credit_lines::DecisionSummary;
use crate::mail::{self, Template};
use crate::usecases::scoring::{self, ApplicationFacts, AssessmentRequest, ModelCache};

pub const REVIEW_KIND: &str = "credit_line_application";

/// Decides and stores `application`; answers it with the line opened, if any.
pub fn decide(
    conn: &mut PgConnection,
    models: &ModelCache,
    mut application: ApplicationRow,
    today: NaiveDate,
    policy: &LoansConfig,
    actor: &str,
) -> Result<(ApplicationRow, Option<LineRow>), ApiError> {
    // The merchant's row stays locked until commit, so concurrent applications are decided in
    // turn, each seeing the lines the previous ones opened.
    let party = persistence::parties::lock(conn, application.party_id)?;
    crate::usecases::dates::party_currency(&application.currency, &party.party.currency)?;
    let credit = credit_lines::party_credit(conn, application.party_id)?;
    // The engine's limit is the merchant's total: an open line weighs its whole limit, drawn or
    // not, so a new line gets at most what the open ones leave.
    let headroom = credit_lines::open_line_headroom(conn, application.party_id, today)?;
    let facts = ApplicationFacts {
        requested_amount: application.requested_limit,
        current_exposure: credit.exposure + headroom,
        max_days_past_due: u32::try_from(credit.max_dpd).unwrap_or(0),
        past_delinquencies: u32::try_from(credit.delinquent_loans).unwrap_or(u32::MAX),
        blacklisted: false,
    };
    let subject = format!("{REVIEW_KIND}:{}", application.id);
    let now = Utc::now().trunc_subsecs(6);
    let mut request = AssessmentRequest::for_merchant(
        &party,
        ProductKind::StockUpLine,
        &subject,
        actor,
        &facts,
        (today, now),
    )?;
    request.currency = super::currency(&application.currency)?;
    let stored = scoring::assess(conn, models, &request)?;
    let decision = &stored.decision;
    let reasons: Vec<String> = decision.reasons.iter().map(|r| r.text.clone()).collect();
    let mut summary = DecisionSummary {
        outcome: String::new(),
        credit_limit: None,
        annual_rate: None,
        max_tenor_days: None,
        expires_on: None,
        reasons,
    };
    let mut line = None;
    credit_lines::insert_application(conn, &application)?;
    match decision.outcome {
        Outcome::Approve => {
            let limit = application.requested_limit.min(decision.credit_limit);
            let terms = LineTerms {
                limit,
                annual_rate: decision.rate_annual,
            };
            let opened = open_line(conn, &application, terms, today, policy, actor)?;
            summary = approved_summary(summary, &opened);
            line = Some(opened);
        }
        Outcome::Refer => {
            summary.outcome = "referred".into();
            let engine = serde_json::json!({"decision_id": stored.id, "outcome": "refer", "score": crate::views::score(decision.score),
                "grade": format!("{:?}", decision.grade), "credit_limit": crate::views::stored_amount(decision.credit_limit, &application.currency),
                "rate_annual": decision.rate_annual.to_string(), "reasons": summary.reasons});
            persistence::reviews::open(
                conn,
                &NewReview {
                    subject_kind: REVIEW_KIND.into(),
                    subject_id: application.id,
                    party_id: application.party_id,
                    product: ProductKind::StockUpLine.as_str().into(),
                    amount: application.requested_limit,
                    currency: application.currency.clone(),
                    engine_decision: engine,
                },
                now,
            )?;
        }
        Outcome::Decline => {
            summary.outcome = "declined".into();
        }
    }
    finish(conn, &mut application, summary, actor)?;
    Ok((application, line))
}

fn approved_summary(mut summary: DecisionSummary, line: &LineRow) -> DecisionSummary {
    summary.outcome = "approved".into();
    summary.credit_limit = Some(crate::views::stored_amount(
        line.limit_amount,
        &line.currency,
    ));
    summary.annual_rate = Some(line.annual_rate.normalize().to_string());
    summary.max_tenor_days = Some(line.max_tenor_days);
    summary.expires_on = Some(line.expires_on);
    summary
}

/// Stores the outcome, records it on the application's chain and tells the merchant.
fn finish(
    conn: &mut PgConnection,
    application: &mut ApplicationRow,
    summary: DecisionSummary,
    actor: &str,
) -> Result<(), ApiError> {
    application.status = summary.outcome.clone();
    application.decision = serde_json::to_value(&summary).map_err(ApiError::internal)?;
    credit_lines::set_application_outcome(
        conn,
        application.id,
        &application.status,
        &application.decision,
    )?;
    persistence::audit::append(
        conn,
        &format!("{REVIEW_KIND}:{}", application.id),
        actor,
        "application.decided",
        &application.decision,
        Utc::now(),
    )?;
    mail::enqueue_for_party(
        conn,
        application.party_id,
        &Template::ApplicationDecided {
            application_id: application.id,
            outcome: summary.outcome,
            reasons: summary.reasons,
        },
    )?;
    Ok(())
}

/// Finishes an application once its review case is approved or declined.
pub fn on_review_closed(
    conn: &mut PgConnection,
    review: &ReviewRow,
    today: NaiveDate,
    policy: &LoansConfig,
    actor: &str,
) -> Result<(), ApiError> {
    let mut application = credit_lines::find_application(conn, review.subject_id)?;
    let engine_rate = review
        .engine_decision
        .get("rate_annual")
        .and_then(|r| r.as_str())
        .and_then(|r| r.parse::<Decimal>().ok());
    let mut summary = DecisionSummary {
        outcome: String::new(),
        credit_limit: None,
        annual_rate: None,
        max_tenor_days: None,
        expires_on: None,
        reasons: Vec::new(),
    };
    if review.status == "approved" {
        let terms = LineTerms {
            limit: review
                .approved_amount
                .unwrap_or(application.requested_limit)
                .min(application.requested_limit),
            annual_rate: review
                .approved_rate
                .or(engine_rate)
                .ok_or_else(|| ApiError::internal("no rate for an approved review"))?,
        };
        let line = open_line(conn, &application, terms, today, policy, actor)?;
        summary = approved_summary(summary, &line);
    } else {
        summary.outcome = "declined".into();
        summary.reasons = review
            .reason_code
            .iter()
            .map(|c| format!("Declined on review ({c})"))
            .collect();
    }
    finish(conn, &mut application, summary, actor)
}
