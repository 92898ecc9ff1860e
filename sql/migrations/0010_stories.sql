-- Issue 11 (the warehouse for analysts): stories kept as rows, so that one story by id and the stories
-- of a week are index lookups. news.rpt_stories computed every cluster on each query (0.6 s for one
-- story at 100k articles); it now reads this table.
--
--   stories                 one row per story (near-duplicate cluster): its representative (the
--                           earliest-published member; ties: the first stored), how many articles and
--                           which sources carried it. Kept by the load: every batch's transaction ends
--                           with one call of news.refresh_stories for the stories its articles are in
--                           (tasks/warehouse/writes.py, sql/load/refresh_stories.sql), so it is current
--                           whenever the articles are; a 304 re-fetch moves its last_seen_at
--                           (sql/load/mark_unchanged.sql).
--   articles_story_idx      the members of a story by its id, coalesce(cluster_id, id), for the refresh.
--   news.refresh_stories    recomputes the given stories from their members (a story left without
--                           members is deleted); rebuild all of them with
--                           SELECT news.refresh_stories(ARRAY(SELECT DISTINCT coalesce(cluster_id, id) FROM news.articles));
CREATE TABLE news.stories (
    story_id              bigint PRIMARY KEY,     -- coalesce(articles.cluster_id, articles.id) of its members
    representative_id     bigint NOT NULL,        -- the earliest-published member (ties: the first stored)
    representative_source text NOT NULL,
    published_at          timestamptz,
    title                 text NOT NULL,
    lead                  text,
    canonical_url         text NOT NULL,
    articles              bigint NOT NULL,        -- members, across sources
    sources               text[] NOT NULL,        -- their sources, sorted
    first_seen_at         timestamptz NOT NULL,
    last_seen_at          timestamptz NOT NULL
);
CREATE INDEX stories_published_at_idx ON news.stories (published_at);
CREATE INDEX articles_story_idx ON news.articles ((coalesce(cluster_id, id)));

CREATE FUNCTION news.refresh_stories(story_ids bigint[]) RETURNS integer
LANGUAGE plpgsql
AS $$
DECLARE
    changed integer;
BEGIN
    -- The rows of these stories, locked in id order (two batches never wait on each other crosswise); a
    -- batch that waited here recomputes below with a fresh snapshot, so it sees the other's members.
    PERFORM 1 FROM news.stories s WHERE s.story_id = ANY(story_ids) ORDER BY s.story_id FOR UPDATE;
    DELETE FROM news.stories s
     WHERE s.story_id = ANY(story_ids)
       AND NOT EXISTS (SELECT FROM news.articles a WHERE coalesce(a.cluster_id, a.id) = s.story_id);
    INSERT INTO news.stories AS s (story_id, representative_id, representative_source, published_at, title, lead,
                                   canonical_url, articles, sources, first_seen_at, last_seen_at)
    WITH members AS (
        SELECT coalesce(a.cluster_id, a.id) AS story_id, a.id, a.source, a.published_at, a.title, a.lead,
               a.canonical_url, a.first_seen_at, a.last_seen_at
        FROM news.articles a
        WHERE coalesce(a.cluster_id, a.id) = ANY(story_ids)
    ), counts AS (
        SELECT story_id, count(*) AS articles, array_agg(DISTINCT source ORDER BY source) AS sources,
               min(first_seen_at) AS first_seen_at, max(last_seen_at) AS last_seen_at
        FROM members GROUP BY story_id
    )
    SELECT r.story_id, r.id, r.source, r.published_at, r.title, r.lead, r.canonical_url,
           c.articles, c.sources, c.first_seen_at, c.last_seen_at
    FROM (SELECT DISTINCT ON (story_id) * FROM members ORDER BY story_id, published_at NULLS LAST, id) r
    JOIN counts c USING (story_id)
    ORDER BY r.story_id
    ON CONFLICT (story_id) DO UPDATE
       SET representative_id = EXCLUDED.representative_id, representative_source = EXCLUDED.representative_source,
           published_at = EXCLUDED.published_at, title = EXCLUDED.title, lead = EXCLUDED.lead,
           canonical_url = EXCLUDED.canonical_url, articles = EXCLUDED.articles, sources = EXCLUDED.sources,
           first_seen_at = EXCLUDED.first_seen_at, last_seen_at = EXCLUDED.last_seen_at;
    GET DIAGNOSTICS changed = ROW_COUNT;
    RETURN changed;
END
$$;

SELECT news.refresh_stories(ARRAY(SELECT DISTINCT coalesce(cluster_id, id) FROM news.articles));

COMMENT ON TABLE news.stories IS 'One row per story (near-duplicate cluster) across sources, represented by its earliest-published article; kept current by every load (news.rpt_stories reads it). Grain: story.';
COMMENT ON COLUMN news.stories.story_id IS 'The story: news.articles.cluster_id of its members (or the article''s own id when it has none).';
COMMENT ON COLUMN news.stories.representative_id IS 'The earliest-published article of the story (ties: the first stored), news.articles.id.';
COMMENT ON COLUMN news.stories.representative_source IS 'The source of the representative article.';
COMMENT ON COLUMN news.stories.published_at IS 'Publication time of the representative article.';
COMMENT ON COLUMN news.stories.title IS 'Headline of the representative article.';
COMMENT ON COLUMN news.stories.lead IS 'Standfirst of the representative article.';
COMMENT ON COLUMN news.stories.canonical_url IS 'Canonical URL of the representative article.';
COMMENT ON COLUMN news.stories.articles IS 'How many articles (across sources) carry the story.';
COMMENT ON COLUMN news.stories.sources IS 'The sources that carried it, sorted.';
COMMENT ON COLUMN news.stories.first_seen_at IS 'When the first of its articles was loaded.';
COMMENT ON COLUMN news.stories.last_seen_at IS 'When a run last saw any of its articles.';
COMMENT ON INDEX news.stories_published_at_idx IS 'The stories of a period (e.g. the last week) by publication time.';
COMMENT ON INDEX news.articles_story_idx IS 'The members of a story by its id, coalesce(cluster_id, id).';
COMMENT ON FUNCTION news.refresh_stories(bigint[]) IS 'Recompute these stories (news.stories) from their member articles, deleting those left without members; the load calls it for each batch''s stories. Returns the rows written.';
