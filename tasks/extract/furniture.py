"""The vocabulary of page furniture, by concept: the tags, roles and class/id words of what is not the content.

Furniture is what a site prints on every page around what the page is about: menus,
share bars, adverts, rankings, sign-up boxes, cookie banners. Both readers take it out
before they read: the article reader inside and around the article's container
(``tasks.extract.body``), the listing reader around a section's column of stories
(``tasks.extract.links``). Every word either of them knows is here, grouped by
concept; each reader's vocabulary is built from these groups, and only here.
"""

from __future__ import annotations

import re
from functools import lru_cache

from lxml import etree

# --- tags and ARIA roles --------------------------------------------------------------------------------

NOT_TEXT_TAGS = frozenset({"script", "style", "noscript", "template"})
LANDMARK_TAGS = frozenset({"nav", "header", "footer", "aside"})
FORM_TAGS = frozenset({"form", "button", "select", "input"})
EMBED_TAGS = frozenset({"iframe", "svg", "object", "embed", "canvas", "video", "audio"})
# Removed wholesale by both readers (measured: the listing reader taking out input, object, embed,
# canvas, video and audio too changes no output on the four eval sets).
FURNITURE_TAGS = NOT_TEXT_TAGS | LANDMARK_TAGS | FORM_TAGS | EMBED_TAGS
# Ancestors that put an element outside the article. Not <header>: an article's own header holds its
# headline, standfirst, date and byline.
OUTSIDE_ARTICLE_TAGS = LANDMARK_TAGS - {"header"}
SUBHEADING_TAGS = frozenset({"h2", "h3", "h4", "h5", "h6"})
FURNITURE_ROLES = frozenset({"navigation", "banner", "contentinfo", "complementary", "search", "menu", "menubar"})

# --- class and id words, by concept ---------------------------------------------------------------------
# Regular-expression fragments, each matched as a whole word of a class or id (see _words).

# Both readers.
NAVIGATION = ("nav", "navigation", "menu", "breadcrumbs?")
PAGE_FRAME = ("banner", "sidebar", "footer")
ADVERTS = ("ads?", "adv", "advert", "advertisement")
SHARING = ("share", "social")
TAG_LISTS = ("tags?", "keywords")
RANKINGS = ("most-?read", "popular")

# Printed inside an article's container, between or after its paragraphs (the article reader only).
ARTICLE_TOOLS = ("toolbar", "print", "rating", "sharing", "socials")
RELATED_STORIES = ("related", "relate", "recommend", "recommended", "read-?more", "readmore", "see-?also",
                   "more-?news", "teaser-list", "promo")
READER_BOXES = ("comments?", "author-?box", "subscribe", "newsletter", "signup", "apphint", "app-?promo")
CONSENT = ("cookie", "consent", "privacy")
EMBEDS = ("embed", "outbrain", "taboola")  # embedded widgets and the two common "around the web" recommenders

# Printed around a section page's column of stories (the listing reader only).
SITE_CHROME = ("header", "navbar", "megamenu", "submenu", "side-?bar")
PAGING = ("pagination", "paging", "pager", "page-?nav")
TAG_CLOUDS = ("keywords?", "tag-?list")
# Vietnamese "quảng cáo" (advertisement), its abbreviation, and sponsored boxes.
SPONSORED = ("qc", "quangcao", "sponsor(?:ed)?")
# Ranking boxes, with the Vietnamese "đọc nhiều" / "xem nhiều" (most read / most viewed).
MOST_VIEWED = ("most-?viewed", "mostview", "trending", "top-?views?", "doc-?nhieu", "docnhieu", "xem-?nhieu",
               "xemnhieu")
WIDGETS = ("login", "weather", "ticker", "marquee", "poll")


def _words(*groups: tuple[str, ...], numbered: bool = False) -> re.Pattern[str]:
    """The groups' words as whole words between ``-``, ``_``, spaces or the ends; with ``numbered``, a
    number may follow (``banner2``). An empty group is a mistake: it would drop a concept unseen."""
    if not groups or any(not group for group in groups):
        raise ValueError("empty furniture word group")
    words = "|".join(word for group in groups for word in group)
    after = r"[-_\s\d]" if numbered else r"[-_\s]"
    return re.compile(rf"(?:^|[-_\s])(?:{words})(?=$|{after})", re.IGNORECASE)


