-- The warehouse runs of the given Prefect flow runs (a fan-out's children), one row per run and source:
-- the run's id and status, each source's counts and error (NULL source: a run with no source rows yet).
SELECT r.flow_run_id::text AS flow_run_id, r.id AS run_id, r.status, r.error AS run_error,
       s.source, s.discovered, s.fetched, s.new, s.updated, s.unchanged, s.duplicates, s.rejected,
       s.not_modified, s.error
  FROM news.ingest_runs r
  LEFT JOIN news.ingest_run_sources s ON s.run_id = r.id
 WHERE r.flow_run_id = ANY(CAST(:flow_run_ids AS uuid[]))
 ORDER BY r.id, s.source
