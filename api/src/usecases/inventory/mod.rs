//! Inventory financing: goods in a partner warehouse, pledged by warehouse receipt, back one
//! bullet loan (product `inventory_financing`).
//!
//! Rules:
//! - The lender sets the haircut by category ([`goods::Category::haircut`]); the merchant cannot choose it.
//!   Lendable value = `quantity × unit_value × (1 − haircut)`, rounded down to the cent.
//! - LTV = principal outstanding ÷ lendable value. A drawdown is refused above [`goods::MAX_LTV`].
//! - A revaluation that takes the LTV above [`goods::MARGIN_CALL_LTV`] opens a margin call: the goods
//!   go to `margin_call`, the merchant is emailed, and every further inventory draw of that
//!   merchant is refused until the call is cured. A later valuation at or below [`goods::MAX_LTV`]
//!   (after a partial repayment or a price recovery) cures it.
//! - One receipt backs one loan, ever: receipts are keyed by their normalised number
//!   platform-wide and entered in the supply-chain registry (kind `warehouse_receipt`),
//!   encumbered while pledged, so an outside lender can check the goods before lending on them;
//!   released receipts stay registered.
//! - Goods are released only once their loan is closed (repaid in full); there is no partial
//!   release.

pub mod draw;
pub mod goods;
pub mod pledge;
pub mod release;
pub mod valuation;
