-- GET /api/instances?customer= (ADR 16) compares one variable of an instance's state, which is JSON text in
-- instances.state_json. Matching the text is not enough: V003 (and any migration using jsonb_set) rewrote stored
-- states in jsonb's own spacing and key order. This reads the variable as JSON instead. Only an addition.
CREATE OR REPLACE FUNCTION instance_state_variable(state_json text, name text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT (state_json::jsonb -> 'variables') ->> name $$;
