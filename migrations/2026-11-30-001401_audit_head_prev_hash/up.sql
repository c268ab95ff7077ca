-- The head keeps the hash it replaced, so that one upsert can move the head and hand the event
-- its link (an UPDATE's RETURNING sees only new values): an audit append is one statement.
ALTER TABLE audit_chain_heads ADD COLUMN prev_hash CHAR(64);
