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

from flows.read import read_fetched
from flows.runs import MAX_PARALLEL_TASKS, RunSummary, run_lifecycle, run_logger
from tasks.config import Source, load_sources
from tasks.dedupe.exact import dedupe_batch
from tasks.records import Article, Reject, SourceStats
from tasks.warehouse.db import engine, upgrade
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
    eng = engine()
    upgrade(eng)
    sources = warehouse_sources(sources_file, only)
    page_ids = stored_page_ids(eng, list(sources))
    started = f"{sum(map(len, page_ids.values()))} stored pages of {len(sources)} sources"
    with run_lifecycle("reprocess", list(sources), started) as run:
        for name, ids in page_ids.items():
            run.submit_batches(reprocess_batch_task, sources[name], ids, batch_size=batch_size)
    return run.summary
