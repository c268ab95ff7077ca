-- The hex SHA-256 of a text's UTF-8 bytes, as the audit trail computes it. `convert_to` is only
-- STABLE (it depends on the database encoding), and Citus refuses a non-IMMUTABLE function in
-- an upsert's DO UPDATE; the database's encoding is UTF8 and never changes, so this is
-- immutable in fact and declared so.
CREATE FUNCTION lendline_sha256_hex(content TEXT) RETURNS CHAR(64)
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT encode(sha256(convert_to(content, 'UTF8')), 'hex') $$;
