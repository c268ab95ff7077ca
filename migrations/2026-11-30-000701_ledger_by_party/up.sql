-- The ledger keyed by party: a journal entry belongs to the party whose business it books (the
-- borrower of a loan, the supplier of an advance, the acceptor of a bill), and its postings and
-- the balance rows they move carry that party too, so on a cluster distributed by party an
-- entry commits on its owner's shard. Entries that belong to no one party (end of day's
-- aggregate accrual, platform bookings) belong to the platform: the nil UUID
-- (persistence::ledger::PLATFORM). A platform-wide account keeps a balance row per party
-- (summed on read, as its shard rows already were).

ALTER TABLE journal_entries DISABLE TRIGGER journal_entries_append_only;
ALTER TABLE postings DISABLE TRIGGER postings_append_only;

-- Entries stored before: a loan's by its borrower, everything else the platform's.
ALTER TABLE journal_entries ADD COLUMN party_id UUID NOT NULL
    DEFAULT '00000000-0000-0000-0000-000000000000';
ALTER TABLE journal_entries ALTER COLUMN party_id DROP DEFAULT;
UPDATE journal_entries e SET party_id = l.party_id FROM loans l WHERE e.reference = 'loan:' || l.id;
UPDATE journal_entries e SET party_id = t.party_id
  FROM loan_transactions t WHERE t.journal_entry_id = e.id AND e.party_id <> t.party_id;
ALTER TABLE postings ADD COLUMN party_id UUID;
UPDATE postings p SET party_id = e.party_id FROM journal_entries e WHERE e.id = p.entry_id;
ALTER TABLE postings ALTER COLUMN party_id SET NOT NULL;

ALTER TABLE journal_entries ENABLE TRIGGER journal_entries_append_only;
ALTER TABLE postings ENABLE TRIGGER postings_append_only;

ALTER TABLE postings DROP CONSTRAINT postings_entry_id_currency_fkey;
ALTER TABLE loan_transactions DROP CONSTRAINT loan_transactions_journal_entry_id_fkey;
ALTER TABLE journal_entries DROP CONSTRAINT journal_entries_reverses_fkey;
DROP INDEX journal_entries_reverses_idx;
ALTER TABLE journal_entries DROP CONSTRAINT journal_entries_id_currency_key;
ALTER TABLE journal_entries DROP CONSTRAINT journal_entries_pkey, ADD PRIMARY KEY (party_id, id);
ALTER TABLE journal_entries ADD CONSTRAINT journal_entries_id_currency_key
    UNIQUE (party_id, id, currency);
-- A correction is its original's party's, and reverses it at most once.
CREATE UNIQUE INDEX journal_entries_reverses_idx ON journal_entries (party_id, reverses);
ALTER TABLE journal_entries ADD CONSTRAINT journal_entries_reverses_fkey
    FOREIGN KEY (party_id, reverses) REFERENCES journal_entries (party_id, id);
ALTER TABLE postings DROP CONSTRAINT postings_pkey, ADD PRIMARY KEY (party_id, id);
ALTER TABLE postings ADD CONSTRAINT postings_entry_id_currency_fkey
    FOREIGN KEY (party_id, entry_id, currency) REFERENCES journal_entries (party_id, id, currency);
DROP INDEX postings_entry_idx;
CREATE INDEX postings_entry_idx ON postings (party_id, entry_id, currency);
ALTER TABLE loan_transactions ADD CONSTRAINT loan_transactions_journal_entry_id_fkey
    FOREIGN KEY (party_id, journal_entry_id) REFERENCES journal_entries (party_id, id);
DROP INDEX loan_transactions_entry_idx;
CREATE INDEX loan_transactions_entry_idx ON loan_transactions (party_id, journal_entry_id);

-- The balance check reads the entry's postings on its party's shard.
CREATE FUNCTION assert_party_entry_balanced(party UUID, entry UUID) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    total NUMERIC;
    lines BIGINT;
BEGIN
    SELECT coalesce(sum(amount), 0), count(*) INTO total, lines
      FROM postings WHERE party_id = party AND entry_id = entry;
    IF lines < 2 OR total <> 0 THEN
        RAISE EXCEPTION 'journal entry % does not balance (% postings, sum %)', entry, lines, total
            USING ERRCODE = 'check_violation', CONSTRAINT = 'journal_entry_balanced';
    END IF;
END $$;
CREATE OR REPLACE FUNCTION check_posting_entry_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM assert_party_entry_balanced(NEW.party_id, NEW.entry_id);
    RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION check_journal_entry_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM assert_party_entry_balanced(NEW.party_id, NEW.id);
    RETURN NULL;
END $$;
DROP FUNCTION assert_entry_balanced(UUID);

-- Balances per party, rebuilt from the postings (which they always equal).
ALTER TABLE account_balances ADD COLUMN party_id UUID;
DELETE FROM account_balances;
INSERT INTO account_balances (party_id, account, currency, balance, postings_count, shard)
SELECT party_id, account, currency, sum(amount), count(*), 0
  FROM postings GROUP BY party_id, account, currency;
ALTER TABLE account_balances ALTER COLUMN party_id SET NOT NULL;
ALTER TABLE account_balances DROP CONSTRAINT account_balances_pkey,
    ADD PRIMARY KEY (party_id, account, currency, shard);
CREATE INDEX account_balances_account_idx ON account_balances (account, currency);