# Two vocabularies, because the readers meet the same words in different places. Measured on the four
# eval sets by giving each reader each of the other's words in turn; three words changed a figure:
# "header" inside an article's container is the article's own header, with its standfirst and date
# (fundus-dev lead F1 0.937 -> 0.910, published_at 0.976 -> 0.968); "poll" there cost aeb-dev body
# recall (0.9662 -> 0.9661); and on a section page "related" names the related stories printed under
# a story card, which are the section's stories too (vn-listings first items 0.833 -> 0.792).
# The other words changed no figure either way; the lists stay apart until a larger set says more.
# Only the listing reader lets a number follow a word (numbered boxes, ``banner2``): in an article's
# container an id holding a UUID (``…-4e61-ad4f-…``) would read as an advert.
ARTICLE_JUNK_WORDS = _words(NAVIGATION, PAGE_FRAME, ADVERTS, SHARING, TAG_LISTS, RANKINGS,
                            ARTICLE_TOOLS, RELATED_STORIES, READER_BOXES, CONSENT, EMBEDS)
LISTING_FURNITURE_WORDS = _words(NAVIGATION, PAGE_FRAME, ADVERTS, SHARING, TAG_LISTS, RANKINGS,
                                 SITE_CHROME, PAGING, TAG_CLOUDS, SPONSORED, MOST_VIEWED, WIDGETS, numbered=True)
# Where the article's printed date may sit: a "print" or toolbar box often wraps the whole printable
# article, headline and date line included (``print-news``, ``email-print``), so those words do not put a
# date outside the article (vn-articles-dev right day 0.75 -> 0.85 on the two folds that print so; no
# figure of another set moves).
DATE_JUNK_WORDS = _words(NAVIGATION, PAGE_FRAME, ADVERTS, SHARING, TAG_LISTS, RANKINGS,
                         RELATED_STORIES, READER_BOXES, CONSENT, EMBEDS)
# A class/id token that also names the layout or the content (``sidebar-grid__content``,
# ``article-comments-wrapper``) is not furniture, whatever else it says (the article reader).
LAYOUT_WORDS = re.compile(r"content|article|body|main|grid|layout|container|wrapper|story|entry|text", re.I)

# Box headings of "most read" and similar rankings: the box they head is not the main column (the
# listing reader, which finds these boxes by their heading whatever their markup).
RANKING_HEADINGS = re.compile(
    r"^(?:tin |bài )?(?:đọc nhiều|xem nhiều|được quan tâm|quan tâm nhiều|nổi bật trong tuần|"
    r"most read|most popular|most viewed|popular|trending|top stories this week)",
    re.IGNORECASE,
)


def junk_words(el: etree._Element, words: re.Pattern[str] = ARTICLE_JUNK_WORDS) -> bool:
    """A class or id token naming furniture (``box-share``, ``related-news``); a token that also names
    the layout or the content (``sidebar-grid__content``, ``article-comments-wrapper``) is not one.
    A sub-heading's id is the anchor a table of contents links to (``nav_phishing_masche__0``): it names
    the heading's place, not what the heading is."""
    ids = "" if el.tag in SUBHEADING_TAGS else el.get("id") or ""
    return _names_furniture(f"{el.get('class') or ''} {ids}", words)


# Every node's ancestors are asked again for each node below them (``in_junk``): the answer for an
# attribute value is computed once. A pure function of its strings, so the cache changes no result.
@lru_cache(maxsize=4096)
def _names_furniture(tokens: str, words: re.Pattern[str]) -> bool:
    return any(words.search(token) and not LAYOUT_WORDS.search(token) for token in tokens.split())


def in_junk(node: etree._Element, words: re.Pattern[str] = ARTICLE_JUNK_WORDS) -> bool:
    """Inside furniture: below a ``nav``/``footer``/``aside`` or an element whose class or id names it."""
    for el in node.iterancestors():
        if el.tag in ("body", "html"):
            return False
        if el.tag in OUTSIDE_ARTICLE_TAGS or junk_words(el, words):
            return True
    return False
