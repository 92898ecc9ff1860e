"""Read an article page into an :class:`ExtractedPage`: what the page says, field by field.

The page is parsed once, with lxml's HTML parser (a BeautifulSoup tree of a whole
page costs ~100 ms, twenty times lxml's parse, and would cap a run at ~9 pages/s).
Each field is taken from a cascade of signals and the winner is recorded in
``provenance``:

1. the source's own CSS selectors (``selectors`` in sources.toml), when given;
2. JSON-LD (``NewsArticle``/``Article``, inside ``@graph`` or lists, JSON as browsers tolerate it);
3. OpenGraph, Dublin Core, ``<meta>`` and microdata;
4. the visible page: ``<h1>``, the lead block, the article container, the printed date and byline;
5. a generic main-text extractor (trafilatura, run on the already-parsed tree) for the body
   when no article container is recognised.

Metadata is checked against the visible page, because it is often written for
sharing rather than reading: a title that only adds the site name (`` | VnExpress``)
or a kicker to the ``<h1>`` loses to the ``<h1>``; a headline escaped twice is
unescaped. The lead (standfirst) is kept out of the body. Pure: no network, no database.
"""

from __future__ import annotations

import html as html_lib
import json
import re
from collections.abc import Iterator
from copy import deepcopy
from functools import cache
from urllib.parse import urljoin, urlsplit

import lxml.html
from cssselect import GenericTranslator, SelectorError
from lxml import etree

from tasks.config import Source
from tasks.conventions import PHOTO_CREDIT, is_widget_label, looks_like_byline, starts_with_dateline
from tasks.dates import has_time
from tasks.records import Article, ExtractedPage
from tasks.text import clean

ARTICLE_TYPES = {"newsarticle", "article", "reportagenews", "analysisnewsarticle", "blogposting",
                 "opinionnewsarticle", "reviewnewsarticle", "backgroundnewsarticle", "liveblogposting",
                 "socialmediaposting", "report", "scholarlyarticle", "techarticle", "posting", "webpage"}
ARTICLE_TYPES |= {"claimreview", "review", "videoobject"}


def _article_rank(type_name: str) -> int | None:
    """0 for an article type (any ``...Article``), 1 for other text types, 2 for a WebPage; None otherwise."""
    if type_name.endswith("article") or type_name in ("blogposting", "liveblogposting", "socialmediaposting",
                                                     "posting", "report"):
        return 0
    if type_name == "webpage":
        return 2
    return 1 if type_name in ARTICLE_TYPES else None

# Containers that hold the article text on common CMSs, most specific first.
BODY_SELECTORS = (
    "[itemprop=articleBody]", ".fck_detail", ".article-body", ".article__body", ".articleBody", ".article-content",
    ".article__content", ".detail-content", ".content-detail", ".news-content", ".entry-content", ".post-content",
    ".detail__content", ".singular-content", ".cms-body", "#content-detail", ".story-body", ".story__body",
    ".body-text", ".td-post-content", ".post-body", ".article-text", ".text-content",
)
LEAD_SELECTORS = (
    ".sapo", ".article-sapo", ".detail-sapo", ".singular-sapo", ".lead", ".article-lead", ".article__lead",
    ".standfirst", ".chapeau", ".intro", ".article-intro", ".teaser", ".article-teaser", ".summary",
    ".article-summary", ".excerpt", ".description", ".article-description", ".subtitle", ".deck", ".dek",
    "[itemprop=description]", ".abstract", ".preamble", ".article__preamble", ".article-preamble", ".ingress",
    ".article-ingress", ".article__ingress", ".lede", ".article__lede", ".article-lede", ".article__standfirst",
    ".article-standfirst", ".article__summary", ".article__teaser", ".article__description", ".article__intro",
    ".intro-text", ".lead-text", ".leadtext", ".article__leadtext", ".article-header__lead", ".sapo_detail",
)
DATE_SELECTORS = (
    "time[datetime]", "[itemprop=datePublished]", ".date", ".time", ".publish-date", ".published", ".post-date",
    ".article-date", ".detail-time", ".date-time", ".news-date", ".datetime", ".article__date", ".timestamp",
)
BYLINE_SELECTORS = (".author", ".byline", ".author_mail", ".article-author", "[rel=author]", ".tacgia",
                    "[itemprop=author]", ".author-name", ".article__author", ".byline__name")
TAG_SELECTORS = (".tags a", ".tag-list a", ".keywords a", ".article-tags a", "[rel=tag]")
BREADCRUMB_SELECTORS = (".breadcrumb a", ".breadcrumbs a", "[itemtype$=BreadcrumbList] a")

# Class/id words of page furniture inside or around the article: removed before reading text.
JUNK_WORDS = re.compile(
    r"(^|[-_ ])(share|sharing|social|socials|related|relate|comment|comments|advert|advertisement|ads|adv|ad|"
    r"banner|tags?|keywords|breadcrumbs?|menu|nav|navigation|toolbar|print|rating|subscribe|newsletter|"
    r"recommend|recommended|most-?read|popular|sidebar|footer|promo|teaser-list|read-?more|readmore|"
    r"see-?also|more-?news|outbrain|taboola|cookie|consent|author-?box|signup|apphint|app-?promo|embed|"
    r"privacy)([-_ ]|$)",
    re.IGNORECASE,
)
LAYOUT_WORDS = re.compile(r"content|article|body|main|grid|layout|container|wrapper|story|entry|text", re.I)
JUNK_TAGS = frozenset({"script", "style", "noscript", "iframe", "form", "nav", "aside", "footer", "button", "svg",
                       "select", "input", "template", "header", "object", "embed", "canvas", "video", "audio"})
CAPTION_CLASSES = re.compile(r"caption|image_?desc|photo-?note|img-?note|chuthich|legend|credit", re.I)
LEAF_BLOCKS = frozenset({"p", "h2", "h3", "h4", "h5", "h6", "pre", "blockquote", "dd", "dt"})
CONTAINERS = frozenset({"div", "section", "article", "main", "center", "td", "th", "ul", "ol", "li",
                        "dl", "tbody", "tr", "table", "address"})
BLOCK_TAGS = LEAF_BLOCKS | CONTAINERS | frozenset({"figure", "br", "hr", "h1", "figcaption", "header", "footer"})
MIN_CONTAINER_TEXT = 200
LEAD_REACH = 100  # elements after the headline within which a standfirst is looked for, without a known container
LANGUAGE_SAMPLE = 2000


class ExtractError(Exception):
    """The page is not an article this extractor can read (no title or no text)."""


