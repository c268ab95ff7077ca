//! Drawing a loan on a credit line: the limit is reserved atomically, the schedule drawn up by
//! the money engine, the disbursement booked and recorded. [`originate`] is the booking step
//! every product shares.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::PgConnection;
use domain::calendar::{DayCount, Frequency};
use domain::ledger::{Account, JournalEntry};
use domain::lending_state::{LineStatus, LoanStatus};
use domain::money::Money;
use domain::rate::Rate;
use domain::schedule::{
    build_schedule_to_maturity, AmortizationMethod, InterestMethod, Schedule, ScheduleInput,
};
use domain::tenor::{self, TenorError};
use persistence::audit::{AuditLog, Chain};
use persistence::credit_lines::{self, LineRow};
use persistence::loans::{self, InstallmentRow, LoanRow};
use rust_decimal::Decimal;
use uuid::Uuid;

use super::accrual::{account, stored_currency};
use super::booking::{transaction_row, Movement, Split};
use crate::config::LoansConfig;
use crate::mail::{self, Template};
use crate::usecases::{figures, Context, UseCaseError};

/// How a loan is repaid (documented in the OpenAPI by `handlers::credit_lines`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RepaymentMethod {
    /// Interest and principal at maturity.
    Bullet,
    /// Monthly annuity installments.
    EqualInstallments,
}

impl RepaymentMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            RepaymentMethod::Bullet => "bullet",
            RepaymentMethod::EqualInstallments => "equal_installments",
        }
    }
}

/// A draw asked for on a line. The amount stays as the client wrote it: how many decimals it
/// may have depends on the line's currency, which only the line knows, so it is parsed here.
#[derive(Debug, Clone)]
pub struct DrawOnLine {
    pub line_id: Uuid,
    pub amount: String,
    pub tenor_days: u32,
    pub method: RepaymentMethod,
}

/// Draws a loan on one of the caller's lines, queues the disbursement notice, and answers the
/// loan with its schedule.
pub fn draw_on_line(
    ctx: &mut Context<'_>,
    ask: DrawOnLine,
) -> Result<(LoanRow, Vec<InstallmentRow>), UseCaseError> {
    let (loan, schedule) = match reserved_at_once(ctx, &ask)? {
        Some((line, request)) => book(ctx, &line, &request)?,
        None => {
            let line = credit_lines::find_line(ctx.conn, ctx.actor.own_party(), ask.line_id)?;
            let line = ctx.actor.visible(line.party_id, line)?;
            let request = request_on(&line, &ask)?;
            draw(ctx, &line, &request)?
        }
    };
    let currency = stored_currency(&loan.currency)?;
    mail::enqueue_in(
        ctx,
        loan.party_id,
        &Template::LoanDisbursed {
            loan_id: loan.id,
            principal: figures::amount(loan.principal, currency),
            currency: loan.currency.clone(),
            maturity_date: loan.maturity_date,
        },
    )?;
    Ok((loan, schedule))
}

/// A party drawing on its own line reserves the amount in the statement that finds the line,
/// then checks what needs the line (the amount's decimals, the tenor): a refusal then rolls the
/// reservation back with the request. `None` when the amount is not a plain positive number or
/// the line cannot take it: the read-first path then says why.
fn reserved_at_once(
    ctx: &mut Context<'_>,
    ask: &DrawOnLine,
) -> Result<Option<(LineRow, Draw)>, UseCaseError> {
    let (Some(party), Ok(amount)) = (ctx.actor.own_party(), ask.amount.parse::<Decimal>()) else {
        return Ok(None);
    };
    if amount <= Decimal::ZERO {
        return Ok(None);
    }
    let Some(line) = credit_lines::reserve(ctx.conn, party, ask.line_id, amount, ctx.today)? else {
        return Ok(None);
    };
    let request = request_on(&line, ask)?;
    if request.amount.amount() != amount {
        return Err(UseCaseError::corrupt(
            "draw amount",
            "the reserved amount differs from the parsed one",
        ));
    }
    check(&line, &request, &ctx.policy.loans)?;
    Ok(Some((line, request)))
}

/// The draw `ask` asks of `line`, its amount read in the line's currency.
fn request_on(line: &LineRow, ask: &DrawOnLine) -> Result<Draw, UseCaseError> {
    let currency = stored_currency(&line.currency)?;
    let amount = Money::parse_positive(&ask.amount, currency)
        .map_err(|e| UseCaseError::invalid("amount", e))?;
    Ok(Draw {
        amount,
        tenor_days: ask.tenor_days,
        method: ask.method,
    })
}

#[derive(Debug, Clone)]
pub struct Draw {
    pub amount: Money,
    pub tenor_days: u32,
    pub method: RepaymentMethod,
}

