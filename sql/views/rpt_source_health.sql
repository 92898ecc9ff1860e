-- rpt_source_health: how well each run read each source. Grain: run x source.
-- Fill rates and provenance shares are over the articles the run wrote for the source (new or revised,
-- counted when the run closed: news.ingest_run_source_health); NULL when it wrote none. Rejects come
-- from news.rejects; hours_since_new is from the run's end back to the source's newest article.
-- Runs before migration 0011 show their counts with NULL health columns.
CREATE OR REPLACE VIEW news.rpt_source_health AS
SELECT s.run_id,
       s.source,
       r.status                                                          AS run_status,
       r.finished_at,
       s.fetched, s.new, s.updated, s.rejected,
       s.error IS NOT NULL AND s.new + s.updated + s.unchanged + s.duplicates = 0 AS source_failed,
       h.articles,
       round(h.with_title::numeric / nullif(h.articles, 0), 3)          AS title_fill,
       round(h.with_authors::numeric / nullif(h.articles, 0), 3)        AS authors_fill,
       round(h.with_published_at::numeric / nullif(h.articles, 0), 3)   AS published_at_fill,
       round(h.with_lead::numeric / nullif(h.articles, 0), 3)           AS lead_fill,
       round(h.with_section::numeric / nullif(h.articles, 0), 3)        AS section_fill,
       round(h.with_image::numeric / nullif(h.articles, 0), 3)          AS image_fill,
       h.median_body_chars,
       (SELECT jsonb_object_agg(f.key, (SELECT jsonb_object_agg(g.key, round(g.value::numeric / h.articles, 3))
                                          FROM jsonb_each_text(f.value) g))
          FROM jsonb_each(h.provenance) f
         WHERE h.articles > 0)                                          AS provenance,
       coalesce((SELECT jsonb_object_agg(j.reason_code, j.n)
                   FROM (SELECT x.reason_code, count(*) AS n FROM news.rejects x
                          WHERE x.run_id = s.run_id AND x.source = s.source GROUP BY x.reason_code) j),
                '{}'::jsonb)                                            AS rejects_by_code,
       h.last_new_at,
       round((extract(epoch FROM r.finished_at - h.last_new_at) / 3600)::numeric, 1) AS hours_since_new,
       s.error
FROM news.ingest_run_sources s
JOIN news.ingest_runs r ON r.id = s.run_id
LEFT JOIN news.ingest_run_source_health h ON h.run_id = s.run_id AND h.source = s.source;

COMMENT ON VIEW news.rpt_source_health IS 'How well each run read each source: fill rates of the main fields, median body length and the share of each provenance signal over the articles the run wrote (new or revised), its rejects by reason code, and hours since the source''s last new article. Grain: run x source.';
COMMENT ON COLUMN news.rpt_source_health.run_id IS 'The run (news.ingest_runs.id).';
COMMENT ON COLUMN news.rpt_source_health.source IS 'The source (news.sources.name).';
COMMENT ON COLUMN news.rpt_source_health.run_status IS 'The run''s status (news.ingest_runs.status).';
COMMENT ON COLUMN news.rpt_source_health.finished_at IS 'When the run ended.';
COMMENT ON COLUMN news.rpt_source_health.fetched IS 'Article pages of the source the run requested.';
COMMENT ON COLUMN news.rpt_source_health.new IS 'Articles of the source the run inserted.';
COMMENT ON COLUMN news.rpt_source_health.updated IS 'Articles of the source whose content the run changed.';
COMMENT ON COLUMN news.rpt_source_health.rejected IS 'Rejects of the source in the run.';
COMMENT ON COLUMN news.rpt_source_health.source_failed IS 'True when the source failed entirely in the run: an error and nothing of it loaded.';
COMMENT ON COLUMN news.rpt_source_health.articles IS 'Articles the run wrote for the source (new or revised): the denominator of the fill rates and shares. NULL for runs before migration 0011.';
COMMENT ON COLUMN news.rpt_source_health.title_fill IS 'Share (0-1) of those articles with a title.';
COMMENT ON COLUMN news.rpt_source_health.authors_fill IS 'Share (0-1) of those articles with at least one author.';
COMMENT ON COLUMN news.rpt_source_health.published_at_fill IS 'Share (0-1) of those articles with a publication time.';
COMMENT ON COLUMN news.rpt_source_health.lead_fill IS 'Share (0-1) of those articles with a lead.';
COMMENT ON COLUMN news.rpt_source_health.section_fill IS 'Share (0-1) of those articles with a section.';
COMMENT ON COLUMN news.rpt_source_health.image_fill IS 'Share (0-1) of those articles with a lead image.';
COMMENT ON COLUMN news.rpt_source_health.median_body_chars IS 'Median body length of those articles, in characters.';
COMMENT ON COLUMN news.rpt_source_health.provenance IS 'Per field, the share (0-1) of those articles each signal gave it: {"published_at": {"json-ld": 0.8, "feed": 0.2}, ...}; a field''s shares add up to less than 1 when some articles lack it.';
COMMENT ON COLUMN news.rpt_source_health.rejects_by_code IS 'The run''s rejects of the source by reason code: {"http_status": 3, "no_text": 1} ({} when none).';
COMMENT ON COLUMN news.rpt_source_health.last_new_at IS 'When the source''s newest article (by first_seen_at) arrived, as of the run''s end.';
COMMENT ON COLUMN news.rpt_source_health.hours_since_new IS 'Hours from last_new_at to the run''s end: how long the source had given nothing new.';
COMMENT ON COLUMN news.rpt_source_health.error IS 'Why the source failed or was partial in the run (news.ingest_run_sources.error).';