def extract_page(html: bytes | str, url: str, source: Source | None = None) -> ExtractedPage:
    """Read the fields of one article page; raises :class:`ExtractError` when there is no article."""
    root = parse_html(html)
    page = _Page(root, url)
    profile = dict(source.selectors) if source is not None and source.selectors else {}
    provenance: dict[str, str] = {}

    def pick(name: str, *candidates: tuple[str, object]):
        for signal, value in candidates:
            if value:
                provenance[name] = signal
                return value
        return None

    ld = page.ld_article
    meta = page.meta
    h1s = page.h1_texts()

    title = pick("title", ("profile", page.select_text(profile.get("title"))),
                 *_title_candidates(page, ld, h1s))
    site_name = meta.get("ogsitename") or _ld_text(ld.get("publisher")) or page.ld_site_name
    section = pick("section", ("profile", page.select_text(profile.get("section"))),
                   ("json-ld", _ld_text(ld.get("articleSection"))),
                   ("meta", meta.get("articlesection") or meta.get("section")),
                   ("page", page.breadcrumb_section(title)))
    published_raw = pick("published_at", ("profile", page.select_date(profile.get("published_at"))),
                         ("json-ld", _ld_text(ld.get("datePublished"))),
                         ("meta", _first(meta, "article:published_time", "og:published_time", "datepublished",
                                         "pubdate", "publishdate", "publish-date", "date", "dc.date.issued",
                                         "dc.date", "dcterms.date", "sailthru.date", "parsely-pub-date")),
                         ("microdata", page.itemprop_date("datePublished")),
                         ("page", page.visible_date()))
    if published_raw and not has_time(published_raw):
        visible = page.visible_date()
        if visible and has_time(visible) and _same_day(published_raw, visible):
            published_raw = visible  # a date-only value borrows the printed time of the same day
            provenance["published_at"] += "+page-time"
    modified_raw = pick("modified_at", ("json-ld", _ld_text(ld.get("dateModified"))),
                        ("meta", _first(meta, "article:modified_time", "og:updated_time", "lastmod",
                                        "dateModified", "datemodified")),
                        ("microdata", page.itemprop_date("dateModified")))
    canonical = pick("canonical_url", ("page", page.link_rel("canonical")), ("meta", meta.get("ogurl")),
                     ("json-ld", _ld_url(ld.get("mainEntityOfPage")) or _ld_text(ld.get("url"))))
    image = pick("image_url", ("meta", meta.get("ogimage") or meta.get("ogimageurl") or meta.get("twitterimage")),
                 ("json-ld", _ld_image(ld.get("image"))))
    language = pick("language", ("page", root.get("lang") or root.get("xml:lang")),
                    ("meta", meta.get("contentlanguage") or meta.get("oglocale") or meta.get("dclanguage")),
                    ("json-ld", _ld_text(ld.get("inLanguage"))))
    meta_authors = tuple(pick("meta_authors",
                              ("profile", page.select_texts(profile.get("authors"))),
                              ("json-ld", _ld_authors(ld.get("author"))),
                              ("meta", page.meta_all("author", "article:author", "dc.creator", "sailthru.author",
                                                     "parsely-author", "twitter:misc:Written by")),
                              ("microdata", page.itemprop_authors()),
                              ("page", page.visible_byline(h1s)))
                         or ())
    description = _first(meta, "description", "og:description", "twitter:description") \
        or _ld_text(ld.get("description"))

    body = _Body(page, profile, title, description)
    lead = pick("lead", ("profile", body.profile_lead), ("page", body.lead), ("meta", _unescape(description)))
    paragraphs = body.paragraphs
    if paragraphs:
        provenance["body"] = body.signal
    if not lead and len(paragraphs) > 1 and starts_with_dateline(paragraphs[0]):
        lead, paragraphs = paragraphs[0], paragraphs[1:]
        provenance["lead"] = "page"
    if not paragraphs and ld.get("articleBody"):
        paragraphs = [p for p in (clean(x) for x in re.split(r"\n\s*\n|\n", str(ld["articleBody"]))) if p]
        provenance["body"] = "json-ld"
    if lead and provenance.get("lead") == "meta" and paragraphs and _echoes(paragraphs[0], lead):
        first = page.element_with_text(paragraphs[0])
        if first is not None and _plain_paragraph(first):
            # The description repeats the article's first paragraph, printed like the others: that
            # paragraph is text, and the page has no standfirst of its own.
            lead = None
            provenance.pop("lead", None)
    paragraphs = _drop_lead_echo(paragraphs, lead, title)
    paragraphs, top_byline = _drop_head_furniture(paragraphs, title)
    byline = body.byline or top_byline
    if byline and not body.byline:
        provenance["byline"] = "page"
    if body.byline:
        provenance["byline"] = body.byline_signal

    if not title:
        raise ExtractError("no title found")
    if not paragraphs:
        raise ExtractError("no article text found")
    tags = page.tags(ld)
    return ExtractedPage(
        url=url,
        title=clean(title),
        lead=clean(lead) or None,
        paragraphs=tuple(paragraphs),
        captions=tuple(body.captions),
        byline=byline,
        meta_authors=meta_authors,
        published_raw=clean(str(published_raw)) if published_raw else None,
        modified_raw=clean(str(modified_raw)) if modified_raw else None,
        canonical_url=urljoin(page.base, canonical) if canonical else None,
        section=clean(section) if section else None,
        tags=tags,
        language=clean(language) if language else None,
        image_url=urljoin(page.base, clean(image)) if image else None,
        site_name=clean(site_name) or None,
        provenance=provenance,
        meta_credit=_ld_organisation_author(ld.get("author")),
    )


def extract_article(html: bytes | str, url: str, source: Source | None = None, **hints) -> Article:
    """The warehouse record for one page: :func:`extract_page` then ``tasks.normalise``."""
    from tasks.normalise import normalise_article

    return normalise_article(extract_page(html, url, source), source, **hints)


# --- parsing ----------------------------------------------------------------------------------------

_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.IGNORECASE)
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")
# Comments and processing instructions are not text; the fallback extractor loses paragraphs around them.
_PARSER = lxml.html.HTMLParser(remove_comments=True, remove_pis=True, collect_ids=False)


def parse_html(html: bytes | str) -> lxml.html.HtmlElement:
    """One lxml tree of the page; bytes are decoded by their declared charset, else UTF-8 (lenient)."""
    if isinstance(html, bytes):
        try:  # bytes that are valid UTF-8 are UTF-8, whatever a stale meta tag declares
            text = html.decode("utf-8")
        except UnicodeDecodeError:
            match = _CHARSET.search(html[:4096])
            encoding = match.group(1).decode("ascii", "replace") if match else "cp1252"
            try:
                text = html.decode(encoding, errors="replace")
            except LookupError:
                text = html.decode("cp1252", errors="replace")
    else:
        text = html
    text = _XML_DECL.sub("", text)
    if not text.strip():
        raise ExtractError("empty document")
    try:
        root = lxml.html.document_fromstring(text, parser=_PARSER)
    except (etree.ParserError, ValueError) as exc:
        raise ExtractError(f"not an HTML document: {exc}") from None
    if root is None or not len(root):
        raise ExtractError("empty document")
    return root


