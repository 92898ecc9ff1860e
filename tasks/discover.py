"""Turn a source's feeds, sitemaps and listing pages into the article URLs to fetch.

Feeds (RSS 0.9x-2.0, Atom) are read with feedparser, sitemaps (urlset, sitemap
index, Google News) with ultimate-sitemap-parser, and section (listing) pages with
``tasks.extract.links.extract_links`` (their headlines become title hints); all get their
bytes from ``tasks.fetch.client``. Only URLs on the source's own host are kept, and URLs that
normalise to the same form are one entry, keeping the first listing's hints and
filling gaps from later ones. A listing that cannot be fetched or parsed becomes
a ``discover`` reject; the other listings of the source still count.

Feeds and sitemaps are fetched conditionally with the validators of their last
complete reading: a 304 costs no parsing (a sitemap index that answers 304 has its
stored children read again). A source that lists neither sitemaps nor listing pages
uses the ``Sitemap:`` lines of its robots.txt. An index's children are fetched and parsed
a few at a time, within the host's pacing, and used in the index's order.

``newsetl sources add`` and ``sources check`` read a site's listings with the same readers
(:func:`check_listing`, :func:`robots_sitemaps`).
"""

from __future__ import annotations

import gzip
import io
import logging
import re
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Literal

import feedparser
from lxml import etree
from usp.objects.sitemap import AbstractIndexSitemap, AbstractSitemap, InvalidSitemap
from usp.tree import sitemap_from_str

from tasks.config import Source
from tasks.dates import parse_date
from tasks.errors import DecodeError, ExtractError, FetchError, ListingError
from tasks.extract.links import extract_links
from tasks.fetch.client import Fetcher
from tasks.fetch.decode import decode_html
from tasks.records import DiscoveredUrl, FetchedPage, Reject, Validators
from tasks.text import clean
from tasks.urls import MAX_URL_LENGTH, NO_RULES, UrlRules, checked_url, listing_page_url, normalise_url

log = logging.getLogger(__name__)
logging.getLogger("usp").setLevel(logging.CRITICAL)  # it logs every parse at INFO and ERROR; we report our own

MAX_SITEMAP_DEPTH = 3  # index -> index -> urlset is as deep as news sites go
MAX_SITEMAP_BYTES = 50_000_000  # the sitemaps.org limit for one uncompressed file, whatever the encoding
# Child sitemaps read from one index, in its order; the rest are one reject naming the cap. An index
# may list 50,000, each a request at the host's pace: 500 children at 1 s were 8 minutes of a run.
MAX_SITEMAP_CHILDREN = 100
# Children of an index fetched at once (never more than the source's max_connections): their requests still keep
# the host's spacing, so this overlaps each child's latency and parsing with the wait for the next start.
MAX_SITEMAP_WORKERS = 4


@dataclass
class Discovery:
    """What one source's listings gave: URLs in listing order, and what failed."""

    source: str
    urls: list[DiscoveredUrl] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    offsite: int = 0  # URLs on other hosts, left out
    listings_ok: int = 0
    not_modified: int = 0  # listings that answered 304: unchanged since their last complete reading
    # Feeds and sitemaps read in full this time, with their validators and (sitemap index) children, and the
    # article URLs each one listed: their validators are stored only once all those URLs are held.
    fresh: dict[str, tuple[Validators, tuple[str, ...]]] = field(default_factory=dict)
    listed: dict[str, set[str]] = field(default_factory=dict)
    _index: dict[str, int] = field(default_factory=dict, repr=False)  # normalised URL -> position in urls
    rules: UrlRules = NO_RULES  # the source's URL identity: its mobile/AMP variants are one URL

    def usable(self, url: str, via: str) -> str | None:
        """``url``'s key, or None when it cannot be one (malformed, too long): then a reject of that URL alone."""
        try:
            return checked_url(url, self.rules)
        except ValueError as exc:
            self.rejects.append(Reject(self.source, url[:MAX_URL_LENGTH], "discover", "invalid_request",
                                       f"{exc} (listed in {via})"))
            return None

    def add(self, item: DiscoveredUrl) -> bool:
        """Keep ``item``, or fill an earlier entry's gaps with its hints; False when its URL is a reject."""
        key = self.usable(item.url, item.via)
        if key is None:
            return False
        if key in self._index:
            i = self._index[key]
            old = self.urls[i]
            self.urls[i] = replace(old, title_hint=old.title_hint or item.title_hint,
                                   published_hint=old.published_hint or item.published_hint)
            return True
        self._index[key] = len(self.urls)
        self.urls.append(replace(item, url=key))
        return True


