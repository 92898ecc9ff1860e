-- Stored raw pages by id, for re-extraction without fetching.
SELECT id, source, url, final_url, status, headers, body_gzip, fetched_at
FROM news.pages
WHERE id = ANY(CAST(:ids AS bigint[]))
ORDER BY id
