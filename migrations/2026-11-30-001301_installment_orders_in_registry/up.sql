-- One installment plan per merchant's order reference, whichever shopper checks out: plans
-- live with the shopper's loan, so the registry keeps that uniqueness instead of a unique
-- index. The key is the hex SHA-256 of
-- "lendline-registry-v1\ninstallment_order\n<merchant id>\n<canonical order key>"
-- (persistence::installment_plans::order_fingerprint), registered with the plan's loan as
-- subject; the plan names its registry row.

ALTER TABLE registry_entries DROP CONSTRAINT registry_entries_kind_check;
ALTER TABLE registry_entries ADD CONSTRAINT registry_entries_kind_check
    CHECK (kind IN ('receivable', 'bill', 'warehouse_receipt', 'party_registration',
                    'payment_reference', 'installment_order'));

ALTER TABLE installment_plans ADD COLUMN order_fingerprint CHAR(64);
UPDATE installment_plans SET order_fingerprint = encode(sha256(convert_to(
    E'lendline-registry-v1\ninstallment_order\n' || merchant_id || E'\n' || order_key, 'UTF8')), 'hex')
 WHERE order_key IS NOT NULL;
INSERT INTO registry_entries (fingerprint, kind, subject_id, key_version, registered_at)
SELECT order_fingerprint, 'installment_order', loan_id, 2, created_at
  FROM installment_plans WHERE order_fingerprint IS NOT NULL;
ALTER TABLE installment_plans ADD CONSTRAINT installment_plans_order_fkey
    FOREIGN KEY (order_fingerprint, loan_id) REFERENCES registry_entries (fingerprint, subject_id);
ALTER TABLE installment_plans ADD CONSTRAINT installment_plans_order_registered
    CHECK ((order_key IS NULL) = (order_fingerprint IS NULL));
CREATE INDEX installment_plans_order_idx ON installment_plans (order_fingerprint, loan_id);
ALTER TABLE installment_plans DROP CONSTRAINT installment_plans_merchant_order_key_unique;
