"""The ``ingest`` flow, which is the pipeline itself: discover -> fetch -> read -> dedupe -> load, per source.

Sources from ``sources.toml`` go in and one row of ``news.ingest_runs`` with its pages, articles
and rejects comes out. Each source is discovered by a task of its own, in parallel with the others.
Its feeds, sitemaps and listing pages give article URLs, and the URLs the warehouse already holds
are dropped. The rest go into ``ingest-batch`` tasks of ``NEWSETL_BATCH_SIZE`` pages (Prefect costs
about 20 ms per task run, so no task is ever per URL). A source's batches run one after another, so
a site never sees two of our batches at once. A batch fetches its pages, reads each one
(decode -> extract -> normalise, ``flows.read``), keeps one article per URL and text, and loads
everything in one transaction. A bad page or listing becomes a reject row. Only a failing database
raises, which is what the task retries are for (only errors another attempt may get through,
``retry_if_transient``); HTTP is retried inside the fetcher. The run around
all this (lease, per-source rows, failure path, summary artifact) is ``flows.runs``.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from prefect.states import State
from prefect.task_runners import ThreadPoolTaskRunner

from flows.read import read_fetched
from flows.runs import MAX_PARALLEL_TASKS, RunSummary, retry_if_transient, run_lifecycle, run_logger
from tasks import normalise, progress
from tasks.config import DEFAULT_SOURCES_FILE, Source, load_sources
from tasks.dedupe.decide import BatchDedupe
from tasks.dedupe.exact import FetchPlan, dedupe_batch, refetch_age, select_urls_to_fetch
from tasks.discover import Discovery, discover_source
from tasks.errors import FetchError
from tasks.extract import body as extraction
from tasks.fetch.client import Fetcher
from tasks.records import Article, DiscoveredUrl, FetchedPage, Reject, SourceStats, Validators
from tasks.warehouse.db import engine, ensure_current
from tasks.warehouse.reads import known_urls, listing_validators, page_validators
from tasks.warehouse.runs import sync_sources
from tasks.warehouse.writes import load_batch, mark_unchanged, save_listing_validators, save_rejects

# Statuses that are a final answer for a URL: stored in news.pages, so the next run skips the URL.
FINAL_STATUSES = frozenset({200, 203, 404, 410})


@flow(name="ingest", task_runner=ThreadPoolTaskRunner(max_workers=MAX_PARALLEL_TASKS), log_prints=False)
def ingest(sources_file: str = str(DEFAULT_SOURCES_FILE), only: list[str] | None = None,
           limit: int | None = None) -> RunSummary | State:
    """Ingest every source in ``sources_file`` (or those named in ``only``); ``limit`` caps new pages per source."""
    sources = load_sources(Path(sources_file), only)
    eng = engine()
    ensure_current(eng)  # skipped when the command that started this flow checked it (one_check_per_command)
    sync_sources(eng, sources)
    with run_lifecycle("ingest", [s.name for s in sources], f"{len(sources)} sources from {sources_file}") as run:
        extraction.warm_up()
        if any(s.language is None for s in sources):  # only sources without a language run the detector
            normalise.warm_up()
        discoveries = {s.name: discover.submit(s, run.id, limit) for s in sources}
        plans: list[SourcePlan] = []
        for source in sources:
            try:
                plan: SourcePlan = discoveries[source.name].result()
            except Exception as exc:
                run.add_source(SourceStats(source.name, error=f"discovery failed: {exc}"))
                continue
            run.submit_batches(ingest_batch, source, plan.plan.to_fetch, stats=plan.stats, in_order=True)
            plans.append(plan)
        for plan in plans:
            if run.loaded(plan.source.name):  # a listing is remembered only once its URLs are all held
                remember_listings(plan, run.id)
    return run.outcome()


@dataclass(frozen=True)
class SourcePlan:
    """What discovery found for a source and which URLs this run will fetch."""

    source: Source
    plan: FetchPlan
    stats: SourceStats
    discovery: Discovery


@task(name="discover", retries=2, retry_delay_seconds=[5, 30], retry_condition_fn=retry_if_transient,
      cache_policy=NO_CACHE, task_run_name="discover-{source.name}")
def discover(source: Source, run_id: int, limit: int | None = None) -> SourcePlan:
    """Read the source's listings, store their rejects, and pick the URLs not yet held."""
    log = run_logger()
    eng = engine()
    with Fetcher(source=source) as fetcher:
        discovery = discover_source(source, fetcher, listing_validators(eng, source.name))
    save_rejects(eng, run_id, discovery.rejects)
    known = known_urls(eng, [u.url for u in discovery.urls], refetch_age())
    plan = select_urls_to_fetch(discovery.urls, known, limit)
    failed_all = discovery.listings_ok == 0
    stats = SourceStats(
        source.name,
        discovered=len(discovery.urls),
        rejected=len(discovery.rejects),
        not_modified=discovery.not_modified,
        error=f"every feed, sitemap and listing failed: {discovery.rejects[0].detail}"
        if failed_all and discovery.rejects else None,
    )
    progress.report(source.name, total=len(plan.to_fetch))
    for reject in discovery.rejects:
        log.warning("%s: listing %s rejected (%s): %s", source.name, reject.url, reject.code, reject.detail)
    log.info("%s: %d article URLs in %d listings; %d already held, %d to fetch%s", source.name,
             len(discovery.urls), discovery.listings_ok, plan.already_held, len(plan.to_fetch),
             f" ({plan.over_limit} left for later runs by --limit)" if plan.over_limit else "")
    return SourcePlan(source, plan, stats, discovery)


