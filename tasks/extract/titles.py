"""The headline among a page's title signals, checked against the visible ``<h1>``.

Metadata titles are written for sharing: they carry the site name (`` - Báo Cần Thơ Online``,
`` | VnExpress``), sometimes a kicker, sometimes another headline altogether. The site
suffix is removed only when it names the site or another title lacks it, so that a dash
belonging to the headline survives. Pure functions over the page's signals.
"""

from __future__ import annotations

import re
from typing import Protocol
from urllib.parse import urlsplit

from tasks.extract.jsonld import ld_text
from tasks.text import clean, squash, unescape_html


class TitleSignals(Protocol):
    """What title selection reads from a page (``tasks.extract.article``'s page view)."""

    url: str
    meta: dict[str, str]
    ld_site_name: str | None

    def title_tag(self) -> str | None: ...

    def h1_kickers(self) -> list[tuple[str, str]]: ...


# The longest metadata title taken as one: headlines run to about 300 characters. A longer one is no
# title signal, so that stripping its site suffixes (a loop over its parts) stays bounded: a <title>
# of 64,000 `` | x`` parts took minutes.
MAX_TITLE_CHARS = 1000
# What opens a tail a metadata title adds after the printed headline: a separator, spaced or not.
_TAIL_START = re.compile(r"\s*[|–—\-:·»«•：｜]")
_SUFFIX_SPLIT = re.compile(r"\s+[|–—\-:·»«•]\s+|\s+[|–—·»«•]|[|–—·»«•]\s+|[：｜]")
# A title quoting with guillemets (``Macron : « Nous allons gagner »``): they are quotation marks, not separators.
_QUOTED_SUFFIX_SPLIT = re.compile(r"\s+[|–—\-:·•]\s+|\s+[|–—·•]|[|–—·•]\s+|[：｜]")
_SEPARATORS = " |–—-:·»«•：｜"


def title_candidates(page: TitleSignals, ld: dict, h1s: list[str]) -> list[tuple[str, str | None]]:
    """Title signals in order of trust, after checking metadata against the visible ``<h1>``.

    Metadata titles lose the site name first (`` | VnExpress``). A metadata title that
    agrees with the ``<h1>`` wins: first one printed exactly as the h1, then one with the same
    words (the string the publisher typed, without the layout's line breaks), then one that
    adds or drops a kicker. When none agrees, og:title, then the JSON-LD headline, then the
    other metadata, then the h1 (measured on fundus-dev: h1-first when signals disagree 0.776,
    og:title always 0.832, this order 0.888).
    """
    metas = [("meta", unescape_html(page.meta.get("ogtitle"))),
             ("json-ld", unescape_html(ld_text(ld.get("headline")) or ld_text(ld.get("name")))),
             ("meta", unescape_html(page.meta.get("twittertitle"))),
             ("meta", unescape_html(page.meta.get("dctitle") or page.meta.get("title"))),
             ("meta", unescape_html(page.title_tag()))]
    metas = [(s, v) for s, v in metas if v and len(v) <= MAX_TITLE_CHARS]
    site_names = {n.lower() for n in (page.meta.get("ogsitename"), page.ld_site_name,
                                      page.meta.get("applicationname")) if n}
    site_names.add(urlsplit(page.url).hostname or "")
    stripped = [(s, v) for s, v in ((s, strip_site_suffix(v, site_names, [m for _, m in metas]))
                                    for s, v in metas) if v]
    for h1 in h1s:
        exact = [(signal, value) for signal, value in stripped if value == h1]
        if exact:
            return exact[:1]  # the typed string the page also prints (quotes and dashes as published)
        for signal, value in stripped:
            if same_title(h1, value):
                return [(signal, value)]
        if any(extends_headline(value, h1) for _, value in stripped):
            return [("page", h1)]
        for signal, value in stripped:
            if contains_title(value, h1) or contains_title(h1, value):
                return [(signal, value)]
    for kicker, headline in page.h1_kickers():
        for signal, value in stripped:
            if same_title(f"{kicker} {headline}", value):
                return [(signal, value)]
        if any(norm_title(value).endswith(norm_title(headline)) for _, value in stripped):
            return [("page", headline)]  # metadata prints the same headline behind another kicker
    tag = unescape_html(page.title_tag())
    tag = strip_site_suffix(tag, site_names, [m for _, m in metas]) if tag and len(tag) <= MAX_TITLE_CHARS else None
    if h1s and tag:  # then ``<title>`` is the last of ``stripped``
        stripped = _named_by_title_tag(stripped[:-1], tag) + stripped[-1:]
    return [*stripped, ("page", h1s[0] if h1s else None)]


