"""Pacing per host, shared by every thread of the process: how often and how many at once.

The flow runs batches of several sources in a thread pool, and a batch fetches
its pages on a few threads; none of them knows what the others send. So the
limits live here, in one process-wide :class:`HostLimiter`: at most
``max_connections`` requests in flight per host, request starts at least
``interval`` seconds apart per host, and a global cap over all hosts. A host that
answers 429/503 with ``Retry-After`` is paused until that time passes; a pause
longer than the fetcher is willing to wait makes further requests to that host
fail at once (the pages become rejects and are tried again next run).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache

from tasks.config import settings
from tasks.errors import HostPaused


@dataclass
class _Host:
    lock: threading.Lock = field(default_factory=threading.Lock)
    slots: threading.BoundedSemaphore | None = None
    slots_size: int = 0
    next_start: float = 0.0  # monotonic time before which no request may start
    paused_until: float = 0.0  # Retry-After beyond what we wait for


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
    def slot(self, host: str, *, connections: int, interval: float, max_wait: float) -> Iterator[None]:
        """Hold a request slot for ``host``: waits for a free connection and the host's next start time."""
        state = self._host(host, connections)
        # The global slot is taken before the start time is stamped: a wait for it after the stamp
        # would delay this request while the next one still starts on time, closer than ``interval``.
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
            yield

    def pause(self, host: str, seconds: float) -> None:
        """Retry-After: no request to ``host`` starts before ``seconds`` from now."""
        state = self._host(host, self._hosts[host].slots_size if host in self._hosts else 1)
        with state.lock:
            state.paused_until = max(state.paused_until, time.monotonic() + seconds)

    def reset(self) -> None:
        """Forget every host's state (tests and benchmarks start clean)."""
        with self._lock:
            self._hosts.clear()


@cache
def host_limiter() -> HostLimiter:
    """The process-wide limiter, sized by NEWSETL_MAX_CONNECTIONS on first use."""
    return HostLimiter(settings().max_connections)
