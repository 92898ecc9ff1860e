"""``sources add`` and ``sources check`` against the sample sites and the fault site, over real HTTP; no database."""

from __future__ import annotations

import shutil
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from flows.sample_site.build import SITE_DIR
from flows.sample_site.server import expected_records, serve_directory, serving
from flows.sources import FEED_PATHS, SITEMAP_PATHS, check_source, name_for, probe_site, source_toml
from tasks.config import load_sources
from tasks.discover import discover_source
from tests.sites.faults import serve_faults

LOOPBACK = ("127.0.0.1",)


def probe(base: str, **options):
    return probe_site(base + "/", allow_addresses=LOOPBACK, min_interval=0.0, **options)


def written(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sources.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_add_finds_the_feed_the_homepage_announces_and_the_sitemap_robots_txt_names(sample_sites, tmp_path):
    site = sample_sites["baocantho"]
    before = len(site.requests)
    report = probe(site.base)
    asked = site.requests[before:]
    assert report.source.feeds == (site.base + "/rss/tin-moi.rss",)
    assert report.source.sitemaps == (site.base + "/sitemap.xml",)  # robots.txt's and /sitemap.xml: one
    assert report.source.listings == ()
    assert [c.verdict for c in report.checks] == ["13 article URLs", "17 article URLs"]
    # The usual paths were tried and, as the site does not serve them, are not reported.
    assert all(path in asked for path in FEED_PATHS + SITEMAP_PATHS[1:])
    # Five articles read, each fetched once; robots.txt's disallowed paths never asked.
    articles = [p for p in asked if p.endswith(".html") and p.count("/") == 2]
    assert len(report.articles) == 5 and report.rejects == [] and len(set(articles)) == len(articles) == 5
    assert not any(p.startswith(("/admin/", "/tim-kiem")) for p in asked)
    fills = {f.name: f for f in report.fields()}
    assert (fills["title"].filled, fills["title"].pages) == (5, 5)
    assert fills["body"].filled == 5 and sum(fills["body"].signals.values()) == 5
    # What was guessed, and on what.
    assert {k: g.value for k, g in report.guesses.items()} == {"language": "vi", "timezone": "Asia/Ho_Chi_Minh",
                                                               "date_order": "dmy"}
    assert report.guesses["date_order"].reason.endswith("printed dates can only be day first")

    text = source_toml(report)
    table = tomllib.loads(text)["sources"][0]
    assert table["name"] == "bao-can-tho" and table["title"] == "Báo Cần Thơ"
    assert "# guessed: Vietnamese pages; no page printed an offset\ntimezone = \"Asia/Ho_Chi_Minh\"" in text
    (source,) = load_sources(written(tmp_path, text))
    assert (source.feeds, source.sitemaps, source.allow_addresses) == (report.source.feeds, report.source.sitemaps,
                                                                      LOOPBACK)
    assert source.min_interval == 0.0 and source.timezone == "Asia/Ho_Chi_Minh"


def test_add_finds_a_feed_only_the_section_pages_announce_and_reads_the_offset_the_pages_print(sample_sites):
    site = sample_sites["tintuc"]
    report = probe(site.base, articles=3)
    assert report.source.feeds == (site.base + "/feed.atom",)
    assert report.source.sitemaps == (site.base + "/sitemap.xml",)
    assert len(report.articles) == 3
    assert report.guesses["timezone"].reason == "3 published dates print UTC+7, the offset of Vietnamese pages"


def site_without_feeds_or_sitemaps(tmp_path: Path) -> Path:
    """The sample ``tintuc`` without its feed and sitemaps; its section pages still announce the (now gone) feed."""
    root = tmp_path / "tintuc"
    shutil.copytree(SITE_DIR / "tintuc", root)
    (root / "feed.atom").unlink()
    (root / "sitemap.xml").unlink()
    shutil.rmtree(root / "sitemaps")
    (root / "robots.txt").write_text("User-agent: *\nDisallow: /admin/\n", encoding="utf-8")
    return root


def test_a_site_with_neither_feed_nor_sitemap_gets_its_section_pages_as_listings(tmp_path):
    with serve_directory(site_without_feeds_or_sitemaps(tmp_path)) as site:
        report = probe(site.base, articles=4)
        sections = ("/thoi-su/", "/kinh-te/", "/xa-hoi/", "/van-hoa/", "/the-thao/")
        assert report.source.listings == tuple(site.base + s for s in sections)
        assert report.source.feeds == report.source.sitemaps == ()
        # The feed the section pages announce is gone: said so, not silently skipped.
        (dead,) = report.failing
        assert (dead.kind, dead.url, dead.verdict) == ("feed", site.base + "/feed.atom", "http_status: HTTP 404")
        assert len(report.articles) == 4
        text = source_toml(report)
        assert "# listings: page 1 of each is read" in text
        (source,) = load_sources(written(tmp_path, text))
        found = discover_source(source)
    records = {site.base + r["path"] for r in expected_records()
               if r["source"] == "tintuc" and r["section"] in ("Thời sự", "Kinh tế", "Xã hội", "Văn hóa", "Thể thao")}
    assert found.rejects == [] and found.urls and {u.url for u in found.urls} <= records


@contextmanager
def moved_site(target: str) -> Iterator[str]:
    """A homepage on another loopback host (127.0.0.2) that answers every request with a 301 to ``target``:
    a site that moved to a new domain."""

    class Moved(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the http.server hook name
            self.send_response(301)
            self.send_header("Location", target + self.path)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args) -> None:
            pass

    with serving(ThreadingHTTPServer(("127.0.0.2", 0), Moved), "moved-site") as server:
        yield f"http://127.0.0.2:{server.server_port}"


def test_add_follows_a_homepage_that_moved_to_another_host_and_reads_the_site_there(sample_sites):
    site = sample_sites["baocantho"]
    with moved_site(site.base) as old:
        report = probe_site(old + "/", allow_addresses=("127.0.0.1", "127.0.0.2"), min_interval=0.0)
    assert report.moved_from == old + "/"
    assert report.source.homepage == site.base + "/"
    assert report.source.feeds == (site.base + "/rss/tin-moi.rss",) and len(report.articles) == 5
    assert report.homepage_error is None
    assert f"homepage = \"{site.base}/\"" in source_toml(report)


def site_with_a_feed_directory(tmp_path: Path) -> Path:
    """The sample ``tintuc`` whose feed no page announces, with ``/rss`` an HTML page linking to its feeds
    (one of them gone), as many news sites serve it."""
    root = site_without_feeds_or_sitemaps(tmp_path)
    (root / "rss").mkdir()
    shutil.copy(SITE_DIR / "tintuc" / "feed.atom", root / "rss" / "tin-moi.atom")
    (root / "rss" / "index.html").write_text(
        '<html><head><title>RSS</title></head><body><h1>RSS</h1><ul>'
        '<li><a href="/rss/tin-moi.atom">Tin mới</a></li><li><a href="/rss/the-thao.rss">Thể thao</a></li>'
        '<li><a href="/thoi-su/">Thời sự</a></li></ul></body></html>', encoding="utf-8")
    for page in root.rglob("*.html"):  # the pages announce no feed
        text = page.read_text(encoding="utf-8")
        page.write_text(text.replace('rel="alternate"', 'rel="x-none"'), encoding="utf-8")
    return root


def test_add_reads_the_feeds_of_an_html_feed_directory_at_a_usual_feed_path(tmp_path):
    with serve_directory(site_with_a_feed_directory(tmp_path)) as site:
        report = probe(site.base, articles=2)
    assert report.source.feeds == (site.base + "/rss/tin-moi.atom",)
    assert report.source.listings == ()  # a feed was found: the section pages are not needed
    # The directory's dead feed is said, beside the one that works; the section link is not taken for a feed.
    verdicts = {c.url.removeprefix(site.base): c.verdict for c in report.checks if c.kind == "feed"}
    assert verdicts.keys() == {"/rss/tin-moi.atom", "/rss/the-thao.rss"}
    assert verdicts["/rss/tin-moi.atom"].endswith(" article URLs") and not verdicts["/rss/tin-moi.atom"].startswith("0")
    assert verdicts["/rss/the-thao.rss"] == "http_status: HTTP 404"
    assert len(report.articles) == 2 and report.rejects == []


def test_check_says_which_configured_feed_is_dead_and_which_works(tmp_path):
    with serve_faults(crawl_delay=None) as faults:
        path = written(tmp_path, faults.source_toml(feeds=("/pages.rss", "/bad-feed.rss", "/missing.rss"),
                                                    sitemaps=("/sitemap-loop.xml",), min_interval=0))
        (source,) = load_sources(path)
        report = check_source(source, articles=2)
    verdicts = {c.url.removeprefix(faults.base): c.verdict for c in report.checks}
    assert verdicts["/pages.rss"] == "3 article URLs"
    assert verdicts["/bad-feed.rss"].startswith("parse_error: malformed feed")
    assert verdicts["/missing.rss"] == "http_status: HTTP 404"
    # The index that includes itself still lists its other child's URLs; the loop is named beside them.
    assert verdicts["/sitemap-loop.xml"] == "3 article URLs; 1 rejects (first: sitemap index includes itself (loop))"
    assert [c.url.removeprefix(faults.base) for c in report.failing] == ["/bad-feed.rss", "/missing.rss"]
    assert len(report.articles) == 2 and report.rejects == []


def test_a_source_name_comes_from_the_host_or_for_an_address_from_the_title():
    assert name_for("https://www.baocantho.com.vn/") == "baocantho"
    assert name_for("https://vnexpress.net/") == "vnexpress"
    assert name_for("http://127.0.0.1:8761/", "Đài Phát thanh Cần Thơ") == "dai-phat-thanh-can-tho"