def discover_source(source: Source, fetcher: Fetcher | None = None,
                    known: dict[str, tuple[Validators, tuple[str, ...]]] | None = None) -> Discovery:
    """Read every feed, sitemap and listing page of ``source``; never raises for a bad listing.

    ``known`` holds the validators (and sitemap-index children) of earlier complete readings.
    """
    result = Discovery(source.name, rules=source.url_rules)
    own = fetcher or Fetcher(source=source)
    known = known or {}
    try:
        for feed_url in source.feeds:
            _read_listing(result, source, feed_url, own, _parse_feed, known)
        # A source that names section pages chose its discovery; one with only feeds gets robots.txt's sitemaps.
        robots_sitemaps = [] if source.sitemaps or source.listings else _robots_sitemaps(result, source, own)
        for sitemap_url in source.sitemaps or robots_sitemaps:
            _read_sitemap(result, source, sitemap_url, own, depth=0, seen=set(), known=known)
        for listing_url in source.listings:
            _read_section(result, source, listing_url, own)
    finally:
        if fetcher is None:
            own.close()
    if result.offsite:
        log.info("%s: left out %d URLs on other hosts", source.name, result.offsite)
    return result


def _robots_sitemaps(result: Discovery, source: Source, fetcher: Fetcher) -> list[str]:
    """The ``Sitemap:`` lines of the homepage host's robots.txt, for a source that names no sitemaps."""
    kept, offsite = robots_sitemaps(source, fetcher)
    result.offsite += offsite
    if kept:
        log.info("%s: no sitemaps configured; using %d from robots.txt", source.name, len(kept))
    return kept


def robots_sitemaps(source: Source, fetcher: Fetcher) -> tuple[list[str], int]:
    """The ``Sitemap:`` lines of the homepage host's robots.txt on the source's hosts, and how many were not."""
    rules = fetcher.robots_rules(source.homepage)
    found = rules.sitemaps() if rules is not None else []
    kept = [url for url in found if _owned(source, url)]
    return kept, len(found) - len(kept)


ListingKind = Literal["feed", "sitemap", "listing"]


@dataclass
class ListingCheck:
    """One feed, sitemap or listing page read on its own, as discovery reads it (``newsetl sources``)."""

    kind: ListingKind
    url: str
    urls: list[DiscoveredUrl]
    rejects: list[Reject]
    offsite: int = 0

    @property
    def works(self) -> bool:
        """It answered, parsed, and listed at least one article URL on the source's hosts."""
        return bool(self.urls)

    @property
    def verdict(self) -> str:
        """One line for a person: how many article URLs, or why none."""
        if self.works:
            extra = f"; {len(self.rejects)} rejects (first: {self.rejects[0].detail})" if self.rejects else ""
            return f"{len(self.urls)} article URLs{extra}"
        if self.rejects:
            first = self.rejects[0]
            return f"{first.code}: {first.detail}"
        return f"no article URLs on the site's hosts ({self.offsite} elsewhere)" if self.offsite else "no article URLs"


def check_listing(source: Source, kind: ListingKind, url: str, fetcher: Fetcher) -> ListingCheck:
    """Read one feed, sitemap (with its children) or listing page of ``source`` the way a run does, alone.

    No validators are sent: the answer is what the site serves now, whatever a run stored.
    """
    result = Discovery(source.name, rules=source.url_rules)
    if kind == "feed":
        _read_listing(result, source, url, fetcher, _parse_feed, None)
    elif kind == "sitemap":
        _read_sitemap(result, source, url, fetcher, depth=0, seen=set(), known={})
    else:
        _read_section(result, source, url, fetcher)
    return ListingCheck(kind, url, result.urls, result.rejects, result.offsite)


