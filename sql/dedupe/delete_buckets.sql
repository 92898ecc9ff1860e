DELETE FROM news.article_buckets WHERE article_id = :article_id
