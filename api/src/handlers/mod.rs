//! HTTP handlers, one endpoint family per module.

pub mod health;
pub mod parties;
