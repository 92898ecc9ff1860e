"""The sources file (TOML) and the environment settings, validated before anything runs.

A mistake in ``sources.toml`` is caught here, with the file, the source and the key
named, so that a run never starts half-configured. Settings come from the
environment with safe defaults; nothing else reads ``os.environ``.
"""

from __future__ import annotations

import ipaddress
import math
import os
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tasks.dates import DATE_ORDERS
from tasks.errors import ConfigError, DatabaseError
from tasks.extract.profiles import Profile, check_selectors, load_profiles, profile_for_host
from tasks.urls import DEFAULT_PAGE_URL, UrlRules, homepage_host, listing_page_url, site_host

DEFAULT_SOURCES_FILE = Path("sources.toml")
DEFAULT_TIMEZONE = "UTC"
MAX_LISTING_PAGES = 50  # deeper than this a listing is an archive crawl, not discovery of new stories
NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")


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
    date_order: str = "dmy"  # how the site prints numeric dates: day first (07/03/2026 = 7 March) or "mdy"
    # URL identity (tasks.urls): hosts serving the same articles as the homepage's
    # (``m.x.vn``, ``amp.x.vn``), whether ``/amp`` paths are copies, extra tracking parameters.
    mobile_hosts: tuple[str, ...] = ()
    amp_paths: bool = False
    tracking_params: tuple[str, ...] = ()
    hosts: tuple[str, ...] = ()  # further hosts of the site (CDN, old domain) it may be fetched from
    allow_addresses: tuple[str, ...] = ()  # private/loopback networks it may resolve to (tests, intranets)
    # Politeness per host, also for fetches outside any source: two requests in flight, one second between starts.
    max_connections: int = 2  # requests in flight to one host at once
    min_interval: float = 1.0  # seconds between two requests to one host
    listings: tuple[str, ...] = ()  # section pages whose article links are read (for sites without feeds)
    pages: int = 1  # how many pages of each listing to read: the listing itself, then pages 2..N
    page_url: str = DEFAULT_PAGE_URL  # where page n of a listing is: a template over {url} and {n}
    # Optional CSS selectors for this site's pages, tried before any generic signal:
    # keys title, lead, body, authors, byline, published_at, section (see SELECTOR_KEYS); they win over
    # the same keys of the profile's layout.
    selectors: tuple[tuple[str, str], ...] = ()
    # The site profile (tasks.extract.profiles): named by the source's ``profile`` key, else the one
    # whose ``hosts`` hold the homepage's host; None: the generic cascade alone.
    profile: Profile | None = None

    @property
    def host(self) -> str:
        return site_host(self.homepage)

    @property
    def all_hosts(self) -> frozenset[str]:
        """The homepage's host, its mobile/AMP hosts and the listed ones: nothing else is fetched for this source."""
        return frozenset({self.host, *self.mobile_hosts,
                          *(site_host(h if "//" in h else f"http://{h}") for h in self.hosts)})

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def owns(self, url: str) -> bool:
        """True for URLs on the source's own hosts (``www.``, scheme and default ports do not matter)."""
        return site_host(url) in self.all_hosts

    @property
    def url_rules(self) -> UrlRules:
        """How this source's URLs fold to one identity (see ``tasks.urls``)."""
        return UrlRules(host=homepage_host(self.homepage), mobile_hosts=frozenset(self.mobile_hosts),
                        amp_paths=self.amp_paths,
                        tracking_params=frozenset(p.lower() for p in (*self.tracking_params,
                                                                       *settings().tracking_params)))


_FIELDS: dict[str, type] = {
    "name": str,
    "title": str,
    "homepage": str,
    "feeds": list,
    "sitemaps": list,
    "language": str,
    "timezone": str,
    "date_order": str,
    "mobile_hosts": list,
    "amp_paths": bool,
    "tracking_params": list,
    "hosts": list,
    "allow_addresses": list,
    "max_connections": int,
    "min_interval": (int, float),
    "listings": list,
    "pages": int,
    "page_url": str,
    "selectors": dict,
    "profile": str,
}
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

    profiles = load_profiles(path.parent / "profiles")
    sources: list[Source] = []
    for index, table in enumerate(tables, start=1):
        sources.append(_parse_source(table, f"{where}: source #{index}", profiles))
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


