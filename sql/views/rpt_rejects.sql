-- rpt_rejects: what failed, grouped by run, source, stage and reason.
-- Grain: run x source x stage x reason. Look up the URLs in news.rejects.
CREATE OR REPLACE VIEW news.rpt_rejects AS
SELECT run_id, source, stage, reason, http_status,
       count(*)        AS pages,
       min(created_at) AS first_at
FROM news.rejects
GROUP BY run_id, source, stage, reason, http_status;
