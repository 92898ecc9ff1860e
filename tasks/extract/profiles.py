"""Site profiles: what one site's pages print where, as data, for the sites the generic cascade reads wrong.

A profile is a TOML file, ``NAME.toml``: the hosts it is for and one ``[[layouts]]`` table per
page template the site has used, each with CSS selectors for the fields it names (``title``,
``lead``, ``body``, ``authors``, ``byline``, ``published_at``, ``section``), a ``date_format``
for the printed date (read in the profile's ``timezone`` when it has no offset), an
``article_urls`` pattern for article links on the site's listing pages, and ``valid_from`` /
``valid_until`` days bounding when that template was served.
Shipped profiles live in ``tasks/profiles/``; a ``profiles/`` folder beside the sources file
adds to them (a file of the same name replaces the shipped one).

Which layout reads a page is decided by when the page was *served* (its fetch time, or a web
archive capture's WARC-Date), as Fundus does: an archived page shows the template of the day it
was captured, and a site that moves its archive to a new template serves old articles in it.
Where that time is unknown (a saved file read by ``newsetl eval`` or ``extract``), the page's
own publication date as the generic signals give it stands in for it.

Everything is checked when the profile is read: an unknown key, a selector that is not CSS, a
pattern that is not a regular expression, a date format without day, month and year, or
overlapping layouts is a :class:`ConfigError` (exit code 2) naming the file, layout and key.
The extractor only reads the fields a layout names; every other field keeps the generic cascade.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, replace
from datetime import date, datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tasks.errors import ConfigError

SHIPPED_DIR = Path(__file__).resolve().parent.parent / "profiles"
SELECTOR_KEYS = ("title", "lead", "body", "authors", "byline", "published_at", "section")
LAYOUT_KEYS = (*SELECTOR_KEYS, "date_format", "article_urls", "valid_from", "valid_until", "note")
PROFILE_KEYS = ("name", "hosts", "timezone", "note", "layouts")
# strptime directives a date_format may use, and the text each matches on the page
_DIRECTIVES = {"d": r"\d{1,2}", "m": r"\d{1,2}", "Y": r"\d{4}", "y": r"\d{2}", "H": r"\d{1,2}", "I": r"\d{1,2}",
               "M": r"\d{2}", "S": r"\d{2}", "p": r"(?:AM|PM|am|pm)", "z": r"(?:Z|[+-]\d{2}:?\d{2})", "%": "%"}


@dataclass(frozen=True)
class Layout:
    """One template of a site: the selectors it names, and the days it was served (``valid_until`` excluded)."""

    selectors: tuple[tuple[str, str], ...] = ()
    date_format: str | None = None
    article_urls: str | None = None
    valid_from: date | None = None
    valid_until: date | None = None
    timezone: str | None = None  # the profile's: the zone a date_format without %z is read in

    def serves(self, day: date) -> bool:
        return (self.valid_from is None or day >= self.valid_from) and \
            (self.valid_until is None or day < self.valid_until)

    @property
    def label(self) -> str:
        """``2019-01-01..2020-06-01`` for provenance: which layout read a page."""
        return f"{self.valid_from or ''}..{self.valid_until or ''}"

    def read_date(self, text: str | None) -> str | None:
        """The printed date read by ``date_format`` (found anywhere in the text), as ISO 8601; else None."""
        if not text or not self.date_format:
            return None
        match = re.search(_format_pattern(self.date_format), text)
        if not match:
            return None
        try:
            value = datetime.strptime(match.group(0), self.date_format)
        except ValueError:
            return None
        if value.tzinfo is None and self.timezone:
            value = value.replace(tzinfo=ZoneInfo(self.timezone))
        return value.isoformat()

    def article_url(self, url: str) -> bool:
        return bool(self.article_urls and _compiled(self.article_urls).search(url))


@dataclass(frozen=True)
class Profile:
    """A site's profile: its hosts and its layouts, oldest first."""

    name: str
    hosts: tuple[str, ...]
    layouts: tuple[Layout, ...]
    path: str = ""

    def layout_at(self, when: date | datetime | None) -> Layout | None:
        """The layout served on ``when``, None for a day no layout covers (the generic cascade reads it);
        with no date, the current one (without ``valid_until``), else None."""
        if when is None:
            return next((layout for layout in self.layouts if layout.valid_until is None), None)
        day = when.date() if isinstance(when, datetime) else when
        return next((layout for layout in self.layouts if layout.serves(day)), None)

    def for_host(self, host: str | None) -> bool:
        return bool(host) and _bare(host) in self.hosts


