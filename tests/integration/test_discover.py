"""Discovery over real HTTP: feeds and sitemaps in, article URLs out; a bad listing is a reject."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

from flows.sample_site.server import expected_records, serve_directory
from tasks.config import Source, load_sources
from tasks.discover import discover_source

VN = "Asia/Ho_Chi_Minh"


def source(base: str, feeds=(), sitemaps=(), name="site") -> Source:
    return Source(name=name, title=name, homepage=base + "/", feeds=tuple(base + f for f in feeds),
                  sitemaps=tuple(base + s for s in sitemaps), language="vi", timezone=VN,
                  allow_addresses=("127.0.0.1",), min_interval=0.0)


def test_rss_with_tracking_links_and_news_sitemap_give_one_url_each(sample_sites):
    site = sample_sites["baocantho"]
    found = discover_source(source(site.base, ["/rss/tin-moi.rss"], ["/sitemap.xml"]))
    assert found.rejects == [] and found.listings_ok == 3  # feed, index, news sitemap
    urls = [u.url for u in found.urls]
    assert len(urls) == len(set(urls)) == 18  # 17 articles + the broken page
    assert not any("utm_" in u or "#" in u for u in urls)
    seed = next(u for u in found.urls if "kiem-diem-2017" in u.url)
    assert seed.published_hint.isoformat() == "2018-01-23T22:19:00+07:00"


def test_atom_feed_gives_the_date_a_page_does_not_print(sample_sites):
    site = sample_sites["tintuc"]
    found = discover_source(source(site.base, ["/feed.atom"], ["/sitemap.xml"]))
    assert found.rejects == []
    urls = {u.url for u in found.urls}
    assert site.base + "/xa-hoi/bai-da-go-bo.html" in urls
    assert any("/amp/" in u for u in urls)
    articles = [u for u in found.urls if "/amp/" not in u.url and "bai-da-go" not in u.url]
    assert len(articles) == 17 and all(u.published_hint is not None for u in articles)
    undated = next(r for r in expected_records() if r["published_from"] == "feed")
    hint = next(u.published_hint for u in found.urls if u.url == site.base + undated["path"])
    assert hint.isoformat() == undated["published_at"]


def write_site(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


GOOD_RSS = """<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
<item><title>Một</title><link>{{BASE}}/a.html</link><pubDate>Mon, 02 Mar 2026 08:00:00 +0700</pubDate></item>
<item><title>Ngoài</title><link>https://other.example/b.html</link></item>
</channel></rss>"""


def test_bad_listings_become_rejects_and_good_ones_still_count(tmp_path):
    root = write_site(tmp_path / "site", {
        "good.rss": GOOD_RSS,
        "broken.rss": "<?xml version='1.0'?><rss><channel><item><title>cut",
        "page.rss": "<html><body>not a feed</body></html>",
        "broken.xml": "<?xml version='1.0'?><urlset><url><loc>x</loc></url",
        "loop.xml": ("<?xml version='1.0'?><sitemapindex xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
                     "<sitemap><loc>{{BASE}}/loop.xml</loc></sitemap></sitemapindex>"),
    })
    with serve_directory(root) as site:
        found = discover_source(source(site.base, ["/good.rss", "/broken.rss", "/page.rss", "/missing.rss"],
                                       ["/broken.xml", "/loop.xml"]))
    assert [u.url for u in found.urls] == [site.base + "/a.html"]
    assert found.offsite == 1
    reasons = {r.url.rsplit("/", 1)[-1]: (r.stage, r.code, r.detail, r.http_status) for r in found.rejects}
    assert reasons["broken.rss"][1] == "parse_error" and reasons["broken.rss"][2].startswith("malformed feed")
    assert reasons["page.rss"][1:3] == ("not_feed", "not an RSS or Atom feed")
    assert reasons["missing.rss"] == ("discover", "http_status", "HTTP 404", 404)
    assert reasons["broken.xml"][1] == "parse_error" and reasons["broken.xml"][2].startswith("malformed sitemap XML")
    assert reasons["loop.xml"][1:3] == ("sitemap_loop", "sitemap index includes itself (loop)")
    assert found.listings_ok == 2  # good.rss and the loop index's first read


# Nine levels of ten: "&lol9;" would expand to a billion "lol"s (3 GB).
BILLION_LAUGHS = ('<!DOCTYPE lolz [<!ENTITY lol0 "lol">'
                  + "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)) + "]>")


def test_billion_laughs_and_external_entities_in_feeds_and_sitemaps_are_never_expanded(tmp_path):
    """The issue's cases that must keep holding: an entity bomb costs nothing, an external entity (XXE)
    is never read; a feed keeps its links, a sitemap that declares either is a reject."""
    secret = tmp_path / "secret.txt"
    secret.write_text("the-secret-file-content", encoding="utf-8")
    xxe = f'<!DOCTYPE x [<!ENTITY xxe SYSTEM "file://{secret}">]>'

    def feed(doctype: str, entity: str) -> str:
        return (f'<?xml version="1.0"?>{doctype}<rss version="2.0"><channel><title>t</title>'
                f"<item><title>Một {entity}</title><link>{{{{BASE}}}}/a.html</link></item>"
                "<item><title>Hai</title><link>{{BASE}}/b.html</link></item></channel></rss>")

    def urlset(doctype: str, entity: str) -> str:
        return (f'<?xml version="1.0"?>{doctype}<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                f"<url><loc>{{{{BASE}}}}/c.html{entity}</loc></url><url><loc>{{{{BASE}}}}/d.html</loc></url></urlset>")

    root = write_site(tmp_path / "site", {"laughs.rss": feed(BILLION_LAUGHS, "&lol9;"), "xxe.rss": feed(xxe, "&xxe;"),
                                          "laughs.xml": urlset(BILLION_LAUGHS, "&lol9;"),
                                          "xxe.xml": urlset(xxe, "&xxe;")})
    with serve_directory(root) as site:
        started = time.monotonic()
        feeds = discover_source(source(site.base, ["/laughs.rss", "/xxe.rss"]))
        sitemaps = discover_source(source(site.base, sitemaps=["/laughs.xml", "/xxe.xml"]))
        took = time.monotonic() - started
    assert took < 10
    assert sorted({u.url for u in feeds.urls}) == [site.base + "/a.html", site.base + "/b.html"]
    assert sitemaps.urls == [] and [r.code for r in sitemaps.rejects] == ["parse_error", "parse_error"]
    seen = repr([*feeds.urls, *feeds.rejects, *sitemaps.urls, *sitemaps.rejects])
    assert "the-secret-file-content" not in seen and "lollollol" not in seen


def test_unreachable_listing_is_a_reject_not_a_crash():
    # Port 9 on loopback: nothing listens there; the connection is refused at once.
    found = discover_source(source("http://127.0.0.1:9", ["/feed.rss"]))
    assert found.urls == [] and found.listings_ok == 0
    (reject,) = found.rejects  # robots.txt comes first: without it nothing is fetched from the host
    assert (reject.stage, reject.code) == ("discover", "robots_unavailable") and "connection failed" in reject.detail


def listing_source(base: str, paths, pages: int = 1, page_url: str | None = None, name: str = "site") -> Source:
    extra = {"page_url": page_url} if page_url else {}
    return Source(name=name, title=name, homepage=base + "/", listings=tuple(base + p for p in paths),
                  pages=pages, language="vi", timezone=VN, allow_addresses=("127.0.0.1",), min_interval=0.0,
                  **extra)


def test_section_pages_and_their_second_pages_give_the_articles_with_headline_hints(sample_sites):
    site = sample_sites["tintuc"]
    before = len(site.requests)
    found = discover_source(listing_source(site.base, ["/thoi-su/", "/xa-hoi/", "/kinh-te/"], pages=2,
                                           page_url="{url}trang-{n}.html"))
    assert found.rejects == [] and found.listings_ok == 6
    assert site.requests[before:] == ["/thoi-su/", "/thoi-su/trang-2.html", "/xa-hoi/", "/xa-hoi/trang-2.html",
                                      "/kinh-te/", "/kinh-te/trang-2.html"]
    records = {site.base + r["path"]: r for r in expected_records() if r["source"] == "tintuc"}
    sections = {"Thời sự", "Xã hội", "Kinh tế"}
    in_sections = [url for url, r in records.items() if r["section"] in sections]
    # Every story of the three sections, none from the "Đọc nhiều" column, the banner or the menu.
    assert sorted(u.url for u in found.urls) == sorted(in_sections) and len(in_sections) == 9
    for item in found.urls:
        assert item.title_hint == records[item.url]["title"]
        assert item.via.startswith(site.base + "/") and item.published_hint is None
    # Newest first within a section, page 1 before page 2.
    thoi_su = [u.url for u in found.urls if u.via.startswith(site.base + "/thoi-su/")]
    assert thoi_su == sorted(thoi_su, key=lambda u: records[u]["published_at"], reverse=True)


def test_listing_pages_that_yield_nothing_are_rejects_naming_the_page(sample_sites):
    site = sample_sites["tintuc"]
    found = discover_source(listing_source(site.base, ["/tin-anh/", "/y-te/", "/khong-co/", "/thoi-su/"], pages=2))
    reasons = [(r.url.removeprefix(site.base), r.stage, r.code, r.detail, r.http_status) for r in found.rejects]
    assert reasons == [
        ("/tin-anh/", "discover", "no_links", "listing page has no article links", None),
        # The server ignores ?page=2, so page 2 repeats page 1: a wrong page_url shows here.
        ("/y-te/?page=2", "discover", "repeated_page",
         "listing page 2 repeats earlier pages' links (check 'page_url')", None),
        ("/khong-co/", "discover", "http_status", "HTTP 404", 404),
        ("/thoi-su/?page=2", "discover", "repeated_page",
         "listing page 2 repeats earlier pages' links (check 'page_url')", None),
    ]
    assert found.listings_ok == 2  # /y-te/ and /thoi-su/ page 1
    assert len(found.urls) == 3  # one Y tế story, two Thời sự stories


SHORT_LINKS = """<html><body><ul class='menu'><li><a href='/xa-hoi/'>Xã hội</a></li></ul><div class='list'>
<h3><a href='{{BASE}}/bai/nuoc-sach'>Người dân phường An Hòa có nước sạch</a></h3>
<h3><a href='{{BASE}}/bai/cau-moi'>Cây cầu mới nối hai bờ sông Hậu</a></h3>
<h3><a href='{{BASE}}/video/clip-cau-moi'>Video: cây cầu mới nhìn từ trên cao</a></h3></div></body></html>"""


def test_a_profile_article_url_pattern_is_used_by_listing_discovery(tmp_path):
    """A site whose story URLs are short slugs: the generic rule finds none (a no_links reject); the
    profile's ``article_urls`` (named by the source in sources.toml) finds the stories, not the video page."""
    root = write_site(tmp_path / "site", {"xa-hoi/index.html": SHORT_LINKS})
    profiles = tmp_path / "conf" / "profiles"
    profiles.mkdir(parents=True)
    (profiles / "ngan.toml").write_text('hosts = ["ngan.example.vn"]\n\n[[layouts]]\n'
                                        "article_urls = '/bai/[a-z0-9-]+$'\n", encoding="utf-8")
    with serve_directory(root) as site:
        generic = discover_source(listing_source(site.base, ["/xa-hoi/"]))
        conf = tmp_path / "conf" / "sources.toml"
        conf.write_text(f'[[sources]]\nname = "ngan"\nhomepage = "{site.base}/"\nlistings = ["{site.base}/xa-hoi/"]\n'
                        f'profile = "ngan"\nallow_addresses = ["127.0.0.1"]\nmin_interval = 0\n', encoding="utf-8")
        (source,) = load_sources(conf)
        found = discover_source(source)
    assert [(r.code, r.url) for r in generic.rejects] == [("no_links", site.base + "/xa-hoi/")]
    assert found.rejects == []
    assert [(u.url, u.title_hint) for u in found.urls] == [
        (site.base + "/bai/nuoc-sach", "Người dân phường An Hòa có nước sạch"),
        (site.base + "/bai/cau-moi", "Cây cầu mới nối hai bờ sông Hậu")]