/// The schedule of a draw: daily interest at ACT/365 so it agrees with the daily accrual,
/// maturing exactly `tenor_days` after `start` (see [`domain::tenor`] for the rule).
pub fn schedule_for(
    draw: &Draw,
    annual_rate: Decimal,
    start: NaiveDate,
) -> Result<Schedule, UseCaseError> {
    let rate = Rate::new(annual_rate).map_err(|e| UseCaseError::corrupt("annual rate", e))?;
    let (term, frequency, method) = match draw.method {
        RepaymentMethod::Bullet => (
            draw.tenor_days,
            Frequency::WholeTerm,
            AmortizationMethod::Bullet,
        ),
        RepaymentMethod::EqualInstallments => (
            tenor::monthly_installments(draw.tenor_days).map_err(tenor_error)?,
            Frequency::Monthly,
            AmortizationMethod::Annuity,
        ),
    };
    let maturity = tenor::maturity(start, draw.tenor_days).map_err(tenor_error)?;
    let input = ScheduleInput {
        principal: draw.amount,
        annual_rate: rate,
        start_date: start,
        term,
        frequency,
        method,
        interest: InterestMethod::Daily,
        day_count: DayCount::Act365Fixed.settings(),
        grace_principal_periods: 0,
        grace_interest_periods: 0,
        installment_rounding: None,
        fee_per_period: None,
        rounding: Default::default(),
    };
    build_schedule_to_maturity(&input, maturity).map_err(|e| {
        UseCaseError::refused("schedule_impossible", e.to_string(), Some("tenor_days"))
    })
}

fn tenor_error(e: TenorError) -> UseCaseError {
    UseCaseError::invalid("tenor_days", e)
}

/// Explains why the line refused a reservation.
fn refusal(line: &LineRow, amount: Money, today: NaiveDate) -> UseCaseError {
    let status = match line.status.parse::<LineStatus>() {
        Ok(status) => status,
        Err(e) => return UseCaseError::corrupt("line status", e),
    };
    if status == LineStatus::Frozen {
        return UseCaseError::refused("line_frozen", "the credit line is frozen", None);
    }
    if !status.lends() {
        return UseCaseError::refused("line_not_active", "the credit line is not active", None);
    }
    if line.expires_on < today {
        return UseCaseError::refused("line_expired", "the credit line has expired", None);
    }
    // In the currency's minor units, as every amount is shown (the line's columns keep four);
    // what is available is never overstated.
    let available = Money::new(line.limit_amount - line.used_amount, amount.currency())
        .round(domain::money::RoundingMode::Down);
    UseCaseError::refused(
        "exceeds_available_limit",
        format!(
            "requested {} but only {} is available",
            figures::amount(amount.amount(), amount.currency()),
            available.amount()
        ),
        Some("amount"),
    )
}

/// Draws `draw` on `line` (already checked to belong to the caller): checks it, reserves the
/// amount (refused if the line cannot take it), then books the loan.
pub fn draw(
    ctx: &mut Context<'_>,
    line: &LineRow,
    draw: &Draw,
) -> Result<(LoanRow, Vec<InstallmentRow>), UseCaseError> {
    // Refused before the limit is reserved, so a bad tenor never touches the line.
    check(line, draw, &ctx.policy.loans)?;
    let today = ctx.today;
    if credit_lines::reserve(
        ctx.conn,
        line.party_id,
        line.id,
        draw.amount.amount(),
        today,
    )?
    .is_none()
    {
        return Err(refusal(
            &credit_lines::find_line(ctx.conn, Some(line.party_id), line.id)?,
            draw.amount,
            today,
        ));
    }
    book(ctx, line, draw)
}

/// What a draw must meet on its line besides the limit: its currency and tenor.
fn check(line: &LineRow, draw: &Draw, policy: &LoansConfig) -> Result<(), UseCaseError> {
    if draw.amount.currency().code() != line.currency {
        return Err(UseCaseError::invalid(
            "currency",
            format!("the line is in {}", line.currency),
        ));
    }
    let days = |d: i32| u32::try_from(d).unwrap_or(0);
    tenor::check_range(
        draw.tenor_days,
        days(policy.min_tenor_days),
        days(policy.max_tenor_days.min(line.max_tenor_days)),
    )
    .map_err(tenor_error)?;
    if draw.method == RepaymentMethod::EqualInstallments {
        tenor::monthly_installments(draw.tenor_days).map_err(tenor_error)?;
    }
    Ok(())
}

/// Books the loan of `draw`, its amount reserved on `line`.
fn book(
    ctx: &mut Context<'_>,
    line: &LineRow,
    draw: &Draw,
) -> Result<(LoanRow, Vec<InstallmentRow>), UseCaseError> {
    let today = ctx.today;
    let schedule = schedule_for(draw, line.annual_rate, today)?;
    let credit = account("cash:platform")?;
    originate(
        ctx.conn,
        &mut ctx.audit_log,
        &NewLoan {
            party_id: line.party_id,
            line_id: Some(line.id),
            product: "stock_up",
            annual_rate: line.annual_rate,
            penalty_rate_daily: ctx.policy.loans.penalty_rate_daily,
            method: draw.method.as_str(),
            schedule: &schedule,
            start: today,
            credits: vec![(credit, draw.amount)],
        },
        ctx.now,
        &ctx.actor.name,
    )
}

