-- Every email queued at the peak was rewritten twice with all its index entries: a worker's
-- claim moved `next_attempt_at` (a key of the due index) to the end of its lease, and the
-- delivery moved `status` (a key of the status index and the due index's condition). Neither
-- could be a HOT update, so each added an entry to every index the new version belonged to:
-- five index inserts an email, about a tenth of a decision's at the peak.
--
-- The lease now has a column of its own that no index reads, so a claim (and a release) is a
-- HOT update beside the old version (the page keeps room for it: fillfactor 50), logged as
-- the bytes that changed. The admin listing's index leaves out sent messages, which are
-- nearly all of them and are listed through the primary key; a delivery then adds only the
-- primary key's entry. Measured with pg_stat_statements over a 20 s peak ceiling: the
-- outbox's statements 0.122 -> 0.078 ms of PostgreSQL time per email, a claim's WAL 7.8 -> 4.3
-- KB (18 emails a claim), 89 % of claims HOT. The outbox lives on a Citus coordinator alone.

-- Upgrading: a server from before this change does not read leased_until, and may claim a
-- message a new server holds; delivery is at least once with the same Message-ID, so that is
-- a duplicate at worst, but stop the old servers before the new ones start their workers.

-- Set with lease_id while a worker holds the message: until then no other worker claims it.
-- next_attempt_at is now only when the message is due (at once, or its retry time).
ALTER TABLE outbox_emails ADD COLUMN leased_until TIMESTAMPTZ;
-- Leases held across the upgrade ran until next_attempt_at.
UPDATE outbox_emails SET leased_until = next_attempt_at WHERE lease_id IS NOT NULL;
DROP INDEX outbox_emails_status_idx;
CREATE INDEX outbox_emails_status_idx ON outbox_emails (status, id) WHERE status <> 'sent';
