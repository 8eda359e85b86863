-- Issue 12, four eyes on configuration (ADR 15):
-- 1. The second-approval threshold per currency. The single value stored before (fiat_settings.second_approval_threshold,
--    V016) becomes the default for every currency without its own row: it stays where it is, with the same meaning
--    for every currency as before, so a database upgraded with it keeps its behaviour. Nothing is dropped.
CREATE TABLE fiat_second_approval_thresholds (
    currency character varying(3) NOT NULL,
    threshold numeric(28,8) NOT NULL,
    CONSTRAINT pk_fiat_second_approval_thresholds PRIMARY KEY (currency)
);

-- 2. The configuration's version: one row, bumped in the same transaction as every configuration change (every
--    change writes a journal entry; FiatDbContext bumps the row when it saves one). Nodes cache the channels per
--    version and read only this row per step instead of counting the journal.
CREATE TABLE fiat_config_version (
    id integer NOT NULL,
    version bigint NOT NULL,
    CONSTRAINT pk_fiat_config_version PRIMARY KEY (id)
);
INSERT INTO fiat_config_version (id, version) SELECT 1, count(*) FROM fiat_config_journal;
