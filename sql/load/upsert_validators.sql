INSERT INTO news.http_validators (url, source, etag, last_modified, children, checked_at, run_id)
VALUES (:url, :source, :etag, :last_modified, :children, now(), :run_id)
ON CONFLICT (url) DO UPDATE
   SET source = EXCLUDED.source, etag = EXCLUDED.etag, last_modified = EXCLUDED.last_modified,
       children = EXCLUDED.children, checked_at = now(), run_id = EXCLUDED.run_id
