ALTER TABLE loans RESET (fillfactor);
CREATE INDEX loans_active_idx ON loans (accrued_through) WHERE status = 'active';
