-- Four eyes on weakening configuration changes (ADR 15) and the Operations alert inbox: new tables only; nothing
-- stored before changes. Settings applied before this release stay as they are (a change is held only when made).
CREATE TABLE fiat_config_pending_changes (
    id uuid NOT NULL,
    entity character varying(60) NOT NULL,
    entity_key character varying(200) NOT NULL,
    action character varying(40) NOT NULL,
    body character varying(16000) NOT NULL,
    before character varying(16000),
    summary character varying(1000) NOT NULL,
    proposed_by character varying(200) NOT NULL,
    proposed_at timestamp with time zone NOT NULL,
    status character varying(20) NOT NULL,
    decided_by character varying(200),
    decided_at timestamp with time zone,
    reason character varying(1000),
    row_version integer NOT NULL,
    CONSTRAINT pk_fiat_config_pending_changes PRIMARY KEY (id)
);
CREATE INDEX ix_fiat_config_pending_changes_status ON fiat_config_pending_changes (status);

-- One item per alert kind, bank account and business day: the first alert opens it, later ones count on it.
CREATE TABLE fiat_alert_items (
    id uuid NOT NULL,
    kind character varying(40) NOT NULL,
    subject character varying(200) NOT NULL,
    business_day date NOT NULL,
    first_at timestamp with time zone NOT NULL,
    last_at timestamp with time zone NOT NULL,
    count integer NOT NULL,
    last_reference character varying(200),
    last_message character varying(1000) NOT NULL,
    acknowledged_by character varying(200),
    acknowledged_at timestamp with time zone,
    CONSTRAINT pk_fiat_alert_items PRIMARY KEY (id)
);
CREATE UNIQUE INDEX ix_fiat_alert_items_kind_subject_business_day ON fiat_alert_items (kind, subject, business_day);
CREATE INDEX ix_fiat_alert_items_acknowledged_at ON fiat_alert_items (acknowledged_at);
