//! Stock-up lending: credit lines and the loans drawn on them; [`draw::originate`] books a
//! loan for every product.

pub mod draw;
