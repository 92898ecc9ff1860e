-- Issue 11 (the warehouse for analysts): source health as data.
-- What a run's extraction gave per source has to be kept at the end of the run: news.articles holds
-- one row per article as last written, so a later run that revises an article takes it from the run
-- that first wrote it, and a view over news.articles could not say what an older run produced.
-- One row per run x source, written by flows/runs.py (sql/load/record_source_health.sql) when the run
-- closes, over the articles the run wrote (new or revised) for that source; a run that wrote none still
-- gets its row (articles = 0, with last_new_at), which is what tells a stale source.
-- news.rpt_source_health shows these as fill rates and shares; news.rpt_source_drift compares each
-- source's latest run with its trailing baseline. Runs before this migration have no row here.
CREATE TABLE news.ingest_run_source_health (
    run_id            bigint NOT NULL REFERENCES news.ingest_runs (id) ON DELETE CASCADE,
    source            text NOT NULL REFERENCES news.sources (name),
    articles          integer NOT NULL,          -- articles the run wrote for the source (new or revised)
    with_title        integer NOT NULL,          -- of those, with a non-blank title
    with_authors      integer NOT NULL,          -- at least one author
    with_published_at integer NOT NULL,          -- a publication time
    with_lead         integer NOT NULL,          -- a lead (standfirst)
    with_section      integer NOT NULL,          -- a section
    with_image        integer NOT NULL,          -- a lead image
    median_body_chars integer,                   -- median length of body in characters (NULL: no articles)
    provenance        jsonb NOT NULL DEFAULT '{}',  -- {field: {signal: articles}} from articles.provenance
    last_new_at       timestamptz,               -- newest first_seen_at of the source's articles at run end
    recorded_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (run_id, source)
);
-- The rows a run wrote, read once when it closes; and the newest article of a source (last_new_at).
CREATE INDEX articles_run_id_idx ON news.articles (run_id);
CREATE INDEX articles_source_first_seen_at_idx ON news.articles (source, first_seen_at);

COMMENT ON TABLE news.ingest_run_source_health IS 'What each run''s extraction gave per source, counted over the articles the run wrote (new or revised) when it closed; read it through news.rpt_source_health and news.rpt_source_drift. Runs before migration 0011 have no row. Grain: run x source.';
COMMENT ON COLUMN news.ingest_run_source_health.run_id IS 'The run (news.ingest_runs.id).';
COMMENT ON COLUMN news.ingest_run_source_health.source IS 'The source (news.sources.name).';
COMMENT ON COLUMN news.ingest_run_source_health.articles IS 'Articles the run wrote for the source (new or revised); 0 when it wrote none.';
COMMENT ON COLUMN news.ingest_run_source_health.with_title IS 'Of those, articles with a non-blank title.';
COMMENT ON COLUMN news.ingest_run_source_health.with_authors IS 'Of those, articles with at least one author.';
COMMENT ON COLUMN news.ingest_run_source_health.with_published_at IS 'Of those, articles with a publication time.';
COMMENT ON COLUMN news.ingest_run_source_health.with_lead IS 'Of those, articles with a lead (standfirst).';
COMMENT ON COLUMN news.ingest_run_source_health.with_section IS 'Of those, articles with a section.';
COMMENT ON COLUMN news.ingest_run_source_health.with_image IS 'Of those, articles with a lead image.';
COMMENT ON COLUMN news.ingest_run_source_health.median_body_chars IS 'Median body length of those articles, in characters (NULL when the run wrote none).';
COMMENT ON COLUMN news.ingest_run_source_health.provenance IS 'Per field, how many of those articles each signal gave it: {"published_at": {"json-ld": 12, "feed": 3}, ...} (keys of news.articles.provenance).';
COMMENT ON COLUMN news.ingest_run_source_health.last_new_at IS 'The newest first_seen_at among all the source''s articles when the run closed: when the last new article arrived (NULL: none yet).';
COMMENT ON COLUMN news.ingest_run_source_health.recorded_at IS 'When the row was written (the run''s close).';
