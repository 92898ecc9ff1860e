"""The rows of ``news.host_schedule``: the per-host politeness every worker process shares.

:class:`tasks.fetch.hosts.HostSchedule` is the one caller: it claims each request's start
(:func:`claim_start`), moves the next start past the moment the request arrived (:func:`confirm_start`),
asks why a claim was refused (:func:`wait_state`), frees the connection slot
when the request ends (:func:`release`) and records a Retry-After (:func:`pause`). Each is one
short autocommitted statement from ``sql/hosts/`` on the pooled engine, so no connection is held
while a request is in flight.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.engine import Connection, Engine, Row

from tasks.warehouse.db import query


def claim_start(eng: Engine, host: str, *, interval: float, crawl_delay: float | None, connections: int,
                lease: float) -> datetime | None:
    """A request start at ``host`` now: its lease (the token :func:`release` takes), or None when not yet."""
    with _autocommit(eng) as conn:
        return conn.execute(query("hosts/claim_start.sql"), {
            "host": host, "interval": float(interval), "crawl_delay": crawl_delay, "connections": connections,
            "lease": float(lease)}).scalar_one_or_none()


def wait_state(eng: Engine, host: str) -> Row | None:
    """(spacing, paused, in_flight) of ``host``: seconds to its next start and to the end of its pause."""
    with eng.connect() as conn:
        return conn.execute(query("hosts/wait.sql"), {"host": host}).first()


def confirm_start(eng: Engine, host: str, interval: float) -> None:
    """The granted request has reached the host: its next start is at least ``interval`` from now."""
    with _autocommit(eng) as conn:
        conn.execute(query("hosts/confirm_start.sql"), {"host": host, "interval": float(interval)})


def release(eng: Engine, host: str, lease: datetime) -> None:
    with _autocommit(eng) as conn:
        conn.execute(query("hosts/release.sql"), {"host": host, "lease": lease})


def pause(eng: Engine, host: str, seconds: float) -> None:
    with _autocommit(eng) as conn:
        conn.execute(query("hosts/pause.sql"), {"host": host, "seconds": float(seconds)})


def _autocommit(eng: Engine) -> Connection:
    """A pooled connection whose statements commit as they run: each call is one round trip, and other
    workers see a grant the moment it is stamped."""
    return eng.connect().execution_options(isolation_level="AUTOCOMMIT")
