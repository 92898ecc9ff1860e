"""Hostile input, case by case: one bad entry, header or row among good ones costs that item alone.

A source lists the fault site's hostile feed and sitemap (``tests/sites/faults.py``, ``HOSTILE``):
good articles, and among them a 100 KB URL, a link holding a lone surrogate (``&#xD800;``) and a
page whose ETag holds a NUL byte; the feed's own ETag holds a NUL byte too. The flow runs twice.
Each test reads one case's outcome: the good articles stored, the bad item a reject with its code
(or cleaned), both runs ``completed``, nothing fetched more than once.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import pytest
import sqlalchemy as sa

import flows.ingest
from flows.ingest import ingest
from flows.runs import RunSummary
from tasks.errors import SourcesFailed
from tasks.fetch.robots import ROBOTS
from tasks.urls import MAX_URL_LENGTH
from tasks.warehouse import db
from tests.conftest import empty_warehouse, flow_environment
from tests.sites.faults import (
    NUL_ETAG_ARTICLE,
    NUL_ETAG_PAGE,
    Hit,
    _Handler,
    article_title,
    attribute_heavy_html,
    serve_faults,
)
from tests.unit.test_hostile_extraction import (
    TEXT,
    TITLE,
    date_of_letters,
    distinct_class_tokens,
    loose_figcaptions,
    organization_author,
    title_suffixes,
)

pytestmark = pytest.mark.e2e

HOSTILE_ENV = {"NEWSETL_TIMEOUT": "2", "NEWSETL_BACKOFF": "0.05", "NEWSETL_BATCH_SIZE": "10"}


@dataclass
class HostileRuns:
    base: str
    first: RunSummary
    second: RunSummary
    titles: dict[str, str] = field(default_factory=dict)  # path -> title
    rejects: list[sa.Row] = field(default_factory=list)
    pages: dict[str, dict] = field(default_factory=dict)  # path -> stored headers
    validators: list[str] = field(default_factory=list)  # listing URLs with stored validators
    runs: list[sa.Row] = field(default_factory=list)
    hits_first: list[Hit] = field(default_factory=list)
    hits_second: list[Hit] = field(default_factory=list)


@pytest.fixture(scope="module")
def hostile(database_url, prefect_backend, tmp_path_factory) -> HostileRuns:
    with flow_environment(database_url, HOSTILE_ENV) as eng, serve_faults(crawl_delay=None) as site:
        sources = tmp_path_factory.mktemp("hostile") / "sources.toml"
        sources.write_text(site.source_toml(feeds=("/hostile.rss",), sitemaps=("/hostile-sitemap.xml",)),
                           encoding="utf-8")
        first = ingest(sources_file=str(sources))
        hits_first = list(site.hits)
        second = ingest(sources_file=str(sources))
        result = HostileRuns(site.base, first, second, hits_first=hits_first, hits_second=site.hits[len(hits_first):])
        with eng.connect() as conn:
            result.titles = {r.url.removeprefix(site.base): r.title
                             for r in conn.execute(sa.text("SELECT url, title FROM news.articles"))}
            result.rejects = conn.execute(sa.text(
                "SELECT run_id, url, stage, reason_code, reason, http_status FROM news.rejects ORDER BY id")).all()
            result.pages = {r.url.removeprefix(site.base): r.headers
                            for r in conn.execute(sa.text("SELECT url, headers FROM news.pages"))}
            result.validators = conn.execute(sa.text("SELECT url FROM news.http_validators")).scalars().all()
            result.runs = conn.execute(sa.text("SELECT * FROM news.ingest_runs ORDER BY id")).all()
        return result


def assert_completed(runs: HostileRuns) -> None:
    assert [(r.status, r.error) for r in runs.runs] == [("completed", None), ("completed", None)]
    (stats,) = runs.first.sources
    assert stats.error is None


def test_the_good_articles_are_stored_and_nothing_is_fetched_twice(hostile):
    assert {path: title for path, title in hostile.titles.items()} == {
        "/a/0.html": article_title(0), "/a/1.html": article_title(1), "/a/2.html": article_title(2),
        NUL_ETAG_PAGE: article_title(NUL_ETAG_ARTICLE)}
    fetched = [h.path for h in hostile.hits_first if h.path.startswith(("/a/", "/fault/"))]
    assert len(fetched) == len(set(fetched))  # no batch or discovery retry fetched a page again
    assert_completed(hostile)


def test_a_100_kb_url_is_a_reject_of_its_own_and_never_requested(hostile):
    long_rejects = [r for r in hostile.rejects if len(r.url) >= MAX_URL_LENGTH]
    assert {(r.run_id, r.stage, r.reason_code) for r in long_rejects} == {
        (hostile.first.run_id, "discover", "invalid_request"), (hostile.second.run_id, "discover", "invalid_request")}
    assert all(f"longer than the {MAX_URL_LENGTH} kept" in r.reason for r in long_rejects)
    assert {r.reason.rsplit("listed in ", 1)[1].rstrip(")") for r in long_rejects} == {
        f"{hostile.base}/hostile.rss", f"{hostile.base}/hostile-sitemap.xml"}
    assert max(len(h.path) for h in hostile.hits_first + hostile.hits_second) < MAX_URL_LENGTH
    assert_completed(hostile)


def test_a_lone_surrogate_in_one_link_costs_that_link_alone(hostile):
    # Cleaned to U+FFFD before the feed and the sitemap are parsed: the link is fetched like any
    # other (the site answers 404 to it) and the feed's other links are all read.
    surrogate = [r for r in hostile.rejects if "bad" in r.url and r.run_id == hostile.first.run_id]
    assert [(r.url.removeprefix(hostile.base), r.stage, r.reason_code, r.http_status) for r in surrogate] == [
        ("/a/bad%EF%BF%BDlink.html", "fetch", "http_status", 404)]
    assert not any(r.stage == "discover" and r.reason_code == "parse_error" for r in hostile.rejects)
    assert_completed(hostile)


def test_a_page_whose_etag_holds_a_nul_is_stored_without_it(hostile):
    assert hostile.titles[NUL_ETAG_PAGE] == article_title(NUL_ETAG_ARTICLE)
    assert "etag" not in hostile.pages[NUL_ETAG_PAGE] and hostile.pages[NUL_ETAG_PAGE]["content-type"]
    assert not any(r.stage == "load" for r in hostile.rejects)
    assert_completed(hostile)


def test_a_feed_whose_etag_holds_a_nul_is_read_in_full_next_time(hostile):
    # Its validators are skipped with a warning (the sitemap sends none); no run fails over it.
    assert hostile.validators == []
    (feed_hit,) = [h for h in hostile.hits_second if h.path == "/hostile.rss"]
    assert "if-none-match" not in feed_hit.headers
    assert hostile.second.status == "completed"
    assert_completed(hostile)


def test_a_lock_held_on_the_articles_fails_the_batch_with_its_reason_and_the_run_finishes(
        database_url, prefect_backend, tmp_path, monkeypatch):
    """Another session holds news.articles (EXCLUSIVE: reads go on, writes wait): the batch's insert
    gives up after NEWSETL_LOCK_TIMEOUT, is retried once, and the run finishes, recorded and naming why: its one
    source loaded nothing, so the run is ``failed`` and the flow run ends Failed (``SourcesFailed``, for alerting)."""
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("NEWSETL_LOCK_TIMEOUT", "1")
    db.dispose_engines()  # engines are per process and URL: the next one takes the 1 s limit
    empty_warehouse(database_url)
    locker = sa.create_engine(database_url)
    try:
        with serve_faults(crawl_delay=None) as site, locker.connect() as other:
            other.execute(sa.text("BEGIN"))
            other.execute(sa.text("LOCK TABLE news.articles IN EXCLUSIVE MODE"))
            ROBOTS.clear()
            sources = tmp_path / "sources.toml"
            sources.write_text(site.source_toml(feeds=("/pages.rss",), sitemaps=()), encoding="utf-8")
            started = time.monotonic()
            with pytest.raises(SourcesFailed) as failed:
                ingest(sources_file=str(sources))
            took = time.monotonic() - started
            summary = failed.value.summary
            other.execute(sa.text("ROLLBACK"))
    finally:
        locker.dispose()
        db.dispose_engines()
    assert took < 60
    assert summary.status == "failed"
    (stats,) = summary.sources
    assert stats.new == 0 and "NEWSETL_LOCK_TIMEOUT" in stats.error and "1 of 1 batches not loaded" in stats.error
    with db.engine(database_url).connect() as conn:
        run = conn.execute(sa.text("SELECT status, error FROM news.ingest_runs")).one()
    assert run.status == "failed" and "waited over 1s for a lock" in run.error


# The run that never finished: three pages of super-linear shapes (at the sizes that took 27 s to
# minutes each) and more hostile pages, among plain ones. Each shape's time at two sizes, as a ratio, is
# tests/unit/test_hostile_extraction.py; here a run over them finishes, every page read.
SHAPE_PAGES = {
    "organization-author": organization_author(800),  # 185 s once
    "date-of-letters": date_of_letters(32_000),  # 34 s once
    "title-suffixes": title_suffixes(64_000),  # 256 KB of " | x": 15 s once
    "loose-figcaptions": loose_figcaptions(25_000),  # over 12 s once
    "distinct-class-tokens": distinct_class_tokens(5_000),  # over 12 s once
    "attribute-heavy": attribute_heavy_html(),  # 4.8 MB, 440 MB of memory once
}


class _ShapeSite(_Handler):
    def do_GET(self) -> None:  # noqa: N802 - the http.server hook name
        name = self.path.removeprefix("/shape/").removesuffix(".html")
        if self.path == "/shapes.rss":
            paths = [f"/shape/{n}.html" for n in SHAPE_PAGES] + [f"/a/{n}.html" for n in range(3)]
            return self._send(200, self.server.feed_of(paths).encode(), "application/rss+xml; charset=utf-8")
        if name in SHAPE_PAGES:
            return self._send(200, SHAPE_PAGES[name], "text/html; charset=utf-8")
        return super().do_GET()


def test_a_run_over_pages_of_super_linear_shapes_finishes_with_every_page_read(database_url, prefect_backend,
                                                                              tmp_path):
    with serve_faults(crawl_delay=None, pages=3) as site, flow_environment(database_url, HOSTILE_ENV) as eng:
        site.RequestHandlerClass = _ShapeSite
        sources = tmp_path / "sources.toml"
        sources.write_text(site.source_toml(feeds=("/shapes.rss",), sitemaps=()), encoding="utf-8")
        started = time.monotonic()
        summary = ingest(sources_file=str(sources))
        took = time.monotonic() - started
        with eng.connect() as conn:
            pages = conn.execute(sa.text("SELECT url, status FROM news.pages")).all()
            articles = conn.execute(sa.text("SELECT url, title, body FROM news.articles")).all()
            rejects = conn.execute(sa.text("SELECT url, reason_code FROM news.rejects")).all()
            (run,) = conn.execute(sa.text("SELECT status, error FROM news.ingest_runs")).all()
    assert (run.status, run.error) == ("completed", None)
    assert rejects == []  # no page over the read time limit, none refused
    shapes = {f"{site.base}/shape/{n}.html" for n in SHAPE_PAGES}
    plain = {f"{site.base}/a/{n}.html" for n in range(3)}
    assert {p.url for p in pages} == shapes | plain and {p.status for p in pages} == {200}
    # The shape pages print one text: one article of them, the others counted as its duplicates.
    by_url = {a.url: a for a in articles}
    assert plain <= set(by_url)
    read = [a for url, a in by_url.items() if url in shapes]
    assert read and all(a.title == TITLE and TEXT.strip() in a.body for a in read if "attribute" not in a.url)
    (stats,) = summary.sources
    assert (stats.fetched, stats.rejected, stats.new + stats.duplicates) == (9, 0, 9), stats
    assert took < 120, f"the run took {took:.0f} s"


def test_a_discovery_error_that_would_come_back_is_not_retried_and_its_listing_is_fetched_once(
        database_url, prefect_backend, tmp_path, monkeypatch):
    """Retries only for errors that can succeed: a discovery failing on a value (not the database gone)
    once read its listings three times over; now once, and the run is recorded with the reason."""
    def refused(*args, **kwargs):
        raise ValueError("a value no retry changes")

    monkeypatch.setattr(flows.ingest, "select_urls_to_fetch", refused)
    with serve_faults(crawl_delay=None) as site, flow_environment(database_url, HOSTILE_ENV) as eng:
        sources = tmp_path / "sources.toml"
        sources.write_text(site.source_toml(feeds=("/pages.rss",), sitemaps=()), encoding="utf-8")
        with pytest.raises(SourcesFailed) as failed:
            ingest(sources_file=str(sources))
        feed_requests = [h for h in site.hits if h.path == "/pages.rss"]
        with eng.connect() as conn:
            (run,) = conn.execute(sa.text("SELECT status, error FROM news.ingest_runs")).all()
    assert len(feed_requests) == 1
    (stats,) = failed.value.summary.sources
    assert stats.error == "discovery failed: a value no retry changes"
    assert run.status == "failed" and "a value no retry changes" in run.error
