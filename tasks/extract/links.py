"""Read a section (listing) page into the article links of its main column, in document order.

Sites without feeds or sitemaps still have section pages; their main column is a
list of headlines. The rules here are general, not per site, because the project
meets sites it has never seen:

1. Page furniture goes first: ``nav``/``header``/``footer``/``aside``, ARIA landmarks
   of the same kind, and blocks whose class or id names a menu, sidebar, banner,
   pagination, tag cloud or "most read" box; also any box headed "Đọc nhiều",
   "Most read" and the like, whatever its markup.
2. A link is an article link when it stays on the page's site and its URL has the
   shape of a story (a numeric id, a date path, or a long slug) rather than of a
   section, tag or search page.
3. A story linked several times (thumbnail, headline, summary) is one item where
   its first link stands; its title is the text of its link inside or around an
   ``h1``-``h6`` when there is one, else the first link text, else a ``title`` attribute.
4. The main list is the deepest element holding a majority of the headline links;
   links after its end (a right-hand column, other sections' boxes below) are left
   out, links before it (top stories above the list) are kept.

lxml's own tree, parsed once: building a BeautifulSoup tree of a 200 KB section page
alone takes longer than this whole function (measured with ``newsetl eval`` on saved listing pages).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from urllib.parse import SplitResult, urljoin, urlsplit, urlunsplit

from lxml import etree

from tasks.errors import ExtractError
from tasks.extract.furniture import FURNITURE_ROLES, FURNITURE_TAGS, LISTING_FURNITURE_WORDS, RANKING_HEADINGS
from tasks.extract.page import parse_cut_short, remove_keeping_tail
from tasks.text import clean
from tasks.urls import site_host


@dataclass(frozen=True)
class Link:
    """An article link of a listing page: absolute URL (no fragment) and its headline."""

    url: str
    title: str


HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})

_DATE_PATH = re.compile(r"/(?:19|20)\d\d[/-](?:0?[1-9]|1[0-2])(?:[/-]|$)")
_LONG_NUMBER = re.compile(r"\d{5,}")
_EXTENSION = re.compile(r"\.(?:s?html?|php|aspx?|chn|ldo|vnp|cms)$", re.IGNORECASE)
_NOT_ARTICLE = re.compile(r"/(?:tag|tags|tim-kiem|search|topic|chu-de|su-kien|author|tac-gia|video|photo|"
                          r"login|dang-nhap|rss|lien-he|contact)(?:[/.-]|$)", re.IGNORECASE)
_HEADER_WORD = re.compile(r"(?:^|[-_\s])(?:header|footer)(?=$|[-_\s])", re.IGNORECASE)
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
# Short visible texts (box labels are a few words): found by XPath in C, not by walking elements in Python.
_SHORT_TEXTS = etree.XPath("//body//text()[string-length(normalize-space(.)) > 3 and string-length(.) < 120]")

MIN_SLUG_WORDS = 6  # "chinh-sach-va-cuoc-song" (a section) has 5; story slugs are longer
MIN_TITLE_WORDS = 3  # headlines are sentences; "Kinh doanh", "Xem thêm" are not


def extract_links(text: str, url: str, article_urls: str | None = None) -> list[Link]:
    """The article links of the listing page's main column, in document order.

    ``url`` is the page's own address: links are resolved against it (and against
    ``<base href>``), and only links on the same site count. ``article_urls``, a site
    profile's regular expression, decides which URLs are articles (searched in the absolute
    URL) in place of the general shape of rule 2. Pure: no network. A page nested deeper
    than the parser reads raises :class:`ExtractError` rather than give the links of its
    first part only.
    """
    root = _parse(text)
    if root is None:
        return []
    base = _base_url(root, url)
    _drop_furniture(root)
    stories = _stories(root, base, url, _matching(article_urls) if article_urls else is_article_url)
    if not stories:
        return []
    return [Link(s.url, s.title) for s in _main_column(stories)]


@dataclass
class _Story:
    url: str
    element: etree._Element  # the first link to the story
    title: str
    from_headline: bool


def _parse(text: str) -> etree._Element | None:
    """The page's tree; None for no document. Nesting deeper than the parser reads raises (see ``parse_cut_short``)."""
    parser = etree.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True, huge_tree=True)
    try:
        root = etree.fromstring(text.encode("utf-8"), parser=parser)
    except (etree.ParserError, ValueError):
        return None
    cut = parse_cut_short(parser)
    if cut:
        raise ExtractError("parse_error", cut)
    return root


