"""Turn the date strings news pages print into timezone-aware datetimes.

Order of trust for the offset: the string's own offset (``+07:00``, ``GMT+7``),
else the source's time zone, since Vietnamese papers print local times without
one; for a page of no configured source, the zone of the country its domain
names. ``GMT+7`` is read as news sites mean it (UTC+7), not in the inverted
POSIX sense that some parsers apply.

Numeric dates are read day-first (``07/03/2026`` is 7 March), as Vietnamese and most
non-US papers print them, unless the source says ``date_order = "mdy"``; a year-first
date (``2026/03/07``) is always year-month-day. Vietnamese times of day carry their part
of the day in words (``11:05 tối`` is 23:05).
"""

from __future__ import annotations

import re
import warnings
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from email.utils import parsedate_to_datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from dateutil import parser as dateutil_parser

from tasks.text import clean

_ISO = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2})(?:[T ](?P<time>\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)"
    r"\s*(?P<offset>Z|[+-]\d{2}:?\d{2})?)?"
)
# Day (or month) first; a two-digit year only with slashes (``24/12/12``), as Vietnamese papers printed it.
_DMY = re.compile(r"(?<![\d/.-])(?P<d>\d{1,2})(?P<sep>[/.-])(?P<m>\d{1,2})(?P=sep)(?P<y>\d{4}|(?<=/)\d{2})(?![\d/])")
# A Vietnamese date in words: "ngày 7 tháng 3 năm 2026", "7 tháng 3, 2026" (day, month, year, always).
_VI_WORDS = re.compile(r"(?<!\d)(?P<d>\d{1,2})\s+tháng\s+(?P<m>\d{1,2})\s*(?:,|năm)?\s*(?P<y>(?:19|20)\d{2})(?!\d)",
                       re.IGNORECASE)
# A date with the month in words, in any language of tasks.month_names: day first (``7. März 2026``,
# ``7 de marzo de 2026``, ``7th March 2026``) or month first (``March 7, 2026``); and the CJK year-month-day.
_WORDS_DAY_FIRST = re.compile(r"(?<![\d.])(?P<d>\d{1,2})(?:\.|er|st|nd|rd|th)?\s+(?:de\s+)?(?P<w>[^\W\d_]{3,})\.?,?"
                              r"\s+(?:de\s+|del\s+)?(?P<y>(?:19|20)\d{2})(?!\d)")
_WORDS_MONTH_FIRST = re.compile(r"(?<!\w)(?P<w>[^\W\d_]{3,})\.?\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?,?\s+"
                                r"(?P<y>(?:19|20)\d{2})(?!\d)")
_CJK = re.compile(r"(?P<y>(?:19|20)\d{2})\s*[年년]\s*(?P<m>\d{1,2})\s*[月월]\s*(?P<d>\d{1,2})\s*[日일]?")
_YMD = re.compile(r"(?<!\d)(?P<y>(?:19|20)\d{2})(?P<sep>[/.])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})(?!\d)")
_TIME = re.compile(
    r"(?<![\d:])(?P<h>\d{1,2})(?:[:hg](?P<min>\d{2}))(?::(?P<s>\d{2}))?(?!\d)(?:\.\d+)?"
    r"\s*(?P<offset>[+-]\d{2}:?\d{2}(?!\d))?\s*(?P<ampm>AM|PM|SA|CH|sáng|trưa|chiều|tối|đêm)?(?!\w)",
    re.IGNORECASE,
)
# Vietnamese parts of the day after a 12-hour time: the hours they move to the afternoon or evening.
_AFTERNOON = {"pm": range(1, 12), "ch": range(1, 12), "chiều": range(1, 12), "tối": range(1, 12),
              "trưa": range(1, 4), "đêm": range(6, 12)}
