-- The same hash, written so that PostgreSQL inlines it. A SQL function declared IMMUTABLE whose
-- body calls a STABLE function (`convert_to`) is never inlined: it is run through the SQL
-- function executor, which parses and plans its body afresh in every statement execution. The
-- audit append calls it twice per event; under the peak benchmark that was about 2.5 % of all
-- CPU. Casting text to bytea through bytea's input reads the text's own bytes (which are UTF-8
-- in a UTF8 database) once every backslash is doubled, and every step is immutable, so the
-- body inlines into the statement's cached plan. The digests are byte for byte the ones
-- `convert_to(content, 'UTF8')` gave, so existing chains verify unchanged.
DO $$
BEGIN
    IF current_setting('server_encoding') <> 'UTF8' THEN
        RAISE EXCEPTION 'Lendline needs a UTF8 database (this one is %)',
            current_setting('server_encoding');
    END IF;
END
$$;

CREATE OR REPLACE FUNCTION lendline_sha256_hex(content TEXT) RETURNS CHAR(64)
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT encode(sha256(replace(content, E'\\', E'\\\\')::bytea), 'hex') $$;
