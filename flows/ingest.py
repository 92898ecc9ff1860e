"""The ``ingest`` flow, which is the pipeline itself: discover -> fetch -> read -> dedupe -> load, per source.

Sources from ``sources.toml`` go in and one row of ``news.ingest_runs`` with its pages, articles
and rejects comes out. Each source is discovered by a task of its own, in parallel with the others.
Its feeds, sitemaps and listing pages give article URLs, and the URLs the warehouse already holds
are dropped. As soon as a source's discovery is done, one ``ingest-source`` task runs the rest in
batches of ``NEWSETL_BATCH_SIZE`` pages, one batch after another (so a site never sees two of our
batches at once), while the other sources' tasks run beside it: no task waits on another, so up
to ``MAX_PARALLEL_TASKS`` sources are fetched at the same time. Prefect costs about 20 ms per task
run, so tasks are per source, never per URL. A batch fetches its pages on the source's connections
and has each one read (decode -> extract -> normalise, ``flows.read``) by the run's worker processes
(``flows.read_pool``); then it keeps one article per URL and text and loads everything in one
transaction, in a thread of its own, while the next batch is already being fetched. A bad page or
listing becomes a reject row; a batch that fails costs itself alone. Only a failing database
raises: a load that failed on an error another attempt may get through (``is_transient``) is tried
once more, without fetching again; HTTP is retried inside the fetcher. The run around all this
(lease, per-source rows, failure path, summary artifact, the read workers) is ``flows.runs``.
"""

from __future__ import annotations

import contextvars
import time
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from prefect.futures import as_completed
from prefect.states import State
from prefect.task_runners import ThreadPoolTaskRunner

from flows.read import read_fetched
from flows.read_pool import ReadPool
from flows.runs import MAX_PARALLEL_TASKS, BatchTally, RunSummary, retry_if_transient, run_lifecycle, run_logger
from tasks import progress
from tasks.config import DEFAULT_SOURCES_FILE, Source, load_sources, settings
from tasks.dedupe.decide import BatchDedupe
from tasks.dedupe.exact import FetchPlan, dedupe_batch, refetch_age, select_urls_to_fetch
from tasks.discover import Discovery, discover_source
from tasks.errors import FetchError
from tasks.fetch.client import Fetcher
from tasks.fetch.hosts import shared_schedule
from tasks.records import Article, DiscoveredUrl, FetchedPage, Reject, SourceStats, Validators
from tasks.warehouse.db import engine, ensure_current, is_transient
from tasks.warehouse.packing import Packed
from tasks.warehouse.reads import known_urls, listing_validators, page_validators
from tasks.warehouse.runs import sync_sources
from tasks.warehouse.writes import load_batch, mark_unchanged, save_listing_validators, save_rejects

# Statuses that are a final answer for a URL: stored in news.pages, so the next run skips the URL.
FINAL_STATUSES = frozenset({200, 203, 404, 410})
# Seconds before a batch's load is tried again after an error another attempt may get through.
LOAD_RETRY_DELAY = 10


@flow(name="ingest", task_runner=ThreadPoolTaskRunner(max_workers=MAX_PARALLEL_TASKS), log_prints=False)
def ingest(sources_file: str = str(DEFAULT_SOURCES_FILE), only: list[str] | None = None,
           limit: int | None = None) -> RunSummary | State:
    """Ingest every source in ``sources_file`` (or those named in ``only``); ``limit`` caps new pages per source."""
    sources = load_sources(Path(sources_file), only)
    eng = engine()
    ensure_current(eng)  # skipped when the command that started this flow checked it (one_check_per_command)
    sync_sources(eng, sources)
    # Only sources without a language run the detector: its model is loaded up front only for them.
    with run_lifecycle("ingest", [s.name for s in sources], f"{len(sources)} sources from {sources_file}",
                       language_model=any(s.language is None for s in sources)) as run:
        timed = discover.with_options(timeout_seconds=settings().task_timeout)
        discoveries = {timed.submit(s, run.id, limit): s for s in sources}
        for source in sources:  # the summary lists the sources in the file's order, whichever finishes first
            run.add_source(SourceStats(source.name))
        plans: list[SourcePlan] = []
        for future in as_completed(list(discoveries)):  # each source starts fetching when its discovery is done
            source = discoveries[future]
            try:
                plan: SourcePlan = future.result()
            except Exception as exc:
                run.add_source(SourceStats(source.name, error=f"discovery failed: {exc}"))
                continue
            plans.append(plan)
            if not plan.plan.to_fetch:  # nothing new: no task, and no read worker started for it
                run.add_source(plan.stats)
                continue
            run.reader.start()  # the read workers warm up while the first pages are fetched
            run.submit_source(ingest_source, source, plan.plan.to_fetch, stats=plan.stats)
        for plan in sorted(plans, key=lambda p: sources.index(p.source)):
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
    with Fetcher(source=source, schedule=shared_schedule(eng)) as fetcher:
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


