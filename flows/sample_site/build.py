"""Render the bundled sample news sites from ``articles.json``: pages, feeds, sitemaps, expected records.

Two sites, as two page templates a reader would meet in Vietnam:

* ``baocantho`` (template ``a``): a city paper's older CMS. Date line ``23/01/2018 - 22:19``,
  lead opening with ``(CT)-``, photos in ``<table class="image">``, byline in capitals
  (``Tin, ảnh: ANH DŨNG``), a share widget. RSS 2.0 with tracking parameters on its links,
  and a sitemap index pointing at a Google News sitemap. One broken page.
* ``tintuc`` (template ``b``): a national paper's newer CMS. JSON-LD ``NewsArticle``,
  ``Thứ Ba, 23/1/2018 22:19 (GMT+7)``, ``<figure>`` captions, related-news box, tags.
  Atom feed (a link with a ``#fragment``; announced by the section pages' ``<link rel="alternate">``,
  not by the homepage, while baocantho's homepage announces its RSS), a sitemap index with a Google News sitemap that
  also lists an AMP copy of one article and a removed article (404). One article prints
  no date at all; only its feed entry has one. Section (listing) pages ``/<section>/`` with
  ``trang-N.html`` pagination, a menu, a banner, a "Đọc nhiều" (most read) box in a right-hand
  column, relative links under ``<base href>``, and an empty photo section ``/tin-anh/``: what
  ``tasks.extract.links`` reads for a source that has only ``listings``.

Run ``python -m flows.sample_site.build`` after editing ``articles.json``; the output under
``site/`` and ``expected/`` is committed. Absolute URLs are written as ``{{BASE}}``, which
the server replaces with its own address. The expected records are written from the
article data, never from the extractor, so the tests compare the extractor with the truth.
"""

from __future__ import annotations

import json
import shutil
from datetime import datetime
from html import escape
from pathlib import Path

HERE = Path(__file__).parent
SITE_DIR = HERE / "site"
EXPECTED_DIR = HERE / "expected"
BASE = "{{BASE}}"

SITES = {
    "a": {"name": "baocantho", "title": "Báo Cần Thơ", "suffix": " - Báo Cần Thơ Online"},
    "b": {"name": "tintuc", "title": "Tin Tức Mẫu", "suffix": " | Tin Tức Mẫu"},
}
SECTION_SLUGS = {
    "Thời sự": "thoi-su", "Kinh tế": "kinh-te", "Xã hội": "xa-hoi", "Giáo dục": "giao-duc",
    "Y tế": "y-te", "Văn hóa": "van-hoa", "Thể thao": "the-thao", "Pháp luật": "phap-luat",
}
WEEKDAYS = ["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật"]
FEED_SIZE = 12  # newest articles listed in each feed; the sitemaps list all of them
NO_DATE_INDEX = 3  # the template-b article (by position) whose page prints no date
AMP_INDEX = 1  # the template-b article that also has an AMP copy listed in the sitemap
SECTION_PAGE_SIZE = 2  # stories per section page, so a three-story section has a page 2
MOST_READ_SIZE = 4  # stories in a section page's "Đọc nhiều" box (from the whole site)
EMPTY_SECTION = "tin-anh"  # a section page that lists no article: a listing that yields nothing

NAV = """<div id="header"><div class="logo"><a href="/">{site}</a></div>
<ul class="menu"><li><a href="/">Trang chủ</a></li><li><a href="/thoi-su/">Thời sự</a></li>
<li><a href="/kinh-te/">Kinh tế</a></li><li><a href="/xa-hoi/">Xã hội</a></li>
<li><a href="/van-hoa/">Văn hóa</a></li><li><a href="/the-thao/">Thể thao</a></li></ul></div>"""


def article_path(article: dict) -> str:
    return f"/{SECTION_SLUGS[article['section']]}/{article['slug']}.html"


def _p(text: str) -> str:
    return escape(text, quote=False)


def _attr(text: str) -> str:
    return escape(text, quote=True)


def _published(article: dict) -> datetime:
    return datetime.fromisoformat(article["published"])


def _lead_with_dateline(article: dict, sep: str) -> str:
    if not article["dateline"]:
        return article["lead"]
    if article["template"] == "a" or " " in article["dateline"] or article["dateline"] == "NLĐO":
        return f"({article['dateline']}){sep}{article['lead']}"
    return f"{article['dateline']} - {article['lead']}"


