"""Read an article page into an :class:`ExtractedPage`: what the page says, field by field.

The page is parsed once, with lxml's HTML parser (a BeautifulSoup tree of a whole
page costs ~100 ms, twenty times lxml's parse, and would cap a run at ~9 pages/s).
Each field is taken from a cascade of signals and the winner is recorded in
``provenance``:

1. the site profile's CSS selectors (``tasks.extract.profiles``: the layout the page was served in)
   and the source's own ``selectors`` in sources.toml, for the fields they name;
2. JSON-LD (``NewsArticle``/``Article``, inside ``@graph`` or lists, JSON as browsers tolerate it);
3. OpenGraph, Dublin Core, ``<meta>`` and microdata;
4. the visible page: ``<h1>``, the lead block, the article container, the printed date and byline;
5. a generic main-text extractor (trafilatura, run on the already-parsed tree) for the body
   when no article container is recognised.

Metadata is checked against the visible page, because it is often written for
sharing rather than reading: titles lose a site suffix and must agree with the ``<h1>``
(``tasks.extract.titles``); a headline escaped twice is unescaped; the lead must sit between the
headline and the text. The lead (standfirst) is kept out of the body. The parsed page and
its lookups live in ``tasks.extract.page``, JSON-LD reading in ``tasks.extract.jsonld``, the
article text reader (container, paragraphs, captions, byline, the fallback of step 5) in
``tasks.extract.body``; this module decides the fields. Pure: no network, no database.
"""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import urljoin

from lxml import etree

from tasks.config import Source
from tasks.dates import has_time, is_midnight, parse_date, plausible, utc
from tasks.errors import ExtractError
from tasks.extract.body import Body, _set_apart, _short_name_line, plain_paragraph
from tasks.extract.conventions import credits_someone, looks_like_byline, split_author_values, starts_with_dateline
from tasks.extract.furniture import in_junk
from tasks.extract.jsonld import (
    ld_authors,
    ld_image,
    ld_organisation_author,
    ld_text,
    ld_url,
)
from tasks.extract.page import (
    DATE_LIKE,
    Page,
    first_meta,
    parse_html,
    remove_keeping_tail,
    same_day,
    text_of,
)
from tasks.extract.profiles import Profile
from tasks.extract.titles import norm_title, title_candidates
from tasks.records import ExtractedPage
from tasks.text import clean, unescape_html

# Labels of a ``twitter:labelN`` whose ``twitter:dataN`` is the author (SEO plugins, several languages).
AUTHOR_LABELS = frozenset({"written by", "verfasst von", "geschrieben von", "escrito por", "écrit par",
                           "scritto da", "geschreven door", "skrevet af", "skrevet av", "skrivet av"})


