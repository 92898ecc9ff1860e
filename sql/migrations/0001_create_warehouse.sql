-- The newsetl warehouse: one schema, `news`, that analysts query with SQL.
--
-- Grain of each table:
--   sources             one row per configured news site
--   ingest_runs         one row per run of the ingest flow (CLI, schedule or Prefect)
--   ingest_run_sources  one row per run and source: the counts the CLI summary prints
--   pages               one row per fetched article URL: the raw bytes, for re-extraction
--   articles            one row per article (per canonical URL)
--   rejects             one row per page or listing that failed a stage, with the reason

CREATE TABLE news.sources (
    name       text PRIMARY KEY,                 -- short id from sources.toml, e.g. 'baocantho'
    title      text NOT NULL,                    -- display name, e.g. 'Báo Cần Thơ'
    homepage   text NOT NULL,
    language   text,                             -- ISO 639-1 code declared for the site
    timezone   text NOT NULL,                    -- IANA zone used for pages that print local times
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE news.ingest_runs (
    id          bigserial PRIMARY KEY,
    flow_run_id uuid,                            -- the Prefect flow run, when run through Prefect
    started_at  timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    status      text NOT NULL DEFAULT 'running'
                CHECK (status IN ('running', 'completed', 'partial', 'failed')),
    sources     text[] NOT NULL DEFAULT '{}',    -- the sources this run covered
    discovered  integer NOT NULL DEFAULT 0,      -- article URLs found in feeds and sitemaps
    fetched     integer NOT NULL DEFAULT 0,      -- article pages requested over HTTP
    new         integer NOT NULL DEFAULT 0,      -- articles inserted
    updated     integer NOT NULL DEFAULT 0,      -- articles whose content changed
    unchanged   integer NOT NULL DEFAULT 0,      -- articles seen again with the same content
    duplicates  integer NOT NULL DEFAULT 0,      -- pages that repeat an article already held
    rejected    integer NOT NULL DEFAULT 0,      -- rows added to news.rejects
    error       text                             -- why the run failed or was partial
);

CREATE TABLE news.ingest_run_sources (
    run_id     bigint NOT NULL REFERENCES news.ingest_runs (id) ON DELETE CASCADE,
    source     text NOT NULL REFERENCES news.sources (name),
    discovered integer NOT NULL DEFAULT 0,
    fetched    integer NOT NULL DEFAULT 0,
    new        integer NOT NULL DEFAULT 0,
    updated    integer NOT NULL DEFAULT 0,
    unchanged  integer NOT NULL DEFAULT 0,
    duplicates integer NOT NULL DEFAULT 0,
    rejected   integer NOT NULL DEFAULT 0,
    error      text,                             -- set when the whole source failed (e.g. every feed down)
    PRIMARY KEY (run_id, source)
);

CREATE TABLE news.pages (
    id            bigserial PRIMARY KEY,
    source        text NOT NULL REFERENCES news.sources (name),
    url           text NOT NULL UNIQUE,          -- normalised requested URL; the next run looks it up here
    final_url     text NOT NULL,                 -- after redirects
    status        integer NOT NULL,              -- HTTP status
    content_type  text,
    headers       jsonb NOT NULL DEFAULT '{}',
    body_gzip     bytea NOT NULL,                -- the bytes as received, gzip-compressed
    body_sha256   text NOT NULL,
    fetched_at    timestamptz NOT NULL,
    run_id        bigint REFERENCES news.ingest_runs (id) ON DELETE SET NULL
);

CREATE TABLE news.articles (
    id            bigserial PRIMARY KEY,
    source        text NOT NULL REFERENCES news.sources (name),
    url           text NOT NULL,                 -- the URL it was fetched from
    canonical_url text NOT NULL UNIQUE,          -- rel=canonical / og:url on the source's host, else the normalised URL
    title         text NOT NULL,
    lead          text,                          -- standfirst, without the dateline
    body          text NOT NULL,                 -- paragraphs separated by a blank line; no captions, bylines or widgets
    captions      text[] NOT NULL DEFAULT '{}',  -- photo captions, in page order
    authors       text[] NOT NULL DEFAULT '{}',  -- person names, title-cased
    published_at  timestamptz,
    modified_at   timestamptz,
    section       text,
    tags          text[] NOT NULL DEFAULT '{}',
    language      text,
    image_url     text,                          -- lead image, absolute
    word_count    integer NOT NULL,              -- words of lead + body
    content_hash  text NOT NULL,                 -- sha256 of normalised title, lead and body
    dateline      text,                          -- the lead's agency prefix, e.g. 'CT' from '(CT)-'
    byline        text,                          -- the byline as printed, e.g. 'Tin, ảnh: ANH DŨNG'
    published_raw text,                          -- the date string the page printed
    provenance    jsonb NOT NULL DEFAULT '{}',   -- per field, which signal gave it (json-ld, meta, page, feed)
    first_seen_at timestamptz NOT NULL DEFAULT now(),
    last_seen_at  timestamptz NOT NULL DEFAULT now(),
    run_id        bigint REFERENCES news.ingest_runs (id) ON DELETE SET NULL  -- run that last wrote the row
);
-- The same text under two URLs of one source is one article.
CREATE UNIQUE INDEX articles_source_content_hash_key ON news.articles (source, content_hash);
CREATE INDEX articles_published_at_idx ON news.articles (published_at);
CREATE INDEX articles_source_published_at_idx ON news.articles (source, published_at);
CREATE INDEX articles_url_idx ON news.articles (url);

CREATE TABLE news.rejects (
    id          bigserial PRIMARY KEY,
    run_id      bigint REFERENCES news.ingest_runs (id) ON DELETE CASCADE,
    source      text NOT NULL,
    url         text NOT NULL,                   -- the page, feed or sitemap that failed
    stage       text NOT NULL CHECK (stage IN ('discover', 'fetch', 'extract', 'load')),
    reason      text NOT NULL,
    http_status integer,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX rejects_run_id_idx ON news.rejects (run_id);
