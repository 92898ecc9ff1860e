-- The article a fetched page is, by URL identity: its canonical URL, or either URL already
-- known to lead to an article (news.article_urls). Locked, so that two runs revising the
-- same article at once apply their changes one after the other (no lost update).
SELECT a.id, a.url, a.content_hash, a.cluster_id, a.version
FROM news.articles a
WHERE a.canonical_url = :canonical_url
   OR a.id IN (SELECT au.article_id FROM news.article_urls au WHERE au.url IN (:canonical_url, :url))
ORDER BY (a.canonical_url = :canonical_url) DESC, a.id
LIMIT 1
FOR UPDATE OF a