def _body_blocks(article: dict, photo) -> list[str]:
    blocks = []
    for i, paragraph in enumerate(article["body"]):
        for caption, after in zip(article["captions"], article["caption_after"], strict=True):
            if after == i:
                blocks.append(photo(caption))
        is_heading = len(paragraph.split()) < 10 and not paragraph.endswith((".", "…", "!", "?", '"', "”"))
        blocks.append(f"<h3>{_p(paragraph)}</h3>" if is_heading else f"<p>{_p(paragraph)}</p>")
    return blocks


def _addresses(article: dict) -> tuple[str, str]:
    """The article's absolute URL and lead-image URL, as written in pages and feeds."""
    return BASE + article_path(article), f"{BASE}/uploads/{article['slug']}.jpg"


def render_a(article: dict) -> str:
    site = SITES["a"]
    when = _published(article)
    url, image = _addresses(article)

    def photo(caption: str) -> str:
        return (f'<table class="image" align="center"><tr><td><img src="/uploads/{article["slug"]}.jpg" '
                f'alt=""></td></tr><tr><td class="image_desc">{_p(caption)}</td></tr></table>')

    body = "\n".join(_body_blocks(article, photo))
    section = article["section"]
    return f"""<!DOCTYPE html>
<html lang="vi">
<head>
<meta charset="utf-8">
<title>{_p(article['title'])}{site['suffix']}</title>
<meta name="description" content="{_attr(article['lead'])}">
<meta name="keywords" content="{_attr(', '.join(article['tags']))}">
<meta property="og:type" content="article">
<meta property="og:title" content="{_attr(article['title'])}">
<meta property="og:url" content="{url}">
<meta property="og:image" content="{image}">
<link rel="canonical" href="{url}">
<link rel="stylesheet" href="/static/style.css">
</head>
<body>
{NAV.format(site=site['title'])}
<div id="main">
<div class="breadcrumb"><a href="/">Trang chủ</a> » <a href="/{SECTION_SLUGS[section]}/">{_p(section)}</a></div>
<div class="news-detail">
<div class="date">{when:%d/%m/%Y - %H:%M}</div>
<h1 class="title">{_p(article['title'])}</h1>
<div class="sapo">{_p(_lead_with_dateline(article, '- '))}</div>
<div class="content">
{body}
<p style="text-align:right"><strong>{_p(article['byline'])}</strong></p>
<div class="social-share"><span>Chia sẻ bài viết</span> <a href="#">Facebook</a> <a href="#">Zalo</a></div>
</div>
<div class="related-news"><h3>Tin liên quan</h3><ul><li><a href="/">Các tin khác cùng chuyên mục</a></li></ul></div>
</div>
</div>
<div id="footer"><p>Báo Cần Thơ (mẫu) - Trang tin thử nghiệm của newsetl. Không phải báo thật.</p></div>
</body>
</html>
"""


