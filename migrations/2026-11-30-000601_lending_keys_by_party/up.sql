-- The lending graph keyed by party: an application, its line, the line's loans, their
-- schedules and transactions, and the checkout, order or pledge a loan finances all carry the
-- borrower, their keys include it and every foreign key between them carries it, so on a
-- cluster distributed by party they sit on the borrower's shard and join there. The borrower of
-- an installment plan's loan is its shopper, of an order's or a pledge's loan the merchant.

ALTER TABLE credit_lines DROP CONSTRAINT credit_lines_application_id_fkey;
ALTER TABLE loans DROP CONSTRAINT loans_line_id_fkey;
ALTER TABLE loan_installments DROP CONSTRAINT loan_installments_loan_id_fkey;
ALTER TABLE loan_transactions DROP CONSTRAINT loan_transactions_loan_id_fkey;
ALTER TABLE installment_plans DROP CONSTRAINT installment_plans_loan_id_fkey;
ALTER TABLE orders DROP CONSTRAINT orders_loan_id_fkey;
ALTER TABLE collateral DROP CONSTRAINT collateral_loan_id_fkey;

ALTER TABLE loan_installments ADD COLUMN party_id UUID;
UPDATE loan_installments i SET party_id = l.party_id FROM loans l WHERE l.id = i.loan_id;
ALTER TABLE loan_installments ALTER COLUMN party_id SET NOT NULL;
ALTER TABLE loan_transactions ADD COLUMN party_id UUID;
UPDATE loan_transactions t SET party_id = l.party_id FROM loans l WHERE l.id = t.loan_id;
ALTER TABLE loan_transactions ALTER COLUMN party_id SET NOT NULL;

ALTER TABLE credit_line_applications DROP CONSTRAINT credit_line_applications_pkey,
    ADD PRIMARY KEY (party_id, id);
ALTER TABLE credit_lines DROP CONSTRAINT credit_lines_pkey, ADD PRIMARY KEY (party_id, id);
ALTER TABLE credit_lines DROP CONSTRAINT credit_lines_application_id_key,
    ADD CONSTRAINT credit_lines_application_id_key UNIQUE (party_id, application_id);
ALTER TABLE loans DROP CONSTRAINT loans_pkey, ADD PRIMARY KEY (party_id, id);
ALTER TABLE loan_installments DROP CONSTRAINT loan_installments_pkey,
    ADD PRIMARY KEY (party_id, loan_id, number);
ALTER TABLE loan_transactions DROP CONSTRAINT loan_transactions_pkey, ADD PRIMARY KEY (party_id, id);
ALTER TABLE installment_plans DROP CONSTRAINT installment_plans_pkey,
    ADD PRIMARY KEY (shopper_id, loan_id);
ALTER TABLE orders DROP CONSTRAINT orders_loan_id_key,
    ADD CONSTRAINT orders_loan_id_key UNIQUE (merchant_id, loan_id);
ALTER TABLE collateral DROP CONSTRAINT collateral_loan_id_key,
    ADD CONSTRAINT collateral_loan_id_key UNIQUE (merchant_id, loan_id);

ALTER TABLE credit_lines ADD CONSTRAINT credit_lines_application_id_fkey
    FOREIGN KEY (party_id, application_id) REFERENCES credit_line_applications (party_id, id);
ALTER TABLE loans ADD CONSTRAINT loans_line_id_fkey
    FOREIGN KEY (party_id, line_id) REFERENCES credit_lines (party_id, id);
ALTER TABLE loan_installments ADD CONSTRAINT loan_installments_loan_id_fkey
    FOREIGN KEY (party_id, loan_id) REFERENCES loans (party_id, id);
ALTER TABLE loan_transactions ADD CONSTRAINT loan_transactions_loan_id_fkey
    FOREIGN KEY (party_id, loan_id) REFERENCES loans (party_id, id);
ALTER TABLE installment_plans ADD CONSTRAINT installment_plans_loan_id_fkey
    FOREIGN KEY (shopper_id, loan_id) REFERENCES loans (party_id, id);
ALTER TABLE orders ADD CONSTRAINT orders_loan_id_fkey
    FOREIGN KEY (merchant_id, loan_id) REFERENCES loans (party_id, id);
ALTER TABLE collateral ADD CONSTRAINT collateral_loan_id_fkey
    FOREIGN KEY (merchant_id, loan_id) REFERENCES loans (party_id, id);

CREATE INDEX loans_party_line_idx ON loans (party_id, line_id);
DROP INDEX loan_transactions_loan_idx;
CREATE INDEX loan_transactions_loan_idx ON loan_transactions (party_id, loan_id, id);
