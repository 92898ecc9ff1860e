-- Remember the URLs that lead to an article, so a later listing of either is not fetched again.
INSERT INTO news.article_urls (url, article_id)
SELECT DISTINCT u, :article_id FROM unnest(CAST(:urls AS text[])) AS t(u)
ON CONFLICT (url) DO NOTHING
