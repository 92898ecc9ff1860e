"""The ``ingest`` flow: sources -> discover -> batches of (fetch, extract, normalise, dedupe) -> load.

One run is one row of ``news.ingest_runs``. Sources are discovered in parallel;
each source's batches run one after another, so a site never sees more than one
of our batches at a time. A source that fails leaves the others running and the
run ``partial``; only a failing database fails the run.

A run holds a lock in Postgres for as long as its process lives (``RunLease``);
each run starts by marking runs whose process died while ``running`` as
``abandoned``. Feed and sitemap validators are stored only after a source's
batches are loaded, so a killed run leaves nothing marked seen that was not stored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from prefect import flow
from prefect.artifacts import create_table_artifact
from prefect.futures import PrefectFuture
from prefect.task_runners import ThreadPoolTaskRunner

from flows.pipeline import SourcePlan, discover_task, ingest_batch_task, remember_listings, run_logger
from tasks import normalise
from tasks.config import DEFAULT_SOURCES_FILE, Source, load_sources, settings
from tasks.extract import body as extraction
from tasks.records import SourceStats
from tasks.warehouse.db import engine, upgrade
from tasks.warehouse.writes import RunLease, abandon_dead_runs, finish_run, record_run_source, sync_sources

# Threads for task runs: sources discovered and ingested at once. Each thread holds one
# HTTP connection and at most one database connection, well inside the pool of 10.
MAX_PARALLEL_TASKS = 4


@dataclass
class RunSummary:
    """What one run did, per source and in total; the CLI prints it and Prefect shows it as an artifact."""

    run_id: int
    status: str
    sources: list[SourceStats] = field(default_factory=list)
    flow_run_id: str | None = None

    @property
    def totals(self) -> SourceStats:
        total = SourceStats("total")
        for stats in self.sources:
            total.add(stats)
        total.error = None
        return total

    @property
    def errors(self) -> list[str]:
        return [f"{s.source}: {s.error}" for s in self.sources if s.error]


@flow(name="ingest", task_runner=ThreadPoolTaskRunner(max_workers=MAX_PARALLEL_TASKS), log_prints=False)
def ingest(sources_file: str = str(DEFAULT_SOURCES_FILE), only: list[str] | None = None,
           limit: int | None = None) -> RunSummary:
    """Ingest every source in ``sources_file`` (or those named in ``only``); ``limit`` caps new pages per source."""
    log = run_logger()
    sources = load_sources(Path(sources_file), only)
    eng = engine()
    upgrade(eng)
    sync_sources(eng, sources)
    flow_run_id = _flow_run_id()
    for dead in abandon_dead_runs(eng):
        log.warning("run %d was left 'running' by a process that died; marked abandoned", dead)
    lease = RunLease(eng, [s.name for s in sources], flow_run_id)
    run_id = lease.run_id
    log.info("run %d started: %d sources from %s", run_id, len(sources), sources_file)
    extraction.warm_up()
    if any(s.language is None for s in sources):  # only sources without a language run the detector
        normalise.warm_up()
    summary = RunSummary(run_id=run_id, status="running", flow_run_id=flow_run_id)
    try:
        try:
            summary.sources = _ingest_sources(sources, run_id, limit)
            summary.status = "partial" if summary.errors else "completed"
            error = "; ".join(summary.errors) or None
        except BaseException as exc:
            _finish_failed(eng, run_id, summary, exc)
            raise
        for stats in summary.sources:
            record_run_source(eng, run_id, stats)
        finish_run(eng, run_id, summary.status, summary.totals, error)
    finally:
        lease.release()
    _publish(summary)
    log.info("run %d %s: %s", run_id, summary.status, _counts_line(summary.totals))
    return summary


def _ingest_sources(sources: list[Source], run_id: int, limit: int | None) -> list[SourceStats]:
    batch_size = settings().batch_size
    discoveries = {s.name: discover_task.submit(s, run_id, limit) for s in sources}
    batches: dict[str, list[PrefectFuture]] = {}
    results: dict[str, SourceStats] = {}
    plans: dict[str, SourcePlan] = {}
    for source in sources:
        try:
            plan: SourcePlan = discoveries[source.name].result()
        except Exception as exc:
            results[source.name] = SourceStats(source.name, error=f"discovery failed: {exc}")
            continue
        results[source.name] = plan.stats
        plans[source.name] = plan
        previous: PrefectFuture | None = None
        batches[source.name] = []
        urls = plan.plan.to_fetch
        starts = range(0, len(urls), batch_size)
        for number, start in enumerate(starts, start=1):
            previous = ingest_batch_task.submit(source, run_id, urls[start:start + batch_size],
                                                f"{number}/{len(starts)}", wait_for=[previous] if previous else None)
            batches[source.name].append(previous)
    for name, futures in batches.items():
        stats = results[name]
        failed = 0
        for future in futures:
            try:
                stats.add(future.result())
            except Exception as exc:
                failed += 1
                stats.error = stats.error or f"a batch failed: {type(exc).__name__}: {exc}"
        if failed:
            stats.error = f"{failed} of {len(futures)} batches not loaded; first: {stats.error}"
        else:
            remember_listings(plans[name], run_id)
    return [results[s.name] for s in sources]


def _finish_failed(eng, run_id: int, summary: RunSummary, exc: BaseException) -> None:
    """Record the failure if the database still answers; if it is gone, the next run marks this one abandoned."""
    try:
        finish_run(eng, run_id, "failed", summary.totals, f"{type(exc).__name__}: {exc}")
    except Exception as db_exc:  # the database went away: the original error is the one to raise
        run_logger().error("could not record run %d as failed: %s", run_id, db_exc)


def _flow_run_id() -> str | None:
    from prefect.runtime import flow_run

    return str(flow_run.id) if flow_run.id else None


def _counts_line(stats: SourceStats) -> str:
    return ", ".join(f"{getattr(stats, name)} {name}" for name in SourceStats.COUNTS)


def _publish(summary: RunSummary) -> None:
    rows = [{"source": s.source, **{n: getattr(s, n) for n in SourceStats.COUNTS}, "error": s.error or ""}
            for s in [*summary.sources, summary.totals]]
    create_table_artifact(key="ingest-summary", table=rows,
                          description=f"newsetl run {summary.run_id}: {summary.status}")