@cache
def _xpath(selector: str) -> etree.XPath:
    """A CSS selector compiled once to XPath (class matches are whole words, as in browsers)."""
    return etree.XPath(GenericTranslator().css_to_xpath(selector))


def css(node: etree._Element, selector: str) -> list[etree._Element]:
    try:
        return _xpath(selector)(node)
    except SelectorError:
        return []


def text_of(node: etree._Element) -> str:
    """The element's text as a reader sees it: blocks and ``<br>`` separate words; scripts are not text."""
    parts: list[str] = []
    _collect_text(node, parts)
    return clean("".join(parts))


def _collect_text(node: etree._Element, parts: list[str]) -> None:
    tag = node.tag if isinstance(node.tag, str) else None
    if tag in ("script", "style", "noscript", "template"):
        return
    block = tag in BLOCK_TAGS
    if block:
        parts.append(" ")
    if tag is not None and node.text:
        parts.append(node.text)
    for child in node:
        _collect_text(child, parts)
        if child.tail:
            parts.append(child.tail)
    if block:
        parts.append(" ")


# --- the page's signals -------------------------------------------------------------------------------

class _Page:
    """Read-only views of one parsed page: head metadata, JSON-LD and the visible parts."""

    def __init__(self, root: lxml.html.HtmlElement, url: str) -> None:
        self.root = root
        self.url = url
        base = root.find(".//base[@href]")
        self.base = urljoin(url, base.get("href").strip()) if base is not None else url
        self.meta: dict[str, str] = {}
        self._meta_lists: dict[str, list[str]] = {}
        for tag in root.iter("meta"):
            key = (tag.get("property") or tag.get("name") or tag.get("itemprop") or tag.get("http-equiv") or "")
            key = _meta_key(key)
            content = clean(tag.get("content"))
            if key and content:
                self.meta.setdefault(key, content)
                self._meta_lists.setdefault(key, []).append(content)
        self.ld_nodes = list(_ld_nodes(root))
        self.ld_article = _ld_article(self.ld_nodes)
        self.ld_site_name = next((_ld_text(n.get("name")) for n in self.ld_nodes
                                  if _types(n) & {"website", "newsmediaorganization", "organization"}), None)
        self._visible_date: str | None | bool = False
        self._order: dict | None = None

    def order(self) -> dict:
        """Document position of every element, for "after the headline, before the text" checks."""
        if self._order is None:
            self._elements = list(self.root.iter())
            self._order = {el: i for i, el in enumerate(self._elements)}
        return self._order

    def elements(self) -> list:
        self.order()
        return self._elements

    def element_with_text(self, text: str) -> etree._Element | None:
        """The paragraph element that prints ``text`` (first 60 characters compared)."""
        want = _norm_title(text)[:60]
        for el in self.root.iter("p"):
            raw = el.text_content()
            if len(raw) < 3000 and _norm_title(raw[:300]).startswith(want[:20]) \
                    and _norm_title(text_of(el)).startswith(want):
                return el
        return None

    def main_h1(self, title: str | None) -> etree._Element | None:
        """The ``<h1>`` that carries the headline (another h1 may hold the logo)."""
        first = None
        for h1 in self.root.iter("h1"):
            text = text_of(h1)
            if not text:
                continue
            if title and (_same_title(text, title) or _contains_title(text, title) or _contains_title(title, text)):
                return h1
            first = first if first is not None else h1
        if first is None and title:  # a page that styles its headline as h2/h3 or a div
            for node in self.root.iter("h2", "h3", "header", "div", "span"):
                text = node.text_content()
                if len(text) < 3 * len(title) + 40 and _same_title(text_of(node), title):
                    return node
        return first

    def _index(self) -> None:
        """Class, id and attribute lookups built in one walk: generic selectors over a whole page
        as XPath cost ~1 ms each, and the cascade asks dozens."""
        self._by_class: dict[str, list] = {}
        self._by_id: dict[str, list] = {}
        self._by_attr: dict[str, list] = {}
        for el in self.root.iter():
            if not isinstance(el.tag, str):
                continue
            for word in (el.get("class") or "").split():
                self._by_class.setdefault(word, []).append(el)
            if el.get("id"):
                self._by_id.setdefault(el.get("id"), []).append(el)
            for attr in INDEXED_ATTRIBUTES:
                if el.get(attr) is not None:
                    self._by_attr.setdefault(attr, []).append(el)

    def select(self, selector: str) -> list[etree._Element]:
        """Elements of the page matching a CSS selector, in document order (fast path for simple ones)."""
        parts = selector.split()
        matches = [_SIMPLE_SELECTOR.match(p) for p in parts]
        if not parts or len(parts) > 2 or not all(matches):
            return css(self.root, selector)
        if not hasattr(self, "_by_class"):
            self._index()
        found = self._simple(matches[0])
        if len(parts) == 2:
            inner = matches[1]
            found = [d for el in found for d in el.iterdescendants() if _simple_match(d, inner)]
        return found

    def _simple(self, match: re.Match) -> list[etree._Element]:
        if match["cls"]:
            pool = self._by_class.get(match["cls"], [])
        elif match["id"]:
            pool = self._by_id.get(match["id"], [])
        elif match["attr"] in INDEXED_ATTRIBUTES:
            pool = self._by_attr.get(match["attr"], [])
        elif match["tag"]:
            pool = list(self.root.iter(match["tag"]))
        else:
            return css(self.root, match.group(0))
        return [el for el in pool if _simple_match(el, match)]

    def meta_all(self, *keys: str) -> list[str]:
        values: list[str] = []
        for key in map(_meta_key, keys):
            for value in self._meta_lists.get(key, []):
                if re.search(r"@|https?://|www\.", value):
                    continue  # an address or profile link, not a name: try the next key
                for name in re.split(r"\s*[,;]\s*|\s+(?:and|und|et|y|og|och|i|e)\s+", value):
                    if name and name not in values:
                        values.append(name)
            if values:
                return values
        return values

    def link_rel(self, rel: str) -> str | None:
        for link in self.root.iter("link"):
            if rel in (link.get("rel") or "").lower().split() and link.get("href"):
                return link.get("href").strip()
        return None

    def title_tag(self) -> str | None:
        node = self.root.find(".//title")
        return text_of(node) if node is not None else None

    def h1_texts(self) -> list[str]:
        return [t for t in (text_of(h) for h in self.root.iter("h1") if not _in_junk(h)) if t]

    def select_text(self, selector: str | None) -> str | None:
        if not selector:
            return None
        return next((t for t in (text_of(n) for n in self.select(selector)) if t), None)

    def select_texts(self, selector: str | None) -> list[str]:
        if not selector:
            return []
        return [t for t in (text_of(n) for n in self.select(selector)) if t]

    def select_date(self, selector: str | None) -> str | None:
        if not selector:
            return None
        for node in self.select(selector):
            value = node.get("datetime") or node.get("content") or text_of(node)
            if value:
                return clean(value)
        return None

    def itemprop_date(self, prop: str) -> str | None:
        for node in self.root.iterfind(f".//*[@itemprop='{prop}']"):
            value = node.get("datetime") or node.get("content") or text_of(node)
            if value and re.search(r"\d", value):
                return clean(value)
        return None

    def itemprop_authors(self) -> list[str]:
        names = []
        for node in self.root.iterfind(".//*[@itemprop='author']"):
            inner = node.find(".//*[@itemprop='name']")
            value = (inner.get("content") or text_of(inner)) if inner is not None else \
                (node.get("content") or text_of(node))
            if value and len(value) < 80 and value not in names:
                names.append(value)
        return names

    def visible_byline(self, h1s: list[str]) -> list[str]:
        """A short byline printed near the headline (``Von Anna Sleegers``), outside page furniture."""
        order = self.order()
        h1 = self.main_h1(h1s[0] if h1s else None)
        start = order.get(h1, 0) if h1 is not None else 0
        for selector in BYLINE_SELECTORS:
            for node in self.select(selector):
                position = order.get(node, -1)
                if position < start - 100 or _in_junk(node):
                    continue
                text = text_of(node)
                if 3 <= len(text) <= 100:
                    return [text]
        return []

    def visible_date(self) -> str | None:
        """The first printed date (with digits) in a date-like element; time elements' datetime first."""
        if self._visible_date is not False:
            return self._visible_date  # type: ignore[return-value]
        found = None
        for selector in DATE_SELECTORS:
            for node in self.select(selector):
                if _in_junk(node):
                    continue
                value = clean(node.get("datetime") or node.get("content") or text_of(node))
                if _DATE_LIKE.search(value) and len(value) < 120:
                    found = value
                    break
            if found:
                break
        self._visible_date = found
        return found

    def breadcrumb_section(self, title: str | None) -> str | None:
        for selector in BREADCRUMB_SELECTORS:
            items = [text_of(a) for a in self.select(selector)]
            items = [i for i in items if i and i != title and i.lower() not in ("trang chủ", "home")]
            if items:
                return items[-1]
        return None

    def tags(self, ld: dict) -> tuple[str, ...]:
        keywords = ld.get("keywords")
        if isinstance(keywords, str):
            keywords = keywords.split(",")
        if not keywords:
            keywords = self._meta_lists.get("articletag", [])
        if not keywords:
            keywords = [text_of(a) for sel in TAG_SELECTORS for a in self.select(sel)]
        if not keywords and self.meta.get("keywords"):
            keywords = self.meta["keywords"].split(",")
        seen: dict[str, None] = {}
        for word in keywords or []:
            word = clean(str(word)) if not isinstance(word, dict) else clean(str(word.get("name", "")))
            if word and word not in seen:
                seen[word] = None
        return tuple(seen)