@task(name="ingest-source", cache_policy=NO_CACHE, task_run_name="ingest-{source.name}")
def ingest_source(source: Source, run_id: int, urls: list[DiscoveredUrl], reader: ReadPool,
                  tally: BatchTally) -> None:
    """Fetch, read and load the source's pages in batches, one after another; each batch goes in ``tally``.

    While a batch loads (in a thread of its own), the next one is fetched and read; the next load
    waits for it, so loads stay in order. A batch that fails is recorded and the next one goes on.
    """
    size = settings().batch_size
    batches = [urls[start:start + size] for start in range(0, len(urls), size)]
    # The host limiter spaces the fetch threads' starts through the warehouse's host schedule, so that
    # other workers fetching the same hosts keep the same spacing.
    with Fetcher(source=source, schedule=shared_schedule(engine())) as fetcher, \
            ThreadPoolExecutor(max_workers=source.max_connections, thread_name_prefix=f"fetch-{source.name}") as pool, \
            ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"load-{source.name}") as loader:
        loading: tuple[str, Future] | None = None
        for number, batch in enumerate(batches, start=1):
            label = f"{number}/{len(batches)}"
            try:
                for part in fetch_batch(source, batch, fetcher, pool, reader):
                    _settle(loading, tally)
                    # The loader thread logs to this task run: it runs in a copy of this thread's context.
                    loading = (label, loader.submit(contextvars.copy_context().run, load_fetched, source, run_id,
                                                    label, part))
            except Exception as exc:  # the batch's lookups failed: the database
                run_logger().error("%s batch %s not loaded: %s: %s", source.name, label, type(exc).__name__, exc)
                tally.fail(label, exc)
        _settle(loading, tally)


@dataclass
class FetchedBatch:
    """A batch's pages fetched and read, ready to load (in the order of its URLs)."""

    pages: list[FetchedPage] = field(default_factory=list)
    articles: list[Article] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    not_modified: list[str] = field(default_factory=list)  # URLs that answered 304: the article is as stored
    fetched: int = 0
    # What the read workers packed (tasks.warehouse.packing): pages by URL, shingle digests by (lead, body).
    packed: dict[str, Packed] = field(default_factory=dict)
    digests: dict[tuple[str | None, str], bytes] = field(default_factory=dict)


def fetch_batch(source: Source, urls: list[DiscoveredUrl], fetcher: Fetcher, pool: ThreadPoolExecutor,
                reader: ReadPool | None = None) -> Iterator[FetchedBatch]:
    """Fetch and read a batch of pages on the source's connections; what they gave, in one part or more.

    Once the raw pages held pass ``NEWSETL_BATCH_BYTES``, what was fetched so far is handed on as a
    part of its own, so that a batch of large pages never holds more than about that much.
    """
    known = page_validators(engine(), [u.url for u in urls])
    cap = settings().batch_bytes
    todo = iter(enumerate(urls))
    running: dict[Future, int] = {}
    done: list[tuple[int, Fetched]] = []
    held = 0

    def start_next() -> None:
        index, item = next(todo, (None, None))
        if item is not None:
            running[pool.submit(fetch_and_read, source, item, fetcher, known.get(item.url), reader)] = index

    for _ in range(source.max_connections):
        start_next()
    while running:
        finished, _ = wait(running, return_when=FIRST_COMPLETED)
        for future in finished:
            outcome = future.result()
            done.append((running.pop(future), outcome))
            page, _, reject, _ = outcome
            held += len(page.body) if page is not None and page.status != 304 else 0
            progress.report(source.name, fetched=1, rejected=int(reject is not None))
            start_next()
        if held >= cap and running:
            yield _part(done)
            done, held = [], 0
    yield _part(done)


