"""Onboarding and checking a site: ``newsetl sources add HOMEPAGE`` and ``newsetl sources check [NAME ...]``.

Interactive checks, not ingest runs: nothing is stored and no Prefect flow runs. Every
request goes through the fetcher a run uses (the source's scope, the host's pacing,
robots.txt obeyed); feeds, sitemaps and listing pages are read by discovery's own readers
(``tasks.discover.check_listing``), and the sampled articles by the one read chain
(``flows.read.read_fetched``), so what these commands report is what a run would get.

``add`` follows a homepage that redirects to another host once (the site moved) and then looks for the
site's listings in this order, cheapest and freshest first:

1. feeds the homepage and a few of its section pages announce (``<link rel="alternate">``),
   then the usual feed paths (``/rss``, ``/feed``, ``/rss.xml``, ``/feed.xml``), and when one of them
   answers with an HTML page, the feeds that page links to (a feed directory);
2. sitemaps: robots.txt's ``Sitemap:`` lines, then ``/sitemap.xml`` and ``/sitemap_index.xml``;
3. only when it found neither: the homepage's section pages, kept when they list articles.

Then it reads a few articles, reports per field how often it was filled and by which signal,
and renders the ``[[sources]]`` table, its guessed keys (language, time zone, date order)
each with a comment that says what the guess rests on.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo

from flows.read import HTML_TYPES, read_fetched
from tasks.config import NAME_PATTERN, Source
from tasks.dates import country_zone, has_offset, parse_date
from tasks.discover import ListingCheck, ListingKind, check_listing, robots_sitemaps
from tasks.errors import ConfigError, DecodeError, ExtractError, FetchError, RedirectedOffSite
from tasks.extract.links import directory_feeds, feed_links, section_links
from tasks.extract.page import parse_html
from tasks.fetch.client import Fetcher
from tasks.fetch.decode import decode_html
from tasks.normalise import language_code
from tasks.records import Article, DiscoveredUrl, Reject
from tasks.text import clean
from tasks.urls import site_host

FEED_PATHS = ("/rss", "/feed", "/rss.xml", "/feed.xml")  # where feeds usually are when no page announces one
SITEMAP_PATHS = ("/sitemap.xml", "/sitemap_index.xml")
SECTION_PAGES_FOR_FEEDS = 3  # section pages read for their <link rel="alternate">: a site may announce feeds there
MAX_DIRECTORY_FEEDS = 20  # feeds of an HTML feed directory checked; a site lists one per section, rarely more
MAX_LISTINGS = 5  # section pages tried as listings, for a site with no feed and no sitemap
DEFAULT_ARTICLES = 5  # articles sampled per site: enough to see which signals fill a field, few requests
# The fields reported, in the order a reader looks at them; provenance keys are the same names.
REPORTED_FIELDS = ("title", "authors", "published_at", "lead", "body", "section", "image_url", "language")
# A numeric date with its three parts, day and month in either order: ``07/03/2026``, ``7-3-2026``, ``3.7.2026``.
_NUMERIC_DATE = re.compile(r"\b(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\b")


@dataclass(frozen=True)
class Guess:
    """A setting read off the site: its value and what it rests on (printed as a comment beside it)."""

    value: str
    reason: str


@dataclass
class FieldFill:
    """How often one field was filled on the sampled articles, and by which signals."""

    name: str
    filled: int
    pages: int
    signals: Counter = field(default_factory=Counter)

    def signals_text(self) -> str:
        return ", ".join(f"{signal} {count}" for signal, count in self.signals.most_common()) or "-"


@dataclass
class SiteReport:
    """What ``sources add`` or ``sources check`` found for one site."""

    source: Source  # for ``add``: with the feeds, sitemaps or listings that work
    checks: list[ListingCheck] = field(default_factory=list)
    articles: list[Article] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)  # sampled pages that could not be read
    homepage_error: str | None = None
    homepage_lang: str | None = None
    moved_from: str | None = None  # the homepage asked for, when it redirected to another host (``source`` has the new)
    moved_to: str | None = None  # where the homepage redirected, off the source's hosts
    guesses: dict[str, Guess] = field(default_factory=dict)

    @property
    def working(self) -> list[ListingCheck]:
        return [c for c in self.checks if c.works]

    @property
    def failing(self) -> list[ListingCheck]:
        return [c for c in self.checks if not c.works]

    @property
    def sampled(self) -> int:
        return len(self.articles) + len(self.rejects)

    def fields(self) -> list[FieldFill]:
        return field_fills(self.articles)


def probe_site(homepage: str, *, name: str | None = None, allow_addresses: tuple[str, ...] = (),
               min_interval: float = Source.min_interval, max_connections: int = Source.max_connections,
               articles: int = DEFAULT_ARTICLES, fetcher: Fetcher | None = None,
               moved_from: str | None = None) -> SiteReport:
    """Find a site's feeds, sitemaps or section pages from its homepage, and sample its articles.

    A homepage that redirects to another host (a site that moved to a new domain) is probed once more at
    its new address, which the report then names as the homepage; one move only, so two sites redirecting
    to each other cannot loop."""
    homepage = _checked_homepage(homepage)
    source = Source(name=name or name_for(homepage), title="", homepage=homepage, allow_addresses=allow_addresses,
                    min_interval=min_interval, max_connections=max_connections)
    own = fetcher or Fetcher(source=source)
    try:
        report = SiteReport(source, moved_from=moved_from)
        text, final = _page_text(own, homepage, report)
        if text is None and report.moved_to and moved_from is None and fetcher is None:
            own.close()
            return probe_site(report.moved_to, name=name, allow_addresses=allow_addresses, min_interval=min_interval,
                              max_connections=max_connections, articles=articles, moved_from=homepage)
        sections: list[str] = []
        feeds: list[str] = []
        if text is not None:
            report.homepage_lang = _html_lang(text)
            title = _page_title(text)
            source = replace(source, title=title or source.name, name=name or name_for(homepage, title))
            feeds = _announced(text, final, feed_links)
            sections = _announced(text, final, section_links)
            for section in sections[:SECTION_PAGES_FOR_FEEDS]:
                section_text, section_url = _page_text(own, section, None)
                if section_text is not None:
                    feeds += _announced(section_text, section_url, feed_links)
        feeds += [urljoin(homepage, path) for path in FEED_PATHS]
        sitemaps = robots_sitemaps(source, own)[0] + [urljoin(homepage, path) for path in SITEMAP_PATHS]
        report.source = source
        report.checks += _check_all(source, "feed", feeds, own)
        report.checks += _check_all(source, "feed", _directory_feeds(report, homepage, own), own)
        report.checks += _check_all(source, "sitemap", sitemaps, own, skip_listed=True)
        found = {kind: tuple(c.url for c in report.working if c.kind == kind) for kind in ("feed", "sitemap")}
        if not found["feed"] and not found["sitemap"]:
            report.checks += _check_all(source, "listing", sections[:MAX_LISTINGS], own)
        listings = tuple(c.url for c in report.working if c.kind == "listing")
        report.source = replace(source, feeds=found["feed"], sitemaps=found["sitemap"], listings=listings)
        # The usual paths a site does not serve are not news; a feed it announces that fails, or a section, is.
        report.checks = [c for c in report.checks if c.works or not _is_guess(c, homepage)]
        _sample(report, own, articles)
        report.guesses = guess_settings(report)
        return report
    finally:
        if fetcher is None:
            own.close()


def check_source(source: Source, *, articles: int = DEFAULT_ARTICLES, fetcher: Fetcher | None = None) -> SiteReport:
    """Read each configured feed, sitemap and listing of ``source`` on its own, and sample its articles."""
    own = fetcher or Fetcher(source=source)
    try:
        report = SiteReport(source)
        for kind, urls in (("feed", source.feeds), ("sitemap", source.sitemaps), ("listing", source.listings)):
            report.checks += [check_listing(source, kind, url, own) for url in urls]
        if source.feeds and not source.sitemaps and not source.listings:  # a run reads robots.txt's sitemaps too
            report.checks += [check_listing(source, "sitemap", url, own) for url in robots_sitemaps(source, own)[0]]
        _sample(report, own, articles)
        report.guesses = guess_settings(report)
        return report
    finally:
        if fetcher is None:
            own.close()


def name_for(homepage: str, title: str = "") -> str:
    """A source name: the host's first label (``https://www.baocantho.com.vn/`` -> ``baocantho``), or for a
    host that is an address (or ``localhost``) the site's title folded to ASCII (``Báo Cần Thơ`` -> ``bao-can-tho``)."""
    host = urlsplit(homepage).hostname or ""
    numeric = re.fullmatch(r"[\d.]+|\[?[0-9a-f:]+\]?|localhost", host) is not None
    label = title if numeric and title else host.removeprefix("www.").split(".")[0]
    folded = unicodedata.normalize("NFKD", label.replace("đ", "d").replace("Đ", "D"))
    name = re.sub(r"[^a-z0-9_-]+", "-", folded.encode("ascii", "ignore").decode().lower()).strip("-_")[:63]
    return name if name and NAME_PATTERN.match(name) else "site"


