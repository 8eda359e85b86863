-- The fiat configuration (issue 12): paying accounts and channels, currency switch, withdrawal rules, bank daily
-- limits with their change history, limit usage and reservations (consumed by conditional UPDATEs), balance
-- interception rules, review rules, more settings, withdrawal parameters per client bank, the configuration journal
-- and the alerts. Mirrors the model of Features/Fiat/Config/ConfigEntities.cs.
CREATE TABLE fiat_bank_accounts (
    id character varying(64) NOT NULL,
    bank_name character varying(400) NOT NULL,
    bic character varying(11),
    account_no character varying(400) NOT NULL,
    account_name character varying(400) NOT NULL,
    currency character varying(3) NOT NULL,
    api_integrated boolean NOT NULL,
    row_version integer NOT NULL,
    created_at timestamp with time zone NOT NULL,
    updated_at timestamp with time zone NOT NULL,
    CONSTRAINT pk_fiat_bank_accounts PRIMARY KEY (id)
);

CREATE TABLE fiat_channels (
    id character varying(64) NOT NULL,
    bank_account_id character varying(64) NOT NULL,
    method character varying(400) NOT NULL,
    currency character varying(3) NOT NULL,
    is_cheque boolean NOT NULL,
    automatic_status boolean NOT NULL,
    enabled boolean NOT NULL,
    row_version integer NOT NULL,
    created_at timestamp with time zone NOT NULL,
    updated_at timestamp with time zone NOT NULL,
    CONSTRAINT pk_fiat_channels PRIMARY KEY (id)
);
CREATE INDEX ix_fiat_channels_bank_account_id ON fiat_channels (bank_account_id);

CREATE TABLE fiat_currencies (
    code character varying(3) NOT NULL,
    withdrawal_enabled boolean NOT NULL,
    row_version integer NOT NULL,
    updated_at timestamp with time zone NOT NULL,
    CONSTRAINT pk_fiat_currencies PRIMARY KEY (code)
);

CREATE TABLE fiat_withdrawal_rules (
    id uuid NOT NULL,
    channel_id character varying(64) NOT NULL,
    policy character varying(40) NOT NULL,
    packing_cron character varying(120),
    single_limit numeric(28,8) NOT NULL,
    customer_daily_limit numeric(28,8) NOT NULL,
    service_windows character varying(4000) NOT NULL,
    supported_banks character varying(4000) NOT NULL,
    priority integer NOT NULL,
    enabled boolean NOT NULL,
    row_version integer NOT NULL,
    created_at timestamp with time zone NOT NULL,
    updated_at timestamp with time zone NOT NULL,
    CONSTRAINT pk_fiat_withdrawal_rules PRIMARY KEY (id)
);
CREATE UNIQUE INDEX ix_fiat_withdrawal_rules_channel_id ON fiat_withdrawal_rules (channel_id);

CREATE TABLE fiat_daily_limits (
    bank_account_id character varying(64) NOT NULL,
    limit_amount numeric(28,8) NOT NULL,
    alert_threshold numeric(28,8) NOT NULL,
    row_version integer NOT NULL,
    updated_at timestamp with time zone NOT NULL,
    CONSTRAINT pk_fiat_daily_limits PRIMARY KEY (bank_account_id)
);

CREATE TABLE fiat_daily_limit_changes (
    id uuid NOT NULL,
    bank_account_id character varying(64) NOT NULL,
    action character varying(20) NOT NULL,
    delta numeric(28,8),
    limit_before numeric(28,8),
    limit_after numeric(28,8),
    alert_before numeric(28,8),
    alert_after numeric(28,8),
    reason character varying(1000),
    actor character varying(200) NOT NULL,
    at timestamp with time zone NOT NULL,
    CONSTRAINT pk_fiat_daily_limit_changes PRIMARY KEY (id)
);
CREATE INDEX ix_fiat_daily_limit_changes_bank_account_id_at ON fiat_daily_limit_changes (bank_account_id, at);

