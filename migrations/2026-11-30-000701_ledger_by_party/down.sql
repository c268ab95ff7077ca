DROP INDEX account_balances_account_idx;
ALTER TABLE account_balances DROP CONSTRAINT account_balances_pkey;
DELETE FROM account_balances;
ALTER TABLE account_balances DROP COLUMN party_id;
INSERT INTO account_balances (account, currency, balance, postings_count, shard)
SELECT account, currency, sum(amount), count(*), 0 FROM postings GROUP BY account, currency;
ALTER TABLE account_balances ADD PRIMARY KEY (account, currency, shard);

CREATE FUNCTION assert_entry_balanced(entry UUID) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    total NUMERIC;
    lines BIGINT;
BEGIN
    SELECT coalesce(sum(amount), 0), count(*) INTO total, lines FROM postings WHERE entry_id = entry;
    IF lines < 2 OR total <> 0 THEN
        RAISE EXCEPTION 'journal entry % does not balance (% postings, sum %)', entry, lines, total
            USING ERRCODE = 'check_violation', CONSTRAINT = 'journal_entry_balanced';
    END IF;
END $$;
CREATE OR REPLACE FUNCTION check_posting_entry_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM assert_entry_balanced(NEW.entry_id);
    RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION check_journal_entry_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM assert_entry_balanced(NEW.id);
    RETURN NULL;
END $$;
DROP FUNCTION assert_party_entry_balanced(UUID, UUID);

DROP INDEX loan_transactions_entry_idx;
CREATE INDEX loan_transactions_entry_idx ON loan_transactions (journal_entry_id);
ALTER TABLE loan_transactions DROP CONSTRAINT loan_transactions_journal_entry_id_fkey;
DROP INDEX postings_entry_idx;
CREATE INDEX postings_entry_idx ON postings (entry_id, currency);
ALTER TABLE postings DROP CONSTRAINT postings_entry_id_currency_fkey;
ALTER TABLE postings DROP CONSTRAINT postings_pkey, ADD PRIMARY KEY (id);
ALTER TABLE journal_entries DROP CONSTRAINT journal_entries_reverses_fkey;
DROP INDEX journal_entries_reverses_idx;
ALTER TABLE journal_entries DROP CONSTRAINT journal_entries_id_currency_key;
ALTER TABLE journal_entries DROP CONSTRAINT journal_entries_pkey, ADD PRIMARY KEY (id);
ALTER TABLE journal_entries ADD CONSTRAINT journal_entries_id_currency_key UNIQUE (id, currency);
CREATE UNIQUE INDEX journal_entries_reverses_idx ON journal_entries (reverses);
ALTER TABLE journal_entries ADD CONSTRAINT journal_entries_reverses_fkey
    FOREIGN KEY (reverses) REFERENCES journal_entries (id);
ALTER TABLE postings ADD CONSTRAINT postings_entry_id_currency_fkey
    FOREIGN KEY (entry_id, currency) REFERENCES journal_entries (id, currency);
ALTER TABLE loan_transactions ADD CONSTRAINT loan_transactions_journal_entry_id_fkey
    FOREIGN KEY (journal_entry_id) REFERENCES journal_entries (id);

ALTER TABLE postings DROP COLUMN party_id;
ALTER TABLE journal_entries DROP COLUMN party_id;