def _checked_homepage(homepage: str) -> str:
    parts = urlsplit(homepage.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"HOMEPAGE must be an http(s) URL, not {homepage!r}")
    return parts._replace(path=parts.path or "/", fragment="").geturl()


def _page_text(fetcher: Fetcher, url: str, report: SiteReport | None) -> tuple[str | None, str]:
    """A page's text and final URL; None (and, for the homepage, the reason in ``report``) when unreadable."""
    try:
        page = fetcher.fetch(url)
        if page.status != 200:
            raise FetchError("http_status", f"HTTP {page.status}", page.status)
        if page.content_type not in HTML_TYPES:
            raise FetchError("not_html", f"not an HTML page: {page.content_type}")
        text, _ = decode_html(page.body, page.headers.get("content-type", ""))
    except (FetchError, DecodeError) as exc:
        if report is not None:
            report.homepage_error = f"{url}: {exc.detail}"
            if isinstance(exc, RedirectedOffSite):
                report.moved_to = exc.target
        return None, url
    return text, page.final_url or url


def _html_lang(text: str) -> str | None:
    """The homepage's ``<html lang>`` as written (``vi-VN``, ``en-US``), when it is a language tag."""
    try:
        root = parse_html(text)
    except ExtractError:
        return None
    lang = (root.get("lang") or root.get("xml:lang") or "").strip()
    return lang if language_code(lang) else None