def load_profile(path: str | Path) -> Profile:
    """Read and check one profile file (see the module docstring for what is checked)."""
    path = Path(path)
    where = str(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{where}: profile file not found") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{where}: not valid TOML: {exc}") from None
    unknown = set(raw) - set(PROFILE_KEYS)
    if unknown:
        raise ConfigError(f"{where}: unknown key {_keys(unknown)} (allowed: {', '.join(PROFILE_KEYS)})")
    name = raw.get("name", path.stem)
    if not isinstance(name, str) or not re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,62}", name):
        raise ConfigError(f"{where}: key 'name' must be a short id of a-z, 0-9, '_' or '-', got {name!r}")
    hosts = raw.get("hosts")
    if not isinstance(hosts, list) or not hosts or not all(isinstance(h, str) and re.fullmatch(
            r"[a-z0-9.-]+(:\d+)?", h.lower()) for h in hosts):
        raise ConfigError(f"{where}: key 'hosts' must list the site's host names, like ['vnexpress.net'], "
                          f"got {hosts!r}")
    tables = raw.get("layouts")
    if not isinstance(tables, list) or not tables or not all(isinstance(t, dict) for t in tables):
        raise ConfigError(f"{where}: needs at least one [[layouts]] table")
    zone = raw.get("timezone")
    if zone is not None:
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError, TypeError):
            raise ConfigError(f"{where}: key 'timezone' is not an IANA time zone: {zone!r}") from None
    layouts = [replace(_layout(table, f"{where}: layout #{i}"), timezone=zone)
               for i, table in enumerate(tables, start=1)]
    layouts.sort(key=lambda layout: layout.valid_from or date.min)
    for earlier, later in zip(layouts, layouts[1:], strict=False):
        if earlier.valid_until is None or later.valid_from is None or earlier.valid_until > later.valid_from:
            raise ConfigError(f"{where}: layouts {earlier.label} and {later.label} overlap: give each older "
                              f"layout a valid_until at or before the next one's valid_from")
    return Profile(name, tuple(_bare(h) for h in hosts), tuple(layouts), where)


def check_selectors(value: dict, where: str) -> tuple[tuple[str, str], ...]:
    """Field names mapped to CSS selectors that compile (a layout's, or a source's ``[sources.selectors]``)."""
    from cssselect import GenericTranslator, SelectorError

    checked = []
    for key, selector in value.items():
        if key not in SELECTOR_KEYS:
            raise ConfigError(f"{where}: unknown selector key '{key}' (allowed: {', '.join(SELECTOR_KEYS)})")
        if not isinstance(selector, str) or not selector.strip():
            raise ConfigError(f"{where}: selector '{key}' must be a CSS selector string, got {selector!r}")
        try:
            GenericTranslator().css_to_xpath(selector)
        except SelectorError as exc:
            raise ConfigError(f"{where}: selector '{key}' is not valid CSS ({selector!r}): {exc}") from None
        checked.append((key, selector.strip()))
    return tuple(checked)


