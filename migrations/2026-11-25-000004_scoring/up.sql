-- Credit scoring: uploaded scorecard models, which model decides each product (champion) and
-- which one shadows it (challenger), and every credit decision with what it was based on.

-- A model version is immutable once stored: a stored decision names (id, version), and that
-- must always mean the same document, so past decisions stay reproducible.
CREATE TABLE scoring_models (
    id TEXT NOT NULL CHECK (id ~ '^[A-Za-z0-9_.-]{1,100}$'),
    version INTEGER NOT NULL CHECK (version >= 0),
    -- Canonical JSON (sorted keys) of the validated document, exactly as decided with.
    document TEXT NOT NULL,
    document_sha256 CHAR(64) NOT NULL,
    description TEXT NOT NULL CHECK (length(description) <= 2000),
    uploaded_by TEXT NOT NULL,
    uploaded_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (id, version)
);
CREATE TRIGGER scoring_models_immutable BEFORE UPDATE OR DELETE ON scoring_models
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER scoring_models_no_truncate BEFORE TRUNCATE ON scoring_models
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

-- The primary key allows one champion and at most one challenger per product.
CREATE TABLE scoring_assignments (
    product TEXT NOT NULL CHECK (product IN ('stock_up_line', 'factoring', 'bill_discount',
        'installment', 'order_financing', 'inventory_financing')),
    role TEXT NOT NULL CHECK (role IN ('champion', 'challenger')),
    model_id TEXT NOT NULL,
    model_version INTEGER NOT NULL,
    -- Share of applications the challenger also scores, in basis points; a champion scores all.
    challenger_share_bps INTEGER NOT NULL DEFAULT 0
        CHECK (challenger_share_bps BETWEEN 0 AND 10000),
    assigned_by TEXT NOT NULL,
    assigned_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (product, role),
    CONSTRAINT scoring_assignments_champion_share CHECK (role = 'challenger' OR challenger_share_bps = 0),
    FOREIGN KEY (model_id, model_version) REFERENCES scoring_models (id, version)
);
CREATE INDEX scoring_assignments_model_idx ON scoring_assignments (model_id, model_version);

-- Decisions are append-only: what was decided, for whom, by which model. The part a party may
-- see lives here; the model's internals (score, inputs, points, rules) in the evidence table.
CREATE TABLE credit_decisions (
    id UUID PRIMARY KEY,
    party_id UUID NOT NULL REFERENCES parties (id),
    product TEXT NOT NULL CHECK (product IN ('stock_up_line', 'factoring', 'bill_discount',
        'installment', 'order_financing', 'inventory_financing')),
    -- What was decided on, e.g. 'loan_application:<id>'; also the challenger routing key.
    subject TEXT NOT NULL CHECK (length(subject) BETWEEN 1 AND 200),
    model_id TEXT NOT NULL,
    model_version INTEGER NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('approve', 'refer', 'decline')),
    credit_limit NUMERIC(20, 4) NOT NULL CHECK (credit_limit >= 0),
    rate_annual NUMERIC(12, 8) NOT NULL CHECK (rate_annual >= 0),
    currency CHAR(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    reasons JSONB NOT NULL,
    decided_at TIMESTAMPTZ NOT NULL,
    decided_by TEXT NOT NULL,
    -- A challenger's decision: recorded for comparison, never acted on.
    is_shadow BOOLEAN NOT NULL DEFAULT false,
    champion_decision_id UUID REFERENCES credit_decisions (id),
    CONSTRAINT credit_decisions_shadow_has_champion
        CHECK (is_shadow = (champion_decision_id IS NOT NULL)),
    FOREIGN KEY (model_id, model_version) REFERENCES scoring_models (id, version)
);
CREATE INDEX credit_decisions_party_idx ON credit_decisions (party_id, decided_at);
CREATE INDEX credit_decisions_model_idx ON credit_decisions (model_id, model_version);
CREATE INDEX credit_decisions_champion_idx ON credit_decisions (champion_decision_id);
CREATE INDEX credit_decisions_subject_idx ON credit_decisions (subject);
CREATE TRIGGER credit_decisions_append_only BEFORE UPDATE OR DELETE ON credit_decisions
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER credit_decisions_no_truncate BEFORE TRUNCATE ON credit_decisions
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

-- Everything needed to explain and reproduce a decision; staff only.
CREATE TABLE credit_decision_evidence (
    decision_id UUID PRIMARY KEY REFERENCES credit_decisions (id),
    score DOUBLE PRECISION NOT NULL,
    grade TEXT NOT NULL CHECK (grade IN ('A', 'B', 'C', 'D', 'E')),
    probability_of_default DOUBLE PRECISION NOT NULL CHECK (probability_of_default BETWEEN 0 AND 1),
    inputs JSONB NOT NULL,
    feature_points JSONB NOT NULL,
    rules_fired JSONB NOT NULL
);
CREATE TRIGGER credit_decision_evidence_append_only BEFORE UPDATE OR DELETE ON credit_decision_evidence
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER credit_decision_evidence_no_truncate BEFORE TRUNCATE ON credit_decision_evidence
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
