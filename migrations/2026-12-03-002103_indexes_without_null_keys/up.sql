-- Three indexes back a reference that most rows leave empty: a journal entry reverses another
-- only when it is a reversal, a loan transaction carries a payment reference only when it is
-- a repayment with one, a credit decision names its champion only when it is a challenger's.
-- Every row still took an entry for its NULL: one more index insert (and its WAL) for most
-- draws and applications. Left out, the indexes serve the same lookups and the same rule (a
-- lookup or a foreign key action compares with `=`, which no NULL satisfies; NULLs never
-- collide in a unique index).
DROP INDEX journal_entries_reverses_idx;
CREATE UNIQUE INDEX journal_entries_reverses_idx ON journal_entries (party_id, reverses)
    WHERE reverses IS NOT NULL;
DROP INDEX loan_transactions_reference_idx;
CREATE INDEX loan_transactions_reference_idx ON loan_transactions (reference_fingerprint, id)
    WHERE reference_fingerprint IS NOT NULL;
DROP INDEX credit_decisions_champion_idx;
CREATE INDEX credit_decisions_champion_idx ON credit_decisions (party_id, champion_decision_id)
    WHERE champion_decision_id IS NOT NULL;
