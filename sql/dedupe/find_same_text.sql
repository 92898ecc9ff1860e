-- The article of this source holding the same text under another canonical URL.
SELECT id, url, content_hash, cluster_id, version
FROM news.articles
WHERE source = :source AND content_hash = :content_hash
FOR UPDATE
