-- Which of these normalised URLs the warehouse already holds an answer for: a URL known to lead
-- to an article (fetched, canonical, or a duplicate's), or a page stored with a final status
-- (2xx, 404, 410). Transient failures (5xx, timeouts) are not stored, so they are tried again.
-- Re-fetch policy: a URL of an article younger than :refetch_age (by publication, else first
-- sighting) is not an answer yet: it is fetched again to catch corrections.
SELECT u.url
FROM unnest(CAST(:urls AS text[])) AS u(url)
WHERE (EXISTS (SELECT 1 FROM news.pages p
                WHERE p.url = u.url AND (p.status BETWEEN 200 AND 299 OR p.status IN (404, 410)))
       OR EXISTS (SELECT 1 FROM news.article_urls au WHERE au.url = u.url))
  AND NOT EXISTS (SELECT 1 FROM news.article_urls au JOIN news.articles a ON a.id = au.article_id
                   WHERE au.url = u.url
                     AND coalesce(a.published_at, a.first_seen_at) > now() - CAST(:refetch_age AS interval))
