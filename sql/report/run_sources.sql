-- Per-source counts of one run, as the CLI summary prints them.
SELECT source, discovered, fetched, new, updated, unchanged, duplicates, rejected, error
FROM news.ingest_run_sources
WHERE run_id = :run_id
ORDER BY source
