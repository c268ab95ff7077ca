-- The advance rate each receivable of a request was financed at: its own program's, so that a
-- pool spanning several debtors lends on each at that debtor's terms, and the exposure
-- released at settlement is exactly what was reserved. Earlier requests used one rate for the
-- whole request; their receivables keep it.
ALTER TABLE factoring_request_receivables ADD COLUMN advance_rate NUMERIC(9, 6);
UPDATE factoring_request_receivables l
   SET advance_rate = r.advance_rate
  FROM factoring_requests r
 WHERE r.id = l.request_id;
ALTER TABLE factoring_request_receivables
    ALTER COLUMN advance_rate SET NOT NULL,
    ADD CONSTRAINT factoring_request_receivables_rate CHECK (advance_rate > 0 AND advance_rate <= 1);
