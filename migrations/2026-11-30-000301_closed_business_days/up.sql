-- Money never moves on a business day that end of day has closed: accrual, aging and reminders
-- of that day are final, so a posting dated on it (a repayment, a write-off, a recovery, a
-- settlement dated back) would leave the day's figures wrong. End of day itself posts its
-- accruals before it records the day as closed, and then moves the business date on.
CREATE FUNCTION refuse_posting_on_closed_day() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM eod_runs WHERE business_date >= NEW.business_date) THEN
        RAISE EXCEPTION 'business day % is closed by end of day', NEW.business_date
            USING ERRCODE = 'check_violation', CONSTRAINT = 'business_day_closed';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER journal_entries_on_open_days
    BEFORE INSERT ON journal_entries
    FOR EACH ROW EXECUTE FUNCTION refuse_posting_on_closed_day();
