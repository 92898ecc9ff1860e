-- A run row without a lease, for loading outside any flow (tasks.warehouse.runs.open_run).
INSERT INTO news.ingest_runs (sources) VALUES (:sources) RETURNING id
