-- rpt_stories: one row per story (near-duplicate cluster), across sources.
-- The representative is the earliest-published member (ties: the first stored); the
-- other columns say how many articles and which sources carried the story.
-- Grain: story. Who published what stays in news.articles (join on cluster_id).
-- The rows are news.stories, which every load keeps current (migration 0010_stories): one story by
-- id, or the stories of a week, is an index lookup instead of a pass over every article.
CREATE OR REPLACE VIEW news.rpt_stories AS
SELECT story_id, representative_id, representative_source, published_at, title, lead, canonical_url,
       articles, sources, first_seen_at, last_seen_at
FROM news.stories;

COMMENT ON VIEW news.rpt_stories IS 'One row per story (near-duplicate cluster) across sources, represented by its earliest-published article. Grain: story.';
COMMENT ON COLUMN news.rpt_stories.story_id IS 'The story: news.articles.cluster_id (or the article''s own id when it has none).';
COMMENT ON COLUMN news.rpt_stories.representative_id IS 'The earliest-published article of the story (ties: the first stored), news.articles.id.';
COMMENT ON COLUMN news.rpt_stories.representative_source IS 'The source of the representative article.';
COMMENT ON COLUMN news.rpt_stories.published_at IS 'Publication time of the representative article.';
COMMENT ON COLUMN news.rpt_stories.title IS 'Headline of the representative article.';
COMMENT ON COLUMN news.rpt_stories.lead IS 'Standfirst of the representative article.';
COMMENT ON COLUMN news.rpt_stories.canonical_url IS 'Canonical URL of the representative article.';
COMMENT ON COLUMN news.rpt_stories.articles IS 'How many articles (across sources) carry the story.';
COMMENT ON COLUMN news.rpt_stories.sources IS 'The sources that carried it, sorted.';
COMMENT ON COLUMN news.rpt_stories.first_seen_at IS 'When the first of its articles was loaded.';
COMMENT ON COLUMN news.rpt_stories.last_seen_at IS 'When a run last saw any of its articles.';
