-- The fiat bank side (issue 12). The sandbox bank (Development and tests only: DatabaseBankSandbox) keeps its accounts,
-- payouts (one row per idempotency key: a key pays once, also under concurrency), bank files and hand-booked statement
-- entries here, so that it survives a restart like a real bank would.
CREATE TABLE sandbox_bank_accounts (
    channel_id character varying(400) NOT NULL,
    currency character varying(400) NOT NULL,
    balance numeric(28,8),
    updated_at timestamp with time zone NOT NULL,
    CONSTRAINT pk_sandbox_bank_accounts PRIMARY KEY (channel_id)
);

CREATE SEQUENCE sandbox_bank_references START WITH 1;

CREATE TABLE sandbox_bank_payouts (
    id uuid NOT NULL,
    reference_no bigint NOT NULL,
    bank_reference character varying(400) NOT NULL,
    channel_id character varying(400) NOT NULL,
    beneficiary_account character varying(400) NOT NULL,
    amount numeric(28,8) NOT NULL,
    currency character varying(400) NOT NULL,
    reference character varying(400) NOT NULL,
    idempotency_key character varying(400) NOT NULL,
    status character varying(20) NOT NULL,
    file_id character varying(400),
    submitted_at timestamp with time zone NOT NULL,
    CONSTRAINT pk_sandbox_bank_payouts PRIMARY KEY (id)
);
CREATE UNIQUE INDEX ix_sandbox_bank_payouts_idempotency_key ON sandbox_bank_payouts (idempotency_key);
CREATE INDEX ix_sandbox_bank_payouts_channel_id_submitted_at ON sandbox_bank_payouts (channel_id, submitted_at);
CREATE INDEX ix_sandbox_bank_payouts_reference ON sandbox_bank_payouts (reference);

CREATE TABLE sandbox_bank_files (
    id uuid NOT NULL,
    file_id character varying(400) NOT NULL,
    idempotency_key character varying(400) NOT NULL,
    reference_no bigint NOT NULL,
    bank_reference character varying(400) NOT NULL,
    channel_id character varying(400) NOT NULL,
    currency character varying(400) NOT NULL,
    format character varying(400) NOT NULL,
    content text NOT NULL,
    transfers integer NOT NULL,
    total numeric(28,8) NOT NULL,
    submitted_at timestamp with time zone NOT NULL,
    CONSTRAINT pk_sandbox_bank_files PRIMARY KEY (id)
);
CREATE UNIQUE INDEX ix_sandbox_bank_files_idempotency_key ON sandbox_bank_files (idempotency_key);

CREATE TABLE sandbox_bank_entries (
    id uuid NOT NULL,
    channel_id character varying(400) NOT NULL,
    entry_id character varying(400) NOT NULL,
    booking_date date NOT NULL,
    amount numeric(28,8) NOT NULL,
    currency character varying(400) NOT NULL,
    is_debit boolean NOT NULL,
    reference character varying(400),
    counterparty_account character varying(400),
    description character varying(400),
    CONSTRAINT pk_sandbox_bank_entries PRIMARY KEY (id)
);
CREATE UNIQUE INDEX ix_sandbox_bank_entries_channel_id_entry_id ON sandbox_bank_entries (channel_id, entry_id);
