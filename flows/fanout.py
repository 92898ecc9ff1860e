"""The ``ingest-fanout`` flow: one ingest spread over the workers of a pool, a child flow run per shard of sources.

The sources of ``sources.toml`` (or those in ``only``) are dealt round-robin into ``shards`` groups, and
each group becomes a flow run of the ``ingest`` deployment ``newsetl-ingest-shard`` (``prefect.yaml``),
started with ``run_deployment`` as a subflow of this run, so the pool's workers, on one machine or
several, pick them up and ingest at once. Hosts stay polite whichever worker fetches them: every
fetcher claims its request starts in the warehouse's ``news.host_schedule`` (``tasks.fetch.hosts``).
Each child is an ordinary ingest run with its own row of ``news.ingest_runs``; this flow waits for all
of them and adds up their rows (read from the warehouse by flow run id, so it needs no result storage
shared with the workers) into one summary, published as the artifact ``ingest-fanout-summary``.
A child that did not complete (a source failed entirely, a crash) fails this flow run, with a message
naming each such child, its state and its reason.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from prefect import flow
from prefect.artifacts import create_table_artifact
from prefect.client.orchestration import get_client
from prefect.client.schemas.objects import FlowRun
from prefect.deployments import run_deployment
from prefect.states import Failed, State

from flows.runs import run_logger
from tasks.config import DEFAULT_SOURCES_FILE, Source, load_sources
from tasks.errors import ChildRunsFailed
from tasks.records import SourceStats
from tasks.warehouse.db import engine, upgrade
from tasks.warehouse.reads import runs_of_flow_runs

SHARD_DEPLOYMENT = "ingest/newsetl-ingest-shard"


@dataclass
class ChildRun:
    """One shard's flow run: which sources, how its Prefect run ended, and its warehouse run."""

    shard: str  # "2/4"
    sources: list[str]
    flow_run_id: str
    flow_run_name: str
    state: str = "Scheduled"  # the Prefect state's name when it ended: Completed, Failed, Crashed...
    message: str | None = None  # the state's message
    run_id: int | None = None  # news.ingest_runs.id, None when the child never opened a run
    status: str | None = None  # news.ingest_runs.status

    @property
    def completed(self) -> bool:
        return self.state == "Completed"


@dataclass
class FanoutSummary:
    """The children's runs added up: per source, in total, and which children did not complete."""

    status: str
    children: list[ChildRun] = field(default_factory=list)
    sources: list[SourceStats] = field(default_factory=list)

    @property
    def totals(self) -> SourceStats:
        return SourceStats.total(self.sources)

    @property
    def failed_children(self) -> list[ChildRun]:
        return [c for c in self.children if not c.completed]


def shard_sources(sources: list[Source], shards: int) -> list[list[str]]:
    """Deal the source names round-robin into at most ``shards`` non-empty groups, in the file's order."""
    count = max(1, min(shards, len(sources)))
    groups: list[list[str]] = [[] for _ in range(count)]
    for index, source in enumerate(sources):
        groups[index % count].append(source.name)
    return groups


@flow(name="ingest-fanout", log_prints=False)
def ingest_fanout(sources_file: str = str(DEFAULT_SOURCES_FILE), only: list[str] | None = None,
                  limit: int | None = None, shards: int = 2, deployment: str = SHARD_DEPLOYMENT,
                  poll_seconds: float = 2.0) -> FanoutSummary | State:
    """Ingest the sources as ``shards`` child runs of ``deployment`` on its pool; their summary added up.

    ``sources_file`` is passed to the children as it is: a relative path is read from the deployment's
    directory on each worker, so every worker needs the same file there.
    """
    log = run_logger()
    sources = load_sources(Path(sources_file), only)  # a configuration error stops here, before any child
    eng = engine()
    upgrade(eng)
    groups = shard_sources(sources, shards)
    parent = _this_flow_run_id()
    children: list[ChildRun] = []
    for number, names in enumerate(groups, start=1):
        label = f"{number}/{len(groups)}"
        child: FlowRun = run_deployment(
            deployment, parameters={"sources_file": sources_file, "only": names, "limit": limit}, timeout=0,
            as_subflow=True, tags=["newsetl-fanout"],
            # a retry of this flow run finds the children it started instead of starting them again
            idempotency_key=f"{parent}:{label}" if parent else None)
        children.append(ChildRun(label, names, str(child.id), child.name))
        log.info("shard %s: %s as flow run %s", label, ", ".join(names), child.name)
    _wait(children, poll_seconds)
    summary = _gather(eng, children)
    _publish(summary)
    log.info("ingest-fanout %s: %d children, %s", summary.status, len(children),
             ", ".join(f"{getattr(summary.totals, n)} {n}" for n in SourceStats.COUNTS))
    if summary.failed_children:
        return Failed(message=_failed_line(summary), data=ChildRunsFailed(_failed_line(summary), summary))
    return summary


def _this_flow_run_id() -> str | None:
    from prefect.runtime import flow_run

    return str(flow_run.id) if flow_run.id else None


def _wait(children: list[ChildRun], poll_seconds: float) -> None:
    """Poll the children until each is in a final state (completed, failed, crashed, cancelled)."""
    pending = {c.flow_run_id: c for c in children}
    with get_client(sync_client=True) as client:
        while pending:
            for flow_run_id, child in list(pending.items()):
                state = client.read_flow_run(flow_run_id).state
                if state is not None and state.is_final():
                    child.state, child.message = state.name, state.message
                    run_logger().info("shard %s (%s): %s", child.shard, child.flow_run_name, state.name)
                    del pending[flow_run_id]
            if pending:
                time.sleep(poll_seconds)


def _gather(eng, children: list[ChildRun]) -> FanoutSummary:
    """Each child's warehouse run and source rows, added up; status as a run's: failed when every child failed."""
    by_flow_run = {c.flow_run_id: c for c in children}
    sources: dict[str, SourceStats] = {}
    for row in runs_of_flow_runs(eng, list(by_flow_run)):
        child = by_flow_run[row.flow_run_id]
        child.run_id, child.status = row.run_id, row.status
        if row.source is None:
            continue
        stats = SourceStats(row.source, **{n: getattr(row, n) for n in SourceStats.COUNTS}, error=row.error)
        sources.setdefault(row.source, SourceStats(row.source)).add(stats)
    failed = [c for c in children if not c.completed]
    status = "failed" if len(failed) == len(children) else "partial" if failed else "completed"
    return FanoutSummary(status, children, list(sources.values()))


def _failed_line(summary: FanoutSummary) -> str:
    failed = summary.failed_children
    reasons = "; ".join(f"shard {c.shard} ({c.flow_run_name}, {', '.join(c.sources)}): {c.state}"
                        + (f": {c.message}" if c.message else "") for c in failed)
    return f"ingest-fanout: {len(failed)} of {len(summary.children)} child runs did not complete ({reasons})"


def _publish(summary: FanoutSummary) -> None:
    rows = [{"source": s.source, **{n: getattr(s, n) for n in SourceStats.COUNTS}, "error": s.error or ""}
            for s in [*summary.sources, summary.totals]]
    children = ", ".join(f"{c.shard} {c.flow_run_name}: {c.state} (run {c.run_id})" for c in summary.children)
    create_table_artifact(key="ingest-fanout-summary", table=rows,
                          description=f"newsetl ingest-fanout: {summary.status}; children {children}")