def _page_title(text: str) -> str:
    """The homepage's ``<title>``, its first part when it has a tagline after a separator."""
    try:
        root = parse_html(text)
    except ExtractError:
        return ""
    title = clean(root.findtext(".//title") or "")
    return re.split(r"\s+[|–—-]\s+", title)[0] if title else ""


def _announced(text: str, url: str, read) -> list[str]:
    try:
        return read(text, url)
    except ExtractError:  # a page nested too deep to parse whole announces nothing we can trust
        return []


def _check_all(source: Source, kind: ListingKind, urls: list[str], fetcher: Fetcher, *,
               skip_listed: bool = False) -> list[ListingCheck]:
    """Each candidate once (by address); with ``skip_listed``, not one a working index already listed as a child."""
    checks: list[ListingCheck] = []
    seen: set[str] = set()
    for url in urls:
        key = url.rstrip("/")
        if key in seen or (skip_listed and any(key == u.via.rstrip("/") for c in checks for u in c.urls)):
            continue
        seen.add(key)
        checks.append(check_listing(source, kind, url, fetcher))
    return checks


def _directory_feeds(report: SiteReport, homepage: str, fetcher: Fetcher) -> list[str]:
    """The feeds listed by a usual feed path that answered with an HTML page instead (a directory of the
    site's section feeds, as ``/rss`` is on many news sites), not yet checked; at most ``MAX_DIRECTORY_FEEDS``."""
    found: list[str] = []
    checked = {c.url.rstrip("/") for c in report.checks}
    for check in report.checks:
        if check.kind != "feed" or check.works or not _is_guess(check, homepage) \
                or not any(r.code == "not_feed" for r in check.rejects):
            continue
        text, final = _page_text(fetcher, check.url, None)
        if text is not None:
            found += [u for u in _announced(text, final, directory_feeds) if u.rstrip("/") not in checked]
    return list(dict.fromkeys(found))[:MAX_DIRECTORY_FEEDS]


