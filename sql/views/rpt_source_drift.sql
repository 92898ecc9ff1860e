-- rpt_source_drift: each source's latest run against its own trailing baseline. Grain: source.
-- Judged: the source's latest run with a health row (news.ingest_run_source_health). What its extraction
-- gave (fill rates, body length) is read from the articles of the newest runs that wrote any, pooled
-- until they hold MIN_ARTICLES (usually the latest run alone; a run that wrote nothing says nothing
-- about extraction, so the last verdict stands until articles come again), against the BASELINE_RUNS
-- runs that wrote articles before those; rejects are the latest run's against the BASELINE_RUNS runs
-- before it; staleness is the latest run's. Thresholds (the README's "Source health and drift" lists
-- the same; change them here and there):
--   BASELINE_RUNS       5     runs that make the baseline
--   MIN_ARTICLES        3     articles the judged runs, and the baseline runs together, must hold before
--                             fill rates and body length are compared (one odd page is no drift)
--   FILL_MARGIN         0.25  a fill rate (title, authors, published_at, lead, section, image) that fell by
--                             more than 25 points below the baseline's (articles of the baseline runs pooled)
--   BODY_RATIO          0.5   a median body length below half the baseline's (mean of its runs' medians)
--   REJECT_FACTOR       3     rejects at more than 3 times the baseline's mean per run ...
--   REJECT_MIN          5     ... and at least 5 more than it
--   STALE_MIN_HOURS     24    stale: no new article for more than 24 hours at the latest run's end ...
--   STALE_FACTOR        2     ... and more than twice the longest gap between new articles seen in the
--   STALE_LOOKBACK_DAYS 30    ... source's runs of the 30 days before (no gap seen: the 24 hours alone)
-- Drift reads only stored rows (news.ingest_run_source_health, news.ingest_run_sources, news.ingest_runs),
-- not news.rpt_source_health, so the two views are re-created independently.
CREATE OR REPLACE VIEW news.rpt_source_drift AS
WITH thresholds AS (
    SELECT 5 AS baseline_size, 3 AS min_articles, 0.25 AS fill_margin, 0.5 AS body_ratio,
           3 AS reject_factor, 5 AS reject_min, 24 AS stale_min_hours, 2 AS stale_factor,
           30 AS stale_lookback_days
), runs AS (
    SELECT h.*, s.rejected, r.finished_at,
           row_number() OVER (PARTITION BY h.source ORDER BY h.run_id DESC) AS nth
      FROM news.ingest_run_source_health h
      JOIN news.ingest_run_sources s ON s.run_id = h.run_id AND s.source = h.source
      JOIN news.ingest_runs r ON r.id = h.run_id
), latest AS (
    SELECT * FROM runs WHERE nth = 1
), written AS (  -- the runs that wrote articles, newest first, with the articles of those up to each
    SELECT w.*, row_number() OVER (PARTITION BY w.source ORDER BY w.run_id DESC) AS nth_written,
           sum(w.articles) OVER (PARTITION BY w.source ORDER BY w.run_id DESC) AS articles_so_far
      FROM runs w WHERE w.articles > 0
), judged_window AS (  -- the newest runs that wrote articles, until they hold MIN_ARTICLES together
    SELECT w.* FROM written w, thresholds t WHERE w.articles_so_far - w.articles < t.min_articles
), judged AS (
    SELECT source, array_agg(run_id ORDER BY run_id DESC) AS runs, max(nth_written) AS last_nth,
           sum(articles) AS articles, sum(with_title) AS with_title, sum(with_authors) AS with_authors,
           sum(with_published_at) AS with_published_at, sum(with_lead) AS with_lead,
           sum(with_section) AS with_section, sum(with_image) AS with_image,
           avg(median_body_chars) AS body_chars
      FROM judged_window GROUP BY source
), baseline AS (  -- the BASELINE_RUNS runs that wrote articles before those
    SELECT w.source, count(*) AS runs, sum(w.articles) AS articles,
           sum(w.with_title) AS with_title, sum(w.with_authors) AS with_authors,
           sum(w.with_published_at) AS with_published_at, sum(w.with_lead) AS with_lead,
           sum(w.with_section) AS with_section, sum(w.with_image) AS with_image,
           avg(w.median_body_chars) AS body_chars
      FROM written w JOIN judged j ON j.source = w.source, thresholds t
     WHERE w.nth_written BETWEEN j.last_nth + 1 AND j.last_nth + t.baseline_size
     GROUP BY w.source
), reject_baseline AS (  -- rejects: the BASELINE_RUNS runs before the latest, whatever they wrote
    SELECT b.source, avg(b.rejected) AS rejected
      FROM runs b, thresholds t WHERE b.nth BETWEEN 2 AND t.baseline_size + 1 GROUP BY b.source
), arrivals AS (
    SELECT DISTINCT b.source, b.last_new_at
      FROM runs b JOIN latest l ON l.source = b.source, thresholds t
     WHERE b.last_new_at > l.finished_at - t.stale_lookback_days * interval '1 day'
), gaps AS (
    SELECT source, max(gap) AS usual_gap
      FROM (SELECT source, last_new_at - lag(last_new_at) OVER (PARTITION BY source ORDER BY last_new_at) AS gap
              FROM arrivals) g
     GROUP BY source
), compared AS (
    SELECT l.source, l.run_id, l.finished_at, j.runs AS judged_runs, coalesce(b.runs, 0) AS baseline_runs,
           coalesce(j.articles, 0) AS articles, coalesce(b.articles, 0) AS baseline_articles,
           j.with_title::numeric / nullif(j.articles, 0) AS title_fill,
           b.with_title::numeric / nullif(b.articles, 0) AS title_base,
           j.with_authors::numeric / nullif(j.articles, 0) AS authors_fill,
           b.with_authors::numeric / nullif(b.articles, 0) AS authors_base,
           j.with_published_at::numeric / nullif(j.articles, 0) AS published_at_fill,
           b.with_published_at::numeric / nullif(b.articles, 0) AS published_at_base,
           j.with_lead::numeric / nullif(j.articles, 0) AS lead_fill,
           b.with_lead::numeric / nullif(b.articles, 0) AS lead_base,
           j.with_section::numeric / nullif(j.articles, 0) AS section_fill,
           b.with_section::numeric / nullif(b.articles, 0) AS section_base,
           j.with_image::numeric / nullif(j.articles, 0) AS image_fill,
           b.with_image::numeric / nullif(b.articles, 0) AS image_base,
           j.body_chars AS body_fill, b.body_chars AS body_base,
           l.rejected, rb.rejected AS rejected_base,
           extract(epoch FROM l.finished_at - l.last_new_at) / 3600 AS hours_since_new,
           extract(epoch FROM g.usual_gap) / 3600 AS usual_gap_hours,
           coalesce(j.articles, 0) >= t.min_articles AND coalesce(b.articles, 0) >= t.min_articles AS comparable,
           t.*
      FROM latest l
      CROSS JOIN thresholds t
      LEFT JOIN judged j ON j.source = l.source
      LEFT JOIN baseline b ON b.source = l.source
      LEFT JOIN reject_baseline rb ON rb.source = l.source
      LEFT JOIN gaps g ON g.source = l.source
), flagged AS (
    SELECT c.*,
           array_remove(ARRAY[
               CASE WHEN comparable AND title_fill < title_base - fill_margin THEN 'title' END,
               CASE WHEN comparable AND authors_fill < authors_base - fill_margin THEN 'authors' END,
               CASE WHEN comparable AND published_at_fill < published_at_base - fill_margin THEN 'published_at' END,
               CASE WHEN comparable AND lead_fill < lead_base - fill_margin THEN 'lead' END,
               CASE WHEN comparable AND section_fill < section_base - fill_margin THEN 'section' END,
               CASE WHEN comparable AND image_fill < image_base - fill_margin THEN 'image' END,
               CASE WHEN comparable AND body_fill < body_ratio * body_base THEN 'body_length' END,
               CASE WHEN rejected_base IS NOT NULL AND rejected > reject_factor * rejected_base
                         AND rejected >= rejected_base + reject_min THEN 'rejects' END
           ], NULL) AS signals,
           coalesce(hours_since_new > greatest(stale_min_hours, stale_factor * coalesce(usual_gap_hours, 0)),
                    false) AS stale
      FROM compared c
)
SELECT source, run_id, finished_at, judged_runs, baseline_runs, articles, baseline_articles,
       round(title_fill, 3) AS title_fill, round(title_base, 3) AS title_baseline,
       round(authors_fill, 3) AS authors_fill, round(authors_base, 3) AS authors_baseline,
       round(published_at_fill, 3) AS published_at_fill, round(published_at_base, 3) AS published_at_baseline,
       round(lead_fill, 3) AS lead_fill, round(lead_base, 3) AS lead_baseline,
       round(section_fill, 3) AS section_fill, round(section_base, 3) AS section_baseline,
       round(image_fill, 3) AS image_fill, round(image_base, 3) AS image_baseline,
       round(body_fill)::integer AS median_body_chars, round(body_base)::integer AS baseline_body_chars,
       rejected, round(rejected_base, 1) AS baseline_rejected,
       round(hours_since_new::numeric, 1) AS hours_since_new,
       round(usual_gap_hours::numeric, 1) AS usual_gap_hours,
       signals,
       cardinality(signals) > 0 AS drifted,
       stale,
       concat_ws('; ',
           CASE WHEN 'title' = ANY(signals) THEN format('title %s%% (baseline %s%%)', round(100 * title_fill), round(100 * title_base)) END,
           CASE WHEN 'authors' = ANY(signals) THEN format('authors %s%% (baseline %s%%)', round(100 * authors_fill), round(100 * authors_base)) END,
           CASE WHEN 'published_at' = ANY(signals) THEN format('published_at %s%% (baseline %s%%)', round(100 * published_at_fill), round(100 * published_at_base)) END,
           CASE WHEN 'lead' = ANY(signals) THEN format('lead %s%% (baseline %s%%)', round(100 * lead_fill), round(100 * lead_base)) END,
           CASE WHEN 'section' = ANY(signals) THEN format('section %s%% (baseline %s%%)', round(100 * section_fill), round(100 * section_base)) END,
           CASE WHEN 'image' = ANY(signals) THEN format('image %s%% (baseline %s%%)', round(100 * image_fill), round(100 * image_base)) END,
           CASE WHEN 'body_length' = ANY(signals) THEN format('median body %s chars (baseline %s)', round(body_fill), round(body_base)) END,
           CASE WHEN 'rejects' = ANY(signals) THEN format('%s rejects (baseline %s per run)', rejected, round(rejected_base, 1)) END,
           CASE WHEN stale THEN format('nothing new for %s h (longest gap before: %s)', round(hours_since_new::numeric),
                                       coalesce(round(usual_gap_hours::numeric, 1) || ' h', 'none seen')) END
       ) AS detail
