-- Sandbox ledger: trade ids from a sequence instead of max(trade_id) + 1, which handed the same id to concurrent
-- operations. Existing duplicates (made by that race) are renumbered from the sequence, keeping the earliest holder
-- of each number, so that the unique index can be built; no row is removed.

CREATE SEQUENCE IF NOT EXISTS sandbox_trade_ids START WITH 100001 INCREMENT BY 1 NO CYCLE;

SELECT setval('sandbox_trade_ids', GREATEST((SELECT max(trade_id) FROM sandbox_balance_operations), 100000));

WITH ranked AS (
    SELECT id, row_number() OVER (PARTITION BY trade_id ORDER BY created_at, id) AS n
    FROM sandbox_balance_operations
)
UPDATE sandbox_balance_operations o
SET trade_id = nextval('sandbox_trade_ids')
FROM ranked
WHERE o.id = ranked.id AND ranked.n > 1;

CREATE UNIQUE INDEX ix_sandbox_balance_operations_trade_id ON sandbox_balance_operations (trade_id);
