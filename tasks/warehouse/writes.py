"""Write to the warehouse: every statement is a file in ``sql/`` run with bound parameters (reads: ``reads``).

A batch of pages is loaded in one transaction (pages, articles, their stories, rejects together),
so a batch is either stored whole or not at all. The pages go in multi-row statements
(about 1 MB of compressed pages each) and each article in one or two (its lookup, then
its insert with its URLs, buckets and story), with no savepoint. When the database
refuses a row (or the driver a value), the transaction is rolled back and the batch is
written again with a savepoint around each page and each article, so that the bad row
becomes a ``load`` reject of its own instead of losing its batch: only a batch that
needs savepoints pays for them. Values the database would refuse are kept out before
that: a header value holding NUL is not stored, a listing's validators that cannot be
stored are skipped with a warning, and a reject's words are written so that they always
can be. Raw pages are gzip-compressed at level 1 (a quarter of level 6's CPU for about a
fifth more bytes) before the transaction opens, or were already where they were read
(``tasks.warehouse.packing``). What an article
is (new, updated, unchanged, a duplicate; its story) is decided by ``tasks.dedupe``
on the batch's connection, which also takes the batch's locks (the held row ``FOR
UPDATE``, the LSH buckets advisory-locked); this module applies the decision.
Uniqueness (canonical URL; content hash per source; each known URL) is enforced by the
database with ``INSERT ... ON CONFLICT``, which keeps concurrent runs from writing the
same article twice: an insert that meets a row is decided again, seeing that row.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, fields
from datetime import date
from typing import Protocol

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from tasks.errors import DatabaseError
from tasks.records import Article, DedupeDecision, FetchedPage, Reject, Validators
from tasks.text import storable, storable_text
from tasks.warehouse.db import is_row_fault, query, timeout_reason
from tasks.warehouse.packing import Packed, pack_body

log = logging.getLogger(__name__)

# Response headers worth keeping with a page (for conditional requests and debugging).
KEPT_HEADERS = ("content-type", "content-length", "etag", "last-modified", "date", "cache-control",
                "content-language", "location")

# Faults of one row become a reject of that row: what ``db.is_row_fault`` says the database refused,
# and the driver's ValueError for a value it cannot send. Anything else (connection lost, server
# gone, a timeout) fails the whole batch, which rolls back.
ROW_FAULTS = (sa.exc.DBAPIError, ValueError)




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
    """Write rejects in one statement; their words made storable first, so this insert cannot be refused."""
    rows = list(rejects)
    if rows:
        conn.execute(query("load/insert_rejects.sql"), {
            "run_id": run_id, "sources": [r.source for r in rows], "urls": [storable_text(r.url) for r in rows],
            "stages": [r.stage for r in rows], "reason_codes": [r.code for r in rows],
            "reasons": [storable_text(r.detail[:2000]) for r in rows], "http_statuses": [r.http_status for r in rows],
        })
    return len(rows)


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


# Every field of the record is a column of news.articles of the same name (a migration adds the column,
# tasks/records.py the field); the statements are built from these names once, here.
ARTICLE_FIELDS = tuple(f.name for f in fields(Article))
INSERT_ARTICLE = query("load/insert_article.sql", ARTICLE_FIELDS)  # with its URLs, buckets and story
REVISE_ARTICLE = query("load/revise_article.sql", ARTICLE_FIELDS)


class Decisions(Protocol):
    """What the dedupe step hands the writer for a batch (``tasks.dedupe.decide.BatchDedupe``).

    The writer opens the transaction; on its connection the dedupe step first locks what its
    decisions depend on, then decides each article just before the writer applies it.
    """

    articles: Sequence[Article]

    def lock(self, conn: Connection) -> None: ...

    def decide(self, conn: Connection, article: Article, *, after_conflict: bool = False) -> DedupeDecision: ...


def load_batch(eng: Engine, run_id: int, source: str, pages: list[FetchedPage], decisions: Decisions,
               rejects: list[Reject], packed: Mapping[str, Packed] | None = None) -> BatchResult:
    """Store a batch's raw pages, its articles as the dedupe step decides them, and rejects, in one transaction.

    ``packed``: pages (by URL) compressed and hashed already where they were read (``tasks.warehouse.packing``).

    A lock not granted or a statement over its time (``NEWSETL_LOCK_TIMEOUT``, ``NEWSETL_STATEMENT_TIMEOUT``)
    is a DatabaseError saying so: the batch is not loaded, the run goes on.
    """
    # Pages and articles in key order, so that two runs loading the same pages lock rows in one order.
    pages = sorted(pages, key=lambda p: p.url)
    articles = sorted(decisions.articles, key=lambda a: a.canonical_url)
    try:
        return _load(eng, run_id, source, pages, articles, rejects, decisions, packed or {})
    except sa.exc.OperationalError as exc:
        reason = timeout_reason(exc)
        if reason is None:
            raise
        raise DatabaseError(f"batch not loaded: {reason}") from None


def _load(eng: Engine, run_id: int, source: str, pages: list[FetchedPage], articles: list[Article],
          rejects: list[Reject], decisions: Decisions, packed: Mapping[str, Packed]) -> BatchResult:
    # Compressed before the transaction opens: no lock is held while the CPU works. A URL fetched twice
    # keeps its last page, as one upsert after the other would.
    page_rows = [_page_row(page, source, run_id, packed.get(page.url)) for page in {p.url: p for p in pages}.values()]
    try:
        with eng.begin() as conn:
            return _write(conn, run_id, source, page_rows, articles, rejects, decisions, isolate=False)
    except ROW_FAULTS as exc:
        _raise_unless_row_fault(exc)
        log.info("%s: the database refused a row of a batch (%s); writing the batch again row by row", source,
                 _refusal(exc))
    with eng.begin() as conn:
        return _write(conn, run_id, source, page_rows, articles, rejects, decisions, isolate=True)


def _write(conn: Connection, run_id: int, source: str, page_rows: list[dict], articles: list[Article],
           rejects: list[Reject], decisions: Decisions, *, isolate: bool) -> BatchResult:
    """The batch's statements on one transaction. ``isolate``: each page and article in a savepoint of its
    own, a refused one a reject; else no savepoint, and a refused row raises (the caller writes it again)."""
    result = BatchResult()
    load_rejects: list[Reject] = []
    decisions.lock(conn)
    for rows in ([[row] for row in page_rows] if isolate else _by_size(page_rows)):
        try:
            with _savepoint(conn, isolate):
                upsert_pages(conn, rows, source, run_id)
        except ROW_FAULTS as exc:
            if not isolate:
                raise
            _raise_unless_row_fault(exc)
            load_rejects.append(Reject(source, rows[0]["url"], "load", "db_refused",
                                       f"database refused the page row: {_refusal(exc)}"))
    for article in articles:
        try:
            with _savepoint(conn, isolate):
                kind = apply_decision(conn, article, decisions.decide(conn, article), run_id)
                if kind is None:  # the insert met a row of this URL or text: decide again, seeing it
                    kind = apply_decision(conn, article, decisions.decide(conn, article, after_conflict=True),
                                          run_id)
        except ROW_FAULTS as exc:
            if not isolate:
                raise
            _raise_unless_row_fault(exc)
            load_rejects.append(Reject(source, article.url, "load", "db_refused",
                                       f"database refused the row: {_refusal(exc)}"))
            continue
        counter = COUNTERS[kind]
        setattr(result, counter, getattr(result, counter) + 1)
    refresh_stories(conn, articles)
    result.rejected = insert_rejects(conn, run_id, [*rejects, *load_rejects])
    return result


def refresh_stories(conn: Connection, articles: Sequence[Article]) -> None:
    """Bring ``news.stories`` up to date for the stories of a batch's articles, in the batch's transaction.

    One statement per batch, whatever each article turned out to be: the stories are found again
    through the URLs that led to the articles (``news.article_urls``), so the hook needs nothing from
    the per-article writes. The story rows are locked in id order at the end of the transaction.
    """
    urls = sorted({u for a in articles for u in (a.url, a.canonical_url)})
    if urls:
        conn.execute(query("load/refresh_stories.sql"), {"urls": urls})


# Compressed page bytes per multi-row upsert: the statement goes as text (bytea hex-escaped, twice the size),
# so a bound keeps each batch thread's transient copies at a few MB whatever the pages weigh.
UPSERT_BYTES = 1_000_000


def _by_size(rows: list[dict]) -> Iterator[list[dict]]:
    """The page rows in runs of about ``UPSERT_BYTES`` of compressed body each (a larger page alone)."""
    run: list[dict] = []
    size = 0
    for row in rows:
        if run and size + len(row["body_gzip"]) > UPSERT_BYTES:
            yield run
            run, size = [], 0
        run.append(row)
        size += len(row["body_gzip"])
    if run:
        yield run


def _savepoint(conn: Connection, isolate: bool) -> AbstractContextManager:
    return conn.begin_nested() if isolate else nullcontext()


def upsert_pages(conn: Connection, rows: list[dict], source: str, run_id: int) -> None:
    """Store raw pages (``_page_row``s, one per URL) in one statement."""
    if not rows:
        return
    params = {column: [row[key] for row in rows] for column, key in PAGE_COLUMNS.items()}
    conn.execute(query("load/upsert_pages.sql"), {**params, "source": source, "run_id": run_id})


# Array parameter of upsert_pages.sql -> key of a _page_row.
PAGE_COLUMNS = {"urls": "url", "final_urls": "final_url", "statuses": "status", "content_types": "content_type",
                "headers": "headers", "bodies": "body_gzip", "sha256s": "body_sha256", "fetched_ats": "fetched_at",
                "warc_files": "warc_file", "warc_offsets": "warc_offset"}


def _raise_unless_row_fault(exc: Exception) -> None:
    if isinstance(exc, sa.exc.DBAPIError) and not is_row_fault(exc):
        raise exc


def _refusal(exc: Exception) -> str:
    """The first line of Postgres's message, with its detail when it gives one (which value, which key)."""
    orig = getattr(exc, "orig", exc)
    reason = str(orig).strip().splitlines()[0]
    detail = getattr(getattr(orig, "diag", None), "message_detail", None)
    return f"{reason}: {detail}" if detail else reason


