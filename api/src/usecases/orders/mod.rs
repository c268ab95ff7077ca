//! Order financing: a merchant borrows against one confirmed order and the buyer's payment
//! repays it.
//!
//! Rules: the advance is at most [`financing::ADVANCE_RATE`] of the order value; the loan is a bullet
//! loan (product `order_financing`, no credit line) at the rate the scoring engine prices for
//! the merchant, maturing [`financing::GRACE_DAYS`] after the order's expected settlement date, so a
//! buyer paying a little late does not put the merchant in arrears. One order backs at most
//! one loan. When the buyer's settlement arrives it first repays the loan through the loans'
//! own repayment path (interest to date, nothing for unused days); the remainder is owed to
//! the merchant and paid out at once (`Dr cash:platform Cr merchant_payable:<m>`, then
//! `Dr merchant_payable:<m> Cr cash:platform`). A settlement smaller than the loan leaves the
//! rest on the loan, which the merchant repays and end of day ages like any other.

pub mod financing;
pub mod order;
pub mod register;
pub mod settlement;
