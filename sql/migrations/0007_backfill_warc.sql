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
