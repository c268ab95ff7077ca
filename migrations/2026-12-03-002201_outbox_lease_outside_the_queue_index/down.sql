DROP INDEX outbox_emails_status_idx;
CREATE INDEX outbox_emails_status_idx ON outbox_emails (status, id);
-- A lease held across the downgrade runs until next_attempt_at again.
UPDATE outbox_emails SET next_attempt_at = leased_until WHERE leased_until IS NOT NULL;
ALTER TABLE outbox_emails DROP COLUMN leased_until;