def render_b(article: dict, *, print_date: bool = True) -> str:
    site = SITES["b"]
    when = _published(article)
    url, image = _addresses(article)

    def photo(caption: str) -> str:
        return (f'<figure class="pic"><img src="/uploads/{article["slug"]}.jpg" alt="{_attr(caption)}">'
                f"<figcaption><p>{_p(caption)}</p></figcaption></figure>")

    body = "\n".join(_body_blocks(article, photo))
    ld = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article["title"],
        "description": article["lead"],
        "image": [image],
        "articleSection": article["section"],
        "keywords": ", ".join(article["tags"]),
        "author": [{"@type": "Person", "name": n} for n in article["authors"]],
        "publisher": {"@type": "Organization", "name": site["title"]},
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "inLanguage": "vi",
    }
    date_meta = ""
    date_line = ""
    if print_date:
        ld["datePublished"] = article["published"]
        date_meta = f'<meta property="article:published_time" content="{article["published"]}">\n'
        date_line = (f'<span class="date">{WEEKDAYS[when.weekday()]}, {when.day}/{when.month}/{when.year} '
                     f"{when:%H:%M} (GMT+7)</span>")
    tags = " ".join(f'<a href="/tag/{i}">{_p(t)}</a>' for i, t in enumerate(article["tags"]))
    ld_json = json.dumps(ld, ensure_ascii=False, indent=1).replace("</", "<\\/")
    return f"""<!DOCTYPE html>
<html lang="vi-VN">
<head>
<meta charset="utf-8">
<title>{_p(article['title'])}{site['suffix']}</title>
<meta name="description" content="{_attr(article['lead'])}">
<meta property="og:site_name" content="{site['title']}">
<meta property="og:title" content="{_attr(article['title'])}{site['suffix']}">
<meta property="og:image" content="{image}">
<meta property="article:section" content="{_attr(article['section'])}">
{date_meta}<link rel="canonical" href="{url}">
<script type="application/ld+json">
{ld_json}
</script>
</head>
<body>
{NAV.format(site=site['title'])}
<section class="section page-detail">
<div class="container">
<ul class="breadcrumb"><li><a href="/">Trang chủ</a></li>
<li><a href="/{SECTION_SLUGS[article['section']]}/">{_p(article['section'])}</a></li></ul>
<div class="header-content">{date_line}</div>
<h1 class="title-detail">{_p(article['title'])}</h1>
<p class="description">{_p(_lead_with_dateline(article, ' - '))}</p>
<article class="fck_detail">
{body}
<p class="author_mail"><strong>{_p(article['byline'])}</strong></p>
<div class="box-related"><h4>Tin liên quan</h4><ul><li><a href="/">Xem thêm tin cùng chuyên mục</a></li></ul></div>
</article>
<div class="tags">Từ khóa: {tags}</div>
<div class="social">Chia sẻ <a href="#">Facebook</a></div>
</div>
</section>
<div id="footer">© Tin Tức Mẫu - trang tin thử nghiệm của newsetl.</div>
</body>
</html>
"""


BROKEN_PAGE = """<!DOCTYPE html>
<html lang="vi"><head><meta charset="utf-8"><title>Bài viết đang cập nhật - Báo Cần Thơ Online</title></head>
<body><div class="news-detail"><h1 class="title">Bài viết đang cập nhật</h1><div class="content">
"""


def rss(site: dict, items: list[dict]) -> str:
    entries = []
    for a in items:
        link = f"{BASE}{article_path(a)}?utm_source=rss&amp;utm_medium=feed"
        entries.append(f"""  <item>
    <title>{_p(a['title'])}</title>
    <link>{link}</link>
    <guid isPermaLink="false">{a['slug']}</guid>
    <description>{_p(a['lead'])}</description>
    <pubDate>{_published(a):%a, %d %b %Y %H:%M:%S %z}</pubDate>
  </item>""")
    entries.append(f"""  <item>
    <title>Bài viết đang cập nhật</title>
    <link>{BASE}/thoi-su/loi-trang.html</link>
    <pubDate>Mon, 02 Mar 2026 08:00:00 +0700</pubDate>
  </item>""")
    body = "\n".join(entries)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0">
<channel>
  <title>{site['title']} - Tin mới</title>
  <link>{BASE}/</link>
  <description>Tin mới nhất</description>
  <language>vi</language>
{body}
</channel>
</rss>
"""


def atom(site: dict, items: list[dict]) -> str:
    entries = []
    for i, a in enumerate(items):
        fragment = "#binh-luan" if i % 3 == 0 else ""
        entries.append(f"""  <entry>
    <title>{_p(a['title'])}</title>
    <link rel="alternate" href="{BASE}{article_path(a)}{fragment}"/>
    <id>tag:tintuc.example,2026:{a['slug']}</id>
    <published>{a['published']}</published>
    <updated>{a['published']}</updated>
    <summary>{_p(a['lead'])}</summary>
  </entry>""")
    body = "\n".join(entries)
    newest = max(a["published"] for a in items)
    return f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="vi">
  <title>{site['title']}</title>
  <link rel="self" href="{BASE}/feed.atom"/>
  <id>tag:tintuc.example,2026:feed</id>
  <updated>{newest}</updated>
{body}
</feed>
"""


