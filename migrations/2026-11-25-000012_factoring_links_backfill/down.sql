-- Nothing to undo: the backfilled links are true, and the table they live in is dropped by the
-- down migration of 2026-11-25-000009 if that is reverted too.
SELECT 1;
