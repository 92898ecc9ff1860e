"""The fetcher against the fault site: conditional requests, robots.txt sitemaps, scope; no database."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tasks.config import load_sources
from tasks.discover import MAX_SITEMAP_CHILDREN, discover_source
from tasks.errors import FetchError
from tasks.fetch.client import Fetcher, FetchPolicy
from tasks.records import Validators
from tests.sites.faults import serve_faults


@pytest.fixture(scope="module")
def site():
    with serve_faults(crawl_delay=None) as server:
        yield server


def source_for(site, tmp_path: Path, **options):
    path = tmp_path / "sources.toml"
    path.write_text(site.source_toml(min_interval=0, **options), encoding="utf-8")
    return load_sources(path)[0]


def test_a_page_with_validators_is_asked_conditionally_and_a_304_has_no_body(site, tmp_path):
    with Fetcher(source=source_for(site, tmp_path)) as fetcher:
        first = fetcher.fetch(site.base + "/a/0.html")
        assert first.status == 200 and first.validators == Validators(etag='"a0"')
        again = fetcher.fetch(site.base + "/a/0.html", validators=first.validators)
    assert (again.status, again.body) == (304, b"")
    assert site.hits[-1].headers["if-none-match"] == '"a0"'


def test_user_agent_names_the_project_and_a_contact_url(site, tmp_path):
    with Fetcher(source=source_for(site, tmp_path)) as fetcher:
        fetcher.fetch(site.base + "/a/1.html")
    agent = site.hits[-1].headers["user-agent"]
    assert agent.startswith("newsetl/") and "+https://" in agent


def test_a_source_without_sitemaps_uses_the_sitemap_lines_of_robots_txt(site, tmp_path):
    source = source_for(site, tmp_path, feeds=("/bad-feed.rss",), sitemaps=())
    found = discover_source(source)
    assert [u.url.removeprefix(site.base) for u in found.urls] == ["/a/0.html", "/a/1.html", "/a/2.html"]
    assert [u.via.removeprefix(site.base) for u in found.urls] == ["/sitemap-pages.xml"] * 3


def test_without_allow_addresses_even_the_sources_own_loopback_host_is_refused(site, tmp_path):
    path = tmp_path / "sources.toml"
    path.write_text(site.source_toml().replace('allow_addresses = ["127.0.0.1"]\n', ""), encoding="utf-8")
    before = len(site.hits)
    with Fetcher(source=load_sources(path)[0]) as fetcher, pytest.raises(FetchError, match="127.0.0.1 is loopback"):
        fetcher.fetch(site.base + "/a/0.html")
    assert len(site.hits) == before  # refused before any connection: not even robots.txt was asked for


def test_a_name_that_resolves_elsewhere_at_connect_time_is_refused(site, tmp_path, monkeypatch):
    """DNS rebinding: the name passes the check as 127.0.0.1, then resolves to 127.0.0.2 when connecting."""
    import socket

    import tasks.fetch.scope

    real = socket.getaddrinfo
    answers = iter(["127.0.0.1", "127.0.0.2"])

    def rebinding(host, port, *args, **kwargs):
        if host == "rebind.test":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (next(answers), port))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(tasks.fetch.scope.socket, "getaddrinfo", rebinding)
    path = tmp_path / "sources.toml"
    path.write_text(site.source_toml().replace(f'hosts = ["127.0.0.3:{site.port}"]',
                                               f'hosts = ["rebind.test:{site.port}"]'), encoding="utf-8")
    source = load_sources(path)[0]
    before = len(site.hits)
    with Fetcher(source=source) as fetcher:
        fetcher.robots = None  # only the rebinding is under test here
        with pytest.raises(FetchError, match="at connect time.*127.0.0.2 is loopback"):
            fetcher.fetch(f"http://rebind.test:{site.port}/a/0.html")
    assert len(site.hits) == before


def test_trickled_headers_end_at_the_deadline_not_at_the_read_timeout(site, tmp_path):
    """Each byte of the head arrives inside the read timeout; the whole would take 20 s."""
    policy = FetchPolicy(timeout=0.5, deadline=1.0, retries=0)
    with Fetcher(policy=policy, source=source_for(site, tmp_path)) as fetcher:
        started = time.monotonic()
        with pytest.raises(FetchError) as caught:
            fetcher.fetch(site.base + "/fault/trickle-headers.html")
        took = time.monotonic() - started
    assert (caught.value.code, caught.value.detail) == ("timeout", "no response within the 1s deadline")
    assert 0.9 <= took < 5.0  # the head alone takes 20 s


def test_a_fetcher_for_no_source_keeps_the_deadline_too(site):
    with Fetcher(policy=FetchPolicy(timeout=0.5, deadline=1.0, retries=0)) as fetcher:
        with pytest.raises(FetchError, match="no response within the 1s deadline"):
            fetcher.fetch(site.base + "/fault/trickle-headers.html")
        assert fetcher.fetch(site.base + "/a/0.html").status == 200  # the next request is not cut off


def test_a_server_silent_past_the_deadline_is_cut_off_at_the_deadline(site, tmp_path):
    """No byte for 2 s, then the page; a read timeout of 5 s would wait for it: the 1 s deadline does not."""
    policy = FetchPolicy(timeout=5, deadline=1.0, retries=0)
    with (Fetcher(policy=policy, source=source_for(site, tmp_path)) as fetcher,
          pytest.raises(FetchError, match="no response within the 1s deadline")):
        fetcher.fetch(site.base + "/fault/slow-first-byte.html")


def test_a_sitemap_has_its_own_limit_whatever_its_encoding(site, tmp_path):
    """2,000 URLs are about 150 KB: over a page limit of 100 KB, inside the sitemap's 50 MB, gzip-encoded."""
    policy = FetchPolicy(max_bytes=100_000, retries=0)
    with Fetcher(policy=policy, source=source_for(site, tmp_path)) as fetcher:
        with pytest.raises(FetchError, match="decompressed body exceeds the 100000-byte limit"):
            fetcher.fetch(site.base + "/sitemap-gzip.xml")  # as a page, it is too large
        found = discover_source(source_for(site, tmp_path, feeds=(), sitemaps=("/sitemap-gzip.xml",)), fetcher)
    assert found.rejects == [] and len(found.urls) == site.sitemap_urls


