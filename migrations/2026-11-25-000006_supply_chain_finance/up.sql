-- Supply-chain finance: factoring programs and their suppliers, the duplicate-proof registry of
-- receivables and bills, factoring requests (single invoices and pools), debtor payments, and
-- commercial acceptance bills with their endorsement chain and recourse claims.

-- One program per core enterprise: the terms every supplier of that debtor is financed on.
-- `debtor_exposure` is the advance outstanding on the debtor; the row is locked while a request
-- reserves against `debtor_limit`, so concurrent requests cannot overshoot it.
CREATE TABLE factoring_programs (
    id UUID PRIMARY KEY,
    core_enterprise_id UUID NOT NULL REFERENCES parties (id),
    currency CHAR(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    advance_rate NUMERIC(9, 6) NOT NULL CHECK (advance_rate > 0 AND advance_rate <= 1),
    discount_rate_annual NUMERIC(9, 6) NOT NULL CHECK (discount_rate_annual >= 0 AND discount_rate_annual < 1),
    service_fee_rate NUMERIC(9, 6) NOT NULL CHECK (service_fee_rate >= 0 AND service_fee_rate < 1),
    recourse BOOLEAN NOT NULL,
    max_tenor_days INTEGER NOT NULL CHECK (max_tenor_days BETWEEN 1 AND 720),
    grace_days INTEGER NOT NULL CHECK (grace_days BETWEEN 0 AND 365),
    debtor_limit NUMERIC(20, 4) NOT NULL CHECK (debtor_limit > 0),
    supplier_limit NUMERIC(20, 4) NOT NULL CHECK (supplier_limit > 0),
    concentration_limit NUMERIC(9, 6) NOT NULL CHECK (concentration_limit > 0 AND concentration_limit <= 1),
    confirmation_required BOOLEAN NOT NULL,
    debtor_exposure NUMERIC(20, 4) NOT NULL DEFAULT 0
        CHECK (debtor_exposure >= 0 AND debtor_exposure <= debtor_limit),
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT factoring_programs_core_enterprise_unique UNIQUE (core_enterprise_id)
);

-- A supplier's membership of a program, its approved limit and its advance outstanding.
CREATE TABLE program_suppliers (
    program_id UUID NOT NULL REFERENCES factoring_programs (id),
    supplier_id UUID NOT NULL REFERENCES parties (id),
    status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'declined')),
    supplier_limit NUMERIC(20, 4) NOT NULL DEFAULT 0 CHECK (supplier_limit >= 0),
    exposure NUMERIC(20, 4) NOT NULL DEFAULT 0 CHECK (exposure >= 0 AND exposure <= supplier_limit),
    decision TEXT,
    decided_by TEXT,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (program_id, supplier_id)
);
CREATE INDEX program_suppliers_supplier_idx ON program_suppliers (supplier_id);