CREATE TABLE fiat_limit_usage (
    scope character varying(200) NOT NULL,
    business_day date NOT NULL,
    used numeric(28,8) NOT NULL,
    version integer NOT NULL,
    CONSTRAINT pk_fiat_limit_usage PRIMARY KEY (scope, business_day)
);

CREATE TABLE fiat_limit_reservations (
    kind character varying(20) NOT NULL,
    reference character varying(200) NOT NULL,
    scope character varying(200) NOT NULL,
    business_day date NOT NULL,
    amount numeric(28,8) NOT NULL,
    at timestamp with time zone NOT NULL,
    CONSTRAINT pk_fiat_limit_reservations PRIMARY KEY (kind, reference)
);
CREATE INDEX ix_fiat_limit_reservations_reference ON fiat_limit_reservations (reference);

CREATE TABLE fiat_interception_rules (
    bank_account_id character varying(64) NOT NULL,
    alert_threshold numeric(28,8) NOT NULL,
    interception_threshold numeric(28,8) NOT NULL,
    enabled boolean NOT NULL,
    row_version integer NOT NULL,
    updated_at timestamp with time zone NOT NULL,
    CONSTRAINT pk_fiat_interception_rules PRIMARY KEY (bank_account_id)
);

CREATE TABLE fiat_review_rules (
    id uuid NOT NULL,
    name character varying(200) NOT NULL,
    kind character varying(40) NOT NULL,
    first_withdrawal boolean,
    new_beneficiary_account boolean,
    amount_at_least numeric(28,8),
    currency character varying(3),
    priority integer NOT NULL,
    enabled boolean NOT NULL,
    row_version integer NOT NULL,
    created_at timestamp with time zone NOT NULL,
    updated_at timestamp with time zone NOT NULL,
    CONSTRAINT pk_fiat_review_rules PRIMARY KEY (id)
);

CREATE TABLE fiat_settings (
    id character varying(20) NOT NULL,
    direct_billing_needs_approval boolean NOT NULL,
    default_review_kind character varying(40) NOT NULL,
    row_version integer NOT NULL,
    updated_at timestamp with time zone NOT NULL,
    CONSTRAINT pk_fiat_settings PRIMARY KEY (id)
);

CREATE TABLE fiat_withdrawal_parameters (
    id uuid NOT NULL,
    client_bank character varying(200) NOT NULL,
    currency character varying(3) NOT NULL,
    estimated_arrival character varying(200),
    fee numeric(28,8),
    row_version integer NOT NULL,
    created_at timestamp with time zone NOT NULL,
    updated_at timestamp with time zone NOT NULL,
    CONSTRAINT pk_fiat_withdrawal_parameters PRIMARY KEY (id)
);
CREATE UNIQUE INDEX ix_fiat_withdrawal_parameters_client_bank_currency ON fiat_withdrawal_parameters (client_bank, currency);

CREATE TABLE fiat_config_journal (
    id bigint GENERATED BY DEFAULT AS IDENTITY,
    at timestamp with time zone NOT NULL,
    actor character varying(200) NOT NULL,
    entity character varying(60) NOT NULL,
    entity_key character varying(200) NOT NULL,
    action character varying(40) NOT NULL,
    before_json character varying(16000),
    after_json character varying(16000),
    reason character varying(1000),
    CONSTRAINT pk_fiat_config_journal PRIMARY KEY (id)
);
CREATE INDEX ix_fiat_config_journal_entity_entity_key ON fiat_config_journal (entity, entity_key);
CREATE INDEX ix_fiat_config_journal_at ON fiat_config_journal (at);

CREATE TABLE fiat_alerts (
    id uuid NOT NULL,
    at timestamp with time zone NOT NULL,
    kind character varying(40) NOT NULL,
    subject character varying(200) NOT NULL,
    reference character varying(200),
    message character varying(1000) NOT NULL,
    CONSTRAINT pk_fiat_alerts PRIMARY KEY (id)
);
CREATE INDEX ix_fiat_alerts_at ON fiat_alerts (at);
