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

DROP TRIGGER postings_balanced ON postings;
DROP TRIGGER journal_entries_balanced ON journal_entries;
CREATE CONSTRAINT TRIGGER postings_balanced AFTER INSERT ON postings
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION check_entry_balanced();
CREATE CONSTRAINT TRIGGER journal_entries_balanced AFTER INSERT ON journal_entries
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION check_entry_balanced();
DROP FUNCTION check_journal_entry_balanced();
DROP FUNCTION check_posting_entry_balanced();
DROP FUNCTION assert_entry_balanced(UUID);

DROP TRIGGER postings_append_only ON postings;
CREATE TRIGGER postings_append_only BEFORE UPDATE OR DELETE ON postings
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
DROP TRIGGER postings_no_truncate ON postings;
CREATE TRIGGER postings_no_truncate BEFORE TRUNCATE ON postings
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
DROP TRIGGER journal_entries_append_only ON journal_entries;
CREATE TRIGGER journal_entries_append_only BEFORE UPDATE OR DELETE ON journal_entries
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
DROP TRIGGER journal_entries_no_truncate ON journal_entries;
CREATE TRIGGER journal_entries_no_truncate BEFORE TRUNCATE ON journal_entries
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
DROP TRIGGER audit_events_append_only ON audit_events;
CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
DROP TRIGGER audit_events_no_truncate ON audit_events;
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
DROP TRIGGER audit_checkpoints_append_only ON audit_checkpoints;
CREATE TRIGGER audit_checkpoints_append_only BEFORE UPDATE OR DELETE ON audit_checkpoints
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
DROP TRIGGER audit_checkpoint_heads_append_only ON audit_checkpoint_heads;
CREATE TRIGGER audit_checkpoint_heads_append_only BEFORE UPDATE OR DELETE ON audit_checkpoint_heads
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
DROP TRIGGER scoring_models_immutable ON scoring_models;
CREATE TRIGGER scoring_models_immutable BEFORE UPDATE OR DELETE ON scoring_models
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
DROP TRIGGER scoring_models_no_truncate ON scoring_models;
CREATE TRIGGER scoring_models_no_truncate BEFORE TRUNCATE ON scoring_models
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
DROP TRIGGER credit_decisions_append_only ON credit_decisions;
CREATE TRIGGER credit_decisions_append_only BEFORE UPDATE OR DELETE ON credit_decisions
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
DROP TRIGGER credit_decisions_no_truncate ON credit_decisions;
CREATE TRIGGER credit_decisions_no_truncate BEFORE TRUNCATE ON credit_decisions
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
DROP TRIGGER credit_decision_evidence_append_only ON credit_decision_evidence;
CREATE TRIGGER credit_decision_evidence_append_only BEFORE UPDATE OR DELETE ON credit_decision_evidence
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
DROP TRIGGER credit_decision_evidence_no_truncate ON credit_decision_evidence;
CREATE TRIGGER credit_decision_evidence_no_truncate BEFORE TRUNCATE ON credit_decision_evidence
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

CREATE OR REPLACE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'restrict_violation';
END $$;
