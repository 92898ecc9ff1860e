"""The run lifecycle every flow shares: one row of ``news.ingest_runs`` from its lease to its summary.

A flow (``ingest``, ``reprocess``, ``backfill``) does its work inside :func:`run_lifecycle`,
which clears the runs whose process died, opens the flow's run with a lease (so a run starting
beside it sees it alive), and hands the flow a :class:`Run` to submit each source's work to, as
Prefect task runs: its batches (:meth:`Run.submit_batches`), one task that runs them one after
another (:meth:`Run.submit_source`),
or work that spans sources (a WARC file's records: :meth:`Run.submit_spread`). The run's pages are
read by its :class:`~flows.read_pool.ReadPool` (``Run.reader``), whose worker processes the lifecycle
stops when the run ends, however it ends.
When the flow's work returns, the tasks' :class:`SourceStats` are added up per source, each
source's row is recorded and the run ends ``completed``, ``partial`` (a source that failed, or
spread work that reported a problem, leaves the rest running) or ``failed`` (every source did);
when it raises, the run is recorded ``failed`` if the database still answers. Then the summary is
published as a table artifact keyed by the flow's name; a run in which a source failed entirely
makes the flow return a Failed state carrying ``SourcesFailed`` (``Run.outcome``), so its Prefect
flow run ends Failed and cron sees a non-zero exit code: alerting can fire. Once recorded, the run's
source health is kept (``news.ingest_run_source_health``), the sources ``news.rpt_source_drift``
flags are read into the summary, and a run that failed, lost a source or left one drifted or stale
is posted to ``NEWSETL_ALERT_WEBHOOK`` when that is set (``tasks.alerts``).
"""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from prefect import Task, get_run_logger
from prefect.artifacts import create_table_artifact
from prefect.exceptions import MissingContextError
from prefect.futures import PrefectFuture
from prefect.states import Failed, State
from sqlalchemy.engine import Engine

from flows.read_pool import ReadPool
from tasks.alerts import alert_message, post_alert
from tasks.config import Source, settings
from tasks.errors import ConfigError, SourcesFailed, stop_reason
from tasks.records import SourceDrift, SourceStats
from tasks.warehouse.db import engine, is_transient
from tasks.warehouse.runs import (
    RunLease,
    abandon_dead_runs,
    finish_run,
    read_drift,
    record_run_source,
    record_source_health,
)

# Threads for task runs: sources discovered and ingested at once. Each thread holds one
# HTTP connection and at most one database connection, well inside the pool of 10.
MAX_PARALLEL_TASKS = 4


class _KnownTimeoutCaveat(logging.Filter):
    """Drops Prefect's warning, at every task run with a timeout, that a task in a worker thread cannot be
    interrupted inside a blocking call: known and designed for (each blocking call has its own limit, see
    ``NEWSETL_TASK_TIMEOUT`` in the README), and three lines of noise per source in every run's log."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "configured for this task, but the task is running in a worker thread" not in str(record.msg)


logging.getLogger("prefect.task_runs").addFilter(_KnownTimeoutCaveat())


def retry_if_transient(task: Task, task_run: Any, state: Any) -> bool:
    """Prefect's ``retry_condition_fn`` of every task: retry only what another attempt may get through
    (the database gone or busy), never a failure that comes back the same (a bug, a refused value),
    since a retry repeats the task's whole work (a discovery's listings, a batch's pages)."""
    try:
        state.result()
    except Exception as exc:  # noqa: BLE001 - the failed task's own exception, classified just below
        return is_transient(exc)
    return False


def run_logger() -> logging.Logger | logging.LoggerAdapter:
    """Prefect's run logger inside a flow or task run (so lines show in the UI), else a plain logger."""
    try:
        return get_run_logger()
    except MissingContextError:
        return logging.getLogger("newsetl")


@dataclass
class RunSummary:
    """What one run did, per source and in total; the CLI prints it and Prefect shows it as an artifact."""

    run_id: int
    status: str
    sources: list[SourceStats] = field(default_factory=list)
    flow_run_id: str | None = None
    failed_sources: list[str] = field(default_factory=list)  # sources of which nothing was loaded: see Run._close
    problems: list[str] = field(default_factory=list)  # of work spanning sources: "file.warc.gz: cut off at ..."
    drift: list[SourceDrift] = field(default_factory=list)  # sources news.rpt_source_drift flags after the run

    @property
    def totals(self) -> SourceStats:
        return SourceStats.total(self.sources)

    @property
    def errors(self) -> list[str]:
        return [f"{s.source}: {s.error}" for s in self.sources if s.error] + self.problems


