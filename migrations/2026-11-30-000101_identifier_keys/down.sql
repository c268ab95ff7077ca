-- Keys and fingerprints computed by the v2 recipe stay as they are (the old ones cannot be
-- recomputed in SQL); only the schema goes back.
DROP INDEX loan_transactions_unkeyed_idx;
ALTER TABLE loan_transactions DROP CONSTRAINT loan_transactions_reference_key_unique;
ALTER TABLE loan_transactions DROP COLUMN external_reference_key;
ALTER TABLE loan_transactions ADD CONSTRAINT loan_transactions_external_reference_key
    UNIQUE (external_reference);

DROP INDEX installment_plans_unkeyed_idx;
ALTER TABLE installment_plans DROP CONSTRAINT installment_plans_merchant_order_key_unique;
ALTER TABLE installment_plans DROP COLUMN order_key;
ALTER TABLE installment_plans ADD CONSTRAINT installment_plans_merchant_id_order_reference_key
    UNIQUE (merchant_id, order_reference);

DROP INDEX orders_unkeyed_idx;
ALTER TABLE orders DROP CONSTRAINT orders_merchant_order_key_unique;
ALTER TABLE orders DROP COLUMN order_key;
ALTER TABLE orders ADD CONSTRAINT orders_merchant_id_order_number_key
    UNIQUE (merchant_id, order_number);

ALTER TABLE bills DROP CONSTRAINT bills_fingerprint_fkey,
    ADD CONSTRAINT bills_fingerprint_fkey FOREIGN KEY (fingerprint)
        REFERENCES registry_entries (fingerprint);
ALTER TABLE receivables DROP CONSTRAINT receivables_fingerprint_fkey,
    ADD CONSTRAINT receivables_fingerprint_fkey FOREIGN KEY (fingerprint)
        REFERENCES registry_entries (fingerprint);

DROP INDEX registry_entries_v1_idx;
ALTER TABLE registry_entries DROP COLUMN key_version;
