"""Write to the warehouse: every statement is a file in ``sql/`` run with bound parameters.

A batch of pages is loaded in one transaction (pages, articles, rejects together),
so a batch is either stored whole or not at all; each article gets a savepoint,
so one bad row becomes a ``load`` reject instead of losing its batch. Uniqueness
(canonical URL; content hash per source) is enforced by the database, which keeps
concurrent runs from writing the same article twice.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from tasks.config import Source
from tasks.db import query
from tasks.records import Article, FetchedPage, Reject, SourceStats

log = logging.getLogger(__name__)

# Response headers worth keeping with a page (for conditional requests and debugging).
KEPT_HEADERS = ("content-type", "content-length", "etag", "last-modified", "date", "cache-control",
                "content-language", "location")

# Faults of one row (bad data, a constraint): that row becomes a reject. Anything else
# (connection lost, server gone) fails the whole batch, which then rolls back and is retried.
ROW_FAULTS = (sa.exc.DataError, sa.exc.IntegrityError, ValueError)


def sync_sources(eng: Engine, sources: Iterable[Source]) -> None:
    with eng.begin() as conn:
        for s in sources:
            conn.execute(query("load/upsert_source.sql"), {
                "name": s.name, "title": s.title, "homepage": s.homepage,
                "language": s.language, "timezone": s.timezone,
            })


def start_run(eng: Engine, sources: list[str], flow_run_id: str | None) -> int:
    with eng.begin() as conn:
        return conn.execute(query("load/start_run.sql"),
                            {"flow_run_id": flow_run_id, "sources": sources}).scalar_one()


def finish_run(eng: Engine, run_id: int, status: str, totals: SourceStats, error: str | None = None) -> None:
    with eng.begin() as conn:
        conn.execute(query("load/finish_run.sql"), {
            "run_id": run_id, "status": status, "error": error,
            **{name: getattr(totals, name) for name in SourceStats.COUNTS},
        })


def record_run_source(eng: Engine, run_id: int, stats: SourceStats) -> None:
    with eng.begin() as conn:
        conn.execute(query("load/record_run_source.sql"), {
            "run_id": run_id, "source": stats.source, "error": stats.error,
            **{name: getattr(stats, name) for name in SourceStats.COUNTS},
        })


def known_urls(eng: Engine, urls: list[str]) -> set[str]:
    """The URLs among ``urls`` that need no fetch: already answered (see ``sql/load/known_urls.sql``)."""
    if not urls:
        return set()
    with eng.connect() as conn:
        return set(conn.execute(query("load/known_urls.sql"), {"urls": urls}).scalars())


def insert_rejects(conn: Connection, run_id: int, rejects: Iterable[Reject]) -> int:
    count = 0
    for r in rejects:
        conn.execute(query("load/insert_reject.sql"), {
            "run_id": run_id, "source": r.source, "url": r.url, "stage": r.stage,
            "reason": r.reason[:2000], "http_status": r.http_status,
        })
        count += 1
    return count


def save_rejects(eng: Engine, run_id: int, rejects: list[Reject]) -> int:
    with eng.begin() as conn:
        return insert_rejects(conn, run_id, rejects)


@dataclass
class BatchResult:
    """What loading one batch did, counted for the run summary."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: int = 0
    rejected: int = 0


def load_batch(eng: Engine, run_id: int, source: str, pages: list[FetchedPage], articles: list[Article],
               rejects: list[Reject]) -> BatchResult:
    """Store a batch's raw pages, articles and rejects in one transaction."""
    result = BatchResult()
    load_rejects: list[Reject] = []
    with eng.begin() as conn:
        for page in pages:
            conn.execute(query("load/upsert_page.sql"), _page_row(page, source, run_id))
        for article in articles:
            try:
                with conn.begin_nested():
                    outcome = _upsert_article(conn, article, run_id)
            except ROW_FAULTS as exc:
                reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
                load_rejects.append(Reject(source, article.url, "load", f"database refused the row: {reason}"))
                continue
            setattr(result, outcome, getattr(result, outcome) + 1)
        result.rejected = insert_rejects(conn, run_id, [*rejects, *load_rejects])
    return result


def _upsert_article(conn: Connection, article: Article, run_id: int) -> str:
    """Insert, update or touch one article; returns the counter it belongs to."""
    row = _article_row(article, run_id)
    if conn.execute(query("load/update_changed_article.sql"), row).first():
        return "updated"
    touched = conn.execute(query("load/touch_article.sql"), row).first()
    if touched:
        return "unchanged" if touched.url == article.url else "duplicates"
    if conn.execute(query("load/insert_article.sql"), row).first():
        return "new"
    # Nothing inserted: the same text of this source is held under another URL,
    # or a concurrent run inserted this canonical URL a moment ago.
    return "duplicates"


def _article_row(a: Article, run_id: int) -> dict:
    return {
        "source": a.source, "url": a.url, "canonical_url": a.canonical_url, "title": a.title,
        "lead": a.lead, "body": a.body, "captions": list(a.captions), "authors": list(a.authors),
        "published_at": a.published_at, "modified_at": a.modified_at, "section": a.section,
        "tags": list(a.tags), "language": a.language, "image_url": a.image_url,
        "word_count": a.word_count, "content_hash": a.content_hash, "dateline": a.dateline,
        "byline": a.byline, "published_raw": a.published_raw,
        "provenance": json.dumps(a.provenance, ensure_ascii=False), "run_id": run_id,
        "source_credit": a.source_credit, "modified_raw": a.modified_raw,
    }


def _page_row(page: FetchedPage, source: str, run_id: int) -> dict:
    headers = {k: v for k, v in page.headers.items() if k in KEPT_HEADERS}
    return {
        "source": source, "url": page.url, "final_url": page.final_url, "status": page.status,
        "content_type": page.content_type or None, "headers": json.dumps(headers),
        "body_gzip": gzip.compress(page.body, compresslevel=6),
        "body_sha256": hashlib.sha256(page.body).hexdigest(),
        "fetched_at": page.fetched_at, "run_id": run_id,
    }
