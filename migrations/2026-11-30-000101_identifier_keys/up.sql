-- Identifier keys v2: every registry key goes through domain::identifier::canonical_key (NFKC,
-- invisible characters dropped, TR39 confusable skeleton, leading zeros stripped per digit
-- group), and receivable and bill fingerprints no longer include the seller (recipe v2 in
-- domain::receivable_fingerprint). SQL cannot compute NFKC or skeletons, so rows stored before
-- this migration are re-keyed in Rust by persistence::rekey, which `lendline migrate` and
-- `lendline serve` run right after the migrations: registry entries still on key_version 1,
-- and orders, installment plans and payment references whose key is still NULL.

ALTER TABLE registry_entries ADD COLUMN key_version SMALLINT NOT NULL DEFAULT 1
    CHECK (key_version IN (1, 2));
ALTER TABLE registry_entries ALTER COLUMN key_version SET DEFAULT 2;
CREATE INDEX registry_entries_v1_idx ON registry_entries (subject_id) WHERE key_version = 1;

-- Re-keying changes a fingerprint in one statement; the papers that reference it follow.
ALTER TABLE receivables DROP CONSTRAINT receivables_fingerprint_fkey,
    ADD CONSTRAINT receivables_fingerprint_fkey FOREIGN KEY (fingerprint)
        REFERENCES registry_entries (fingerprint) ON UPDATE CASCADE;
ALTER TABLE bills DROP CONSTRAINT bills_fingerprint_fkey,
    ADD CONSTRAINT bills_fingerprint_fkey FOREIGN KEY (fingerprint)
        REFERENCES registry_entries (fingerprint) ON UPDATE CASCADE;

-- A purchase order is unique per merchant by its canonical number (`po 2027 0002` is
-- `PO-2027-0002`), no longer by the text as typed.
ALTER TABLE orders ADD COLUMN order_key TEXT;
ALTER TABLE orders DROP CONSTRAINT orders_merchant_id_order_number_key;
ALTER TABLE orders ADD CONSTRAINT orders_merchant_order_key_unique UNIQUE (merchant_id, order_key);
CREATE INDEX orders_unkeyed_idx ON orders (id) WHERE order_key IS NULL;

-- A checkout's order reference is unique per merchant by its canonical form: one purchase is
-- financed by one installment plan however its reference is written.
ALTER TABLE installment_plans ADD COLUMN order_key TEXT;
ALTER TABLE installment_plans DROP CONSTRAINT installment_plans_merchant_id_order_reference_key;
ALTER TABLE installment_plans ADD CONSTRAINT installment_plans_merchant_order_key_unique
    UNIQUE (merchant_id, order_key);
CREATE INDEX installment_plans_unkeyed_idx ON installment_plans (loan_id) WHERE order_key IS NULL;

-- A payment reference is unique platform-wide by its canonical form.
ALTER TABLE loan_transactions ADD COLUMN external_reference_key TEXT;
ALTER TABLE loan_transactions DROP CONSTRAINT loan_transactions_external_reference_key;
ALTER TABLE loan_transactions ADD CONSTRAINT loan_transactions_reference_key_unique
    UNIQUE (external_reference_key);
CREATE INDEX loan_transactions_unkeyed_idx ON loan_transactions (id)
    WHERE external_reference IS NOT NULL AND external_reference_key IS NULL;
