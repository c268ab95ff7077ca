ALTER TABLE bill_endorsements DROP CONSTRAINT bill_endorsements_bill_id_fkey;
ALTER TABLE bill_recourse_claims DROP CONSTRAINT bill_recourse_claims_bill_id_fkey;
ALTER TABLE bill_discount_referrals DROP CONSTRAINT bill_discount_referrals_bill_id_fkey;

DROP INDEX bill_discount_referrals_bill_idx;
CREATE INDEX bill_discount_referrals_bill_idx ON bill_discount_referrals (bill_id);
DROP INDEX bill_discount_referrals_one_waiting;
CREATE UNIQUE INDEX bill_discount_referrals_one_waiting
    ON bill_discount_referrals (bill_id) WHERE state = 'referred';
ALTER TABLE bill_discount_referrals DROP CONSTRAINT bill_discount_referrals_pkey, ADD PRIMARY KEY (id);
ALTER TABLE bill_recourse_claims DROP CONSTRAINT bill_recourse_claims_pkey,
    ADD PRIMARY KEY (bill_id, party_id);
ALTER TABLE bill_endorsements DROP CONSTRAINT bill_endorsements_pkey, ADD PRIMARY KEY (bill_id, seq);
ALTER TABLE bills DROP CONSTRAINT bills_pkey, ADD PRIMARY KEY (id);
ALTER TABLE bill_discount_referrals DROP COLUMN acceptor_id;
ALTER TABLE bill_recourse_claims DROP COLUMN acceptor_id;
ALTER TABLE bill_endorsements DROP COLUMN acceptor_id;

ALTER TABLE bill_endorsements ADD CONSTRAINT bill_endorsements_bill_id_fkey
    FOREIGN KEY (bill_id) REFERENCES bills (id);
ALTER TABLE bill_recourse_claims ADD CONSTRAINT bill_recourse_claims_bill_id_fkey
    FOREIGN KEY (bill_id) REFERENCES bills (id);
ALTER TABLE bill_discount_referrals ADD CONSTRAINT bill_discount_referrals_bill_id_fkey
    FOREIGN KEY (bill_id) REFERENCES bills (id);
