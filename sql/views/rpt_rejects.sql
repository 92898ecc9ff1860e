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