class BatchTally:
    """What a task running one source's batches one after another (:meth:`Run.submit_source`) has done so far.

    Filled in as each batch loads or fails, so that a task that dies midway (its Prefect timeout)
    still accounts for the batches it loaded. A plain object, not a dataclass: Prefect rebuilds
    dataclass parameters, and this one must stay the run's.
    """

    def __init__(self, source: str, batches: int):
        self.stats = SourceStats(source)
        self.batches = batches
        self.failures: list[str] = []  # "batch 2/5: LockTimeout: ...", the first first
        self._loaded: set[str] = set()
        self._failed: set[str] = set()
        self._lock = threading.Lock()

    @property
    def loaded(self) -> int:
        """Batches loaded in full (a batch of large pages loads in parts: all of them)."""
        return len(self._loaded - self._failed)

    def add(self, label: str, stats: SourceStats) -> None:
        with self._lock:
            self.stats.add(stats)
            self._loaded.add(label)

    def fail(self, label: str, exc: BaseException) -> None:
        with self._lock:
            self.failures.append(f"batch {label}: {type(exc).__name__}: {exc}")
            self._failed.add(label)


@dataclass
class SpreadResult:
    """What a task whose work spans sources (a WARC file's records) did: each source's counts, its own problem."""

    stats: list[SourceStats] = field(default_factory=list)
    problem: str | None = None


