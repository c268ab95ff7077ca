-- The concentration limit each pool receivable's debtor was financed under. Pools created
-- before per-debtor terms were decided with one limit (the lowest among their programs) for
-- every debtor; they keep it, so a revaluation never loosens what was approved.
ALTER TABLE factoring_request_receivables ADD COLUMN concentration_limit NUMERIC(9, 6)
    CHECK (concentration_limit > 0 AND concentration_limit <= 1);
UPDATE factoring_request_receivables l
   SET concentration_limit = r.concentration_limit
  FROM factoring_requests r
 WHERE r.id = l.request_id AND r.kind = 'pool';