def _layout(table: dict, where: str) -> Layout:
    unknown = set(table) - set(LAYOUT_KEYS)
    if unknown:
        raise ConfigError(f"{where}: unknown key {_keys(unknown)} (allowed: {', '.join(LAYOUT_KEYS)})")
    selectors = check_selectors({k: table[k] for k in SELECTOR_KEYS if k in table}, where)
    date_format = table.get("date_format")
    if date_format is not None:
        _check_format(date_format, where)
    pattern = table.get("article_urls")
    if pattern is not None:
        if not isinstance(pattern, str) or not pattern:
            raise ConfigError(f"{where}: key 'article_urls' must be a regular expression string, got {pattern!r}")
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ConfigError(f"{where}: key 'article_urls' is not a regular expression ({pattern!r}): {exc}") \
                from None
    valid_from, valid_until = (_day(table.get(k), where, k) for k in ("valid_from", "valid_until"))
    if valid_from and valid_until and valid_from >= valid_until:
        raise ConfigError(f"{where}: valid_from {valid_from} is not before valid_until {valid_until}")
    if not selectors and not pattern:
        raise ConfigError(f"{where}: names no selector and no article_urls: a layout must override something")
    return Layout(tuple(selectors), date_format, pattern, valid_from, valid_until)


def _check_format(value: object, where: str) -> None:
    if not isinstance(value, str) or not value:
        raise ConfigError(f"{where}: key 'date_format' must be a strptime format string, got {value!r}")
    directives = re.findall(r"%(.)", value)
    bad = sorted({d for d in directives if d not in _DIRECTIVES})
    if bad:
        raise ConfigError(f"{where}: key 'date_format' uses {', '.join('%' + d for d in bad)}; allowed: "
                          f"{' '.join('%' + d for d in _DIRECTIVES)}, got {value!r}")
    if not {"d", "m"} <= set(directives) or not {"Y", "y"} & set(directives):
        raise ConfigError(f"{where}: key 'date_format' must give the day (%d), month (%m) and year (%Y or %y), "
                          f"got {value!r}")


def _day(value: object, where: str, key: str) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise ConfigError(f"{where}: key '{key}' must be a day like 2019-01-01, got {value!r}")


@cache
def _format_pattern(date_format: str) -> re.Pattern:
    # a space stands for any run of whitespace, as in strptime; a number does not start inside another
    parts = re.split(r"(%.)", date_format)
    return re.compile(r"(?<!\d)" + "".join(_DIRECTIVES[p[1]] if p.startswith("%") and len(p) == 2 else
                                            r"\s+".join(re.escape(w) for w in p.split(" ")) for p in parts if p))


@cache
def _compiled(pattern: str) -> re.Pattern:
    return re.compile(pattern)


def _bare(host: str) -> str:
    host = host.lower().rstrip(".")
    return host[4:] if host.startswith("www.") else host


def _keys(keys) -> str:
    return ", ".join(f"'{k}'" for k in sorted(keys))


def load_profiles(*folders: Path | None) -> dict[str, Profile]:
    """Every profile of the shipped folder, then of each given folder (a later one replaces a shipped one by name)."""
    found: dict[str, Profile] = {}
    for folder in (SHIPPED_DIR, *folders):
        if folder is None or not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.toml")):
            profile = _load_cached(path) if folder == SHIPPED_DIR else load_profile(path)
            found[profile.name] = profile
    return found


@cache
def _load_cached(path: Path) -> Profile:
    return load_profile(path)


def find_profile(name_or_path: str, *folders: Path | None) -> Profile:
    """A profile by name (shipped or in ``folders``) or by the path of its file (``newsetl eval --profile``)."""
    if name_or_path.endswith(".toml") or "/" in name_or_path:
        return load_profile(name_or_path)
    profiles = load_profiles(*folders)
    if name_or_path not in profiles:
        raise ConfigError(f"no profile named {name_or_path!r} (known: {', '.join(sorted(profiles)) or 'none'})")
    return profiles[name_or_path]


def profile_for_host(host: str | None, profiles: dict[str, Profile]) -> Profile | None:
    """The profile whose ``hosts`` name ``host`` (``www.`` aside), if any."""
    return next((p for p in profiles.values() if p.for_host(host)), None)
