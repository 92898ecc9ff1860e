"""The rows a run keeps about itself: ``news.ingest_runs``, ``news.ingest_run_sources``, ``news.sources``.

A flow opens its run with :class:`RunLease` (``flows.runs`` does, for every flow), after
marking the runs whose process died as ``abandoned`` (:func:`abandon_dead_runs`); the lease
holds a session-level advisory lock for as long as the run lives, which is how a later run
tells a live ``running`` run from a dead one. At the end the flow records each source's counts
and the run's status. Every statement is a file in ``sql/load/`` run with bound parameters.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tasks.config import Source
from tasks.records import SourceDrift, SourceStats
from tasks.warehouse.db import query

# A run holds a session-level advisory lock (RUN_LOCK_KEY, run id) on one connection for as long as it
# lives; Postgres drops it the moment the process dies, which is how a dead 'running' run is recognised.
RUN_LOCK_KEY = 4_210_118


def sync_sources(eng: Engine, sources: Iterable[Source]) -> None:
    """Insert or update the sources a run covers in ``news.sources`` (rows name their source)."""
    with eng.begin() as conn:
        for s in sources:
            conn.execute(query("load/upsert_source.sql"), {
                "name": s.name, "title": s.title, "homepage": s.homepage,
                "language": s.language, "timezone": s.timezone,
            })


def abandon_dead_runs(eng: Engine) -> list[int]:
    """Mark runs whose process died while 'running' as 'abandoned'; their ids."""
    with eng.begin() as conn:
        return list(conn.execute(query("load/abandon_dead_runs.sql"), {"lock_key": RUN_LOCK_KEY}).scalars())


class RunLease:
    """A started run and the connection holding its lock; ``release()`` when the run has finished."""

    def __init__(self, eng: Engine, sources: list[str], flow_run_id: str | None):
        self._conn = eng.connect()
        try:
            with self._conn.begin():
                self.run_id: int = self._conn.execute(query("load/start_run_locked.sql"), {
                    "flow_run_id": flow_run_id, "sources": sources, "lock_key": RUN_LOCK_KEY}).scalar_one()
        except BaseException:
            self._conn.close()
            raise

    def release(self) -> None:
        """Close the lock's connection (closing drops the lock; a lost connection is already released)."""
        try:
            self._conn.invalidate()  # never back into the pool still holding the lock
        except sa.exc.SQLAlchemyError:
            pass
        finally:
            self._conn.close()


def open_run(eng: Engine, sources: list[str]) -> int:
    """A run row for loading outside any flow (tests, benchmarks, sample sets); its id.

    It holds no lease: the next flow run to start marks it ``abandoned``, which is what it is
    once the loading is done. A flow opens its run with :class:`RunLease` instead.
    """
    with eng.begin() as conn:
        return conn.execute(query("load/open_run.sql"), {"sources": sources}).scalar_one()


def record_run_source(eng: Engine, run_id: int, stats: SourceStats) -> None:
    """One source's counts (and its error, if it failed) for the run, in ``news.ingest_run_sources``."""
    with eng.begin() as conn:
        conn.execute(query("load/record_run_source.sql"), {
            "run_id": run_id, "source": stats.source, "error": stats.error,
            **{name: getattr(stats, name) for name in SourceStats.COUNTS},
        })


def finish_run(eng: Engine, run_id: int, status: str, totals: SourceStats, error: str | None = None) -> None:
    """Close the run's row: its status (``completed``, ``partial``, ``failed``), totals and error."""
    with eng.begin() as conn:
        conn.execute(query("load/finish_run.sql"), {
            "run_id": run_id, "status": status, "error": error,
            **{name: getattr(totals, name) for name in SourceStats.COUNTS},
        })


def record_source_health(eng: Engine, run_id: int, sources: list[str]) -> None:
    """What the run's extraction gave per source (fill counts, body length, provenance, last new article),
    counted over the articles it wrote, in ``news.ingest_run_source_health``: the rows behind the health
    and drift views, kept because a later run revising an article would take it from this one."""
    with eng.begin() as conn:
        conn.execute(query("load/record_source_health.sql"), {"run_id": run_id, "sources": sources})


def read_drift(eng: Engine, run_id: int) -> list[SourceDrift]:
    """The sources ``news.rpt_source_drift`` flags (drifted or stale) whose latest run is ``run_id``."""
    with eng.connect() as conn:
        rows = conn.execute(query("report/run_drift.sql"), {"run_id": run_id}).all()
    return [SourceDrift(r.source, tuple(r.signals), r.stale, r.detail) for r in rows]
