INSERT INTO news.ingest_run_sources
       (run_id, source, discovered, fetched, new, updated, unchanged, duplicates, rejected, not_modified, error)
VALUES (:run_id, :source, :discovered, :fetched, :new, :updated, :unchanged, :duplicates, :rejected, :not_modified,
        :error)
ON CONFLICT (run_id, source) DO UPDATE
   SET discovered = EXCLUDED.discovered, fetched = EXCLUDED.fetched, new = EXCLUDED.new,
       updated = EXCLUDED.updated, unchanged = EXCLUDED.unchanged, duplicates = EXCLUDED.duplicates,
       rejected = EXCLUDED.rejected, not_modified = EXCLUDED.not_modified, error = EXCLUDED.error
