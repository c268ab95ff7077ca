//! Life cycles of retail financing's own objects; persistence keeps the names (`as_str`) in
//! status columns.
//!
//! Order: `confirmed → settled` (the buyer's payment arrived). Only a confirmed order backs a
//! loan, and at most one.
//! Pledged goods: `pledged ⇄ margin_call` as valuations move the LTV, and `released` from
//! either once their loan is repaid; released goods are final. A margin call opens above the
//! margin threshold and, once open, stays until the LTV is back within the drawdown limit (a
//! band, so the status does not flap around one threshold).
//!
//! An installment plan's status is its loan's (`active`, `closed`, `written_off`).

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;

pub use crate::state_machine::{TransitionError, UnknownState};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OrderStatus {
    Confirmed,
    Settled,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CollateralStatus {
    Pledged,
    MarginCall,
    Released,
}

/// The LTV limits a valuation is judged by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LtvLimits {
    /// The highest LTV at drawdown; a margin call is cured at or below it.
    pub max_drawdown: Decimal,
    /// Above this LTV a valuation opens a margin call.
    pub margin_call: Decimal,
}

impl OrderStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::Confirmed => "confirmed",
            OrderStatus::Settled => "settled",
        }
    }

    /// The buyer paid for the order.
    pub fn settle(self) -> Result<OrderStatus, TransitionError> {
        guarded(self == OrderStatus::Confirmed, self, OrderStatus::Settled)
    }

    /// Whether the order may still be borrowed against (when no loan backs it yet).
    pub fn may_back_a_loan(self) -> bool {
        self == OrderStatus::Confirmed
    }
}

impl CollateralStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CollateralStatus::Pledged => "pledged",
            CollateralStatus::MarginCall => "margin_call",
            CollateralStatus::Released => "released",
        }
    }

    /// Whether a loan may be drawn on the goods (when none backs them yet).
    pub fn may_back_a_loan(self) -> bool {
        self == CollateralStatus::Pledged
    }

    /// The status after a valuation at `ltv` (zero when nothing is lent).
    pub fn revalued(self, ltv: Decimal, limits: LtvLimits) -> Result<Self, TransitionError> {
        let called = ltv > limits.margin_call
            || (self == CollateralStatus::MarginCall && ltv > limits.max_drawdown);
        let to = if called {
            CollateralStatus::MarginCall
        } else {
            CollateralStatus::Pledged
        };
        guarded(self != CollateralStatus::Released, self, to)
    }

    /// The goods go back to their merchant (the caller checked their loan is repaid).
    pub fn release(self) -> Result<CollateralStatus, TransitionError> {
        guarded(
            self != CollateralStatus::Released,
            self,
            CollateralStatus::Released,
        )
    }
}

trait Named: Copy {
    fn name(self) -> &'static str;
}

impl Named for OrderStatus {
    fn name(self) -> &'static str {
        self.as_str()
    }
}

impl Named for CollateralStatus {
    fn name(self) -> &'static str {
        self.as_str()
    }
}

fn guarded<S: Named>(allowed: bool, from: S, to: S) -> Result<S, TransitionError> {
    if allowed {
        Ok(to)
    } else {
        Err(TransitionError {
            from: from.name(),
            to: to.name(),
        })
    }
}

impl FromStr for OrderStatus {
    type Err = UnknownState;
    fn from_str(s: &str) -> Result<Self, UnknownState> {
        [OrderStatus::Confirmed, OrderStatus::Settled]
            .into_iter()
            .find(|v| v.as_str() == s)
            .ok_or_else(|| UnknownState(s.into()))
    }
}

impl FromStr for CollateralStatus {
    type Err = UnknownState;
    fn from_str(s: &str) -> Result<Self, UnknownState> {
        [
            CollateralStatus::Pledged,
            CollateralStatus::MarginCall,
            CollateralStatus::Released,
        ]
        .into_iter()
        .find(|v| v.as_str() == s)
        .ok_or_else(|| UnknownState(s.into()))
    }
}

impl fmt::Display for OrderStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for CollateralStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    const LIMITS: LtvLimits = LtvLimits {
        max_drawdown: dec!(0.80),
        margin_call: dec!(0.90),
    };

    #[test]
    fn an_order_is_settled_once() {
        let settled = OrderStatus::Confirmed.settle().unwrap();
        assert_eq!(settled, OrderStatus::Settled);
        assert!(settled.settle().is_err());
        assert!(!settled.may_back_a_loan());
        assert!(OrderStatus::Confirmed.may_back_a_loan());
    }

    #[test]
    fn a_margin_call_opens_above_the_threshold_and_stays_until_back_within_the_drawdown_limit() {
        let pledged = CollateralStatus::Pledged;
        assert_eq!(pledged.revalued(dec!(0.85), LIMITS).unwrap(), pledged);
        let called = pledged.revalued(dec!(0.9001), LIMITS).unwrap();
        assert_eq!(called, CollateralStatus::MarginCall);
        assert_eq!(called.revalued(dec!(0.85), LIMITS).unwrap(), called);
        assert_eq!(called.revalued(dec!(0.80), LIMITS).unwrap(), pledged);
        assert!(!called.may_back_a_loan());
    }

    #[test]
    fn released_goods_are_neither_valued_nor_released_again() {
        let released = CollateralStatus::MarginCall.release().unwrap();
        assert_eq!(released, CollateralStatus::Released);
        assert!(released.release().is_err());
        assert!(released.revalued(Decimal::ZERO, LIMITS).is_err());
    }

    #[test]
    fn statuses_read_back_from_their_column_names() {
        for s in [
            CollateralStatus::Pledged,
            CollateralStatus::MarginCall,
            CollateralStatus::Released,
        ] {
            assert_eq!(s.as_str().parse::<CollateralStatus>().unwrap(), s);
        }
        for s in [OrderStatus::Confirmed, OrderStatus::Settled] {
            assert_eq!(s.to_string().parse::<OrderStatus>().unwrap(), s);
        }
        assert!("financed".parse::<OrderStatus>().is_err());
    }
}
