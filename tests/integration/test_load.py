"""Loading into the real Postgres: new, unchanged, updated, duplicate, and a row the database refuses."""

from __future__ import annotations

import dataclasses
import os
from datetime import UTC, datetime

import sqlalchemy as sa

from tasks.config import Source
from tasks.dedupe.decide import BatchDedupe
from tasks.normalise import content_hash
from tasks.records import Article, FetchedPage, Reject, Validators
from tasks.warehouse.reads import known_urls
from tasks.warehouse.runs import open_run, sync_sources
from tasks.warehouse.writes import load_batch, save_listing_validators
from tests.conftest import empty_warehouse

SOURCE = Source(name="mau", title="Mẫu", homepage="http://127.0.0.1/", feeds=("http://127.0.0.1/rss",),
                language="vi", timezone="Asia/Ho_Chi_Minh")


def article(slug: str, body: str = "Nội dung bài viết.") -> Article:
    return Article(source="mau", url=f"http://127.0.0.1/{slug}.html", canonical_url=f"http://127.0.0.1/{slug}.html",
                   title=f"Tiêu đề {slug}", lead="Mở đầu.", body=body, authors=("Anh Dũng",),
                   published_at=datetime(2026, 3, 7, 1, 1, tzinfo=UTC), word_count=5,
                   content_hash=content_hash(f"Tiêu đề {slug}", "Mở đầu.", body))


def page(slug: str, status: int = 200) -> FetchedPage:
    return FetchedPage(url=f"http://127.0.0.1/{slug}.html", final_url=f"http://127.0.0.1/{slug}.html",
                       status=status, headers={"content-type": "text/html", "x-private": "dropped"},
                       body=b"<html>...</html>", fetched_at=datetime.now(UTC))


def count(eng: sa.Engine, sql: str) -> int:
    with eng.connect() as conn:
        return conn.execute(sa.text(sql)).scalar_one()


def test_new_unchanged_updated_duplicate_and_refused(warehouse):
    sync_sources(warehouse, [SOURCE])
    run = open_run(warehouse, ["mau"])

    first = load_batch(warehouse, run, "mau", [page("a"), page("gone", 404)], BatchDedupe([article("a"), article("b")]),
                       [Reject("mau", "http://127.0.0.1/gone.html", "fetch", "http_status", "HTTP 404", 404)])
    assert (first.new, first.rejected) == (2, 1)
    assert known_urls(warehouse, ["http://127.0.0.1/a.html", "http://127.0.0.1/gone.html",
                                  "http://127.0.0.1/b.html", "http://127.0.0.1/c.html"]) == {
        "http://127.0.0.1/a.html", "http://127.0.0.1/gone.html", "http://127.0.0.1/b.html"}

    same_text_other_url = dataclasses.replace(article("a"), url="http://127.0.0.1/a-copy.html",
                                              canonical_url="http://127.0.0.1/a-copy.html")
    amp_copy = dataclasses.replace(article("b", body="Nội dung đã sửa."), url="http://127.0.0.1/amp/b.html")
    refused = dataclasses.replace(article("c"), title="NUL \x00 in title")
    second = load_batch(warehouse, run, "mau", [], BatchDedupe([
        article("a"),                          # same URL, same text
        article("b", body="Nội dung đã sửa."),  # same URL, new text
        same_text_other_url,                   # same text under another canonical URL
        amp_copy,                              # another URL declaring the same canonical URL
        refused,                               # the database refuses the row
        article("d"),                          # still loaded after the refusal
    ]), [])
    assert (second.new, second.unchanged, second.updated, second.duplicates, second.rejected) == (1, 1, 1, 2, 1)
    assert count(warehouse, "SELECT count(*) FROM news.articles") == 3
    assert count(warehouse, "SELECT count(*) FROM news.articles WHERE body = 'Nội dung đã sửa.'") == 1
    with warehouse.connect() as conn:
        reject = conn.execute(sa.text("SELECT stage, reason FROM news.rejects WHERE stage = 'load'")).one()
    # The row goes as JSON, where the NUL is \u0000: Postgres's detail names it.
    assert reject.reason.startswith("database refused the row:") and "\\u0000" in reject.reason
    with warehouse.connect() as conn:
        headers = conn.execute(sa.text("SELECT headers FROM news.pages WHERE url LIKE '%/a.html'")).scalar_one()
    assert headers == {"content-type": "text/html"}


