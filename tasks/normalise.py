"""Turn an :class:`ExtractedPage` into the warehouse :class:`Article`.

Here the page's raw strings become fields: the lead's dateline (``(CT)-``) is split
off, the byline (``Tin, ảnh: ANH DŨNG``) becomes title-cased author names, dates
become timezone-aware instants (the source's zone when the page gives no offset),
the canonical URL is kept only when it is on the source's host, and the content
hash and word count are computed. Every other field the page and the record share by
name is carried as extracted. Pure: the same input gives the same record.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import fields
from datetime import datetime
from functools import cache
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from tasks.config import Source
from tasks.dates import country_zone, has_offset, language_zone, parse_date, plausible
from tasks.extract.conventions import (
    BYLINE_PREFIX,
    BYLINE_ROLE,
    CMS_ACCOUNT,
    COMPILED_NOTE,
    CREDIT_WORD,
    DATELINE,
    DESK,
    PERSON_AT_OUTLET,
    credit_match,
    credited_name,
    split_author_values,
)
from tasks.records import Article, ExtractedPage
from tasks.text import clean, squash, title_case_name, word_count
from tasks.urls import NO_RULES, normalise_url

UTC_ZONE = ZoneInfo("UTC")
LANGUAGE_SAMPLE = 2000  # characters of body text enough for the language detector
DETECTOR_OVERRULES = 0.99  # detector probability above which it overrules a page's declared language
# Separators between names in a byline: "A - B", "A, B", "A và B".
_NAME_SPLIT = re.compile(r"\s+[-–—]\s+|\s*,\s*|\s+và\s+|\s*/\s*|\s*;\s*")
# An agency or outlet code given as author (AFP, DPA, TTO, TTXVN): a source credit, not a person.
_AGENCY_CODE = re.compile(r"[A-Z]{2,6}")
_NOT_A_PERSON = re.compile(r"\d|©|^\(|\bimage\b|\bfoto\b|\bphoto\b|:", re.IGNORECASE)
_NOT_A_NAME = re.compile(r"https?://|www\.|\.(vn|com|net|org)\b|@", re.IGNORECASE)
# The fields a page and the record share by name go to the record as extracted (section, tags,
# image_url, the raw date strings, ...), unless normalise_article derives them below: so a field
# an extractor fills and the warehouse keeps needs no line here.
CARRIED_FIELDS = tuple(f.name for f in fields(Article) if f.name in {g.name for g in fields(ExtractedPage)})


def normalise_article(page: ExtractedPage, source: Source | None = None, *,
                      fetched_url: str | None = None, title_hint: str | None = None,
                      published_hint: datetime | None = None) -> Article:
    """The record for one page; hints are what the feed or sitemap said (used only to fill gaps)."""
    provenance = dict(page.provenance)
    url = normalise_url(fetched_url or page.url)

    dateline, lead = split_dateline(page.lead)
    authors, credit = split_byline(page.byline) if page.byline else ((), None)
    meta_credit = page.meta_credit
    if authors:
        declared = tuple(title_case_name(n) for n in _credited_values(split_author_values(page.meta_authors))[0]
                         if _is_person(n, page, source) and not _AGENCY_CODE.fullmatch(n))
        if set(authors) < set(declared):
            # the signature names only the first of the writers the metadata credits ("THUẬN VĂN" closing
            # the text, "THUẬN VĂN, LÊ ÁNH" in JSON-LD): everyone credited is an author
            authors = declared
            provenance["authors"] = provenance.get("meta_authors", "meta")
    if not authors:
        names, credited = _credited_values(split_author_values(page.meta_authors))
        meta_credit = meta_credit or credited
        agencies = [n for n in names if _AGENCY_CODE.fullmatch(n)]
        authors = tuple(a for a in names if a not in agencies and _is_person(a, page, source))
        if authors:
            provenance["authors"] = provenance.get("meta_authors", "meta")
        elif page.printed_authors and provenance.get("meta_authors") != "page":
            # metadata named only the outlet or an agency: the names printed at the headline are the authors
            printed, printed_credit = _credited_values(split_author_values(
                [_without_place(v) for v in page.printed_authors]))
            meta_credit = meta_credit or printed_credit
            authors = tuple(a for a in printed if _is_person(a, page, source) and not _AGENCY_CODE.fullmatch(a))
            if authors:
                provenance["authors"] = "page"
        if not authors and meta_credit and _names_outlet(meta_credit, page, source):
            # JSON-LD names the publisher's own newsroom as the author (BBC News on bbc.com, "Redaktion
            # hessenschau.de"): an institutional author, as the page declares it, not an outlet taken from
            authors, meta_credit = (meta_credit,), None
            provenance["authors"] = "json-ld"
        meta_credit = meta_credit or (agencies[0] if agencies else None)
    else:
        provenance.setdefault("authors", "byline")
    if credit:
        provenance["source_credit"] = "byline"
    elif meta_credit and not _names_outlet(meta_credit, page, source):  # the publisher is not its own source
        credit = meta_credit
        provenance["source_credit"] = provenance.get("meta_authors", "meta") if not page.meta_credit else "json-ld"
    provenance.pop("meta_authors", None)

    title = clean(page.title) or clean(title_hint)
    body = "\n\n".join(clean(p) for p in page.paragraphs if clean(p))
    declared = language_code(page.language) or (source.language if source else None)
    language = declared
    # A declared language is usually right; a template default ("en" on a Xhosa paper) is not, and the
    # detector is sure of itself only on enough text. A configured source's language is trusted, so
    # most runs never load the detector's model (about 80 MB).
    may_overrule = source is None and len(body) >= 400
    detected, confidence = (detect_language(" ".join([title, lead or "", body[:LANGUAGE_SAMPLE]]))
                            if declared is None or may_overrule else (None, 0.0))
    if detected and (declared is None or detected != declared and confidence >= DETECTOR_OVERRULES
                     and may_overrule):
        language = detected
        provenance["language"] = "detector"

    # the dates after the language: a page read without a source or a country domain is in its language's zone
    host = urlsplit(page.url).hostname
    published, zone = read_date(page.published_raw, page.modified_raw, source, host, language)
    if published is not None:
        provenance["published_tz"] = zone
    if published is None and published_hint is not None:
        if plausible(published_hint):
            published = published_hint
            provenance["published_at"] = "feed"
        else:  # a feed's placeholder or a date ahead of tomorrow is refused as the page's own would be
            provenance["published_refused"] = ",".join(filter(None, (provenance.get("published_refused"), "feed")))
    modified, _ = read_date(page.modified_raw, page.published_raw, source, host, language)
    for name, value in (("published_at", published), ("modified_at", modified)):
        if value is None:
            provenance.pop(name, None)  # a date string that did not parse gave nothing

    carried = {name: getattr(page, name) for name in CARRIED_FIELDS}
    return Article(**carried | dict(
        source=source.name if source else "",
        url=url,
        canonical_url=canonical_url(page.canonical_url, url, source),
        title=title,
        lead=lead or None,
        body=body,
        captions=tuple(c for c in (clean(x) for x in page.captions) if c),
        authors=authors,
        published_at=published,
        modified_at=modified,
        language=language,
        dateline=dateline,
        byline=clean(page.byline) or None,
        word_count=word_count(lead, body),
        content_hash=content_hash(title, lead, body),
        provenance=provenance,
        source_credit=credit,
    ))


def split_dateline(lead: str | None) -> tuple[str | None, str]:
    """``(CT)- Ngày 23-1...`` -> (``CT``, ``Ngày 23-1...``); a lead without one is returned as is."""
    lead = clean(lead)
    match = DATELINE.match(lead)
    if not match:
        return None, lead
    return clean(match["paren"] or match["bare"]), lead[match.end():].strip()


def parse_byline(byline: str) -> tuple[str, ...]:
    """Person names of a byline, title-cased, in order: ``Bài: MỸ THANH - Ảnh: DUY KHÔI`` -> both."""
    return split_byline(byline)[0]


def split_byline(byline: str) -> tuple[tuple[str, ...], str | None]:
    """(person names, outlet credited) of a closing byline.

    ``SONG NHI (Theo Medical News Today)`` -> ((``Song Nhi``,), ``Medical News Today``);
    ``Theo TTXVN`` -> ((), ``TTXVN``); ``Hà Thu (tổng hợp)`` -> ((``Hà Thu``,), None).
    """
    text = clean(byline)
    credit = None
    at = PERSON_AT_OUTLET.match(text)
    match = None if at else credit_match(text)
    if at and not _AGENCY_CODE.fullmatch(clean(at["person"])):
        credit, text = clean(at["paren"] or at["slash"]).strip(" .()") or None, at["person"]
    elif at:  # "Theo TTXVN/Vietnam+": agencies both
        credit, text = clean(text[CREDIT_WORD.match(text).end():]), ""
    elif match:
        credit = clean(match["outlet"]).strip(" .()") or None
        text = text[: match.start()] + " " + text[match.end():]
    text = COMPILED_NOTE.sub(" ", text)
    text = BYLINE_PREFIX.sub("", clean(text))
    names: list[str] = []
    for chunk in BYLINE_ROLE.split(text):
        for name in _NAME_SPLIT.split(chunk):
            name = title_case_name(_strip_name(credited_name(name) or ""))
            if name and name not in names and not _NOT_A_NAME.search(name) and not _NOT_A_PERSON.search(name) \
                    and len(name.split()) <= 6 and not DESK.fullmatch(name):
                names.append(name)
    return tuple(names), credit


def _credited_values(names: list[str]) -> tuple[list[str], str | None]:
    """Author values that open with a credit word (``Theo Ngoisao``, ``Theo Sầm Hoa (Vietnamnet/Reuters)``)
    read as a byline: the persons they name stay names, the outlet is the source credit."""
    out: list[str] = []
    credit = None
    for name in names:
        if CREDIT_WORD.match(name):
            persons, outlet = split_byline(name)
            out.extend(p for p in persons if p not in out)
            credit = credit or outlet
        elif name not in out:
            out.append(name)
    return out, credit


def _strip_name(name: str) -> str:
    """A name without the punctuation around it; the full stop of a closing initial stays (``H.V.``)."""
    stripped = name.strip(" .:-–—()")
    if name.rstrip(" :-–—()").endswith(".") and re.search(r"(?:^|[\s.])[^\W\d_]$", stripped):
        stripped += "."
    return stripped


def read_date(raw: str | None, sibling: str | None, source: Source | None,
              host: str | None = None, language: str | None = None) -> tuple[datetime | None, str]:
    """The instant a page's date string names, and where its offset came from.

    The string's own offset first; else the source's time zone; else the offset of the page's
    other date (published and modified are printed in one zone); else the zone of the country
    the page's domain names, flagged ``assumed-country``; else the zone of the one country whose
    language the page is in (a Vietnamese page on a ``.net`` host), flagged ``assumed-language``;
    else UTC, flagged ``assumed-utc``, so that analysts can tell a guess from a statement.
    """
    if not raw:
        return None, ""
    order = source.date_order if source is not None else "dmy"
    if has_offset(raw):
        return parse_date(raw, UTC_ZONE, order), "page"
    if source is not None:
        return parse_date(raw, source.tz, order), "source"
    if sibling and has_offset(sibling):
        other = parse_date(sibling, UTC_ZONE)
        value = parse_date(raw, UTC_ZONE)
        if other is not None and value is not None and other.tzinfo is not None:
            return value.replace(tzinfo=other.tzinfo), "page-sibling"
    zone = country_zone(host)
    if zone is not None:
        return parse_date(raw, zone), "assumed-country"
    zone = language_zone(language)
    if zone is not None:
        return parse_date(raw, zone), "assumed-language"
    return parse_date(raw, UTC_ZONE), "assumed-utc"


def detect_language(text: str) -> tuple[str | None, float]:
    """(ISO 639-1 code, probability) of a text by py3langid; (None, 0) for too little text."""
    if len(text.strip()) < 20:
        return None, 0.0
    code, probability = _language_identifier().classify(text)
    return code or None, float(probability)


def warm_up() -> None:
    """Load the language model (about 80 MB) before the first request, not at a source's first page."""
    detect_language("warm-up text for the language model, long enough to classify")


