//! Settlement of financed receivables: the debtor's payment (full or short) and the default
//! after the due date plus grace days (see `crate::usecases::scf::settlement` for the money).

use actix_web::{web, HttpResponse};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::error::{ApiError, ErrorBody};
use crate::idempotency::{JsonBody, KeyPolicy};
use crate::request::{Call, Reply};
use crate::usecases::scf::settlement::{self, DefaultReceivable, PayReceivable, Settled};
use crate::views::amount;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPayment {
    /// What the debtor paid: the face, or less (dilution).
    #[schema(example = "100000.00")]
    pub amount: String,
    /// The business date of the payment; today when absent.
    pub paid_on: Option<NaiveDate>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewDefault {
    /// The business date on which the default is declared; must be after due date + grace.
    pub business_date: Option<NaiveDate>,
    /// What the debtor paid after all (e.g. from its insolvency), at most the face; nothing
    /// when absent. The rest is a credit shortfall, not dilution.
    #[schema(example = "60000.00")]
    pub recovered: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SettlementView {
    pub receivable_id: Uuid,
    pub state: String,
    pub debtor_payment: String,
    pub repaid_to_factor: String,
    /// Paid out to the supplier (a single invoice's reserve left over; a pool collection's
    /// excess).
    pub reserve_released: String,
    /// Pools: taken from the collection against what the supplier owes on recourse claims.
    pub claims_set_off: String,
    pub dilution: String,
    /// Beyond the reserve, or a defaulted pool receivable's share of what is drawn: owed by the
    /// supplier or written off, as `shortfall_treatment` says.
    pub shortfall: String,
    /// `none`, `recourse_claim` or `credit_loss`; `pool` for a pool receivable with no shortfall.
    pub shortfall_treatment: String,
}

impl From<&Settled> for SettlementView {
    fn from(s: &Settled) -> Self {
        let c = s.currency;
        SettlementView {
            receivable_id: s.receivable_id,
            state: s.state.as_str().into(),
            debtor_payment: amount(s.debtor_payment, c),
            repaid_to_factor: amount(s.repaid_to_factor, c),
            reserve_released: amount(s.reserve_released, c),
            claims_set_off: amount(s.claims_set_off, c),
            dilution: amount(s.dilution, c),
            shortfall: amount(s.shortfall, c),
            shortfall_treatment: s.treatment.as_str().into(),
        }
    }
}

/// Records the debtor's payment of a financed receivable (staff). Requires an `Idempotency-Key`.
#[utoipa::path(post, path = "/v1/receivables/{id}/payments", tag = "supply-chain finance",
    request_body = NewPayment, security(("bearer" = [])),
    params(("id" = Uuid, Path), ("Idempotency-Key" = String, Header)),
    responses((status = 201, body = SettlementView), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn pay(
    call: Call,
    id: web::Path<Uuid>,
    body: JsonBody<NewPayment>,
) -> Result<HttpResponse, ApiError> {
    let hash = body.hash().to_string();
    let NewPayment { amount, paid_on } = body.into_inner();
    let ask = PayReceivable {
        receivable_id: id.into_inner(),
        amount,
        paid_on,
    };
    call.run(
        KeyPolicy::Required,
        Some(&hash),
        move |ctx| settlement::pay(ctx, ask),
        |s| Reply::created(&SettlementView::from(&s)),
    )
    .await
}

/// Declares a financed receivable defaulted once it is past due plus grace (staff).
#[utoipa::path(post, path = "/v1/receivables/{id}/default", tag = "supply-chain finance",
    request_body = NewDefault, security(("bearer" = [])),
    params(("id" = Uuid, Path), ("Idempotency-Key" = String, Header)),
    responses((status = 201, body = SettlementView), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn default(
    call: Call,
    id: web::Path<Uuid>,
    body: JsonBody<NewDefault>,
) -> Result<HttpResponse, ApiError> {
    let hash = body.hash().to_string();
    let NewDefault {
        business_date,
        recovered,
    } = body.into_inner();
    let ask = DefaultReceivable {
        receivable_id: id.into_inner(),
        business_date,
        recovered,
    };
    call.run(
        KeyPolicy::Required,
        Some(&hash),
        move |ctx| settlement::default(ctx, ask),
        |s| Reply::created(&SettlementView::from(&s)),
    )
    .await
}
