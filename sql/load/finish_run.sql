UPDATE news.ingest_runs
   SET finished_at = now(), status = :status, error = :error,
       discovered = :discovered, fetched = :fetched, new = :new, updated = :updated,
       unchanged = :unchanged, duplicates = :duplicates, rejected = :rejected, not_modified = :not_modified
 WHERE id = :run_id
