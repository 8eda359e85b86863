-- The fiat family's records table (ADR 13): one row per fiat-withdrawal instance, kept by FiatProjection in the
-- step's transaction. Instances started by an earlier release are back-filled from their stored state, so that the
-- records list and the daily limits see them (business day = their creation day in Hong Kong, the default zone).
CREATE TABLE fiat_withdrawals (
    id uuid NOT NULL,
    record_no character varying(64) NOT NULL,
    customer_id character varying(400) NOT NULL,
    currency character varying(400) NOT NULL,
    amount numeric(28,8) NOT NULL,
    fee numeric(28,8) NOT NULL,
    beneficiary_account character varying(400) NOT NULL,
    beneficiary_bank character varying(400),
    beneficiary_name character varying(400),
    channel_id character varying(400),
    policy character varying(400),
    status character varying(60) NOT NULL,
    batch_id character varying(400),
    bank_reference character varying(400),
    business_day date NOT NULL,
    finished boolean NOT NULL,
    created_at timestamp with time zone NOT NULL,
    updated_at timestamp with time zone NOT NULL,
    CONSTRAINT pk_fiat_withdrawals PRIMARY KEY (id)
);
CREATE UNIQUE INDEX ix_fiat_withdrawals_record_no ON fiat_withdrawals (record_no);
CREATE INDEX ix_fiat_withdrawals_customer_id_business_day ON fiat_withdrawals (customer_id, business_day);
CREATE INDEX ix_fiat_withdrawals_status_channel_id ON fiat_withdrawals (status, channel_id);
CREATE INDEX ix_fiat_withdrawals_batch_id ON fiat_withdrawals (batch_id);
CREATE INDEX ix_fiat_withdrawals_created_at ON fiat_withdrawals (created_at);

INSERT INTO fiat_withdrawals (id, record_no, customer_id, currency, amount, fee, beneficiary_account, beneficiary_bank, beneficiary_name,
    channel_id, policy, status, batch_id, bank_reference, business_day, finished, created_at, updated_at)
SELECT i.id,
       COALESCE(s.v->>'recordNo', i.correlation_id, replace(i.id::text, '-', '')),
       COALESCE(s.v->>'customerId', ''),
       COALESCE(s.v->>'currency', ''),
       COALESCE((s.v->>'amount')::numeric, 0),
       COALESCE((s.v->>'fee')::numeric, 0),
       COALESCE(s.v->>'bankAccount', ''),
       s.v->>'beneficiaryBank', s.v->>'beneficiaryName', s.v->>'channel', s.v->>'policy',
       COALESCE(i.business_status, 'Pending'),
       s.v->>'batchId', s.v->>'bankReference',
       (i.created_at AT TIME ZONE 'Asia/Hong_Kong')::date,
       i.status IN ('Completed', 'Cancelled'),
       i.created_at, i.updated_at
FROM instances i
CROSS JOIN LATERAL (SELECT (i.state_json::jsonb)->'variables' AS v) s
WHERE i.definition_id = 'fiat-withdrawal' AND i.parent_instance_id IS NULL
ON CONFLICT DO NOTHING;
