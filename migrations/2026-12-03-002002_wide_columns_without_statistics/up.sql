-- Autovacuum analyzes the tables a peak fills about once a minute, and the sample's widest
-- columns (audit payloads and hashes, email bodies, stored answers, scoring evidence) cost
-- most of it: measured, ANALYZE of 35,000 audit events 265 -> 165 ms, of as many emails
-- 241 -> 135 ms without them. No query filters or joins on these columns, so the planner
-- never uses their statistics; a target of 0 makes ANALYZE skip them.
--
-- Citus refuses ALTER COLUMN ... SET STATISTICS on a distributed table, so a table it has
-- already distributed (a database migrated before this release) keeps its statistics; a
-- new database is migrated before it is distributed, and gets the change everywhere.
DO $$
DECLARE
    wide CONSTANT text[][] := ARRAY[
        ['audit_events', 'payload'], ['audit_events', 'prev_hash'], ['audit_events', 'hash'],
        ['outbox_emails', 'subject'], ['outbox_emails', 'text_body'],
        ['outbox_emails', 'html_body'],
        ['idempotency_keys', 'request_hash'], ['idempotency_keys', 'response_body'],
        ['credit_decision_evidence', 'inputs'],
        ['credit_decision_evidence', 'feature_points'],
        ['credit_decision_evidence', 'rules_fired']];
    pair text[];
    distributed boolean;
BEGIN
    FOREACH pair SLICE 1 IN ARRAY wide LOOP
        distributed := false;
        IF to_regclass('pg_catalog.pg_dist_partition') IS NOT NULL THEN
            EXECUTE 'SELECT EXISTS (SELECT 1 FROM pg_dist_partition WHERE logicalrelid = $1::regclass)'
               INTO distributed USING pair[1];
        END IF;
        IF NOT distributed THEN
            EXECUTE format('ALTER TABLE %I ALTER COLUMN %I SET STATISTICS 0', pair[1], pair[2]);
        END IF;
    END LOOP;
END $$;
