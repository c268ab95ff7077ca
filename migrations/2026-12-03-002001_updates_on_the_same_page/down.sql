ALTER TABLE idempotency_keys RESET (fillfactor);
ALTER TABLE outbox_emails RESET (fillfactor);
