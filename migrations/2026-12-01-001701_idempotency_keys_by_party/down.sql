ALTER TABLE idempotency_keys DROP CONSTRAINT idempotency_keys_pkey;
ALTER TABLE idempotency_keys ADD PRIMARY KEY (caller, key);
ALTER TABLE idempotency_keys DROP COLUMN party_id;
