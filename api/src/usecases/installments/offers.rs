//! The plans a merchant offers at checkout: periods, who pays, purchase range.

use domain::money::Money;
use persistence::audit::Chain;
use persistence::installment_plans::{self, OfferRow};
use rust_decimal::Decimal;
use uuid::Uuid;

use crate::usecases::lending::accrual::stored_money;
use crate::usecases::party_currency;
use crate::usecases::{Context, UseCaseError};

/// The platform's annual funding rate, at which merchant-paid plans are subsidised.
pub const SUBSIDY_ANNUAL_RATE: Decimal = Decimal::from_parts(12, 0, 0, false, 2);
/// The highest fee per period a merchant may offer shoppers (3 % of the purchase).
pub const MAX_FEE_RATE_PER_PERIOD: Decimal = Decimal::from_parts(3, 0, 0, false, 2);

/// Who pays for the credit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OfferPricing {
    /// The shopper pays this share of the purchase every period (checked at the edge: above
    /// zero and at most [`MAX_FEE_RATE_PER_PERIOD`]).
    ShopperFee { rate_per_period: Decimal },
    /// Interest-free for the shopper; the merchant's settlement is reduced by a subsidy.
    MerchantSubsidised,
}

impl OfferPricing {
    /// The payer's name in the `payer` column, and the fee rate stored beside it.
    fn columns(self) -> (&'static str, Decimal) {
        match self {
            OfferPricing::ShopperFee { rate_per_period } => ("shopper", rate_per_period),
            OfferPricing::MerchantSubsidised => ("merchant", Decimal::ZERO),
        }
    }

    /// How a stored offer is priced; a payer our rules do not know is a corrupt row.
    pub fn of(offer: &OfferRow) -> Result<OfferPricing, UseCaseError> {
        match offer.payer.as_str() {
            "shopper" => Ok(OfferPricing::ShopperFee {
                rate_per_period: offer.fee_rate_per_period,
            }),
            "merchant" => Ok(OfferPricing::MerchantSubsidised),
            other => Err(UseCaseError::corrupt("offer payer", other.to_string())),
        }
    }
}

/// An offer as the merchant configured it (already valid: 3, 6 or 12 periods, a purchase
/// range in one currency with the minimum not above the maximum).
#[derive(Debug, Clone)]
pub struct NewOffer {
    pub installments: i32,
    pub pricing: OfferPricing,
    pub min_purchase: Money,
    pub max_purchase: Money,
}

/// Stores the acting merchant's offer, in the merchant's own currency.
pub fn create_offer(ctx: &mut Context<'_>, ask: NewOffer) -> Result<OfferRow, UseCaseError> {
    let merchant = ctx.actor.party.ok_or(UseCaseError::Forbidden)?;
    let ccy = ask.min_purchase.currency();
    party_currency::check(&persistence::parties::find(ctx.conn, merchant)?, ccy)?;
    let (payer, fee_rate) = ask.pricing.columns();
    let row = OfferRow {
        id: Uuid::now_v7(),
        merchant_id: merchant,
        currency: ccy.code().into(),
        installments: ask.installments,
        payer: payer.into(),
        fee_rate_per_period: fee_rate,
        min_purchase: ask.min_purchase.amount(),
        max_purchase: ask.max_purchase.amount(),
        active: true,
        created_at: ctx.now,
    };
    installment_plans::insert_offer(ctx.conn, &row)?;
    let payload = serde_json::json!({"id": row.id, "merchant_id": row.merchant_id,
        "currency": row.currency, "installments": row.installments, "payer": row.payer,
        "fee_rate_per_period": row.fee_rate_per_period.normalize().to_string(),
        "min_purchase": stored_money(row.min_purchase, ccy).amount().to_string(),
        "max_purchase": stored_money(row.max_purchase, ccy).amount().to_string(), "active": row.active});
    ctx.audit(
        &Chain::of(row.merchant_id, "installment_offer", row.id),
        "installment_offer.created",
        &payload,
    );
    Ok(row)
}

/// The acting merchant's offers (staff: every merchant's), one page after `after`.
pub fn list_offers(
    ctx: &mut Context<'_>,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<OfferRow>, UseCaseError> {
    Ok(installment_plans::list_offers(
        ctx.conn,
        ctx.actor.party,
        after,
        limit,
    )?)
}
