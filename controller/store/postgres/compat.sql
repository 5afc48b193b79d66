-- SQLite's JSON helpers the controller's SQL uses, for PostgreSQL, so one
-- statement text serves both backends. Created (or replaced) at every open,
-- under the migration lock; they are not schema steps.

-- json_each(array): one row per element, value as text (strings unquoted,
-- objects and arrays as JSON text), like SQLite's json_each(...).value.
-- The text overload is chosen over pg_catalog.json_each(json) for text
-- columns and untyped parameters.
CREATE OR REPLACE FUNCTION json_each(doc text) RETURNS TABLE (value text)
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT e FROM jsonb_array_elements_text(doc::jsonb) AS e $$;

-- json_extract(doc, '$.a.b'): the value at a path of object keys, as text
-- (NULL when absent or JSON null).
CREATE OR REPLACE FUNCTION json_extract(doc text, path text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT (doc::jsonb) #>> string_to_array(substr(path, 3), '.') $$;

-- incident_id_blocks numbers the blocks of incident IDs controllers take
-- at start (controller/linehealth store.go): block n is [n<<32, (n+1)<<32),
-- so two controllers sharing the database never give two incidents one ID
-- (nor two notifications one idempotency key). State, not a function, but
-- PostgreSQL-only and idempotent, so it lives here rather than in a step.
CREATE SEQUENCE IF NOT EXISTS incident_id_blocks;

-- max(a, b) and min(a, b): SQLite's two-argument scalar forms (PostgreSQL
-- spells them greatest and least), beside the one-argument aggregates.
CREATE OR REPLACE FUNCTION max(a bigint, b bigint) RETURNS bigint
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT greatest(a, b) $$;
CREATE OR REPLACE FUNCTION min(a bigint, b bigint) RETURNS bigint
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT least(a, b) $$;
CREATE OR REPLACE FUNCTION max(a double precision, b double precision) RETURNS double precision
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT greatest(a, b) $$;
CREATE OR REPLACE FUNCTION min(a double precision, b double precision) RETURNS double precision
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT least(a, b) $$;
