-- Money records every product shares: the double-entry ledger, the hash-chained audit trail
-- with its checkpoints, and idempotency keys.

-- A trigger function that refuses changes to append-only tables.
CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'restrict_violation';
END $$;

-- ---------------------------------------------------------------- ledger
CREATE TABLE journal_entries (
    id UUID PRIMARY KEY,
    currency CHAR(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    business_date DATE NOT NULL,
    kind TEXT NOT NULL CHECK (kind ~ '^[a-z_]{1,40}$'),
    -- What caused the entry, e.g. 'loan:<id>' or 'factoring:<id>'.
    reference TEXT NOT NULL CHECK (length(reference) BETWEEN 1 AND 200),
    memo TEXT NOT NULL DEFAULT '' CHECK (length(memo) <= 500),
    -- A correction names the entry it reverses; an entry is reversed at most once.
    reverses UUID REFERENCES journal_entries (id),
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (id, currency)
);
CREATE INDEX journal_entries_reference_idx ON journal_entries (reference);
CREATE UNIQUE INDEX journal_entries_reverses_idx ON journal_entries (reverses);

-- Positive amounts are debits, negative amounts credits; an entry's postings sum to zero.
CREATE TABLE postings (
    id BIGSERIAL PRIMARY KEY,
    entry_id UUID NOT NULL,
    currency CHAR(3) NOT NULL,
    account TEXT NOT NULL CHECK (account ~ '^[a-z_]+(:[A-Za-z0-9_.-]+)*$' AND length(account) <= 200),
    amount NUMERIC(20, 4) NOT NULL CHECK (amount <> 0),
    -- The composite key makes a posting in another currency than its entry impossible.
    FOREIGN KEY (entry_id, currency) REFERENCES journal_entries (id, currency)
);
CREATE INDEX postings_entry_idx ON postings (entry_id, currency);
CREATE INDEX postings_account_idx ON postings (account, id);

CREATE FUNCTION check_entry_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    entry UUID;
    total NUMERIC;
    lines BIGINT;
BEGIN
    -- Fields are resolved when a statement runs, so each table's field is read in its own branch.
    IF TG_TABLE_NAME = 'postings' THEN
        entry := NEW.entry_id;
    ELSE
        entry := NEW.id;
    END IF;
    SELECT coalesce(sum(amount), 0), count(*) INTO total, lines FROM postings WHERE entry_id = entry;
    IF lines < 2 OR total <> 0 THEN
        RAISE EXCEPTION 'journal entry % does not balance (% postings, sum %)', entry, lines, total
            USING ERRCODE = 'check_violation', CONSTRAINT = 'journal_entry_balanced';
    END IF;
    RETURN NULL;
END $$;

-- Checked at commit, once every posting of the entry is in.
CREATE CONSTRAINT TRIGGER postings_balanced AFTER INSERT ON postings
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION check_entry_balanced();
CREATE CONSTRAINT TRIGGER journal_entries_balanced AFTER INSERT ON journal_entries
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION check_entry_balanced();

CREATE TRIGGER postings_append_only BEFORE UPDATE OR DELETE ON postings
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER postings_no_truncate BEFORE TRUNCATE ON postings
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
CREATE TRIGGER journal_entries_append_only BEFORE UPDATE OR DELETE ON journal_entries
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER journal_entries_no_truncate BEFORE TRUNCATE ON journal_entries
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

-- O(1) balances, maintained in the same transaction as the postings.
CREATE TABLE account_balances (
    account TEXT NOT NULL,
    currency CHAR(3) NOT NULL,
    balance NUMERIC(20, 4) NOT NULL,
    postings_count BIGINT NOT NULL CHECK (postings_count >= 0),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (account, currency)
);

-- ---------------------------------------------------------------- audit trail
-- One hash chain per aggregate ("chain", e.g. 'party:<id>'), so writers of different
-- aggregates never queue behind one global lock.
CREATE TABLE audit_events (
    id BIGSERIAL PRIMARY KEY,
    chain TEXT NOT NULL CHECK (length(chain) BETWEEN 1 AND 200),
    seq BIGINT NOT NULL CHECK (seq >= 1),
    actor TEXT NOT NULL,
    occurred_at TIMESTAMPTZ NOT NULL,
    action TEXT NOT NULL,
    -- Canonical JSON text (sorted keys), exactly as hashed.
    payload TEXT NOT NULL,
    prev_hash CHAR(64) NOT NULL,
    hash CHAR(64) NOT NULL,
    UNIQUE (chain, seq)
);
CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

-- The newest link of each chain; `checkpointed_seq` is how far checkpoints have covered it.
CREATE TABLE audit_chain_heads (
    chain TEXT PRIMARY KEY,
    seq BIGINT NOT NULL,
    hash CHAR(64) NOT NULL,
    checkpointed_seq BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX audit_chain_heads_pending_idx ON audit_chain_heads (chain) WHERE seq > checkpointed_seq;

-- Checkpoints are themselves chained; each commits to the heads that moved since the last.
CREATE TABLE audit_checkpoints (
    id BIGINT PRIMARY KEY,
    created_at TIMESTAMPTZ NOT NULL,
    heads_digest CHAR(64) NOT NULL,
    chains_covered BIGINT NOT NULL,
    prev_hash CHAR(64) NOT NULL,
    hash CHAR(64) NOT NULL UNIQUE
);
CREATE TABLE audit_checkpoint_heads (
    checkpoint_id BIGINT NOT NULL REFERENCES audit_checkpoints (id),
    chain TEXT NOT NULL,
    seq BIGINT NOT NULL,
    hash CHAR(64) NOT NULL,
    PRIMARY KEY (checkpoint_id, chain)
);
CREATE TRIGGER audit_checkpoints_append_only BEFORE UPDATE OR DELETE ON audit_checkpoints
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER audit_checkpoint_heads_append_only BEFORE UPDATE OR DELETE ON audit_checkpoint_heads
    FOR EACH ROW EXECUTE FUNCTION refuse_change();

-- ---------------------------------------------------------------- idempotency keys
CREATE TABLE idempotency_keys (
    caller TEXT NOT NULL,
    key TEXT NOT NULL CHECK (length(key) BETWEEN 1 AND 200),
    method TEXT NOT NULL,
    path TEXT NOT NULL,
    request_hash CHAR(64) NOT NULL,
    response_status SMALLINT NOT NULL,
    response_body BYTEA NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (caller, key)
);
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);