_MIDNIGHT = {"am": 12, "sa": 12, "đêm": 12, "sáng": 12}
DATE_ORDERS = ("dmy", "mdy")
# The longest string read as a date: a date line with its labels is under a hundred characters; a longer
# value is no date, and the fuzzy parser would spend half a second on 80 KB of numbers.
MAX_DATE_CHARS = 256
EARLIEST_YEAR = 1990  # no news page of the web was published before: an earlier date is a placeholder
_GMT = re.compile(r"(?:GMT|UTC)\s*(?P<sign>[+-])\s*(?P<h>\d{1,2})(?::?(?P<m>\d{2}))?", re.IGNORECASE)
# Any stated offset: "+07:00", "+0700", "Z" after a time, "GMT+7", "UTC", a zone abbreviation dateutil knows.
_OFFSET = re.compile(r"\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:Z|[+-]\d{2}:?\d{2})(?!\d)|\b(?:GMT|UTC)\b",
                     re.IGNORECASE)
utc = UTC
# Country-code domains of countries that keep one civil time zone: a page of such a domain that prints a
# local time without an offset means that zone. Countries spanning zones (us, ru, br, au, ca, mx, id, kz,
# ...) and generic domains (.com, .org) are left out: there UTC is assumed and flagged.
COUNTRY_ZONES = {
    "vn": "Asia/Ho_Chi_Minh", "th": "Asia/Bangkok", "kh": "Asia/Phnom_Penh", "la": "Asia/Vientiane",
    "cn": "Asia/Shanghai", "hk": "Asia/Hong_Kong", "tw": "Asia/Taipei", "jp": "Asia/Tokyo", "kr": "Asia/Seoul",
    "sg": "Asia/Singapore", "my": "Asia/Kuala_Lumpur", "ph": "Asia/Manila", "in": "Asia/Kolkata",
    "il": "Asia/Jerusalem", "tr": "Europe/Istanbul", "de": "Europe/Berlin", "at": "Europe/Vienna",
    "ch": "Europe/Zurich", "li": "Europe/Vaduz", "lu": "Europe/Luxembourg", "be": "Europe/Brussels",
    "nl": "Europe/Amsterdam", "fr": "Europe/Paris", "it": "Europe/Rome", "pl": "Europe/Warsaw",
    "cz": "Europe/Prague", "sk": "Europe/Bratislava", "hu": "Europe/Budapest", "si": "Europe/Ljubljana",
    "hr": "Europe/Zagreb", "ro": "Europe/Bucharest", "bg": "Europe/Sofia", "gr": "Europe/Athens",
    "dk": "Europe/Copenhagen", "se": "Europe/Stockholm", "no": "Europe/Oslo", "fi": "Europe/Helsinki",
    "is": "Atlantic/Reykjavik", "ie": "Europe/Dublin", "uk": "Europe/London", "ee": "Europe/Tallinn",
    "lv": "Europe/Riga", "lt": "Europe/Vilnius", "ua": "Europe/Kyiv", "za": "Africa/Johannesburg",
    "ng": "Africa/Lagos", "ke": "Africa/Nairobi", "eg": "Africa/Cairo", "ar": "America/Argentina/Buenos_Aires",
    "co": "America/Bogota", "pe": "America/Lima", "py": "America/Asuncion", "uy": "America/Montevideo",
    "ve": "America/Caracas",
}


def country_zone(host: str | None) -> ZoneInfo | None:
    """The zone of the single-zone country whose domain ``host`` is under (``www.n-tv.de`` -> Berlin)."""
    if not host or "." not in host:
        return None
    name = COUNTRY_ZONES.get(host.rstrip(".").rsplit(".", 1)[1].lower())
    return ZoneInfo(name) if name else None


# Languages written mostly in one country of one civil time zone: a page in one that prints a local time,
# with no offset, no source and no country domain, most likely means that zone (flagged as a guess).
# Languages of several zones or countries (en, es, pt, ar, ru, fr, de, zh, ms) are left out.
LANGUAGE_ZONES = {"vi": "Asia/Ho_Chi_Minh", "th": "Asia/Bangkok", "ja": "Asia/Tokyo", "ko": "Asia/Seoul",
                  "km": "Asia/Phnom_Penh", "lo": "Asia/Vientiane", "he": "Asia/Jerusalem", "pl": "Europe/Warsaw",
                  "cs": "Europe/Prague", "hu": "Europe/Budapest", "it": "Europe/Rome", "nl": "Europe/Amsterdam",
                  "da": "Europe/Copenhagen", "sv": "Europe/Stockholm", "fi": "Europe/Helsinki", "tr": "Europe/Istanbul"}


