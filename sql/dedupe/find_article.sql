-- The article a fetched page is, by URL identity: its canonical URL, or either URL already
-- known to lead to an article (news.article_urls); each an index lookup. Locked, so that two
-- runs revising the same article at once apply their changes one after the other (no lost update).
SELECT a.id, a.url, a.content_hash, a.cluster_id, a.version
FROM news.articles a
WHERE a.id IN (SELECT id FROM news.articles WHERE canonical_url = :canonical_url
               UNION ALL
               SELECT article_id FROM news.article_urls WHERE url IN (:canonical_url, :url))
ORDER BY (a.canonical_url = :canonical_url) DESC, a.id
LIMIT 1
FOR UPDATE OF a