def _is_guess(check: ListingCheck, homepage: str) -> bool:
    """A usual feed or sitemap path tried on spec, not announced by the site (robots.txt, a page's link)."""
    paths = FEED_PATHS if check.kind == "feed" else SITEMAP_PATHS if check.kind == "sitemap" else ()
    return check.url in {urljoin(homepage, p) for p in paths}


def _sample(report: SiteReport, fetcher: Fetcher, count: int) -> None:
    """Fetch and read up to ``count`` articles, taken in turn from each working listing (one bad listing shows)."""
    for item in _round_robin([c.urls for c in report.working], count):
        try:
            page = fetcher.fetch(item.url)
        except FetchError as exc:
            report.rejects.append(Reject(report.source.name, item.url, "fetch", exc.code, exc.detail, exc.status))
            continue
        if page.status != 200:
            report.rejects.append(Reject(report.source.name, item.url, "fetch", "http_status",
                                         f"HTTP {page.status}", page.status))
            continue
        article, reject = read_fetched(report.source, page, title_hint=item.title_hint,
                                       published_hint=item.published_hint)
        if article is not None:
            report.articles.append(article)
        else:
            report.rejects.append(reject)


def _round_robin(lists: list[list[DiscoveredUrl]], count: int) -> list[DiscoveredUrl]:
    picked: list[DiscoveredUrl] = []
    seen: set[str] = set()
    for position in range(max((len(urls) for urls in lists), default=0)):
        for urls in lists:
            if len(picked) >= count:
                return picked
            if position < len(urls) and urls[position].url not in seen:
                seen.add(urls[position].url)
                picked.append(urls[position])
    return picked


def field_fills(articles: list[Article]) -> list[FieldFill]:
    """Per reported field: on how many articles it was filled, and which signal gave it (provenance)."""
    fills = []
    for name in REPORTED_FIELDS:
        fill = FieldFill(name, 0, len(articles))
        for article in articles:
            if getattr(article, name):
                fill.filled += 1
                signal = article.provenance.get(name, "declared" if name == "language" else "-")
                if name == "published_at" and article.provenance.get("published_tz"):
                    signal = f"{signal} (offset: {article.provenance['published_tz']})"
                fill.signals[signal] += 1
        fills.append(fill)
    return fills


def guess_settings(report: SiteReport) -> dict[str, Guess]:
    """Language, time zone and date order as the pages suggest them, each with what the guess rests on."""
    language = _guess_language(report)
    return {"language": language, "timezone": _guess_timezone(report, language.value),
            "date_order": _guess_date_order(report, language.value)}


def _guess_language(report: SiteReport) -> Guess:
    # Only what the pages say (their <html lang>, meta tags, the detector): a configured language is no evidence.
    read = [a for a in report.articles if a.language and a.provenance.get("language")]
    declared = Counter(a.language for a in read)
    if declared:
        value, count = declared.most_common(1)[0]
        signals = {a.provenance["language"] for a in read if a.language == value}
        how = ("their <html lang>" if signals == {"page"} else "detected from their text" if "detector" in signals
               else "the language their pages declare")
        return Guess(value, f"{count} of {len(report.articles)} sampled articles ({how})")
    if report.homepage_lang:
        return Guess(language_code(report.homepage_lang) or "", "the homepage's <html lang>")
    return Guess("", "no page declared a language")


