"""The ``ingest`` flow: sources -> discover -> batches of (fetch, extract, normalise, dedupe) -> load.

One run is one row of ``news.ingest_runs``. Sources are discovered in parallel;
each source's batches run one after another, so a site never sees more than one
of our batches at a time. A source that fails leaves the others running and the
run ``partial``; only a failing database fails the run.

The run itself (its lease, per-source rows, failure path and summary artifact) is
``flows.runs.run_lifecycle``, shared with ``reprocess``. Feed and sitemap validators
are stored only after a source's batches are loaded, so a killed run leaves nothing
marked seen that was not stored.
"""

from __future__ import annotations

from pathlib import Path

from prefect import flow
from prefect.task_runners import ThreadPoolTaskRunner

from flows.pipeline import SourcePlan, discover_task, ingest_batch_task, remember_listings
from flows.runs import MAX_PARALLEL_TASKS, RunSummary, run_lifecycle
from tasks import normalise
from tasks.config import DEFAULT_SOURCES_FILE, load_sources
from tasks.extract import article as extraction
from tasks.records import SourceStats
from tasks.warehouse.db import engine, upgrade
from tasks.warehouse.runs import sync_sources


@flow(name="ingest", task_runner=ThreadPoolTaskRunner(max_workers=MAX_PARALLEL_TASKS), log_prints=False)
def ingest(sources_file: str = str(DEFAULT_SOURCES_FILE), only: list[str] | None = None,
           limit: int | None = None) -> RunSummary:
    """Ingest every source in ``sources_file`` (or those named in ``only``); ``limit`` caps new pages per source."""
    sources = load_sources(Path(sources_file), only)
    eng = engine()
    upgrade(eng)
    sync_sources(eng, sources)
    with run_lifecycle("ingest", [s.name for s in sources], f"{len(sources)} sources from {sources_file}") as run:
        extraction.warm_up()
        if any(s.language is None for s in sources):  # only sources without a language run the detector
            normalise.warm_up()
        discoveries = {s.name: discover_task.submit(s, run.id, limit) for s in sources}
        plans: list[SourcePlan] = []
        for source in sources:
            try:
                plan: SourcePlan = discoveries[source.name].result()
            except Exception as exc:
                run.add_source(SourceStats(source.name, error=f"discovery failed: {exc}"))
                continue
            run.submit_batches(ingest_batch_task, source, plan.plan.to_fetch, stats=plan.stats, in_order=True)
            plans.append(plan)
        for plan in plans:  # a listing is remembered only once every batch of its source is loaded
            if run.loaded(plan.source.name):
                remember_listings(plan, run.id)
    return run.summary
