-- Pledged goods, their valuations and orders keyed by the merchant that owns them, and a
-- warehouse receipt's platform-wide uniqueness kept by the registry (where receipts already
-- are, with the goods as subject) instead of a unique index a merchant-distributed table could
-- not keep: the goods name their own registry row, so a receipt cannot back two pledges.

ALTER TABLE collateral_valuations DROP CONSTRAINT collateral_valuations_collateral_id_fkey;
ALTER TABLE collateral_valuations ADD COLUMN merchant_id UUID;
UPDATE collateral_valuations v SET merchant_id = c.merchant_id FROM collateral c WHERE c.id = v.collateral_id;
ALTER TABLE collateral_valuations ALTER COLUMN merchant_id SET NOT NULL;

ALTER TABLE collateral DROP CONSTRAINT collateral_pkey, ADD PRIMARY KEY (merchant_id, id);
ALTER TABLE collateral_valuations DROP CONSTRAINT collateral_valuations_pkey,
    ADD PRIMARY KEY (merchant_id, id);
ALTER TABLE collateral_valuations ADD CONSTRAINT collateral_valuations_collateral_id_fkey
    FOREIGN KEY (merchant_id, collateral_id) REFERENCES collateral (merchant_id, id);
DROP INDEX collateral_valuations_collateral_idx;
CREATE INDEX collateral_valuations_collateral_idx
    ON collateral_valuations (merchant_id, collateral_id, id);

ALTER TABLE collateral ADD COLUMN receipt_fingerprint CHAR(64);
UPDATE collateral c SET receipt_fingerprint = e.fingerprint
  FROM registry_entries e WHERE e.subject_id = c.id AND e.kind = 'warehouse_receipt';
ALTER TABLE collateral ALTER COLUMN receipt_fingerprint SET NOT NULL;
ALTER TABLE collateral ADD CONSTRAINT collateral_receipt_fkey
    FOREIGN KEY (receipt_fingerprint, id) REFERENCES registry_entries (fingerprint, subject_id)
    ON UPDATE CASCADE;
CREATE INDEX collateral_receipt_idx ON collateral (receipt_fingerprint, id);
ALTER TABLE collateral DROP CONSTRAINT collateral_receipt_key_key;

ALTER TABLE orders DROP CONSTRAINT orders_pkey, ADD PRIMARY KEY (merchant_id, id);