def _guess_timezone(report: SiteReport, language: str) -> Guess:
    offsets = Counter()
    for article in report.articles:
        raw = article.published_raw
        if raw and has_offset(raw):
            value = parse_date(raw, ZoneInfo("UTC"))
            if value is not None and value.utcoffset() is not None:
                offsets[value.utcoffset()] += 1
    host = site_host(report.source.homepage).split(":")[0]
    country = country_zone(host)
    if offsets:
        offset, count = offsets.most_common(1)[0]
        hours = offset.total_seconds() / 3600
        printed = f"UTC{'+' if hours >= 0 else '-'}{abs(hours):g}"
        for zone, why in ((country, f"the .{host.rsplit('.', 1)[-1]} host"),
                          (ZoneInfo("Asia/Ho_Chi_Minh") if language == "vi" else None, "Vietnamese pages")):
            if zone is not None and _offset_in(zone, report.articles) == offset:
                return Guess(zone.key, f"{count} published dates print {printed}, the offset of {why}")
        if hours == int(hours):
            return Guess(f"Etc/GMT{'-' if hours > 0 else '+'}{abs(int(hours))}" if hours else "UTC",
                         f"{count} published dates print {printed}; a fixed offset, no daylight saving")
    if country is not None:
        return Guess(country.key, f"the .{host.rsplit('.', 1)[-1]} host; no page printed an offset")
    if language == "vi":
        return Guess("Asia/Ho_Chi_Minh", "Vietnamese pages; no page printed an offset")
    return Guess("UTC", "not guessed: no page printed an offset and the host names no country")


def _offset_in(zone: ZoneInfo, articles: list[Article]):
    moment = next((a.published_at for a in articles if a.published_at), None) or datetime.now(zone)
    return moment.astimezone(zone).utcoffset()


def _guess_date_order(report: SiteReport, language: str) -> Guess:
    """A printed numeric date whose first number is over 12 is day first, whose second is, month first."""
    day_first = month_first = 0
    for article in report.articles:
        for first, second, _ in _NUMERIC_DATE.findall(article.published_raw or ""):
            day_first += int(first) > 12 >= int(second)
            month_first += int(second) > 12 >= int(first)
    if day_first and not month_first:
        return Guess("dmy", f"{day_first} printed dates can only be day first")
    if month_first and not day_first:
        return Guess("mdy", f"{month_first} printed dates can only be month first")
    if language == "vi" or site_host(report.source.homepage).endswith(".vn"):
        return Guess("dmy", "Vietnamese pages print the day first")
    if (report.homepage_lang or "").lower() == "en-us":
        return Guess("mdy", "a US English site (<html lang=\"en-US\">)")
    return Guess("dmy", "the default; no printed date tells (set \"mdy\" for a US-style site)")


def source_toml(report: SiteReport) -> str:
    """The ``[[sources]]`` table to paste into a sources file; guessed keys carry a comment saying so."""
    source = report.source
    kinds = {k: sum(1 for c in report.working if c.kind == k) for k in ("feed", "sitemap", "listing")}
    lines = [f"# newsetl sources add {source.homepage}: "
             + ", ".join(f"{n} {k}{'s' if n != 1 else ''}" for k, n in kinds.items() if n)
             + f"; {len(report.articles)} of {report.sampled} sampled articles read",
             "[[sources]]", f"name = {_toml(source.name)}", f"title = {_toml(source.title or source.name)}",
             f"homepage = {_toml(source.homepage)}"]
    for key in ("feeds", "sitemaps", "listings"):
        values = getattr(source, key)
        if values:
            lines.append(f"{key} = [{', '.join(_toml(v) for v in values)}]")
    if source.listings:
        lines.append("# listings: page 1 of each is read; set pages and page_url to read further pages (README)")
    for key in ("language", "timezone", "date_order"):
        guess = report.guesses.get(key)
        if guess and guess.value:
            lines += [f"# guessed: {guess.reason}", f"{key} = {_toml(guess.value)}"]
    if source.allow_addresses:
        lines.append(f"allow_addresses = [{', '.join(_toml(a) for a in source.allow_addresses)}]")
    if source.min_interval != Source.min_interval:
        lines.append(f"min_interval = {source.min_interval:g}")
    if source.max_connections != Source.max_connections:
        lines.append(f"max_connections = {source.max_connections}")
    return "\n".join(lines) + "\n"


def _toml(value: str) -> str:
    """A TOML basic string: JSON's escapes are TOML's (\\", \\\\, \\n, \\uXXXX)."""
    return json.dumps(clean(value) if value else "", ensure_ascii=False)
