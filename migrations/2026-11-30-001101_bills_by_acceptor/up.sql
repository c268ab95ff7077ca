-- A bill changes holders but never its acceptor (the core enterprise that owes it): bills,
-- their endorsements, recourse claims and discount referrals are keyed by the acceptor, so a
-- bill and everything about it sit on the acceptor's shard.

ALTER TABLE bill_endorsements DROP CONSTRAINT bill_endorsements_bill_id_fkey;
ALTER TABLE bill_recourse_claims DROP CONSTRAINT bill_recourse_claims_bill_id_fkey;
ALTER TABLE bill_discount_referrals DROP CONSTRAINT bill_discount_referrals_bill_id_fkey;

ALTER TABLE bill_endorsements ADD COLUMN acceptor_id UUID;
UPDATE bill_endorsements e SET acceptor_id = b.acceptor_id FROM bills b WHERE b.id = e.bill_id;
ALTER TABLE bill_endorsements ALTER COLUMN acceptor_id SET NOT NULL;
ALTER TABLE bill_recourse_claims ADD COLUMN acceptor_id UUID;
UPDATE bill_recourse_claims c SET acceptor_id = b.acceptor_id FROM bills b WHERE b.id = c.bill_id;
ALTER TABLE bill_recourse_claims ALTER COLUMN acceptor_id SET NOT NULL;
ALTER TABLE bill_discount_referrals ADD COLUMN acceptor_id UUID;
UPDATE bill_discount_referrals r SET acceptor_id = b.acceptor_id FROM bills b WHERE b.id = r.bill_id;
ALTER TABLE bill_discount_referrals ALTER COLUMN acceptor_id SET NOT NULL;

ALTER TABLE bills DROP CONSTRAINT bills_pkey, ADD PRIMARY KEY (acceptor_id, id);
ALTER TABLE bill_endorsements DROP CONSTRAINT bill_endorsements_pkey,
    ADD PRIMARY KEY (acceptor_id, bill_id, seq);
ALTER TABLE bill_recourse_claims DROP CONSTRAINT bill_recourse_claims_pkey,
    ADD PRIMARY KEY (acceptor_id, bill_id, party_id);
ALTER TABLE bill_discount_referrals DROP CONSTRAINT bill_discount_referrals_pkey,
    ADD PRIMARY KEY (acceptor_id, id);
DROP INDEX bill_discount_referrals_one_waiting;
CREATE UNIQUE INDEX bill_discount_referrals_one_waiting
    ON bill_discount_referrals (acceptor_id, bill_id) WHERE state = 'referred';
DROP INDEX bill_discount_referrals_bill_idx;
CREATE INDEX bill_discount_referrals_bill_idx ON bill_discount_referrals (acceptor_id, bill_id);

ALTER TABLE bill_endorsements ADD CONSTRAINT bill_endorsements_bill_id_fkey
    FOREIGN KEY (acceptor_id, bill_id) REFERENCES bills (acceptor_id, id);
ALTER TABLE bill_recourse_claims ADD CONSTRAINT bill_recourse_claims_bill_id_fkey
    FOREIGN KEY (acceptor_id, bill_id) REFERENCES bills (acceptor_id, id);
ALTER TABLE bill_discount_referrals ADD CONSTRAINT bill_discount_referrals_bill_id_fkey
    FOREIGN KEY (acceptor_id, bill_id) REFERENCES bills (acceptor_id, id);
