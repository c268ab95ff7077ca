DROP FUNCTION lendline_sha256_hex(TEXT);
