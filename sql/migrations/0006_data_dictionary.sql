-- Issue 11 (the warehouse for analysts): the data dictionary in the catalog.
-- `--` comments in migration files never reach \d+, DBeaver, Metabase or dbt; COMMENT ON does.
-- Every table and column of schema news gets one here; the views carry theirs in sql/views/
-- (they are re-created by every upgrade). A migration that adds a table or column comments it too:
-- tests/integration/test_dictionary.py fails on any relation or column without a comment, and
-- `newsetl db docs -o docs/warehouse.md` writes the dictionary from these comments.

COMMENT ON SCHEMA news IS 'The newsetl warehouse: articles from news sites, the runs that loaded them, and what failed.';

COMMENT ON TABLE news.schema_migrations IS 'Which files of sql/migrations have been applied (bookkeeping of newsetl db upgrade). Grain: migration.';
COMMENT ON COLUMN news.schema_migrations.version IS 'Migration file name without .sql, e.g. 0001_create_warehouse.';
COMMENT ON COLUMN news.schema_migrations.applied_at IS 'When the migration was applied.';

COMMENT ON TABLE news.sources IS 'One row per configured news site (a [[sources]] table of sources.toml), as of the last run that covered it. Grain: source.';
COMMENT ON COLUMN news.sources.name IS 'Short id of the source from sources.toml, e.g. baocantho; every other table names its source by it.';
COMMENT ON COLUMN news.sources.title IS 'Display name of the site, e.g. Báo Cần Thơ.';
COMMENT ON COLUMN news.sources.homepage IS 'The site''s homepage URL; only article URLs on its host are taken.';
COMMENT ON COLUMN news.sources.language IS 'ISO 639-1 code declared for the site (NULL: detected per page).';
COMMENT ON COLUMN news.sources.timezone IS 'IANA time zone of the site, used for pages that print local times without an offset.';
COMMENT ON COLUMN news.sources.updated_at IS 'When a run last wrote this row.';

COMMENT ON TABLE news.ingest_runs IS 'One row per run of a flow (ingest or reprocess), from the CLI, a schedule or Prefect. Grain: run.';
COMMENT ON COLUMN news.ingest_runs.id IS 'Run id, printed by the CLI at the end of a run; rows loaded by the run carry it as run_id.';
COMMENT ON COLUMN news.ingest_runs.flow_run_id IS 'The Prefect flow run, when the run ran as one.';
COMMENT ON COLUMN news.ingest_runs.started_at IS 'When the run started.';
COMMENT ON COLUMN news.ingest_runs.finished_at IS 'When the run ended (NULL while running, or if its process died).';
COMMENT ON COLUMN news.ingest_runs.status IS 'running, completed, partial (a source failed, see error), failed (the run stopped, or every source failed entirely) or abandoned (its process died while running).';
COMMENT ON COLUMN news.ingest_runs.sources IS 'Names of the sources the run covered.';
COMMENT ON COLUMN news.ingest_runs.discovered IS 'Article URLs found in feeds, sitemaps and listing pages (for reprocess: stored pages read).';
COMMENT ON COLUMN news.ingest_runs.fetched IS 'Article pages requested over HTTP.';
COMMENT ON COLUMN news.ingest_runs.new IS 'Articles inserted.';
COMMENT ON COLUMN news.ingest_runs.updated IS 'Articles whose content changed (a new version; the old one is in article_versions).';
COMMENT ON COLUMN news.ingest_runs.unchanged IS 'Articles seen again with the same content.';
COMMENT ON COLUMN news.ingest_runs.duplicates IS 'Pages that repeat an article already held (same URL or same text).';
COMMENT ON COLUMN news.ingest_runs.rejected IS 'Rows the run added to news.rejects.';
COMMENT ON COLUMN news.ingest_runs.error IS 'Why the run failed or was partial (per source: source: reason; ...).';
COMMENT ON COLUMN news.ingest_runs.not_modified IS 'Feeds, sitemaps and pages that answered 304 Not Modified to a conditional request.';

COMMENT ON TABLE news.ingest_run_sources IS 'One row per run and source: the counts the CLI summary prints. Grain: run x source.';
COMMENT ON COLUMN news.ingest_run_sources.run_id IS 'The run (news.ingest_runs.id).';
COMMENT ON COLUMN news.ingest_run_sources.source IS 'The source (news.sources.name).';
COMMENT ON COLUMN news.ingest_run_sources.discovered IS 'Article URLs the source''s feeds, sitemaps and listing pages gave.';
COMMENT ON COLUMN news.ingest_run_sources.fetched IS 'Article pages of the source requested over HTTP.';
COMMENT ON COLUMN news.ingest_run_sources.new IS 'Articles of the source inserted.';
COMMENT ON COLUMN news.ingest_run_sources.updated IS 'Articles of the source whose content changed.';
COMMENT ON COLUMN news.ingest_run_sources.unchanged IS 'Articles of the source seen again with the same content.';
COMMENT ON COLUMN news.ingest_run_sources.duplicates IS 'Pages of the source that repeat an article already held.';
COMMENT ON COLUMN news.ingest_run_sources.rejected IS 'Rows added to news.rejects for the source.';
COMMENT ON COLUMN news.ingest_run_sources.error IS 'Set when the whole source failed or a batch was not loaded (e.g. every feed down); NULL otherwise.';
COMMENT ON COLUMN news.ingest_run_sources.not_modified IS 'The source''s feeds, sitemaps and pages that answered 304 Not Modified.';