@cache
def _language_identifier():
    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_modelpath(MODEL_DIR / MODEL_FILE, norm_probs=True)


def _without_place(byline: str) -> str:
    """``Von Anna Schmidt, Lille`` -> ``Von Anna Schmidt``: a one-word part after a prefixed name is where
    the author wrote from, not a second author (``Von Anna Schmidt, Peter Müller`` keeps both)."""
    head, comma, last = byline.rpartition(",")
    if comma and BYLINE_PREFIX.match(head) and "," not in head and len(last.split()) == 1 \
            and len(BYLINE_PREFIX.sub("", head).split()) >= 2:
        return head
    return byline


def _is_person(name: str, page: ExtractedPage, source: Source | None) -> bool:
    """Author metadata that names the outlet, a URL, an id or a photo credit is not a person."""
    if not name or _NOT_A_NAME.search(name) or _NOT_A_PERSON.search(name) or len(name.split()) > 6:
        return False
    return not DESK.fullmatch(name) and not CMS_ACCOUNT.fullmatch(name) and not _names_outlet(name, page, source)


def _names_outlet(name: str, page: ExtractedPage, source: Source | None) -> bool:
    """``name`` is the publisher: its site name, host, or a desk of it (``Redaktion hessenschau.de``)."""
    squashed = squash(name)
    outlets = {squash(n) for n in (page.site_name, *page.outlet_names, source.title if source else None)}
    host = (urlsplit(page.url).hostname or "").removeprefix("www.")
    outlets |= {squash(host), squash(host.rsplit(".", 1)[0])}
    outlets.discard("")
    words = [squash(w) for w in name.split()]
    first_word = words[0]  # "n-tv NACHRICHTEN" is the outlet; "srf/hosb" is a desk code
    return any(squashed == o or first_word == o or len(squashed) >= 4 and o.startswith(squashed)
               or len(o) >= 5 and _is_word_run(o, words) for o in outlets)