def parse_source_table(table: dict, where: str) -> Source:
    """One ``[[sources]]`` table, checked as the sources file's are (``newsetl sources add`` checks its options so)."""
    return _parse_source(table, where)


def _parse_source(table: dict, where: str, profiles: dict[str, Profile] | None = None) -> Source:
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
        if not isinstance(value, expected) or (isinstance(value, bool) and expected is not bool):
            kind = "number" if isinstance(expected, tuple) else expected.__name__
            raise ConfigError(f"{where}: key '{key}' must be a {kind}, got {type(value).__name__}")
    name = table["name"]
    if not NAME_PATTERN.match(name):
        raise ConfigError(f"{where}: key 'name' must be a short id of a-z, 0-9, '_' or '-', got {name!r}")
    homepage = _check_url(table["homepage"], where, "homepage")
    feeds = tuple(_check_url(u, where, "feeds") for u in table.get("feeds", []))
    sitemaps = tuple(_check_url(u, where, "sitemaps") for u in table.get("sitemaps", []))
    listings = tuple(_check_url(u, where, "listings") for u in table.get("listings", []))
    if not feeds and not sitemaps and not listings:
        raise ConfigError(f"{where}: needs at least one URL in 'feeds', 'sitemaps' or 'listings'")
    pages, page_url = _check_paging(table, where, listings)
    timezone = table.get("timezone", DEFAULT_TIMEZONE)
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"{where}: key 'timezone' is not an IANA time zone: {timezone!r}") from None
    selectors = check_selectors(table.get("selectors", {}), where)
    profiles = profiles or {}
    if "profile" in table:
        profile = profiles.get(table["profile"])
        if profile is None:
            raise ConfigError(f"{where}: key 'profile' names no known profile: {table['profile']!r} "
                              f"(known: {', '.join(sorted(profiles)) or 'none'})")
    else:
        profile = profile_for_host(site_host(homepage), profiles)
    date_order = table.get("date_order", "dmy")
    if date_order not in DATE_ORDERS:
        raise ConfigError(f"{where}: key 'date_order' must be one of {', '.join(DATE_ORDERS)}, got {date_order!r}")
    return Source(
        name=name,
        title=table.get("title", name),
        homepage=homepage,
        feeds=feeds,
        sitemaps=sitemaps,
        language=table.get("language"),
        timezone=timezone,
        date_order=date_order,
        mobile_hosts=tuple(_check_host(h, where) for h in table.get("mobile_hosts", [])),
        amp_paths=table.get("amp_paths", False),
        tracking_params=tuple(_check_param(p, where) for p in table.get("tracking_params", [])),
        listings=listings,
        pages=pages,
        page_url=page_url,
        selectors=selectors,
        profile=profile,
        **_politeness(table, where),
    )


def _politeness(table: dict, where: str) -> dict:
    """The scope and pacing keys of a source, checked: hosts, allowed addresses, connections, interval."""
    hosts = table.get("hosts", [])
    for host in hosts:
        if not isinstance(host, str) or not host or "/" in host.split("//")[-1]:
            raise ConfigError(f"{where}: key 'hosts' must hold host names like 'cdn.example.vn', got {host!r}")
    allowed = table.get("allow_addresses", [])
    for network in allowed:
        try:
            ipaddress.ip_network(network, strict=False)
        except (TypeError, ValueError):
            raise ConfigError(f"{where}: key 'allow_addresses' must hold IP addresses or networks "
                              f"like '127.0.0.1' or '10.0.0.0/8', got {network!r}") from None
    connections = table.get("max_connections", Source.max_connections)
    if not 1 <= connections <= 16:
        raise ConfigError(f"{where}: key 'max_connections' must be between 1 and 16, got {connections}")
    interval = float(table.get("min_interval", Source.min_interval))
    if not 0 <= interval <= 600:
        raise ConfigError(f"{where}: key 'min_interval' must be between 0 and 600 seconds, got {interval:g}")
    return {"hosts": tuple(hosts), "allow_addresses": tuple(allowed), "max_connections": connections,
            "min_interval": interval}


