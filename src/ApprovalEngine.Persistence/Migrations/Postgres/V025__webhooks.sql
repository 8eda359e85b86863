-- Issue 15: webhooks for systems. Subscriptions (per definition and event type) and the outbox of deliveries, written
-- in the step's transaction and sent after the commit by the dispatcher. Two new tables; nothing existing changes.
-- SQLite databases get them from the model (missing tables are created at start-up).
CREATE TABLE webhook_subscriptions (
    id uuid NOT NULL,
    definition_id character varying(100) NOT NULL,
    events character varying(200) NOT NULL,
    url character varying(2000) NOT NULL,
    secret_sealed character varying(1000) NOT NULL,
    secret_hint character varying(20) NOT NULL,
    description character varying(400),
    created_by character varying(400) NOT NULL,
    created_at timestamp with time zone NOT NULL,
    disabled_at timestamp with time zone,
    CONSTRAINT pk_webhook_subscriptions PRIMARY KEY (id)
);

CREATE INDEX ix_webhook_subscriptions_definition_id ON webhook_subscriptions (definition_id);

CREATE TABLE webhook_deliveries (
    id uuid NOT NULL,
    subscription_id uuid NOT NULL,
    event_type character varying(60) NOT NULL,
    instance_id uuid NOT NULL,
    definition_id character varying(100) NOT NULL,
    payload text NOT NULL,
    status character varying(20) NOT NULL,
    attempts integer NOT NULL,
    created_at timestamp with time zone NOT NULL,
    next_attempt_at timestamp with time zone NOT NULL,
    last_attempt_at timestamp with time zone,
    delivered_at timestamp with time zone,
    last_status_code integer,
    last_error character varying(1000),
    response_excerpt character varying(500),
    lease_until timestamp with time zone,
    lease_token uuid,
    resent_at timestamp with time zone,
    resent_by character varying(400),
    CONSTRAINT pk_webhook_deliveries PRIMARY KEY (id)
);

-- The dispatcher's queue: pending deliveries in due order (also what the backlog count reads).
CREATE INDEX ix_webhook_deliveries_next_attempt_at ON webhook_deliveries (next_attempt_at) WHERE status = 'Pending';
CREATE INDEX ix_webhook_deliveries_subscription_id_created_at ON webhook_deliveries (subscription_id, created_at);
CREATE INDEX ix_webhook_deliveries_instance_id ON webhook_deliveries (instance_id);