def _is_word_run(text: str, words: list[str]) -> bool:
    """True when ``text`` is some run of consecutive ``words`` put together (squashed words join
    without a space): an occurrence of it in all the words joined, starting and ending where words do.
    Linear in the words, where building every run is cubic (a 400-word JSON-LD name: minutes)."""
    joined = "".join(words)
    bounds, at = {0}, 0
    for word in words:
        at += len(word)
        bounds.add(at)
    start = joined.find(text)
    while start != -1:
        if start in bounds and start + len(text) in bounds:
            return True
        start = joined.find(text, start + 1)
    return False


def canonical_url(declared: str | None, fetched: str, source: Source | None) -> str:
    """The page's declared canonical URL when it is on the source's host, else the fetched URL.

    Either way in the source's URL identity (``tasks.urls``): its mobile/AMP variants fold to one URL.
    """
    rules = source.url_rules if source else NO_RULES
    if declared and (source is None or source.owns(declared)):
        return normalise_url(declared, rules)
    return normalise_url(fetched, rules)


def language_code(value: str | None) -> str | None:
    """``vi-VN`` / ``vi_VN`` -> ``vi``."""
    if not value:
        return None
    value = value.strip().lower()
    if not re.fullmatch(r"[a-z]{2,3}([-_][a-z0-9]{2,8})*", value):
        return None  # "utf-8" in a Content-Language tag is not a language
    return re.split(r"[-_]", value)[0]


def content_hash(title: str, lead: str | None, body: str) -> str:
    """Identity of the text itself: equal for the same article reached by two URLs."""
    text = "\n".join(clean(t).lower() for t in (title, lead or "", body))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