def _check_paging(table: dict, where: str, listings: tuple[str, ...]) -> tuple[int, str]:
    for key in ("pages", "page_url"):
        if key in table and not listings:
            raise ConfigError(f"{where}: key '{key}' needs 'listings' (it says how to page through them)")
    pages = table.get("pages", 1)
    if not 1 <= pages <= MAX_LISTING_PAGES:
        raise ConfigError(f"{where}: key 'pages' must be between 1 and {MAX_LISTING_PAGES}, got {pages}")
    page_url = table.get("page_url", DEFAULT_PAGE_URL)
    try:
        example = listing_page_url(listings[0] if listings else "https://example.org/news", 2, page_url)
    except (KeyError, IndexError, ValueError):
        raise ConfigError(f"{where}: key 'page_url' may use only {{url}}, {{stem}} and {{n}}, "
                          f"got {page_url!r}") from None
    if "{n}" not in page_url:
        raise ConfigError(f"{where}: key 'page_url' must contain {{n}} (the page number), got {page_url!r}")
    _check_url(example, where, "page_url")
    return pages, page_url


def _check_url(value: object, where: str, key: str) -> str:
    if not isinstance(value, str):
        raise ConfigError(f"{where}: key '{key}' must hold URL strings, got {value!r}")
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"{where}: key '{key}' has {value!r}, which is not an http(s) URL")
    return value


def _check_host(value: object, where: str) -> str:
    if not isinstance(value, str) or not re.fullmatch(r"[a-z0-9.-]+(:[0-9]+)?", value.lower()):
        raise ConfigError(f"{where}: key 'mobile_hosts' must hold host names like 'm.example.vn', got {value!r}")
    host = value.lower()
    return host[4:] if host.startswith("www.") else host


