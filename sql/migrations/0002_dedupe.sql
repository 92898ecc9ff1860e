-- Dedupe for a warehouse (issue 4): URL identity, near-duplicate clusters, revision history.
--
-- Grain of each new table:
--   article_urls      one row per URL known to lead to an article (fetched, canonical, or a duplicate's)
--   article_versions  one row per replaced version of an article (the current one stays in articles)
--   article_buckets   one row per article and MinHash LSH band: the index of the near-duplicate check

ALTER TABLE news.articles
    ADD COLUMN version    integer NOT NULL DEFAULT 1,  -- 1 when new; +1 each time its content changed
    ADD COLUMN cluster_id bigint;                      -- the story: articles with one cluster_id are one story
-- Rows loaded before this migration have no cluster (NULL) until they are seen again or
-- re-extracted (`newsetl reprocess`), which puts them in their story; views read NULL as a story
-- of its own.
CREATE INDEX articles_cluster_id_idx ON news.articles (cluster_id);

CREATE TABLE news.article_urls (
    url           text PRIMARY KEY,                -- normalised URL (tasks.urls)
    article_id    bigint NOT NULL REFERENCES news.articles (id) ON DELETE CASCADE,
    first_seen_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX article_urls_article_id_idx ON news.article_urls (article_id);
INSERT INTO news.article_urls (url, article_id, first_seen_at)
SELECT canonical_url, id, first_seen_at FROM news.articles
ON CONFLICT (url) DO NOTHING;
INSERT INTO news.article_urls (url, article_id, first_seen_at)
SELECT url, id, first_seen_at FROM news.articles
ON CONFLICT (url) DO NOTHING;

CREATE TABLE news.article_versions (
    article_id   bigint NOT NULL REFERENCES news.articles (id) ON DELETE CASCADE,
    version      integer NOT NULL,                 -- the version number this content had
    title        text NOT NULL,
    lead         text,
    body         text NOT NULL,
    content_hash text NOT NULL,
    seen_at      timestamptz NOT NULL,             -- when this version was last seen
    replaced_at  timestamptz NOT NULL DEFAULT now(),  -- when a newer version replaced it
    run_id       bigint REFERENCES news.ingest_runs (id) ON DELETE SET NULL,  -- run that replaced it
    PRIMARY KEY (article_id, version)
);

CREATE TABLE news.article_buckets (
    bucket     bigint NOT NULL,                    -- 64-bit hash of (band number, the band's MinHash values)
    article_id bigint NOT NULL REFERENCES news.articles (id) ON DELETE CASCADE,
    PRIMARY KEY (bucket, article_id)               -- the lookup: which articles share this bucket
);
CREATE INDEX article_buckets_article_id_idx ON news.article_buckets (article_id);
