ALTER TABLE factoring_request_receivables
    DROP CONSTRAINT factoring_request_receivables_request_id_fkey,
    DROP CONSTRAINT factoring_request_receivables_receivable_id_fkey;
ALTER TABLE receivables DROP CONSTRAINT receivables_factoring_request_id_fkey;

DROP INDEX receivables_request_idx;
CREATE INDEX receivables_request_idx ON receivables (factoring_request_id);
DROP INDEX factoring_request_receivables_receivable_idx;
CREATE INDEX factoring_request_receivables_receivable_idx
    ON factoring_request_receivables (receivable_id);
DROP INDEX factoring_request_receivables_one_pending;
CREATE UNIQUE INDEX factoring_request_receivables_one_pending
    ON factoring_request_receivables (receivable_id) WHERE pending;
ALTER TABLE factoring_request_receivables DROP CONSTRAINT factoring_request_receivables_pkey,
    ADD PRIMARY KEY (request_id, receivable_id);
ALTER TABLE receivables DROP CONSTRAINT receivables_pkey, ADD PRIMARY KEY (id);
ALTER TABLE factoring_requests DROP CONSTRAINT factoring_requests_pkey, ADD PRIMARY KEY (id);
ALTER TABLE factoring_request_receivables DROP COLUMN supplier_id;

ALTER TABLE receivables ADD CONSTRAINT receivables_factoring_request_id_fkey
    FOREIGN KEY (factoring_request_id) REFERENCES factoring_requests (id);
ALTER TABLE factoring_request_receivables
    ADD CONSTRAINT factoring_request_receivables_request_id_fkey
        FOREIGN KEY (request_id) REFERENCES factoring_requests (id),
    ADD CONSTRAINT factoring_request_receivables_receivable_id_fkey
        FOREIGN KEY (receivable_id) REFERENCES receivables (id);