def sitemap_index(children: list[str]) -> str:
    items = "\n".join(f"  <sitemap><loc>{BASE}{c}</loc></sitemap>" for c in children)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
{items}
</sitemapindex>
"""


def news_sitemap(site: dict, items: list[dict], extra_paths: list[str] = ()) -> str:
    urls = []
    for a in items:
        urls.append(f"""  <url>
    <loc>{BASE}{article_path(a)}</loc>
    <news:news>
      <news:publication><news:name>{site['title']}</news:name><news:language>vi</news:language></news:publication>
      <news:publication_date>{a['published']}</news:publication_date>
      <news:title>{_p(a['title'])}</news:title>
    </news:news>
  </url>""")
    urls += [f"  <url><loc>{BASE}{path}</loc></url>" for path in extra_paths]
    body = "\n".join(urls)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
{body}
</urlset>
"""


def robots() -> str:
    return f"""User-agent: *
Disallow: /admin/
Disallow: /tim-kiem

Sitemap: {BASE}/sitemap.xml
"""


def feed_link(path: str) -> str:
    """The ``<link rel="alternate">`` that announces a feed, as ``newsetl sources add`` looks for it."""
    kind = "atom" if path.endswith(".atom") else "rss"
    return f'<link rel="alternate" type="application/{kind}+xml" title="Tin mới" href="{path}">'


def home(site: dict, items: list[dict], feed: str = "") -> str:
    """The homepage: the newest headlines, and (``feed``) a ``<link rel="alternate">`` to the feed."""
    links = "\n".join(f'<li><a href="{article_path(a)}">{_p(a["title"])}</a></li>' for a in items)
    return f"""<!DOCTYPE html>
<html lang="vi"><head><meta charset="utf-8"><title>{site['title']}</title>{feed}</head>
<body>{NAV.format(site=site['title'])}<h2>Tin mới</h2><ul class="list-news">
{links}
</ul></body></html>
"""


def section_page(site: dict, section: str, stories: list[dict], most_read: list[dict], n: int, last: int) -> str:
    """Page ``n`` of a section: featured story (picture and headline link), list, pagination, sidebar,
    and in its head the site's Atom feed (which the homepage does not announce).

    Links in the main column are relative to ``<base href>`` (the site root), as some CMSs
    write them; the "Đọc nhiều" box and the banner link to article-shaped URLs too, so a
    reader that does not tell the columns apart would pick them up.
    """
    slug = SECTION_SLUGS.get(section, section)

    def story(a: dict, featured: bool) -> str:
        path = article_path(a).lstrip("/")
        heading = "h2" if featured else "h3"
        return (f'<div class="story{" story-featured" if featured else ""}">'
                f'<a class="thumb" href="{path}"><img src="uploads/{a["slug"]}.jpg" alt=""></a>'
                f'<{heading} class="story-title"><a href="{path}" title="{_attr(a["title"])}">{_p(a["title"])}'
                f'</a></{heading}><p class="sapo"><a href="{path}">{_p(a["lead"])}</a></p></div>')

    items = "\n".join(story(a, n == 1 and i == 0) for i, a in enumerate(stories)) or "<p>Chưa có bài viết.</p>"
    pages = " ".join(f'<a href="{slug}/{"" if k == 1 else f"trang-{k}.html"}">{k}</a>' for k in range(1, last + 1))
    paging = f'<div class="pagination">{pages}</div>' if last > 1 else ""
    ranked = "\n".join(f'<li><a href="{BASE}{article_path(a)}">{_p(a["title"])}</a></li>' for a in most_read)
    title = section if slug != section else "Tin ảnh"
    return f"""<!DOCTYPE html>
<html lang="vi-VN"><head><meta charset="utf-8"><base href="{BASE}/">
<title>{_p(title)}{site['suffix']}</title>{feed_link("/feed.atom")}</head>
<body>
{NAV.format(site=site['title'])}
<div class="top-ad"><a href="{BASE}/quang-cao/khuyen-mai-mua-he-giam-gia-toi-50-phan-tram-2026.html">
<img src="uploads/quang-cao.jpg" alt="Khuyến mãi mùa hè giảm giá tới 50 phần trăm"></a></div>
<div class="container">
<div class="col-main">
<h1 class="section-name">{_p(title)}</h1>
{items}
{paging}
</div>
<div class="col-right">
<div class="box"><div class="box-heading">Đọc nhiều</div><ol>
{ranked}
</ol></div>
</div>
</div>
<div id="footer">© Tin Tức Mẫu - trang tin thử nghiệm của newsetl.</div>
</body></html>
"""