def test_children_read_side_by_side_give_their_urls_in_the_index_s_order(tmp_path):
    """Eight children on four connections: whichever answers first, the URLs come in the index's order."""
    ns = "http://www.sitemaps.org/schemas/sitemap/0.9"
    files = {"index.xml": f"<?xml version='1.0'?><sitemapindex xmlns='{ns}'>"
                          + "".join(f"<sitemap><loc>{{{{BASE}}}}/child-{i}.xml</loc></sitemap>" for i in range(8))
                          + "</sitemapindex>"}
    for i in range(8):
        files[f"child-{i}.xml"] = (f"<?xml version='1.0'?><urlset xmlns='{ns}'>"
                                   + "".join(f"<url><loc>{{{{BASE}}}}/{i}/{j}.html</loc></url>" for j in range(3))
                                   + "</urlset>")
    root = write_site(tmp_path / "site", files)
    with serve_directory(root) as site:
        src = replace(source(site.base, sitemaps=["/index.xml"]), max_connections=4)
        found = discover_source(src)
    assert found.rejects == [] and found.listings_ok == 9
    assert [u.url for u in found.urls] == [f"{site.base}/{i}/{j}.html" for i in range(8) for j in range(3)]
    assert all(u.via == f"{site.base}/child-{i}.xml" for u, i in zip(found.urls, [i for i in range(8) for _ in "abc"],
                                                                     strict=True))
