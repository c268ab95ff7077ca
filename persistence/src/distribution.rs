//! The distribution map: where every table lives on a Citus cluster distributed by party.
//!
//! The tenant key is the party that owns the aggregate: a tenant table is distributed by that
//! party's column and co-located with `parties` (distributed by `id`), so one party's rows — a
//! loan, its installments, its postings, its audit chain — sit on one shard and a transaction
//! about one party commits on one node. Small platform-wide tables are reference tables (a copy
//! on every node, joinable with anything); the outbox and the migration bookkeeping stay on the
//! coordinator.
//!
//! The catalog test (`tests/tests/e2e/distribution.rs`) checks the live schema against this map
//! on plain PostgreSQL: every table is here, every unique index of a distributed table includes
//! its column, every foreign key is co-located or aims at a reference table, no trigger reads
//! `TG_TABLE_NAME`.

/// Where one table lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    /// Distributed by the owning party's column, co-located with `parties`.
    Tenant(&'static str),
    /// Copied to every node: small, platform-wide, read by every shard.
    Reference,
    /// An ordinary table on the coordinator only.
    Coordinator,
}

/// Every table of the schema, in the order it is distributed: reference tables first (tenant
/// tables' foreign keys point at them), then `parties`, then each tenant table after the tables
/// it refers to.
pub const MAP: &[(&str, Placement)] = &[
    ("scoring_models", Placement::Reference),
    ("scoring_assignments", Placement::Reference),
    ("platform_calendar", Placement::Reference),
    ("eod_runs", Placement::Reference),
    // Platform-wide uniqueness (fingerprints of paper, registration numbers, external payment
    // references) is one row here; tenant tables refer to it.
    ("registry_entries", Placement::Reference),
    // The chain of checkpoints: one row per checkpoint, read with the heads it covers.
    ("audit_checkpoints", Placement::Reference),
    ("parties", Placement::Tenant("id")),
    ("party_monthly_sales", Placement::Tenant("party_id")),
    ("credit_decisions", Placement::Tenant("party_id")),
    ("credit_decision_evidence", Placement::Tenant("party_id")),
    ("reviews", Placement::Tenant("party_id")),
    ("credit_line_applications", Placement::Tenant("party_id")),
    ("credit_lines", Placement::Tenant("party_id")),
    // The ledger keeps an entry, its postings and its balance moves on the owner's shard;
    // platform accounts keep a balance row per tenant shard, summed on read.
    ("journal_entries", Placement::Tenant("party_id")),
    ("postings", Placement::Tenant("party_id")),
    ("account_balances", Placement::Tenant("party_id")),
    ("loans", Placement::Tenant("party_id")),
    ("loan_installments", Placement::Tenant("party_id")),
    ("loan_transactions", Placement::Tenant("party_id")),
    ("installment_offers", Placement::Tenant("merchant_id")),
    // The plan is the checkout around the shopper's loan: it lives with the loan.
    ("installment_plans", Placement::Tenant("shopper_id")),
    ("orders", Placement::Tenant("merchant_id")),
    ("collateral", Placement::Tenant("merchant_id")),
    ("collateral_valuations", Placement::Tenant("merchant_id")),
    (
        "factoring_programs",
        Placement::Tenant("core_enterprise_id"),
    ),
    // A supplier's membership is read when the supplier asks for an advance.
    ("program_suppliers", Placement::Tenant("supplier_id")),
    ("factoring_requests", Placement::Tenant("supplier_id")),
    ("receivables", Placement::Tenant("supplier_id")),
    (
        "factoring_request_receivables",
        Placement::Tenant("supplier_id"),
    ),
    // A bill changes holders but never its acceptor (the debtor): the acceptor owns it.
    ("bills", Placement::Tenant("acceptor_id")),
    ("bill_endorsements", Placement::Tenant("acceptor_id")),
    ("bill_recourse_claims", Placement::Tenant("acceptor_id")),
    ("bill_discount_referrals", Placement::Tenant("acceptor_id")),
    // The audit trail is keyed by party so a decision and its evidence commit on one shard.
    ("audit_events", Placement::Tenant("party_id")),
    ("audit_chain_heads", Placement::Tenant("party_id")),
    // How far checkpoints have sealed each chain, and what each one recorded of it.
    ("audit_chain_seals", Placement::Tenant("party_id")),
    ("audit_checkpoint_heads", Placement::Tenant("party_id")),
    // Kept with the party the caller acts for (the platform for staff), so that a key and the
    // effect it guards commit on one shard.
    ("idempotency_keys", Placement::Tenant("party_id")),
    ("outbox_emails", Placement::Coordinator),
    ("__diesel_schema_migrations", Placement::Coordinator),
];

/// Foreign keys from one party's rows to another party's (a bill's drawer, payee, holder and
/// endorsers, a recourse claim's debtor, an order's buyer, a receivable's debtor and program, an
/// installment plan's merchant and offer, a membership's program), as (table, constraint). A
/// cluster distributed by party cannot enforce them: distributing drops them first
/// (`crate::distribute`), on one PostgreSQL they stay. The use cases read the referenced party
/// or aggregate before they write the reference, and parties, offers and programs are never
/// deleted, so the reference holds on a cluster too. The catalog test checks the list both
/// ways: each is a real foreign key between tenant tables that could not be co-located.
pub const CROSS_PARTY_REFERENCES: &[(&str, &str)] = &[
    (
        "bill_discount_referrals",
        "bill_discount_referrals_holder_id_fkey",
    ),
    ("bill_endorsements", "bill_endorsements_from_party_id_fkey"),
    ("bill_endorsements", "bill_endorsements_to_party_id_fkey"),
    ("bill_recourse_claims", "bill_recourse_claims_party_id_fkey"),
    ("bills", "bills_drawer_id_fkey"),
    ("bills", "bills_holder_id_fkey"),
    ("bills", "bills_payee_id_fkey"),
    ("installment_plans", "installment_plans_merchant_id_fkey"),
    ("installment_plans", "installment_plans_offer_id_fkey"),
    ("orders", "orders_buyer_id_fkey"),
    ("program_suppliers", "program_suppliers_program_id_fkey"),
    ("receivables", "receivables_debtor_id_fkey"),
    ("receivables", "receivables_program_id_fkey"),
];

/// Primary keys that a cross-party reference needs on its own on one PostgreSQL (a program's,
/// an offer's `id`), as (table, constraint, the key with the owner): distributing drops the
/// references first (see [`CROSS_PARTY_REFERENCES`]), then replaces each of these keys by the
/// one with the owner. The catalog test checks the list both ways.
pub const KEYS_WIDENED_WHEN_DISTRIBUTED: &[(&str, &str, &str)] = &[
    (
        "factoring_programs",
        "factoring_programs_pkey",
        "core_enterprise_id, id",
    ),
    (
        "installment_offers",
        "installment_offers_pkey",
        "merchant_id, id",
    ),
];

/// Where `table` lives, or `None` when the map does not know it.
pub fn placement(table: &str) -> Option<Placement> {
    MAP.iter().find(|(name, _)| *name == table).map(|(_, p)| *p)
}
