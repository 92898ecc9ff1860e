"""The HTTP client of the project: every robots.txt, feed, sitemap and page is fetched here.

(The one other request, in ``tasks.fetch.archives``, streams a WARC file the operator named for a backfill.)

One request goes through, in order: the source's scope (its hosts, and no private
address unless allowed; see ``tasks.fetch.scope``), robots.txt (``tasks.fetch.robots``), the
process-wide host limiter (``tasks.fetch.hosts``: connections and spacing per host, a
global cap; with a shared schedule, claimed in the warehouse so that every worker keeps them),
then the exchange itself with every bound a hostile server could abuse: connect and read
timeouts, a total deadline, a maximum body size counted after decompression (so a gzip bomb
stops after a few MB, read a chunk at a time),
and redirects followed by hand so that each hop is checked again. Connection
errors, timeouts, 408, 429 and 5xx are retried with exponential backoff and
jitter; ``Retry-After`` is honoured and pauses the whole host. Anything unusable
comes back as a :class:`~tasks.errors.FetchError` carrying a reject code, the HTTP status
and a detail that go into ``news.rejects``: requests' and urllib3's errors are translated
here, :class:`~tasks.errors.TransientFetchError` being the kind that is retried. A 304 to
a conditional request is a normal answer.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

import requests
import urllib3

from tasks.config import Settings, Source, settings
from tasks.errors import FetchError, PermanentFetchError, RedirectedOffSite, TransientFetchError
from tasks.fetch.deadline import exchange_deadline
from tasks.fetch.deadline import remaining as deadline_left
from tasks.fetch.hosts import HostLimiter, HostSchedule, host_limiter
from tasks.fetch.robots import ROBOTS, RobotsCache, RobotsRules, agent_token, rules_from_response
from tasks.fetch.scope import Scope, guarded_adapter
from tasks.records import FetchedPage, Validators
from tasks.urls import normalise_url, site_host

log = logging.getLogger(__name__)

MAX_REDIRECTS = 5
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
BACKOFF_CAP = 30.0
MAX_RETRY_AFTER = 30.0  # a longer Retry-After makes the page a reject for this run, not a stall
CHUNK = 65_536  # read and decompress at most this much at a time


def is_retryable(status: int) -> bool:
    """408 and 429 ask us to come back; 5xx is the server's trouble. Other 4xx are final answers."""
    return status in (408, 429) or 500 <= status <= 599


@dataclass(frozen=True)
class FetchPolicy:
    """Limits of one fetcher. Each field is the setting of the same name in ``tasks.config.Settings``,
    whose default it takes; ``from_settings`` takes them from the environment."""

    user_agent: str = Settings.user_agent
    timeout: float = Settings.timeout
    max_bytes: int = Settings.max_bytes
    retries: int = Settings.retries
    deadline: float = Settings.deadline
    backoff: float = Settings.backoff
    max_crawl_delay: float = Settings.max_crawl_delay

    @classmethod
    def from_settings(cls) -> FetchPolicy:
        s = settings()
        return cls(**{f.name: getattr(s, f.name) for f in fields(cls)})


