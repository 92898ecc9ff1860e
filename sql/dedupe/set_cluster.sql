UPDATE news.articles SET cluster_id = :cluster_id WHERE id = :article_id