def extract_page(text: str, url: str, source: Source | None = None, *, profile: Profile | None = None,
                 served_at: datetime | None = None) -> ExtractedPage:
    """Read the fields of one article page's text; raises :class:`ExtractError` when there is no article.

    ``profile`` (else the source's) is the site profile whose layout, chosen by ``served_at`` (when
    the page was fetched or captured; else its published date), names the fields it reads.
    """
    root = parse_html(text)
    _drop_popup_cards(root)
    page = Page(root, url)
    order = source.date_order if source is not None else "dmy"
    meta = page.meta
    ld = page.ld_article
    generic_dates = (("json-ld", ld_text(ld.get("datePublished"))),
                     ("meta", first_meta(meta, "article:published_time", "og:published_time", "datepublished",
                                         "pubdate", "publishdate", "publish-date", "date", "dc.date.issued",
                                         "dc.date", "dcterms.date", "sailthru.date", "parsely-pub-date")),
                     ("microdata", page.itemprop_date("datePublished")),
                     ("page", page.visible_date()))
    provenance: dict[str, str] = {}
    site_profile = profile or (source.profile if source is not None else None)
    layout = None
    if site_profile is not None:
        layout = site_profile.layout_at(served_at or _first_plausible(generic_dates, order))
        if layout is not None:
            provenance["profile"] = f"{site_profile.name} {layout.label}"
    profile = {**dict(layout.selectors if layout else ()), **dict(source.selectors if source is not None else ())}

    def pick(name: str, *candidates: tuple[str, object]):
        for signal, value in candidates:
            if value:
                provenance[name] = signal
                return value
        return None

    h1s = page.h1_texts()

    title = pick("title", ("profile", page.select_text(profile.get("title"))),
                 *title_candidates(page, ld, h1s))
    # every name the page gives its publisher; the site name is the first one, application-name aside
    publisher_names = [n for n in (meta.get("ogsitename"), ld_text(ld.get("publisher")), page.ld_site_name) if n]
    site_name = publisher_names[0] if publisher_names else None
    section = pick("section", ("profile", page.select_text(profile.get("section"))),
                   ("json-ld", ld_text(ld.get("articleSection"))),
                   ("meta", meta.get("articlesection") or meta.get("section")),
                   ("page", page.breadcrumb_section(title)))
    profile_date = page.select_date(profile.get("published_at"))
    unread = []
    if layout is not None and layout.date_format and profile_date:
        read = layout.read_date(profile_date)  # the site's own format; a date it does not match gives nothing
        if read is None:  # said, not silently dropped: the layout changed or the format is wrong
            unread = ["profile-format"]
        profile_date = read
    dates = (("profile", profile_date), *generic_dates)
    # a placeholder (0001-01-01), a date ahead of today or a string that names no date falls to the next signal
    refused = unread + [signal for signal, raw in dates if raw and not plausible(parse_date(str(raw), utc, order))]
    if refused:
        provenance["published_refused"] = ",".join(refused)
    published_raw = pick("published_at", *((s, raw) for s, raw in dates if s not in refused))
    if published_raw and (not has_time(published_raw) or is_midnight(published_raw)):
        # a date-only value (or one stored as midnight) borrows the printed time of the same day
        printed = next((v for v in page.printed_dates() if has_time(v) and not is_midnight(v)
                        and same_day(published_raw, v, order)), None)
        if printed:
            published_raw = printed
            provenance["published_at"] += "+page-time"
    modified = (("json-ld", ld_text(ld.get("dateModified"))),
                ("meta", first_meta(meta, "article:modified_time", "og:updated_time", "lastmod",
                                    "dateModified", "datemodified")),
                ("microdata", page.itemprop_date("dateModified")))
    modified_refused = [signal for signal, raw in modified if raw and not plausible(parse_date(str(raw), utc, order))]
    if modified_refused:
        provenance["modified_refused"] = ",".join(modified_refused)
    modified_raw = pick("modified_at", *((s, raw) for s, raw in modified if s not in modified_refused))
    canonical = pick("canonical_url", ("page", page.link_rel("canonical")), ("meta", meta.get("ogurl")),
                     ("json-ld", ld_url(ld.get("mainEntityOfPage")) or ld_text(ld.get("url"))))
    image = pick("image_url", ("meta", meta.get("ogimage") or meta.get("ogimageurl") or meta.get("twitterimage")),
                 ("json-ld", ld_image(ld.get("image"))))
    language = pick("language", ("page", root.get("lang") or root.get("xml:lang")),
                    ("meta", meta.get("contentlanguage") or meta.get("oglocale") or meta.get("dclanguage")),
                    ("json-ld", ld_text(ld.get("inLanguage"))))
    meta_authors = tuple(pick("meta_authors",
                              ("profile", page.select_texts(profile.get("authors"))),
                              ("json-ld", ld_authors(ld.get("author"))),
                              ("meta", page.meta_all("author", "article:author", "dc.creator", "sailthru.author",
                                                     "parsely-author", "twitter:misc:Written by")),
                              ("meta", page.labelled_meta(AUTHOR_LABELS)),
                              ("microdata", page.itemprop_authors()),
                              ("page", printed_authors := page.visible_byline(h1s)))
                         or ())
    if provenance.get("meta_authors") in ("json-ld", "meta", "microdata") and \
            _names_more(printed_authors, meta_authors):
        meta_authors, provenance["meta_authors"] = tuple(printed_authors), "page"
    # search, sharing and JSON-LD descriptions, in that order of trust
    descriptions = tuple(d for d in (*(first_meta(meta, k) for k in ("description", "og:description",
                                                                    "twitter:description")),
                                     ld_text(ld.get("description"))) if d)
    description = descriptions[0] if descriptions else None

    body = Body(page, profile, title, descriptions)
    lead = pick("lead", ("profile", body.profile_lead), ("page", body.lead), ("meta", unescape_html(description)))
    paragraphs = body.paragraphs
    if paragraphs:
        provenance["body"] = body.signal
    if not lead and len(paragraphs) > 1 and starts_with_dateline(paragraphs[0]):
        lead, paragraphs = paragraphs[0], paragraphs[1:]
        provenance["lead"] = "page"
    if not paragraphs and ld.get("articleBody"):
        paragraphs = [p for p in (clean(x) for x in re.split(r"\n\s*\n|\n", str(ld["articleBody"]))) if p]
        provenance["body"] = "json-ld"
    # A lead the text repeats, printed like the paragraph after it, is the text's first paragraph, not a
    # standfirst: the description copied from that paragraph (checked against the first), or, when no
    # container holds the text, the block the generic reader's text holds among its first three (after a
    # kicker line; pages of 4 sites of fundus-dev and aeb-dev gain, 2 lose; no fold moves down).
    reach = {"meta": 1, "page": 3 if body.signal == "fallback" else 0}.get(provenance.get("lead", ""), 0)
    first = next((page.element_with_text(p) for p in paragraphs[:reach] if _echoes(p, lead)), None) if lead else None
    if first is not None and plain_paragraph(first):
        lead = None
        provenance.pop("lead", None)
    paragraphs = _drop_lead_echo(paragraphs, lead, title)
    paragraphs, top_byline = _drop_head_furniture(paragraphs, title)
    byline = body.byline or top_byline
    if not byline and not meta_authors:
        byline = closing_signature(page, title)
    if byline and not body.byline:
        provenance["byline"] = "page"
    if body.byline:
        provenance["byline"] = body.byline_signal

    if not title:
        raise ExtractError("no_title", "no title found")
    if not paragraphs:
        raise ExtractError("no_text", "no article text found")
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
        outlet_names=tuple(dict.fromkeys(clean(n) for n in (*publisher_names, meta.get("applicationname")) if n)),
        provenance=provenance,
        meta_credit=ld_organisation_author(ld.get("author")),
        printed_authors=tuple(printed_authors),
    )