INDEXED_ATTRIBUTES = ("itemprop", "rel", "itemtype", "datetime")
_SIMPLE_SELECTOR = re.compile(r"^(?P<tag>[a-z][a-z0-9]*)?(?:\.(?P<cls>[\w-]+)|#(?P<id>[\w-]+)"
                              r"|\[(?P<attr>[\w-]+)(?:(?P<op>[$]?=)(?P<val>[\w-]+))?\])?$")


def _simple_match(el: etree._Element, match: re.Match) -> bool:
    if not isinstance(el.tag, str) or match["tag"] and el.tag != match["tag"]:
        return False
    if match["cls"] and match["cls"] not in (el.get("class") or "").split():
        return False
    if match["id"] and el.get("id") != match["id"]:
        return False
    if match["attr"]:
        value = el.get(match["attr"])
        if value is None:
            return False
        if match["op"] == "=" and value != match["val"]:
            return False
        if match["op"] == "$=" and not value.endswith(match["val"]):
            return False
    return True


_DATE_LIKE = re.compile(r"\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}|\d{4}-\d{2}-\d{2}"
                        r"|\d{1,2}\.?\s+[^\W\d]{3,}\.?,?\s+\d{4}|[^\W\d]{3,}\.?\s+\d{1,2},?\s+\d{4}")


def _meta_key(key: str) -> str:
    """One spelling for meta names: ``article:published:time``, ``article_published_time`` -> the same key."""
    return re.sub(r"[^a-z0-9]", "", key.strip().lower())


def _in_junk(node: etree._Element) -> bool:
    for el in node.iterancestors():
        if el.tag in ("body", "html"):
            return False
        if el.tag in ("nav", "footer", "aside") or _junk_words(el):
            return True
    return False


def _junk_words(el: etree._Element) -> bool:
    """A class or id token naming furniture (``box-share``, ``related-news``); a token that also names
    the layout or the content (``sidebar-grid__content``, ``article-comments-wrapper``) is not one."""
    for token in f"{el.get('class') or ''} {el.get('id') or ''}".split():
        if JUNK_WORDS.search(token) and not LAYOUT_WORDS.search(token):
            return True
    return False


def _same_day(a: str, b: str) -> bool:
    from tasks.dates import parse_date, utc

    first, second = parse_date(a, utc), parse_date(b, utc)
    return bool(first and second and first.date() == second.date())


# --- title ----------------------------------------------------------------------------------------

_SUFFIX_SPLIT = re.compile(r"\s+[|–—\-:·»•]\s+|\s+[|–—·»•]|[|–—·»•]\s+|[：｜]")


