"""Progress of a run as it happens, for whoever listens (the CLI's progress bars on a terminal).

The pipeline reports counts per source here and does not care who draws them;
with no listener (Prefect workers, tests) a report costs a list lookup.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

Listener = Callable[..., None]  # listener(source, *, total=None, fetched=0, rejected=0)
_listeners: list[Listener] = []
_lock = threading.Lock()


def report(source: str, *, total: int | None = None, fetched: int = 0, rejected: int = 0) -> None:
    """``total`` pages to fetch (once discovery knows), or ``fetched``/``rejected`` more."""
    with _lock:
        listeners = list(_listeners)
    for listener in listeners:
        listener(source, total=total, fetched=fetched, rejected=rejected)


@contextmanager
def listening(listener: Listener) -> Iterator[None]:
    with _lock:
        _listeners.append(listener)
    try:
        yield
    finally:
        with _lock:
            _listeners.remove(listener)
