-- Instance migration requests (ADR 12): one analyst submits a move of running instances from one version of a
-- definition to another, with its activity mapping and the exact instances; another applies it. Only an addition.
CREATE TABLE instance_migrations (
    id uuid NOT NULL,
    definition_id character varying(100) NOT NULL,
    from_version integer NOT NULL,
    to_version integer NOT NULL,
    mapping_json text NOT NULL,
    instance_ids_json text NOT NULL,
    status character varying(20) NOT NULL,
    note character varying(2000),
    submitted_by character varying(400) NOT NULL,
    submitted_at timestamp with time zone NOT NULL,
    decided_by character varying(400),
    decided_at timestamp with time zone,
    decision_reason character varying(2000),
    results_json text,
    CONSTRAINT pk_instance_migrations PRIMARY KEY (id)
);

CREATE INDEX ix_instance_migrations_definition_id_status ON instance_migrations (definition_id, status);
