-- Triggers that do not depend on the name of the table they fire on: on a Citus worker the
-- table is a shard (`postings_102008`), so a branch on TG_TABLE_NAME takes the wrong arm and a
-- message naming it names the shard. The append-only guard takes the table's name as its
-- argument; the balance check has one function per table, both calling one helper.

CREATE OR REPLACE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_ARGV[0], TG_OP
        USING ERRCODE = 'restrict_violation';
END $$;

DROP TRIGGER postings_append_only ON postings;
CREATE TRIGGER postings_append_only BEFORE UPDATE OR DELETE ON postings
    FOR EACH ROW EXECUTE FUNCTION refuse_change('postings');
DROP TRIGGER postings_no_truncate ON postings;
CREATE TRIGGER postings_no_truncate BEFORE TRUNCATE ON postings
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change('postings');
DROP TRIGGER journal_entries_append_only ON journal_entries;
CREATE TRIGGER journal_entries_append_only BEFORE UPDATE OR DELETE ON journal_entries
    FOR EACH ROW EXECUTE FUNCTION refuse_change('journal_entries');
DROP TRIGGER journal_entries_no_truncate ON journal_entries;
CREATE TRIGGER journal_entries_no_truncate BEFORE TRUNCATE ON journal_entries
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change('journal_entries');
DROP TRIGGER audit_events_append_only ON audit_events;
CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION refuse_change('audit_events');
DROP TRIGGER audit_events_no_truncate ON audit_events;
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change('audit_events');
DROP TRIGGER audit_checkpoints_append_only ON audit_checkpoints;
CREATE TRIGGER audit_checkpoints_append_only BEFORE UPDATE OR DELETE ON audit_checkpoints
    FOR EACH ROW EXECUTE FUNCTION refuse_change('audit_checkpoints');
DROP TRIGGER audit_checkpoint_heads_append_only ON audit_checkpoint_heads;
CREATE TRIGGER audit_checkpoint_heads_append_only BEFORE UPDATE OR DELETE ON audit_checkpoint_heads
    FOR EACH ROW EXECUTE FUNCTION refuse_change('audit_checkpoint_heads');
DROP TRIGGER scoring_models_immutable ON scoring_models;
CREATE TRIGGER scoring_models_immutable BEFORE UPDATE OR DELETE ON scoring_models
    FOR EACH ROW EXECUTE FUNCTION refuse_change('scoring_models');
DROP TRIGGER scoring_models_no_truncate ON scoring_models;
CREATE TRIGGER scoring_models_no_truncate BEFORE TRUNCATE ON scoring_models
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change('scoring_models');
DROP TRIGGER credit_decisions_append_only ON credit_decisions;
CREATE TRIGGER credit_decisions_append_only BEFORE UPDATE OR DELETE ON credit_decisions
    FOR EACH ROW EXECUTE FUNCTION refuse_change('credit_decisions');
DROP TRIGGER credit_decisions_no_truncate ON credit_decisions;
CREATE TRIGGER credit_decisions_no_truncate BEFORE TRUNCATE ON credit_decisions
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change('credit_decisions');
DROP TRIGGER credit_decision_evidence_append_only ON credit_decision_evidence;
CREATE TRIGGER credit_decision_evidence_append_only BEFORE UPDATE OR DELETE ON credit_decision_evidence
    FOR EACH ROW EXECUTE FUNCTION refuse_change('credit_decision_evidence');
DROP TRIGGER credit_decision_evidence_no_truncate ON credit_decision_evidence;
CREATE TRIGGER credit_decision_evidence_no_truncate BEFORE TRUNCATE ON credit_decision_evidence
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change('credit_decision_evidence');

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

CREATE FUNCTION check_posting_entry_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM assert_entry_balanced(NEW.entry_id);
    RETURN NULL;
END $$;

CREATE FUNCTION check_journal_entry_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM assert_entry_balanced(NEW.id);
    RETURN NULL;
END $$;

DROP TRIGGER postings_balanced ON postings;
DROP TRIGGER journal_entries_balanced ON journal_entries;
CREATE CONSTRAINT TRIGGER postings_balanced AFTER INSERT ON postings
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION check_posting_entry_balanced();
CREATE CONSTRAINT TRIGGER journal_entries_balanced AFTER INSERT ON journal_entries
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION check_journal_entry_balanced();
DROP FUNCTION check_entry_balanced();
