-- Articles whose re-fetch answered 304 Not Modified: seen again, unchanged; only the sighting time moves.
UPDATE news.articles a SET last_seen_at = now()
  FROM (SELECT DISTINCT article_id FROM news.article_urls WHERE url = ANY(CAST(:urls AS text[]))) u
 WHERE a.id = u.article_id
RETURNING a.id
