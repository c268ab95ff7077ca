CREATE OR REPLACE FUNCTION lendline_sha256_hex(content TEXT) RETURNS CHAR(64)
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT encode(sha256(convert_to(content, 'UTF8')), 'hex') $$;
