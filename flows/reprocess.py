"""The ``reprocess`` flow: re-extract stored raw pages (``news.pages``) with the current extractor, no fetching.

When the extractor improves, the pages already fetched are read again from the warehouse
(``tasks.warehouse.stored``) and go through the same read (``flows.read``) and the same
dedupe -> load tail as an ingest batch (``flows.ingest.dedupe_and_load``), inside the same run
lifecycle (``flows.runs``): an article whose normalised text changed gets a new version (the old
one kept in ``news.article_versions``), an unchanged one is only marked as seen, a page that now
yields an article is inserted and put in its story. One run is one row of ``news.ingest_runs``;
its ``discovered`` counts the stored pages read and ``fetched`` stays 0. Pages go in batches
(a Prefect task each, ``NEWSETL_BATCH_SIZE`` pages), never per page.
"""
from __future__ import annotations

from pathlib import Path

from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from prefect.states import State
from prefect.task_runners import ThreadPoolTaskRunner

from flows.ingest import dedupe_and_load
from flows.read_pool import ReadPool
from flows.runs import MAX_PARALLEL_TASKS, RunSummary, retry_if_transient, run_lifecycle, run_logger
from tasks.config import Source, load_sources
from tasks.errors import ConfigError
from tasks.records import Article, Reject, SourceStats
from tasks.warehouse.db import engine, ensure_current
from tasks.warehouse.reads import held_sources, stored_page_ids, stored_pages


def warehouse_sources(sources_file: str | None, only: list[str] | None) -> dict[str, Source]:
    """Sources as the warehouse knows them (``news.sources``), with the sources file's settings where it has them."""
    sources = held_sources(engine())
    if sources_file and Path(sources_file).exists():
        for configured in load_sources(sources_file):
            held = sources.get(configured.name)
            if held is None:
                continue
            if configured.host == held.host:
                sources[configured.name] = configured
            else:  # another site under the same name: its URL rules would re-key the stored articles
                run_logger().warning("%s: %s names homepage %s but the warehouse holds %s; using the warehouse's",
                                     configured.name, sources_file, configured.homepage, held.homepage)
    if only:
        unknown = sorted(set(only) - set(sources))
        if unknown:
            raise ConfigError(f"no pages stored for source {', '.join(unknown)} (known: {', '.join(sources)})")
        sources = {name: s for name, s in sources.items() if name in only}
    return sources


@task(name="reprocess-batch", retries=1, retry_delay_seconds=10, retry_condition_fn=retry_if_transient,
      cache_policy=NO_CACHE, task_run_name="reprocess-batch-{source.name}-{label}")
def reprocess_batch(source: Source, run_id: int, page_ids: list[int], label: str = "1/1",
                    reader: ReadPool | None = None) -> SourceStats:
    """Re-read a batch of stored pages of one source (by the run's ``reader``), then dedupe and load it as an
    ingest batch is."""
    articles: list[Article] = []
    rejects: list[Reject] = []
    pages = stored_pages(engine(), page_ids)
    reader = reader or ReadPool(1)
    for page in pages:
        article, reject = reader.read(source, page)
        if article is not None:
            articles.append(article)
        if reject is not None:
            rejects.append(reject)
    # A page at its own canonical URL wins over a copy of it (AMP, tracking link) within the batch.
    articles.sort(key=lambda a: a.url != a.canonical_url)
    return dedupe_and_load(source, run_id, f"reprocess batch {label}: {len(pages)} pages", [], articles, rejects,
                           discovered=len(pages))


@flow(name="reprocess", task_runner=ThreadPoolTaskRunner(max_workers=MAX_PARALLEL_TASKS), log_prints=False)
def reprocess(sources_file: str | None = None, only: list[str] | None = None,
              batch_size: int | None = None) -> RunSummary | State:
    """Re-extract every stored page (of the sources in ``only``, if given) and apply dedupe and revisions."""
    eng = engine()
    ensure_current(eng)  # skipped when the command that started this flow checked it (one_check_per_command)
    sources = warehouse_sources(sources_file, only)
    page_ids = stored_page_ids(eng, list(sources))
    started = f"{sum(map(len, page_ids.values()))} stored pages of {len(sources)} sources"
    with run_lifecycle("reprocess", list(sources), started) as run:
        for name, ids in page_ids.items():
            run.submit_batches(reprocess_batch, sources[name], ids, batch_size=batch_size)
    return run.outcome()
