"""Read an article page into an :class:`ExtractedPage`: what the page says, field by field.

Each field is taken from the first of its signals that has a value, and the winner
is recorded in ``provenance``. The signals, in the usual order of trust:

1. JSON-LD (``NewsArticle``/``Article``, also inside ``@graph`` and lists);
2. OpenGraph and other ``<meta>`` tags;
3. the visible page: the ``<h1>``, the lead block, the article container's
   paragraphs, figure captions, the byline and the printed date line.

The title reverses the order: the visible ``<h1>`` first, because metadata titles
often carry the site name (`` - Báo Cần Thơ Online``, `` | VnExpress``). Text (lead,
body, captions, byline) comes from the page, with JSON-LD ``articleBody`` as the
fallback. Pure: no network, no database.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from urllib.parse import urljoin

from bs4 import BeautifulSoup, Tag

from tasks.config import Source
from tasks.conventions import BOILERPLATE, PHOTO_CREDIT, looks_like_byline, starts_with_dateline
from tasks.links import Link, extract_links  # noqa: F401
from tasks.records import Article, ExtractedPage
from tasks.text import clean

ARTICLE_TYPES = {"newsarticle", "article", "reportagenews", "analysisnewsarticle", "blogposting",
                 "opinionnewsarticle", "reviewnewsarticle", "backgroundnewsarticle", "liveblogposting"}

# Containers that hold the article text on common CMSs, most specific first.
BODY_SELECTORS = (
    "[itemprop=articleBody]", ".fck_detail", ".article-body", ".article__body", ".article-content",
    ".detail-content", ".content-detail", ".news-content", ".entry-content", ".post-content",
    ".detail__content", ".singular-content", ".cms-body", "#content-detail",
)
LEAD_SELECTORS = (
    ".sapo", ".article-sapo", ".detail-sapo", ".lead", ".article-lead", ".description", ".summary",
    ".chapeau", ".standfirst", ".excerpt", ".teaser", "[itemprop=description]", ".singular-sapo",
)
DATE_SELECTORS = (
    "time[datetime]", "[itemprop=datePublished]", ".date", ".time", ".publish-date", ".published",
    ".post-date", ".article-date", ".detail-time", ".date-time", ".news-date",
)
BYLINE_SELECTORS = (".author", ".byline", ".author_mail", ".article-author", "[rel=author]", ".tacgia",
                    "[itemprop=author]")
TAG_SELECTORS = (".tags a", ".tag-list a", ".keywords a", ".article-tags a", "[rel=tag]")
BREADCRUMB_SELECTORS = (".breadcrumb a", ".breadcrumbs a", "[itemtype$=BreadcrumbList] a")

# Class/id words of page furniture inside or around the article: removed before reading text.
JUNK_WORDS = re.compile(
    r"(^|[-_ ])(share|sharing|social|related|relate|comment|comments|advert|ads|adv|banner|tags?|"
    r"keywords|breadcrumbs?|menu|nav|toolbar|print|rating|subscribe|newsletter|recommend|"
    r"most-?read|popular|sidebar|footer)([-_ ]|$)",
    re.IGNORECASE,
)
JUNK_TAGS = ("script", "style", "noscript", "iframe", "form", "nav", "aside", "footer", "button", "svg",
             "select", "input", "template")
CAPTION_CLASSES = re.compile(r"caption|desc|image_?desc|photo-?note|img-?note|chuthich|legend", re.I)
BLOCKS = ("p", "h2", "h3", "h4", "h5", "blockquote", "li", "figure", "table", "pre")
MIN_CONTAINER_TEXT = 200


class ExtractError(Exception):
    """The page is not an article this extractor can read (no title or no text)."""


def extract_page(html: bytes | str, url: str) -> ExtractedPage:
    """Read the fields of one article page; raises :class:`ExtractError` when there is no article."""
    soup = BeautifulSoup(html, "lxml")
    if soup.html is None:
        raise ExtractError("empty document")
    base = _base_url(soup, url)
    meta = _meta(soup)
    ld = _json_ld_article(soup)
    provenance: dict[str, str] = {}

    def pick(field: str, *candidates: tuple[str, object]):
        for signal, value in candidates:
            if value:
                provenance[field] = signal
                return value
        return None

    h1 = _first_h1(soup)
    title = pick("title", ("page", h1), ("json-ld", _ld_text(ld.get("headline"))), ("meta", meta.get("og:title")),
                 ("meta", _strip_site_suffix(_title_tag(soup))))

    tags = _tags(soup, ld, meta)
    section = pick("section", ("json-ld", _ld_text(ld.get("articleSection"))),
                   ("meta", meta.get("article:section")), ("page", _breadcrumb_section(soup, h1)))
    published_raw = pick("published_at", ("json-ld", _ld_text(ld.get("datePublished"))),
                         ("meta", _first(meta, "article:published_time", "pubdate", "publishdate",
                                         "og:published_time", "date", "dc.date.issued")),
                         ("page", _visible_date(soup)))
    modified_raw = pick("modified_at", ("json-ld", _ld_text(ld.get("dateModified"))),
                        ("meta", _first(meta, "article:modified_time", "og:updated_time", "lastmod")))
    canonical = pick("canonical_url", ("page", _link_rel(soup, "canonical")), ("meta", meta.get("og:url")),
                     ("json-ld", _ld_url(ld.get("mainEntityOfPage")) or _ld_text(ld.get("url"))))
    image = pick("image_url", ("meta", meta.get("og:image")), ("json-ld", _ld_image(ld.get("image"))))
    language = pick("language", ("page", soup.html.get("lang")), ("meta", meta.get("og:locale")),
                    ("json-ld", _ld_text(ld.get("inLanguage"))))
    meta_authors = tuple(pick("meta_authors", ("json-ld", _ld_authors(ld.get("author"))),
                              ("meta", [a for a in [meta.get("author") or meta.get("article:author")] if a]))
                         or ())

    container = _article_container(soup)
    lead_el = _lead_element(soup, container)
    lead = clean(lead_el.get_text(" ")) if lead_el else None
    if lead_el is not None:
        lead_el.decompose()
    paragraphs, captions, byline = _read_body(container) if container else ([], [], None)
    if lead:
        provenance["lead"] = "page"
    elif paragraphs and starts_with_dateline(paragraphs[0]) and len(paragraphs) > 1:
        lead, paragraphs = paragraphs[0], paragraphs[1:]
        provenance["lead"] = "page"
    if not paragraphs and ld.get("articleBody"):
        paragraphs = [p for p in (clean(x) for x in re.split(r"\n\s*\n", str(ld["articleBody"]))) if p]
        provenance["body"] = "json-ld"
    elif paragraphs:
        provenance["body"] = "page"
    if byline:
        provenance["byline"] = "page"

    if not title:
        raise ExtractError("no title found")
    if not paragraphs:
        raise ExtractError("no article text found")
    return ExtractedPage(
        url=url,
        title=clean(title),
        lead=lead or None,
        paragraphs=tuple(paragraphs),
        captions=tuple(captions),
        byline=byline,
        meta_authors=meta_authors,
        published_raw=clean(str(published_raw)) if published_raw else None,
        modified_raw=clean(str(modified_raw)) if modified_raw else None,
        canonical_url=urljoin(base, canonical) if canonical else None,
        section=clean(section) if section else None,
        tags=tags,
        language=clean(language) if language else None,
        image_url=urljoin(base, image) if image else None,
        site_name=meta.get("og:site_name") or _ld_text(ld.get("publisher")),
        provenance=provenance,
    )


def extract_article(html: bytes | str, url: str, source: Source | None = None, **hints) -> Article:
    """The warehouse record for one page: :func:`extract_page` then ``tasks.normalise``."""
    from tasks.normalise import normalise_article

    return normalise_article(extract_page(html, url), source, **hints)


# --- head metadata -------------------------------------------------------------------------------

def _meta(soup: BeautifulSoup) -> dict[str, str]:
    values: dict[str, str] = {}
    for tag in soup.find_all("meta"):
        key = (tag.get("property") or tag.get("name") or tag.get("itemprop") or "").strip().lower()
        content = tag.get("content")
        if key and content and key not in values:
            values[key] = clean(content)
    return values


def _first(meta: dict[str, str], *keys: str) -> str | None:
    return next((meta[k] for k in keys if meta.get(k)), None)


def _link_rel(soup: BeautifulSoup, rel: str) -> str | None:
    for link in soup.find_all("link", href=True):
        if rel in [r.lower() for r in (link.get("rel") or [])]:
            return link["href"].strip()
    return None


def _base_url(soup: BeautifulSoup, url: str) -> str:
    base = soup.find("base", href=True)
    return urljoin(url, base["href"]) if base else url


def _title_tag(soup: BeautifulSoup) -> str | None:
    return clean(soup.title.get_text(" ")) if soup.title else None


def _strip_site_suffix(title: str | None) -> str | None:
    if not title:
        return None
    return re.split(r"\s+[|–—-]\s+(?=[^|–—-]+$)", title)[0]


def _json_ld_article(soup: BeautifulSoup) -> dict:
    """The first JSON-LD object whose @type is an article type, or {}."""
    for script in soup.find_all("script", type=lambda t: t and "ld+json" in t.lower()):
        data = _loads_lenient(script.string or script.get_text())
        for node in _walk_ld(data):
            types = node.get("@type")
            types = types if isinstance(types, list) else [types]
            if any(isinstance(t, str) and t.lower() in ARTICLE_TYPES for t in types):
                return node
    return {}


def _loads_lenient(text: str):
    """JSON as browsers tolerate it in pages: trailing commas, raw newlines in strings, HTML comments."""
    text = (text or "").strip()
    text = re.sub(r"^\s*<!--|-->\s*$", "", text)
    for attempt in (text, re.sub(r",\s*([}\]])", r"\1", text)):
        try:
            return json.loads(attempt, strict=False)
        except ValueError:
            continue
    return None


def _walk_ld(data) -> Iterator[dict]:
    if isinstance(data, list):
        for item in data:
            yield from _walk_ld(item)
    elif isinstance(data, dict):
        yield data
        if "@graph" in data:
            yield from _walk_ld(data["@graph"])


def _ld_text(value) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("name") or value.get("@value")
    return clean(str(value)) if value not in (None, "") else None


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


def _ld_authors(value) -> list[str]:
    items = value if isinstance(value, list) else [value]
    names = []
    for item in items:
        name = item.get("name") if isinstance(item, dict) else item
        if isinstance(name, str) and clean(name):
            names.append(clean(name))
    return names


def _tags(soup: BeautifulSoup, ld: dict, meta: dict[str, str]) -> tuple[str, ...]:
    keywords = ld.get("keywords")
    if isinstance(keywords, str):
        keywords = keywords.split(",")
    if not keywords:
        keywords = [tag.get("content", "") for tag in soup.find_all("meta", property="article:tag")]
    if not keywords:
        keywords = [a.get_text(" ") for sel in TAG_SELECTORS for a in soup.select(sel)]
    if not keywords and meta.get("keywords"):
        keywords = meta["keywords"].split(",")
    seen: dict[str, None] = {}
    for word in keywords or []:
        word = clean(str(word))
        if word and word not in seen:
            seen[word] = None
    return tuple(seen)


# --- visible page ---------------------------------------------------------------------------------

def _first_h1(soup: BeautifulSoup) -> str | None:
    for h1 in soup.find_all("h1"):
        text = clean(h1.get_text(" "))
        if text:
            return text
    return None


def _breadcrumb_section(soup: BeautifulSoup, title: str | None) -> str | None:
    for selector in BREADCRUMB_SELECTORS:
        items = [clean(a.get_text(" ")) for a in soup.select(selector)]
        items = [i for i in items if i and i != title and i.lower() not in ("trang chủ", "home")]
        if items:
            return items[-1]
    return None


def _visible_date(soup: BeautifulSoup) -> str | None:
    for selector in DATE_SELECTORS:
        for el in soup.select(selector):
            text = el.get("datetime") or el.get("content") or el.get_text(" ")
            text = clean(text)
            if re.search(r"\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}", text):
                return text
    return None


def _article_container(soup: BeautifulSoup) -> Tag | None:
    """The element that holds the article text: a known CMS container, else the densest block."""
    for selector in BODY_SELECTORS:
        found = soup.select_one(selector)
        if found is not None and len(found.get_text(" ", strip=True)) >= MIN_CONTAINER_TEXT:
            return found
    body = soup.body or soup
    scores: dict[int, tuple[Tag, float]] = {}
    for p in body.find_all("p"):
        if _is_junk(p):
            continue
        length = len(p.get_text(" ", strip=True))
        if length < 25:
            continue
        for parent, weight in ((p.parent, 1.0), (p.parent.parent if p.parent else None, 0.5)):
            if isinstance(parent, Tag) and parent.name not in ("html", "[document]"):
                tag, score = scores.get(id(parent), (parent, 0.0))
                scores[id(parent)] = (tag, score + length * weight)
    if not scores:
        article = soup.find("article")
        return article if article is not None else None
    return max(scores.values(), key=lambda pair: pair[1])[0]


def _is_junk(el: Tag) -> bool:
    for node in [el, *el.parents]:
        if not isinstance(node, Tag) or node.name in ("body", "html"):
            return False
        if node.name in JUNK_TAGS:
            return True
        words = " ".join([*(node.get("class") or []), node.get("id") or ""])
        if words and JUNK_WORDS.search(words):
            return True
    return False


def _lead_element(soup: BeautifulSoup, container: Tag | None) -> Tag | None:
    for selector in LEAD_SELECTORS:
        for el in soup.select(selector):
            if el.name in ("meta", "html", "body") or _is_junk(el):
                continue
            if container is not None and el is not container and container in el.parents:
                continue  # a lead block wrapping the whole article is a layout box, not the lead
            if clean(el.get_text(" ")):
                return el
    return None


def _read_body(container: Tag) -> tuple[list[str], list[str], str | None]:
    """Paragraphs, captions and byline of the container, in document order."""
    for junk in container.find_all(JUNK_TAGS):
        junk.decompose()
    for el in list(container.find_all(True)):
        if el.decomposed:
            continue
        words = " ".join([*(el.get("class") or []), el.get("id") or ""])
        if words and JUNK_WORDS.search(words):
            el.decompose()

    byline: str | None = None
    for selector in BYLINE_SELECTORS:
        el = container.select_one(selector)
        if el is not None and clean(el.get_text(" ")):
            byline = clean(el.get_text(" "))
            el.decompose()
            break

    paragraphs: list[str] = []
    captions: list[str] = []
    for block in _blocks(container):
        if block.name in ("figure", "table"):
            caption = _figure_caption(block)
            if caption:
                captions.append(caption)
            if block.name == "figure" or block.find("img") is not None:
                continue
        if block.name == "p" and block.get("class") and CAPTION_CLASSES.search(" ".join(block["class"])):
            captions.append(clean(block.get_text(" ")))
            continue
        text = clean(block.get_text(" "))
        if not text or text.lower() in BOILERPLATE:
            continue
        if PHOTO_CREDIT.match(text) and len(text) < 200:
            captions.append(text)
            continue
        paragraphs.append(text)

    if byline is None and paragraphs and looks_like_byline(paragraphs[-1]):
        byline = paragraphs.pop()
    return paragraphs, captions, byline


def _blocks(node: Tag) -> Iterator[Tag]:
    """Text blocks in order; a figure or image table is one block, text-only divs count as paragraphs."""
    for child in node.children:
        if not isinstance(child, Tag):
            continue
        if child.name in BLOCKS or child.name == "div" and child.find(["div", *BLOCKS]) is None:
            yield child
        else:
            yield from _blocks(child)


def _figure_caption(block: Tag) -> str | None:
    if block.name == "figure":
        cap = block.find("figcaption")
        return clean(cap.get_text(" ")) if cap else None
    if block.find("img") is None:
        return None
    cells = [clean(td.get_text(" ")) for td in block.find_all(["td", "th"])]
    text = " ".join(c for c in cells if c)
    return text or None