def _title_candidates(page: _Page, ld: dict, h1s: list[str]) -> list[tuple[str, str | None]]:
    """Title signals in order of trust, after checking metadata against the visible ``<h1>``.

    Metadata titles lose the site name first (`` | VnExpress``). A metadata title that
    agrees with the ``<h1>`` (the same words, or one adds a kicker to the other) wins,
    since it is the string the publisher typed, without the layout's line breaks;
    a metadata title that names another headline (a social-media title) loses to the ``<h1>``.
    """
    metas = [("meta", _unescape(page.meta.get("ogtitle"))),
             ("json-ld", _unescape(_ld_text(ld.get("headline")) or _ld_text(ld.get("name")))),
             ("meta", _unescape(page.meta.get("twittertitle"))),
             ("meta", _unescape(page.meta.get("dctitle") or page.meta.get("title"))),
             ("meta", _unescape(page.title_tag()))]
    metas = [(s, v) for s, v in metas if v]
    site_names = {n.lower() for n in (page.meta.get("ogsitename"), page.ld_site_name,
                                      page.meta.get("applicationname")) if n}
    site_names.add(urlsplit(page.url).hostname or "")
    stripped = [(s, v) for s, v in ((s, _strip_site_suffix(v, site_names, [m for _, m in metas]))
                                    for s, v in metas) if v]
    for h1 in h1s:
        exact = [(signal, value) for signal, value in stripped if value == h1]
        if exact:
            return exact[:1]  # the typed string the page also prints (quotes and dashes as published)
        for signal, value in stripped:
            if _same_title(h1, value):
                return [(signal, value)]
        for signal, value in stripped:
            if _contains_title(value, h1) or _contains_title(h1, value):
                return [(signal, value)]
    return [*stripped, ("page", h1s[0] if h1s else None)]


def _norm_title(text: str) -> str:
    return re.sub(r"\W+", " ", text.casefold()).strip()


def _same_title(a: str, b: str) -> bool:
    return _norm_title(a) == _norm_title(b)


def _contains_title(longer: str, shorter: str) -> bool:
    """``longer`` is ``shorter`` plus a site name or kicker (at least 3 words of headline)."""
    a, b = _norm_title(longer), _norm_title(shorter)
    return len(b.split()) >= 3 and b in a and len(a) > len(b)


def _strip_site_suffix(title: str | None, site_names: set[str], others: list[str]) -> str | None:
    """``Headline - Báo Cần Thơ Online`` -> ``Headline``: drop an end part that names the site.

    A part is the site's when it matches the site name or host, or when it is the
    shorter side of a separator that every metadata title shares.
    """
    if not title:
        return None
    parts = _SUFFIX_SPLIT.split(title)
    if len(parts) < 2:
        return title
    hosts = {re.sub(r"^www\.", "", n) for n in site_names}
    hosts |= {h.split(".")[0] for h in hosts if "." in h}

    def names_site(part: str) -> bool:
        low = part.lower().strip()
        squashed = re.sub(r"[\s.\-]", "", low)
        return any(n and (n in low or low in n or re.sub(r"[\s.\-]", "", n) in squashed) for n in hosts)

    def lone_title_suffix(head: str, part: str) -> bool:
        """A page whose only title is ``<title>``: a short end part after a separator is the site's."""
        return len(others) <= 1 and len(part.split()) <= 5 and len(head.split()) >= 3 and len(part) <= len(head)

    def shorter_elsewhere(head: str) -> bool:
        """Another metadata title is just the part before the suffix (``headline`` beside ``headline | X``)."""
        return any(_same_title(head, other) for other in others if other != title)

    while len(parts) > 1:
        head = title[: title.rfind(parts[-1])].rstrip(" |–—-:·»•：｜")
        if not (names_site(parts[-1]) or shorter_elsewhere(head) or lone_title_suffix(head, parts[-1])):
            break
        title, parts = head, parts[:-1]
    if len(parts) > 1 and names_site(parts[0]):
        title = title[len(parts[0]):].lstrip(" |–—-:·»•：｜")
    return clean(title)


def _unescape(text: str | None) -> str | None:
    """Undo HTML escaping applied once or twice (``&amp;quot;`` -> ``"``)."""
    if not text:
        return None
    for _ in range(3):
        if "&" not in text:
            break
        unescaped = html_lib.unescape(text)
        if unescaped == text:
            break
        text = unescaped
    return clean(text)


# --- JSON-LD --------------------------------------------------------------------------------------

def _ld_nodes(root: etree._Element) -> Iterator[dict]:
    for script in root.iter("script"):
        if "ld+json" not in (script.get("type") or "").lower():
            continue
        yield from _walk_ld(loads_lenient(script.text or ""))


def _types(node: dict) -> set[str]:
    types = node.get("@type")
    types = types if isinstance(types, list) else [types]
    return {t.lower().rsplit("/", 1)[-1] for t in types if isinstance(t, str)}


def _ld_article(nodes: list[dict]) -> dict:
    """The JSON-LD node of the article: the best-ranked article type, the one with a headline first."""
    best: tuple[int, int] | None = None
    chosen: dict = {}
    for index, node in enumerate(nodes):
        ranks = [r for r in (_article_rank(t) for t in _types(node)) if r is not None]
        if not ranks:
            continue
        key = (min(ranks) * 2 + (0 if node.get("headline") or node.get("datePublished") else 1), index)
        if best is None or key < best:
            best, chosen = key, node
    return chosen


def loads_lenient(text: str):
    """JSON as browsers tolerate it in pages: comments, CDATA, trailing commas, raw control characters,
    several objects in one script. None when nothing can be read."""
    text = (text or "").strip()
    text = re.sub(r"^\s*(<!--|/\*\s*<!\[CDATA\[\s*\*/|<!\[CDATA\[)|(-->|/\*\s*\]\]>\s*\*/|\]\]>)\s*$", "", text)
    text = text.strip().rstrip(";")
    attempts = (text, re.sub(r",\s*([}\]])", r"\1", text))
    for attempt in attempts:
        try:
            return json.loads(attempt, strict=False)
        except ValueError:
            continue
    # Several top-level values one after another ("{...}{...}" or "{...}\n{...}").
    decoder = json.JSONDecoder(strict=False)
    values, pos, cleaned = [], 0, attempts[1]
    while pos < len(cleaned):
        while pos < len(cleaned) and cleaned[pos] in " \t\r\n,;":
            pos += 1
        if pos >= len(cleaned):
            break
        try:
            value, pos = decoder.raw_decode(cleaned, pos)
        except ValueError:
            break
        values.append(value)
    return values or None


def _walk_ld(data) -> Iterator[dict]:
    if isinstance(data, list):
        for item in data:
            yield from _walk_ld(item)
    elif isinstance(data, dict):
        yield data
        for key in ("@graph", "mainEntity", "itemListElement"):
            if isinstance(data.get(key), list | dict):
                yield from _walk_ld(data[key])


def _ld_text(value) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("name") or value.get("@value")
    return clean(str(value)) if value not in (None, "") and not isinstance(value, dict | list) else None


def _ld_url(value) -> str | None:
    if isinstance(value, dict):
        value = value.get("@id") or value.get("url")
    return value if isinstance(value, str) and value.startswith(("http", "/")) else None


def _ld_image(value) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("url") or value.get("contentUrl")
    return value if isinstance(value, str) else None


