-- Stock-up credit lines and loans, the shared review queue, and the business calendar.

-- Mirrors domain::money::Currency::minor_units, for rounding accruals in set-based SQL.
CREATE FUNCTION minor_units(currency CHAR(3)) RETURNS INT LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN currency IN ('JPY', 'KRW') THEN 0 ELSE 2 END
$$;

-- The business date, separate from the wall clock so the lifecycle can be driven in tests.
CREATE TABLE platform_calendar (
    id BOOLEAN PRIMARY KEY DEFAULT true CHECK (id),
    business_date DATE NOT NULL
);

-- Cases the decision engine referred to a human, for every product.
CREATE TABLE reviews (
    id UUID PRIMARY KEY,
    subject_kind TEXT NOT NULL,
    subject_id UUID NOT NULL,
    party_id UUID NOT NULL REFERENCES parties (id),
    product TEXT NOT NULL,
    amount NUMERIC(20, 4) NOT NULL CHECK (amount > 0),
    currency CHAR(3) NOT NULL,
    engine_decision JSONB NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'claimed', 'awaiting_confirmation', 'approved', 'declined')),
    claimed_by TEXT,
    claimed_at TIMESTAMPTZ,
    outcome TEXT CHECK (outcome IN ('approve', 'decline')),
    approved_amount NUMERIC(20, 4) CHECK (approved_amount > 0),
    approved_rate NUMERIC(9, 6) CHECK (approved_rate >= 0),
    reason_code TEXT,
    private_note TEXT,
    decided_by TEXT,
    decided_at TIMESTAMPTZ,
    confirmed_by TEXT,
    confirmed_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL,
    UNIQUE (subject_kind, subject_id),
    -- Four eyes: the confirming officer is never the deciding one.
    CONSTRAINT reviews_four_eyes CHECK (confirmed_by IS NULL OR confirmed_by <> decided_by)
);
CREATE INDEX reviews_queue_idx ON reviews (status, created_at);
CREATE INDEX reviews_party_idx ON reviews (party_id);

CREATE TABLE credit_line_applications (
    id UUID PRIMARY KEY,
    party_id UUID NOT NULL REFERENCES parties (id),
    currency CHAR(3) NOT NULL,
    requested_limit NUMERIC(20, 4) NOT NULL CHECK (requested_limit > 0),
    purpose TEXT NOT NULL,
    event_name TEXT,
    event_date DATE,
    consent_given_at TIMESTAMPTZ NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('approved', 'declined', 'referred')),
    -- What the merchant may see of the decision: outcome, limit, rate, reason texts.
    decision JSONB NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX credit_line_applications_party_idx ON credit_line_applications (party_id, id);

CREATE TABLE credit_lines (
    id UUID PRIMARY KEY,
    party_id UUID NOT NULL REFERENCES parties (id),
    application_id UUID NOT NULL UNIQUE REFERENCES credit_line_applications (id),
    currency CHAR(3) NOT NULL,
    limit_amount NUMERIC(20, 4) NOT NULL CHECK (limit_amount > 0),
    used_amount NUMERIC(20, 4) NOT NULL DEFAULT 0,
    annual_rate NUMERIC(9, 6) NOT NULL CHECK (annual_rate BETWEEN 0 AND 10),
    max_tenor_days INT NOT NULL CHECK (max_tenor_days BETWEEN 1 AND 366),
    expires_on DATE NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('active', 'frozen', 'closed')),
    frozen_reason TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    -- The limit is never exceeded, whatever the concurrency.
    CONSTRAINT credit_lines_within_limit CHECK (used_amount >= 0 AND used_amount <= limit_amount)
);
CREATE INDEX credit_lines_party_idx ON credit_lines (party_id, id);