class Run:
    """An open run: its id, its summary, and each source's batches as the flow submits them."""

    def __init__(self, run_id: int, flow_run_id: str | None, reader: ReadPool | None = None):
        self.id = run_id
        self.reader = reader or ReadPool()
        self.summary = RunSummary(run_id=run_id, status="running", flow_run_id=flow_run_id)
        self._stats: dict[str, SourceStats] = {}  # in the order the flow named the sources
        self._batches: dict[str, list[PrefectFuture]] = {}
        self._tallies: dict[str, tuple[PrefectFuture, BatchTally]] = {}  # sources run by one task each
        self._loaded: dict[str, bool] = {}
        self._batches_loaded: dict[str, int] = {}
        self.failure: SourcesFailed | None = None  # set when the run ends with a source that failed entirely
        self._spread: list[tuple[str, PrefectFuture]] = []  # work spanning sources (a WARC file), with its label

    def outcome(self) -> RunSummary | State:
        """What the flow returns once the run is closed: its summary, or a Failed state when a source failed entirely.

        The state carries ``SourcesFailed`` (with the summary), so the flow run ends Failed for alerting
        and calling the flow raises it; returned, not raised, because it is the sites' failure, not the
        program's: Prefect records it without logging a traceback.
        """
        if self.failure is None:
            return self.summary
        return Failed(message=str(self.failure), data=self.failure)

    def add_source(self, stats: SourceStats) -> None:
        """A source with no batches to run (its discovery failed, say): its counts and error as they are."""
        self._stats[stats.source] = stats
        self._batches[stats.source] = []

    def submit_batches(self, batch_task: Task[..., SourceStats], source: Source, items: list[Any], *,
                       stats: SourceStats | None = None, batch_size: int | None = None) -> None:
        """Submit ``batch_task(source, run_id, batch, "2/5", reader)`` for each batch of ``items``, to run at once.

        ``stats`` holds what the source counted before its batches; ``batch_size`` defaults to
        ``NEWSETL_BATCH_SIZE``; each task run fails after ``NEWSETL_TASK_TIMEOUT``.
        """
        size = batch_size or settings().batch_size
        starts = range(0, len(items), size)
        timed = batch_task.with_options(timeout_seconds=settings().task_timeout)
        futures = [timed.submit(source, self.id, items[start:start + size], f"{number}/{len(starts)}", self.reader)
                   for number, start in enumerate(starts, start=1)]
        self.add_source(stats or SourceStats(source.name))
        self._batches[source.name] = futures

    def submit_source(self, source_task: Task[..., None], source: Source, items: list[Any], *,
                      stats: SourceStats | None = None) -> None:
        """Submit ``source_task(source, run_id, items, reader, tally)``, which runs the source's batches one
        after another (so a site never sees two of our batches at once, and no thread waits on another's).

        The task records each batch in ``tally`` (:class:`BatchTally`); it may run ``NEWSETL_TASK_TIMEOUT``
        per batch of ``NEWSETL_BATCH_SIZE`` items.
        """
        config = settings()
        tally = BatchTally(source.name, math.ceil(len(items) / config.batch_size))
        timed = source_task.with_options(timeout_seconds=config.task_timeout * max(1, tally.batches))
        self.add_source(stats or SourceStats(source.name))
        self._tallies[source.name] = (timed.submit(source, self.id, items, self.reader, tally), tally)

    def submit_spread(self, task: Task[..., SpreadResult], label: str, *args: Any) -> None:
        """Submit ``task(*args, run_id=...)``, whose work spans sources; its counts go to theirs when the run closes.

        ``label`` names the work in the run's problems ("a.warc.gz: ..."), which make the run ``partial``:
        what the task reports, or its exception if it failed.
        """
        self._spread.append((label, task.submit(*args, run_id=self.id)))

    def _add_spread(self) -> None:
        for label, future in self._spread:
            try:
                result: SpreadResult = future.result()
            except Exception as exc:
                self.summary.problems.append(f"{label}: failed: {type(exc).__name__}: {exc}")
                continue
            for stats in result.stats:
                if stats.source not in self._stats:
                    self.add_source(SourceStats(stats.source))
                self._stats[stats.source].add(stats)
            if result.problem:
                self.summary.problems.append(f"{label}: {result.problem}")

    def loaded(self, name: str) -> bool:
        """Wait for the source's batches and add up their counts; True when every batch was loaded."""
        if name not in self._loaded:
            stats, futures = self._stats[name], self._batches[name]
            failed, batches = 0, len(futures)
            for future in futures:
                try:
                    stats.add(future.result())
                except Exception as exc:
                    failed += 1
                    stats.error = stats.error or f"a batch failed: {type(exc).__name__}: {exc}"
            if name in self._tallies:
                future, tally = self._tallies[name]
                try:
                    future.result()
                except Exception as exc:  # the task itself died (its timeout): the batches it had not loaded
                    tally.fail("(the rest)", exc)
                stats.add(tally.stats)
                batches += tally.batches
                failed += tally.batches - tally.loaded
                if tally.failures:
                    stats.error = stats.error or f"a batch failed: {tally.failures[0]}"
            if failed:
                stats.error = f"{failed} of {batches} batches not loaded; first: {stats.error}"
            self._loaded[name] = not failed
            self._batches_loaded[name] = batches - failed
        return self._loaded[name]

    def _close(self) -> None:
        """Add up every source; the run is ``failed`` when every source failed entirely, ``partial`` when some did.

        A source failed entirely when it has an error and not one of its batches was loaded (every
        feed, sitemap and listing unreachable, its discovery raised, or each batch failed): the site
        is down or changed, which is what alerting is for. A source that lost some batches only is
        ``partial`` and nothing more.
        """
        self._add_spread()
        for name in self._stats:
            self.loaded(name)
        self.summary.sources = list(self._stats.values())
        self.summary.failed_sources = [s.source for s in self.summary.sources
                                       if s.error and not self._batches_loaded.get(s.source)]
        if self.summary.sources and len(self.summary.failed_sources) == len(self.summary.sources):
            self.summary.status = "failed"
        else:
            self.summary.status = "partial" if self.summary.errors else "completed"


@contextmanager
def run_lifecycle(flow_name: str, sources: list[str], started: str, *, language_model: bool = False) -> Iterator[Run]:
    """Open the flow's run over ``sources`` (names), yield it for the flow's work, then finish and publish it.

    ``started`` completes the first log line ("ingest run 7 started: 2 sources from sources.toml");
    ``language_model`` warms the language detector up in the run's readers (a source without a language).
    The run row of a process killed in between stays ``running`` until the next run marks it abandoned.
    Its read workers are stopped when the block ends, whichever way.
    """
    log = run_logger()
    eng = engine()
    for dead in abandon_dead_runs(eng):
        log.warning("run %d was left 'running' by a process that died; marked abandoned", dead)
    flow_run_id = _flow_run_id()
    lease = RunLease(eng, sources, flow_run_id)
    run = Run(lease.run_id, flow_run_id, ReadPool(language_model=language_model))
    summary = run.summary
    log.info("%s run %d started: %s", flow_name, run.id, started)
    try:
        try:
            yield run
            run._close()
        except BaseException as exc:
            _finish_failed(eng, run, exc)
            if isinstance(exc, Exception):  # not on Ctrl-C: the user stopped it and is there to see
                _notify(flow_name, summary, error=f"{type(exc).__name__}: {exc}")
            raise
        finally:
            run.reader.close()
        for stats in summary.sources:
            record_run_source(eng, run.id, stats)
        finish_run(eng, run.id, summary.status, summary.totals, "; ".join(summary.errors) or None)
        _observe_health(eng, summary)
    finally:
        lease.release()
    _publish(flow_name, summary)
    _notify(flow_name, summary)
    log.info("%s run %d %s: %s", flow_name, run.id, summary.status, _counts_line(summary.totals))
    if summary.failed_sources:  # after the run is recorded and published: see Run.outcome
        run.failure = SourcesFailed(_failed_line(summary), summary)


