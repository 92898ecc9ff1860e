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

COMMENT ON VIEW news.rpt_ingest_runs IS 'Every run with its duration and counts, newest first. Grain: run.';
COMMENT ON COLUMN news.rpt_ingest_runs.run_id IS 'Run id (news.ingest_runs.id).';
COMMENT ON COLUMN news.rpt_ingest_runs.flow_run_id IS 'The Prefect flow run, when the run ran as one.';
COMMENT ON COLUMN news.rpt_ingest_runs.status IS 'running, completed, partial (a source failed), failed (the run stopped, or every source failed entirely) or abandoned (its process died).';
COMMENT ON COLUMN news.rpt_ingest_runs.started_at IS 'When the run started.';
COMMENT ON COLUMN news.rpt_ingest_runs.finished_at IS 'When the run ended (NULL while running or if its process died).';
COMMENT ON COLUMN news.rpt_ingest_runs.duration IS 'finished_at - started_at.';
COMMENT ON COLUMN news.rpt_ingest_runs.sources IS 'Names of the sources the run covered.';
COMMENT ON COLUMN news.rpt_ingest_runs.discovered IS 'Article URLs found in feeds, sitemaps and listing pages.';
COMMENT ON COLUMN news.rpt_ingest_runs.fetched IS 'Article pages requested over HTTP.';
COMMENT ON COLUMN news.rpt_ingest_runs.new IS 'Articles inserted.';
COMMENT ON COLUMN news.rpt_ingest_runs.updated IS 'Articles whose content changed.';
COMMENT ON COLUMN news.rpt_ingest_runs.unchanged IS 'Articles seen again with the same content.';
COMMENT ON COLUMN news.rpt_ingest_runs.duplicates IS 'Pages that repeat an article already held.';
COMMENT ON COLUMN news.rpt_ingest_runs.rejected IS 'Rows the run added to news.rejects.';
COMMENT ON COLUMN news.rpt_ingest_runs.error IS 'Why the run failed or was partial.';
COMMENT ON COLUMN news.rpt_ingest_runs.not_modified IS 'Feeds, sitemaps and pages that answered 304 Not Modified.';
