-- Four eyes on coin edits that weaken a control (ADR 18 amended): fewer confirmations or a higher maximum wait here
-- for a second holder of crypto:configure. Mirrors Features/Crypto/Coins/CoinPendingChanges.cs. Only adds a table.
CREATE TABLE crypto_config_pending_changes (
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
    CONSTRAINT pk_crypto_config_pending_changes PRIMARY KEY (id)
);
CREATE INDEX ix_crypto_config_pending_changes_status ON crypto_config_pending_changes (status);
