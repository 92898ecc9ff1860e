"""Write to the warehouse: every statement is a file in ``sql/`` run with bound parameters (reads: ``reads``).

A batch of pages is loaded in one transaction (pages, articles, rejects together),
so a batch is either stored whole or not at all; each article gets a savepoint,
so one bad row becomes a ``load`` reject instead of losing its batch. Uniqueness
(canonical URL; content hash per source; each known URL) is enforced by the database,
which keeps concurrent runs from writing the same article twice; a revised article's
row is locked (``SELECT ... FOR UPDATE``) so two runs cannot lose each other's update;
and the near-duplicate buckets of a batch are advisory-locked (``tasks.dedupe.near``) so
concurrent runs put one story in one cluster.
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
from tasks.dedupe.near import Fingerprint, assign_cluster, fingerprint, lock_buckets, replace_buckets, threshold
from tasks.records import Article, FetchedPage, Reject, SourceStats, Validators
from tasks.warehouse.db import query

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


def mark_unchanged(target: Engine | Connection, urls: list[str]) -> int:
    """Articles whose re-fetch answered 304 Not Modified: move their ``last_seen_at``; returns how many.

    The URLs are normalised request URLs (``FetchedPage.url``); any URL known to lead to an
    article (``news.article_urls``) finds it. Nothing else about the article changes.
    """
    if not urls:
        return 0
    if isinstance(target, Engine):
        with target.begin() as conn:
            return mark_unchanged(conn, urls)
    return len(target.execute(query("load/mark_unchanged.sql"), {"urls": list(urls)}).all())


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
               rejects: list[Reject], neardup_threshold: float | None = None) -> BatchResult:
    """Store a batch's raw pages, articles and rejects in one transaction.

    ``neardup_threshold`` overrides the configured containment threshold (for evaluating it).
    """
    result = BatchResult()
    load_rejects: list[Reject] = []
    # Pages and articles in key order, so that two runs loading the same pages lock rows in one order.
    pages = sorted(pages, key=lambda p: p.url)
    articles = sorted(articles, key=lambda a: a.canonical_url)
    fingerprints = [fingerprint(a.lead, a.body) for a in articles]
    limit = threshold() if neardup_threshold is None else neardup_threshold
    with eng.begin() as conn:
        lock_buckets(conn, fingerprints)
        for page in pages:
            conn.execute(query("load/upsert_page.sql"), _page_row(page, source, run_id))
        for article, fp in zip(articles, fingerprints, strict=True):
            try:
                with conn.begin_nested():
                    outcome = _upsert_article(conn, article, run_id, fp, limit)
            except ROW_FAULTS as exc:
                reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
                load_rejects.append(Reject(source, article.url, "load", f"database refused the row: {reason}"))
                continue
            setattr(result, outcome, getattr(result, outcome) + 1)
        result.rejected = insert_rejects(conn, run_id, [*rejects, *load_rejects])
    return result


def _upsert_article(conn: Connection, article: Article, run_id: int, fp: Fingerprint, limit: float) -> str:
    """Insert, revise or touch one article; returns the counter it belongs to.

    Identity is the canonical URL or any URL already known to lead to the article; the
    same text under another URL of the source is the same article (its URLs are kept).
    A new article is put in its story (near-duplicate cluster); a changed one keeps its
    story and gets a new version, the old one saved in ``news.article_versions``.
    """
    row = _article_row(article, run_id)
    urls = sorted({article.url, article.canonical_url})
    held = conn.execute(query("load/find_article.sql"), row).first()
    if held is None:
        inserted = conn.execute(query("load/insert_article.sql"), row).first()
        if inserted is not None:
            conn.execute(query("load/add_article_urls.sql"), {"article_id": inserted.id, "urls": urls})
            assign_cluster(conn, inserted.id, fp, limit)
            return "new"
        # Nothing inserted: a concurrent run inserted this canonical URL a moment ago (found now),
        # or the same text of this source is held under another URL.
        held = conn.execute(query("load/find_article.sql"), row).first()
        if held is None:
            held = conn.execute(query("load/find_same_text.sql"), row).first()
            if held is None:
                raise ValueError("the article conflicts with a row that is no longer there")
    conn.execute(query("load/add_article_urls.sql"), {"article_id": held.id, "urls": urls})
    if held.content_hash != article.content_hash:
        conn.execute(query("load/save_version.sql"), {"article_id": held.id, "run_id": run_id})
        conn.execute(query("load/revise_article.sql"), {**row, "article_id": held.id})
        replace_buckets(conn, held.id, fp)
        return "updated"
    conn.execute(query("load/touch_article.sql"), {"article_id": held.id})
    if held.cluster_id is None:  # stored before clusters existed
        assign_cluster(conn, held.id, fp, limit)
    return "unchanged" if held.url == article.url else "duplicates"


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


# A run holds a session-level advisory lock (RUN_LOCK_KEY, run id) on one connection for as long as it
# lives; Postgres drops it the moment the process dies, which is how a dead 'running' run is recognised.
RUN_LOCK_KEY = 4_210_118


def abandon_dead_runs(eng: Engine) -> list[int]:
    """Mark runs whose process died while 'running' as 'abandoned'; their ids."""
    with eng.begin() as conn:
        return list(conn.execute(query("load/abandon_dead_runs.sql"), {"lock_key": RUN_LOCK_KEY}).scalars())


class RunLease:
    """A started run and the connection holding its lock; ``release()`` when the run has finished."""

    def __init__(self, eng: Engine, sources: list[str], flow_run_id: str | None):
        self._conn = eng.connect()
        try:
            with self._conn.begin():
                self.run_id = self._conn.execute(query("load/start_run_locked.sql"), {
                    "flow_run_id": flow_run_id, "sources": sources, "lock_key": RUN_LOCK_KEY}).scalar_one()
        except BaseException:
            self._conn.close()
            raise

    def release(self) -> None:
        """Close the lock's connection (closing drops the lock; a lost connection is already released)."""
        try:
            self._conn.invalidate()  # never back into the pool still holding the lock
        except sa.exc.SQLAlchemyError:
            pass
        finally:
            self._conn.close()


def save_listing_validators(eng: Engine, source: str, run_id: int,
                            listings: dict[str, tuple[Validators, tuple[str, ...]]]) -> None:
    with eng.begin() as conn:
        for url, (validators, children) in listings.items():
            conn.execute(query("load/upsert_validators.sql"), {
                "url": url, "source": source, "etag": validators.etag, "last_modified": validators.last_modified,
                "children": list(children), "run_id": run_id})
