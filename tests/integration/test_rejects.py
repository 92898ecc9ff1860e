"""Reject codes in the warehouse: migration 0005's back-fill of old rows, its CHECK, and what loading writes."""

from __future__ import annotations

import sqlalchemy as sa

from tasks.config import Source
from tasks.dedupe.decide import BatchDedupe
from tasks.errors import BACKFILL_CODE, REJECT_CODES
from tasks.records import Reject
from tasks.warehouse import db
from tasks.warehouse.runs import open_run, sync_sources
from tasks.warehouse.writes import load_batch

MIGRATION = "0005_reject_reason_code"

# (stage, reason as the code wrote it before migration 0005, the code the back-fill gives it). The texts
# are those of the modules at 3869ed4 (tasks/fetch.py, scope.py, robots.py, hosts.py, charset.py, page.py,
# extract.py, discover.py, pipeline.py, load.py) with real values, several taken from e2e runs.
OLD_REASONS = [
    ("fetch", "HTTP 404", "http_status"),
    ("discover", "HTTP 503", "http_status"),
    ("fetch", "timed out after 0.5s (after 3 attempts)", "timeout"),
    ("fetch", "read timed out after 10s (4096 bytes read) (after 3 attempts)", "timeout"),
    ("fetch", "body not received within the 1.5s deadline (29 bytes read) (after 3 attempts)", "timeout"),
    ("fetch", "connection failed: HTTPPool(host='127.0.0.1', port=8123): Max retries exceeded with url: "
              "/fault/reset.html (Caused by ProtocolError('Connection aborted.', ConnectionResetError(104, "
              "'Connection reset by peer'))) (after 3 attempts)", "connection"),
    ("fetch", "out of scope: cannot resolve baocantho.vn: [Errno -3] Temporary failure in name resolution",
     "connection"),
    ("fetch", "request failed: Invalid URL 'http://[::1/a.html': Failed to parse: http://[::1/a.html",
     "invalid_request"),
    ("fetch", "body cut off after 18234 bytes: IncompleteRead(18234 bytes read, 1766 more expected) "
              "(after 3 attempts)", "truncated"),
    ("fetch", "decompressed body exceeds the 2000000-byte limit", "too_large"),
    ("fetch", "body exceeds the 2000000-byte limit", "too_large"),
    ("fetch", "body of 9000000 bytes exceeds the 5000000-byte limit", "too_large"),
    ("discover", "sitemap larger than 50000000 bytes uncompressed", "too_large"),
    ("fetch", "unsupported content-encoding 'br'", "bad_compression"),
    ("fetch", "broken gzip body: ('Received response with content-encoding: gzip, but failed to decode it.', "
              "error('Error -3 while decompressing data: incorrect header check'))", "bad_compression"),
    ("discover", "broken gzip sitemap: Not a gzipped file (b'<h')", "bad_compression"),
    ("fetch", "redirect loop: http://127.0.0.1:8123/fault/redirect-loop.html -> http://127.0.0.1:8123/fault/"
              "redirect-loop-b.html -> http://127.0.0.1:8123/fault/redirect-loop.html", "redirect_loop"),
    ("fetch", "more than 5 redirects", "redirect_loop"),
    ("fetch", "out of scope (redirected to http://127.0.0.2:8123/a/1.html): host 127.0.0.2:8123 is not one of "
              "the source's hosts (127.0.0.1:8123, 127.0.0.3:8123)", "out_of_scope"),
    ("fetch", "out of scope: 127.0.0.1: address 127.0.0.1 is loopback, not allowed for this source",
     "out_of_scope"),
    ("fetch", "out of scope (at connect time): rebind.test: address 127.0.0.2 is loopback, not allowed for this "
              "source", "out_of_scope"),
    ("fetch", "out of scope: not an http(s) URL: ftp://baocantho.vn/a.html", "out_of_scope"),
    ("fetch", "disallowed by robots.txt", "robots"),
    ("fetch", "redirected to http://127.0.0.1:8123/private/moved.html: disallowed by robots.txt", "robots"),
    ("discover", "robots.txt answered HTTP 503; nothing is fetched from the host without it",
     "robots_unavailable"),
    ("fetch", "timed out after 10s (after 3 attempts) (reading robots.txt; nothing is fetched from the host "
              "without it)", "robots_unavailable"),
    ("fetch", "127.0.0.1:8123 asked us to wait 120s more (Retry-After); not fetched in this run", "host_paused"),
    ("extract", "not an HTML page: application/pdf", "not_html"),
    ("extract", "cannot decode the page: declared windows-1258 in the header, and the bytes match no encoding",
     "undecodable"),
    ("extract", "text decoded as utf-8 (as declared) looks like UTF-8 read as windows-125x (mojibake)",
     "mojibake"),
    ("discover", "text decoded as windows-1258 (header) looks like UTF-8 read as windows-125x (mojibake)",
     "mojibake"),
    ("extract", "empty document", "empty"),
    ("extract", "not an HTML document: Document is empty", "parse_error"),
    ("extract", "no title found", "no_title"),
    ("extract", "no article text found", "no_text"),
    ("extract", "extractor failed: IndexError: list index out of range", "extractor_bug"),
    ("extract", "extractor failed: ValueError: HTTP 404 disallowed by robots.txt", "extractor_bug"),
    ("discover", "not an RSS or Atom feed", "not_feed"),
    ("discover", "malformed feed: <unknown>:1:49: mismatched tag", "parse_error"),
    ("discover", "malformed sitemap XML: Couldn't find end of Start Tag url line 1, line 1, column 50",
     "parse_error"),
    ("discover", "unreadable sitemap: Unsupported root element 'rss'.", "parse_error"),
    ("discover", "not a sitemap: root element is <html>", "not_sitemap"),
    ("discover", "sitemap index includes itself (loop)", "sitemap_loop"),
    ("discover", "sitemap nested deeper than 3 levels", "sitemap_too_deep"),
    ("discover", "listing page has no article links", "no_links"),
    ("discover", "listing page 2 repeats earlier pages' links (check 'page_url')", "repeated_page"),
    ("load", "database refused the row: A string literal cannot contain NUL (0x00) characters.", "db_refused"),
    ("load", "database refused the row: the article conflicts with a row that is no longer there", "db_refused"),
    ("fetch", "a reason no version of newsetl wrote", BACKFILL_CODE),
]


