-- Issue 12 (backfill from web archives): pages read from WARC files instead of fetched, and the WARC
-- files a backfill has read, so that a file is read once and a file cut short resumes where it stopped.
--   pages.warc_file    the WARC file (absolute path or URL, as news.warc_files.file) a page was read from;
--                      NULL for a page fetched over HTTP
--   pages.warc_offset  byte offset of the page's record in that file (the start of its gzip member in a
--                      .warc.gz written gzip-per-record, as Common Crawl writes them): the record can be read
--                      again on its own, e.g. `warcio extract FILE OFFSET`
ALTER TABLE news.pages ADD COLUMN warc_file text, ADD COLUMN warc_offset bigint;

CREATE TABLE news.warc_files (
    file        text PRIMARY KEY,                -- the WARC file: its absolute path, or its URL
    status      text NOT NULL CHECK (status IN ('reading', 'done', 'truncated')),
                                                 -- reading: a backfill is at it (or died at it: resumed);
                                                 -- done: read to its end; truncated: it ends inside a record
    next_offset bigint NOT NULL DEFAULT 0,       -- where the next reading starts: after the last loaded batch,
                                                 -- or (truncated) the start of the record that is cut off
    size        bigint,                          -- the file's size in bytes when last read (a truncated file
                                                 -- whose size changed, completed since, is read on from next_offset)
    records     integer NOT NULL DEFAULT 0,      -- WARC records read from it, all kinds, all hosts
    detail      text,                            -- how a truncated file ends
    run_id      bigint REFERENCES news.ingest_runs (id) ON DELETE SET NULL,  -- the backfill run reading it last
    started_at  timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz
);

-- Reject codes of archived records (tasks/errors.py RejectCode; README's table).
ALTER TABLE news.rejects DROP CONSTRAINT rejects_reason_code_check;
ALTER TABLE news.rejects ADD CONSTRAINT rejects_reason_code_check CHECK (reason_code IN (
    'http_status', 'timeout', 'connection', 'invalid_request', 'truncated', 'too_large', 'bad_compression',
    'redirect_loop', 'out_of_scope', 'robots', 'robots_unavailable', 'host_paused',
    'not_html', 'undecodable', 'mojibake', 'empty', 'parse_error', 'no_title', 'no_text', 'extractor_bug',
    'not_feed', 'not_sitemap', 'sitemap_loop', 'sitemap_too_deep', 'no_links', 'repeated_page',
    'db_refused',
    'revisit', 'bad_record',
    'other'
));

-- The data dictionary (0006) for what this migration adds.
COMMENT ON TABLE news.ingest_runs IS 'One row per run of a flow (ingest, reprocess or backfill), from the CLI, a schedule or Prefect. Grain: run.';
COMMENT ON COLUMN news.pages.warc_file IS 'The WARC file (absolute path or URL) a backfilled page was read from; NULL for a page fetched over HTTP.';
COMMENT ON COLUMN news.pages.warc_offset IS 'Byte offset of the page''s record in its WARC file (the start of its gzip member): the record can be read again on its own.';
COMMENT ON TABLE news.warc_files IS 'One row per WARC file a backfill has read: read once, a file cut short resumed where it stopped. Grain: WARC file.';
COMMENT ON COLUMN news.warc_files.file IS 'The WARC file: its absolute path, or its URL.';
COMMENT ON COLUMN news.warc_files.status IS 'reading (a backfill is at it, or died at it: resumed), done (read to its end) or truncated (it ends inside a record).';
COMMENT ON COLUMN news.warc_files.next_offset IS 'Where the next reading starts: after the last loaded batch, or (truncated) the start of the record that is cut off.';
COMMENT ON COLUMN news.warc_files.size IS 'The file''s size in bytes when last read; a truncated file whose size changed is read on from next_offset.';
COMMENT ON COLUMN news.warc_files.records IS 'WARC records read from it, all kinds, all hosts.';
COMMENT ON COLUMN news.warc_files.detail IS 'How a truncated file ends.';
COMMENT ON COLUMN news.warc_files.run_id IS 'The backfill run that read it last (news.ingest_runs.id).';
COMMENT ON COLUMN news.warc_files.started_at IS 'When a backfill first started reading it.';
COMMENT ON COLUMN news.warc_files.finished_at IS 'When it was read to its end (or found truncated).';
