-- The stored article pages to re-extract (HTTP 200), oldest first; all sources when :sources is NULL.
SELECT id, source
FROM news.pages
WHERE status = 200 AND (CAST(:sources AS text[]) IS NULL OR source = ANY(CAST(:sources AS text[])))
ORDER BY id
