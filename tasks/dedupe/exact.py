"""Decide what is new before anything is fetched or written twice.

Two exact checks live here: a discovered URL the warehouse already answered is not
fetched again (``select_urls_to_fetch``), and within one batch the same article
reached by two URLs (same canonical URL, or same text) is loaded once
(``dedupe_batch``). Across batches and concurrent runs the held rows decide
(``tasks.dedupe.decide``), and the database's unique constraints finish the job.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from tasks.config import settings
from tasks.records import Article, DiscoveredUrl


@dataclass(frozen=True)
class FetchPlan:
    """The URLs of one source to fetch this run, and how many were skipped as already held."""

    to_fetch: list[DiscoveredUrl]
    already_held: int
    over_limit: int


def refetch_age() -> timedelta:
    """Re-fetch policy: articles younger than this (``NEWSETL_REFETCH_DAYS``, default 2) are fetched again."""
    return timedelta(days=settings().refetch_days)


def select_urls_to_fetch(discovered: list[DiscoveredUrl], known: set[str], limit: int | None) -> FetchPlan:
    """Keep URLs not in ``known`` (normalised URLs the warehouse answered), in listing order, up to ``limit``."""
    fresh = [d for d in discovered if d.url not in known]
    cut = fresh if limit is None else fresh[:limit]
    return FetchPlan(to_fetch=cut, already_held=len(discovered) - len(fresh), over_limit=len(fresh) - len(cut))


def dedupe_batch(articles: list[Article]) -> tuple[list[Article], list[Article]]:
    """(unique, duplicates): the first article of each canonical URL and each source+content hash wins."""
    seen_urls: set[str] = set()
    seen_hashes: set[tuple[str, str]] = set()
    unique: list[Article] = []
    duplicates: list[Article] = []
    for article in articles:
        key = (article.source, article.content_hash)
        if article.canonical_url in seen_urls or key in seen_hashes:
            duplicates.append(article)
            continue
        seen_urls.add(article.canonical_url)
        seen_hashes.add(key)
        unique.append(article)
    return unique, duplicates