def language_zone(language: str | None) -> ZoneInfo | None:
    """The zone of the one country a page's language points to (``vi`` -> Ho Chi Minh City), else None."""
    name = LANGUAGE_ZONES.get((language or "").split("-")[0].lower())
    return ZoneInfo(name) if name else None


def parse_date(raw: str | None, tz: tzinfo, order: str = "dmy") -> datetime | None:
    """The instant a date string names, or None; a string without an offset is read in ``tz``.

    ``order`` is how a numeric date that does not start with the year is read: ``dmy`` (the
    default, Vietnamese and most papers) or ``mdy`` (a source configured so).
    """
    text = clean(raw)
    if not text or len(text) > MAX_DATE_CHARS:
        return None
    for parse in (_parse_iso, _parse_ymd, _parse_dmy, _parse_rfc2822, _parse_words, _parse_other):
        try:
            value = parse(text, tz, order)
        except (ValueError, OverflowError, TypeError):
            value = None
        if value is not None:
            return value
    return None


def plausible(value: datetime | None, now: datetime | None = None) -> bool:
    """A publication time a page can mean: not before 1990 and not more than a day ahead of ``now``.

    ``0001-01-01`` in JSON-LD, a template's ``1970-01-01`` or a year typed as ``2206`` is a
    placeholder or a slip, so the next signal should give the date instead.
    """
    if value is None:
        return False
    now = now or datetime.now(UTC)
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    return aware.year >= EARLIEST_YEAR and aware <= now + timedelta(days=1)


def is_midnight(raw: str | None, tz: tzinfo = UTC) -> bool:
    """A date string whose time of day is 00:00: often a date without time that a CMS stored as one."""
    value = parse_date(raw, tz)
    return value is not None and has_time(raw) and (value.hour, value.minute, value.second) == (0, 0, 0)


def has_offset(raw: str | None) -> bool:
    """Whether a date string states its UTC offset (else the reader's time zone decides the instant)."""
    return bool(raw and _OFFSET.search(clean(raw)))


def has_time(raw: str | None) -> bool:
    """Whether a date string gives a time of day, so a date-only value can borrow one elsewhere."""
    return bool(raw and _TIME.search(clean(raw).split("T", 1)[-1]))


def _parse_iso(text: str, tz: tzinfo, order: str = "dmy") -> datetime | None:
    match = _ISO.search(text)
    if not match:
        return None
    value = datetime.fromisoformat(match.group(0).replace(" ", "T").replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=tz)


def _parse_ymd(text: str, tz: tzinfo, order: str = "dmy") -> datetime | None:
    """``2026/03/07 08:01``, ``2026.03.07``: a date that starts with the year is year-month-day everywhere."""
    date = _YMD.search(text)
    if not date:
        return None
    return _with_time(int(date["y"]), int(date["m"]), int(date["d"]), _around(text, date), tz)


def _parse_dmy(text: str, tz: tzinfo, order: str = "dmy") -> datetime | None:
    date = _DMY.search(text)
    if not date:
        return None
    day, month = (int(date["d"]), int(date["m"])) if order == "dmy" else (int(date["m"]), int(date["d"]))
    year = int(date["y"]) if len(date["y"]) == 4 else 2000 + int(date["y"])
    return _with_time(year, month, day, _around(text, date), tz)


@lru_cache(maxsize=1)
def _month_numbers() -> dict[str, int]:
    from tasks.month_names import month_numbers

    return month_numbers()


