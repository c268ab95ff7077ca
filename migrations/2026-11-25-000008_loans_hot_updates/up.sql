-- End of day rewrites every active loan's accrual columns each night. Leaving room in each page
-- and indexing none of those columns lets PostgreSQL update in place (HOT), without touching
-- any index; the partial index on accrued_through was not used by any query.
DROP INDEX loans_active_idx;
ALTER TABLE loans SET (fillfactor = 70);
