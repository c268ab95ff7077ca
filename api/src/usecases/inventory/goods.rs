//! Pledged goods as a caller may see them: their category and haircut, lendable value, LTV
//! and typed status.

use std::str::FromStr;

use domain::retail_state::{CollateralStatus, LtvLimits};
use persistence::collateral::{self, CollateralRow};
use rust_decimal::{Decimal, RoundingStrategy};
use uuid::Uuid;

use crate::usecases::{Context, UseCaseError};

/// The highest LTV at drawdown (80 %).
pub const MAX_LTV: Decimal = Decimal::from_parts(80, 0, 0, false, 2);
/// The LTV above which a revaluation calls for margin (90 %).
pub const MARGIN_CALL_LTV: Decimal = Decimal::from_parts(90, 0, 0, false, 2);

pub(super) const LIMITS: LtvLimits = LtvLimits {
    max_drawdown: MAX_LTV,
    margin_call: MARGIN_CALL_LTV,
};

/// A category of goods, which sets the haircut: how far their resale value may fall before
/// the loan is at risk. Perishables and fast-obsoleting goods take the deepest cuts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Category {
    Apparel,
    Electronics,
    Grocery,
    Household,
    RawMaterials,
}

impl Category {
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Apparel => "apparel",
            Category::Electronics => "electronics",
            Category::Grocery => "grocery",
            Category::Household => "household",
            Category::RawMaterials => "raw_materials",
        }
    }

    /// The lender's haircut for the category; the merchant cannot choose it.
    pub fn haircut(self) -> Decimal {
        let percent = match self {
            Category::Apparel | Category::Household => 30,
            Category::Electronics => 40,
            Category::Grocery => 50,
            Category::RawMaterials => 20,
        };
        Decimal::new(percent, 2)
    }
}

/// No haircut is set for a category the lender does not finance.
#[derive(Debug, thiserror::Error)]
#[error("no haircut is set for this category")]
pub struct UnknownCategory;

impl FromStr for Category {
    type Err = UnknownCategory;
    fn from_str(s: &str) -> Result<Category, UnknownCategory> {
        [
            Category::Apparel,
            Category::Electronics,
            Category::Grocery,
            Category::Household,
            Category::RawMaterials,
        ]
        .into_iter()
        .find(|c| c.as_str() == s)
        .ok_or(UnknownCategory)
    }
}

/// Lendable value of the goods at `unit_value`: `quantity × unit_value × (1 − haircut)`,
/// rounded down to the cent.
pub fn lendable_value(c: &CollateralRow, unit_value: Decimal) -> Decimal {
    (Decimal::from(c.quantity) * unit_value * (Decimal::ONE - c.haircut))
        .round_dp_with_strategy(2, RoundingStrategy::ToZero)
}

/// LTV of `outstanding` on the goods at `unit_value`, unrounded (thresholds compare exactly);
/// none when the goods are worth nothing.
pub fn ltv(c: &CollateralRow, unit_value: Decimal, outstanding: Decimal) -> Option<Decimal> {
    let value = lendable_value(c, unit_value);
    (!value.is_zero()).then(|| outstanding / value)
}

/// Loads and locks goods their merchant or staff may see; to anyone else they do not exist.
pub(super) fn lock_visible(ctx: &mut Context<'_>, id: Uuid) -> Result<CollateralRow, UseCaseError> {
    let merchant = match ctx.actor.party.filter(|_| !ctx.actor.staff) {
        Some(party) => party,
        None => collateral::owner(ctx.conn, id)?,
    };
    let goods = collateral::lock(ctx.conn, merchant, id)?;
    ctx.actor.visible(goods.merchant_id, goods)
}

/// Pledged goods with their current valuation.
pub fn find_goods(ctx: &mut Context<'_>, id: Uuid) -> Result<CollateralRow, UseCaseError> {
    lock_visible(ctx, id)
}

/// The goods' typed status; a column our rules cannot read is corrupt.
pub(super) fn status(goods: &CollateralRow) -> Result<CollateralStatus, UseCaseError> {
    goods
        .status
        .parse()
        .map_err(|e| UseCaseError::corrupt("collateral status", e))
}
