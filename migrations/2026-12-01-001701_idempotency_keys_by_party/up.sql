-- An idempotency key lives with the party its caller acts for, so that on a cluster distributed
-- by party the key and the request's effect commit on one shard. Staff and financiers act for
-- the platform (the nil party).
ALTER TABLE idempotency_keys ADD COLUMN party_id UUID;

-- A business caller is stored as "<role>:<party id>"; any other caller, or a party id in a
-- form the cast below does not take, is the platform's. The regular expression accepts only
-- what the cast accepts, so the backfill cannot fail on a stored row.
UPDATE idempotency_keys
   SET party_id = CASE
       WHEN caller ~* '^(merchant|supplier|core_enterprise|shopper):\{?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{32})\}?$'
       THEN split_part(caller, ':', 2)::uuid
       ELSE '00000000-0000-0000-0000-000000000000'::uuid
   END;

ALTER TABLE idempotency_keys ALTER COLUMN party_id SET NOT NULL;
ALTER TABLE idempotency_keys DROP CONSTRAINT idempotency_keys_pkey;
ALTER TABLE idempotency_keys ADD PRIMARY KEY (party_id, caller, key);
