-- The Development blockchain sandbox in the database (issue 13): what it broadcast (unique per idempotency key, so a
-- retried or repeated broadcast after a restart sends nothing twice), the deposits it knows, and the confirmations
-- reported for each. Mirrors Features/Crypto/Sandbox/SandboxChainTransaction.cs. Only adds a table; rows exist only
-- where the sandbox adapters run.
CREATE TABLE crypto_sandbox_transactions (
    tx_id character varying(100) NOT NULL,
    kind character varying(20) NOT NULL,
    idempotency_key character varying(200),
    coin character varying(10) NOT NULL,
    network character varying(20) NOT NULL,
    address character varying(200) NOT NULL,
    amount numeric(38,18) NOT NULL,
    reference character varying(200) NOT NULL,
    confirmations integer NOT NULL,
    failed boolean NOT NULL,
    created_at timestamp with time zone NOT NULL,
    updated_at timestamp with time zone NOT NULL,
    CONSTRAINT pk_crypto_sandbox_transactions PRIMARY KEY (tx_id)
);
CREATE UNIQUE INDEX ix_crypto_sandbox_transactions_idempotency_key ON crypto_sandbox_transactions (idempotency_key);
