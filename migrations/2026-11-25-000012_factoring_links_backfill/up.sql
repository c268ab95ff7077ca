-- Requests funded before factoring_request_receivables existed: their receivables name them.
-- (A request referred before then cannot be recovered: it never stored what it asked for, so
-- its review can only decline it.)
INSERT INTO factoring_request_receivables (request_id, receivable_id, pending)
SELECT factoring_request_id, id, false
  FROM receivables
 WHERE factoring_request_id IS NOT NULL
ON CONFLICT DO NOTHING;
