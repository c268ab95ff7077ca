-- Credit decisions, their evidence and the review cases keyed by the party decided on: a
-- decision and its evidence commit on that party's shard, a challenger decision sits beside
-- its champion, and a case is found and locked through its party.

ALTER TABLE credit_decision_evidence DROP CONSTRAINT credit_decision_evidence_decision_id_fkey;
ALTER TABLE credit_decisions DROP CONSTRAINT credit_decisions_champion_decision_id_fkey;

ALTER TABLE credit_decision_evidence DISABLE TRIGGER credit_decision_evidence_append_only;
ALTER TABLE credit_decision_evidence ADD COLUMN party_id UUID;
UPDATE credit_decision_evidence v SET party_id = d.party_id
  FROM credit_decisions d WHERE d.id = v.decision_id;
ALTER TABLE credit_decision_evidence ALTER COLUMN party_id SET NOT NULL;
ALTER TABLE credit_decision_evidence ENABLE TRIGGER credit_decision_evidence_append_only;

ALTER TABLE credit_decisions DROP CONSTRAINT credit_decisions_pkey, ADD PRIMARY KEY (party_id, id);
ALTER TABLE credit_decision_evidence DROP CONSTRAINT credit_decision_evidence_pkey,
    ADD PRIMARY KEY (party_id, decision_id);
ALTER TABLE credit_decision_evidence ADD CONSTRAINT credit_decision_evidence_decision_id_fkey
    FOREIGN KEY (party_id, decision_id) REFERENCES credit_decisions (party_id, id);
ALTER TABLE credit_decisions ADD CONSTRAINT credit_decisions_champion_decision_id_fkey
    FOREIGN KEY (party_id, champion_decision_id) REFERENCES credit_decisions (party_id, id);
DROP INDEX credit_decisions_champion_idx;
CREATE INDEX credit_decisions_champion_idx ON credit_decisions (party_id, champion_decision_id);

ALTER TABLE reviews DROP CONSTRAINT reviews_pkey, ADD PRIMARY KEY (party_id, id);
ALTER TABLE reviews DROP CONSTRAINT reviews_subject_kind_subject_id_key,
    ADD CONSTRAINT reviews_subject_kind_subject_id_key UNIQUE (party_id, subject_kind, subject_id);
