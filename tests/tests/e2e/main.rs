//! End-to-end tests: the real server over HTTP against a throwaway PostgreSQL cluster.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod audit;
mod auth;
mod idempotency;
mod installments;
mod integrity_lists;
mod integrity_openapi;
mod inventory_financing;
mod ledger;
mod lending_support;
mod loans;
mod order_financing;
mod outbox;
mod platform;
mod quotes;
mod scf_bills;
mod scf_factoring;
mod scf_load;
mod scf_pools;
mod scf_referrals;
mod scf_registry;
mod scf_support;
mod schema;
mod scoring;
mod scoring_challenger;
