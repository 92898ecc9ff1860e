-- Index an article under its LSH buckets, so that a later near-duplicate check finds it (dedupe/candidates.sql).
INSERT INTO news.article_buckets (bucket, article_id)
SELECT DISTINCT b, :article_id FROM unnest(CAST(:buckets AS bigint[])) AS u(b)
ON CONFLICT DO NOTHING