/// A loan to book, of any product; the disbursement debits `loans_receivable:<id>` with the
/// schedule's principal and credits `credits` (cash paid out, income kept back), which must
/// sum to it.
pub struct NewLoan<'a> {
    pub party_id: Uuid,
    pub line_id: Option<Uuid>,
    pub product: &'static str,
    pub annual_rate: Decimal,
    pub penalty_rate_daily: Decimal,
    pub method: &'static str,
    pub schedule: &'a Schedule,
    pub start: NaiveDate,
    pub credits: Vec<(Account, Money)>,
}

/// Books a loan: its row and schedule, the balanced disbursement entry, the disbursement
/// transaction and the audit event, all in the caller's transaction. Every product goes
/// through here, so every product is repaid, accrued and aged by the same code.
pub fn originate(
    conn: &mut PgConnection,
    log: &mut AuditLog,
    new: &NewLoan<'_>,
    now: DateTime<Utc>,
    actor: &str,
) -> Result<(LoanRow, Vec<InstallmentRow>), UseCaseError> {
    let loan_id = Uuid::now_v7();
    let installments = installment_rows(new.party_id, loan_id, new.schedule);
    let maturity = installments.last().map_or(new.start, |i| i.due_date);
    let loan = loan_row(new, loan_id, maturity, now)?;
    // The entry first: the loan, its schedule and its disbursement (which names the entry)
    // are then one statement.
    let entry = disbursement_entry(new, loan_id)?;
    let entry = persistence::ledger::post(conn, new.party_id, Uuid::now_v7(), &entry, None)?;
    let movement = Movement {
        kind: "disbursement",
        amount: loan.principal,
        split: Split {
            principal: loan.principal,
            ..Split::default()
        },
        reference: None,
        entry,
    };
    let disbursement = transaction_row(&loan, movement, new.start, now);
    loans::insert(conn, &loan, &installments, &disbursement)?;
    let payload = serde_json::json!({"line_id": new.line_id, "product": new.product,
        "principal": loan.principal.to_string(), "method": new.method,
        "maturity_date": maturity, "annual_rate": new.annual_rate.to_string()});
    log.record(
        &Chain::of(loan.party_id, "loan", loan_id),
        actor,
        "loan.disbursed",
        &payload,
        now,
    );
    Ok((loan, installments))
}

/// The new loan's row: active, current, nothing paid or accrued yet.
fn loan_row(
    new: &NewLoan<'_>,
    id: Uuid,
    maturity: NaiveDate,
    now: DateTime<Utc>,
) -> Result<LoanRow, UseCaseError> {
    let (today, principal) = (new.start, new.schedule.total_principal);
    Ok(LoanRow {
        id,
        line_id: new.line_id,
        party_id: new.party_id,
        currency: principal.currency().code().into(),
        principal: principal.amount(),
        annual_rate: new.annual_rate,
        penalty_rate_daily: new.penalty_rate_daily,
        method: new.method.into(),
        tenor_days: i32::try_from((maturity - today).num_days())
            .map_err(|e| UseCaseError::corrupt("tenor", e))?,
        start_date: today,
        maturity_date: maturity,
        status: LoanStatus::Active.as_str().into(),
        principal_paid: Decimal::ZERO,
        interest_accrued_unrounded: Decimal::ZERO,
        interest_posted: Decimal::ZERO,
        interest_paid: Decimal::ZERO,
        penalty_accrued_unrounded: Decimal::ZERO,
        penalty_posted: Decimal::ZERO,
        penalty_paid: Decimal::ZERO,
        accrued_through: today,
        dpd: 0,
        bucket: "current".into(),
        written_off_on: None,
        recovered: Decimal::ZERO,
        created_at: now,
        product: new.product.into(),
        fees_posted: Decimal::ZERO,
        fees_paid: Decimal::ZERO,
    })
}

/// Debits the loan's receivable with the principal, credits what the product pays out.
fn disbursement_entry(new: &NewLoan<'_>, loan_id: Uuid) -> Result<JournalEntry, UseCaseError> {
    let principal = new.schedule.total_principal;
    let receivable = Account::of("loans_receivable", loan_id)
        .map_err(|e| UseCaseError::corrupt("account", e))?;
    let mut entry = JournalEntry::builder(
        principal.currency(),
        new.start,
        "disbursement",
        &format!("loan:{loan_id}"),
    )
    .debit(&receivable, principal);
    for (account, value) in &new.credits {
        if !value.is_zero() {
            entry = entry.credit(account, *value);
        }
    }
    entry
        .build()
        .map_err(|e| UseCaseError::corrupt("disbursement entry", e))
}

fn installment_rows(party_id: Uuid, loan_id: Uuid, schedule: &Schedule) -> Vec<InstallmentRow> {
    let mut cumulative = Decimal::ZERO;
    schedule
        .installments
        .iter()
        .map(|i| {
            cumulative += i.principal.amount();
            InstallmentRow {
                loan_id,
                party_id,
                number: i32::try_from(i.number).unwrap_or(i32::MAX),
                due_date: i.due_date,
                principal: i.principal.amount(),
                interest: i.interest.amount(),
                cum_principal: cumulative,
                fee: i.fee.amount(),
            }
        })
        .collect()
}
