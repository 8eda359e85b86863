-- Four eyes by identity (ADR 7) for instances stored before the engine recorded identities.
-- Only transforms data: adds "startedBy" and "actors" to the state JSON (instances.state_json, a text column holding
-- the document of InstanceStateJson), where they are missing. Nothing is dropped or overwritten.

-- startedBy: the user of the instance's InstanceStarted journal entry; a sub-workflow gets its top-level
-- ancestor's starter (the engine started it as "parent", and a work order's maker is who submitted the application).
WITH RECURSIVE lineage (id, root_id) AS (
    SELECT id, id FROM instances WHERE parent_instance_id IS NULL
    UNION ALL
    SELECT child.id, lineage.root_id FROM instances child JOIN lineage ON child.parent_instance_id = lineage.id
),
starters AS (
    SELECT DISTINCT ON (instance_id) instance_id, user_id
    FROM journal
    WHERE kind = 'InstanceStarted' AND user_id IS NOT NULL
    ORDER BY instance_id, sequence
)
UPDATE instances AS i
SET state_json = jsonb_set(i.state_json::jsonb, '{startedBy}', to_jsonb(starters.user_id))::text
FROM lineage
JOIN starters ON starters.instance_id = lineage.root_id
WHERE lineage.id = i.id
  AND jsonb_typeof(i.state_json::jsonb -> 'startedBy') IS DISTINCT FROM 'string';

-- actors: per user task (activity id), who completed its tasks, in the order they first did.
WITH completed AS (
    SELECT instance_id, activity_id, closed_by, min(closed_at) AS first_at
    FROM tasks
    WHERE status = 'Completed' AND closed_by IS NOT NULL
    GROUP BY instance_id, activity_id, closed_by
),
per_activity AS (
    SELECT instance_id, activity_id, jsonb_agg(closed_by ORDER BY first_at, closed_by) AS users
    FROM completed
    GROUP BY instance_id, activity_id
),
per_instance AS (
    SELECT instance_id, jsonb_object_agg(activity_id, users) AS actors
    FROM per_activity
    GROUP BY instance_id
)
UPDATE instances AS i
SET state_json = jsonb_set(i.state_json::jsonb, '{actors}', per_instance.actors)::text
FROM per_instance
WHERE per_instance.instance_id = i.id
  AND jsonb_typeof(i.state_json::jsonb -> 'actors') IS DISTINCT FROM 'object';
