-- rpt_articles: one row per article: the source's display name, the publication time in the
-- source's own time zone (what the page printed), then every column of news.articles.
-- Grain: article. Main columns: source_title, published_local, title, authors, section.
-- a.* comes last, so a column a migration adds to news.articles (ALTER TABLE appends it) is
-- appended here too when `newsetl db upgrade` applies this view again: no edit needed.
CREATE OR REPLACE VIEW news.rpt_articles AS
SELECT s.title                                   AS source_title,
       (a.published_at AT TIME ZONE s.timezone)  AS published_local,
       a.*
FROM news.articles a
JOIN news.sources s ON s.name = a.source;

COMMENT ON VIEW news.rpt_articles IS 'One row per article with its source''s display name and the publication time in the source''s own time zone, then every column of news.articles. Grain: article.';
COMMENT ON COLUMN news.rpt_articles.source_title IS 'Display name of the source (news.sources.title).';
COMMENT ON COLUMN news.rpt_articles.published_local IS 'published_at in the source''s time zone, as the page printed it (timestamp without zone).';
-- The other columns are news.articles' own: their comments are copied from it, so a column a
-- migration adds (and comments) there is described here too.
DO $$
DECLARE
    col record;
BEGIN
    FOR col IN SELECT attname, col_description(attrelid, attnum) AS description
               FROM pg_attribute
               WHERE attrelid = 'news.articles'::regclass AND attnum > 0 AND NOT attisdropped
    LOOP
        EXECUTE format('COMMENT ON COLUMN news.rpt_articles.%I IS %L', col.attname, col.description);
    END LOOP;
END
$$;
