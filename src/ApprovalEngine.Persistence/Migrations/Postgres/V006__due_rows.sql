-- Timers and job runs are due rows that pollers on every node take with FOR UPDATE SKIP LOCKED (ADR 8), instead of
-- one Quartz trigger per timer written under Quartz's cluster-wide TRIGGER_ACCESS lock. Timer bookmarks (due_at) and
-- pending jobs (next_attempt_at) already are those rows; a lease marks the ones a node has taken, so another node
-- takes them again only if that node dies. Triggers the previous release stored stay and fire harmlessly: firing is
-- idempotent (a fired timer's bookmark is gone; a finished job is no longer Pending).

ALTER TABLE bookmarks ADD COLUMN lease_until timestamp with time zone NULL;
ALTER TABLE jobs ADD COLUMN lease_until timestamp with time zone NULL;

CREATE INDEX ix_bookmarks_due_at ON bookmarks (due_at) WHERE due_at IS NOT NULL;
CREATE INDEX ix_jobs_next_attempt_at ON jobs (next_attempt_at) WHERE status = 'Pending';

-- A step numbers its journal entries from the instance row instead of asking max(sequence) every time.
ALTER TABLE instances ADD COLUMN journal_sequence bigint NOT NULL DEFAULT 0;
UPDATE instances i
SET journal_sequence = j.last
FROM (SELECT instance_id, max(sequence) AS last FROM journal GROUP BY instance_id) j
WHERE j.instance_id = i.id;