-- The registry: one row per receivable or bill ever registered, keyed by its fingerprint. The
-- primary key is what makes a second registration of the same paper impossible.
CREATE TABLE registry_entries (
    fingerprint CHAR(64) PRIMARY KEY CHECK (fingerprint ~ '^[0-9a-f]{64}$'),
    kind TEXT NOT NULL CHECK (kind IN ('receivable', 'bill')),
    subject_id UUID NOT NULL UNIQUE,
    encumbered BOOLEAN NOT NULL DEFAULT false,
    registered_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE factoring_requests (
    id UUID PRIMARY KEY,
    supplier_id UUID NOT NULL REFERENCES parties (id),
    kind TEXT NOT NULL CHECK (kind IN ('single', 'pool')),
    state TEXT NOT NULL CHECK (state IN ('funded', 'referred', 'declined', 'closed')),
    currency CHAR(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    face_total NUMERIC(20, 4) NOT NULL CHECK (face_total > 0),
    advance_total NUMERIC(20, 4) NOT NULL CHECK (advance_total >= 0),
    fees_total NUMERIC(20, 4) NOT NULL CHECK (fees_total >= 0),
    -- Pools only: terms, what was drawn (with fees) and is still outstanding, the last base.
    advance_rate NUMERIC(9, 6) NOT NULL,
    concentration_limit NUMERIC(9, 6),
    drawn_outstanding NUMERIC(20, 4) NOT NULL DEFAULT 0 CHECK (drawn_outstanding >= 0),
    borrowing_base NUMERIC(20, 4) NOT NULL DEFAULT 0 CHECK (borrowing_base >= 0),
    overdrawn BOOLEAN NOT NULL DEFAULT false,
    decision TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX factoring_requests_supplier_idx ON factoring_requests (supplier_id, id);

CREATE TABLE receivables (
    id UUID PRIMARY KEY,
    supplier_id UUID NOT NULL REFERENCES parties (id),
    debtor_id UUID NOT NULL REFERENCES parties (id),
    program_id UUID NOT NULL REFERENCES factoring_programs (id),
    invoice_number TEXT NOT NULL CHECK (length(invoice_number) BETWEEN 1 AND 64),
    issue_date DATE NOT NULL,
    due_date DATE NOT NULL CHECK (due_date >= issue_date),
    amount NUMERIC(20, 4) NOT NULL CHECK (amount > 0),
    currency CHAR(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    document_sha256 CHAR(64) CHECK (document_sha256 ~ '^[0-9a-f]{64}$'),
    fingerprint CHAR(64) NOT NULL REFERENCES registry_entries (fingerprint),
    state TEXT NOT NULL CHECK (state IN
        ('submitted', 'confirmed', 'disputed', 'financed', 'settled', 'defaulted', 'cancelled')),
    -- The request that financed it; a single invoice's quote is kept on the request.
    factoring_request_id UUID REFERENCES factoring_requests (id),
    paid_amount NUMERIC(20, 4) CHECK (paid_amount >= 0 AND paid_amount <= amount),
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT receivables_fingerprint_unique UNIQUE (fingerprint),
    CONSTRAINT receivables_financed_has_request
        CHECK (state NOT IN ('financed', 'settled', 'defaulted') OR factoring_request_id IS NOT NULL)
);
CREATE INDEX receivables_supplier_idx ON receivables (supplier_id, id);
CREATE INDEX receivables_debtor_idx ON receivables (debtor_id, id);
CREATE INDEX receivables_program_idx ON receivables (program_id);
CREATE INDEX receivables_request_idx ON receivables (factoring_request_id);

CREATE TABLE bills (
    id UUID PRIMARY KEY,
    bill_number TEXT NOT NULL CHECK (length(bill_number) BETWEEN 1 AND 64),
    drawer_id UUID NOT NULL REFERENCES parties (id),
    acceptor_id UUID NOT NULL REFERENCES parties (id),
    payee_id UUID NOT NULL REFERENCES parties (id),
    -- NULL once the platform holds the bill (after discounting).
    holder_id UUID REFERENCES parties (id),
    face_value NUMERIC(20, 4) NOT NULL CHECK (face_value > 0),
    currency CHAR(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    issue_date DATE NOT NULL,
    maturity_date DATE NOT NULL CHECK (maturity_date > issue_date),
    medium TEXT NOT NULL CHECK (medium IN ('electronic', 'paper')),
    fingerprint CHAR(64) NOT NULL REFERENCES registry_entries (fingerprint),
    state TEXT NOT NULL CHECK (state IN ('registered', 'accepted', 'discounted', 'paid', 'dishonoured')),
    -- Set when discounted: the interest withheld (proceeds = face − interest).
    discount_interest NUMERIC(20, 4) CHECK (discount_interest >= 0 AND discount_interest < face_value),
    decision TEXT,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT bills_fingerprint_unique UNIQUE (fingerprint)
);
CREATE INDEX bills_drawer_idx ON bills (drawer_id);
CREATE INDEX bills_acceptor_idx ON bills (acceptor_id);
CREATE INDEX bills_payee_idx ON bills (payee_id);
CREATE INDEX bills_holder_idx ON bills (holder_id);

CREATE TABLE bill_endorsements (
    bill_id UUID NOT NULL REFERENCES bills (id),
    seq INTEGER NOT NULL CHECK (seq >= 1),
    from_party_id UUID NOT NULL REFERENCES parties (id),
    to_party_id UUID NOT NULL REFERENCES parties (id),
    endorsed_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (bill_id, seq)
);
CREATE INDEX bill_endorsements_from_idx ON bill_endorsements (from_party_id);
CREATE INDEX bill_endorsements_to_idx ON bill_endorsements (to_party_id);

-- Who the platform may claim against after a dishonour: the drawer and every endorser.
CREATE TABLE bill_recourse_claims (
    bill_id UUID NOT NULL REFERENCES bills (id),
    party_id UUID NOT NULL REFERENCES parties (id),
    role TEXT NOT NULL CHECK (role IN ('drawer', 'endorser')),
    amount NUMERIC(20, 4) NOT NULL CHECK (amount > 0),
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (bill_id, party_id)
);
CREATE INDEX bill_recourse_claims_party_idx ON bill_recourse_claims (party_id);
