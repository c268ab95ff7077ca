-- Parties: the merchants, suppliers and core enterprises Lendline serves.
CREATE TABLE parties (
    id UUID PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('merchant', 'supplier', 'core_enterprise')),
    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    registration_number TEXT NOT NULL CHECK (length(registration_number) BETWEEN 1 AND 64),
    country CHAR(2) NOT NULL CHECK (country ~ '^[A-Z]{2}$'),
    sector TEXT NOT NULL CHECK (length(sector) BETWEEN 1 AND 64),
    onboarded_on DATE NOT NULL,
    contact_email TEXT NOT NULL CHECK (contact_email LIKE '%_@_%'),
    currency CHAR(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    store_opened_on DATE,
    returns_rate NUMERIC(7, 6) CHECK (returns_rate BETWEEN 0 AND 1),
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT parties_registration_unique UNIQUE (country, registration_number)
);
CREATE INDEX parties_kind_idx ON parties (kind, id);

-- Monthly sales history, the main input of merchant scoring and credit limits.
CREATE TABLE party_monthly_sales (
    party_id UUID NOT NULL REFERENCES parties (id),
    month DATE NOT NULL CHECK (extract(day FROM month) = 1),
    amount NUMERIC(20, 4) NOT NULL CHECK (amount >= 0),
    PRIMARY KEY (party_id, month)
);
