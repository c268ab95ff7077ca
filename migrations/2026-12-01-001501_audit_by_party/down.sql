DROP INDEX audit_checkpoint_heads_checkpoint_idx;
ALTER TABLE audit_checkpoint_heads DROP CONSTRAINT audit_checkpoint_heads_pkey,
    ADD PRIMARY KEY (checkpoint_id, chain);
ALTER TABLE audit_checkpoint_heads DROP COLUMN party_id;

ALTER TABLE audit_chain_heads DROP CONSTRAINT audit_chain_heads_pkey, ADD PRIMARY KEY (chain);
ALTER TABLE audit_chain_heads ADD COLUMN checkpointed_seq BIGINT NOT NULL DEFAULT 0;
UPDATE audit_chain_heads h SET checkpointed_seq = s.seq
  FROM audit_chain_seals s WHERE s.party_id = h.party_id AND s.chain = h.chain;
CREATE INDEX audit_chain_heads_pending_idx ON audit_chain_heads (chain) WHERE seq > checkpointed_seq;
ALTER TABLE audit_chain_heads DROP COLUMN party_id;
DROP TABLE audit_chain_seals;

DROP INDEX audit_events_chain_idx;
ALTER TABLE audit_events DROP CONSTRAINT audit_events_chain_seq_key,
    ADD CONSTRAINT audit_events_chain_seq_key UNIQUE (chain, seq);
ALTER TABLE audit_events DROP CONSTRAINT audit_events_pkey, ADD PRIMARY KEY (id);
ALTER TABLE audit_events DROP COLUMN party_id;
