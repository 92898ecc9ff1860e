-- A new run, locked for as long as its process holds this connection: the session-level advisory
-- lock (RUN_LOCK_KEY, run id) is how a later run tells a live 'running' run from one whose process died.
WITH run AS (
    INSERT INTO news.ingest_runs (flow_run_id, sources) VALUES (:flow_run_id, :sources) RETURNING id
)
SELECT id, pg_advisory_lock(:lock_key, CAST(id AS integer)) FROM run
