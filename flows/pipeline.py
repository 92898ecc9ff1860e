"""The two units of work a flow schedules: discover one source, and ingest one batch of its pages.

Prefect costs about 20 ms per task run, so a task is a source or a batch of pages,
never a single URL; the per-page steps (fetch, extract, normalise, dedupe) run
inside :func:`ingest_batch` and the batch is loaded in one transaction. Both are
plain functions first, wrapped as Prefect tasks at the bottom. A bad page or
listing becomes a reject row; only a failing database raises, and that is what
the Prefect retries are for (HTTP is retried inside ``tasks.fetch.client``).
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.exceptions import MissingContextError

from flows.read import read_fetched
from tasks import progress
from tasks.config import Source, settings
from tasks.dedupe.exact import FetchPlan, dedupe_batch, select_urls_to_fetch
from tasks.discover import Discovery, discover_source
from tasks.fetch.client import Fetcher, FetchError
from tasks.records import Article, DiscoveredUrl, FetchedPage, Reject, SourceStats, Validators
from tasks.warehouse.db import engine
from tasks.warehouse.reads import known_urls, listing_validators, page_validators
from tasks.warehouse.writes import load_batch, mark_unchanged, save_listing_validators, save_rejects

# Statuses that are a final answer for a URL: stored in news.pages, so the next run skips the URL.
FINAL_STATUSES = frozenset({200, 203, 404, 410})


def run_logger() -> logging.Logger | logging.LoggerAdapter:
    """Prefect's run logger inside a flow or task run (so lines show in the UI), else a plain logger."""
    try:
        return get_run_logger()
    except MissingContextError:
        return logging.getLogger("newsetl")


@dataclass(frozen=True)
class SourcePlan:
    """What discovery found for a source and which URLs this run will fetch."""

    source: Source
    plan: FetchPlan
    stats: SourceStats
    discovery: Discovery | None = None


def discover_urls(source: Source, run_id: int, limit: int | None = None) -> SourcePlan:
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
        error=f"every feed, sitemap and listing failed: {discovery.rejects[0].reason}"
        if failed_all and discovery.rejects else None,
    )
    progress.report(source.name, total=len(plan.to_fetch))
    for reject in discovery.rejects:
        log.warning("%s: listing %s rejected: %s", source.name, reject.url, reject.reason)
    log.info("%s: %d article URLs in %d listings; %d already held, %d to fetch%s", source.name,
             len(discovery.urls), discovery.listings_ok, plan.already_held, len(plan.to_fetch),
             f" ({plan.over_limit} left for later runs by --limit)" if plan.over_limit else "")
    return SourcePlan(source, plan, stats, discovery)


def remember_listings(plan: SourcePlan, run_id: int) -> int:
    """Store the validators of listings whose every article URL is now held; how many were stored.

    Only then: a listing remembered while some of its URLs were still unfetched (killed run,
    ``--limit``, a 503) would answer 304 next time and those URLs would never be found again.
    """
    discovery = plan.discovery
    if discovery is None or not discovery.fresh:
        return 0
    eng = engine()
    complete = {}
    for url, entry in discovery.fresh.items():
        listed = sorted(discovery.listed.get(url, ()))
        if len(known_urls(eng, listed, refetch_age())) == len(listed):
            complete[url] = entry
    save_listing_validators(eng, plan.source.name, run_id, complete)
    return len(complete)


def refetch_age() -> timedelta:
    """Re-fetch policy: articles younger than this (``NEWSETL_REFETCH_DAYS``, default 2) are fetched again."""
    return timedelta(days=settings().refetch_days)


def ingest_batch(source: Source, run_id: int, urls: list[DiscoveredUrl], label: str = "1/1") -> SourceStats:
    """Fetch, extract, normalise and dedupe a batch of pages, then load it in one transaction.

    ``label`` ("2/5": second of five batches of this source) is for the progress log.
    """
    pages: list[FetchedPage] = []
    articles: list[Article] = []
    rejects: list[Reject] = []
    not_modified: list[str] = []  # URLs that answered 304: the article is as stored
    known = page_validators(engine(), [u.url for u in urls])
    # Pages are fetched on up to max_connections threads; the host limiter spaces their starts.
    with Fetcher(source=source) as fetcher, ThreadPoolExecutor(max_workers=source.max_connections) as pool:
        outcomes = pool.map(lambda item: _ingest_page(source, item, fetcher, known.get(item.url)), urls)
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
    unique, duplicates = dedupe_batch(articles)
    result = load_batch(engine(), run_id, source.name, pages, unique, rejects)
    if not_modified:
        mark_unchanged(engine(), not_modified)
    stats = SourceStats(source.name, fetched=len(urls), new=result.new, updated=result.updated,
                        unchanged=result.unchanged, duplicates=result.duplicates + len(duplicates),
                        rejected=result.rejected, not_modified=len(not_modified))
    run_logger().info("%s batch %s: %d pages: %d new, %d updated, %d unchanged, %d duplicates, %d rejected",
                      source.name, label, len(urls), stats.new, stats.updated, stats.unchanged, stats.duplicates,
                      stats.rejected)
    return stats


def _ingest_page(source: Source, item: DiscoveredUrl, fetcher: Fetcher,
                 validators: Validators | None = None) -> tuple[FetchedPage | None, Article | None, Reject | None]:
    """One page through fetch -> extract -> normalise: (page to store, article, reject).

    A 304 to a conditional request comes back as the page (status 304) alone: nothing to parse.
    """
    try:
        page = fetcher.fetch(item.url, validators=validators)
    except FetchError as exc:
        return None, None, Reject(source.name, item.url, "fetch", exc.reason, exc.status)
    if page.status == 304:
        return page, None, None
    stored = page if page.status in FINAL_STATUSES else None
    if page.status != 200:
        return stored, None, Reject(source.name, item.url, "fetch", f"HTTP {page.status}", page.status)
    article, reject = read_fetched(source, page, title_hint=item.title_hint, published_hint=item.published_hint)
    return stored, article, reject


discover_task = task(discover_urls, name="discover", retries=2, retry_delay_seconds=[5, 30],
                     cache_policy=NO_CACHE, task_run_name="discover-{source.name}")
ingest_batch_task = task(ingest_batch, name="ingest-batch", retries=1, retry_delay_seconds=10,
                         cache_policy=NO_CACHE, task_run_name="ingest-batch-{source.name}-{label}")
