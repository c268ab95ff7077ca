ALTER TABLE reviews DROP CONSTRAINT reviews_subject_kind_subject_id_key,
    ADD CONSTRAINT reviews_subject_kind_subject_id_key UNIQUE (subject_kind, subject_id);
ALTER TABLE reviews DROP CONSTRAINT reviews_pkey, ADD PRIMARY KEY (id);

DROP INDEX credit_decisions_champion_idx;
CREATE INDEX credit_decisions_champion_idx ON credit_decisions (champion_decision_id);
ALTER TABLE credit_decisions DROP CONSTRAINT credit_decisions_champion_decision_id_fkey;
ALTER TABLE credit_decision_evidence DROP CONSTRAINT credit_decision_evidence_decision_id_fkey;
ALTER TABLE credit_decision_evidence DROP CONSTRAINT credit_decision_evidence_pkey,
    ADD PRIMARY KEY (decision_id);
ALTER TABLE credit_decisions DROP CONSTRAINT credit_decisions_pkey, ADD PRIMARY KEY (id);
ALTER TABLE credit_decision_evidence DROP COLUMN party_id;
ALTER TABLE credit_decision_evidence ADD CONSTRAINT credit_decision_evidence_decision_id_fkey
    FOREIGN KEY (decision_id) REFERENCES credit_decisions (id);
ALTER TABLE credit_decisions ADD CONSTRAINT credit_decisions_champion_decision_id_fkey
    FOREIGN KEY (champion_decision_id) REFERENCES credit_decisions (id);
