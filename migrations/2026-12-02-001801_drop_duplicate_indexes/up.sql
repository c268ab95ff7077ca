-- Each of these repeats its table's primary key, column for column: the primary keys became
-- (party, id) for the distributed schema, and the (party, id) indexes made before stayed.
-- A duplicate answers no query the key does not, and costs every insert (and every update
-- that is not HOT) one more index entry and its WAL: loans, lines and applications are
-- written on every decision.
DROP INDEX credit_line_applications_party_idx;
DROP INDEX credit_lines_party_idx;
DROP INDEX loans_party_idx;
DROP INDEX factoring_requests_supplier_idx;
DROP INDEX receivables_supplier_idx;
DROP INDEX installment_plans_shopper_idx;
DROP INDEX collateral_merchant_idx;
