ALTER TABLE idempotency_keys SET (fillfactor = 60);
