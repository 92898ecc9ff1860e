"""One parsed page and the read-only views the extractor asks of it.

The page's text (decoded by ``tasks.fetch.decode``; nothing here reads bytes) is parsed once with
lxml's HTML parser, comments dropped. :class:`Page` holds the head's
metadata (meta keys in one spelling), the JSON-LD nodes, a class/id/attribute index for the
simple selectors the cascade asks dozens of times (XPath over a whole page costs ~1 ms each),
document order, and the visible date, byline and headline. Nothing here decides a field.
"""

from __future__ import annotations

import re
import threading
from functools import cache
from urllib.parse import urljoin

import lxml.html
from cssselect import GenericTranslator, SelectorError
from lxml import etree

from tasks.dates import has_time
from tasks.errors import ExtractError
from tasks.extract.furniture import DATE_JUNK_WORDS, in_junk
from tasks.extract.jsonld import ld_article, ld_nodes, ld_text, ld_types
from tasks.extract.titles import contains_title, norm_title, same_title
from tasks.text import clean

DATE_SELECTORS = (
    "time[datetime]", "[itemprop=datePublished]", ".date", ".time", ".publish-date", ".published", ".post-date",
    ".article-date", ".detail-time", ".date-time", ".news-date", ".datetime", ".article__date", ".timestamp",
)
# A class or id token that names a printed date (``spanTime``, ``lblCreateDate``, ``post-date``).
DATE_NAME = re.compile(r"date|time", re.IGNORECASE)
BYLINE_SELECTORS = (".author", ".byline", ".author_mail", ".article-author", "[rel=author]", ".tacgia",
                    "[itemprop=author]", ".author-name", ".article__author", ".byline__name")
# Author archive paths (WordPress ``/author/slug/``, ``/autoren/name/…``, ``/auteur/…``, ``/journalist/…``).
AUTHOR_PAGE = re.compile(r"/(?:authors?|autor(?:en|es|in)?|auteurs?|autori|journalists?|journalisten|forfatter)/", re.I)
AUTHOR_FIELD_LABELS = frozenset({"author", "authors", "autor", "autorin", "autoren", "autorin/autor", "autor/in",
                                 "auteur", "auteurs", "autor(a)", "autores", "forfatter", "författare", "tác giả"})
AUTHOR_LINK_REACH = 150  # elements after the headline within which a byline links to its author pages
AUTHOR_NODES_REACH = 30  # elements after a byline's first name within which its other names stand
TAG_SELECTORS = (".tags a", ".tag-list a", ".keywords a", ".article-tags a", "[rel=tag]")
BREADCRUMB_SELECTORS = (".breadcrumb a", ".breadcrumbs a", "[itemtype$=BreadcrumbList] a")

LEAF_BLOCKS = frozenset({"p", "h2", "h3", "h4", "h5", "h6", "pre", "blockquote", "dd", "dt"})
CONTAINERS = frozenset({"div", "section", "article", "main", "center", "td", "th", "ul", "ol", "li",
                        "dl", "tbody", "tr", "table", "address"})
BLOCK_TAGS = LEAF_BLOCKS | CONTAINERS | frozenset({"figure", "br", "hr", "h1", "figcaption", "header", "footer"})


_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")
# One parser per thread: a parser serves one parse at a time and its string dictionary belongs to the
# thread that made it. One shared by every fetch thread serialised their parsing and was seen to crash
# the process (``free(): invalid pointer``); tests/unit/test_concurrent_extraction.py reads pages on 8.
_PARSERS = threading.local()


def _parser() -> lxml.html.HTMLParser:
    parser = getattr(_PARSERS, "parser", None)
    if parser is None:
        # Comments and processing instructions are not text; the fallback extractor loses paragraphs around them.
        # huge_tree: libxml2 stops nesting at 256 elements otherwise and drops the rest of the page without an
        # error (a page of unclosed <div>s lost its last paragraphs and byline); with it the limit is 2,048.
        parser = lxml.html.HTMLParser(remove_comments=True, remove_pis=True, collect_ids=False, huge_tree=True)
        # lxml.html picks each element's class in Python (form controls get classes of their own), a call per
        # element every time the tree is walked; one HtmlElement class for all, chosen in C, walks ~10 % faster.
        parser.set_element_class_lookup(etree.ElementDefaultClassLookup(
            element=lxml.html.HtmlElement, comment=lxml.html.HtmlComment, pi=lxml.html.HtmlProcessingInstruction,
            entity=lxml.html.HtmlEntity))
        _PARSERS.parser = parser
    return parser