def test_source_credit_and_raw_dates_reach_the_report_view(warehouse):
    sync_sources(warehouse, [SOURCE])
    run = open_run(warehouse, ["mau"])
    credited = dataclasses.replace(article("credit"), source_credit="TTXVN", modified_raw="07/03/2026 09:15",
                                   provenance={"authors": "byline", "source_credit": "byline"})
    assert load_batch(warehouse, run, "mau", [], BatchDedupe([credited]), []).new == 1
    with warehouse.connect() as conn:
        row = conn.execute(sa.text("SELECT a.modified_raw, a.provenance, r.source_credit FROM news.articles a "
                                   "JOIN news.rpt_articles r USING (id) WHERE a.url LIKE '%/credit.html'")).one()
    assert (row.source_credit, row.modified_raw) == ("TTXVN", "07/03/2026 09:15")
    assert row.provenance["source_credit"] == "byline"


def test_a_page_row_the_database_refuses_costs_that_page_alone(warehouse):
    """A URL too long for the unique index (Postgres: "index row size exceeds maximum"), a header
    holding a NUL, a listing ETag holding a NUL: each is that item's loss, never the batch's."""
    sync_sources(warehouse, [SOURCE])
    run = open_run(warehouse, ["mau"])
    too_long = page(os.urandom(50_000).hex())  # random: a repeated letter compresses into the index
    nul_etag = dataclasses.replace(page("etag"), headers={"content-type": "text/html", "etag": '"a\x00b"',
                                                          "last-modified": "Sat, 07 Mar 2026 01:01:00 GMT"})
    decisions = BatchDedupe([article("a"), article("etag")])
    result = load_batch(warehouse, run, "mau", [page("a"), too_long, nul_etag], decisions, [])
    assert (result.new, result.rejected) == (2, 1)
    with warehouse.connect() as conn:
        stored = dict(conn.execute(sa.text("SELECT url, headers FROM news.pages")).all())
        (reject,) = conn.execute(sa.text("SELECT url, stage, reason_code, reason FROM news.rejects")).all()
    assert set(stored) == {"http://127.0.0.1/a.html", "http://127.0.0.1/etag.html"}
    assert stored["http://127.0.0.1/etag.html"] == {"content-type": "text/html",
                                                    "last-modified": "Sat, 07 Mar 2026 01:01:00 GMT"}
    assert (reject.url, reject.stage, reject.reason_code) == (too_long.url, "load", "db_refused")
    assert "index row" in reject.reason

    save_listing_validators(warehouse, "mau", run, {
        "http://127.0.0.1/rss": (Validators('"feed\x00"', None), ()),
        "http://127.0.0.1/" + os.urandom(50_000).hex(): (Validators('"ok"', None), ()),  # refused by the key
        "http://127.0.0.1/other.rss": (Validators('"ok"', None), ()),
    })
    with warehouse.connect() as conn:
        kept = conn.execute(sa.text("SELECT url, etag FROM news.http_validators")).all()
    assert [tuple(row) for row in kept] == [("http://127.0.0.1/other.rss", '"ok"')]


def test_a_reject_row_is_always_written_whatever_its_url_holds(warehouse):
    sync_sources(warehouse, [SOURCE])
    run = open_run(warehouse, ["mau"])
    load_batch(warehouse, run, "mau", [page("a")], BatchDedupe([article("a")]), [
        Reject("mau", "http://127.0.0.1/a\ud800b.html", "discover", "invalid_request", "malformed URL: \x00")])
    with warehouse.connect() as conn:
        (row,) = conn.execute(sa.text("SELECT url, reason FROM news.rejects")).all()
    assert tuple(row) == ("http://127.0.0.1/a\\ud800b.html", "malformed URL: \\x00")
    assert count(warehouse, "SELECT count(*) FROM news.articles") == 1


def long_body(slug: str) -> str:
    """Text long enough to get LSH buckets (``near.MIN_SHINGLES``), in words of its own: a story of its own."""
    return " ".join(f"{slug}{n}" for n in range(40)) + "."


