-- The sources a run leaves drifted or stale (news.rpt_source_drift), for its summary and alert.
SELECT source, signals, stale, detail
  FROM news.rpt_source_drift
 WHERE run_id = :run_id AND (drifted OR stale)
 ORDER BY source
