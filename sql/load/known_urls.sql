-- Which of these normalised URLs the warehouse already holds an answer for: an article
-- fetched from or canonical at that URL, or a page stored with a final status (2xx, 404, 410).
-- Transient failures (5xx, timeouts) are not stored, so they are tried again next run.
SELECT u.url
FROM unnest(CAST(:urls AS text[])) AS u(url)
WHERE EXISTS (SELECT 1 FROM news.pages p
               WHERE p.url = u.url AND (p.status BETWEEN 200 AND 299 OR p.status IN (404, 410)))
   OR EXISTS (SELECT 1 FROM news.articles a WHERE a.canonical_url = u.url)
   OR EXISTS (SELECT 1 FROM news.articles a WHERE a.url = u.url)