def _base_url(root: etree._Element, url: str) -> str:
    for base in root.iter("base"):
        href = (base.get("href") or "").strip()
        if href:
            return urljoin(url, href)
    return url


def _drop_furniture(root: etree._Element) -> None:
    doomed = []
    for el in root.iter(etree.Element):
        names = f"{el.get('class') or ''} {el.get('id') or ''}"
        if (el.tag in FURNITURE_TAGS or (el.get("role") or "").lower() in FURNITURE_ROLES
                or (len(names) > 1 and LISTING_FURNITURE_WORDS.search(_uncamel(names)))) and not _story_card_part(el):
            doomed.append(el)
    for text in _SHORT_TEXTS(root):
        words = clean(text)
        if len(words) >= 40 or not RANKING_HEADINGS.match(words):
            continue
        label = text.getparent()
        if text.is_tail and label is not None:
            label = label.getparent()
        if label is not None and label.tag == "a" and is_article_url(label.get("href") or ""):
            continue  # a headline that happens to start with "Xem nhiều...", not a box label
        box = _box_of(label) if label is not None else None
        if box is not None:
            doomed.append(box)
    for el in doomed:
        remove_keeping_tail(el)


def _text(el: etree._Element) -> str:
    return "".join(el.itertext())


def _story_card_part(el: etree._Element) -> bool:
    """A ``<header>``/``<footer>`` of one story card (``<article><header><h2><a>``) is the headline, not furniture."""
    if el.tag not in ("header", "footer") and not _HEADER_WORD.search(el.get("class") or ""):
        return False
    return any(True for _ in el.iterancestors("article")) or any(True for _ in el.iter("h2", "h3", "h4"))


def _uncamel(names: str) -> str:
    """``mostRead`` -> ``most-Read``, so camelCase class names split into words like kebab-case ones."""
    return _CAMEL.sub("-", names) if not names.islower() else names


def _box_of(heading: etree._Element) -> etree._Element | None:
    """The nearest ancestor of a box heading that also holds links: the box it heads."""
    el = heading.getparent()
    while el is not None and el.tag not in ("body", "html"):
        if sum(1 for _ in el.iter("a")) >= 2:
            return el
        el = el.getparent()
    return None


def is_article_url(url: str) -> bool:
    """True when a URL has a story's shape: numeric id, date path or long slug (not a section or tag page)."""
    parts = urlsplit(url)
    path = parts.path
    if not path.strip("/") or _NOT_ARTICLE.search(path):
        return False
    last = path.rstrip("/").rsplit("/", 1)[-1]
    stem = _EXTENSION.sub("", last)
    if _LONG_NUMBER.search(stem) or _DATE_PATH.search(path):
        return True
    return len([w for w in re.split(r"[-_+]+", stem) if w]) >= MIN_SLUG_WORDS


def _matching(article_urls: str) -> Callable[[str], bool]:
    pattern = re.compile(article_urls)
    return lambda url: pattern.search(url) is not None


def _stories(root: etree._Element, base: str, page_url: str,
             is_article: Callable[[str], bool] = is_article_url) -> list[_Story]:
    host = site_host(page_url)
    page = _absolute(page_url, page_url)
    stories: dict[str, _Story] = {}
    for a in root.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:", "tel:")):
            continue
        url = _absolute(href, base)
        if url is None or url == page or site_host(url) != host or not is_article(url):
            continue
        text = clean(_text(a))
        in_headline = _in_headline(a)
        title = text or clean(a.get("title"))
        story = stories.get(url)
        if story is None:
            stories[url] = _Story(url, a, title, in_headline and bool(text))
        elif text and in_headline and not story.from_headline:
            story.title, story.from_headline = text, True
        elif not story.title:
            story.title = title
    return [s for s in stories.values() if len(s.title.split()) >= MIN_TITLE_WORDS]


def _absolute(href: str, base: str) -> str | None:
    try:
        parts = urlsplit(urljoin(base, href))
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", parts.query, ""))


def _in_headline(a: etree._Element) -> bool:
    if any(True for _ in a.iter(*HEADINGS)):
        return True
    el = a.getparent()
    for _ in range(3):
        if el is None:
            return False
        if el.tag in HEADINGS:
            return True
        el = el.getparent()
    return False


