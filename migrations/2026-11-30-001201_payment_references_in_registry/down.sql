ALTER TABLE loan_transactions ADD CONSTRAINT loan_transactions_reference_key_unique
    UNIQUE (external_reference_key);
DROP INDEX loan_transactions_reference_idx;
ALTER TABLE loan_transactions DROP CONSTRAINT loan_transactions_reference_registered;
ALTER TABLE loan_transactions DROP CONSTRAINT loan_transactions_reference_fkey;
ALTER TABLE loan_transactions DROP COLUMN reference_fingerprint;
DELETE FROM registry_entries WHERE kind = 'payment_reference';
ALTER TABLE registry_entries DROP CONSTRAINT registry_entries_kind_check;
ALTER TABLE registry_entries ADD CONSTRAINT registry_entries_kind_check
    CHECK (kind IN ('receivable', 'bill', 'warehouse_receipt', 'party_registration'));
