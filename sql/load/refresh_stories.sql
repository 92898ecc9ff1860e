-- The stories (news.stories) of a batch's articles, recomputed at the end of its transaction: every
-- article the batch's URLs (each article's fetched and canonical URL, :urls) lead to, in whatever way
-- it was written (new, revised, seen again, put in a story). Its own id is refreshed too, so that a
-- story an article left (one loaded before clustering, put in another story now) loses it.
SELECT news.refresh_stories(ARRAY(
    SELECT DISTINCT story_id
    FROM news.article_urls u
    JOIN news.articles a ON a.id = u.article_id
    CROSS JOIN LATERAL (VALUES (coalesce(a.cluster_id, a.id)), (a.id)) AS s(story_id)
    WHERE u.url = ANY(CAST(:urls AS text[]))
)) AS stories
