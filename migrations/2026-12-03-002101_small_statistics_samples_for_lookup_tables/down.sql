-- Back to the default statistics target for the columns the up migration set to 10 (it left
-- the tables Citus had distributed alone, and Citus would refuse the change there).
DO $$
DECLARE
    col record;
BEGIN
    FOR col IN
        SELECT attrelid::regclass AS tab, attname
          FROM pg_attribute
         WHERE attstattarget = 10 AND attnum > 0 AND NOT attisdropped
           AND attrelid = ANY (ARRAY['audit_events', 'audit_chain_heads', 'outbox_emails',
                                     'idempotency_keys', 'credit_decision_evidence']::regclass[])
    LOOP
        IF to_regclass('pg_catalog.pg_dist_partition') IS NOT NULL THEN
            CONTINUE WHEN EXISTS (SELECT 1 FROM pg_dist_partition WHERE logicalrelid = col.tab);
        END IF;
        EXECUTE format('ALTER TABLE %s ALTER COLUMN %I SET STATISTICS -1', col.tab, col.attname);
    END LOOP;
END $$;
