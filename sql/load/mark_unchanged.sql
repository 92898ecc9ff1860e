-- Articles whose re-fetch answered 304 Not Modified: seen again, unchanged; only the sighting time
-- moves, theirs and their stories' (news.stories.last_seen_at).
WITH seen AS (
    UPDATE news.articles a SET last_seen_at = now()
      FROM (SELECT DISTINCT article_id FROM news.article_urls WHERE url = ANY(CAST(:urls AS text[]))) u
     WHERE a.id = u.article_id
    RETURNING a.id, coalesce(a.cluster_id, a.id) AS story_id
), stories AS (
    UPDATE news.stories s SET last_seen_at = now() WHERE s.story_id IN (SELECT story_id FROM seen)
)
SELECT id FROM seen
