ALTER TABLE bills ADD CONSTRAINT bills_fingerprint_unique UNIQUE (fingerprint);
DROP INDEX bills_fingerprint_idx;
ALTER TABLE bills DROP CONSTRAINT bills_fingerprint_fkey;
ALTER TABLE bills ADD CONSTRAINT bills_fingerprint_fkey FOREIGN KEY (fingerprint)
    REFERENCES registry_entries (fingerprint) ON UPDATE CASCADE;

ALTER TABLE receivables ADD CONSTRAINT receivables_fingerprint_unique UNIQUE (fingerprint);
DROP INDEX receivables_fingerprint_idx;
ALTER TABLE receivables DROP CONSTRAINT receivables_fingerprint_fkey;
ALTER TABLE receivables ADD CONSTRAINT receivables_fingerprint_fkey FOREIGN KEY (fingerprint)
    REFERENCES registry_entries (fingerprint) ON UPDATE CASCADE;

ALTER TABLE parties ADD CONSTRAINT parties_registration_unique UNIQUE (country, registration_number);
DROP INDEX parties_registration_idx;
ALTER TABLE parties DROP CONSTRAINT parties_registration_fkey;
ALTER TABLE parties DROP COLUMN registration_fingerprint;
DELETE FROM registry_entries WHERE kind = 'party_registration';

ALTER TABLE registry_entries DROP CONSTRAINT registry_entries_fingerprint_subject_key;
ALTER TABLE registry_entries DROP CONSTRAINT registry_entries_kind_check;
ALTER TABLE registry_entries ADD CONSTRAINT registry_entries_kind_check
    CHECK (kind IN ('receivable', 'bill', 'warehouse_receipt'));
