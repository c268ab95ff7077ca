ALTER TABLE orders DROP CONSTRAINT orders_pkey, ADD PRIMARY KEY (id);

ALTER TABLE collateral ADD CONSTRAINT collateral_receipt_key_key UNIQUE (receipt_key);
DROP INDEX collateral_receipt_idx;
ALTER TABLE collateral DROP CONSTRAINT collateral_receipt_fkey;
ALTER TABLE collateral DROP COLUMN receipt_fingerprint;

DROP INDEX collateral_valuations_collateral_idx;
CREATE INDEX collateral_valuations_collateral_idx ON collateral_valuations (collateral_id, id);
ALTER TABLE collateral_valuations DROP CONSTRAINT collateral_valuations_collateral_id_fkey;
ALTER TABLE collateral_valuations DROP CONSTRAINT collateral_valuations_pkey, ADD PRIMARY KEY (id);
ALTER TABLE collateral DROP CONSTRAINT collateral_pkey, ADD PRIMARY KEY (id);
ALTER TABLE collateral_valuations DROP COLUMN merchant_id;
ALTER TABLE collateral_valuations ADD CONSTRAINT collateral_valuations_collateral_id_fkey
    FOREIGN KEY (collateral_id) REFERENCES collateral (id);
