-- The tables a peak fills fastest are read by key (audit trails and chain heads, idempotency
-- keys, scoring evidence; emails also by status and due time, through their indexes), yet autovacuum analyzes each of them every time
-- it grows by a tenth, sampling 30,000 rows (300 times the default target of 100): right after
-- a spike, a second or two of a core while the server is still catching up. A target of 10
-- samples 3,000 rows, plenty for plans that are index lookups. Measured on a quick benchmark
-- run's database (60,000 rows each): ANALYZE of audit_events 150-235 -> 19-27 ms, of
-- outbox_emails 193-216 -> 28-33 ms, of idempotency_keys 169-326 -> 25-26 ms.
--
-- The columns the previous migration set to 0 stay at 0. As there, Citus refuses ALTER COLUMN
-- ... SET STATISTICS on a distributed table: a table it has already distributed keeps its
-- targets; a new database is migrated before it is distributed.
DO $$
DECLARE
    col record;
BEGIN
    FOR col IN
        SELECT a.attrelid::regclass AS tab, a.attname
          FROM pg_attribute a
         WHERE a.attstattarget IS DISTINCT FROM 0 AND a.attnum > 0 AND NOT a.attisdropped
           AND a.attrelid = ANY (ARRAY['audit_events', 'audit_chain_heads', 'outbox_emails',
                                       'idempotency_keys', 'credit_decision_evidence']::regclass[])
    LOOP
        IF to_regclass('pg_catalog.pg_dist_partition') IS NOT NULL THEN
            CONTINUE WHEN EXISTS (SELECT 1 FROM pg_dist_partition WHERE logicalrelid = col.tab);
        END IF;
        EXECUTE format('ALTER TABLE %s ALTER COLUMN %I SET STATISTICS 10', col.tab, col.attname);
    END LOOP;
END $$;
