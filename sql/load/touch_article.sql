-- An article seen again with the same content: only the sighting time moves.
UPDATE news.articles SET last_seen_at = now() WHERE id = :article_id
