"""Read the article text of a parsed page: its container's paragraphs, captions and byline, the lead apart.

The container is the source's ``body`` selector, else the first of the common CMS
containers (``BODY_SELECTORS``) that holds enough text; furniture inside it
(``tasks.extract.furniture``) is taken out of a copy, so the page stays intact for the
other fields. Blocks are read in document order: leaf blocks are paragraphs, figures
and image tables are captions, text between ``<br>`` tags forms paragraphs of its own.
When no container holds enough text, trafilatura's main text (run on the already-parsed
tree) or else the densest block of paragraphs is the text. The standfirst is found between the
headline and the text (a lead class, the block the description repeats) and kept out of the
paragraphs. ``tasks.extract.article`` decides the fields from what is read here. Pure: no network,
no database.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from copy import deepcopy

from lxml import etree

from tasks.extract.conventions import credits_someone, is_photo_credit, is_widget_label, looks_like_byline
from tasks.extract.furniture import FURNITURE_TAGS, in_junk, junk_words
from tasks.extract.page import (
    BLOCK_TAGS,
    BYLINE_SELECTORS,
    LEAF_BLOCKS,
    Page,
    css,
    remove_keeping_tail,
    text_of,
)
from tasks.extract.titles import norm_title
from tasks.text import clean, unescape_html

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
LEAD_CLASS_SUFFIX = re.compile(r"[-_](?:sapo|lead|standfirst|dek|deck|lede|intro|summary|excerpt|subtitle|"
                               r"subhead|subheader|subheadline|preamble|ingress|chapeau)$", re.IGNORECASE)
CAPTION_CLASSES = re.compile(r"caption|image_?desc|photo-?note|img-?note|chuthich|legend|credit", re.I)
MIN_CONTAINER_TEXT = 200
# Paragraphs from the end of a fallback text within which its byline is looked for (the generic reader
# takes along a related story or a footer line after the signature).
TRAILING_BYLINE_REACH = 3
LEAD_REACH = 100  # elements after the headline within which a standfirst is looked for, without a known container


class Body:
    """The article container's text: paragraphs, captions and byline, with the lead block apart.

    Works on a copy of the container, so that the page stays intact for the
    fallback extractor.
    """

    def __init__(self, page: Page, profile: dict[str, str], title: str | None, descriptions: tuple[str, ...]) -> None:
        self.page = page
        self.lead: str | None = None
        # the profile's standfirst block, read as the generic one is (its ">> other story" links left out)
        self.profile_lead = next((t for t in (_without_related_links(el) for el in page.select(profile["lead"]))
                                  if t), None) if profile.get("lead") else None
        self.byline: str | None = None
        self.byline_signal = "page"
        self.captions: list[str] = []
        self.paragraphs: list[str] = []
        self._seen: set[str] = set()
        self.signal = "page"
        self.title, self.descriptions = title, descriptions
        self.description = descriptions[0] if descriptions else None  # the search one, else the first given
        containers, self.signal = self._containers(profile)
        container = containers[0] if containers else None
        lead_el = self._lead_element(container)
        if lead_el is not None:
            self.lead = _without_related_links(lead_el)
        for part in containers:
            work = deepcopy(part)
            if lead_el is not None and _is_descendant(lead_el, part):
                remove_keeping_tail(_matching(work, lead_el, part))
            self._read(work, profile)
            self._seen.update(self.paragraphs)  # a later container repeating them is a print or AMP copy
        self._split_trailing_byline()
        if not self.paragraphs or sum(len(p) for p in self.paragraphs) < MIN_CONTAINER_TEXT:
            fallback, signal = self._fallback(profile)
            if fallback and sum(map(len, fallback)) > sum(map(len, self.paragraphs)):
                self.paragraphs, self.signal = fallback, signal
                self._split_trailing_byline()
        # The text's own first paragraph is not taken as the lead because the description repeats it:
        # CMSs fill the description from that paragraph (measured: 11 of 11 such pages of fundus-dev and
        # aeb-dev print it as text; aeb-dev body F1 0.970 -> 0.972, fundus-dev folds 3 and 4 up).
        if self.lead is None and self.description:
            self.lead = self._structural_lead(self.description)

    def _fallback(self, profile: dict[str, str]) -> tuple[list[str], str]:
        """Text when no known container holds it: trafilatura's main text, else the densest block of
        paragraphs (measured: trafilatura first is 0.04 body F1 better on both dev sets); captions
        printed anywhere on the page are taken out."""
        dense = _densest_container(self.page.root)
        paragraphs = _generic_body(self.page.root, self.page.url)
        if dense is not None and not paragraphs:
            before = len(self.paragraphs)
            self._read(deepcopy(dense), profile)
            return self.paragraphs[before:], "page"
        # Captions of the article's own pictures: those inside the block around its densest text.
        scope = dense.getparent() if dense is not None and dense.getparent() is not None else self.page.root
        captions = _page_captions(scope)
        self.captions.extend(c for c in captions if c not in self.captions)
        credits = [p for p in paragraphs if is_photo_credit(p)]
        self.captions.extend(c for c in credits if c not in self.captions)
        kept = set(captions) | set(credits)
        text = [p for p in paragraphs if p not in kept and not is_widget_label(p)]
        return text, "fallback"

    def _containers(self, profile: dict[str, str]) -> tuple[list[etree._Element], str]:
        """The elements holding the article text: every match of the first selector that holds enough
        text (CMSs often split the text into several blocks of one class, with ads between)."""
        if profile.get("body"):
            found = _outermost(self.page.select(profile["body"]))
            if found:
                return found, "profile"
        for selector in BODY_SELECTORS:
            found = _outermost([el for el in self.page.select(selector) if not in_junk(el)])
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

        def standfirst(el: etree._Element, descriptions: tuple[str, ...]) -> bool:
            if el.tag in ("meta", "html", "body", "a") or in_junk(el):
                return False
            if container is not None and el is not container and _is_descendant(container, el):
                return False  # a lead block wrapping the whole article is a layout box, not the lead
            position = order.get(el, -1)
            if position < start or position > (body_start if body_start is not None else start + LEAD_REACH):
                return False
            text = text_of(el)
            return 20 <= len(text) <= 1500 and any(_agrees(text, d) for d in descriptions)

        for selector in LEAD_SELECTORS:
            for el in self.page.select(selector):
                if standfirst(el, (self.description,)):
                    return el
        # A class that names a standfirst as the last part of a compound name (``post-header__dek``,
        # ``doc_header__subheader``), agreeing with any of the page's descriptions (the sharing one
        # often repeats the standfirst where the search one is reworded).
        for el in self.page.with_class_matching(LEAD_CLASS_SUFFIX):
            if el.tag not in ("h1", "ul", "ol", "section", "article") and standfirst(el, self.descriptions):
                return el
        want = norm_title(unescape_html(self.description) or "")[:60]
        if len(want) < 30:
            return None
        limit = body_start + 50 if body_start is not None else start + 600
        for el in self.page.root.iter("p", "div", "h2", "span", "strong"):
            position = order.get(el, -1)
            if position < start or position > limit:
                continue
            raw = el.text_content()
            if len(raw) > 2000 or not norm_title(raw[:200]).startswith(want[:20]):
                continue
            text = text_of(el)
            if norm_title(text).startswith(want) and not _has_blocks(el) and not plain_paragraph(el):
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
            if el.tag in FURNITURE_TAGS or el.tag == "h1" or (el is not container and junk_words(el)
                                                         and not _quoted_post(el) and not _in_sentence(el)):
                remove_keeping_tail(el)
        if profile.get("byline"):
            found = css(container, profile["byline"])
            if found:
                self.byline, self.byline_signal = text_of(found[0]), "profile"
                remove_keeping_tail(found[0])
        if self.byline is None:
            for selector in BYLINE_SELECTORS:
                found = [el for el in css(container, selector) if text_of(el)]
                if found and len(text_of(found[0])) <= 200:
                    self.byline = text_of(found[0])
                    remove_keeping_tail(found[0])
                    break
        for kind, text in _blocks(container):
            if kind == "caption":
                self.captions.append(text)
            elif is_widget_label(text):
                continue
            elif is_photo_credit(text):
                self.captions.append(text)
            elif len(text) < 80 or text not in self._seen:  # text printed twice (print or AMP copy) counts once;
                self.paragraphs.append(text)  # within one container a repeat is the author's (a meal plan's days)

    def _split_trailing_byline(self) -> None:
        """The byline among the last paragraphs: papers sign an article under its last paragraph, and
        what a generic reader takes along after the signature (a related story, the footer) is not text."""
        if self.byline is not None or not self.paragraphs:
            return
        for back in range(1, min(TRAILING_BYLINE_REACH, len(self.paragraphs) - 1) + 1):
            line = self.paragraphs[-back]
            if back == 1:
                signed = looks_like_byline(line) or _short_name_line(line) \
                    and _set_apart(self.page.element_printing(line))
            else:  # above the last line a bold or capitals line is as often a sub-heading: a credit, or right-aligned
                signed = looks_like_byline(line) and credits_someone(line) or _short_name_line(line) \
                    and _right_aligned(self.page.element_printing(line))
            if signed:
                self.byline = line
                del self.paragraphs[-back:]
                return
            if back == 1 and self.signal != "fallback":
                return  # a known container ends where the article does: only its last line can sign it

    def _structural_lead(self, description: str) -> str | None:
        """The first text block between the headline and the article text that shares words with the
        description: a standfirst without a class name that says so (descriptions are often reworded)."""
        h1 = self.page.main_h1(self.title)
        if h1 is None or not self.paragraphs:
            return None
        order = self.page.order()
        elements = self.page.elements()
        first = norm_title(self.paragraphs[0])[:40]
        for el in elements[order[h1] + 1: order[h1] + 2 * LEAD_REACH]:
            if not isinstance(el.tag, str) or el.tag not in ("p", "div", "h2", "span", "strong", "section"):
                continue
            raw = el.text_content()
            if len(raw) > 3000:
                continue
            text = text_of(el)
            if first and norm_title(text).startswith(first):
                return None  # the article text starts here: no separate standfirst
            if 60 <= len(text) <= 1000 and not _has_blocks(el) and _agrees(text, description) \
                    and not in_junk(el) and not CAPTION_CLASSES.search(el.get("class") or "") \
                    and not any(a.tag in ("a", "figure", "figcaption", "h1") for a in el.iterancestors()):
                return text
        return None


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
            elif tag in BLOCK_TAGS or "-" in tag and _has_blocks(child):  # a custom element wrapping blocks
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
        if length < 25 or in_junk(p):
            continue
        parent = p.getparent()
        for node, weight in ((parent, 1.0), (parent.getparent() if parent is not None else None, 0.5)):
            if node is not None and node.tag not in ("html", "body"):
                scores[node] = scores.get(node, 0.0) + length * weight
    if not scores:
        return None
    best = max(scores, key=scores.get)
    return best if scores[best] >= MIN_CONTAINER_TEXT else None


# The most captions read from a page outside a known container: a long photo gallery has a few
# hundred. Each is compared with those before it (one printed twice, or inside another, counts
# once), so the cap keeps 25,000 crafted figcaptions from costing minutes.
MAX_PAGE_CAPTIONS = 500


def _page_captions(root: etree._Element) -> list[str]:
    """Caption texts under ``root`` in document order: figure captions, image tables' text cells,
    caption-classed blocks and photo-credit paragraphs (``Ảnh: ...``); the first ``MAX_PAGE_CAPTIONS``."""
    found: list[str] = []
    for el in root.iter("figcaption", "table", "p", "div", "span", "td"):
        if len(found) >= MAX_PAGE_CAPTIONS:
            break
        if el.tag == "figcaption":
            text = text_of(el)
        elif el.tag == "table":
            text = _caption(el) if el.find(".//img") is not None else None
        elif CAPTION_CLASSES.search(el.get("class") or "") and len(el) < 5:
            text = text_of(el)
        elif el.tag == "p":
            text = text_of(el)
            text = text if is_photo_credit(text) else None
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


_INITIALS = re.compile(r"(?:^|\s)(?:[^\W\d_]\.){1,3}$")


def _short_name_line(text: str) -> bool:
    """A line that could be only a name or two (``Phương Anh``, ``Mai Khanh - Tú Uyên``)."""
    words = text.split()
    initials = bool(_INITIALS.search(text))  # "H.V.", "K. Miên": a signature may end in a full stop
    return 1 <= len(words) <= 8 and len(text) <= 60 \
        and (initials or not text.endswith((".", "?", "!", ":", "…", '"', "”"))) \
        and all(w[:1].isupper() or w in ("-", "–", "và", "and", "&", ",") for w in words)


def _right_aligned(el: etree._Element | None) -> bool:
    if el is None:
        return False
    style = (el.get("style") or "").replace(" ", "").lower()
    return "text-align:right" in style or (el.get("align") or "").lower() == "right"


def _set_apart(el: etree._Element | None) -> bool:
    """Printed as a signature: right-aligned, or all in bold (how papers close an article with its byline)."""
    if el is None:
        return False
    if _right_aligned(el):
        return True
    bold = [c for c in el if c.tag in ("strong", "b")]
    return len(bold) == 1 and len(bold[0].text_content().strip()) >= 0.9 * len(el.text_content().strip())


def plain_paragraph(el: etree._Element) -> bool:
    """A ``<p>`` printed like the next paragraph (same class, not all bold): article text, not a standfirst.

    An ad slot or a picture between the two does not set the first apart (measured: aeb-dev body F1
    0.972 -> 0.973, folds 1, 3 and 5 up; no fold of fundus-dev or vn-articles-dev moves)."""
    if el.tag != "p":
        return False
    following = el.getnext()
    while following is not None and following.tag != "p":  # an ad slot or a picture between the paragraphs
        following = following.getnext()
    if following is None or following.tag != "p" or (following.get("class") or "") != (el.get("class") or ""):
        return False
    bold = [c for c in el if c.tag in ("strong", "b")]
    return not (len(bold) == 1 and len(bold[0].text_content()) >= 0.9 * len(el.text_content()))


def warm_up() -> None:
    """Load what the first page would otherwise load mid-run: trafilatura with its JusText word lists.

    About 1 s (more with threads waiting on the import lock) that would otherwise stall every
    source's fetching at its first page; a run pays it once, before its first request.
    """
    import trafilatura  # noqa: F401
    from trafilatura import external

    if getattr(external, "JT_STOPLIST", ()) is None:  # JusText's word lists, read at its first rescue (~0.5 s)
        external.jt_stoplist_init()


def _generic_body(root: etree._Element, url: str) -> list[str]:
    """Main text by trafilatura, run on our already-parsed tree; paragraphs as it delimits them."""
    from trafilatura import bare_extraction

    try:
        document = bare_extraction(_copy_for_trafilatura(root), url=url, favor_precision=True, include_comments=False,
                                   include_tables=True, with_metadata=False, deduplicate=False)
    except Exception:  # noqa: BLE001 - the fallback must never lose the page
        return []
    # Its text output, one block per line (its element tree can hold fewer blocks than it prints).
    text = getattr(document, "text", None) or ""
    return [p for p in (_plain_line(x) for x in text.split("\n")) if p]


# Attributes that cannot change trafilatura's text: script data (``data-*``), event handlers (``on*``) and
# accessibility labels (``aria-*``), except the few of them trafilatura 2 reads by name. Everything else
# (class, id, style, colspan, ...) stays. It copies its tree four or five times: on a page of 4.8 MB whose
# elements carry forty ``data-`` attributes each, those copies were 130 MB of the worker's 200; without
# them, 3 MB (benchmarks/memory.py). Its text is the same on every dev page (255 of aeb-dev, fundus-dev,
# vn-articles-dev and vn-listings).
UNREAD_ATTRIBUTE = re.compile(r"data-(?!src)|aria-|on[a-z]")  # data-src* are image sources it reads
TRAFILATURA_READS = frozenset({"aria-hidden", "data-component", "data-lp-replacement-content", "data-preloaded",
                               "data-testid"})


def _copy_for_trafilatura(root: etree._Element) -> etree._Element:
    """A copy of the page for trafilatura, which changes what it is given, without attributes it does not read."""
    work = deepcopy(root)
    for el in work.iter(etree.Element):  # elements only: comments and processing instructions have none
        attrib = el.attrib
        if len(attrib):
            for key in [k for k in attrib if UNREAD_ATTRIBUTE.match(k) and k not in TRAFILATURA_READS]:
                del attrib[key]
    return work


def _plain_line(line: str) -> str:
    """A line of trafilatura's text without its list bullet or table-row pipes."""
    line = line.strip()
    if line.startswith("|") and line.endswith("|"):
        cells = [clean(c) for c in line.strip("|").split("|")]
        return "" if all(re.fullmatch(r":?-*:?", c) for c in cells) else " ".join(c for c in cells if c)
    return clean(re.sub(r"^[-*•]\s+", "", line))