class Fetcher:
    """Fetches for one source (its scope and pacing), or unrestricted when ``source`` is None.

    Safe to share between the threads of a batch: each thread gets its own HTTP session. With a
    ``schedule`` (the flows pass the warehouse's), each host's spacing, Retry-After pause, Crawl-delay
    and connection cap are shared with every other process fetching for that warehouse.
    """

    def __init__(self, policy: FetchPolicy | None = None, source: Source | None = None,
                 limiter: HostLimiter | None = None, robots: RobotsCache | None = None,
                 schedule: HostSchedule | None = None):
        self.policy = policy or FetchPolicy.from_settings()
        self.source = source
        self.scope = Scope.of(source) if source is not None else None
        self.limiter = limiter or host_limiter()
        self.schedule = schedule
        self.robots = robots if robots is not None else (ROBOTS if source is not None else None)
        self._local = threading.local()
        self._sessions: list[requests.Session] = []
        self._sessions_lock = threading.Lock()

    @property
    def session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            session.trust_env = False  # no proxy from the environment may bypass the scope check
            session.headers.update({
                "User-Agent": self.policy.user_agent,
                "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
                "Accept-Language": "vi,en;q=0.8",
                "Accept-Encoding": "gzip, deflate",
            })
            # Connections re-check their address (DNS rebinding) and keep the deadline while headers arrive.
            adapter = guarded_adapter(self.scope.allowed if self.scope is not None else None)
            session.mount("http://", adapter)
            session.mount("https://", adapter)
            self._local.session = session
            with self._sessions_lock:
                self._sessions.append(session)
        return session

    def close(self) -> None:
        with self._sessions_lock:
            for session in self._sessions:
                session.close()
            self._sessions.clear()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def fetch(self, url: str, *, validators: Validators | None = None, max_bytes: int | None = None) -> FetchedPage:
        """Fetch ``url`` politely, with retries; the final response (any status, 304 included) or FetchError.

        ``max_bytes`` replaces the policy's body limit for this URL (a sitemap's own protocol limit).
        """
        self._check_scope(url, url)
        self._check_robots(url, url)
        rules = self.robots_rules(url)
        delay = rules.crawl_delay(agent_token(self.policy.user_agent)) if rules is not None else None
        return self._fetch_paced(url, validators, delay, max_bytes or self.policy.max_bytes,
                                 robots_read=rules is not None)

    def robots_rules(self, url: str) -> RobotsRules | None:
        if self.robots is None:
            return None
        return self.robots.rules(url, self._load_robots)

    def _load_robots(self, robots_url: str) -> RobotsRules:
        try:
            page = self._fetch_paced(robots_url, None, None, self.policy.max_bytes)
        except FetchError as exc:
            if exc.status is not None and 400 <= exc.status < 500:
                return RobotsRules(None)  # an unusable 4xx answer is still "no robots.txt"
            return rules_from_response(None, exc.detail, exc.target if isinstance(exc, RedirectedOffSite) else None)
        return rules_from_response(page)

    def _fetch_paced(self, url: str, validators: Validators | None, crawl_delay: float | None,
                     max_bytes: int, *, robots_read: bool = False) -> FetchedPage:
        host = site_host(url)
        connections = self.source.max_connections if self.source else Source.max_connections
        interval = self.source.min_interval if self.source else Source.min_interval
        if crawl_delay:
            interval = max(interval, min(crawl_delay, self.policy.max_crawl_delay))
            connections = 1  # Crawl-delay means one request at a time, that far apart
        # What the shared schedule stores for the other workers: 0 when robots.txt was read and sets none.
        shared_delay = (min(crawl_delay, self.policy.max_crawl_delay) if crawl_delay else 0.0) if robots_read else None
        pacing = _Pacing(connections, interval, shared_delay)
        attempt = 0
        while True:
            try:
                page = self._exchange(url, validators, pacing, max_bytes)
            except FetchError as exc:  # HostPaused included: a permanent one, as its pause outlasts the run
                if not isinstance(exc, TransientFetchError) or attempt >= self.policy.retries:
                    if attempt:
                        exc.detail = f"{exc.detail} (after {attempt + 1} attempts)"
                    raise
                wait = self._backoff(attempt)
                log.info("retrying %s in %.1fs after %s", url, wait, exc.detail)
            else:
                if not is_retryable(page.status):
                    return page
                retry_after = _retry_after(page.headers.get("retry-after"))
                if retry_after is not None:
                    self.limiter.pause(host, retry_after)
                    if self.schedule is not None:
                        self.schedule.pause(host, retry_after)
                if attempt >= self.policy.retries or (retry_after or 0) > MAX_RETRY_AFTER:
                    return page
                wait = 0.0 if retry_after is not None else self._backoff(attempt)  # the pause does the waiting
                log.info("retrying %s in %.1fs after HTTP %s", url, retry_after or wait, page.status)
            attempt += 1
            time.sleep(wait)

    def _backoff(self, attempt: int) -> float:
        """Exponential with +-25% jitter, so that threads retrying together spread out."""
        return min(BACKOFF_CAP, self.policy.backoff * (2**attempt)) * (0.75 + random.random() / 2)

    def _exchange(self, url: str, validators: Validators | None, pacing: _Pacing, max_bytes: int) -> FetchedPage:
        """One request and its redirects, every hop checked against the scope and paced like a request of its own,
        the whole within the deadline."""
        with exchange_deadline(self.policy.deadline) as start_clock:
            return self._follow(url, validators, pacing, start_clock, max_bytes)

    def _follow(self, url: str, validators: Validators | None, pacing: _Pacing,
                start_clock: Callable[[], float], max_bytes: int) -> FetchedPage:
        hops = [url]
        current = url
        headers = validators.request_headers() if validators else {}
        while True:
            self._check_scope(url, current)
            if current != url:
                self._check_robots(current, url)
            with self.limiter.slot(site_host(current), connections=pacing.connections, interval=pacing.interval,
                                   max_wait=MAX_RETRY_AFTER, schedule=self.schedule,
                                   crawl_delay=pacing.crawl_delay if current == url else None) as arrived, \
                    self._request(current, headers, start_clock) as response:
                arrived()
                location = response.headers.get("location")
                if response.status_code in REDIRECT_STATUSES and location:
                    target = urljoin(current, location.strip())
                    if target in hops:
                        loop = " -> ".join([*hops, target])[:500]
                        raise PermanentFetchError("redirect_loop", f"redirect loop: {loop}", response.status_code)
                    if len(hops) > MAX_REDIRECTS:
                        raise PermanentFetchError("redirect_loop", f"more than {MAX_REDIRECTS} redirects",
                                                  response.status_code)
                    hops.append(target)
                    current = target
                    headers = {}
                    continue
                body = b"" if response.status_code == 304 else self._read_bounded(response, start_clock(), max_bytes)
                return FetchedPage(
                    url=normalise_url(url),
                    final_url=current,
                    status=response.status_code,
                    headers={k.lower(): v for k, v in response.headers.items()},
                    body=body,
                    fetched_at=datetime.now(UTC),
                )

    def _check_robots(self, target: str, origin: str | None = None) -> None:
        """A redirect's target obeys robots.txt too (robots.txt itself excepted: it is what we ask)."""
        if target.endswith("/robots.txt"):
            return
        rules = self.robots_rules(target)
        refusal = rules.refusal(target, agent_token(self.policy.user_agent)) if rules is not None else None
        if refusal and rules.moved_to:  # the host's robots.txt lives on another host now: the page has moved too
            moved = urlsplit(rules.moved_to)._replace(path=urlsplit(target).path, query=urlsplit(target).query)
            raise RedirectedOffSite(refusal, moved.geturl(), "robots_unavailable")
        if refusal:
            raise PermanentFetchError("robots_unavailable" if rules.disallow_all else "robots",
                                      refusal if target == origin else f"redirected to {target}: {refusal}")

    def _check_scope(self, url: str, current: str) -> None:
        if self.scope is None:
            return
        refusal = self.scope.refusal(current)
        if refusal and current != url:
            raise RedirectedOffSite(f"out of scope (redirected to {current}): {refusal}", current)
        if refusal:
            raise PermanentFetchError("out_of_scope", f"out of scope: {refusal}")

    def _request(self, url: str, headers: dict[str, str], start_clock: Callable[[], float]) -> requests.Response:
        """One request, its connect and each read within ``timeout`` and the whole within the deadline: the
        deadline's rest bounds the connect, and the wait for the headers ends when it passes."""
        start_clock()  # the host's slot is ours: from here the server has the deadline
        left = deadline_left()
        if left is not None and left <= 0:
            raise self._past_deadline()
        timeout = (min(self.policy.timeout, 10.0, left or self.policy.timeout), self.policy.timeout)
        try:  # AddressRefused (a FetchError, raised by the connection) passes through as it is
            return self.session.get(url, headers=headers, timeout=timeout, stream=True, allow_redirects=False)
        except requests.Timeout:
            left = deadline_left()
            if left is not None and left <= 0:  # the deadline cut off the response's head
                raise self._past_deadline() from None
            raise TransientFetchError("timeout", f"timed out after {self.policy.timeout:g}s") from None
        except requests.ConnectionError as exc:
            raise TransientFetchError("connection", f"connection failed: {_short(exc)}") from None
        except requests.RequestException as exc:
            raise PermanentFetchError("invalid_request", f"request failed: {_short(exc)}") from None

    def _past_deadline(self) -> TransientFetchError:
        return TransientFetchError("timeout", f"no response within the {self.policy.deadline:g}s deadline")

    def _read_bounded(self, response: requests.Response, started: float, max_bytes: int) -> bytes:
        """The body, decompressed a chunk at a time, cut off at ``max_bytes`` or the deadline.

        ``read1`` returns whatever the socket has, so a server trickling one byte a
        second is caught by the deadline; urllib3 (>= 2.6) decompresses at most the
        amount asked for, so a gzip bomb never expands in memory.
        """
        status, deadline = response.status_code, self.policy.deadline
        encoding = response.headers.get("content-encoding", "identity").strip().lower()
        if encoding not in ("identity", "gzip", "x-gzip", "deflate", ""):
            raise PermanentFetchError("bad_compression", f"unsupported content-encoding {encoding!r}", status)
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > max_bytes:
            raise PermanentFetchError("too_large", f"body of {int(declared)} bytes exceeds the {max_bytes}-byte limit",
                                      status)
        chunks: list[bytes] = []
        size = 0
        raw = response.raw
        try:
            while True:
                if time.monotonic() - started > deadline:
                    raise TransientFetchError(
                        "timeout", f"body not received within the {deadline:g}s deadline ({size} bytes read)", status)
                chunk = raw.read1(CHUNK, decode_content=True)
                if not chunk:
                    break
                size += len(chunk)
                if size > max_bytes:
                    what = "decompressed body" if encoding not in ("identity", "") else "body"
                    raise PermanentFetchError("too_large", f"{what} exceeds the {max_bytes}-byte limit", status)
                chunks.append(chunk)
        except urllib3.exceptions.ReadTimeoutError:
            raise TransientFetchError(
                "timeout", f"read timed out after {self.policy.timeout:g}s ({size} bytes read)", status) from None
        except urllib3.exceptions.DecodeError as exc:
            raise PermanentFetchError("bad_compression", f"broken {encoding} body: {_short(exc)}", status) from None
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            raise TransientFetchError("truncated", f"body cut off after {size} bytes: {_short(exc)}", status) from None
        return b"".join(chunks)


@dataclass(frozen=True)
class _Pacing:
    """How one URL's requests are paced: the host's cap and spacing, and the Crawl-delay to share (None: unread)."""

    connections: int
    interval: float
    crawl_delay: float | None


def _retry_after(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        return max(0.0, (parsedate_to_datetime(value) - datetime.now(UTC)).total_seconds())
    except (TypeError, ValueError):
        return None


def _short(exc: Exception) -> str:
    text = str(exc)
    return text if len(text) <= 200 else text[:197] + "..."
