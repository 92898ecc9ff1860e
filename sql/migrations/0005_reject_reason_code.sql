-- Issue 10 (one home per concern): a reject's reason becomes a code from a closed set, so that
-- news.rpt_rejects can group rejects; the old free text stays beside it as the human detail.
--   reason_code  why the page or listing was rejected, one of the codes of RejectCode in tasks/errors.py
--                (README lists them with their stage and meaning); holds no value: the values are in reason.
--                'other' is only on rows written before this migration whose reason no pattern below knows.
--   reason       (unchanged) the same in words, with the values: 'HTTP 404', 'body cut off after 18234
--                bytes: ...', the library's message
-- The CHECK constraint lists the closed set: a code added to RejectCode needs a migration that drops
-- rejects_reason_code_check and adds it again with the new list (tests/test_rejects.py compares the two).
--
-- Back-fill: the patterns below are the texts the code wrote up to this migration, checked in order.
-- First the texts that end in any message ("database refused the row: ...", "extractor failed: ...")
-- or embed another reason ("connection failed: ... (reading robots.txt; nothing is fetched ...)"),
-- then each kind by its words. A retried failure ends in " (after N attempts)".
ALTER TABLE news.rejects ADD COLUMN reason_code text;

UPDATE news.rejects SET reason_code = CASE
    WHEN stage = 'load' AND reason LIKE 'database refused the row:%'               THEN 'db_refused'
    WHEN reason LIKE 'extractor failed:%'                                          THEN 'extractor_bug'
    WHEN reason LIKE '%nothing is fetched from the host without it%'               THEN 'robots_unavailable'
    WHEN reason LIKE '%disallowed by robots.txt%'                                  THEN 'robots'
    WHEN reason ~ '^out of scope: cannot resolve '                                 THEN 'connection'
    WHEN reason LIKE 'out of scope%'                                               THEN 'out_of_scope'
    WHEN reason ~ '^HTTP [0-9]{3}$'                                                THEN 'http_status'
    WHEN reason ~ ' asked us to wait [0-9]+s more \(Retry-After\)'                 THEN 'host_paused'
    WHEN reason ~ '^(redirect loop: |more than [0-9]+ redirects)'                  THEN 'redirect_loop'
    WHEN reason ~ '^(timed out after |read timed out after |body not received within the )'
                                                                                   THEN 'timeout'
    WHEN reason LIKE 'connection failed:%'                                         THEN 'connection'
    WHEN reason LIKE 'request failed:%'                                            THEN 'invalid_request'
    WHEN reason LIKE 'body cut off after %'                                        THEN 'truncated'
    WHEN reason ~ '^(unsupported content-encoding |broken [^ ]+ body: |broken gzip sitemap: )'
                                                                                   THEN 'bad_compression'
    WHEN reason ~ 'exceeds the [0-9]+-byte limit|^sitemap larger than [0-9]+ bytes' THEN 'too_large'
    WHEN reason LIKE 'not an HTML page:%'                                          THEN 'not_html'
    WHEN reason LIKE 'cannot decode the page:%'                                    THEN 'undecodable'
    WHEN reason LIKE '%looks like UTF-8 read as windows-125x (mojibake)%'          THEN 'mojibake'
    WHEN reason = 'empty document'                                                 THEN 'empty'
    WHEN reason ~ '^(not an HTML document|malformed feed|malformed sitemap XML|unreadable sitemap): '
                                                                                   THEN 'parse_error'
    WHEN reason = 'no title found'                                                 THEN 'no_title'
    WHEN reason = 'no article text found'                                          THEN 'no_text'
    WHEN reason = 'not an RSS or Atom feed'                                        THEN 'not_feed'
    WHEN reason LIKE 'not a sitemap: root element is %'                            THEN 'not_sitemap'
    WHEN reason LIKE 'sitemap index includes itself%'                              THEN 'sitemap_loop'
    WHEN reason ~ '^sitemap nested deeper than [0-9]+ levels'                      THEN 'sitemap_too_deep'
    WHEN reason = 'listing page has no article links'                              THEN 'no_links'
    WHEN reason ~ '^listing page [0-9]+ repeats earlier pages'' links'             THEN 'repeated_page'
    ELSE 'other'
END;

ALTER TABLE news.rejects ALTER COLUMN reason_code SET NOT NULL;
ALTER TABLE news.rejects ADD CONSTRAINT rejects_reason_code_check CHECK (reason_code IN (
    'http_status', 'timeout', 'connection', 'invalid_request', 'truncated', 'too_large', 'bad_compression',
    'redirect_loop', 'out_of_scope', 'robots', 'robots_unavailable', 'host_paused',
    'not_html', 'undecodable', 'mojibake', 'empty', 'parse_error', 'no_title', 'no_text', 'extractor_bug',
    'not_feed', 'not_sitemap', 'sitemap_loop', 'sitemap_too_deep', 'no_links', 'repeated_page',
    'db_refused',
    'other'
));

-- rpt_rejects now groups by reason_code; its columns change, which CREATE OR REPLACE VIEW cannot do,
-- so it is dropped here and sql/views/rpt_rejects.sql creates it again right after the migrations.
DROP VIEW IF EXISTS news.rpt_rejects;
