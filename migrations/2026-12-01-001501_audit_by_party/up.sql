-- The audit trail keyed by the party that owns each chain's aggregate (a loan's borrower, an
-- order's merchant, a receivable's supplier, a bill's acceptor; the platform's own chains —
-- calendar, scoring models, email replays — belong to the nil party of the ledger): a decision
-- and its evidence commit on one shard when the database is distributed by party.
--
-- Checkpoints no longer mark the heads they covered (an UPDATE across every moved head would
-- wait on, and deadlock with, requests extending those chains): how far each chain is sealed
-- is a row of its own in `audit_chain_seals`, written only by the checkpoint writer.

-- Every chain's owner, from the aggregate its name points at; a chain naming nothing known
-- (the platform's) belongs to the platform.
CREATE TEMPORARY TABLE audit_chain_owner ON COMMIT DROP AS
SELECT c.chain, COALESCE(
    CASE split_part(c.chain, ':', 1)
        WHEN 'party' THEN (SELECT p.id FROM parties p WHERE p.id::text = split_part(c.chain, ':', 2))
        WHEN 'loan' THEN (SELECT l.party_id FROM loans l WHERE l.id::text = split_part(c.chain, ':', 2))
        WHEN 'credit_line' THEN
            (SELECT l.party_id FROM credit_lines l WHERE l.id::text = split_part(c.chain, ':', 2))
        WHEN 'credit_line_application' THEN
            (SELECT a.party_id FROM credit_line_applications a
              WHERE a.id::text = split_part(c.chain, ':', 2))
        WHEN 'decision' THEN
            (SELECT d.party_id FROM credit_decisions d WHERE d.id::text = split_part(c.chain, ':', 2))
        WHEN 'review' THEN (SELECT r.party_id FROM reviews r WHERE r.id::text = split_part(c.chain, ':', 2))
        WHEN 'order' THEN (SELECT o.merchant_id FROM orders o WHERE o.id::text = split_part(c.chain, ':', 2))
        WHEN 'collateral' THEN
            (SELECT g.merchant_id FROM collateral g WHERE g.id::text = split_part(c.chain, ':', 2))
        WHEN 'installment_offer' THEN
            (SELECT o.merchant_id FROM installment_offers o WHERE o.id::text = split_part(c.chain, ':', 2))
        WHEN 'receivable' THEN
            (SELECT r.supplier_id FROM receivables r WHERE r.id::text = split_part(c.chain, ':', 2))
        WHEN 'factoring' THEN
            (SELECT f.supplier_id FROM factoring_requests f WHERE f.id::text = split_part(c.chain, ':', 2))
        WHEN 'program' THEN
            (SELECT f.core_enterprise_id FROM factoring_programs f
              WHERE f.id::text = split_part(c.chain, ':', 2))
        WHEN 'bill' THEN (SELECT b.acceptor_id FROM bills b WHERE b.id::text = split_part(c.chain, ':', 2))
    END,
    '00000000-0000-0000-0000-000000000000'::uuid) AS party_id
  FROM (SELECT chain FROM audit_chain_heads UNION SELECT chain FROM audit_events) c;

ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only;
ALTER TABLE audit_events ADD COLUMN party_id UUID;
UPDATE audit_events e SET party_id = o.party_id FROM audit_chain_owner o WHERE o.chain = e.chain;
ALTER TABLE audit_events ALTER COLUMN party_id SET NOT NULL;
ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only;
ALTER TABLE audit_events DROP CONSTRAINT audit_events_pkey, ADD PRIMARY KEY (party_id, id);
ALTER TABLE audit_events DROP CONSTRAINT audit_events_chain_seq_key,
    ADD CONSTRAINT audit_events_chain_seq_key UNIQUE (party_id, chain, seq);
-- The trail of one object is read by its name alone (`/audit/{entity}`).
CREATE INDEX audit_events_chain_idx ON audit_events (chain, seq);

CREATE TABLE audit_chain_seals (
    party_id UUID NOT NULL,
    chain TEXT NOT NULL,
    seq BIGINT NOT NULL,
    PRIMARY KEY (party_id, chain)
);

ALTER TABLE audit_chain_heads ADD COLUMN party_id UUID;
UPDATE audit_chain_heads h SET party_id = o.party_id FROM audit_chain_owner o WHERE o.chain = h.chain;
ALTER TABLE audit_chain_heads ALTER COLUMN party_id SET NOT NULL;
INSERT INTO audit_chain_seals (party_id, chain, seq)
SELECT party_id, chain, checkpointed_seq FROM audit_chain_heads WHERE checkpointed_seq > 0;
DROP INDEX audit_chain_heads_pending_idx;
ALTER TABLE audit_chain_heads DROP COLUMN checkpointed_seq;
ALTER TABLE audit_chain_heads DROP CONSTRAINT audit_chain_heads_pkey, ADD PRIMARY KEY (party_id, chain);

ALTER TABLE audit_checkpoint_heads DISABLE TRIGGER audit_checkpoint_heads_append_only;
ALTER TABLE audit_checkpoint_heads ADD COLUMN party_id UUID;
UPDATE audit_checkpoint_heads h SET party_id = o.party_id
  FROM audit_chain_owner o WHERE o.chain = h.chain;
ALTER TABLE audit_checkpoint_heads ALTER COLUMN party_id SET NOT NULL;
ALTER TABLE audit_checkpoint_heads ENABLE TRIGGER audit_checkpoint_heads_append_only;
ALTER TABLE audit_checkpoint_heads DROP CONSTRAINT audit_checkpoint_heads_pkey,
    ADD PRIMARY KEY (party_id, checkpoint_id, chain);
CREATE INDEX audit_checkpoint_heads_checkpoint_idx ON audit_checkpoint_heads (checkpoint_id);
