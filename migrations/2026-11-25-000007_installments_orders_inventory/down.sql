DROP TABLE collateral_valuations;
DROP TABLE collateral;
DROP TABLE orders;
DROP TABLE installment_plans;
DROP TABLE installment_offers;
ALTER TABLE loan_transactions DROP CONSTRAINT loan_transactions_kind_check;
ALTER TABLE loan_transactions ADD CONSTRAINT loan_transactions_kind_check
    CHECK (kind IN ('disbursement', 'repayment', 'write_off', 'recovery'));
ALTER TABLE loan_transactions DROP COLUMN fee;
ALTER TABLE loan_installments DROP COLUMN fee;
DROP INDEX loans_product_idx;
ALTER TABLE loans DROP CONSTRAINT loans_fees_paid_within_posted;
ALTER TABLE loans DROP COLUMN fees_paid;
ALTER TABLE loans DROP COLUMN fees_posted;
ALTER TABLE loans DROP CONSTRAINT loans_principal_check;
ALTER TABLE loans ADD CONSTRAINT loans_principal_check CHECK (principal > 0);
ALTER TABLE loans DROP CONSTRAINT loans_line_for_stock_up;
ALTER TABLE loans ALTER COLUMN line_id SET NOT NULL;
ALTER TABLE loans DROP COLUMN product;
ALTER TABLE parties DROP CONSTRAINT parties_kind_check;
ALTER TABLE parties ADD CONSTRAINT parties_kind_check
    CHECK (kind IN ('merchant', 'supplier', 'core_enterprise'));
