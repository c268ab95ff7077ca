-- What each factoring request asked to finance. A referred request keeps its receivables
-- "pending" until a risk officer decides, and a receivable can wait in only one referral at a
-- time, so a supplier cannot queue one invoice in two reviews and have both approved.
CREATE TABLE factoring_request_receivables (
    request_id UUID NOT NULL REFERENCES factoring_requests (id),
    receivable_id UUID NOT NULL REFERENCES receivables (id),
    pending BOOLEAN NOT NULL,
    PRIMARY KEY (request_id, receivable_id)
);
CREATE INDEX factoring_request_receivables_receivable_idx
    ON factoring_request_receivables (receivable_id);
CREATE UNIQUE INDEX factoring_request_receivables_one_pending
    ON factoring_request_receivables (receivable_id) WHERE pending;

-- A bill discount the scoring engine referred: the review case's subject. At most one waits per
-- bill; while it waits the bill can be neither endorsed nor offered for discount again.
CREATE TABLE bill_discount_referrals (
    id UUID PRIMARY KEY,
    bill_id UUID NOT NULL REFERENCES bills (id),
    holder_id UUID NOT NULL REFERENCES parties (id),
    state TEXT NOT NULL CHECK (state IN ('referred', 'approved', 'declined')),
    decision TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    decided_at TIMESTAMPTZ
);
CREATE INDEX bill_discount_referrals_bill_idx ON bill_discount_referrals (bill_id);
CREATE INDEX bill_discount_referrals_holder_idx ON bill_discount_referrals (holder_id);
CREATE UNIQUE INDEX bill_discount_referrals_one_waiting
    ON bill_discount_referrals (bill_id) WHERE state = 'referred';
