"""Sources run at the same time, pages are read by worker processes, and a page slow to read costs itself alone.

Real flow runs (``prefect_backend``) against fault sites on two loopback addresses.
"""

from __future__ import annotations

import gzip
import hashlib
import threading
import urllib.request
from contextlib import ExitStack

import pytest
import sqlalchemy as sa

import flows.ingest
from flows.ingest import ingest
from tasks.dedupe.near import fingerprint
from tests.conftest import flow_environment
from tests.integration.test_read_pool import spawned_children
from tests.sites.faults import SLOW_READ_PAGE, _Handler, serve_faults

pytestmark = pytest.mark.e2e
HOSTS = ("127.0.0.1", "127.0.0.2")
MEET = 60  # seconds the first article request of each host waits for the other host's


def rows(eng: sa.Engine, sql: str) -> list[sa.Row]:
    with eng.connect() as conn:
        return conn.execute(sa.text(sql)).all()


def test_two_sources_are_fetched_at_the_same_time(database_url, prefect_backend, tmp_path):
    """Each host's first article request is held until the other host has asked for an article too.

    Runs one after another (a source's batches queued in front of the next source's, as they were
    when a source's waiting batches held the task threads) never meet: the first host waits, its
    batch never ends, the second never starts, and the wait runs out.
    """
    met = threading.Barrier(len(HOSTS), timeout=MEET)
    outcome: list[str] = []

    class _Meeting(_Handler):
        def do_GET(self) -> None:  # noqa: N802 - the http.server hook name
            if self.path.startswith("/a/") and not getattr(self.server, "met", False):
                self.server.met = True
                try:
                    met.wait()
                    outcome.append("met")
                except threading.BrokenBarrierError:
                    outcome.append("alone")
            super().do_GET()

    with ExitStack() as stack:
        sites = [stack.enter_context(serve_faults(host, crawl_delay=None, pages=6)) for host in HOSTS]
        for site in sites:
            site.RequestHandlerClass = _Meeting
        sources = tmp_path / "sources.toml"
        sources.write_text("\n".join(site.source_toml(f"site{n}", feeds=("/pages.rss",), sitemaps=(),
                                                      max_connections=1)
                                     for n, site in enumerate(sites)), encoding="utf-8")
        # One page per batch: six batches per source, more than the flow's four task threads.
        env = {"NEWSETL_BATCH_SIZE": "1", "NEWSETL_TIMEOUT": str(MEET * 2), "NEWSETL_DEADLINE": str(MEET * 3)}
        with flow_environment(database_url, env) as eng:
            summary = ingest(sources_file=str(sources))
            articles = rows(eng, "SELECT source, count(*) FROM news.articles GROUP BY 1 ORDER BY 1")
        hits = [[h for h in site.hits if h.path.startswith("/a/")] for site in sites]
    assert outcome == ["met", "met"], outcome
    assert summary.status == "completed", summary.errors
    assert [tuple(r) for r in articles] == [("site0", 6), ("site1", 6)]
    # And they went on side by side: each host's first article came before the other's last.
    assert hits[0][0].at < hits[1][-1].at and hits[1][0].at < hits[0][-1].at


def test_a_page_slow_to_read_is_a_timeout_reject_and_the_rest_is_stored(database_url, prefect_backend, tmp_path):
    with serve_faults(crawl_delay=None, pages=3) as site:
        sources = tmp_path / "sources.toml"
        sources.write_text(site.source_toml(feeds=("/slow.rss",), sitemaps=()), encoding="utf-8")
        env = {"NEWSETL_EXTRACT_PROCESSES": "2", "NEWSETL_EXTRACT_TIMEOUT": "2"}
        with flow_environment(database_url, env) as eng:
            summary = ingest(sources_file=str(sources))
            rejects = rows(eng, "SELECT url, stage, reason_code, reason FROM news.rejects")
            stored = rows(eng, "SELECT url FROM news.articles ORDER BY url")
            (run,) = rows(eng, "SELECT status FROM news.ingest_runs")
    assert summary.status == "completed" and run.status == "completed", summary.errors
    assert [(r.url, r.stage, r.reason_code) for r in rejects] == [(site.base + SLOW_READ_PAGE, "extract", "timeout")]
    assert "NEWSETL_EXTRACT_TIMEOUT" in rejects[0].reason
    assert [r.url for r in stored] == [f"{site.base}/a/{n}.html" for n in range(3)]
    assert (summary.totals.fetched, summary.totals.new, summary.totals.rejected) == (4, 3, 1)
    assert spawned_children() == []  # the run's read workers, the replaced one included, are gone


def test_the_read_workers_are_stopped_when_the_run_fails(database_url, prefect_backend, tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("the listings could not be remembered")

    monkeypatch.setattr(flows.ingest, "remember_listings", broken)
    with serve_faults(crawl_delay=None, pages=3) as site:
        sources = tmp_path / "sources.toml"
        sources.write_text(site.source_toml(feeds=("/pages.rss",), sitemaps=()), encoding="utf-8")
        with flow_environment(database_url, {"NEWSETL_EXTRACT_PROCESSES": "2"}) as eng:
            with pytest.raises(RuntimeError, match="could not be remembered"):
                ingest(sources_file=str(sources))
            (run,) = rows(eng, "SELECT status FROM news.ingest_runs")
            (articles,) = rows(eng, "SELECT count(*) FROM news.articles")
    assert run.status == "failed" and articles[0] == 3  # the workers had read the pages when the run failed
    assert spawned_children() == []


def test_pages_read_by_the_workers_are_stored_as_served_and_indexed_by_their_text(database_url, prefect_backend,
                                                                                   tmp_path):
    """The workers compress each raw page and hash its article's shingles for the load (tasks.warehouse.packing):
    what is stored is the page the site served, and the article's LSH buckets are those of its stored text."""
    with serve_faults(crawl_delay=None, pages=3) as site:
        sources = tmp_path / "sources.toml"
        sources.write_text(site.source_toml(feeds=("/pages.rss",), sitemaps=()), encoding="utf-8")
        with flow_environment(database_url, {"NEWSETL_EXTRACT_PROCESSES": "2"}) as eng:
            summary = ingest(sources_file=str(sources))
            pages = rows(eng, "SELECT url, body_gzip, body_sha256 FROM news.pages ORDER BY url")
            articles = rows(eng, "SELECT a.lead, a.body, array_agg(b.bucket ORDER BY b.bucket) AS buckets "
                                 "FROM news.articles a JOIN news.article_buckets b ON b.article_id = a.id "
                                 "GROUP BY a.id ORDER BY a.id")
        served = {page.url: urllib.request.urlopen(page.url, timeout=10).read() for page in pages}
    assert summary.status == "completed", summary.errors
    assert [p.url for p in pages] == [f"{site.base}/a/{n}.html" for n in range(3)]
    for page in pages:
        body = gzip.decompress(page.body_gzip)
        assert body == served[page.url] and hashlib.sha256(body).hexdigest() == page.body_sha256
    assert len(articles) == 3
    for article in articles:
        assert sorted(fingerprint(article.lead, article.body).buckets) == article.buckets
