-- An idempotency key's row is now written once, with its answer (it was inserted as a
-- placeholder when claimed and updated with the answer), so the room 2026-12-03-002001 left in
-- each page for that update's new version is no longer needed: full pages hold 40 % more keys.
-- Citus applies SET (...) to a distributed table's shards.
ALTER TABLE idempotency_keys RESET (fillfactor);