def stored_batch(eng: sa.Engine) -> dict:
    """What a batch left in the warehouse, without ids: per article URL its URLs, buckets, whether it
    is its own story; the pages' URLs; the rejects."""
    with eng.connect() as conn:
        articles = conn.execute(sa.text(
            "SELECT a.url, a.cluster_id = a.id AS own_story, "
            "  (SELECT array_agg(u.url ORDER BY u.url) FROM news.article_urls u WHERE u.article_id = a.id) AS urls, "
            "  (SELECT count(*) FROM news.article_buckets b WHERE b.article_id = a.id) AS buckets "
            "FROM news.articles a")).all()
        pages = conn.execute(sa.text("SELECT url, status, body_sha256 FROM news.pages")).all()
        rejects = conn.execute(sa.text("SELECT url, stage, reason_code FROM news.rejects")).all()
    return {"articles": {r.url: (r.own_story, tuple(r.urls), r.buckets) for r in articles},
            "pages": sorted(map(tuple, pages)), "rejects": sorted(map(tuple, rejects))}


def test_a_refused_row_in_a_batch_written_at_once_costs_that_row_alone(warehouse, database_url):
    """The batch goes in without savepoints; one refused article or page makes it go in again row by row,
    and the other rows end up exactly as in a batch without the bad ones."""
    sync_sources(warehouse, [SOURCE])
    good = [dataclasses.replace(article(s, long_body(s)), url=f"http://127.0.0.1/amp/{s}.html") for s in "abc"]
    good_pages = [page(s) for s in "abc"]
    savepoints: list[str] = []

    def taken(conn, name) -> None:
        savepoints.append(name)

    sa.event.listen(warehouse, "savepoint", taken)
    try:
        run = open_run(warehouse, ["mau"])
        clean = load_batch(warehouse, run, "mau", good_pages, BatchDedupe(good), [])
        assert (clean.new, clean.rejected, savepoints) == (3, 0, [])  # nothing refused: no savepoint taken
        expected = stored_batch(warehouse)

        empty_warehouse(database_url)
        sync_sources(warehouse, [SOURCE])
        run = open_run(warehouse, ["mau"])
        refused_article = dataclasses.replace(article("x", long_body("x")), body="NUL \x00 in the body")
        refused_page = page(os.urandom(50_000).hex())  # too long for the unique index
        result = load_batch(warehouse, run, "mau", [good_pages[0], refused_page, *good_pages[1:]],
                            BatchDedupe([good[0], refused_article, *good[1:]]), [])
    finally:
        sa.event.remove(warehouse, "savepoint", taken)
    assert (result.new, result.rejected) == (3, 2)
    assert savepoints  # the second writing isolated each row
    after = stored_batch(warehouse)
    assert after["articles"] == expected["articles"]
    assert all(own and len(urls) == 2 and buckets == 32 for own, urls, buckets in after["articles"].values())
    assert after["pages"] == expected["pages"]
    assert after["rejects"] == sorted([(refused_page.url, "load", "db_refused"),
                                       (refused_article.url, "load", "db_refused")])


def test_a_batch_past_its_byte_cap_is_handed_to_the_load_in_parts(warehouse, monkeypatch, tmp_path):
    """``NEWSETL_BATCH_BYTES``: once the raw pages a batch holds pass it, what was fetched so far goes to the
    load as a part of its own (here every page passes a 1-byte cap: a part per page), nothing lost or doubled."""
    from concurrent.futures import ThreadPoolExecutor

    from flows.ingest import fetch_batch
    from tasks.config import load_sources
    from tasks.fetch.client import Fetcher
    from tasks.records import DiscoveredUrl
    from tests.sites.faults import serve_faults

    monkeypatch.setenv("NEWSETL_BATCH_BYTES", "1")
    with serve_faults(crawl_delay=None, pages=4) as site:
        sources = tmp_path / "sources.toml"
        sources.write_text(site.source_toml(feeds=("/pages.rss",), sitemaps=(), max_connections=1), encoding="utf-8")
        (source,) = load_sources(sources)
        urls = [DiscoveredUrl(f"{site.base}/a/{n}.html", source.name, site.base + "/pages.rss") for n in range(4)]
        with Fetcher(source=source) as fetcher, ThreadPoolExecutor(max_workers=1) as pool:
            parts = list(fetch_batch(source, urls, fetcher, pool))
    assert [(p.fetched, len(p.pages), len(p.articles)) for p in parts] == [(1, 1, 1)] * 4
    assert [a.url for p in parts for a in p.articles] == [u.url for u in urls]