def parse_html(text: str) -> lxml.html.HtmlElement:
    """One lxml tree of the page's text (decoded by ``tasks.fetch.decode``, the one decoder every path uses)."""
    text = _XML_DECL.sub("", text)
    if not text.strip():
        raise ExtractError("empty", "empty document")
    parser = _parser()
    try:
        root = lxml.html.document_fromstring(text, parser=parser)
    except (etree.ParserError, ValueError) as exc:
        raise ExtractError("parse_error", f"not an HTML document: {exc}") from None
    cut = parse_cut_short(parser)
    if cut:
        raise ExtractError("parse_error", cut)
    if root is None or not len(root):
        raise ExtractError("empty", "empty document")
    return root


def parse_cut_short(parser: etree._FeedParser) -> str | None:
    """Why the last parse by ``parser`` stopped before the end of the document, or None when it read it all.

    libxml2 gives up at a resource limit (elements nested deeper than 2,048 even with ``huge_tree``) with a
    fatal error it only logs, and lxml returns the tree built so far: the rest of the page would be lost
    without a word. So it is a reject that says why, never a record with the page's first part only.
    """
    for entry in parser.error_log:
        if entry.type == etree.ErrorTypes.ERR_RESOURCE_LIMIT:
            return (f"document cut short by the HTML parser at line {entry.line} ({entry.message.split(',')[0]}): "
                    "elements nested deeper than it reads; the text after that point would be lost")
    return None


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

