//! Stock-up lending: credit lines and the loans drawn on them; [`draw::originate`] books a
//! loan for every product.

pub mod accrual;
pub mod applications;
pub mod booking;
pub mod draw;
pub mod lines;
pub mod loans;
pub mod repayment;
pub mod write_off;
