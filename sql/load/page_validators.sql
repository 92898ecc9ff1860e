-- ETag / Last-Modified of stored pages, for a conditional re-fetch (a 304 means the stored page still holds).
SELECT url, headers ->> 'etag' AS etag, headers ->> 'last-modified' AS last_modified
FROM news.pages
WHERE url = ANY(CAST(:urls AS text[])) AND status = 200
  AND (headers ? 'etag' OR headers ? 'last-modified')
