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
