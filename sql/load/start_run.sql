INSERT INTO news.ingest_runs (flow_run_id, sources) VALUES (:flow_run_id, :sources) RETURNING id