COMMENT ON TABLE news.pages IS 'One row per fetched article URL: the raw bytes as received, kept for re-extraction (newsetl reprocess). Grain: requested URL.';
COMMENT ON COLUMN news.pages.id IS 'Page id.';
COMMENT ON COLUMN news.pages.source IS 'The source the page belongs to (news.sources.name).';
COMMENT ON COLUMN news.pages.url IS 'Normalised requested URL; later runs look it up here and do not fetch it again.';
COMMENT ON COLUMN news.pages.final_url IS 'The URL after redirects.';
COMMENT ON COLUMN news.pages.status IS 'HTTP status of the answer (200, 404, 410; transient failures are not stored).';
COMMENT ON COLUMN news.pages.content_type IS 'The Content-Type header of the answer.';
COMMENT ON COLUMN news.pages.headers IS 'Response headers kept for re-fetching (ETag, Last-Modified, ...), as a JSON object.';
COMMENT ON COLUMN news.pages.body_gzip IS 'The body bytes as received, gzip-compressed.';
COMMENT ON COLUMN news.pages.body_sha256 IS 'SHA-256 of the body bytes, hex.';
COMMENT ON COLUMN news.pages.fetched_at IS 'When the page was fetched.';
COMMENT ON COLUMN news.pages.run_id IS 'The run that fetched it last (news.ingest_runs.id).';

COMMENT ON TABLE news.articles IS 'One row per article (per canonical URL; the same text under two URLs of one source is one row), current version. Grain: article.';
COMMENT ON COLUMN news.articles.id IS 'Article id.';
COMMENT ON COLUMN news.articles.source IS 'The source that published it (news.sources.name).';
COMMENT ON COLUMN news.articles.url IS 'The URL it was fetched from.';
COMMENT ON COLUMN news.articles.canonical_url IS 'rel=canonical or og:url when on the source''s host, else the normalised fetched URL; unique.';
COMMENT ON COLUMN news.articles.title IS 'Headline.';
COMMENT ON COLUMN news.articles.lead IS 'Standfirst (sapo), without the dateline; NULL when the page has none.';
COMMENT ON COLUMN news.articles.body IS 'Article text: paragraphs separated by a blank line; no captions, bylines or share widgets.';
COMMENT ON COLUMN news.articles.captions IS 'Photo captions, in page order.';
COMMENT ON COLUMN news.articles.authors IS 'Person names (or the publisher''s own newsroom), title-cased; empty when none is printed.';
COMMENT ON COLUMN news.articles.published_at IS 'Publication time with its offset (timestamptz); NULL when the page gives none.';
COMMENT ON COLUMN news.articles.modified_at IS 'Last modification time the page gives, if any.';
COMMENT ON COLUMN news.articles.section IS 'Section (category) the page names, e.g. Kinh tế.';
COMMENT ON COLUMN news.articles.tags IS 'Keywords or tags the page gives.';
COMMENT ON COLUMN news.articles.language IS 'ISO 639-1 language code (declared by the page or source, else detected).';
COMMENT ON COLUMN news.articles.image_url IS 'Lead image, absolute URL.';
COMMENT ON COLUMN news.articles.word_count IS 'Words of lead and body.';
COMMENT ON COLUMN news.articles.content_hash IS 'SHA-256 of the normalised title, lead and body: equal hashes are the same text.';
COMMENT ON COLUMN news.articles.dateline IS 'The lead''s agency prefix, e.g. CT from (CT)-.';
COMMENT ON COLUMN news.articles.byline IS 'The byline as printed, e.g. Tin, ảnh: ANH DŨNG.';
COMMENT ON COLUMN news.articles.published_raw IS 'The publication date string the page printed.';
COMMENT ON COLUMN news.articles.provenance IS 'Per field, which signal gave it (profile, json-ld, meta, page, feed, ...); key published_tz says where the time''s offset came from.';
COMMENT ON COLUMN news.articles.first_seen_at IS 'When the article was first loaded.';
COMMENT ON COLUMN news.articles.last_seen_at IS 'When a run last saw the article (fetched, re-extracted or answered 304).';
COMMENT ON COLUMN news.articles.run_id IS 'The run that last wrote the row (news.ingest_runs.id).';
COMMENT ON COLUMN news.articles.version IS '1 when new; one more each time its content changed (earlier versions in news.article_versions).';
COMMENT ON COLUMN news.articles.cluster_id IS 'The story: articles with one cluster_id are near-duplicates of one story, across sources (NULL: loaded before clustering, a story of its own).';
COMMENT ON COLUMN news.articles.source_credit IS 'The outlet the piece was taken from (TTXVN from Theo TTXVN, an agency named as author); never a person.';
COMMENT ON COLUMN news.articles.modified_raw IS 'The modification date string the page printed.';