FROM flagged;

COMMENT ON VIEW news.rpt_source_drift IS 'Each source''s latest run against its own baseline: drift when a fill rate fell by more than 25 points, the median body length halved (both over the newest runs that wrote articles, pooled to at least 3, against the 5 runs with articles before them), or rejects rose above 3 times the mean of the 5 runs before and by at least 5; stale when nothing new arrived for more than 24 hours and more than twice the longest gap between new articles of the 30 days before. Grain: source.';
COMMENT ON COLUMN news.rpt_source_drift.source IS 'The source (news.sources.name).';
COMMENT ON COLUMN news.rpt_source_drift.run_id IS 'The source''s latest run with health data: the one judged (rejects, staleness).';
COMMENT ON COLUMN news.rpt_source_drift.finished_at IS 'When that run ended.';
COMMENT ON COLUMN news.rpt_source_drift.judged_runs IS 'The runs whose articles the fill rates and body length are read from, newest first: the newest runs that wrote articles, until they hold 3 (NULL: none yet).';
COMMENT ON COLUMN news.rpt_source_drift.baseline_runs IS 'Runs with articles in the baseline (up to 5; 0: nothing to compare with yet, so no fill or body signal).';
COMMENT ON COLUMN news.rpt_source_drift.articles IS 'Articles of the judged runs.';
COMMENT ON COLUMN news.rpt_source_drift.baseline_articles IS 'Articles the baseline runs wrote, together.';
COMMENT ON COLUMN news.rpt_source_drift.title_fill IS 'Share of the judged runs'' articles with a title.';
COMMENT ON COLUMN news.rpt_source_drift.title_baseline IS 'The same over the baseline runs'' articles.';
COMMENT ON COLUMN news.rpt_source_drift.authors_fill IS 'Share of the judged runs'' articles with an author.';
COMMENT ON COLUMN news.rpt_source_drift.authors_baseline IS 'The same over the baseline runs'' articles.';
COMMENT ON COLUMN news.rpt_source_drift.published_at_fill IS 'Share of the judged runs'' articles with a publication time.';
COMMENT ON COLUMN news.rpt_source_drift.published_at_baseline IS 'The same over the baseline runs'' articles.';
COMMENT ON COLUMN news.rpt_source_drift.lead_fill IS 'Share of the judged runs'' articles with a lead.';
COMMENT ON COLUMN news.rpt_source_drift.lead_baseline IS 'The same over the baseline runs'' articles.';
COMMENT ON COLUMN news.rpt_source_drift.section_fill IS 'Share of the judged runs'' articles with a section.';
COMMENT ON COLUMN news.rpt_source_drift.section_baseline IS 'The same over the baseline runs'' articles.';
COMMENT ON COLUMN news.rpt_source_drift.image_fill IS 'Share of the judged runs'' articles with a lead image.';
COMMENT ON COLUMN news.rpt_source_drift.image_baseline IS 'The same over the baseline runs'' articles.';
COMMENT ON COLUMN news.rpt_source_drift.median_body_chars IS 'Median body length of the judged runs'' articles, in characters (mean of their runs'' medians).';
COMMENT ON COLUMN news.rpt_source_drift.baseline_body_chars IS 'Mean of the baseline runs'' median body lengths.';
COMMENT ON COLUMN news.rpt_source_drift.rejected IS 'Rejects of the source in the latest run.';
COMMENT ON COLUMN news.rpt_source_drift.baseline_rejected IS 'Mean rejects per run over the 5 runs before the latest.';
COMMENT ON COLUMN news.rpt_source_drift.hours_since_new IS 'Hours from the source''s newest article (first_seen_at) to the latest run''s end.';
COMMENT ON COLUMN news.rpt_source_drift.usual_gap_hours IS 'The longest gap, in hours, between new articles of the source over its runs of the 30 days before the latest (NULL: fewer than two arrivals seen).';
COMMENT ON COLUMN news.rpt_source_drift.signals IS 'What drifted: any of title, authors, published_at, lead, section, image (fill rate down by more than 0.25), body_length (median halved), rejects (up sharply); empty when none.';
COMMENT ON COLUMN news.rpt_source_drift.drifted IS 'True when signals is not empty.';
COMMENT ON COLUMN news.rpt_source_drift.stale IS 'True when nothing new arrived for more than 24 hours and more than twice usual_gap_hours.';
COMMENT ON COLUMN news.rpt_source_drift.detail IS 'The signals and staleness in words, with the figures: published_at 0% (baseline 100%); nothing new for 72 h (...).';
