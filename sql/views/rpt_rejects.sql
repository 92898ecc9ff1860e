-- rpt_rejects: what failed and how often, grouped by run, source, stage and reason code.
-- Grain: run x source x stage x reason_code x http_status. reason_code is one of the closed set of
-- tasks/errors.py (README: "Reject codes"); sample_reason is one of the group's reasons in words
-- (the newest), values included. Look up the URLs in news.rejects.
CREATE OR REPLACE VIEW news.rpt_rejects AS
SELECT run_id, source, stage, reason_code, http_status,
       count(*)                                      AS pages,
       min(created_at)                               AS first_at,
       (array_agg(reason ORDER BY created_at DESC))[1] AS sample_reason
FROM news.rejects
GROUP BY run_id, source, stage, reason_code, http_status;

COMMENT ON VIEW news.rpt_rejects IS 'What failed and how often, by run, source, stage and reason code; the URLs are in news.rejects. Grain: run x source x stage x reason_code x http_status.';
COMMENT ON COLUMN news.rpt_rejects.run_id IS 'The run (news.ingest_runs.id).';
COMMENT ON COLUMN news.rpt_rejects.source IS 'The source (news.sources.name).';
COMMENT ON COLUMN news.rpt_rejects.stage IS 'discover, fetch, extract or load.';
COMMENT ON COLUMN news.rpt_rejects.reason_code IS 'Why, as a code of the closed set (README: Reject codes).';
COMMENT ON COLUMN news.rpt_rejects.http_status IS 'HTTP status of the failed answers, when there was one.';
COMMENT ON COLUMN news.rpt_rejects.pages IS 'Rejects in the group.';
COMMENT ON COLUMN news.rpt_rejects.first_at IS 'When the group''s first reject was recorded.';
COMMENT ON COLUMN news.rpt_rejects.sample_reason IS 'The newest reason of the group, in words with its values.';
