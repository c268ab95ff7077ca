CREATE OR REPLACE FUNCTION refuse_posting_on_closed_day() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM eod_runs WHERE business_date >= NEW.business_date) THEN
        RAISE EXCEPTION 'business day % is closed by end of day', NEW.business_date
            USING ERRCODE = 'check_violation', CONSTRAINT = 'business_day_closed';
    END IF;
    RETURN NEW;
END
$$;
