-- Factoring requests, the receivables they finance and the links between them keyed by the
-- supplier: a request, its receivables and their terms sit on the supplier's shard and are
-- locked and written through the supplier.

ALTER TABLE factoring_request_receivables
    DROP CONSTRAINT factoring_request_receivables_request_id_fkey,
    DROP CONSTRAINT factoring_request_receivables_receivable_id_fkey;
ALTER TABLE receivables DROP CONSTRAINT receivables_factoring_request_id_fkey;

ALTER TABLE factoring_request_receivables ADD COLUMN supplier_id UUID;
UPDATE factoring_request_receivables l SET supplier_id = r.supplier_id
  FROM factoring_requests r WHERE r.id = l.request_id;
ALTER TABLE factoring_request_receivables ALTER COLUMN supplier_id SET NOT NULL;

ALTER TABLE factoring_requests DROP CONSTRAINT factoring_requests_pkey,
    ADD PRIMARY KEY (supplier_id, id);
ALTER TABLE receivables DROP CONSTRAINT receivables_pkey, ADD PRIMARY KEY (supplier_id, id);
ALTER TABLE factoring_request_receivables DROP CONSTRAINT factoring_request_receivables_pkey,
    ADD PRIMARY KEY (supplier_id, request_id, receivable_id);
DROP INDEX factoring_request_receivables_one_pending;
CREATE UNIQUE INDEX factoring_request_receivables_one_pending
    ON factoring_request_receivables (supplier_id, receivable_id) WHERE pending;
DROP INDEX factoring_request_receivables_receivable_idx;
CREATE INDEX factoring_request_receivables_receivable_idx
    ON factoring_request_receivables (supplier_id, receivable_id);
DROP INDEX receivables_request_idx;
CREATE INDEX receivables_request_idx ON receivables (supplier_id, factoring_request_id);

ALTER TABLE receivables ADD CONSTRAINT receivables_factoring_request_id_fkey
    FOREIGN KEY (supplier_id, factoring_request_id) REFERENCES factoring_requests (supplier_id, id);
ALTER TABLE factoring_request_receivables
    ADD CONSTRAINT factoring_request_receivables_request_id_fkey
        FOREIGN KEY (supplier_id, request_id) REFERENCES factoring_requests (supplier_id, id),
    ADD CONSTRAINT factoring_request_receivables_receivable_id_fkey
        FOREIGN KEY (supplier_id, receivable_id) REFERENCES receivables (supplier_id, id);
