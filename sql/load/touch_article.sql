-- A known canonical URL seen again with the same content: only the sighting time moves.
UPDATE news.articles SET last_seen_at = now()
 WHERE canonical_url = :canonical_url
RETURNING id, url
