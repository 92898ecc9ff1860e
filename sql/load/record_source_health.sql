-- What the run's extraction gave per source (news.ingest_run_source_health), when the run closes:
-- counted over the articles the run wrote (run_id), one row per source named, 0 articles included.
WITH named AS (
    SELECT DISTINCT unnest(CAST(:sources AS text[])) AS source
), written AS (
    SELECT a.source, a.title, a.authors, a.published_at, a.lead, a.section, a.image_url, a.body, a.provenance
      FROM news.articles a
     WHERE a.run_id = :run_id AND a.source IN (SELECT source FROM named)
), counts AS (
    SELECT source,
           count(*)                                                       AS articles,
           count(*) FILTER (WHERE nullif(btrim(title), '') IS NOT NULL)   AS with_title,
           count(*) FILTER (WHERE cardinality(authors) > 0)               AS with_authors,
           count(*) FILTER (WHERE published_at IS NOT NULL)               AS with_published_at,
           count(*) FILTER (WHERE nullif(btrim(lead), '') IS NOT NULL)    AS with_lead,
           count(*) FILTER (WHERE nullif(btrim(section), '') IS NOT NULL) AS with_section,
           count(*) FILTER (WHERE nullif(btrim(image_url), '') IS NOT NULL) AS with_image,
           percentile_disc(0.5) WITHIN GROUP (ORDER BY length(body))      AS median_body_chars
      FROM written
     GROUP BY source
), signals AS (
    SELECT source, key, jsonb_object_agg(value, n) AS by_signal
      FROM (SELECT w.source, p.key, p.value, count(*) AS n
              FROM written w, jsonb_each_text(w.provenance) p
             GROUP BY 1, 2, 3) s
     GROUP BY source, key
), provenance AS (
    SELECT source, jsonb_object_agg(key, by_signal) AS provenance FROM signals GROUP BY source
)
INSERT INTO news.ingest_run_source_health
       (run_id, source, articles, with_title, with_authors, with_published_at, with_lead, with_section,
        with_image, median_body_chars, provenance, last_new_at)
SELECT :run_id, n.source, coalesce(c.articles, 0), coalesce(c.with_title, 0), coalesce(c.with_authors, 0),
       coalesce(c.with_published_at, 0), coalesce(c.with_lead, 0), coalesce(c.with_section, 0),
       coalesce(c.with_image, 0), c.median_body_chars, coalesce(p.provenance, '{}'),
       (SELECT max(a.first_seen_at) FROM news.articles a WHERE a.source = n.source)
  FROM named n
  JOIN news.sources s ON s.name = n.source
  LEFT JOIN counts c ON c.source = n.source
  LEFT JOIN provenance p ON p.source = n.source
ON CONFLICT (run_id, source) DO UPDATE
   SET articles = EXCLUDED.articles, with_title = EXCLUDED.with_title, with_authors = EXCLUDED.with_authors,
       with_published_at = EXCLUDED.with_published_at, with_lead = EXCLUDED.with_lead,
       with_section = EXCLUDED.with_section, with_image = EXCLUDED.with_image,
       median_body_chars = EXCLUDED.median_body_chars, provenance = EXCLUDED.provenance,
       last_new_at = EXCLUDED.last_new_at, recorded_at = now()
