ALTER TABLE factoring_request_receivables DROP COLUMN advance_rate;