CREATE TABLE loans (
    id UUID PRIMARY KEY,
    line_id UUID NOT NULL REFERENCES credit_lines (id),
    party_id UUID NOT NULL REFERENCES parties (id),
    currency CHAR(3) NOT NULL,
    principal NUMERIC(20, 4) NOT NULL CHECK (principal > 0),
    annual_rate NUMERIC(9, 6) NOT NULL CHECK (annual_rate >= 0),
    penalty_rate_daily NUMERIC(12, 10) NOT NULL CHECK (penalty_rate_daily >= 0),
    method TEXT NOT NULL CHECK (method IN ('bullet', 'equal_installments')),
    tenor_days INT NOT NULL CHECK (tenor_days > 0),
    start_date DATE NOT NULL,
    maturity_date DATE NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('active', 'closed', 'written_off')),
    principal_paid NUMERIC(20, 4) NOT NULL DEFAULT 0,
    -- Interest and penalty accrue unrounded; the rounded running total is what the ledger holds.
    interest_accrued_unrounded NUMERIC(30, 12) NOT NULL DEFAULT 0,
    interest_posted NUMERIC(20, 4) NOT NULL DEFAULT 0,
    interest_paid NUMERIC(20, 4) NOT NULL DEFAULT 0,
    penalty_accrued_unrounded NUMERIC(30, 12) NOT NULL DEFAULT 0,
    penalty_posted NUMERIC(20, 4) NOT NULL DEFAULT 0,
    penalty_paid NUMERIC(20, 4) NOT NULL DEFAULT 0,
    -- Interest has been accrued for every day before this date.
    accrued_through DATE NOT NULL,
    dpd INT NOT NULL DEFAULT 0 CHECK (dpd >= 0),
    bucket TEXT NOT NULL DEFAULT 'current' CHECK (bucket IN ('current', '1-30', '31-60', '61-90', '90+')),
    written_off_on DATE,
    recovered NUMERIC(20, 4) NOT NULL DEFAULT 0,
    created_at TIMESTAMPTZ NOT NULL,
    CONSTRAINT loans_paid_within_owed CHECK (
        principal_paid BETWEEN 0 AND principal
        AND interest_paid BETWEEN 0 AND interest_posted
        AND penalty_paid BETWEEN 0 AND penalty_posted)
);
CREATE INDEX loans_line_idx ON loans (line_id);
CREATE INDEX loans_party_idx ON loans (party_id, id);
CREATE INDEX loans_active_idx ON loans (accrued_through) WHERE status = 'active';

CREATE TABLE loan_installments (
    loan_id UUID NOT NULL REFERENCES loans (id),
    number INT NOT NULL CHECK (number >= 1),
    due_date DATE NOT NULL,
    principal NUMERIC(20, 4) NOT NULL CHECK (principal >= 0),
    interest NUMERIC(20, 4) NOT NULL CHECK (interest >= 0),
    -- Scheduled principal due up to and including this installment.
    cum_principal NUMERIC(20, 4) NOT NULL,
    PRIMARY KEY (loan_id, number)
);
CREATE INDEX loan_installments_due_idx ON loan_installments (due_date);

CREATE TABLE loan_transactions (
    id UUID PRIMARY KEY,
    loan_id UUID NOT NULL REFERENCES loans (id),
    kind TEXT NOT NULL CHECK (kind IN ('disbursement', 'repayment', 'write_off', 'recovery')),
    business_date DATE NOT NULL,
    amount NUMERIC(20, 4) NOT NULL CHECK (amount > 0),
    principal NUMERIC(20, 4) NOT NULL DEFAULT 0,
    interest NUMERIC(20, 4) NOT NULL DEFAULT 0,
    penalty NUMERIC(20, 4) NOT NULL DEFAULT 0,
    -- The payer's reference; unique platform-wide so one payment is never booked twice.
    external_reference TEXT UNIQUE,
    journal_entry_id UUID NOT NULL REFERENCES journal_entries (id),
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX loan_transactions_loan_idx ON loan_transactions (loan_id, id);
CREATE INDEX loan_transactions_entry_idx ON loan_transactions (journal_entry_id);

-- One row per business date processed by end of day; a second run for a date is a no-op.
CREATE TABLE eod_runs (
    business_date DATE PRIMARY KEY,
    loans_accrued BIGINT NOT NULL,
    loans_aged BIGINT NOT NULL,
    lines_frozen BIGINT NOT NULL,
    reminders BIGINT NOT NULL,
    finished_at TIMESTAMPTZ NOT NULL
);