class Page:
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
            key = meta_key(key)
            content = clean(tag.get("content"))
            if key and content:
                self.meta.setdefault(key, content)
                self._meta_lists.setdefault(key, []).append(content)
        self.ld_nodes = list(ld_nodes(root))
        self.ld_article = ld_article(self.ld_nodes)
        self.ld_site_name = next((ld_text(n.get("name")) for n in self.ld_nodes
                                  if ld_types(n) & {"website", "newsmediaorganization", "organization"}), None)
        self._visible_date: list[str] | bool = False
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
        want = norm_title(text)[:60]
        for el in self.root.iter("p"):
            raw = el.text_content()
            if len(raw) < 3000 and norm_title(raw[:300]).startswith(want[:20]) \
                    and norm_title(text_of(el)).startswith(want):
                return el
        return None

    def element_printing(self, line: str) -> etree._Element | None:
        """The innermost paragraph or block that prints a short line (a signature), or None: a ``<p>``
        as :meth:`element_with_text` finds it, else a ``<div>`` whose text is the line and little more."""
        found = self.element_with_text(line)
        if found is not None:
            return found
        want = norm_title(line)
        if not want:
            return None
        best = None
        for el in self.root.iter("div"):
            raw = el.text_content()
            if len(raw) < len(line) + 200 and norm_title(text_of(el)).startswith(want) \
                    and len(text_of(el)) <= len(line) + 40:
                best = el  # document order: a later match is nested deeper (or a later copy)
        return best

    def main_h1(self, title: str | None) -> etree._Element | None:
        """The ``<h1>`` that carries the headline (another h1 may hold the logo)."""
        first = None
        for h1 in self.root.iter("h1"):
            text = text_of(h1)
            if not text:
                continue
            if title and (same_title(text, title) or contains_title(text, title) or contains_title(title, text)):
                return h1
            first = first if first is not None else h1
        if first is None and title:  # a page that styles its headline as h2/h3 or a div
            for node in self.root.iter("h2", "h3", "header", "div", "span"):
                text = node.text_content()
                if len(text) < 3 * len(title) + 40 and same_title(text_of(node), title):
                    return node
        return first

    def _index(self) -> None:
        """Class, id and attribute lookups built in one walk: generic selectors over a whole page
        as XPath cost ~1 ms each, and the cascade asks dozens."""
        self._by_class: dict[str, list] = {}
        self._by_id: dict[str, list] = {}
        self._by_attr: dict[str, list] = {attr: _HAVING[attr](self.root) for attr in INDEXED_ATTRIBUTES}
        for el in _HAVING["class"](self.root):  # XPath finds the few elements that have one, in C
            for word in el.get("class").split():
                self._by_class.setdefault(word, []).append(el)
        for el in _HAVING["id"](self.root):
            self._by_id.setdefault(el.get("id"), []).append(el)

    def with_class_matching(self, pattern: re.Pattern) -> list[etree._Element]:
        """Elements with a class token that ``pattern`` finds, in document order."""
        if not hasattr(self, "_by_class"):
            self._index()
        found = {el for word, els in self._by_class.items() if pattern.search(word) for el in els}
        order = self.order()
        return sorted(found, key=lambda el: order.get(el, -1))

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
        for key in map(meta_key, keys):
            for value in self._meta_lists.get(key, []):
                if re.search(r"@|https?://|www\.|\b[\w-]+\.[a-z]{2,6}\b", value):
                    continue  # an address, profile link or domain (``hessenschau.de, Frankfurt``): try the next key
                for name in re.split(r"\s*[,;]\s*|\s+(?:and|und|et|y|og|och|i|e)\s+", value):
                    if name and name not in values:
                        values.append(name)
            if values:
                return values
        return values

    def labelled_meta(self, labels: frozenset[str]) -> list[str]:
        """The value of a ``twitter:labelN``/``twitter:dataN`` pair whose label is one of ``labels``
        (SEO plugins print the author that way, ``Written by`` / ``Verfasst von``, beside an author
        tag that may hold an address)."""
        for n in range(1, 5):
            if self.meta.get(f"twitterlabel{n}", "").strip().lower() in labels and self.meta.get(f"twitterdata{n}"):
                return [self.meta[f"twitterdata{n}"]]
        return []

    def link_rel(self, rel: str) -> str | None:
        for link in self.root.iter("link"):
            if rel in (link.get("rel") or "").lower().split() and link.get("href"):
                return link.get("href").strip()
        return None

    def title_tag(self) -> str | None:
        node = self.root.find(".//title")
        return text_of(node) if node is not None else None

    def h1_texts(self) -> list[str]:
        """The printed headlines: each ``<h1>`` outside page furniture, then the heading that leads an
        ``<hgroup>`` (a layout that keeps its ``<h1>`` for the breadcrumb prints the headline there)."""
        h1s = [t for t in (text_of(h) for h in self.root.iter("h1") if not in_junk(h)) if t]
        for group in self.root.iter("hgroup"):
            heading = next((h for h in group.iter("h1", "h2", "h3") if not in_junk(h)), None)
            text = text_of(heading) if heading is not None else None
            if text and text not in h1s:
                h1s.append(text)
        return h1s

    def h1_kickers(self) -> list[tuple[str, str]]:
        """``(kicker, headline)`` of each ``<h1>`` that prints a kicker in an element of its own first
        (``<h1><span>Nationale Demo</span>Der 9. Juli naht …</h1>``): ``text_of`` glues the two into one
        string that no metadata title equals, and metadata may carry another kicker or none."""
        out = []
        for h1 in self.root.iter("h1"):
            children = [c for c in h1 if isinstance(c.tag, str)]
            if (h1.text or "").strip() or not children or in_junk(h1):
                continue
            kicker = text_of(children[0])
            rest = clean(" ".join([children[0].tail or "", *(text_of(c) + " " + (c.tail or "") for c in children[1:])]))
            rest = rest.lstrip(" |–—-:·•/")
            if kicker and len(kicker.split()) <= 8 and len(rest.split()) >= 3:
                out.append((kicker, rest))
        return out

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
                if position < start - 100 or in_junk(node):
                    continue
                text = text_of(node)
                if 3 <= len(text) <= 100:
                    return [text, *self._next_author_nodes(selector, node, text)]
        return self.author_links(start) or self.labelled_author()

    def _next_author_nodes(self, selector: str, first: etree._Element, text: str) -> list[str]:
        """The other names of a byline that prints one element per author (``<a rel=author>`` twice)."""
        order = self.order()
        names = [text]
        for node in self.select(selector):
            if 0 < order.get(node, -1) - order[first] <= AUTHOR_NODES_REACH and not in_junk(node):
                other = text_of(node)
                if 3 <= len(other) <= 100 and not any(other in n or n in other for n in names):
                    names.append(other)
        return names[1:]

    def labelled_author(self) -> list[str]:
        """A name printed after an "Author" field label (``<li><strong>Autorin/Autor</strong> Jane Doe</li>``),
        the fact list some sites print beside the text instead of a byline."""
        for label in self.root.iter("strong", "b", "dt", "th", "label"):
            if clean(label.text_content()).rstrip(":").casefold() not in AUTHOR_FIELD_LABELS or in_junk(label):
                continue
            value = clean(label.tail)
            if not value and label.getnext() is not None and label.getnext().tag in ("dd", "td", "span", "a"):
                value = text_of(label.getnext())
            if 3 <= len(value) <= 80 and len(value.split()) <= 8:
                return [value]
        return []

    def author_links(self, start: int) -> list[str]:
        """Names linked to their author pages (``/author/jane-doe``) around the headline, before the text
        begins (an author link further down belongs to a related story or a bio box)."""
        names: list[str] = []
        for a in self.elements()[max(0, start - 50): start + AUTHOR_LINK_REACH]:
            if a.tag == "p" and len(a.text_content()) > 150:
                break
            if a.tag != "a" or not AUTHOR_PAGE.search(a.get("href") or "") or in_junk(a):
                continue
            text = text_of(a)
            if 3 <= len(text) <= 60 and len(text.split()) <= 5 and text not in names:
                names.append(text)
        return names

    def visible_date(self) -> str | None:
        """The first printed date (with digits) in a date-like element; time elements' datetime first."""
        dates = self.printed_dates()
        return dates[0] if dates else None

    def printed_dates(self) -> list[str]:
        """Every printed date of the page, best first: the usual date elements in the order of
        ``DATE_SELECTORS``, then any element whose class or id names a date or time (``spanTime``,
        ``lblCreateDate``), in document order. A date inside a link that says more than the date
        belongs to a listed story (a "latest news" ticker), not to this article, and is left out."""
        if self._visible_date is not False:
            return self._visible_date  # type: ignore[return-value]
        if not hasattr(self, "_by_class"):
            self._index()
        named = {el for key, els in self._by_id.items() if DATE_NAME.search(key) for el in els}
        named.update(self.with_class_matching(DATE_NAME))
        order = self.order()
        nodes = [node for selector in DATE_SELECTORS for node in self.select(selector)]
        nodes += sorted(named, key=lambda el: order.get(el, -1))
        found: list[str] = []
        for node in nodes:
            value = clean(node.get("datetime") or node.get("content") or text_of(node))
            # The length first: DATE_LIKE's letter runs are quadratic on a long run of letters.
            if len(value) >= 120 or value in found or not DATE_LIKE.search(value) or in_junk(node, DATE_JUNK_WORDS):
                continue
            link = next(node.iterancestors("a"), None) if node.tag != "a" else node
            if link is not None and len(text_of(link)) > len(value) + 20:
                continue
            found.append(value)
            parent = node.getparent()
            if not has_time(value) and parent is not None and parent.tag not in ("head", "body"):
                # a machine-readable date of the day alone inside the printed line that gives the time;
                # a line of few words beside the numbers ("Thứ Ba, 25/12/2012 - 10:03"), not a video's
                # "22.04.2024. 00:21 Min. Verfügbar bis ..."
                around = text_of(parent)[:400]  # a printed date line is short; bound the patterns below
                words = len(re.sub(r"[\d\W]+", "", around))
                if words <= 12 and has_time(around) and around not in found:
                    found.append(around)
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
_HAVING = {attr: etree.XPath(f"descendant-or-self::*[@{attr}]") for attr in (*INDEXED_ATTRIBUTES, "class", "id")}
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