def _ld_organisation_author(value) -> str | None:
    """An organisation (agency, outlet, desk) given as the author: the warehouse keeps it as a source credit."""
    items = value if isinstance(value, list) else [value]
    for item in items:
        if isinstance(item, dict) and _types(item) & {"organization", "newsmediaorganization"}:
            return _ld_text(item.get("name"))
    return None


def _ld_authors(value) -> list[str]:
    items = value if isinstance(value, list) else [value]
    names: list[str] = []
    for item in items:
        if isinstance(item, dict) and _types(item) & {"organization", "newsmediaorganization"}:
            continue  # an outlet credited as author is a source credit, not a person
        name = item.get("name") if isinstance(item, dict) else item
        if isinstance(name, list):
            name = name[0] if name else None
        name = _unescape(name) if isinstance(name, str) else None
        if name and name not in names:
            names.append(name)
    return names


def _first(meta: dict[str, str], *keys: str) -> str | None:
    return next((meta[_meta_key(k)] for k in keys if meta.get(_meta_key(k))), None)


# --- the article text ---------------------------------------------------------------------------------

class _Body:
    """The article container's text: paragraphs, captions and byline, with the lead block apart.

    Works on a copy of the container, so that the page stays intact for the
    fallback extractor.
    """

    def __init__(self, page: _Page, profile: dict[str, str], title: str | None, description: str | None) -> None:
        self.page = page
        self.lead: str | None = None
        self.profile_lead = page.select_text(profile.get("lead"))
        self.byline: str | None = None
        self.byline_signal = "page"
        self.captions: list[str] = []
        self.paragraphs: list[str] = []
        self._seen: set[str] = set()
        self.signal = "page"
        self.title, self.description = title, description
        containers, self.signal = self._containers(profile)
        container = containers[0] if containers else None
        lead_el = self._lead_element(container)
        if lead_el is not None:
            self.lead = text_of(lead_el)
        for part in containers:
            work = deepcopy(part)
            if lead_el is not None and _is_descendant(lead_el, part):
                _remove(_matching(work, lead_el, part))
            self._read(work, profile)
        self._split_trailing_byline()
        if not self.paragraphs or sum(len(p) for p in self.paragraphs) < MIN_CONTAINER_TEXT:
            fallback, signal = self._fallback(profile)
            if fallback and sum(map(len, fallback)) > sum(map(len, self.paragraphs)):
                self.paragraphs, self.signal = fallback, signal
                self._split_trailing_byline()
        if self.lead is None and description:
            self._lead_from_body(description)
        if self.lead is None and description:
            self.lead = self._structural_lead(description)

    def _fallback(self, profile: dict[str, str]) -> tuple[list[str], str]:
        """Text when no known container holds it: trafilatura's main text, else the densest block of
        paragraphs (measured: trafilatura first is 0.04 body F1 better on both dev sets); captions
        printed anywhere on the page are taken out."""
        dense = _densest_container(self.page.root)
        paragraphs = _generic_body(self.page.root, self.page.url)
        if not paragraphs and dense is not None:
            before = len(self.paragraphs)
            self._read(deepcopy(dense), profile)
            return self.paragraphs[before:], "page"
        # Captions of the article's own pictures: those inside the block around its densest text.
        scope = dense.getparent() if dense is not None and dense.getparent() is not None else self.page.root
        captions = _page_captions(scope)
        self.captions.extend(c for c in captions if c not in self.captions)
        credits = [p for p in paragraphs if PHOTO_CREDIT.match(p) and len(p) < 200]
        self.captions.extend(c for c in credits if c not in self.captions)
        kept = set(captions) | set(credits)
        return [p for p in paragraphs if p not in kept and not is_widget_label(p)], "fallback"

    def _containers(self, profile: dict[str, str]) -> tuple[list[etree._Element], str]:
        """The elements holding the article text: every match of the first selector that holds enough
        text (CMSs often split the text into several blocks of one class, with ads between)."""
        if profile.get("body"):
            found = _outermost(self.page.select(profile["body"]))
            if found:
                return found, "profile"
        for selector in BODY_SELECTORS:
            found = _outermost([el for el in self.page.select(selector) if not _in_junk(el)])
            if found and sum(len(text_of(el)) for el in found) >= MIN_CONTAINER_TEXT:
                return found, "page"
        return [], "page"

    def _lead_element(self, container: etree._Element | None) -> etree._Element | None:
        """The standfirst block: a lead-classed element, or the block the description repeats,
        placed after the headline and before the article text (teasers elsewhere are other stories)."""
        order = self.page.order()
        h1 = self.page.main_h1(self.title)
        start = order.get(h1, -1) if h1 is not None else -1
        body_start = self._first_text_position(container, order)
        for selector in LEAD_SELECTORS:
            for el in self.page.select(selector):
                if el.tag in ("meta", "html", "body", "a") or _in_junk(el):
                    continue
                if container is not None and el is not container and _is_descendant(container, el):
                    continue  # a lead block wrapping the whole article is a layout box, not the lead
                position = order.get(el, -1)
                if position < start or position > (body_start if body_start is not None else start + LEAD_REACH):
                    continue
                text = text_of(el)
                if 20 <= len(text) <= 1500 and _agrees(text, self.description):
                    return el
        want = _norm_title(_unescape(self.description) or "")[:60]
        if len(want) < 30:
            return None
        limit = body_start + 50 if body_start is not None else start + 600
        for el in self.page.root.iter("p", "div", "h2", "span", "strong"):
            position = order.get(el, -1)
            if position < start or position > limit:
                continue
            raw = el.text_content()
            if len(raw) > 2000 or not _norm_title(raw[:200]).startswith(want[:20]):
                continue
            text = text_of(el)
            if _norm_title(text).startswith(want) and not _has_blocks(el) and not _plain_paragraph(el):
                return el
        return None

    @staticmethod
    def _first_text_position(container: etree._Element | None, order: dict) -> int | None:
        if container is None:
            return None
        for el in container.iter("p"):
            if len(text_of(el)) >= 60:
                return order.get(el)
        return None

    def _read(self, container: etree._Element, profile: dict[str, str]) -> None:
        for el in list(container.iter()):
            if not isinstance(el.tag, str):
                continue
            if el.tag in JUNK_TAGS or el.tag == "h1" or (el is not container and _junk_words(el)):
                _remove(el)
        if profile.get("byline"):
            found = css(container, profile["byline"])
            if found:
                self.byline, self.byline_signal = text_of(found[0]), "profile"
                _remove(found[0])
        if self.byline is None:
            for selector in BYLINE_SELECTORS:
                found = [el for el in css(container, selector) if text_of(el)]
                if found and len(text_of(found[0])) <= 200:
                    self.byline = text_of(found[0])
                    _remove(found[0])
                    break
        for kind, text in _blocks(container):
            if kind == "caption":
                self.captions.append(text)
            elif is_widget_label(text):
                continue
            elif PHOTO_CREDIT.match(text) and len(text) < 200:
                self.captions.append(text)
            elif len(text) < 80 or text not in self._seen:  # text printed twice (print or AMP copy) counts once
                self._seen.add(text)
                self.paragraphs.append(text)

    def _split_trailing_byline(self) -> None:
        if self.byline is not None or not self.paragraphs:
            return
        last = self.paragraphs[-1]
        if looks_like_byline(last) or _short_name_line(last) and _set_apart(self.page.element_with_text(last)):
            self.byline = self.paragraphs.pop()

    def _structural_lead(self, description: str) -> str | None:
        """The first text block between the headline and the article text that shares words with the
        description: a standfirst without a class name that says so (descriptions are often reworded)."""
        h1 = self.page.main_h1(self.title)
        if h1 is None or not self.paragraphs:
            return None
        order = self.page.order()
        elements = self.page.elements()
        first = _norm_title(self.paragraphs[0])[:40]
        for el in elements[order[h1] + 1: order[h1] + 2 * LEAD_REACH]:
            if not isinstance(el.tag, str) or el.tag not in ("p", "div", "h2", "span", "strong", "section"):
                continue
            raw = el.text_content()
            if len(raw) > 3000:
                continue
            text = text_of(el)
            if first and _norm_title(text).startswith(first):
                return None  # the article text starts here: no separate standfirst
            if 60 <= len(text) <= 1000 and not _has_blocks(el) and _agrees(text, description) \
                    and not _in_junk(el) and not CAPTION_CLASSES.search(el.get("class") or "") \
                    and not any(a.tag in ("a", "figure", "figcaption", "h1") for a in el.iterancestors()):
                return text
        return None

    def _lead_from_body(self, description: str) -> None:
        """A standfirst printed as the first paragraph: the one the description metadata repeats."""
        want = _norm_title(_unescape(description) or "")
        if not want or not self.paragraphs:
            return
        first = _norm_title(self.paragraphs[0])
        if first and (first == want or (len(first) > 40 and want.startswith(first[: max(40, len(first) - 5)]))):
            self.lead = self.paragraphs.pop(0)


