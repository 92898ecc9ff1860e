"""The total deadline of one exchange, enforced while the response's status line and headers arrive.

A socket timeout bounds each read, not their sum: a server that trickles its headers a byte
at a time, each byte inside the read timeout, could hold a request for hours. The fetcher
sets the exchange's deadline for its thread (:func:`exchange_deadline`); the connections of
``tasks.fetch.scope.guarded_adapter`` wait for the response under :func:`cut_off_at_deadline`,
which shuts the socket down when the deadline passes, so the blocked read returns at once
(the fetcher reports it as a ``timeout``). The body is bounded by the fetcher's own loop.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

T = TypeVar("T")

_local = threading.local()


@contextmanager
def exchange_deadline(seconds: float) -> Iterator[Callable[[], float]]:
    """One exchange of this thread; it calls the yielded ``start()`` when its first request is let through
    (our own politeness queue is not the server's time), and from then on has ``seconds`` in all.
    ``start()`` returns when the clock started (``time.monotonic()``), the first call's time every time."""
    previous = getattr(_local, "at", None)
    _local.at = None
    started: list[float] = []

    def start() -> float:
        if not started:
            started.append(time.monotonic())
            _local.at = started[0] + seconds
        return started[0]

    try:
        yield start
    finally:
        _local.at = previous


def remaining() -> float | None:
    """Seconds left to this thread's deadline, None when there is none."""
    at = getattr(_local, "at", None)
    return None if at is None else at - time.monotonic()


def cut_off_at_deadline(sock_of: Callable[[], socket.socket | None], wait: Callable[[], T]) -> T:
    """``wait()`` (read the response head), with the socket ``sock_of()`` shut down at the deadline;
    a head cut off so raises ``TimeoutError``, which urllib3 reports as a read timeout."""
    left = remaining()
    if left is None:
        return wait()
    fired = threading.Event()
    timer = threading.Timer(max(left, 0.0), _shut_down, (sock_of, fired))
    timer.daemon = True
    _local.fired = fired
    timer.start()
    try:
        response = wait()
    except OSError:
        if fired.is_set():  # cut before the status line: http.client saw the connection close
            raise TimeoutError("response head not received by the deadline") from None
        raise
    finally:
        timer.cancel()
        _local.fired = None
    if fired.is_set():  # the head read up to the cut looks complete to http.client: it is not
        response.close()
        raise TimeoutError("response head not received by the deadline")
    return response


def _shut_down(sock_of: Callable[[], socket.socket | None], fired: threading.Event) -> None:
    fired.set()
    sock = sock_of()
    if sock is not None:
        with contextlib.suppress(OSError):  # already closed: the exchange ended on its own
            sock.shutdown(socket.SHUT_RDWR)


class _QuietCutOff(logging.Filter):
    """urllib3 warns, with a traceback, of the malformed head it read up to the cut; the cut is ours."""

    def filter(self, record: logging.LogRecord) -> bool:
        fired = getattr(_local, "fired", None)
        return not (fired is not None and fired.is_set())


logging.getLogger("urllib3.connection").addFilter(_QuietCutOff())
