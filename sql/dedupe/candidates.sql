-- Near-duplicate candidates of one article: the articles sharing at least one LSH bucket
-- with it, most shared buckets first. An index lookup per bucket (article_buckets' primary key).
-- :article_id is the article itself when it is stored already, else NULL (a new article has no buckets yet).
SELECT a.id, coalesce(a.cluster_id, a.id) AS cluster_id, a.lead, a.body, count(*) AS shared
FROM news.article_buckets b
JOIN news.articles a ON a.id = b.article_id
WHERE b.bucket = ANY(CAST(:buckets AS bigint[])) AND b.article_id IS DISTINCT FROM :article_id
GROUP BY a.id
ORDER BY shared DESC, a.id
LIMIT :limit
