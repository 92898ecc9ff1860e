"""JSON-LD as news pages embed it: find the article node, read its fields leniently.

Pages put the article in ``@graph``, in lists, under ``mainEntity``, give ``@type`` as a list
or a URL, and write JSON that browsers tolerate but ``json.loads`` does not (comments,
CDATA, trailing commas, raw line breaks, several objects in one script). Pure functions.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

from lxml import etree

from tasks.text import clean, unescape_html

ARTICLE_TYPES = {"newsarticle", "article", "reportagenews", "analysisnewsarticle", "blogposting",
                 "opinionnewsarticle", "reviewnewsarticle", "backgroundnewsarticle", "liveblogposting",
                 "socialmediaposting", "report", "scholarlyarticle", "techarticle", "posting", "webpage"}
ARTICLE_TYPES |= {"claimreview", "review", "videoobject"}


def article_rank(type_name: str) -> int | None:
    """0 for an article type (any ``...Article``), 1 for other text types, 2 for a WebPage; None otherwise."""
    if type_name.endswith("article") or type_name in ("blogposting", "liveblogposting", "socialmediaposting",
                                                     "posting", "report"):
        return 0
    if type_name == "webpage":
        return 2
    return 1 if type_name in ARTICLE_TYPES else None


def ld_nodes(root: etree._Element) -> Iterator[dict]:
    for script in root.iter("script"):
        if "ld+json" not in (script.get("type") or "").lower():
            continue
        yield from walk_ld(loads_lenient(script.text or ""))


def ld_types(node: dict) -> set[str]:
    types = node.get("@type")
    types = types if isinstance(types, list) else [types]
    return {t.lower().rsplit("/", 1)[-1] for t in types if isinstance(t, str)}


def ld_article(nodes: list[dict]) -> dict:
    """The JSON-LD node of the article: the best-ranked article type, the one with a headline first."""
    best: tuple[int, int] | None = None
    chosen: dict = {}
    for index, node in enumerate(nodes):
        ranks = [r for r in (article_rank(t) for t in ld_types(node)) if r is not None]
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


def walk_ld(data) -> Iterator[dict]:
    if isinstance(data, list):
        for item in data:
            yield from walk_ld(item)
    elif isinstance(data, dict):
        yield data
        for key in ("@graph", "mainEntity", "itemListElement"):
            if isinstance(data.get(key), list | dict):
                yield from walk_ld(data[key])


def ld_text(value) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("name") or value.get("@value")
    return clean(str(value)) if value not in (None, "") and not isinstance(value, dict | list) else None


def ld_url(value) -> str | None:
    if isinstance(value, dict):
        value = value.get("@id") or value.get("url")
    return value if isinstance(value, str) and value.startswith(("http", "/")) else None


def ld_image(value) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("url") or value.get("contentUrl")
    return value if isinstance(value, str) else None


def ld_organisation_author(value) -> str | None:
    """An organisation (agency, outlet, desk) given as the author: the warehouse keeps it as a source credit."""
    items = value if isinstance(value, list) else [value]
    for item in items:
        if isinstance(item, dict) and ld_types(item) & {"organization", "newsmediaorganization"}:
            return ld_text(item.get("name"))
    return None


def ld_authors(value) -> list[str]:
    items = value if isinstance(value, list) else [value]
    names: list[str] = []
    for item in items:
        if isinstance(item, dict) and ld_types(item) & {"organization", "newsmediaorganization"}:
            continue  # an outlet credited as author is a source credit, not a person
        name = item.get("name") if isinstance(item, dict) else item
        if isinstance(name, list):
            name = name[0] if name else None
        name = unescape_html(name) if isinstance(name, str) else None
        if name and name not in names:
            names.append(name)
    return names