_QUOTED_POST = re.compile(r"(^|\s)(twitter-tweet|instagram-media|tiktok-embed|bluesky-embed)(\s|$)")


_RELATED_MARK = ("»", ">>", "›")


def _without_related_links(el: etree._Element) -> str:
    """A block's text without the links to other stories printed in it behind a ``>>`` or ``»`` mark
    (``... đến hết ngày 17/2/2013. >> Công chức được nghỉ 9 ngày``): a pointer, not the standfirst."""
    links = [a for a in el.iter("a") if text_of(a).startswith(_RELATED_MARK)]
    if not links:
        return text_of(el)
    work = deepcopy(el)
    for a in [a for a in work.iter("a") if text_of(a).startswith(_RELATED_MARK)]:
        remove_keeping_tail(a)
    return text_of(work) or text_of(el)


def _in_sentence(el: etree._Element) -> bool:
    """A link inside a paragraph's running text (``vụ <a class="cms-relate">tranh chấp</a> hợp đồng``): a
    keyword the CMS links to a related section, whatever its class says, is a word of the sentence."""
    if el.tag != "a" or len(text_of(el).split()) > 6:
        return False
    parent = el.getparent()
    if parent is None or parent.tag != "p":
        return False
    before, after = (parent.text or "") if parent[0] is el else (el.getprevious().tail or ""), el.tail or ""
    return bool(before.strip()) and bool(after.strip()) and len(text_of(parent)) > 3 * len(text_of(el))


def _quoted_post(el: etree._Element) -> bool:
    """A post the article quotes (an embedded tweet's ``<blockquote>``, printed as text before any script
    runs) is what the story reports, even inside a wrapper named ``social-media-embed``."""
    return any(_QUOTED_POST.search(q.get("class") or "") for q in el.iter("blockquote"))
