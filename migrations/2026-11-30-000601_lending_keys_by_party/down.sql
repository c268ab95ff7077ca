DROP INDEX loan_transactions_loan_idx;
CREATE INDEX loan_transactions_loan_idx ON loan_transactions (loan_id, id);
DROP INDEX loans_party_line_idx;

ALTER TABLE credit_lines DROP CONSTRAINT credit_lines_application_id_fkey;
ALTER TABLE loans DROP CONSTRAINT loans_line_id_fkey;
ALTER TABLE loan_installments DROP CONSTRAINT loan_installments_loan_id_fkey;
ALTER TABLE loan_transactions DROP CONSTRAINT loan_transactions_loan_id_fkey;
ALTER TABLE installment_plans DROP CONSTRAINT installment_plans_loan_id_fkey;
ALTER TABLE orders DROP CONSTRAINT orders_loan_id_fkey;
ALTER TABLE collateral DROP CONSTRAINT collateral_loan_id_fkey;

ALTER TABLE collateral DROP CONSTRAINT collateral_loan_id_key,
    ADD CONSTRAINT collateral_loan_id_key UNIQUE (loan_id);
ALTER TABLE orders DROP CONSTRAINT orders_loan_id_key,
    ADD CONSTRAINT orders_loan_id_key UNIQUE (loan_id);
ALTER TABLE installment_plans DROP CONSTRAINT installment_plans_pkey, ADD PRIMARY KEY (loan_id);
ALTER TABLE loan_transactions DROP CONSTRAINT loan_transactions_pkey, ADD PRIMARY KEY (id);
ALTER TABLE loan_installments DROP CONSTRAINT loan_installments_pkey, ADD PRIMARY KEY (loan_id, number);
ALTER TABLE loans DROP CONSTRAINT loans_pkey, ADD PRIMARY KEY (id);
ALTER TABLE credit_lines DROP CONSTRAINT credit_lines_application_id_key,
    ADD CONSTRAINT credit_lines_application_id_key UNIQUE (application_id);
ALTER TABLE credit_lines DROP CONSTRAINT credit_lines_pkey, ADD PRIMARY KEY (id);
ALTER TABLE credit_line_applications DROP CONSTRAINT credit_line_applications_pkey,
    ADD PRIMARY KEY (id);

ALTER TABLE loan_transactions DROP COLUMN party_id;
ALTER TABLE loan_installments DROP COLUMN party_id;

ALTER TABLE credit_lines ADD CONSTRAINT credit_lines_application_id_fkey
    FOREIGN KEY (application_id) REFERENCES credit_line_applications (id);
ALTER TABLE loans ADD CONSTRAINT loans_line_id_fkey FOREIGN KEY (line_id) REFERENCES credit_lines (id);
ALTER TABLE loan_installments ADD CONSTRAINT loan_installments_loan_id_fkey
    FOREIGN KEY (loan_id) REFERENCES loans (id);
ALTER TABLE loan_transactions ADD CONSTRAINT loan_transactions_loan_id_fkey
    FOREIGN KEY (loan_id) REFERENCES loans (id);
ALTER TABLE installment_plans ADD CONSTRAINT installment_plans_loan_id_fkey
    FOREIGN KEY (loan_id) REFERENCES loans (id);
ALTER TABLE orders ADD CONSTRAINT orders_loan_id_fkey FOREIGN KEY (loan_id) REFERENCES loans (id);
ALTER TABLE collateral ADD CONSTRAINT collateral_loan_id_fkey FOREIGN KEY (loan_id) REFERENCES loans (id);
