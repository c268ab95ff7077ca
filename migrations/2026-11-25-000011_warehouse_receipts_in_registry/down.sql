DELETE FROM registry_entries WHERE kind = 'warehouse_receipt';
ALTER TABLE registry_entries DROP CONSTRAINT registry_entries_kind_check;
ALTER TABLE registry_entries ADD CONSTRAINT registry_entries_kind_check
    CHECK (kind IN ('receivable', 'bill'));
