-- Issue 13: the sandbox trading platform reports the payment method of the last deposit to an account, so that a WD
-- withdrawal defaults to it (manual 003). A table of its own: nothing existing changes. SQLite databases get it from
-- the model (missing tables are created at start-up).
CREATE TABLE sandbox_deposit_methods (
    account character varying(64) NOT NULL,
    method character varying(40) NOT NULL,
    updated_at timestamp with time zone NOT NULL,
    CONSTRAINT pk_sandbox_deposit_methods PRIMARY KEY (account)
);
