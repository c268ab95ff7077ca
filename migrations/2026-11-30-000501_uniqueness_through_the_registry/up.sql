-- Platform-wide uniqueness through the registry, not through unique indexes: on a cluster
-- distributed by party a unique index must include the party, so "one party per registration
-- number" and "one receivable or bill per fingerprint" cannot be unique indexes of the tenant
-- tables. The registry (a small reference table) holds each such key once, in its primary key;
-- each tenant row names its own registry row, (key, own id), so the key cannot be taken by a
-- second row however it was inserted.

ALTER TABLE registry_entries DROP CONSTRAINT registry_entries_kind_check;
ALTER TABLE registry_entries ADD CONSTRAINT registry_entries_kind_check
    CHECK (kind IN ('receivable', 'bill', 'warehouse_receipt', 'party_registration'));
ALTER TABLE registry_entries ADD CONSTRAINT registry_entries_fingerprint_subject_key
    UNIQUE (fingerprint, subject_id);

-- A party's registration: the hex SHA-256 of
-- "lendline-registry-v1\nparty_registration\n<country>\n<registration number as stored>"
-- (persistence::parties::registration_fingerprint), so the same number in another country is
-- another key, as before.
ALTER TABLE parties ADD COLUMN registration_fingerprint CHAR(64);
UPDATE parties SET registration_fingerprint = encode(sha256(convert_to(
    E'lendline-registry-v1\nparty_registration\n' || country || E'\n' || registration_number,
    'UTF8')), 'hex');
INSERT INTO registry_entries (fingerprint, kind, subject_id, key_version, registered_at)
SELECT registration_fingerprint, 'party_registration', id, 2, created_at FROM parties;
ALTER TABLE parties ALTER COLUMN registration_fingerprint SET NOT NULL;
ALTER TABLE parties ADD CONSTRAINT parties_registration_fkey
    FOREIGN KEY (registration_fingerprint, id) REFERENCES registry_entries (fingerprint, subject_id);
CREATE INDEX parties_registration_idx ON parties (registration_fingerprint, id);
ALTER TABLE parties DROP CONSTRAINT parties_registration_unique;

-- Receivables and bills already register their fingerprint with themselves as subject; the
-- foreign key now says so, and re-keying still carries the new fingerprint over.
ALTER TABLE receivables DROP CONSTRAINT receivables_fingerprint_fkey;
ALTER TABLE receivables ADD CONSTRAINT receivables_fingerprint_fkey
    FOREIGN KEY (fingerprint, id) REFERENCES registry_entries (fingerprint, subject_id)
    ON UPDATE CASCADE;
CREATE INDEX receivables_fingerprint_idx ON receivables (fingerprint, id);
ALTER TABLE receivables DROP CONSTRAINT receivables_fingerprint_unique;

ALTER TABLE bills DROP CONSTRAINT bills_fingerprint_fkey;
ALTER TABLE bills ADD CONSTRAINT bills_fingerprint_fkey
    FOREIGN KEY (fingerprint, id) REFERENCES registry_entries (fingerprint, subject_id)
    ON UPDATE CASCADE;
CREATE INDEX bills_fingerprint_idx ON bills (fingerprint, id);
ALTER TABLE bills DROP CONSTRAINT bills_fingerprint_unique;
