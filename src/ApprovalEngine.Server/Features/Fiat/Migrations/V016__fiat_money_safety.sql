-- Fiat money safety (issue 12 review): the work orders' second-approval threshold is configuration (More settings),
-- not a constant. Null keeps one checker, as every record before this release had.
ALTER TABLE fiat_settings ADD COLUMN second_approval_threshold numeric(28,8);
