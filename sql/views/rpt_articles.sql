-- rpt_articles: one row per article, with the source's display name and the
-- publication time in the source's own time zone (what the page printed).
-- Grain: article. Main columns: source_title, published_local, title, authors, section.
CREATE OR REPLACE VIEW news.rpt_articles AS
SELECT a.id,
       a.source,
       s.title                                   AS source_title,
       a.published_at,
       (a.published_at AT TIME ZONE s.timezone)  AS published_local,
       a.title,
       a.lead,
       a.authors,
       a.section,
       a.tags,
       a.language,
       a.word_count,
       a.canonical_url,
       a.first_seen_at,
       a.last_seen_at,
       a.source_credit                           -- added by 0004 (CREATE OR REPLACE VIEW appends only)
FROM news.articles a
JOIN news.sources s ON s.name = a.source;