def _parse_words(text: str, tz: tzinfo, order: str = "dmy") -> datetime | None:
    """A date whose month is spelled out, so the order setting does not apply: the number after "tháng"
    (``ngày 7 tháng 3 năm 2026``, which the general parser read as July), a CJK date, or a month word of
    one of the languages of ``tasks.month_names``."""
    for pattern in (_VI_WORDS, _CJK):
        date = pattern.search(text)
        if date:
            return _with_time(int(date["y"]), int(date["m"]), int(date["d"]), _around(text, date), tz)
    months = _month_numbers()
    for pattern in (_WORDS_DAY_FIRST, _WORDS_MONTH_FIRST):
        for date in pattern.finditer(text):
            month = months.get(date["w"].lower())
            if month:
                return _with_time(int(date["y"]), month, int(date["d"]), _around(text, date), tz)
    return None


def _around(text: str, date: re.Match) -> str:
    """The string without its date: where the time of day and the offset are looked for."""
    return text[: date.start()] + " " + text[date.end():]


def _unknown_month_word(text: str) -> bool:
    """A day, a word and a year, the word no month we know: guessing would give a wrong date."""
    months = _month_numbers()
    return any(date["w"].lower() not in months for date in _WORDS_DAY_FIRST.finditer(text))


def _with_time(year: int, month: int, day: int, rest: str, tz: tzinfo) -> datetime:
    """The day with the time of day, offset and part of the day (``PM``, ``chiều``) the rest of the string gives."""
    hour = minute = second = 0
    time = _TIME.search(rest)
    stated = None
    if time:
        hour, minute = int(time["h"]), int(time["min"])
        second = int(time["s"] or 0)
        ampm = (time["ampm"] or "").lower()
        if hour in _AFTERNOON.get(ampm, ()):
            hour += 12
        elif hour == 12 and _MIDNIGHT.get(ampm) == 12:
            hour = 0
        if time["offset"]:
            stated = datetime.strptime(time["offset"].replace(":", ""), "%z").tzinfo
    value = datetime(year, month, day, hour, minute, second)
    offset = _GMT.search(rest)
    if offset:
        delta = timedelta(hours=int(offset["h"]), minutes=int(offset["m"] or 0))
        return value.replace(tzinfo=timezone(delta if offset["sign"] == "+" else -delta))
    return value.replace(tzinfo=stated or tz)


def _parse_rfc2822(text: str, tz: tzinfo, order: str = "dmy") -> datetime | None:
    if _GMT.search(text):
        return None  # "GMT+7": the email parser would read GMT and drop the +7
    value = parsedate_to_datetime(text)
    return value if value.tzinfo else value.replace(tzinfo=tz)


def _parse_other(text: str, tz: tzinfo, order: str = "dmy") -> datetime | None:
    if not re.search(r"\b(?:19|20)\d{2}\b", text):
        return None  # fuzzy parsing of text without a year invents today's date
    if _unknown_month_word(text):
        return None  # fuzzy parsing takes the day for the month and invents the day (7 <word> 2026 -> 1 July)
    # dateutil reads "GMT+7" the POSIX way (UTC-7): take the offset out and apply it as news sites mean it.
    offset = _GMT.search(text)
    if offset:
        text = text[: offset.start()] + " " + text[offset.end():]
        delta = timedelta(hours=int(offset["h"]), minutes=int(offset["m"] or 0))
        tz = timezone(delta if offset["sign"] == "+" else -delta)
    text = re.sub(r"\b(?:um|Uhr|à|a las|kl\.?|klo|o)\b", " ", text, flags=re.IGNORECASE)
    with warnings.catch_warnings():  # an ambiguous zone name ("IST") is dropped: the time is read as local
        warnings.simplefilter("ignore", dateutil_parser.UnknownTimezoneWarning)
        value = dateutil_parser.parse(text, dayfirst=order == "dmy" and not re.match(r"^[A-Za-z]", text),
                                      fuzzy=True)
    if value.year < EARLIEST_YEAR:
        return None
    return value if value.tzinfo else value.replace(tzinfo=tz)
