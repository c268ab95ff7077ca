-- Platform-wide accounts (cash:platform, income, losses) are posted to by every loan and
-- advance: one balance row each made every money movement queue behind the previous one's
-- commit. Such accounts now keep their balance in several shard rows, summed on read; each
-- entry adds to one shard, so concurrent entries rarely wait for each other. Accounts of one
-- loan, supplier or bill keep a single row (shard 0).
ALTER TABLE account_balances ADD COLUMN shard SMALLINT NOT NULL DEFAULT 0
    CHECK (shard >= 0 AND shard < 64);
ALTER TABLE account_balances DROP CONSTRAINT account_balances_pkey;
ALTER TABLE account_balances ADD PRIMARY KEY (account, currency, shard);
