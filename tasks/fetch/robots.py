"""robots.txt per host, read once per process and hour, with protego (Scrapy's parser).

Rules follow RFC 9309: a 2xx file is obeyed; a 4xx (no file) allows everything;
a 5xx or an unreachable server means "assume everything is disallowed" until the
file can be read, so a struggling site is not crawled blind. Crawl-delay slows the
host down (never speeds it up), and ``Sitemap:`` lines feed discovery for sources
that list no sitemaps.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from protego import Protego

from tasks.records import FetchedPage
from tasks.urls import site_host

log = logging.getLogger(__name__)

ROBOTS_TTL = 3600.0  # a long-running `newsetl serve` re-reads robots.txt hourly
UNREACHABLE_TTL = 60.0  # an unreadable robots.txt is asked for again a minute later
MAX_ROBOTS_BYTES = 512_000  # RFC 9309: parse at least 500 KiB


@dataclass(frozen=True)
class RobotsRules:
    """What one host's robots.txt says to our user agent."""

    parser: Protego | None  # None: no usable file, see ``disallow_all``
    disallow_all: str | None = None  # the reason everything is off limits (robots.txt unreachable)
    fetched_at: float = 0.0
    moved_to: str | None = None  # robots.txt redirected off the source's hosts, here: the whole site moved

    def refusal(self, url: str, agent: str) -> str | None:
        if self.disallow_all:
            return self.disallow_all
        if self.parser is not None and not self.parser.can_fetch(url, agent):
            return "disallowed by robots.txt"
        return None

    def crawl_delay(self, agent: str) -> float | None:
        if self.parser is None:
            return None
        delay = self.parser.crawl_delay(agent)
        return float(delay) if delay is not None else None

    def sitemaps(self) -> list[str]:
        return list(self.parser.sitemaps) if self.parser is not None else []


def robots_url(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/robots.txt"


def agent_token(user_agent: str) -> str:
    """The product token robots.txt groups are matched against: 'newsetl' in 'newsetl/0.1 (+https://...)'."""
    return user_agent.split("/")[0].split()[0] if user_agent.strip() else "*"


def rules_from_response(page: FetchedPage | None, error: str | None = None, moved_to: str | None = None) -> RobotsRules:
    """RFC 9309's reading of a robots.txt answer (``page`` None: the request failed with ``error``)."""
    now = time.monotonic()
    if page is None:
        return RobotsRules(None, f"{error} (reading robots.txt; nothing is fetched from the host without it)", now,
                           moved_to)
    if 200 <= page.status < 300:
        text = page.body[:MAX_ROBOTS_BYTES].decode("utf-8", errors="replace")
        return RobotsRules(Protego.parse(text), None, now)
    if 400 <= page.status < 500:
        return RobotsRules(None, None, now)  # no robots.txt: everything allowed
    return RobotsRules(None, f"robots.txt answered HTTP {page.status}; nothing is fetched from the host without it",
                       now)


class RobotsCache:
    """Rules per host; one fetch per host even when many threads ask at once."""

    def __init__(self, ttl: float = ROBOTS_TTL):
        self.ttl = ttl
        self._rules: dict[str, RobotsRules] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()

    def rules(self, url: str, load: Callable[[str], RobotsRules]) -> RobotsRules:
        """The rules for ``url``'s host; ``load(robots_url)`` reads them when not cached or stale."""
        host = site_host(url)
        with self._lock:
            host_lock = self._locks.setdefault(host, threading.Lock())
        with host_lock:
            cached = self._rules.get(host)
            ttl = UNREACHABLE_TTL if cached is not None and cached.disallow_all else self.ttl
            if cached is not None and time.monotonic() - cached.fetched_at < ttl:
                return cached
            rules = load(robots_url(url))
            if rules.disallow_all:
                log.warning("%s: %s", host, rules.disallow_all)
            self._rules[host] = rules
            return rules

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()


ROBOTS = RobotsCache()
