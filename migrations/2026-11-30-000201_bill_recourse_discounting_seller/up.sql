-- The seller who discounted a bill to the platform answers for its dishonour too.
ALTER TABLE bill_recourse_claims DROP CONSTRAINT bill_recourse_claims_role_check;
ALTER TABLE bill_recourse_claims ADD CONSTRAINT bill_recourse_claims_role_check
    CHECK (role IN ('drawer', 'endorser', 'discounting_seller'));
