-- The email outbox: a message is a row written in the same transaction as the change that
-- causes it, and a worker in the server delivers it later (see api/src/mail/worker.rs).
CREATE TABLE outbox_emails (
    id UUID PRIMARY KEY,
    -- The template that produced the message, e.g. 'welcome'.
    template TEXT NOT NULL CHECK (template ~ '^[a-z_]{1,40}$'),
    -- What caused the message, e.g. 'party:<id>'.
    reference TEXT CHECK (length(reference) BETWEEN 1 AND 200),
    recipient TEXT NOT NULL CHECK (recipient LIKE '%_@_%' AND length(recipient) <= 254),
    subject TEXT NOT NULL CHECK (length(subject) BETWEEN 1 AND 300),
    text_body TEXT NOT NULL,
    html_body TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    -- When a worker may next pick the message up: the retry time after a failure, or the end
    -- of the lease while a worker holds it.
    next_attempt_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    -- Set while a worker holds the message; only that worker may record the outcome.
    lease_id UUID,
    last_error TEXT CHECK (length(last_error) <= 1000),
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    sent_at TIMESTAMPTZ,
    CONSTRAINT outbox_emails_sent_at CHECK ((status = 'sent') = (sent_at IS NOT NULL))
);
-- The worker's queue: due pending messages, oldest first.
CREATE INDEX outbox_emails_due_idx ON outbox_emails (next_attempt_at, id) WHERE status = 'pending';
-- The admin listing: by status, in id (creation) order.
CREATE INDEX outbox_emails_status_idx ON outbox_emails (status, id);
