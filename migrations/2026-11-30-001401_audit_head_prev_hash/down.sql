ALTER TABLE audit_chain_heads DROP COLUMN prev_hash;
