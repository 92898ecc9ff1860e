"""Pacing per host, shared by every thread of the process: how often and how many at once.

The flow runs batches of several sources in a thread pool, and a batch fetches
its pages on a few threads; none of them knows what the others send. So the
limits live here, in one process-wide :class:`HostLimiter`: at most
``max_connections`` requests in flight per host, request starts at least
``interval`` seconds apart per host, and a global cap over all hosts. A host that
answers 429/503 with ``Retry-After`` is paused until that time passes; a pause
longer than the fetcher is willing to wait makes further requests to that host
fail at once (the pages become rejects and are tried again next run).

Several processes (Prefect workers, on one machine or many) fetching for one warehouse share
a :class:`HostSchedule` instead: each request start is claimed in the host's row of
``news.host_schedule`` (``sql/hosts/``), which also holds the host's Retry-After pause, its
robots.txt Crawl-delay and a lease per request in flight, so spacing, pauses and connection caps
hold across all of them. The process-wide limiter still caps its own threads, and lets only one
thread per host at a time wait on the database (the others wait on a lock, costing no queries).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache

from sqlalchemy.engine import Engine

from tasks.config import settings
from tasks.errors import HostPaused
from tasks.warehouse import host_schedule as rows

# A host at its connection cap frees a slot when one of its requests ends, which no row announces:
# the waiting claimant asks again this often.
CAP_POLL = 0.05
LEASE_MARGIN = 30.0  # seconds past NEWSETL_DEADLINE after which a slot of a process that died frees itself


@dataclass
class _Host:
    lock: threading.Lock = field(default_factory=threading.Lock)
    slots: threading.BoundedSemaphore | None = None
    slots_size: int = 0
    next_start: float = 0.0  # monotonic time before which no request may start
    paused_until: float = 0.0  # Retry-After beyond what we wait for
    claiming: threading.Lock = field(default_factory=threading.Lock)  # one claimant per host of a HostSchedule


class HostSchedule:
    """The host pacing of every process that fetches for the warehouse ``eng``: ``news.host_schedule``.

    A claim is granted when the host's next start has come, no pause runs and fewer than its cap
    are in flight; the start is stamped then, by the database's clock (so machines' clocks need not
    agree), and the next start is that plus the interval. A refused claim sleeps until the start or
    the pause's end, or :data:`CAP_POLL` at the cap, and asks again.
    """

    def __init__(self, eng: Engine):
        self.engine = eng

    def claim(self, host: str, *, connections: int, interval: float, crawl_delay: float | None,
              max_wait: float) -> object:
        """Wait for a start at ``host``; the lease that :meth:`release` takes. HostPaused past ``max_wait``.

        ``crawl_delay`` is the host's robots.txt Crawl-delay as the caller read it (0: none), stored for
        the other workers; None when the caller has not read robots.txt (for robots.txt itself).
        """
        lease_seconds = settings().deadline + LEASE_MARGIN
        while True:
            lease = rows.claim_start(self.engine, host, interval=interval, crawl_delay=crawl_delay,
                                     connections=connections, lease=lease_seconds)
            if lease is not None:
                return lease
            state = rows.wait_state(self.engine, host)
            if state is None:
                continue
            if state.paused > max_wait:
                raise HostPaused(host, float(state.paused))
            wait = max(float(state.spacing), float(state.paused))
            time.sleep(wait if wait > 0 else CAP_POLL)

    def confirm(self, host: str, interval: float) -> None:
        """The claimed request has arrived (its response head is in): the next start waits ``interval`` from now."""
        rows.confirm_start(self.engine, host, interval)

    def release(self, host: str, lease: object) -> None:
        rows.release(self.engine, host, lease)

    def pause(self, host: str, seconds: float) -> None:
        """Retry-After: no request to ``host`` starts, from any worker, before ``seconds`` from now."""
        rows.pause(self.engine, host, seconds)


class HostLimiter:
    """Per-host concurrency and spacing plus a global concurrency cap; thread-safe."""

    def __init__(self, max_connections: int):
        self._global = threading.BoundedSemaphore(max_connections)
        self._hosts: dict[str, _Host] = {}
        self._lock = threading.Lock()

    def _host(self, host: str, connections: int) -> _Host:
        with self._lock:
            state = self._hosts.setdefault(host, _Host())
            if state.slots is None or state.slots_size != connections:
                # First use, or a source configured differently: the newest setting wins for later requests.
                state.slots, state.slots_size = threading.BoundedSemaphore(connections), connections
            return state

    @contextmanager
    def slot(self, host: str, *, connections: int, interval: float, max_wait: float,
             schedule: HostSchedule | None = None, crawl_delay: float | None = None) -> Iterator[Callable[[], None]]:
        """Hold a request slot for ``host``: waits for a free connection and the host's next start time.

        Yields a function to call once the request has reached the host (its response head is in).
        With a ``schedule`` the start (and a connection slot of the host) is claimed there, shared with
        every other process; ``crawl_delay`` is what :meth:`HostSchedule.claim` stores for them; the
        yielded function moves the host's next start to ``interval`` after that arrival, which the claim's
        stamp, a round trip earlier, may undercut.
        """
        state = self._host(host, connections)
        # The global slot is taken before the start time is stamped: a wait for it after the stamp
        # would delay this request while the next one still starts on time, closer than ``interval``.
        if schedule is not None:
            with state.slots, self._global:
                with state.claiming:
                    lease = schedule.claim(host, connections=connections, interval=interval,
                                           crawl_delay=crawl_delay, max_wait=max_wait)
                try:
                    yield lambda: schedule.confirm(host, interval)
                finally:
                    schedule.release(host, lease)
            return
        with state.slots, self._global:
            while True:  # the start is stamped when it happens, not reserved ahead (threads wake late)
                with state.lock:
                    now = time.monotonic()
                    if state.paused_until - now > max_wait:
                        raise HostPaused(host, state.paused_until - now)
                    start = max(state.next_start, state.paused_until)
                    if start <= now:
                        state.next_start = now + interval
                        break
                time.sleep(start - now)
            yield _arrived

    def pause(self, host: str, seconds: float) -> None:
        """Retry-After: no request to ``host`` starts before ``seconds`` from now."""
        state = self._host(host, self._hosts[host].slots_size if host in self._hosts else 1)
        with state.lock:
            state.paused_until = max(state.paused_until, time.monotonic() + seconds)

    def reset(self) -> None:
        """Forget every host's state (tests and benchmarks start clean)."""
        with self._lock:
            self._hosts.clear()


def _arrived() -> None:
    """In one process the start is stamped by the thread that then sends at once: nothing to move."""


@cache
def shared_schedule(eng: Engine) -> HostSchedule:
    """The schedule of the warehouse ``eng``, one per engine and process."""
    return HostSchedule(eng)


@cache
def host_limiter() -> HostLimiter:
    """The process-wide limiter, sized by NEWSETL_MAX_CONNECTIONS on first use."""
    return HostLimiter(settings().max_connections)
