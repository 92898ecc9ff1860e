-- Keep the version being replaced (its text and when it was last seen) before the row is revised.
INSERT INTO news.article_versions (article_id, version, title, lead, body, content_hash, seen_at, run_id)
SELECT id, version, title, lead, body, content_hash, last_seen_at, :run_id
FROM news.articles WHERE id = :article_id
