"""The run lifecycle every flow shares: one row of ``news.ingest_runs`` from its lease to its summary.

A flow (``ingest``, ``reprocess``, ``backfill``) does its work inside :func:`run_lifecycle`,
which clears the runs whose process died, opens the flow's run with a lease (so a run starting
beside it sees it alive), and hands the flow a :class:`Run` to submit each source's batches to,
as Prefect task runs, or work that spans sources (a WARC file's records: :meth:`Run.submit_spread`).
When the flow's work returns, the tasks' :class:`SourceStats` are added up per source, each
source's row is recorded and the run ends ``completed``, ``partial`` (a source that failed, or
spread work that reported a problem, leaves the rest running) or ``failed`` (every source did);
when it raises, the run is recorded ``failed`` if the database still answers. Then the summary is
published as a table artifact keyed by the flow's name; a run in which a source failed entirely
makes the flow return a Failed state carrying ``SourcesFailed`` (``Run.outcome``), so its Prefect
flow run ends Failed and cron sees a non-zero exit code: alerting can fire.
"""

from __future__ import annotations

import logging
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

from tasks.config import Source, settings
from tasks.errors import SourcesFailed, stop_reason
from tasks.records import SourceStats
from tasks.warehouse.db import engine, is_transient
from tasks.warehouse.runs import RunLease, abandon_dead_runs, finish_run, record_run_source

# Threads for task runs: sources discovered and ingested at once. Each thread holds one
# HTTP connection and at most one database connection, well inside the pool of 10.
MAX_PARALLEL_TASKS = 4


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

    @property
    def totals(self) -> SourceStats:
        total = SourceStats("total")
        for stats in self.sources:
            total.add(stats)
        total.error = None
        return total

    @property
    def errors(self) -> list[str]:
        return [f"{s.source}: {s.error}" for s in self.sources if s.error] + self.problems


@dataclass
class SpreadResult:
    """What a task whose work spans sources (a WARC file's records) did: each source's counts, its own problem."""

    stats: list[SourceStats] = field(default_factory=list)
    problem: str | None = None


class Run:
    """An open run: its id, its summary, and each source's batches as the flow submits them."""

    def __init__(self, run_id: int, flow_run_id: str | None):
        self.id = run_id
        self.summary = RunSummary(run_id=run_id, status="running", flow_run_id=flow_run_id)
        self._stats: dict[str, SourceStats] = {}  # in the order the flow named the sources
        self._batches: dict[str, list[PrefectFuture]] = {}
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
                       stats: SourceStats | None = None, in_order: bool = False,
                       batch_size: int | None = None) -> None:
        """Submit ``batch_task(source, run_id, batch, "2/5")`` for each batch of ``items``.

        ``stats`` holds what the source counted before its batches (discovery); ``in_order`` runs
        the source's batches one after another, so a site never sees two of our batches at once.
        ``batch_size`` defaults to ``NEWSETL_BATCH_SIZE``.
        """
        size = batch_size or settings().batch_size
        starts = range(0, len(items), size)
        futures: list[PrefectFuture] = []
        for number, start in enumerate(starts, start=1):
            previous = [futures[-1]] if in_order and futures else None
            futures.append(batch_task.submit(source, self.id, items[start:start + size], f"{number}/{len(starts)}",
                                             wait_for=previous))
        self.add_source(stats or SourceStats(source.name))
        self._batches[source.name] = futures

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
            failed = 0
            for future in futures:
                try:
                    stats.add(future.result())
                except Exception as exc:
                    failed += 1
                    stats.error = stats.error or f"a batch failed: {type(exc).__name__}: {exc}"
            if failed:
                stats.error = f"{failed} of {len(futures)} batches not loaded; first: {stats.error}"
            self._loaded[name] = not failed
            self._batches_loaded[name] = len(futures) - failed
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
def run_lifecycle(flow_name: str, sources: list[str], started: str) -> Iterator[Run]:
    """Open the flow's run over ``sources`` (names), yield it for the flow's work, then finish and publish it.

    ``started`` completes the first log line ("ingest run 7 started: 2 sources from sources.toml").
    The run row of a process killed in between stays ``running`` until the next run marks it abandoned.
    """
    log = run_logger()
    eng = engine()
    for dead in abandon_dead_runs(eng):
        log.warning("run %d was left 'running' by a process that died; marked abandoned", dead)
    flow_run_id = _flow_run_id()
    lease = RunLease(eng, sources, flow_run_id)
    run = Run(lease.run_id, flow_run_id)
    summary = run.summary
    log.info("%s run %d started: %s", flow_name, run.id, started)
    try:
        try:
            yield run
            run._close()
        except BaseException as exc:
            _finish_failed(eng, run, exc)
            raise
        for stats in summary.sources:
            record_run_source(eng, run.id, stats)
        finish_run(eng, run.id, summary.status, summary.totals, "; ".join(summary.errors) or None)
    finally:
        lease.release()
    _publish(flow_name, summary)
    log.info("%s run %d %s: %s", flow_name, run.id, summary.status, _counts_line(summary.totals))
    if summary.failed_sources:  # after the run is recorded and published: see Run.outcome
        run.failure = SourcesFailed(_failed_line(summary), summary)


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
    rows = [{"source": s.source, **{n: getattr(s, n) for n in SourceStats.COUNTS}, "error": s.error or ""}
            for s in [*summary.sources, summary.totals]]
    create_table_artifact(key=f"{flow_name}-summary", table=rows,
                          description=f"newsetl {flow_name} run {summary.run_id}: {summary.status}")
