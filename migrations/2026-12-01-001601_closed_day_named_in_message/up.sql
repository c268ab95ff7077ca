-- The closed-day refusal names its constraint in the message too: a Citus coordinator relays a
-- worker's error with its message but without the constraint field, and the service tells a
-- closed day (409 business_day_closed) from other refusals by that name.
CREATE OR REPLACE FUNCTION refuse_posting_on_closed_day() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM eod_runs WHERE business_date >= NEW.business_date) THEN
        RAISE EXCEPTION 'business day % is closed by end of day: it violates constraint "business_day_closed"',
            NEW.business_date
            USING ERRCODE = 'check_violation', CONSTRAINT = 'business_day_closed';
    END IF;
    RETURN NEW;
END
$$;
