-- The event inbox (issue 11): an event is stored in the transaction of the first step it resumes (each further target's
-- delivery row in that target's step), or on its own as Waiting until a WaitForEvent bookmark for it appears or it
-- expires. Nothing is dropped: keys the previous release stored in idempotency_keys (scope 'event') stay and are still
-- answered as duplicates.

CREATE TABLE events (
    id uuid NOT NULL,
    name character varying(100) NOT NULL,
    correlation_id character varying(200) NOT NULL,
    payload_json text,
    idempotency_key character varying(200),
    sender character varying(200) NOT NULL,
    received_at timestamp with time zone NOT NULL,
    expires_at timestamp with time zone,
    status character varying(20) NOT NULL,
    outcome_json text,
    lease_until timestamp with time zone,
    CONSTRAINT pk_events PRIMARY KEY (id)
);

CREATE UNIQUE INDEX ix_events_name_sender_idempotency_key ON events (name, sender, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX ix_events_name_correlation_id ON events (name, correlation_id) WHERE status = 'Waiting';
CREATE INDEX ix_events_expires_at ON events (expires_at) WHERE status = 'Waiting';
CREATE INDEX ix_events_status_received_at ON events (status, received_at);

CREATE TABLE event_deliveries (
    event_id uuid NOT NULL,
    instance_id uuid NOT NULL,
    bookmark_id uuid,
    delivered_at timestamp with time zone NOT NULL,
    CONSTRAINT pk_event_deliveries PRIMARY KEY (event_id, instance_id)
);

CREATE INDEX ix_event_deliveries_instance_id ON event_deliveries (instance_id);

-- Start triggers (ADR 9): the published version's triggers, rewritten at each publication; a cron trigger is a due row
-- leased by the pollers of every node. trigger_starts makes an event id or a cron tick start a definition once.
CREATE TABLE start_triggers (
    definition_id character varying(100) NOT NULL,
    trigger_id character varying(120) NOT NULL,
    version integer NOT NULL,
    kind character varying(10) NOT NULL,
    event_name character varying(100),
    cron character varying(200),
    time_zone character varying(100),
    next_due_at timestamp with time zone,
    lease_until timestamp with time zone,
    CONSTRAINT pk_start_triggers PRIMARY KEY (definition_id, trigger_id)
);

CREATE INDEX ix_start_triggers_event_name ON start_triggers (event_name) WHERE event_name IS NOT NULL;
CREATE INDEX ix_start_triggers_next_due_at ON start_triggers (next_due_at) WHERE next_due_at IS NOT NULL;

CREATE TABLE trigger_starts (
    definition_id character varying(100) NOT NULL,
    trigger_key character varying(200) NOT NULL,
    instance_id uuid NOT NULL,
    created_at timestamp with time zone NOT NULL,
    CONSTRAINT pk_trigger_starts PRIMARY KEY (definition_id, trigger_key)
);
