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
