-- A revised article's buckets follow its new text: the old ones go first.
DELETE FROM news.article_buckets WHERE article_id = :article_id
