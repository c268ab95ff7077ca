ALTER TABLE installment_plans ADD CONSTRAINT installment_plans_merchant_order_key_unique
    UNIQUE (merchant_id, order_key);
DROP INDEX installment_plans_order_idx;
ALTER TABLE installment_plans DROP CONSTRAINT installment_plans_order_registered;
ALTER TABLE installment_plans DROP CONSTRAINT installment_plans_order_fkey;
ALTER TABLE installment_plans DROP COLUMN order_fingerprint;
DELETE FROM registry_entries WHERE kind = 'installment_order';
ALTER TABLE registry_entries DROP CONSTRAINT registry_entries_kind_check;
ALTER TABLE registry_entries ADD CONSTRAINT registry_entries_kind_check
    CHECK (kind IN ('receivable', 'bill', 'warehouse_receipt', 'party_registration',
                    'payment_reference'));
