-- Tables for the pgbench decision script: keyed by party like Lendline's, with the same
-- column types for money (NUMERIC(20,4)) and a JSON reasons column.
CREATE TABLE bench_parties (id BIGINT PRIMARY KEY, kind TEXT NOT NULL, status TEXT NOT NULL, risk_grade TEXT NOT NULL);
CREATE TABLE bench_lines (party_id BIGINT PRIMARY KEY REFERENCES bench_parties (id), limit_amount NUMERIC(20,4) NOT NULL,
    drawn_amount NUMERIC(20,4) NOT NULL, version INT NOT NULL);
CREATE TABLE bench_decisions (party_id BIGINT NOT NULL REFERENCES bench_parties (id), id UUID NOT NULL DEFAULT gen_random_uuid(),
    outcome TEXT NOT NULL, amount NUMERIC(20,4) NOT NULL, reasons JSONB NOT NULL, created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (party_id, id));
CREATE TABLE bench_audit (party_id BIGINT NOT NULL, seq BIGSERIAL, prev_hash BYTEA NOT NULL, hash BYTEA NOT NULL,
    payload JSONB NOT NULL, created_at TIMESTAMPTZ NOT NULL DEFAULT now(), PRIMARY KEY (party_id, seq));
CREATE TABLE bench_idempotency (party_id BIGINT NOT NULL, key TEXT NOT NULL, response JSONB NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(), PRIMARY KEY (party_id, key));
INSERT INTO bench_parties SELECT g, 'merchant', 'active', 'B' FROM generate_series(1, 10000) g;
INSERT INTO bench_lines SELECT g, 50000, 0, 0 FROM generate_series(1, 10000) g;