def _read_listing(result: Discovery, source: Source, url: str, fetcher: Fetcher, parse,
                  known: dict | None) -> bytes | None:
    page = _fetch_listing(result, source, url, fetcher, known)
    if page is None:
        return None
    body = page.body
    try:
        items = parse(body, source, url)
    except ListingError as exc:
        result.rejects.append(Reject(source.name, url, "discover", exc.code, exc.detail))
        result.fresh.pop(url, None)
        return None
    result.listings_ok += 1
    _keep(result, source, items, url)
    return body


def _fetch_listing(result: Discovery, source: Source, url: str, fetcher: Fetcher,
                   known: dict | None = None, max_bytes: int | None = None) -> FetchedPage | None:
    """The listing page; None when it failed (a reject) or answered 304 (counted, nothing to parse).

    ``max_bytes``: the listing's own body limit instead of the page limit (sitemaps: the protocol's).
    """
    previous = (known or {}).get(url)
    try:
        page = fetcher.fetch(url, validators=previous[0] if previous else None, max_bytes=max_bytes)
    except FetchError as exc:
        result.rejects.append(Reject(source.name, url, "discover", exc.code, exc.detail, exc.status))
        return None
    if page.status == 304:
        result.not_modified += 1
        result.listings_ok += 1
        return None
    if page.status != 200:
        result.rejects.append(Reject(source.name, url, "discover", "http_status", f"HTTP {page.status}", page.status))
        return None
    if known is not None and page.validators is not None:
        result.fresh[url] = (page.validators, ())
    return page


def _keep(result: Discovery, source: Source, items: list[DiscoveredUrl], listing: str | None = None) -> None:
    listed = result.listed.setdefault(listing, set()) if listing else set()
    for item in items:
        if not _owned(source, item.url):
            result.offsite += 1
        elif result.add(item):
            listed.add(normalise_url(item.url))


def _owned(source: Source, url: str) -> bool:
    """True for URLs on the source's hosts, and for malformed ones, which ``Discovery.usable`` rejects."""
    try:
        return source.owns(url)
    except ValueError:
        return True


# A numeric character reference, decimal or hex. One to a code point XML forbids (a lone
# surrogate such as &#xD800;, NUL, beyond U+10FFFF) makes expat refuse the whole feed and
# feedparser's fallback raise, and lxml refuse a whole sitemap: so it becomes U+FFFD first,
# and only the entry holding it is affected.
_CHAR_REF = re.compile(rb"&#(?:[xX]([0-9a-fA-F]{1,16})|([0-9]{1,20}));")


def _xml_char_refs_only(body: bytes) -> bytes:
    """``body`` with every character reference to a code point XML forbids replaced by ``&#xFFFD;``."""
    def fixed(match: re.Match) -> bytes:
        hex_digits, decimal = match.groups()
        point = int(hex_digits, 16) if hex_digits else int(decimal)
        allowed = point in (0x9, 0xA, 0xD) or 0x20 <= point <= 0xD7FF or 0xE000 <= point <= 0xFFFD \
            or 0x10000 <= point <= 0x10FFFF
        return match.group(0) if allowed else b"&#xFFFD;"
    return _CHAR_REF.sub(fixed, body) if b"&#" in body else body


def _parse_feed(body: bytes, source: Source, url: str) -> list[DiscoveredUrl]:
    parsed = feedparser.parse(_xml_char_refs_only(body), sanitize_html=False)
    if not parsed.version and not parsed.entries:
        raise ListingError("not_feed", "not an RSS or Atom feed")
    items = []
    for entry in parsed.entries:
        link = entry.get("link")
        if not link:
            continue
        raw_date = entry.get("published") or entry.get("updated")
        items.append(DiscoveredUrl(
            url=link, source=source.name, via=url,
            title_hint=clean(entry.get("title")) or None,
            published_hint=parse_date(raw_date, source.tz, source.date_order),
        ))
    if parsed.bozo and not items:
        raise ListingError("parse_error", f"malformed feed: {parsed.get('bozo_exception', 'unreadable')}")
    if parsed.bozo:
        log.warning("%s: feed %s is malformed (%s); kept its %d readable links",
                    source.name, url, parsed.get("bozo_exception"), len(items))
    return items


