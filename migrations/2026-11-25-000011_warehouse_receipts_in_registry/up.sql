-- Warehouse receipts join receivables and bills in the duplicate-proof registry, so an outside
-- lender can ask whether goods are already pledged. The fingerprint is the hex SHA-256 of
-- "lendline-registry-v1\nwarehouse_receipt\n<normalised receipt number>"
-- (domain::receivable_fingerprint::receipt_fingerprint); receipts pledged before this
-- migration are entered with the same formula.
ALTER TABLE registry_entries DROP CONSTRAINT registry_entries_kind_check;
ALTER TABLE registry_entries ADD CONSTRAINT registry_entries_kind_check
    CHECK (kind IN ('receivable', 'bill', 'warehouse_receipt'));
INSERT INTO registry_entries (fingerprint, kind, subject_id, encumbered, registered_at)
SELECT encode(sha256(convert_to(E'lendline-registry-v1\nwarehouse_receipt\n' || receipt_key, 'UTF8')), 'hex'),
       'warehouse_receipt', id, status <> 'released', created_at
  FROM collateral;