def _first_plausible(dates: tuple[tuple[str, object], ...], order: str) -> datetime | None:
    """The first publication date the generic signals give that can be meant (for choosing a layout)."""
    for _, raw in dates:
        value = parse_date(str(raw), utc, order) if raw else None
        if plausible(value):
            return value
    return None


def _drop_popup_cards(root: etree._Element) -> None:
    """Remove hover cards printed inside paragraphs (a person's photo and links to their stories in a
    ``<span>`` the stylesheet hides until hover): read as text they glue headlines into the sentence."""
    def card(el: etree._Element) -> bool:
        return el.find(".//img") is not None and len(el.findall(".//a")) >= 2

    # the innermost such element: the name link the card hangs on stays in the sentence
    cards = [el for p in root.iter("p") for el in p.iter("span", "div")
             if card(el) and not any(card(inner) for inner in el.iterdescendants("span", "div"))]
    for el in cards:
        remove_keeping_tail(el)

_TOP_BYLINE = re.compile(r"^(?i:von|by|par|por|di|door|av|af|od)\s+(?:[A-ZÀ-ÖØ-Þ][\w'.-]*\s?){1,4}$")


def _drop_head_furniture(paragraphs: list[str], title: str | None) -> tuple[list[str], str | None]:
    """What page templates print above the text and extractors take along: the headline again (with
    its kicker or the site name), a date or time line, and a "Von Nina Magoley" byline (returned)."""
    want = norm_title(title or "")
    byline = None
    out = list(paragraphs)
    for index in range(min(4, len(out) - 1) - 1, -1, -1):
        text = out[index]
        norm = norm_title(text)
        headline_again = bool(want) and len(want) >= 15 and want in norm and len(norm) <= len(want) + 60
        date_line = len(text) <= 60 and bool(DATE_LIKE.search(text)) and len(re.sub(r"[\d\W]+", "", text)) <= 15
        if headline_again or date_line:
            del out[index]
        elif _TOP_BYLINE.match(text):
            byline = byline or text
            del out[index]
    while len(out) > 1 and len(out[0].split()) <= 3 and len(out[0]) < 30 and not out[0].endswith((".", "?", "!")):
        out.pop(0)  # a label opening the text: "Článek", "Kort fortalt", "Text size"
    return out, byline


