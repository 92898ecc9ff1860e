"""The sources file (TOML) and the environment settings, validated before anything runs.

A mistake in ``sources.toml`` is caught here, with the file, the source and the key
named, so that a run never starts half-configured. Settings come from the
environment with safe defaults; nothing else reads ``os.environ``.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_SOURCES_FILE = Path("sources.toml")
DEFAULT_TIMEZONE = "UTC"
NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")


class ConfigError(Exception):
    """The sources file or a setting is wrong; the message says where and how to fix it."""


@dataclass(frozen=True)
class Source:
    """One news site: where its article URLs are listed and how to read its pages."""

    name: str
    title: str
    homepage: str
    feeds: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    language: str | None = None
    timezone: str = DEFAULT_TIMEZONE
    # Optional CSS selectors for this site's pages, tried before any generic signal:
    # keys title, lead, body, authors, byline, published_at, section (see SELECTOR_KEYS).
    selectors: tuple[tuple[str, str], ...] = ()

    @property
    def host(self) -> str:
        return site_host(self.homepage)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def owns(self, url: str) -> bool:
        """True for URLs on the source's own host (``www.``, scheme and default ports do not matter)."""
        return site_host(url) == self.host


_DEFAULT_PORTS = {"http": 80, "https": 443}


def site_host(url: str) -> str:
    """Host and non-default port, without ``www.``: ``https://www.x.vn/a`` and ``http://x.vn/b`` match."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    host = host[4:] if host.startswith("www.") else host
    try:
        port = parts.port
    except ValueError:
        return host
    if port and port != _DEFAULT_PORTS.get(parts.scheme):
        host = f"{host}:{port}"
    return host


_FIELDS: dict[str, type] = {
    "name": str,
    "title": str,
    "homepage": str,
    "feeds": list,
    "sitemaps": list,
    "language": str,
    "timezone": str,
    "selectors": dict,
}
SELECTOR_KEYS = ("title", "lead", "body", "authors", "byline", "published_at", "section")
_REQUIRED = ("name", "homepage")


def load_sources(path: str | Path = DEFAULT_SOURCES_FILE, only: list[str] | None = None) -> list[Source]:
    """Read and check a sources file; ``only`` keeps the named sources (unknown names are an error)."""
    path = Path(path)
    where = str(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{where}: file not found (pass --sources FILE)") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{where}: not valid TOML: {exc}") from None

    unknown = set(raw) - {"sources"}
    if unknown:
        raise ConfigError(f"{where}: unknown top-level key {_keys(unknown)}; only [[sources]] tables belong here")
    tables = raw.get("sources")
    if not isinstance(tables, list) or not tables:
        raise ConfigError(f"{where}: no [[sources]] tables found")

    sources: list[Source] = []
    for index, table in enumerate(tables, start=1):
        sources.append(_parse_source(table, f"{where}: source #{index}"))
    names = [s.name for s in sources]
    duplicated = sorted({n for n in names if names.count(n) > 1})
    if duplicated:
        raise ConfigError(f"{where}: source name {_keys(duplicated)} is used more than once")
    if only:
        missing = [n for n in only if n not in names]
        if missing:
            raise ConfigError(f"{where}: no source named {_keys(missing)} (known: {', '.join(names)})")
        sources = [s for s in sources if s.name in only]
    return sources


def _parse_source(table: dict, where: str) -> Source:
    if isinstance(table.get("name"), str):
        where = f"{where.rsplit(': ', 1)[0]}: source '{table['name']}'"
    unknown = set(table) - set(_FIELDS)
    if unknown:
        raise ConfigError(f"{where}: unknown key {_keys(unknown)} (allowed: {', '.join(_FIELDS)})")
    for key in _REQUIRED:
        if key not in table:
            raise ConfigError(f"{where}: missing required key '{key}'")
    for key, value in table.items():
        expected = _FIELDS[key]
        if not isinstance(value, expected):
            raise ConfigError(f"{where}: key '{key}' must be a {expected.__name__}, got {type(value).__name__}")
    name = table["name"]
    if not NAME_PATTERN.match(name):
        raise ConfigError(f"{where}: key 'name' must be a short id of a-z, 0-9, '_' or '-', got {name!r}")
    homepage = _check_url(table["homepage"], where, "homepage")
    feeds = tuple(_check_url(u, where, "feeds") for u in table.get("feeds", []))
    sitemaps = tuple(_check_url(u, where, "sitemaps") for u in table.get("sitemaps", []))
    if not feeds and not sitemaps:
        raise ConfigError(f"{where}: needs at least one URL in 'feeds' or 'sitemaps'")
    timezone = table.get("timezone", DEFAULT_TIMEZONE)
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"{where}: key 'timezone' is not an IANA time zone: {timezone!r}") from None
    selectors = _check_selectors(table.get("selectors", {}), where)
    return Source(
        name=name,
        title=table.get("title", name),
        homepage=homepage,
        feeds=feeds,
        sitemaps=sitemaps,
        language=table.get("language"),
        timezone=timezone,
        selectors=selectors,
    )


def _check_selectors(value: dict, where: str) -> tuple[tuple[str, str], ...]:
    """A source's ``[sources.selectors]`` table: known field names mapped to CSS selectors that compile."""
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


def _check_url(value: object, where: str, key: str) -> str:
    if not isinstance(value, str):
        raise ConfigError(f"{where}: key '{key}' must hold URL strings, got {value!r}")
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"{where}: key '{key}' has {value!r}, which is not an http(s) URL")
    return value


def _keys(keys) -> str:
    return ", ".join(f"'{k}'" for k in sorted(keys))


@dataclass(frozen=True)
class Settings:
    """Run-wide settings from the environment; every field says its variable and default."""

    database_url: str | None  # DATABASE_URL; unset means the embedded Postgres
    data_dir: Path  # NEWSETL_DATA_DIR, default ~/.local/share/newsetl (embedded Postgres lives here)
    user_agent: str  # NEWSETL_USER_AGENT
    batch_size: int  # NEWSETL_BATCH_SIZE, default 25 pages per Prefect task run
    timeout: float  # NEWSETL_TIMEOUT, default 20 s connect+read per request
    max_bytes: int  # NEWSETL_MAX_BYTES, default 5 MB per response body


USER_AGENT = "newsetl/0.1 (+https://github.com/newsetl/newsetl; news archive ETL)"


def settings() -> Settings:
    env = os.environ
    data_home = Path(env.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    try:
        return Settings(
            database_url=env.get("DATABASE_URL") or None,
            data_dir=Path(env.get("NEWSETL_DATA_DIR") or data_home / "newsetl").expanduser(),
            user_agent=env.get("NEWSETL_USER_AGENT") or USER_AGENT,
            batch_size=int(env.get("NEWSETL_BATCH_SIZE") or 25),
            timeout=float(env.get("NEWSETL_TIMEOUT") or 20),
            max_bytes=int(env.get("NEWSETL_MAX_BYTES") or 5_000_000),
        )
    except ValueError as exc:
        raise ConfigError(f"environment: a NEWSETL_* setting is not a number: {exc}") from None