def migrate_to(eng: sa.Engine, last: str) -> None:
    """An empty ``news`` schema with the migrations up to ``last`` applied and recorded, as an older install."""
    with eng.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA IF EXISTS news CASCADE"))
        cursor = conn.connection.cursor()
        cursor.execute(db.sql_text("meta/schema_migrations.sql"))
        for version, body in db.sql_scripts("migrations"):
            if version[:4] > last:
                break
            cursor.execute(body)
            conn.execute(db.query("meta/record_migration.sql"), {"version": version})


def test_the_migration_gives_old_rows_the_code_of_their_reason_and_keeps_the_reason(database_url):
    eng = db.engine(database_url)
    migrate_to(eng, "0004")
    with eng.begin() as conn:
        for stage, reason, _ in OLD_REASONS:
            conn.execute(sa.text("INSERT INTO news.rejects (source, url, stage, reason) "
                                 "VALUES ('mau', 'http://127.0.0.1/a.html', :stage, :reason)"),
                         {"stage": stage, "reason": reason})
    assert db.upgrade(eng)[0] == MIGRATION
    with eng.connect() as conn:
        got = conn.execute(sa.text("SELECT stage, reason, reason_code FROM news.rejects ORDER BY id")).all()
    assert [tuple(row) for row in got] == OLD_REASONS


def test_the_check_constraint_lists_exactly_the_codes_of_the_code(warehouse):
    """A code added to RejectCode needs a migration that widens the CHECK; this fails until it has one."""
    with warehouse.connect() as conn:
        definition = conn.execute(sa.text(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 'rejects_reason_code_check'"
        )).scalar_one()
        allowed = conn.execute(sa.text(
            "SELECT regexp_matches(:definition, '''([a-z_]+)''::text', 'g')"), {"definition": definition}
        ).scalars().all()
    assert sorted(code for (code,) in allowed) == sorted([*REJECT_CODES, BACKFILL_CODE])


def test_loading_writes_code_and_detail_and_the_report_groups_by_code(warehouse):
    sync_sources(warehouse, [Source(name="mau", title="Mẫu", homepage="http://127.0.0.1/",
                                    feeds=("http://127.0.0.1/rss",))])
    run = open_run(warehouse, ["mau"])
    load_batch(warehouse, run, "mau", [], BatchDedupe([]), [
        Reject("mau", "http://127.0.0.1/a.html", "fetch", "http_status", "HTTP 404", 404),
        Reject("mau", "http://127.0.0.1/b.html", "fetch", "http_status", "HTTP 404", 404),
        Reject("mau", "http://127.0.0.1/c.html", "fetch", "truncated", "body cut off after 18234 bytes: ...", 200),
        Reject("mau", "http://127.0.0.1/d.html", "fetch", "truncated", "body cut off after 977 bytes: ...", 200),
    ])
    with warehouse.connect() as conn:
        stored = conn.execute(sa.text("SELECT reason_code, reason FROM news.rejects ORDER BY url")).all()
        report = conn.execute(sa.text("SELECT stage, reason_code, http_status, pages, sample_reason "
                                      "FROM news.rpt_rejects WHERE run_id = :run ORDER BY reason_code"),
                              {"run": run}).all()
    assert stored[0] == ("http_status", "HTTP 404") and stored[3] == ("truncated", "body cut off after 977 bytes: ...")
    assert [tuple(row)[:4] for row in report] == [("fetch", "http_status", 404, 2), ("fetch", "truncated", 200, 2)]
    assert report[0].sample_reason == "HTTP 404" and report[1].sample_reason.startswith("body cut off after ")
