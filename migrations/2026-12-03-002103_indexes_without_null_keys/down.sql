DROP INDEX journal_entries_reverses_idx;
CREATE UNIQUE INDEX journal_entries_reverses_idx ON journal_entries (party_id, reverses);
DROP INDEX loan_transactions_reference_idx;
CREATE INDEX loan_transactions_reference_idx ON loan_transactions (reference_fingerprint, id);
DROP INDEX credit_decisions_champion_idx;
CREATE INDEX credit_decisions_champion_idx ON credit_decisions (party_id, champion_decision_id);
