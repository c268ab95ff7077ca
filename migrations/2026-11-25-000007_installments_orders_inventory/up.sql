-- Installment plans at checkout, order financing and inventory financing. All three reuse the
-- loans table (and with it repayment, allocation, accrual and aging); what is particular to a
-- product lives in its own table keyed by the loan.

-- Shoppers are consumer parties (registration_number holds a national-id-like reference).
ALTER TABLE parties DROP CONSTRAINT parties_kind_check;
ALTER TABLE parties ADD CONSTRAINT parties_kind_check
    CHECK (kind IN ('merchant', 'supplier', 'core_enterprise', 'shopper'));

-- Loans: which product, no credit line for the new products, and fees per installment.
ALTER TABLE loans ADD COLUMN product TEXT NOT NULL DEFAULT 'stock_up'
    CHECK (product IN ('stock_up', 'installment', 'order_financing', 'inventory_financing'));
ALTER TABLE loans ALTER COLUMN line_id DROP NOT NULL;
ALTER TABLE loans ADD CONSTRAINT loans_line_for_stock_up
    CHECK ((product = 'stock_up') = (line_id IS NOT NULL));
-- A full refund brings an installment plan's principal to zero.
ALTER TABLE loans DROP CONSTRAINT loans_principal_check;
ALTER TABLE loans ADD CONSTRAINT loans_principal_check CHECK (principal >= 0);
-- Fees become receivable when their installment falls due (never before), like interest.
ALTER TABLE loans ADD COLUMN fees_posted NUMERIC(20, 4) NOT NULL DEFAULT 0;
ALTER TABLE loans ADD COLUMN fees_paid NUMERIC(20, 4) NOT NULL DEFAULT 0;
ALTER TABLE loans ADD CONSTRAINT loans_fees_paid_within_posted
    CHECK (fees_paid BETWEEN 0 AND fees_posted);
CREATE INDEX loans_product_idx ON loans (product, party_id, id);

ALTER TABLE loan_installments ADD COLUMN fee NUMERIC(20, 4) NOT NULL DEFAULT 0 CHECK (fee >= 0);

ALTER TABLE loan_transactions ADD COLUMN fee NUMERIC(20, 4) NOT NULL DEFAULT 0;
ALTER TABLE loan_transactions DROP CONSTRAINT loan_transactions_kind_check;
ALTER TABLE loan_transactions ADD CONSTRAINT loan_transactions_kind_check
    CHECK (kind IN ('disbursement', 'repayment', 'write_off', 'recovery', 'refund'));

-- The plans a merchant offers at checkout.
CREATE TABLE installment_offers (
    id UUID PRIMARY KEY,
    merchant_id UUID NOT NULL REFERENCES parties (id),
    currency CHAR(3) NOT NULL,
    installments INT NOT NULL CHECK (installments IN (3, 6, 12)),
    payer TEXT NOT NULL CHECK (payer IN ('shopper', 'merchant')),
    -- Shopper-paid plans: fee per period as a share of the purchase.
    fee_rate_per_period NUMERIC(9, 6) NOT NULL CHECK (fee_rate_per_period >= 0),
    min_purchase NUMERIC(20, 4) NOT NULL CHECK (min_purchase > 0),
    max_purchase NUMERIC(20, 4) NOT NULL,
    active BOOLEAN NOT NULL DEFAULT true,
    created_at TIMESTAMPTZ NOT NULL,
    CHECK (max_purchase >= min_purchase),
    CHECK (payer = 'shopper' OR fee_rate_per_period = 0)
);
CREATE INDEX installment_offers_merchant_idx ON installment_offers (merchant_id, id);

-- One plan per loan: the loan is the shopper's obligation, this row the checkout around it.
CREATE TABLE installment_plans (
    loan_id UUID PRIMARY KEY REFERENCES loans (id),
    offer_id UUID NOT NULL REFERENCES installment_offers (id),
    merchant_id UUID NOT NULL REFERENCES parties (id),
    shopper_id UUID NOT NULL REFERENCES parties (id),
    order_reference TEXT NOT NULL,
    purchase_amount NUMERIC(20, 4) NOT NULL CHECK (purchase_amount > 0),
    merchant_subsidy NUMERIC(20, 4) NOT NULL CHECK (merchant_subsidy >= 0),
    merchant_settlement NUMERIC(20, 4) NOT NULL CHECK (merchant_settlement >= 0),
    refunded NUMERIC(20, 4) NOT NULL DEFAULT 0,
    clawed_back NUMERIC(20, 4) NOT NULL DEFAULT 0,
    decision_id UUID NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    UNIQUE (merchant_id, order_reference),
    -- Refunds never exceed the purchase, claw-backs never exceed what the merchant was paid.
    CHECK (refunded BETWEEN 0 AND purchase_amount),
    CHECK (clawed_back BETWEEN 0 AND merchant_settlement)
);
CREATE INDEX installment_plans_merchant_idx ON installment_plans (merchant_id, loan_id);
CREATE INDEX installment_plans_shopper_idx ON installment_plans (shopper_id, loan_id);
CREATE INDEX installment_plans_offer_idx ON installment_plans (offer_id);

-- Confirmed purchase orders (or pre-sale order books) a merchant may borrow against.
CREATE TABLE orders (
    id UUID PRIMARY KEY,
    merchant_id UUID NOT NULL REFERENCES parties (id),
    buyer_id UUID NOT NULL REFERENCES parties (id),
    order_number TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('purchase_order', 'pre_sale')),
    currency CHAR(3) NOT NULL,
    order_value NUMERIC(20, 4) NOT NULL CHECK (order_value > 0),
    expected_settlement_on DATE NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('confirmed', 'settled')),
    loan_id UUID UNIQUE REFERENCES loans (id),
    settled_amount NUMERIC(20, 4),
    settled_on DATE,
    created_at TIMESTAMPTZ NOT NULL,
    UNIQUE (merchant_id, order_number),
    CHECK (merchant_id <> buyer_id)
);
CREATE INDEX orders_buyer_idx ON orders (buyer_id, id);

-- Goods in a partner warehouse pledged as collateral; one receipt backs at most one loan, ever.
CREATE TABLE collateral (
    id UUID PRIMARY KEY,
    merchant_id UUID NOT NULL REFERENCES parties (id),
    warehouse TEXT NOT NULL,
    receipt_number TEXT NOT NULL,
    -- Upper-case, without spaces, dashes or dots: the registry key.
    receipt_key TEXT NOT NULL UNIQUE,
    sku TEXT NOT NULL,
    category TEXT NOT NULL,
    quantity BIGINT NOT NULL CHECK (quantity > 0),
    currency CHAR(3) NOT NULL,
    unit_value NUMERIC(20, 4) NOT NULL CHECK (unit_value >= 0),
    haircut NUMERIC(5, 4) NOT NULL CHECK (haircut >= 0 AND haircut < 1),
    status TEXT NOT NULL CHECK (status IN ('pledged', 'margin_call', 'released')),
    loan_id UUID UNIQUE REFERENCES loans (id),
    valued_on DATE NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX collateral_merchant_idx ON collateral (merchant_id, id);

CREATE TABLE collateral_valuations (
    id UUID PRIMARY KEY,
    collateral_id UUID NOT NULL REFERENCES collateral (id),
    unit_value NUMERIC(20, 4) NOT NULL CHECK (unit_value >= 0),
    valued_on DATE NOT NULL,
    ltv NUMERIC(12, 6),
    valued_by TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX collateral_valuations_collateral_idx ON collateral_valuations (collateral_id, id);