def _main_column(stories: list[_Story]) -> list[_Story]:
    """The stories up to the end of the main list; what follows it is a sidebar or another section's box.

    The main list is the deepest element that holds a majority of the headline
    links (a majority, so that two sibling blocks can never both qualify). Stories
    before it (top stories, a featured block above the list) belong to the section
    too; stories after it sit in the right-hand column or below.
    """
    headline = [s for s in stories if s.from_headline] or stories
    counts: dict[etree._Element, int] = {}
    for story in headline:
        for el in story.element.iterancestors():
            counts[el] = counts.get(el, 0) + 1
    need = max(2, len(headline) // 2 + 1)  # a single story's own box is never the list
    enough = [el for el, n in counts.items() if n >= need]
    if not enough:
        return stories
    column = max(enough, key=_depth)
    last = max(i for i, s in enumerate(stories) if _inside(s.element, column))
    return stories[: last + 1]


def _depth(el: etree._Element) -> int:
    return sum(1 for _ in el.iterancestors())


def _inside(el: etree._Element, container: etree._Element) -> bool:
    return el is container or any(anc is container for anc in el.iterancestors())


FEED_TYPES = frozenset({"application/rss+xml", "application/atom+xml"})
_ASSET = re.compile(r"\.(?:jpe?g|png|gif|webp|svg|ico|css|js|pdf|xml|rss|json|mp[34]|zip)$", re.IGNORECASE)
MAX_SECTION_DEPTH = 2  # /the-gioi/ and /the-gioi/quan-su/ are sections; deeper paths are rarely one


def feed_links(text: str, url: str) -> list[str]:
    """The feeds a page announces (``<link rel="alternate" type="application/rss+xml|atom+xml" href>``), absolute,
    in document order, once each: how a site tells readers and crawlers where its feeds are."""
    root = _parse(text)
    if root is None:
        return []
    base = _base_url(root, url)
    found: list[str] = []
    for link in root.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        kind = (link.get("type") or "").split(";")[0].strip().lower()
        href = (link.get("href") or "").strip()
        if "alternate" in rel and kind in FEED_TYPES and href:
            absolute = urljoin(base, href)
            if urlsplit(absolute).scheme in ("http", "https") and absolute not in found:
                found.append(absolute)
    return found


# A link to a feed by its address alone: ``.rss``/``.atom`` files, ``/feed``, or an ``.xml`` file under an ``rss`` or
# ``feed`` folder or name (``/rss/thoi-su.rss``, ``/rss/home.xml``, ``/feeds/news.xml``, ``/section/feed``).
_FEED_ADDRESS = re.compile(r"\.(?:rss|atom)$|/feeds?/?$|(?:rss|feed)[^/]*/(?:[^/]+/)*[^/]+\.xml$|rss[^/]*\.xml$",
                           re.IGNORECASE)


def directory_feeds(text: str, url: str) -> list[str]:
    """The feeds an HTML page links to with ``<a href>`` on its own site, absolute, in document order, once each.

    Many news sites answer ``/rss`` with such a page, a directory of their section feeds, instead of a feed;
    a link is taken by its address (see ``_FEED_ADDRESS``), as a directory rarely says the type of its links."""
    found: list[str] = []
    for parts in _site_links(text, url):
        if _FEED_ADDRESS.search(parts.path) and parts.geturl() not in found:
            found.append(parts.geturl())
    return found


def _site_links(text: str, url: str) -> Iterator[SplitResult]:
    """The page's ``<a href>`` links that stay on its site, absolute and split, in document order."""
    root = _parse(text)
    if root is None:
        return
    base = _base_url(root, url)
    home = site_host(url)
    for anchor in root.iter("a"):
        href = (anchor.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:", "tel:")):
            continue
        parts = urlsplit(urljoin(base, href))
        if parts.scheme in ("http", "https") and site_host(parts.geturl()) == home:
            yield parts


def section_links(text: str, url: str) -> list[str]:
    """Links of a homepage that look like its section pages, in document order (the menu first on most sites).

    A section link stays on the page's site, is not a story (see :func:`is_article_url`), a tag, search
    or contact page, a file or the homepage itself, has no query, and is at most two folders deep.
    """
    found: list[str] = []
    for parts in _site_links(text, url):
        if parts.query:
            continue
        path = parts.path or "/"
        segments = [s for s in path.split("/") if s]
        if (not segments or len(segments) > MAX_SECTION_DEPTH or _NOT_ARTICLE.search(path) or _ASSET.search(path)
                or is_article_url(parts.geturl())):
            continue
        section = urlunsplit((parts.scheme, parts.netloc, path, "", ""))
        if section not in found:
            found.append(section)
    return found
