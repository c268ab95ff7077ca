-- A payment's external reference is unique platform-wide (one bank transfer books once,
-- whichever loan it names), which a table keyed by borrower cannot keep in a unique index. The
-- registry keeps it: the hex SHA-256 of
-- "lendline-registry-v1\npayment_reference\n<canonical key>"
-- (persistence::loans::payment_reference_fingerprint) is registered with the transaction as
-- subject, and the transaction names that registry row.

ALTER TABLE registry_entries DROP CONSTRAINT registry_entries_kind_check;
ALTER TABLE registry_entries ADD CONSTRAINT registry_entries_kind_check
    CHECK (kind IN ('receivable', 'bill', 'warehouse_receipt', 'party_registration',
                    'payment_reference'));

ALTER TABLE loan_transactions ADD COLUMN reference_fingerprint CHAR(64);
UPDATE loan_transactions SET reference_fingerprint = encode(sha256(convert_to(
    E'lendline-registry-v1\npayment_reference\n' || external_reference_key, 'UTF8')), 'hex')
 WHERE external_reference_key IS NOT NULL;
INSERT INTO registry_entries (fingerprint, kind, subject_id, key_version, registered_at)
SELECT reference_fingerprint, 'payment_reference', id, 2, created_at
  FROM loan_transactions WHERE reference_fingerprint IS NOT NULL;
ALTER TABLE loan_transactions ADD CONSTRAINT loan_transactions_reference_fkey
    FOREIGN KEY (reference_fingerprint, id) REFERENCES registry_entries (fingerprint, subject_id);
ALTER TABLE loan_transactions ADD CONSTRAINT loan_transactions_reference_registered
    CHECK ((external_reference_key IS NULL) = (reference_fingerprint IS NULL));
CREATE INDEX loan_transactions_reference_idx ON loan_transactions (reference_fingerprint, id);
ALTER TABLE loan_transactions DROP CONSTRAINT loan_transactions_reference_key_unique;