def _read_sitemap(result: Discovery, source: Source, url: str, fetcher: Fetcher, depth: int, seen: set[str],
                  known: dict) -> None:
    """Read one sitemap and, when it is an index, every child under it (see ``_read_children``)."""
    _read_children(result, source, [url], fetcher, depth, seen, known)


def _claim(result: Discovery, source: Source, url: str, seen: set[str]) -> bool:
    """True the first time ``url`` comes up in one sitemap tree; again, it is a loop (a reject)."""
    key = normalise_url(url)
    if key in seen:
        result.rejects.append(Reject(source.name, url, "discover", "sitemap_loop",
                                     "sitemap index includes itself (loop)"))
        return False
    seen.add(key)
    return True


def _read_children(result: Discovery, source: Source, urls: list[str], fetcher: Fetcher, depth: int,
                   seen: set[str], known: dict) -> None:
    """Fetch and parse these sitemaps a few at a time, then use them one by one in their index's order.

    Each is fetched and parsed on a worker of a small pool, into a Discovery of its own (the
    shared one is only touched here, in order, so the URLs keep the index's order). The
    requests still go through the fetcher's host limiter: with ``min_interval`` 1 s, 100
    children take about 100 s whatever each one's latency and parsing, not 100 times their sum.
    At most ``2 * workers`` parsed children wait to be used, so memory stays bounded.
    """
    todo = [url for url in urls if _claim(result, source, url, seen)]
    if not todo:
        return
    workers = max(1, min(MAX_SITEMAP_WORKERS, source.max_connections, len(todo)))
    if workers == 1:  # one at a time: no pool to start
        for url in todo:
            _use_sitemap(result, source, url, _load_sitemap(result, source, url, fetcher, known), fetcher, depth,
                         seen, known)
        return
    with ThreadPoolExecutor(workers, thread_name_prefix=f"sitemaps-{source.name}") as pool:
        waiting: deque[tuple[str, Discovery, Future]] = deque()
        pending = iter(todo)
        while True:
            while len(waiting) < 2 * workers and (url := next(pending, None)) is not None:
                own = Discovery(source.name, rules=result.rules)
                waiting.append((url, own, pool.submit(_load_sitemap, own, source, url, fetcher, known)))
            if not waiting:
                return
            url, own, future = waiting.popleft()
            loaded = future.result()
            _merge(result, own)
            _use_sitemap(result, source, url, loaded, fetcher, depth, seen, known)


def _merge(result: Discovery, part: Discovery) -> None:
    """What a worker's reading of one sitemap counted, added to the source's."""
    result.rejects.extend(part.rejects)
    result.listings_ok += part.listings_ok
    result.not_modified += part.not_modified
    result.offsite += part.offsite
    result.fresh.update(part.fresh)


def _load_sitemap(result: Discovery, source: Source, url: str, fetcher: Fetcher,
                  known: dict) -> tuple[AbstractSitemap | None, bool]:
    """The sitemap at ``url`` parsed (None when it failed: a reject), and whether it answered 304."""
    unchanged_before = result.not_modified
    page = _fetch_listing(result, source, url, fetcher, known, max_bytes=MAX_SITEMAP_BYTES)
    if page is None:
        return None, result.not_modified > unchanged_before
    try:
        sitemap = _parse_sitemap(page.body)
    except ListingError as exc:
        result.rejects.append(Reject(source.name, url, "discover", exc.code, exc.detail))
        result.fresh.pop(url, None)
        return None, False
    result.listings_ok += 1
    return sitemap, False