def _observe_health(eng: Engine, summary: RunSummary) -> None:
    """Keep the run's source health and read which sources drifted or went stale, into ``summary.drift``.

    After the run is recorded, and guarded: health is an observation of the run, so a failure here is a
    warning and leaves the run's own status as recorded.
    """
    try:
        record_source_health(eng, summary.run_id, [s.source for s in summary.sources])
        summary.drift = read_drift(eng, summary.run_id)
    except Exception as exc:  # noqa: BLE001 - any failure: the run is recorded already, say so and go on
        run_logger().warning("run %d: source health not recorded: %s: %s", summary.run_id, type(exc).__name__, exc)
        return
    for drift in summary.drift:
        run_logger().warning("%s %s: %s", drift.source, "drifted" if drift.signals else "stale", drift.detail)


def _notify(flow_name: str, summary: RunSummary, error: str | None = None) -> None:
    """Post the run to ``NEWSETL_ALERT_WEBHOOK`` when it is set and the run failed, lost a source or drifted."""
    try:
        url = settings().alert_webhook
    except ConfigError as exc:  # a bad value of another setting usually stops the run before this
        run_logger().warning("run %d: no alert posted: %s", summary.run_id, exc)
        return
    if not url:
        return
    failed = [(s.source, s.error or "") for s in summary.sources if s.source in summary.failed_sources]
    message = alert_message(flow=flow_name, run_id=summary.run_id, status=summary.status,
                            flow_run_id=summary.flow_run_id, failed=failed, drift=summary.drift, error=error)
    if message is not None and post_alert(url, message, run_logger()):
        run_logger().info("run %d: alert posted to the webhook", summary.run_id)


def _failed_line(summary: RunSummary) -> str:
    failed = summary.failed_sources
    which = "every source" if summary.status == "failed" else f"{len(failed)} of {len(summary.sources)} sources"
    reasons = "; ".join(f"{s.source}: {s.error}" for s in summary.sources if s.source in failed)
    return f"run {summary.run_id}: {which} failed entirely ({reasons})"


def _finish_failed(eng: Engine, run: Run, exc: BaseException) -> None:
    """Record the failure if the database still answers; if it is gone, the next run marks this one abandoned."""
    run.summary.status = "failed"
    stopped = stop_reason(exc)
    if stopped:
        run_logger().warning("run %d %s: recorded as failed", run.id, stopped)
    try:
        finish_run(eng, run.id, "failed", run.summary.totals, stopped or f"{type(exc).__name__}: {exc}")
    except Exception as db_exc:  # the database went away: the original error is the one to raise
        run_logger().error("could not record run %d as failed: %s", run.id, db_exc)


def _flow_run_id() -> str | None:
    from prefect.runtime import flow_run

    return str(flow_run.id) if flow_run.id else None


def _counts_line(stats: SourceStats) -> str:
    return ", ".join(f"{getattr(stats, name)} {name}" for name in SourceStats.COUNTS)


def _publish(flow_name: str, summary: RunSummary) -> None:
    health = {d.source: ("drifted: " if d.signals else "stale: ") + d.detail for d in summary.drift}
    rows = [{"source": s.source, **{n: getattr(s, n) for n in SourceStats.COUNTS}, "error": s.error or "",
             "health": health.get(s.source, "")}
            for s in [*summary.sources, summary.totals]]
    flagged = f"; drifted or stale: {', '.join(health)}" if health else ""
    create_table_artifact(key=f"{flow_name}-summary", table=rows,
                          description=f"newsetl {flow_name} run {summary.run_id}: {summary.status}{flagged}")
