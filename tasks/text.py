"""Text clean-up shared by extraction and normalisation: one definition of "clean text".

Vietnamese pages mix NFC and NFD forms, non-breaking and zero-width spaces and
byte-order marks; every string the warehouse stores passes through :func:`clean`.
"""

from __future__ import annotations

import html
import re
import unicodedata

# U+200B..U+200D zero-width space/joiners, U+2060 word joiner, U+FEFF BOM, U+00AD soft hyphen,
# and C0 control characters other than whitespace (Postgres refuses NUL in text).
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad\x00-\x08\x0e-\x1f\x7f]")
_WORD = re.compile(r"\w+")
_INITIALS = re.compile(r"(?:[^\W\d_]\.)+[^\W\d_]?")  # "H.V.", "K.", "T.H"
# What Postgres refuses in text and jsonb: NUL, and UTF-16 surrogates (psycopg2 cannot encode a lone one).
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def clean(text: str | None) -> str:
    """NFC, invisible characters removed, every whitespace run one space, ends trimmed."""
    if not text:
        return ""
    text = _INVISIBLE.sub("", unicodedata.normalize("NFC", text))
    return " ".join(text.split())  # str.split() and the regex \s agree on what whitespace is


def storable(text: str) -> bool:
    """True when Postgres takes ``text`` as it is (no NUL, no lone surrogate)."""
    return _UNSTORABLE.search(text) is None


def storable_text(text: str) -> str:
    """``text`` with what Postgres refuses written out (``\\x00``, ``\\ud800``): for reject rows, which must
    always be written, and show the offending value."""
    return text if storable(text) else _UNSTORABLE.sub(lambda m: m.group(0).encode("unicode_escape").decode(), text)


def word_count(*texts: str | None) -> int:
    return sum(len(_WORD.findall(t)) for t in texts if t)


def is_upper_name(text: str) -> bool:
    """True for text written in capitals, as Vietnamese papers print bylines (``ANH DŨNG``)."""
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters)


def title_case_name(name: str) -> str:
    """``ANH DŨNG`` -> ``Anh Dũng``, ``K. MIÊN`` -> ``K. Miên``, ``H.V.`` stays: each syllable capitalised
    (Vietnamese names capitalise every syllable), initials kept; names in mixed case are kept as written."""
    name = clean(name)
    if not is_upper_name(name):
        return name
    return " ".join(part if _INITIALS.fullmatch(part) else part[:1].upper() + part[1:].lower()
                    for part in name.split(" "))


def unescape_html(text: str | None) -> str | None:
    """Undo HTML escaping applied once or twice (``&amp;quot;`` -> ``"``)."""
    if not text:
        return None
    for _ in range(3):
        if "&" not in text:
            break
        unescaped = html.unescape(text)
        if unescaped == text:
            break
        text = unescaped
    return clean(text)


def squash(text: str | None) -> str:
    """Lower-case letters and digits without diacritics: ``Dân Trí``, ``Báo Cần Thơ`` and the hosts
    ``dantri.com.vn``, ``baocantho.com.vn`` compare."""
    text = unicodedata.normalize("NFKD", clean(text).lower().replace("đ", "d"))
    return re.sub(r"[\W_]+", "", "".join(c for c in text if not unicodedata.combining(c)))
