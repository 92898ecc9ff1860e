-- rpt_articles_daily: how many articles each source published per local calendar day.
-- Grain: source x day (in the source's time zone). Articles without a date are left out;
-- count them with: SELECT source, count(*) FROM news.articles WHERE published_at IS NULL GROUP BY 1.
CREATE OR REPLACE VIEW news.rpt_articles_daily AS
SELECT a.source,
       (a.published_at AT TIME ZONE s.timezone)::date AS day,
       count(*)                                       AS articles,
       count(*) FILTER (WHERE cardinality(a.authors) > 0) AS with_author,
       sum(a.word_count)                              AS words
FROM news.articles a
JOIN news.sources s ON s.name = a.source
WHERE a.published_at IS NOT NULL
GROUP BY a.source, day;

COMMENT ON VIEW news.rpt_articles_daily IS 'How many articles each source published per local calendar day; articles without a date are left out. Grain: source x day.';
COMMENT ON COLUMN news.rpt_articles_daily.source IS 'The source (news.sources.name).';
COMMENT ON COLUMN news.rpt_articles_daily.day IS 'Publication day in the source''s time zone.';
COMMENT ON COLUMN news.rpt_articles_daily.articles IS 'Articles published that day.';
COMMENT ON COLUMN news.rpt_articles_daily.with_author IS 'Of those, articles with at least one author.';
COMMENT ON COLUMN news.rpt_articles_daily.words IS 'Words of lead and body, summed over the day''s articles.';