def test_a_sitemap_index_is_read_up_to_its_cap_and_the_rest_is_a_reject_naming_it(site, tmp_path):
    with Fetcher(source=source_for(site, tmp_path)) as fetcher:
        found = discover_source(source_for(site, tmp_path, feeds=(), sitemaps=("/sitemap-wide.xml",)), fetcher)
    read = [h for h in site.hits if h.path == "/sitemap-pages.xml"]
    assert len(read) >= MAX_SITEMAP_CHILDREN
    (reject,) = found.rejects
    assert (reject.url, reject.code) == (site.base + "/sitemap-wide.xml", "too_large")
    assert reject.detail == (f"sitemap index lists {site.index_children} child sitemaps; read the first "
                             f"{MAX_SITEMAP_CHILDREN} (the cap), left out {site.index_children - MAX_SITEMAP_CHILDREN}")
    assert found.listings_ok == 1 + MAX_SITEMAP_CHILDREN


def test_an_index_s_children_are_read_side_by_side_at_the_host_s_pace(tmp_path):
    """12 children that take 0.3 s each to answer, at min_interval 0.1 and 4 connections: read one after another
    that is 12 x 0.3 = 3.6 s at least; side by side about 12 x 0.1 s, and request starts stay 0.1 s apart."""
    children, latency, interval = 12, 0.3, 0.1
    with serve_faults(crawl_delay=None, slow_children=children, child_latency=latency) as slow:
        path = tmp_path / "sources.toml"
        path.write_text(slow.source_toml(feeds=(), sitemaps=("/sitemap-slow-index.xml",), min_interval=interval,
                                         max_connections=4), encoding="utf-8")
        src = load_sources(path)[0]
        with Fetcher(source=src) as fetcher:
            fetcher.robots_rules(slow.base + "/")  # robots.txt read first: its request is not the index's
            started = time.monotonic()
            found = discover_source(src, fetcher)
            took = time.monotonic() - started
    assert found.rejects == [] and found.listings_ok == 1 + children
    assert [u.url for u in found.urls] == [f"{slow.base}/a/{n}.html" for n in range(slow.pages)]
    starts = [h.at for h in slow.hits if h.path in ("/sitemap-slow-index.xml", "/sitemap-slow.xml")]
    assert len(starts) == 1 + children
    gaps = [b - a for a, b in zip(starts, starts[1:], strict=False)]
    # Arrival times at the server carry thread-switch jitter (a worker's first request also opens its session
    # after its start was stamped), so, as in test_faults, the bound is on the average gap and on nearly every
    # gap; tests/unit/test_hosts.py checks the limiter's own start times exactly.
    assert (starts[-1] - starts[0]) / len(gaps) >= interval * 0.95, f"gaps {[round(g, 3) for g in gaps]}"
    assert sum(gap >= interval * 0.8 for gap in gaps) >= 0.9 * len(gaps), f"gaps {[round(g, 3) for g in gaps]}"
    assert took < 0.7 * children * latency, f"{children} children took {took:.2f}s"