def _blocks(container: etree._Element) -> Iterator[tuple[str, str]]:
    """("paragraph" | "caption", text) in document order.

    Leaf blocks are paragraphs; a figure or an image table is a caption; text
    written straight into a div between ``<br>`` tags forms paragraphs of its own.
    """
    inline: list[str] = []

    def flush() -> Iterator[tuple[str, str]]:
        text = clean("".join(inline))
        inline.clear()
        if text:
            yield "paragraph", text

    def walk(node: etree._Element) -> Iterator[tuple[str, str]]:
        if node.text:
            inline.append(node.text)
        for child in node:
            tag = child.tag if isinstance(child.tag, str) else None
            if tag is None:
                pass
            elif tag == "figure" or tag == "table" and child.find(".//img") is not None:
                yield from flush()
                caption = _caption(child)
                if caption:
                    yield "caption", caption
                if tag == "table":
                    for cell in child.iter("td", "th"):
                        if cell.find(".//img") is None and not CAPTION_CLASSES.search(cell.get("class") or "") \
                                and len(text_of(cell)) > 200:
                            yield "paragraph", text_of(cell)
            elif tag in ("figcaption",) or CAPTION_CLASSES.search(child.get("class") or ""):
                yield from flush()
                text = text_of(child)
                if text:
                    yield "caption", text
            elif (tag in LEAF_BLOCKS or tag == "li") and not _has_blocks(child):
                yield from flush()
                text = text_of(child)
                if text and not _mostly_links(child, text):
                    yield "paragraph", text
            elif tag in BLOCK_TAGS:
                yield from flush()
                if tag == "br" and child.tail is None:
                    pass
                yield from walk(child)
                yield from flush()
            elif tag == "a" and _has_blocks(child):
                pass  # a whole teaser card inside one link: another story
            else:
                inline.append(text_of(child) if tag not in ("img",) else "")
                inline.append(" " if tag not in ("a", "b", "i", "em", "strong", "span", "sup", "sub", "u",
                                                 "small", "mark", "abbr", "q", "cite", "time", "font") else "")
            if child.tail:
                if tag == "br":
                    yield from flush()
                inline.append(child.tail)

    yield from walk(container)
    yield from flush()


def _agrees(text: str, description: str | None) -> bool:
    """A lead-classed block is the standfirst only if it shares words with the description metadata
    (when there is one); teaser boxes of other stories carry the same class names."""
    if not description:
        return True
    words = set(re.findall(r"\w+", description.lower()))
    found = set(re.findall(r"\w+", text.lower()))
    return bool(words) and len(words & found) >= 0.3 * len(words)


def _densest_container(root: etree._Element) -> etree._Element | None:
    """The element whose paragraphs hold the most text (parents count fully, grandparents half)."""
    scores: dict[etree._Element, float] = {}
    for p in root.iter("p"):
        length = len(p.text_content().strip())
        if length < 25 or _in_junk(p):
            continue
        parent = p.getparent()
        for node, weight in ((parent, 1.0), (parent.getparent() if parent is not None else None, 0.5)):
            if node is not None and node.tag not in ("html", "body"):
                scores[node] = scores.get(node, 0.0) + length * weight
    if not scores:
        return None
    best = max(scores, key=scores.get)
    return best if scores[best] >= MIN_CONTAINER_TEXT else None


def _page_captions(root: etree._Element) -> list[str]:
    """Caption texts under ``root`` in document order: figure captions, image tables' text cells,
    caption-classed blocks and photo-credit paragraphs (``Ảnh: ...``)."""
    found: list[str] = []
    for el in root.iter("figcaption", "table", "p", "div", "span", "td"):
        if el.tag == "figcaption":
            text = text_of(el)
        elif el.tag == "table":
            text = _caption(el) if el.find(".//img") is not None else None
        elif CAPTION_CLASSES.search(el.get("class") or "") and len(el) < 5:
            text = text_of(el)
        elif el.tag == "p":
            text = text_of(el)
            text = text if PHOTO_CREDIT.match(text) and len(text) < 200 else None
        else:
            text = None
        if text and text not in found and not any(text in f for f in found):
            found.append(text)
    return found


def _mostly_links(block: etree._Element, text: str) -> bool:
    """A block whose words are mostly link text is a list of other stories, not article text."""
    linked = sum(len(clean(a.text_content())) for a in block.iter("a"))
    return linked > 0.6 * len(text) and (len(text) < 300 or block.tag == "li")