# The BatchResult counter of each kind of decision.
COUNTERS = {"new": "new", "updated": "updated", "unchanged": "unchanged", "duplicate": "duplicates"}


def apply_decision(conn: Connection, article: Article, decision: DedupeDecision, run_id: int) -> str | None:
    """Write one article as decided: insert, revise or touch it; its kind, or None when the insert wrote nothing.

    Every URL that led to it is kept (``news.article_urls``). A revised article keeps its story and
    gets a new version, the old one saved in ``news.article_versions``. None: another row already has
    this canonical URL or this source's same text (``ON CONFLICT DO NOTHING``); the caller decides again.
    """
    urls = sorted({article.url, article.canonical_url})
    if decision.kind == "new":
        inserted = conn.execute(INSERT_ARTICLE, {**_article_row(article, run_id), "urls": urls,
                                                 "cluster_id": decision.cluster_id,
                                                 "buckets": list(decision.buckets)}).first()
        return None if inserted is None else decision.kind
    held = decision.held_id
    if decision.kind == "updated":
        conn.execute(query("load/add_article_urls.sql"), {"article_id": held, "urls": urls})
        conn.execute(query("load/save_version.sql"), {"article_id": held, "run_id": run_id})
        conn.execute(REVISE_ARTICLE, {**_article_row(article, run_id), "article_id": held})
        replace_buckets(conn, held, decision.buckets)
        return decision.kind
    conn.execute(query("load/see_article.sql"), {"article_id": held, "urls": urls})
    if decision.cluster_id is not None:
        put_in_story(conn, held, decision.cluster_id, decision.buckets)
    return decision.kind