def _check_param(value: object, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{where}: key 'tracking_params' must hold query parameter names, got {value!r}")
    return value.strip()


def _keys(keys) -> str:
    return ", ".join(f"'{k}'" for k in sorted(keys))


# --- run-wide settings, from the environment ------------------------------------------------------------

USER_AGENT = "newsetl/0.1 (+https://github.com/newsetl/newsetl; news archive ETL)"


def _text(raw: str) -> str:
    return raw


# What a warehouse URL may start with: the schemes libpq and SQLAlchemy's psycopg2 dialect take.
DATABASE_SCHEMES = ("postgresql", "postgres", "postgresql+psycopg2")


def _database_url(raw: str) -> str:
    """A ``postgresql://`` URL whose parts parse, checked before any connection is tried.

    Each fault named here used to surface later as a traceback (SQLAlchemy parsing the port, a
    dialect import), or worse as a host-name lookup: an unescaped ``@`` in the password makes
    libpq resolve ``rest@host``. The message never repeats the URL, which may hold a password.
    """
    from urllib.parse import urlsplit

    if "://" not in raw:
        raise ValueError("a key=value connection string; newsetl takes the URL form")
    parts = urlsplit(raw.strip())
    if parts.scheme.lower() not in DATABASE_SCHEMES:
        raise ValueError(f"the scheme is {parts.scheme}://, not postgresql://")
    if parts.netloc.count("@") > 1:
        raise ValueError("more than one '@' before the host: write an '@' in the user or password as %40")
    try:
        parts.port  # noqa: B018 - parsing it is the check
    except ValueError:
        raise ValueError("the port is not a number from 0 to 65535") from None
    return raw


def _path(raw: str) -> Path:
    return Path(raw).expanduser()


def _names(raw: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in raw.split(",") if p.strip())


def _whole(minimum: int) -> Callable[[str], int]:
    def read(raw: str) -> int:
        try:
            value = int(raw)
        except ValueError:
            value = None
        if value is None or value < minimum:
            raise ValueError(f"must be a whole number, at least {minimum}")
        return value
    return read


def _number(minimum: float, *, above: bool = False, maximum: float | None = None) -> Callable[[str], float]:
    """A reader of decimal numbers from ``minimum`` (excluded when ``above``) to ``maximum``."""
    def read(raw: str) -> float:
        try:
            value = float(raw)
        except ValueError:
            value = math.nan
        low_ok = value > minimum if above else value >= minimum
        if not (low_ok and (maximum is None or value <= maximum)):  # NaN fails both
            bound = f"above {minimum:g}" if above else f"at least {minimum:g}"
            bound += f" and at most {maximum:g}" if maximum is not None else ""
            raise ValueError(f"must be a number {bound}")
        return value
    return read


def _http_url(raw: str) -> str:
    parts = urlsplit(raw.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("must be an http:// or https:// URL")
    return raw.strip()


def _setting(env: str, default: Any, meaning: str, read: Callable[[str], Any] = _text, *,
             shown: str | None = None, secret: bool = False, database: bool = False) -> Any:
    """One setting: its environment variable, default, one-line meaning (the README's), and its reader.

    ``read`` turns the variable's text into the value or raises ValueError saying what it must be.
    A callable ``default`` is computed when the settings are read; ``shown`` is how the README writes it;
    a ``secret`` one's value is never repeated in the message about it; a bad ``database`` one is a
    DatabaseError (exit 3, "the database cannot be reached"), any other a ConfigError (exit 2).
    """
    metadata = {"env": env, "meaning": meaning, "read": read, "shown": shown, "secret": secret,
                "database": database}
    if callable(default):
        return field(default_factory=default, metadata=metadata)
    return field(default=default, metadata=metadata)


def _data_home() -> Path:
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "newsetl"


@dataclass(frozen=True)
class Settings:
    """Run-wide settings, each declared once: variable, default, meaning, reader. ``settings()`` reads them.

    An unset or empty variable keeps the default. ``FetchPolicy`` and the near-duplicate
    threshold take their defaults from here; the README's environment table is checked against it.
    """

    database_url: str | None = _setting(
        "DATABASE_URL", None, "SQLAlchemy/libpq URL of the warehouse (`postgresql://user:pass@host:5432/db`; "
        "the driver is psycopg2)", _database_url, shown="unset: embedded Postgres", secret=True,
        database=True)
    database_url_file: Path | None = _setting(
        "DATABASE_URL_FILE", None, "a file holding that URL, read when `DATABASE_URL` is unset: a Docker or "
        "Kubernetes secret (`/run/secrets/database_url`), so the password is in no environment or compose file",
        _path, shown="unset")
    data_dir: Path = _setting(
        "NEWSETL_DATA_DIR", _data_home, "where the embedded Postgres keeps its data (`pgdata/`) between runs",
        _path, shown="`~/.local/share/newsetl`")
    user_agent: str = _setting("NEWSETL_USER_AGENT", USER_AGENT, "the User-Agent sent to sites")
    batch_size: int = _setting("NEWSETL_BATCH_SIZE", 25, "pages per Prefect task run", _whole(1))
    timeout: float = _setting("NEWSETL_TIMEOUT", 20.0, "seconds for connect (at most 10) and read, per request",
                              _number(0, above=True))
    max_bytes: int = _setting("NEWSETL_MAX_BYTES", 5_000_000, "largest response body read; larger is a reject",
                              _whole(1))
    refetch_days: float = _setting(
        "NEWSETL_REFETCH_DAYS", 2.0, "articles younger than this (by `published_at`, else first sighting) are "
        "fetched again on later runs, to catch corrections", _number(0))
    # Chosen on the labelled set (tests/data/neardup_set.py; `python -m benchmarks.neardup`):
    # syndicated copies score >= 0.66, different stories on similar topics <= 0.34; precision and
    # recall are flat from 0.2 to 0.6 (1.000 / 0.966). 0.5 is the middle of that gap.
    neardup_threshold: float = _setting(
        "NEWSETL_NEARDUP_THRESHOLD", 0.5, "shingle containment at which two articles are one story",
        _number(0, above=True, maximum=1))
    tracking_params: tuple[str, ...] = _setting(
        "NEWSETL_TRACKING_PARAMS", (), "comma-separated query parameters to drop from every source's URLs", _names)
    deadline: float = _setting("NEWSETL_DEADLINE", 60.0, "seconds one request may take in all: connect, "
                               "response headers, redirects and body", _number(0, above=True))
    retries: int = _setting("NEWSETL_RETRIES", 2, "retries after the first attempt (connection errors, timeouts, "
                            "408, 429, 5xx)", _whole(0))
    backoff: float = _setting("NEWSETL_BACKOFF", 0.5, "seconds before the first retry; doubles each time, "
                              "±25 % jitter", _number(0))
    max_connections: int = _setting("NEWSETL_MAX_CONNECTIONS", 8, "requests in flight over all hosts at once",
                                    _whole(1))
    max_crawl_delay: float = _setting("NEWSETL_MAX_CRAWL_DELAY", 30.0, "a robots.txt `Crawl-delay` above this "
                                      "many seconds is capped", _number(0))
    # Roles are the server's, not one database's: a second warehouse on the same server names its own
    # reader role, so that its readers cannot read this one (the tests use one per session).
    reader_role: str = _setting("NEWSETL_READER_ROLE", "newsetl_reader", "the read-only role (NOLOGIN) that "
                                "`newsetl db reader` logins belong to; the upgrade creates it if missing")
    lock_timeout: float = _setting("NEWSETL_LOCK_TIMEOUT", 60.0, "seconds a warehouse statement waits for a lock "
                                   "another session holds; then its batch fails, named (0: no limit)", _number(0))
    statement_timeout: float = _setting("NEWSETL_STATEMENT_TIMEOUT", 600.0, "seconds one warehouse statement may "
                                        "run (migrations excepted; 0: no limit)", _number(0))
    extract_processes: int = _setting(
        "NEWSETL_EXTRACT_PROCESSES", lambda: len(os.sched_getaffinity(0)), "worker processes that read pages "
        "(decode, extract, normalise), so extraction uses every core; at most this many pages are read at once. "
        "`1`: read in the run's own process, one page at a time (the time limit is then not enforced)",
        _whole(1), shown="the number of cores")
    extract_timeout: float = _setting(
        "NEWSETL_EXTRACT_TIMEOUT", 30.0, "seconds one page's reading may take; a page over it is a reject "
        "`timeout` and its worker process is replaced", _number(0, above=True))
    extract_bytes: int = _setting(
        "NEWSETL_EXTRACT_BYTES", 1_000_000, "raw page bytes in extraction at once, per read worker: a page waits "
        "while the pages being read and it would pass this times `NEWSETL_EXTRACT_PROCESSES`, so pages of "
        "megabytes are read one at a time (reading costs 30 to 60 times a page's size in memory)", _whole(1))
    batch_bytes: int = _setting(
        "NEWSETL_BATCH_BYTES", 50_000_000, "raw page bytes a batch holds before it loads what it has and goes on "
        "(bounds memory with large pages)", _whole(1))
    task_timeout: float = _setting(
        "NEWSETL_TASK_TIMEOUT", 1800.0, "seconds a Prefect task may run before it fails: a discovery, a reprocess "
        "batch; a source's ingest task and a WARC file's backfill task get this per batch", _number(0, above=True))

    alert_webhook: str | None = _setting(
        "NEWSETL_ALERT_WEBHOOK", None, "a URL a run POSTs a JSON message to when it failed, a source failed "
        "entirely, or a source drifted or went stale (see \"Source health and drift\"); 5 s timeout, a failing "
        "webhook is a warning", _http_url)

def settings() -> Settings:
    """The settings as the environment has them now; a bad value is a ConfigError naming its variable."""
    given: dict[str, Any] = {}
    for setting in fields(Settings):
        env = setting.metadata["env"]
        raw = os.environ.get(env)
        if raw is None or not raw.strip():
            continue
        try:
            given[setting.name] = setting.metadata["read"](raw)
        except ValueError as exc:
            if setting.metadata["database"]:
                raise DatabaseError(f"{env} is not a database URL ({exc}); expected "
                                    "postgresql://user:password@host:5432/database") from None
            got = "" if setting.metadata["secret"] else f", got {raw!r}"
            raise ConfigError(f"environment: {env} {exc}{got}") from None
    if "database_url_file" in given:
        given["database_url"] = _database_url_from_file(given["database_url_file"], "database_url" in given)
    return Settings(**given)


def _database_url_from_file(path: Path, also_given: bool) -> str:
    """The URL in ``DATABASE_URL_FILE`` (a secret), checked as ``DATABASE_URL`` is; never echoed."""
    if also_given:
        raise ConfigError("environment: DATABASE_URL and DATABASE_URL_FILE are both set: keep one")
    try:
        raw = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"environment: DATABASE_URL_FILE names {path}, which cannot be read: "
                          f"{getattr(exc, 'strerror', None) or exc}") from None
    if not raw:
        raise DatabaseError(f"DATABASE_URL_FILE {path} is empty; it should hold "
                            "postgresql://user:password@host:5432/database")
    try:
        return _database_url(raw)
    except ValueError as exc:
        raise DatabaseError(f"DATABASE_URL_FILE {path} holds no database URL ({exc}); expected "
                            "postgresql://user:password@host:5432/database") from None