@task(name="ingest-batch", retries=1, retry_delay_seconds=10, retry_condition_fn=retry_if_transient,
      cache_policy=NO_CACHE, task_run_name="ingest-batch-{source.name}-{label}")
def ingest_batch(source: Source, run_id: int, urls: list[DiscoveredUrl], label: str = "1/1") -> SourceStats:
    """Fetch and read a batch of pages, then dedupe and load it in one transaction.

    ``label`` ("2/5": second of five batches of this source) is for the progress log.
    """
    pages: list[FetchedPage] = []
    articles: list[Article] = []
    rejects: list[Reject] = []
    not_modified: list[str] = []  # URLs that answered 304: the article is as stored
    known = page_validators(engine(), [u.url for u in urls])
    # Pages are fetched on up to max_connections threads; the host limiter spaces their starts.
    with Fetcher(source=source) as fetcher, ThreadPoolExecutor(max_workers=source.max_connections) as pool:
        outcomes = pool.map(lambda item: fetch_and_read(source, item, fetcher, known.get(item.url)), urls)
        for page, article, reject in outcomes:
            if page is not None and page.status == 304:
                not_modified.append(page.url)
            elif page is not None:
                pages.append(page)
            if article is not None:
                articles.append(article)
            if reject is not None:
                rejects.append(reject)
            progress.report(source.name, fetched=1, rejected=int(reject is not None))
    return dedupe_and_load(source, run_id, f"batch {label}: {len(urls)} pages", pages, articles, rejects,
                           not_modified, fetched=len(urls))


def fetch_and_read(source: Source, item: DiscoveredUrl, fetcher: Fetcher,
                   validators: Validators | None = None) -> tuple[FetchedPage | None, Article | None, Reject | None]:
    """One page through fetch -> read: (page to store, article, reject).

    A 304 to a conditional request comes back as the page (status 304) alone: nothing to read.
    """
    try:
        page = fetcher.fetch(item.url, validators=validators)
    except FetchError as exc:
        return None, None, Reject(source.name, item.url, "fetch", exc.code, exc.detail, exc.status)
    if page.status == 304:
        return page, None, None
    stored = page if page.status in FINAL_STATUSES else None
    if page.status != 200:
        return stored, None, Reject(source.name, item.url, "fetch", "http_status", f"HTTP {page.status}", page.status)
    article, reject = read_fetched(source, page, title_hint=item.title_hint, published_hint=item.published_hint)
    return stored, article, reject


def dedupe_and_load(source: Source, run_id: int, batch: str, pages: list[FetchedPage], articles: list[Article],
                    rejects: list[Reject], not_modified: Sequence[str] = (), **counts: int) -> SourceStats:
    """The end of every batch, fetched or reprocessed: one article per URL and text, loaded in one transaction.

    ``not_modified`` are URLs that answered 304 (their articles are marked seen); ``counts`` are the
    batch's own (``fetched``, ``discovered``); ``batch`` names it in the log ("batch 2/5: 25 pages").
    """
    unique, duplicates = dedupe_batch(articles)  # one article per URL and text within the batch
    result = load_batch(engine(), run_id, source.name, pages, BatchDedupe(unique), rejects)
    if not_modified:
        mark_unchanged(engine(), list(not_modified))
    stats = SourceStats(source.name, new=result.new, updated=result.updated, unchanged=result.unchanged,
                        duplicates=result.duplicates + len(duplicates), rejected=result.rejected,
                        not_modified=len(not_modified), **counts)
    run_logger().info("%s %s: %d new, %d updated, %d unchanged, %d duplicates, %d rejected", source.name, batch,
                      stats.new, stats.updated, stats.unchanged, stats.duplicates, stats.rejected)
    return stats


def remember_listings(plan: SourcePlan, run_id: int) -> int:
    """Store the validators of listings whose every article URL is now held; how many were stored.

    Only then: a listing remembered while some of its URLs were still unfetched (killed run,
    ``--limit``, a 503) would answer 304 next time and those URLs would never be found again.
    """
    discovery = plan.discovery
    if not discovery.fresh:
        return 0
    eng = engine()
    complete = {}
    for url, entry in discovery.fresh.items():
        listed = sorted(discovery.listed.get(url, ()))
        if len(known_urls(eng, listed, refetch_age())) == len(listed):
            complete[url] = entry
    save_listing_validators(eng, plan.source.name, run_id, complete)
    return len(complete)