def put_in_story(conn: Connection, article_id: int, cluster_id: int, buckets: tuple[int, ...]) -> None:
    """Index a stored article under its LSH buckets and set its story (cluster)."""
    if buckets:
        conn.execute(query("load/insert_buckets.sql"), {"buckets": list(buckets), "article_id": article_id})
    conn.execute(query("load/set_cluster.sql"), {"cluster_id": cluster_id, "article_id": article_id})


def replace_buckets(conn: Connection, article_id: int, buckets: tuple[int, ...]) -> None:
    """A revised article keeps its story; its buckets follow its new text."""
    conn.execute(query("load/delete_buckets.sql"), {"article_id": article_id})
    if buckets:
        conn.execute(query("load/insert_buckets.sql"), {"buckets": list(buckets), "article_id": article_id})


def _article_row(a: Article, run_id: int) -> dict:
    """The record as one JSON object, field by field; the statements read it by column name."""
    record = {name: getattr(a, name) for name in ARTICLE_FIELDS}
    return {"row": json.dumps(record, ensure_ascii=False, default=_json_value), "run_id": run_id}


def _json_value(value: object) -> str:
    if isinstance(value, date):  # and datetime: ISO 8601 with its offset, which timestamptz reads
        return value.isoformat()
    raise TypeError(f"no JSON form for a {type(value).__name__} field")


def _page_row(page: FetchedPage, source: str, run_id: int, packed: Packed | None = None) -> dict:
    headers = {k: v for k, v in page.headers.items() if k in KEPT_HEADERS and storable(v)}
    body_gzip, body_sha256 = (packed.body_gzip, packed.body_sha256) if packed is not None else pack_body(page.body)
    return {
        "source": source, "url": page.url, "final_url": page.final_url, "status": page.status,
        "content_type": page.content_type or None, "headers": json.dumps(headers),
        "body_gzip": body_gzip, "body_sha256": body_sha256,
        "fetched_at": page.fetched_at, "run_id": run_id,
        "warc_file": page.warc_file, "warc_offset": page.warc_offset,
    }




def save_listing_validators(eng: Engine, source: str, run_id: int,
                            listings: dict[str, tuple[Validators, tuple[str, ...]]]) -> None:
    """Store each listing's validators on its own: one that cannot be stored is skipped with a warning
    (that listing is read in full next time; the others, and the run, are not affected)."""
    with eng.begin() as conn:
        for url, (validators, children) in listings.items():
            values = [url, validators.etag or "", validators.last_modified or "", *children]
            if not all(storable(v) for v in values):
                log.warning("%s: validators of %s not stored: they hold a NUL or a lone surrogate", source,
                            storable_text(url))
                continue
            try:
                with conn.begin_nested():
                    conn.execute(query("load/upsert_validators.sql"), {
                        "url": url, "source": source, "etag": validators.etag,
                        "last_modified": validators.last_modified, "children": list(children), "run_id": run_id})
            except ROW_FAULTS as exc:
                _raise_unless_row_fault(exc)
                log.warning("%s: validators of %s not stored: %s", source, url, _refusal(exc))
