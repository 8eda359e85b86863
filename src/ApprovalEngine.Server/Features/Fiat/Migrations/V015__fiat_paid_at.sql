-- When a record's payout was confirmed paid (its first arrival in Unmatch or Completed; version 1's Reconciling too):
-- shown on records, filterable, exported. Kept by FiatProjection from now on; back-filled here from the journal's
-- business status changes where the instance's journal holds them. A paid record without such an entry keeps NULL
-- (unknown), never a guessed time.
ALTER TABLE fiat_withdrawals ADD COLUMN paid_at timestamp with time zone;
CREATE INDEX ix_fiat_withdrawals_paid_at ON fiat_withdrawals (paid_at);

UPDATE fiat_withdrawals w
SET paid_at = p.at
FROM (
    SELECT j.instance_id, min(j.timestamp) AS at
    FROM journal j
    CROSS JOIN LATERAL jsonb_array_elements(j.changes_json::jsonb) c
    WHERE j.changes_json IS NOT NULL
      AND j.changes_json LIKE '[%'
      AND j.instance_id IN (SELECT id FROM fiat_withdrawals)
      AND c->>'name' = 'businessStatus'
      AND c->>'after' IN ('Unmatch', 'Reconciling', 'Completed')
    GROUP BY j.instance_id
) p
WHERE w.id = p.instance_id AND w.paid_at IS NULL;
