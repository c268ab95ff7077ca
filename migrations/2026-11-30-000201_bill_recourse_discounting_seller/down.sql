-- The seller's claims stay claims: like an endorser's, which is what the older schema can say.
UPDATE bill_recourse_claims SET role = 'endorser' WHERE role = 'discounting_seller';
ALTER TABLE bill_recourse_claims DROP CONSTRAINT bill_recourse_claims_role_check;
ALTER TABLE bill_recourse_claims ADD CONSTRAINT bill_recourse_claims_role_check
    CHECK (role IN ('drawer', 'endorser'));
