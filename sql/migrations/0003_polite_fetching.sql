-- Polite, crash-safe fetching (issue 5).
--
--   http_validators        one row per feed or sitemap URL: the ETag / Last-Modified of its last complete
--                          reading, sent back as If-None-Match / If-Modified-Since; a 304 skips the parse
--   ingest_runs.status     gains 'abandoned': a run whose process died (kill -9, lost host) while 'running'
--   *.not_modified         listings and pages that answered 304 Not Modified

CREATE TABLE news.http_validators (
    url           text PRIMARY KEY,                 -- the listing URL as configured or linked
    source        text NOT NULL REFERENCES news.sources (name),
    etag          text,                             -- ETag of the last complete reading
    last_modified text,                             -- Last-Modified of the last complete reading
    children      text[] NOT NULL DEFAULT '{}',     -- for a sitemap index: its child sitemaps, read again on a 304
    checked_at    timestamptz NOT NULL DEFAULT now(),
    run_id        bigint REFERENCES news.ingest_runs (id) ON DELETE SET NULL
);
CREATE INDEX http_validators_source_idx ON news.http_validators (source);

ALTER TABLE news.ingest_runs DROP CONSTRAINT ingest_runs_status_check;
ALTER TABLE news.ingest_runs ADD CONSTRAINT ingest_runs_status_check
    CHECK (status IN ('running', 'completed', 'partial', 'failed', 'abandoned'));
ALTER TABLE news.ingest_runs ADD COLUMN not_modified integer NOT NULL DEFAULT 0;
ALTER TABLE news.ingest_run_sources ADD COLUMN not_modified integer NOT NULL DEFAULT 0;