def _use_sitemap(result: Discovery, source: Source, url: str, loaded: tuple[AbstractSitemap | None, bool],
                 fetcher: Fetcher, depth: int, seen: set[str], known: dict) -> None:
    """Keep a urlset's article URLs, or read an index's children (up to the cap; the rest is a reject)."""
    sitemap, unchanged = loaded
    if unchanged:  # 304: an index's children may have changed all the same
        _read_children(result, source, list(known.get(url, (None, ()))[1]), fetcher, depth + 1, seen, known)
        return
    if sitemap is None:
        return
    if isinstance(sitemap, AbstractIndexSitemap):
        children = []
        left_out = 0
        for child in sitemap.sub_sitemaps:
            if len(children) >= MAX_SITEMAP_CHILDREN:
                left_out += 1
            elif depth + 1 > MAX_SITEMAP_DEPTH:
                result.rejects.append(Reject(source.name, child.url, "discover", "sitemap_too_deep",
                                             f"sitemap nested deeper than {MAX_SITEMAP_DEPTH} levels"))
            elif not _owned(source, child.url):
                result.offsite += 1
            elif result.usable(child.url, url) is not None:
                children.append(child.url)
        _read_children(result, source, children, fetcher, depth + 1, seen, known)
        if left_out:
            result.rejects.append(Reject(source.name, url, "discover", "too_large",
                                         f"sitemap index lists {len(children) + left_out} child sitemaps; read the "
                                         f"first {MAX_SITEMAP_CHILDREN} (the cap), left out {left_out}"))
        if url in result.fresh:
            result.fresh[url] = (result.fresh[url][0], tuple(children))
        return
    items = []
    for page in sitemap.pages:
        story = page.news_story
        published = story.publish_date if story else None
        if published is not None and published.tzinfo is None:
            published = published.replace(tzinfo=source.tz)
        items.append(DiscoveredUrl(url=page.url, source=source.name, via=url,
                                   title_hint=clean(story.title) if story and story.title else None,
                                   published_hint=published))
    _keep(result, source, items, url)


def _parse_sitemap(body: bytes):
    if body[:2] == b"\x1f\x8b":
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(body)) as gz:
                body = gz.read(MAX_SITEMAP_BYTES + 1)
        except (OSError, EOFError) as exc:
            raise ListingError("bad_compression", f"broken gzip sitemap: {exc}") from None
        if len(body) > MAX_SITEMAP_BYTES:
            raise ListingError("too_large", f"sitemap larger than {MAX_SITEMAP_BYTES} bytes uncompressed")
    body = _xml_char_refs_only(body)
    try:
        root = etree.fromstring(body, parser=etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as exc:
        raise ListingError("parse_error", f"malformed sitemap XML: {exc}") from None
    tag = etree.QName(root).localname
    if tag not in ("urlset", "sitemapindex"):
        raise ListingError("not_sitemap", f"not a sitemap: root element is <{tag}>")
    sitemap = sitemap_from_str(body.decode("utf-8", errors="replace"))
    if isinstance(sitemap, InvalidSitemap):
        raise ListingError("parse_error", f"unreadable sitemap: {sitemap.reason}")
    return sitemap




def _read_section(result: Discovery, source: Source, url: str, fetcher: Fetcher) -> None:
    """Read pages 1..``source.pages`` of one section page; a page that fails ends the paging.

    A later page that is missing, has no article links, or only repeats earlier
    pages' links (a ``page_url`` the site ignores) is a reject naming that page, so
    a wrong pagination setting shows in ``news.rejects`` instead of passing silently.
    """
    seen: set[str] = set()
    for n in range(1, source.pages + 1):
        page_url = listing_page_url(url, n, source.page_url)
        page = _fetch_listing(result, source, page_url, fetcher)
        if page is None:
            return
        try:
            text, _ = decode_html(page.body, page.headers.get("content-type", ""))
        except DecodeError as exc:
            result.rejects.append(Reject(source.name, page_url, "discover", exc.code, exc.detail, page.status))
            return
        layout = source.profile.layout_at(page.fetched_at) if source.profile is not None else None
        try:
            links = extract_links(text, page.final_url or page_url, layout.article_urls if layout else None)
        except ExtractError as exc:
            result.rejects.append(Reject(source.name, page_url, "discover", exc.code, exc.detail, page.status))
            return
        if not links:
            result.rejects.append(Reject(source.name, page_url, "discover", "no_links",
                                         "listing page has no article links"))
            return
        keys = {normalise_url(link.url) for link in links}
        if n > 1 and keys <= seen:
            result.rejects.append(Reject(source.name, page_url, "discover", "repeated_page",
                                         f"listing page {n} repeats earlier pages' links (check 'page_url')"))
            return
        seen |= keys
        result.listings_ok += 1
        _keep(result, source, [DiscoveredUrl(url=link.url, source=source.name, via=page_url, title_hint=link.title)
                               for link in links])
