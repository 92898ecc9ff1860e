-- A held article seen again with the same content (at its own URL or another): the URLs that led
-- to it are kept, so a later listing of either is not fetched again, and only the sighting time moves.
WITH urls AS (
    INSERT INTO news.article_urls (url, article_id)
    SELECT DISTINCT t.u, :article_id FROM unnest(CAST(:urls AS text[])) AS t(u)
    ON CONFLICT (url) DO NOTHING
)
UPDATE news.articles SET last_seen_at = now() WHERE id = :article_id
