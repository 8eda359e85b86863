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

-- Withdrawal bills: the paying accounts' statement entries (imported camt.053 / CSV, or fetched from the bank's API),
-- one row per channel and bank entry id; their reconciliation with the records (match status, the record, reasons,
-- manual tags awaiting a second person's confirmation); accepted imports; and the journal of every change to an entry.
CREATE TABLE fiat_statement_entries (
    id uuid NOT NULL,
    channel_id character varying(400) NOT NULL,
    entry_id character varying(400) NOT NULL,
    booking_date date NOT NULL,
    bank_amount numeric(28,8) NOT NULL,
    amount numeric(28,8) NOT NULL,
    currency character varying(400) NOT NULL,
    direction character varying(10) NOT NULL,
    reference character varying(400),
    counterparty_account character varying(400),
    description character varying(1000),
    source character varying(400) NOT NULL,
    import_id uuid,
    match_status character varying(30) NOT NULL,
    record_id uuid,
    record_no character varying(400),
    match_reasons text,
    manual_match boolean NOT NULL,
    matched_at timestamp with time zone,
    tagged_by character varying(400),
    tagged_at timestamp with time zone,
    confirmed_by character varying(400),
    deleted boolean NOT NULL,
    deleted_by character varying(400),
    deleted_at timestamp with time zone,
    created_by character varying(400) NOT NULL,
    created_at timestamp with time zone NOT NULL,
    updated_at timestamp with time zone NOT NULL,
    CONSTRAINT pk_fiat_statement_entries PRIMARY KEY (id)
);
CREATE UNIQUE INDEX ix_fiat_statement_entries_channel_id_entry_id ON fiat_statement_entries (channel_id, entry_id);
CREATE INDEX ix_fiat_statement_entries_channel_id_match_status_booking_date ON fiat_statement_entries (channel_id, match_status, booking_date);
CREATE INDEX ix_fiat_statement_entries_record_no ON fiat_statement_entries (record_no);
CREATE INDEX ix_fiat_statement_entries_reference ON fiat_statement_entries (reference);

CREATE TABLE fiat_statement_imports (
    id uuid NOT NULL,
    channel_id character varying(400) NOT NULL,
    format character varying(400) NOT NULL,
    file_name character varying(400),
    imported integer NOT NULL,
    duplicates integer NOT NULL,
    skipped integer NOT NULL,
    imported_by character varying(400) NOT NULL,
    imported_at timestamp with time zone NOT NULL,
    CONSTRAINT pk_fiat_statement_imports PRIMARY KEY (id)
);
CREATE INDEX ix_fiat_statement_imports_channel_id_imported_at ON fiat_statement_imports (channel_id, imported_at);

CREATE TABLE fiat_statement_journal (
    id uuid NOT NULL,
    entry_id uuid NOT NULL,
    action character varying(400) NOT NULL,
    actor character varying(400) NOT NULL,
    at timestamp with time zone NOT NULL,
    before text,
    after text,
    comment character varying(2000),
    CONSTRAINT pk_fiat_statement_journal PRIMARY KEY (id)
);
CREATE INDEX ix_fiat_statement_journal_entry_id_at ON fiat_statement_journal (entry_id, at);

-- Cheques (Check Printing): one row per record paid by cheque with its number (unique: one paper cheque, one record)
-- and print count; every print, initial or reprint, is journaled in fiat_cheque_prints.
CREATE TABLE fiat_cheques (
    record_id uuid NOT NULL,
    record_no character varying(400) NOT NULL,
    cheque_no character varying(20) NOT NULL,
    print_count integer NOT NULL,
    first_printed_by character varying(400) NOT NULL,
    first_printed_at timestamp with time zone NOT NULL,
    last_printed_by character varying(400) NOT NULL,
    last_printed_at timestamp with time zone NOT NULL,
    CONSTRAINT pk_fiat_cheques PRIMARY KEY (record_id)
);
CREATE UNIQUE INDEX ix_fiat_cheques_cheque_no ON fiat_cheques (cheque_no);
CREATE UNIQUE INDEX ix_fiat_cheques_record_no ON fiat_cheques (record_no);

CREATE TABLE fiat_cheque_prints (
    id uuid NOT NULL,
    print_run uuid NOT NULL,
    record_id uuid NOT NULL,
    record_no character varying(400) NOT NULL,
    cheque_no character varying(20) NOT NULL,
    previous_cheque_no character varying(20),
    kind character varying(20) NOT NULL,
    printed_by character varying(400) NOT NULL,
    printed_at timestamp with time zone NOT NULL,
    CONSTRAINT pk_fiat_cheque_prints PRIMARY KEY (id)
);
CREATE INDEX ix_fiat_cheque_prints_record_id_printed_at ON fiat_cheque_prints (record_id, printed_at);