def write_section_pages(root: Path, site: dict, newest: list[dict]) -> None:
    """Every section's pages (``/thoi-su/``, ``/thoi-su/trang-2.html``), newest first, and the empty one."""
    most_read = newest[-MOST_READ_SIZE:]  # the oldest stories: on no section's first page of the listing source
    for section, slug in SECTION_SLUGS.items():
        stories = [a for a in newest if a["section"] == section]
        last = max(1, -(-len(stories) // SECTION_PAGE_SIZE))
        for n in range(1, last + 1):
            chunk = stories[(n - 1) * SECTION_PAGE_SIZE: n * SECTION_PAGE_SIZE]
            name = "index.html" if n == 1 else f"trang-{n}.html"
            _write(root / slug / name, section_page(site, section, chunk, most_read, n, last))
    _write(root / EMPTY_SECTION / "index.html", section_page(site, EMPTY_SECTION, [], most_read, 1, 1))


def expected_record(article: dict, *, site: dict, print_date: bool) -> dict:
    return {
        "source": site["name"],
        "path": article_path(article),
        "canonical_path": article_path(article),
        "title": article["title"],
        "dateline": article["dateline"],
        "lead": article["lead"],
        "body": "\n\n".join(article["body"]),
        "captions": article["captions"],
        "authors": article["authors"],
        "byline": article["byline"],
        "source_credit": article.get("source_credit"),  # the outlet a closing "Theo ..." credits
        "published_at": article["published"],
        "published_from": "page" if print_date else "feed",
        "section": article["section"],
        "tags": article["tags"],
        "language": "vi",
        "image_path": f"/uploads/{article['slug']}.jpg",
    }


def build() -> None:
    articles = json.loads((HERE / "articles.json").read_text(encoding="utf-8"))
    for folder in (SITE_DIR, EXPECTED_DIR):
        shutil.rmtree(folder, ignore_errors=True)
    for key, site in SITES.items():
        root = SITE_DIR / site["name"]
        items = [a for a in articles if a["template"] == key]
        newest = sorted(items, key=lambda a: a["published"], reverse=True)
        for i, article in enumerate(items):
            print_date = not (key == "b" and i == NO_DATE_INDEX)
            html = render_a(article) if key == "a" else render_b(article, print_date=print_date)
            _write(root / article_path(article).lstrip("/"), html)
            record = expected_record(article, site=site, print_date=print_date)
            _write(EXPECTED_DIR / site["name"] / f"{article['slug']}.json",
                   json.dumps(record, ensure_ascii=False, indent=2) + "\n")
        _write(root / "robots.txt", robots())
        _write(root / "index.html", home(site, newest, feed_link("/rss/tin-moi.rss") if key == "a" else ""))
        if key == "a":
            _write(root / "rss" / "tin-moi.rss", rss(site, newest[:FEED_SIZE]))
            _write(root / "thoi-su" / "loi-trang.html", BROKEN_PAGE)
            _write(root / "sitemap.xml", sitemap_index(["/sitemaps/news.xml"]))
            _write(root / "sitemaps" / "news.xml", news_sitemap(site, items))
        else:
            amp = items[AMP_INDEX]
            amp_html = render_b(amp).replace('<html lang="vi-VN">', '<html lang="vi-VN" amp>')
            _write(root / "amp" / f"{amp['slug']}.html", amp_html)
            no_date = items[NO_DATE_INDEX]
            feed_items = newest[:FEED_SIZE]
            if no_date not in feed_items:
                feed_items.append(no_date)
            _write(root / "feed.atom", atom(site, feed_items))
            _write(root / "sitemap.xml", sitemap_index(["/sitemaps/news.xml"]))
            removed = "/xa-hoi/bai-da-go-bo.html"
            _write(root / "sitemaps" / "news.xml",
                   news_sitemap(site, [a for a in items if a is not no_date], [f"/amp/{amp['slug']}.html", removed]))
            write_section_pages(root, site, newest)


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    build()
    print(f"wrote {SITE_DIR.relative_to(HERE.parent.parent)} and {EXPECTED_DIR.relative_to(HERE.parent.parent)}")
