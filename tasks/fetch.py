"""The only HTTP client of the project: every feed, sitemap and page is fetched here.

It bounds every request (connect/read timeouts, a maximum body size read as a
stream, a bounded number of redirects) and retries what is worth retrying
(connection errors, timeouts, 408, 429, 5xx) with exponential backoff, honouring
``Retry-After``. Anything else comes back as a :class:`FetchError` carrying the
HTTP status and a reason that goes into ``news.rejects``.
"""

from __future__ import annotations

import logging
import random
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import requests

from tasks.config import settings
from tasks.records import FetchedPage
from tasks.urls import normalise_url

log = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
MAX_REDIRECTS = 5
# initial request + 2 retries = 3 requests; waits of about 0.5 s and 1 s between them.
DEFAULT_RETRIES = 2
BACKOFF_BASE = 0.5
MAX_RETRY_AFTER = 30.0  # a longer Retry-After makes the page a reject for this run, not a stall


class FetchError(Exception):
    """A request that did not give a usable response; ``status`` is the HTTP status when there was one."""

    def __init__(self, reason: str, status: int | None = None, transient: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.transient = transient


@dataclass(frozen=True)
class FetchPolicy:
    """Limits of one fetcher; defaults come from the environment (see ``tasks.config.Settings``)."""

    user_agent: str
    timeout: float
    max_bytes: int
    retries: int = DEFAULT_RETRIES

    @classmethod
    def from_settings(cls) -> FetchPolicy:
        s = settings()
        return cls(user_agent=s.user_agent, timeout=s.timeout, max_bytes=s.max_bytes)


class Fetcher:
    """A session with the project's policy; use one per batch or thread."""

    def __init__(self, policy: FetchPolicy | None = None):
        self.policy = policy or FetchPolicy.from_settings()
        self.session = requests.Session()
        self.session.max_redirects = MAX_REDIRECTS
        self.session.headers.update({
            "User-Agent": self.policy.user_agent,
            "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
            "Accept-Language": "vi,en;q=0.8",
        })

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def get(self, url: str) -> FetchedPage:
        """Fetch ``url`` with retries; returns the final response (any status) or raises FetchError."""
        attempt = 0
        while True:
            try:
                page = self._get_once(url)
            except FetchError as exc:
                if not exc.transient or attempt >= self.policy.retries:
                    raise
                wait = _backoff(attempt)
                log.info("retrying %s in %.1fs after %s", url, wait, exc.reason)
            else:
                if page.status not in RETRY_STATUSES or attempt >= self.policy.retries:
                    return page
                wait = _retry_after(page.headers.get("retry-after")) or _backoff(attempt)
                if wait > MAX_RETRY_AFTER:
                    return page
                log.info("retrying %s in %.1fs after HTTP %s", url, wait, page.status)
            attempt += 1
            time.sleep(wait)

    def _get_once(self, url: str) -> FetchedPage:
        timeout = (min(self.policy.timeout, 10.0), self.policy.timeout)
        try:
            with self.session.get(url, timeout=timeout, stream=True) as response:
                body = _read_bounded(response, self.policy.max_bytes)
                return FetchedPage(
                    url=normalise_url(url),
                    final_url=response.url,
                    status=response.status_code,
                    headers={k.lower(): v for k, v in response.headers.items()},
                    body=body,
                    fetched_at=datetime.now(UTC),
                )
        except requests.TooManyRedirects:
            raise FetchError(f"more than {MAX_REDIRECTS} redirects") from None
        except requests.Timeout:
            raise FetchError(f"timed out after {self.policy.timeout:g}s", transient=True) from None
        except requests.ConnectionError as exc:
            raise FetchError(f"connection failed: {_short(exc)}", transient=True) from None
        except requests.RequestException as exc:
            raise FetchError(f"request failed: {_short(exc)}") from None


def _read_bounded(response: requests.Response, max_bytes: int) -> bytes:
    declared = response.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise FetchError(f"body of {int(declared)} bytes exceeds the {max_bytes}-byte limit", response.status_code)
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_content(chunk_size=65536):
        size += len(chunk)
        if size > max_bytes:
            raise FetchError(f"body exceeds the {max_bytes}-byte limit", response.status_code)
        chunks.append(chunk)
    return b"".join(chunks)


def _backoff(attempt: int) -> float:
    return BACKOFF_BASE * (2**attempt) * (0.75 + random.random() / 2)


def _retry_after(value: str | None) -> float | None:
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