def _outermost(elements: list[etree._Element]) -> list[etree._Element]:
    """The elements that are not inside another of the list, in document order."""
    chosen = set(elements)
    return [el for el in elements if not any(a in chosen for a in el.iterancestors())]


def _has_blocks(node: etree._Element) -> bool:
    return any(isinstance(el.tag, str) and el.tag in (LEAF_BLOCKS | {"div", "ul", "ol", "table", "section",
                                                                        "figure"})
               for el in node.iterdescendants())


def _caption(block: etree._Element) -> str | None:
    if block.tag == "figure":
        cap = block.find(".//figcaption")
        if cap is None:
            found = [el for el in block.iter() if isinstance(el.tag, str) and CAPTION_CLASSES.search(el.get("class")
                                                                                                    or "")]
            cap = found[0] if found else None
        return text_of(cap) if cap is not None else None
    cells = [text_of(td) for td in block.iter("td", "th") if td.find(".//img") is None and len(text_of(td)) <= 200]
    text = " ".join(c for c in cells if c)
    return text or None


def _is_descendant(node: etree._Element, ancestor: etree._Element) -> bool:
    return any(a is ancestor for a in node.iterancestors())


def _matching(copy_root: etree._Element, original: etree._Element, original_root: etree._Element):
    """The element of a deep copy at the same place as ``original`` in ``original_root``."""
    path = original_root.getroottree().getpath(original)
    root_path = original_root.getroottree().getpath(original_root)
    relative = path[len(root_path):]
    if not relative:
        return copy_root
    found = copy_root.xpath("." + relative)
    return found[0] if found else None


def _remove(el: etree._Element | None) -> None:
    """Drop an element but keep its tail text (which belongs to the parent)."""
    if el is None:
        return
    parent = el.getparent()
    if parent is None:
        return
    if el.tail and el.tail.strip():
        previous = el.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


_TOP_BYLINE = re.compile(r"^(?i:von|by|par|por|di|door|av|af|od)\s+(?:[A-ZÀ-ÖØ-Þ][\w'.-]*\s?){1,4}$")


def _drop_head_furniture(paragraphs: list[str], title: str | None) -> tuple[list[str], str | None]:
    """What page templates print above the text and extractors take along: the headline again (with
    its kicker or the site name), a date or time line, and a "Von Nina Magoley" byline (returned)."""
    want = _norm_title(title or "")
    byline = None
    out = list(paragraphs)
    for index in range(min(4, len(out) - 1) - 1, -1, -1):
        text = out[index]
        norm = _norm_title(text)
        headline_again = bool(want) and len(want) >= 15 and want in norm and len(norm) <= len(want) + 60
        date_line = len(text) <= 60 and bool(_DATE_LIKE.search(text)) and len(re.sub(r"[\d\W]+", "", text)) <= 15
        if headline_again or date_line:
            del out[index]
        elif _TOP_BYLINE.match(text):
            byline = byline or text
            del out[index]
    while len(out) > 1 and len(out[0].split()) <= 3 and len(out[0]) < 30 and not out[0].endswith((".", "?", "!")):
        out.pop(0)  # a label opening the text: "Článek", "Kort fortalt", "Text size"
    return out, byline


def _echoes(paragraph: str, lead: str) -> bool:
    first, want = _norm_title(paragraph), _norm_title(lead)
    return bool(first) and (first == want or len(want) > 30 and len(first) > 30 and want.startswith(first[:30]))


def _short_name_line(text: str) -> bool:
    """A line that could be only a name or two (``Phương Anh``, ``Mai Khanh - Tú Uyên``)."""
    words = text.split()
    return 1 <= len(words) <= 8 and len(text) <= 60 and not text.endswith((".", "?", "!", ":", "…", '"', "”")) \
        and all(w[:1].isupper() or w in ("-", "–", "và", "and", "&", ",") for w in words)


def _set_apart(el: etree._Element | None) -> bool:
    """Printed as a signature: right-aligned, or all in bold (how papers close an article with its byline)."""
    if el is None:
        return False
    style = (el.get("style") or "").replace(" ", "").lower()
    if "text-align:right" in style or (el.get("align") or "").lower() == "right":
        return True
    bold = [c for c in el if c.tag in ("strong", "b")]
    return len(bold) == 1 and len(bold[0].text_content().strip()) >= 0.9 * len(el.text_content().strip())


def _plain_paragraph(el: etree._Element) -> bool:
    """A ``<p>`` printed like the next one (same class, not all bold): article text, not a standfirst."""
    if el.tag != "p":
        return False
    following = el.getnext()
    while following is not None and not isinstance(following.tag, str):
        following = following.getnext()
    if following is None or following.tag != "p" or (following.get("class") or "") != (el.get("class") or ""):
        return False
    bold = [c for c in el if c.tag in ("strong", "b")]
    return not (len(bold) == 1 and len(bold[0].text_content()) >= 0.9 * len(el.text_content()))


def _drop_lead_echo(paragraphs: list[str], lead: str | None, title: str | None) -> list[str]:
    """Remove the title and lead where the text repeats them at its start (the body starts after the lead)."""
    out = list(paragraphs)
    for repeated in (title, lead):
        if not repeated or not out:
            continue
        want = _norm_title(repeated)
        while out and want and (_norm_title(out[0]) == want or len(want) > 30 and want.startswith(_norm_title(out[0]))
                                and len(_norm_title(out[0])) > 30):
            out.pop(0)
    return out


def _generic_body(root: etree._Element, url: str) -> list[str]:
    """Main text by trafilatura, run on our already-parsed tree; paragraphs as it delimits them."""
    try:
        from trafilatura import bare_extraction
    except ImportError:  # pragma: no cover - declared dependency
        return []
    try:
        document = bare_extraction(deepcopy(root), url=url, favor_precision=True, include_comments=False,
                                   include_tables=True, with_metadata=False, deduplicate=False)
    except Exception:  # noqa: BLE001 - the fallback must never lose the page
        return []
    # Its text output, one block per line (its element tree can hold fewer blocks than it prints).
    text = getattr(document, "text", None) or ""
    return [p for p in (_plain_line(x) for x in text.split("\n")) if p]


def _plain_line(line: str) -> str:
    """A line of trafilatura's text without its list bullet or table-row pipes."""
    line = line.strip()
    if line.startswith("|") and line.endswith("|"):
        cells = [clean(c) for c in line.strip("|").split("|")]
        return "" if all(re.fullmatch(r":?-*:?", c) for c in cells) else " ".join(c for c in cells if c)
    return clean(re.sub(r"^[-*•]\s+", "", line))
