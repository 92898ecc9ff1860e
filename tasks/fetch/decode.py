"""Bytes of an HTML page to text: the right encoding, or a clear refusal, never mojibake.

Vietnamese sites still serve windows-1258 next to UTF-8, and headers lie: a page
declared windows-1258 may be UTF-8 and the other way round. Decoding a page with
the wrong single-byte codec "works" and stores garbage, so the order is: a BOM;
then bytes that are valid UTF-8 are UTF-8 (legacy Vietnamese text is practically
never valid UTF-8 by accident); then the charset from the header, then from
``<meta>``, each decoded strictly; then charset_normalizer's guess. Text that still
looks like UTF-8 read as windows-125x is refused.
"""

from __future__ import annotations

import codecs
import logging
import re
from itertools import islice

from charset_normalizer import from_bytes

from tasks.errors import DecodeError

log = logging.getLogger(__name__)

_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""", re.IGNORECASE)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
# UTF-8 bytes of Vietnamese letters read as windows-1252/1258: "áº", "á»", "Ã©", "Ä‘", "Æ°".
_MOJIBAKE = re.compile("á[º»]|Ã[\u0080-\u009f\u00a1-\u00bf]|Ä[‘\u0090\u0091]|Æ[°¡]")  # not "NGÃ\u00a0"
MOJIBAKE_LIMIT = 3
# Scripts, styles and comments are not the page's text: a correctly decoded page may carry a widget's
# comments double-encoded by its author (an aeb-dev page's ad script: "nÃ£o", "espaÃ§o"), which says
# nothing about how the page itself was decoded. Only what a reader sees is checked.
_NOT_TEXT = re.compile(r"<(script|style)\b.*?</\1\s*>|<!--.*?-->", re.IGNORECASE | re.DOTALL)
SNIFF_BYTES = 4096


def header_charset(content_type: str) -> str | None:
    for part in content_type.split(";")[1:]:
        name, _, value = part.partition("=")
        if name.strip().lower() == "charset" and value.strip():
            return value.strip().strip("\"'")
    return None


def meta_charset(body: bytes) -> str | None:
    found = _META_CHARSET.search(body[:SNIFF_BYTES])
    return found.group(1).decode("ascii") if found else None


def decode_html(body: bytes, content_type: str = "") -> tuple[str, str]:
    """(text, how it was decoded: "utf-8 (bom)", "windows-1258 (header)", ...) or DecodeError."""
    for bom, encoding in _BOMS:
        if body.startswith(bom):
            return _checked(body[len(bom):].decode(encoding, errors="replace"), f"{encoding} (bom)")
    declared = [(name, where) for name, where in ((header_charset(content_type), "header"),
                                                 (meta_charset(body), "meta")) if name]
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        how = "utf-8" + (" (as declared)" if any(_same(n, "utf-8") for n, _ in declared) or not declared
                         else f" (declared {declared[0][0]} in the {declared[0][1]}, but the bytes are utf-8)")
        return _checked(text, how)
    for name, where in declared:
        try:
            return _checked(body.decode(name), f"{name} ({where})")
        except LookupError:
            log.info("unknown charset %r in the %s", name, where)
        except UnicodeDecodeError:
            log.info("page is not %s as its %s says; detecting", name, where)
    guess = from_bytes(body).best()
    if guess is None or guess.encoding is None:
        said = ", ".join(f"{n} in the {w}" for n, w in declared) or "no charset"
        raise DecodeError("undecodable", f"cannot decode the page: declared {said}, and the bytes match no encoding")
    return _checked(str(guess), f"{guess.encoding} (detected)")


def _same(a: str, b: str) -> bool:
    try:
        return codecs.lookup(a).name == codecs.lookup(b).name
    except LookupError:
        return False


def _checked(text: str, how: str) -> tuple[str, str]:
    if _looks_garbled(text):
        raise DecodeError("mojibake", f"text decoded as {how} looks like UTF-8 read as windows-125x (mojibake)")
    # lxml refuses str input that still carries an XML declaration naming an encoding.
    return _XML_DECLARATION.sub("", text, count=1), how


def _looks_garbled(text: str) -> bool:
    """At least MOJIBAKE_LIMIT mojibake pairs in the text a reader sees (outside scripts, styles, comments)."""
    if _MOJIBAKE.search(text) is None:  # the common case: one scan, no copy of the page
        return False
    hits = _MOJIBAKE.finditer(_NOT_TEXT.sub(" ", text))
    return sum(1 for _ in islice(hits, MOJIBAKE_LIMIT)) >= MOJIBAKE_LIMIT