def _echoes(paragraph: str, lead: str) -> bool:
    first, want = norm_title(paragraph), norm_title(lead)
    return bool(first) and (first == want or len(want) > 30 and len(first) > 30 and want.startswith(first[:30]))


def _drop_lead_echo(paragraphs: list[str], lead: str | None, title: str | None) -> list[str]:
    """Remove the title and lead where the text repeats them at its start (the body starts after the lead)."""
    out = list(paragraphs)
    for repeated in (title, lead):
        if not repeated or not out:
            continue
        want = norm_title(repeated)
        while out and want and (norm_title(out[0]) == want or len(want) > 30 and want.startswith(norm_title(out[0]))
                                and len(norm_title(out[0])) > 30):
            out.pop(0)
    return out


def _names_more(printed: list[str], declared: tuple[str, ...]) -> bool:
    """The byline printed at the headline names everyone the metadata names, and more (metadata that
    credits only the first or the last of two authors)."""
    shown, named = split_author_values(printed), split_author_values(declared)
    return len(shown) > len(named) > 0 and {norm_title(n) for n in named} <= {norm_title(n) for n in shown}


# Elements between the article's last paragraph and its signature (empty paragraphs, a sharing widget's
# markup, the <br>s of a text printed as one paragraph), and the paragraphs beside the signature, after
# it, among which none may be text (a related story's teaser nested in its own box is not beside it).
SIGNATURE_REACH = 60
SIGNATURE_AFTER = 3
# What may print a signature: an emphasis element (its block must hold nothing else), or a block aligned right.
_SIGNATURE_CANDIDATES = etree.XPath("//strong | //b | //em | //i | //p[@align or @style] | //div[@align or @style]")
SIGNATURE_TEXT = 100  # characters of a paragraph of text (a signature or a crosshead is far shorter)


def closing_signature(page: Page, title: str | None) -> str | None:
    """The byline signing the article under its last paragraph, found on the page rather than in the text
    read (which a generic reader may cut before the signature, or run on past it).

    A short name line (``Trung``, ``XUÂN LONG``) or a credit (``Theo Minh Nguyễn/Vcamp.vn``), set apart as
    papers print signatures (right-aligned, or all in bold or italics), after the headline, outside page
    furniture, that a paragraph of text precedes and none follows: a bold line with text after it is a
    crosshead, not a signature.
    """
    order = page.order()
    elements = page.elements()
    h1 = page.main_h1(title)
    start = order.get(h1, 0) if h1 is not None else 0
    for el in _SIGNATURE_CANDIDATES(page.root):
        at = order.get(el, -1)
        if at <= start or len(el.text_content()) > 120:
            continue
        line = text_of(el)
        if not line or not (_short_name_line(line) or looks_like_byline(line) and credits_someone(line)):
            continue
        emphasis = el.tag in ("strong", "b", "em", "i")
        block = el.getparent() if emphasis else el
        if block is None or text_of(block) != line or not (emphasis or _set_apart(block)) or in_junk(el):
            continue
        ancestors = set(el.iterancestors())
        before = next((e for e in reversed(elements[max(start, at - SIGNATURE_REACH): at])
                       if e.tag == "p" and e not in ancestors and text_of(e)), None)
        after = [e for e in block.itersiblings() if e.tag == "p"][:SIGNATURE_AFTER]
        if before is not None and _is_text(before) and not any(_is_text(e) for e in after):
            return line
    return None


def _is_text(el: etree._Element) -> bool:
    """A paragraph of article text: long, and ending as a sentence ends."""
    text = text_of(el)
    return len(text) >= SIGNATURE_TEXT and text.rstrip("”\"' )").endswith((".", "!", "?", "…", ":"))
