-- The inbox's subject (issue 14, ADR 23) is stored on the task: customer, account, amount (numeric: every digit of
-- an 18-decimal coin amount, never a double) and currency, written when the task opens from the subject setting of
-- the instance's OWN definition version. The search used to read instance JSON at query time through the definition's
-- current version: no index, and a v4 renaming its subject variable blanked the columns of every v3 instance.
-- Columns a version holds no variable for are the parent instance's (a work order's customer is its record's); the
-- parent's flow is kept so that only its readers see them. Only additions, and a back-fill computed from the stored
-- instances by the same rules as SubjectColumns.Resolve / TaskSubject (src/ApprovalEngine.Workflows/Definitions).
ALTER TABLE tasks ADD COLUMN subject_customer character varying(200);
ALTER TABLE tasks ADD COLUMN subject_account character varying(200);
ALTER TABLE tasks ADD COLUMN subject_amount numeric;
ALTER TABLE tasks ADD COLUMN subject_currency character varying(200);
ALTER TABLE tasks ADD COLUMN subject_parent_definition_id character varying(200);
ALTER TABLE tasks ADD COLUMN subject_parent_columns integer NOT NULL DEFAULT 0;

WITH defs AS (
    SELECT definition_id, version, json::jsonb AS d FROM definition_versions
),
declared AS (
    SELECT f.definition_id, f.version, e->>'name' AS name
    FROM defs f
    CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(f.d->'variables') = 'array' THEN f.d->'variables' ELSE '[]'::jsonb END) e
    UNION
    SELECT f.definition_id, f.version, e->>'name'
    FROM defs f
    CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(f.d->'inputs') = 'array' THEN f.d->'inputs' ELSE '[]'::jsonb END) e
),
-- SubjectColumns.Defaults: the first of these names a version declares.
defaults(col, ord, name) AS (VALUES
    ('customer', 1, 'customerId'), ('customer', 2, 'securitiesAccount'), ('customer', 3, 'customer'),
    ('account', 1, 'tradingAccount'), ('account', 2, 'bankAccount'), ('account', 3, 'address'), ('account', 4, 'depositAddress'), ('account', 5, 'account'),
    ('amount', 1, 'requestedAmount'), ('amount', 2, 'amount'), ('amount', 3, 'total'),
    ('currency', 1, 'currency'), ('currency', 2, 'coin')
),
fallback AS (
    SELECT DISTINCT ON (x.definition_id, x.version, x.col) x.definition_id, x.version, x.col, x.name
    FROM (SELECT y.definition_id, y.version, z.col, z.ord, z.name FROM declared y JOIN defaults z ON z.name = y.name) x
    ORDER BY x.definition_id, x.version, x.col, x.ord
),
resolved AS (
    SELECT f.definition_id, f.version,
        COALESCE(f.d->'subject'->>'customer', f.d->>'customer', (SELECT b.name FROM fallback b WHERE b.definition_id = f.definition_id AND b.version = f.version AND b.col = 'customer')) AS customer_var,
        COALESCE(f.d->'subject'->>'account', (SELECT b.name FROM fallback b WHERE b.definition_id = f.definition_id AND b.version = f.version AND b.col = 'account')) AS account_var,
        COALESCE(f.d->'subject'->>'amount', (SELECT b.name FROM fallback b WHERE b.definition_id = f.definition_id AND b.version = f.version AND b.col = 'amount')) AS amount_var,
        COALESCE(f.d->'subject'->>'currency', (SELECT b.name FROM fallback b WHERE b.definition_id = f.definition_id AND b.version = f.version AND b.col = 'currency')) AS currency_var
    FROM defs f
),
source AS (
    SELECT t.id,
        CASE WHEN p.id IS NULL OR pr.definition_id IS NULL OR r.definition_id IS NULL THEN 0
             ELSE (CASE WHEN r.customer_var IS NULL THEN 1 ELSE 0 END) + (CASE WHEN r.account_var IS NULL THEN 2 ELSE 0 END)
                + (CASE WHEN r.amount_var IS NULL THEN 4 ELSE 0 END) + (CASE WHEN r.currency_var IS NULL THEN 8 ELSE 0 END) END AS mask,
        p.definition_id AS parent_definition_id,
        r.customer_var, r.account_var, r.amount_var, r.currency_var,
        pr.customer_var AS p_customer_var, pr.account_var AS p_account_var, pr.amount_var AS p_amount_var, pr.currency_var AS p_currency_var,
        i.state_json::jsonb -> 'variables' AS vars,
        p.state_json::jsonb -> 'variables' AS pvars
    FROM tasks t
    JOIN instances i ON i.id = t.instance_id
    LEFT JOIN resolved r ON r.definition_id = i.definition_id AND r.version = i.definition_version
    LEFT JOIN instances p ON p.id = i.parent_instance_id
    LEFT JOIN resolved pr ON pr.definition_id = p.definition_id AND pr.version = p.definition_version
),
picked AS (
    SELECT s.id, s.mask, CASE WHEN s.mask = 0 THEN NULL ELSE s.parent_definition_id END AS parent_definition_id,
        CASE WHEN s.mask & 1 <> 0 THEN s.pvars -> s.p_customer_var ELSE s.vars -> s.customer_var END AS customer,
        CASE WHEN s.mask & 2 <> 0 THEN s.pvars -> s.p_account_var ELSE s.vars -> s.account_var END AS account,
        CASE WHEN s.mask & 4 <> 0 THEN s.pvars -> s.p_amount_var ELSE s.vars -> s.amount_var END AS amount,
        CASE WHEN s.mask & 8 <> 0 THEN s.pvars -> s.p_currency_var ELSE s.vars -> s.currency_var END AS currency
    FROM source s
)
UPDATE tasks t
SET subject_customer = left(CASE jsonb_typeof(k.customer) WHEN 'string' THEN k.customer #>> '{}' WHEN 'number' THEN k.customer::text WHEN 'boolean' THEN k.customer::text END, 200),
    subject_account = left(CASE jsonb_typeof(k.account) WHEN 'string' THEN k.account #>> '{}' WHEN 'number' THEN k.account::text WHEN 'boolean' THEN k.account::text END, 200),
    subject_currency = left(CASE jsonb_typeof(k.currency) WHEN 'string' THEN k.currency #>> '{}' WHEN 'number' THEN k.currency::text WHEN 'boolean' THEN k.currency::text END, 200),
    -- A number as stored; a string only when it is plain decimal text (TaskSubject.Number), never a failing cast.
    subject_amount = CASE
        WHEN jsonb_typeof(k.amount) = 'number' THEN (k.amount::text)::numeric
        WHEN jsonb_typeof(k.amount) = 'string' AND length(k.amount #>> '{}') <= 40 AND btrim(k.amount #>> '{}') ~ '^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)$' THEN btrim(k.amount #>> '{}')::numeric
    END,
    subject_parent_definition_id = k.parent_definition_id,
    subject_parent_columns = k.mask
FROM picked k
WHERE t.id = k.id;

-- The search's filters (GET /api/tasks?customer=&account=&amount=&currency=): text compared case-insensitively.
CREATE INDEX ix_tasks_subject_customer ON tasks (lower(subject_customer));
CREATE INDEX ix_tasks_subject_account ON tasks (lower(subject_account));
CREATE INDEX ix_tasks_subject_amount ON tasks (subject_amount);
CREATE INDEX ix_tasks_subject_currency ON tasks (lower(subject_currency));
