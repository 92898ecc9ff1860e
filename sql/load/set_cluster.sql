-- Put an article in its story (near-duplicate cluster): the story dedupe chose, or its own id.
UPDATE news.articles SET cluster_id = :cluster_id WHERE id = :article_id