DATE_LIKE = re.compile(r"\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}|\d{4}-\d{2}-\d{2}"
                        r"|\d{1,2}\.?\s+[^\W\d]{3,}\.?,?\s+\d{4}|[^\W\d]{3,}\.?\s+\d{1,2},?\s+\d{4}"
                        r"|\d{1,2}\s+tháng\s+\d{1,2}\D{1,6}\d{4}"  # "7 tháng 3 năm 2026"
                        r"|\d{1,2}\s+de\s+[^\W\d]{3,}\s+(?:de\s+|del\s+)?\d{4}"  # "7 de marzo de 2026"
                        r"|\d{4}\s*[年년]\s*\d{1,2}\s*[月월]", re.IGNORECASE)  # "2026年3月7日"


def meta_key(key: str) -> str:
    """One spelling for meta names: ``article:published:time``, ``article_published_time`` -> the same key."""
    return re.sub(r"[^a-z0-9]", "", key.strip().lower())


def same_day(a: str, b: str, order: str = "dmy") -> bool:
    from tasks.dates import parse_date, utc

    first, second = parse_date(a, utc, order), parse_date(b, utc, order)
    return bool(first and second and first.date() == second.date())


def first_meta(meta: dict[str, str], *keys: str) -> str | None:
    return next((meta[meta_key(k)] for k in keys if meta.get(meta_key(k))), None)


def remove_keeping_tail(el: etree._Element | None) -> None:
    """Remove an element and its subtree; the text after it (its tail) belongs to the parent and stays."""
    if el is None:
        return
    parent = el.getparent()
    if parent is None:
        return
    if el.tail:
        previous = el.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)
