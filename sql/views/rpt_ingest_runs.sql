-- rpt_ingest_runs: every run with its duration and counts, newest first.
-- Grain: run. A run still 'running' is in progress; one whose process died is marked 'abandoned'
-- when the next run starts.
CREATE OR REPLACE VIEW news.rpt_ingest_runs AS
SELECT r.id AS run_id,
       r.flow_run_id,
       r.status,
       r.started_at,
       r.finished_at,
       r.finished_at - r.started_at AS duration,
       r.sources,
       r.discovered, r.fetched, r.new, r.updated, r.unchanged, r.duplicates, r.rejected,
       r.error,
       r.not_modified                          -- listings and pages that answered 304
FROM news.ingest_runs r
ORDER BY r.id DESC;