COMMENT ON TABLE news.rejects IS 'One row per page, feed or sitemap that failed a stage, with the reason; the run went on. Grain: failure.';
COMMENT ON COLUMN news.rejects.id IS 'Reject id.';
COMMENT ON COLUMN news.rejects.run_id IS 'The run it happened in (news.ingest_runs.id).';
COMMENT ON COLUMN news.rejects.source IS 'The source (news.sources.name).';
COMMENT ON COLUMN news.rejects.url IS 'The page, feed or sitemap that failed.';
COMMENT ON COLUMN news.rejects.stage IS 'discover, fetch, extract or load.';
COMMENT ON COLUMN news.rejects.reason IS 'Why, in words, with the values (HTTP 404, body cut off after 18234 bytes, ...).';
COMMENT ON COLUMN news.rejects.http_status IS 'HTTP status of the failed answer, when there was one.';
COMMENT ON COLUMN news.rejects.created_at IS 'When the failure was recorded.';
COMMENT ON COLUMN news.rejects.reason_code IS 'Why, as a code of a closed set (README: Reject codes), e.g. http_status, timeout, robots, no_text; group by it.';

COMMENT ON TABLE news.article_urls IS 'One row per URL known to lead to an article: fetched, canonical, or a duplicate''s. Grain: URL.';
COMMENT ON COLUMN news.article_urls.url IS 'Normalised URL.';
COMMENT ON COLUMN news.article_urls.article_id IS 'The article it leads to (news.articles.id).';
COMMENT ON COLUMN news.article_urls.first_seen_at IS 'When the URL was first seen leading to the article.';

COMMENT ON TABLE news.article_versions IS 'One row per replaced version of an article; the current version stays in news.articles. Grain: article x version.';
COMMENT ON COLUMN news.article_versions.article_id IS 'The article (news.articles.id).';
COMMENT ON COLUMN news.article_versions.version IS 'The version number this content had.';
COMMENT ON COLUMN news.article_versions.title IS 'Headline of this version.';
COMMENT ON COLUMN news.article_versions.lead IS 'Standfirst of this version.';
COMMENT ON COLUMN news.article_versions.body IS 'Article text of this version.';
COMMENT ON COLUMN news.article_versions.content_hash IS 'SHA-256 of this version''s normalised title, lead and body.';
COMMENT ON COLUMN news.article_versions.seen_at IS 'When this version was last seen.';
COMMENT ON COLUMN news.article_versions.replaced_at IS 'When a newer version replaced it.';
COMMENT ON COLUMN news.article_versions.run_id IS 'The run that replaced it (news.ingest_runs.id).';

COMMENT ON TABLE news.article_buckets IS 'The index of the near-duplicate check: one row per article and MinHash LSH band. Internal to dedupe. Grain: bucket x article.';
COMMENT ON COLUMN news.article_buckets.bucket IS '64-bit hash of (band number, the band''s MinHash values); articles sharing one are candidates of each other.';
COMMENT ON COLUMN news.article_buckets.article_id IS 'The article (news.articles.id).';

COMMENT ON TABLE news.http_validators IS 'One row per feed or sitemap URL: the ETag and Last-Modified of its last complete reading, sent back on the next run. Grain: listing URL.';
COMMENT ON COLUMN news.http_validators.url IS 'The feed or sitemap URL as configured or linked.';
COMMENT ON COLUMN news.http_validators.source IS 'The source (news.sources.name).';
COMMENT ON COLUMN news.http_validators.etag IS 'ETag of the last complete reading (sent as If-None-Match).';
COMMENT ON COLUMN news.http_validators.last_modified IS 'Last-Modified of the last complete reading (sent as If-Modified-Since).';
COMMENT ON COLUMN news.http_validators.children IS 'For a sitemap index: its child sitemaps, read again when the index answers 304.';
COMMENT ON COLUMN news.http_validators.checked_at IS 'When the validators were stored.';
COMMENT ON COLUMN news.http_validators.run_id IS 'The run that stored them (news.ingest_runs.id).';