def _named_by_title_tag(stripped: list[tuple[str, str]], tag: str) -> list[tuple[str, str]]:
    """When the printed h1 agrees with no metadata title (a live ticker's current entry, a display
    headline reworded), the metadata title that ``<title>`` also gives goes first: the document's own
    name outranks a headline rewritten for sharing."""
    backed = [(s, v) for s, v in stripped if same_title(v, tag)]
    return [*backed, *((s, v) for s, v in stripped if (s, v) not in backed)] if backed else stripped


def norm_title(text: str) -> str:
    return re.sub(r"\W+", " ", text.casefold()).strip()


def same_title(a: str, b: str) -> bool:
    return norm_title(a) == norm_title(b)


def extends_headline(title: str, h1: str) -> bool:
    """``title`` is the printed ``h1`` and then a separator and a tail: ``Headline - Section - Site``,
    ``Headline: Tin, Video clip`` or ``Headline-headline as an unaccented slug``.

    The tail is what the metadata adds for search and sharing (section, site, keywords), not part of
    the headline the page prints; a headline of at least three words is needed, so that a short h1
    (a section name) is not taken for the title.
    """
    title, h1 = clean(title), clean(h1)
    if len(h1.split()) < 3 or len(title) <= len(h1) or not title.casefold().startswith(h1.casefold()):
        return False
    return bool(_TAIL_START.match(title[len(h1):]))


def contains_title(longer: str, shorter: str) -> bool:
    """``longer`` is ``shorter`` plus a site name or kicker (at least 3 words of headline)."""
    a, b = norm_title(longer), norm_title(shorter)
    return len(b.split()) >= 3 and f" {b} " in f" {a} " and len(a) > len(b)  # whole words only


def strip_site_suffix(title: str | None, site_names: set[str], others: list[str]) -> str | None:
    """``Headline - Báo Cần Thơ Online`` -> ``Headline``: drop an end part that names the site.

    A part is the site's when it matches the site name or host, or when it is the
    shorter side of a separator that every metadata title shares.
    """
    if not title:
        return None
    quoted = "«" in title and "»" in title
    parts = (_QUOTED_SUFFIX_SPLIT if quoted else _SUFFIX_SPLIT).split(title)
    separators = _SEPARATORS.replace("»", "").replace("«", "") if quoted else _SEPARATORS
    if len(parts) < 2:
        return title
    hosts = {re.sub(r"^www\.", "", n) for n in site_names}
    # a host's first label names the site (vnexpress.net), unless it is a short one (m., tv., www2.)
    hosts |= {h.split(".")[0] for h in hosts if "." in h and len(h.split(".")[0]) >= 4}

    squashed_hosts = {s for s in map(squash, hosts) if s}

    def names_site(part: str, *, unaccented: bool = True) -> bool:
        """``unaccented``: the host matched without diacritics too ("Báo Cần Thơ" names baocantho.com.vn);
        not for a title's first part, which can open with the place a host is named after."""
        low = part.lower().strip()
        return any(n and (n in low or low in n) for n in hosts) \
            or unaccented and any(n in squash(part) for n in squashed_hosts)

    def lone_title_suffix(head: str, part: str) -> bool:
        """A page whose only title is ``<title>``: a short end part after a separator is the site's."""
        return len(others) <= 1 and len(part.split()) <= 5 and len(head.split()) >= 3 and len(part) <= len(head)

    def shorter_elsewhere(head: str) -> bool:
        """Another metadata title is just the part before the suffix (``headline`` beside ``headline | X``)."""
        return any(same_title(head, other) for other in others if other != title)

    while len(parts) > 1 and parts[-1].strip():  # nothing after the last mark (a closing quote) names nothing
        head = title[: title.rfind(parts[-1])].rstrip(separators)
        if not (names_site(parts[-1]) or shorter_elsewhere(head) or lone_title_suffix(head, parts[-1])):
            break
        title, parts = head, parts[:-1]
    if len(parts) > 1 and parts[0].strip() and names_site(parts[0], unaccented=False):
        title = title[len(parts[0]):].lstrip(separators)
    return clean(title)
