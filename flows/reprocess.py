"""The ``reprocess`` flow: re-extract stored raw pages (``news.pages``) with the current extractor, no fetching.

When the extractor improves, the pages already fetched are read again from the
warehouse and go through the same extract -> normalise -> dedupe -> load steps as
an ingest: an article whose normalised text changed gets a new version (the old one
kept in ``news.article_versions``), an unchanged one is only marked as seen, a page
that now yields an article is inserted and put in its story. One run is one row of
``news.ingest_runs``; its ``discovered`` counts the stored pages read and ``fetched`` stays 0.
Pages go in batches (a Prefect task each, ``NEWSETL_BATCH_SIZE`` pages), never per page.
"""

from __future__ import annotations

from pathlib import Path

from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from prefect.task_runners import ThreadPoolTaskRunner

from flows.ingest import MAX_PARALLEL_TASKS, RunSummary, _flow_run_id, _publish
from flows.pipeline import run_logger
from flows.read import read_fetched
from tasks.config import Source, load_sources, settings
from tasks.dedupe.exact import dedupe_batch
from tasks.records import Article, Reject, SourceStats
from tasks.warehouse.db import engine, upgrade
from tasks.warehouse.runs import RunLease, abandon_dead_runs, finish_run, record_run_source
from tasks.warehouse.stored import held_sources, stored_page_ids, stored_pages
from tasks.warehouse.writes import load_batch


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
            from tasks.config import ConfigError

            raise ConfigError(f"no pages stored for source {', '.join(unknown)} (known: {', '.join(sources)})")
        sources = {name: s for name, s in sources.items() if name in only}
    return sources


def reprocess_pages(source: Source, run_id: int, page_ids: list[int], label: str = "1/1") -> SourceStats:
    """Re-extract a batch of stored pages of one source and load the articles in one transaction."""
    articles: list[Article] = []
    rejects: list[Reject] = []
    pages = stored_pages(engine(), page_ids)
    for page in pages:
        article, reject = read_fetched(source, page)
        if article is not None:
            articles.append(article)
        if reject is not None:
            rejects.append(reject)
    # A page at its own canonical URL wins over a copy of it (AMP, tracking link) within the batch.
    articles.sort(key=lambda a: a.url != a.canonical_url)
    unique, duplicates = dedupe_batch(articles)
    result = load_batch(engine(), run_id, source.name, [], unique, rejects)
    stats = SourceStats(source.name, discovered=len(pages), new=result.new, updated=result.updated,
                        unchanged=result.unchanged, duplicates=result.duplicates + len(duplicates),
                        rejected=result.rejected)
    run_logger().info("%s reprocess batch %s: %d pages: %d new, %d updated, %d unchanged, %d duplicates, "
                      "%d rejected", source.name, label, len(pages), stats.new, stats.updated, stats.unchanged,
                      stats.duplicates, stats.rejected)
    return stats


reprocess_batch_task = task(reprocess_pages, name="reprocess-batch", retries=1, retry_delay_seconds=10,
                            cache_policy=NO_CACHE, task_run_name="reprocess-batch-{source.name}-{label}")


@flow(name="reprocess", task_runner=ThreadPoolTaskRunner(max_workers=MAX_PARALLEL_TASKS), log_prints=False)
def reprocess(sources_file: str | None = None, only: list[str] | None = None,
              batch_size: int | None = None) -> RunSummary:
    """Re-extract every stored page (of the sources in ``only``, if given) and apply dedupe and revisions."""
    log = run_logger()
    eng = engine()
    upgrade(eng)
    sources = warehouse_sources(sources_file, only)
    batch_size = batch_size or settings().batch_size
    by_source = stored_page_ids(eng, list(sources))
    flow_run_id = _flow_run_id()
    for dead in abandon_dead_runs(eng):
        log.warning("run %d was left 'running' by a process that died; marked abandoned", dead)
    # Leased like an ingest: a run starting meanwhile sees this one alive, not dead.
    lease = RunLease(eng, list(sources), flow_run_id)
    run_id = lease.run_id
    try:
        log.info("reprocess run %d: %d stored pages of %d sources", run_id, sum(map(len, by_source.values())),
                 len(sources))
        summary = RunSummary(run_id=run_id, status="running", flow_run_id=flow_run_id)
        futures = {}
        for name, ids in by_source.items():
            starts = range(0, len(ids), batch_size)
            futures[name] = [reprocess_batch_task.submit(sources[name], run_id, ids[i:i + batch_size],
                                                         f"{n}/{len(starts)}") for n, i in enumerate(starts, start=1)]
        for name, batch in futures.items():
            stats = SourceStats(name)
            for future in batch:
                try:
                    stats.add(future.result())
                except Exception as exc:
                    stats.error = stats.error or f"a batch failed: {type(exc).__name__}: {exc}"
            summary.sources.append(stats)
        summary.status = "partial" if summary.errors else "completed"
        for stats in summary.sources:
            record_run_source(eng, run_id, stats)
        finish_run(eng, run_id, summary.status, summary.totals, "; ".join(summary.errors) or None)
    finally:
        lease.release()
    _publish(summary)
    return summary
