-- Fold the shards back into one row per account and currency.
CREATE TEMPORARY TABLE folded_balances ON COMMIT DROP AS
    SELECT account, currency, sum(balance) AS balance, sum(postings_count) AS postings_count,
           max(updated_at) AS updated_at
      FROM account_balances GROUP BY account, currency;
DELETE FROM account_balances;
ALTER TABLE account_balances DROP CONSTRAINT account_balances_pkey;
ALTER TABLE account_balances DROP COLUMN shard;
INSERT INTO account_balances (account, currency, balance, postings_count, updated_at)
    SELECT account, currency, balance, postings_count, updated_at FROM folded_balances;
ALTER TABLE account_balances ADD PRIMARY KEY (account, currency);