def _part(done: list[tuple[int, Fetched]]) -> FetchedBatch:
    part = FetchedBatch(fetched=len(done))
    for _, (page, article, reject, packed) in sorted(done, key=lambda d: d[0]):
        if page is not None and page.status == 304:
            part.not_modified.append(page.url)
        elif page is not None:
            part.pages.append(page)
            if packed is not None:
                part.packed[page.url] = packed
        if article is not None:
            part.articles.append(article)
            if packed is not None and packed.shingle_digests is not None:
                part.digests[(article.lead, article.body)] = packed.shingle_digests
        if reject is not None:
            part.rejects.append(reject)
    return part


def load_fetched(source: Source, run_id: int, label: str, part: FetchedBatch) -> SourceStats:
    """Dedupe and load a fetched batch; tried once more, without fetching again, after a transient error."""
    batch = f"batch {label}: {part.fetched} pages"
    try:
        return dedupe_and_load(source, run_id, batch, part.pages, part.articles, part.rejects, part.not_modified,
                               packed=part.packed, digests=part.digests, fetched=part.fetched)
    except Exception as exc:
        if not is_transient(exc):
            raise
        run_logger().warning("%s %s: %s: %s; loading it again in %d s", source.name, batch, type(exc).__name__,
                             exc, LOAD_RETRY_DELAY)
    time.sleep(LOAD_RETRY_DELAY)
    return dedupe_and_load(source, run_id, batch, part.pages, part.articles, part.rejects, part.not_modified,
                           packed=part.packed, digests=part.digests, fetched=part.fetched)


def _settle(loading: tuple[str, Future] | None, tally: BatchTally) -> None:
    """Wait for a batch's load and put what it did (or its error) in the tally."""
    if loading is None:
        return
    label, future = loading
    try:
        tally.add(label, future.result())
    except Exception as exc:
        run_logger().error("batch %s not loaded: %s: %s", label, type(exc).__name__, exc)
        tally.fail(label, exc)


# What one URL gave: the page to store, its article, its reject, and what the read worker packed for the load.
Fetched = tuple[FetchedPage | None, Article | None, Reject | None, Packed | None]


def fetch_and_read(source: Source, item: DiscoveredUrl, fetcher: Fetcher, validators: Validators | None = None,
                   reader: ReadPool | None = None) -> Fetched:
    """One page through fetch -> read (by ``reader``, else in this thread): (page to store, article, reject,
    packed: the page compressed and its article's shingles hashed by the worker that read it, else None).

    A 304 to a conditional request comes back as the page (status 304) alone: nothing to read.
    """
    try:
        page = fetcher.fetch(item.url, validators=validators)
    except FetchError as exc:
        return None, None, Reject(source.name, item.url, "fetch", exc.code, exc.detail, exc.status), None
    if page.status == 304:
        return page, None, None, None
    stored = page if page.status in FINAL_STATUSES else None
    if page.status != 200:
        return (stored, None, Reject(source.name, item.url, "fetch", "http_status", f"HTTP {page.status}",
                                     page.status), None)
    hints = {"title_hint": item.title_hint, "published_hint": item.published_hint}
    if reader is None:
        return (stored, *read_fetched(source, page, **hints), None)
    return (stored, *reader.read_packed(source, page, **hints))


def dedupe_and_load(source: Source, run_id: int, batch: str, pages: list[FetchedPage], articles: list[Article],
                    rejects: list[Reject], not_modified: Sequence[str] = (), *,
                    packed: Mapping[str, Packed] | None = None,
                    digests: Mapping[tuple[str | None, str], bytes] | None = None, **counts: int) -> SourceStats:
    """The end of every batch, fetched or reprocessed: one article per URL and text, loaded in one transaction.

    ``not_modified`` are URLs that answered 304 (their articles are marked seen); ``counts`` are the
    batch's own (``fetched``, ``discovered``); ``batch`` names it in the log ("batch 2/5: 25 pages").
    ``packed`` and ``digests`` are what the read workers computed for the load (``FetchedBatch``).
    """
    unique, duplicates = dedupe_batch(articles)  # one article per URL and text within the batch
    result = load_batch(engine(), run_id, source.name, pages, BatchDedupe(unique, digests=digests), rejects,
                        packed)
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
