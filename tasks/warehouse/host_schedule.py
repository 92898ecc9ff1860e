"""The rows of ``news.host_schedule``: the per-host politeness every worker process shares.

:class:`tasks.fetch.hosts.HostSchedule` is the one caller: it claims each request's start
(:func:`claim_start`), moves the next start past the moment the request arrived (:func:`confirm_start`),
asks why a claim was refused (:func:`wait_state`), frees the connection slot
when the request ends (:func:`release`) and records a Retry-After (:func:`pause`). Each is one
short autocommitted statement from ``sql/hosts/`` on the warehouse's autocommit engine
(``db.autocommit_engine``: one round trip each), so no connection is held while a request is in flight.
A statement that meets a connection the server dropped is run once more on a fresh one: each is
idempotent but the claim, and a claim granted twice only holds one more slot until its lease ends.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine, Result, Row

from tasks.warehouse.db import autocommit_engine, query


def claim_start(eng: Engine, host: str, *, interval: float, crawl_delay: float | None, connections: int,
                lease: float) -> datetime | None:
    """A request start at ``host`` now: its lease (the token :func:`release` takes), or None when not yet."""
    return _run(eng, "hosts/claim_start.sql", {
        "host": host, "interval": float(interval), "crawl_delay": crawl_delay, "connections": connections,
        "lease": float(lease)}, lambda result: result.scalar_one_or_none())


def wait_state(eng: Engine, host: str) -> Row | None:
    """(spacing, paused, in_flight) of ``host``: seconds to its next start and to the end of its pause."""
    return _run(eng, "hosts/wait.sql", {"host": host}, lambda result: result.first())


def confirm_start(eng: Engine, host: str, interval: float) -> None:
    """The granted request has reached the host: its next start is at least ``interval`` from now."""
    _run(eng, "hosts/confirm_start.sql", {"host": host, "interval": float(interval)})


def release(eng: Engine, host: str, lease: datetime) -> None:
    _run(eng, "hosts/release.sql", {"host": host, "lease": lease})


def pause(eng: Engine, host: str, seconds: float) -> None:
    _run(eng, "hosts/pause.sql", {"host": host, "seconds": float(seconds)})


def _run(eng: Engine, sql: str, params: dict[str, Any], read: Callable[[Result], Any] | None = None) -> Any:
    """One statement of ``sql/hosts/``, autocommitted; ``read`` takes what it needs from the result while the
    connection is held. Tried once more when the connection turns out dropped (it was not pinged)."""
    target = autocommit_engine(eng)
    try:
        return _once(target, sql, params, read)
    except sa.exc.DBAPIError as exc:
        if not exc.connection_invalidated:
            raise
    return _once(target, sql, params, read)


def _once(eng: Engine, sql: str, params: dict[str, Any], read: Callable[[Result], Any] | None) -> Any:
    with eng.connect() as conn:
        result = conn.execute(query(sql), params)
        return read(result) if read is not None else None
