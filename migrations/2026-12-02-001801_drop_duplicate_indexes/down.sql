CREATE INDEX credit_line_applications_party_idx ON credit_line_applications (party_id, id);
CREATE INDEX credit_lines_party_idx ON credit_lines (party_id, id);
CREATE INDEX loans_party_idx ON loans (party_id, id);
CREATE INDEX factoring_requests_supplier_idx ON factoring_requests (supplier_id, id);
CREATE INDEX receivables_supplier_idx ON receivables (supplier_id, id);
CREATE INDEX installment_plans_shopper_idx ON installment_plans (shopper_id, loan_id);
CREATE INDEX collateral_merchant_idx ON collateral (merchant_id, id);
