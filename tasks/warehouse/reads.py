"""Every read of the warehouse a flow makes outside a batch's transaction; nothing here writes.

Before fetching, discovery asks which listed URLs need no fetch (``known_urls``) and what
validators its feeds and sitemaps had at their last complete reading (``listing_validators``);
a batch asks the validators of its stored pages (``page_validators``). Instead of discovering
and fetching, ``reprocess`` reads back the sources ``news.sources`` knows (``held_sources``), the
ids of their stored article pages (``stored_page_ids``) and those pages, a batch at a time, as the
same :class:`FetchedPage` records a fetch produces (``stored_pages``). Each is one statement in
``sql/load/`` run with bound parameters on a connection of its own.
"""

from __future__ import annotations

import gzip
from datetime import timedelta

from sqlalchemy.engine import Engine

from tasks.config import Source
from tasks.records import FetchedPage, Validators
from tasks.warehouse.db import query


def known_urls(eng: Engine, urls: list[str], refetch_age: timedelta = timedelta(0)) -> set[str]:
    """The URLs among ``urls`` that need no fetch: already answered (see ``sql/load/known_urls.sql``).

    URLs of articles younger than ``refetch_age`` are left out, so they are fetched again (re-fetch policy).
    """
    if not urls:
        return set()
    with eng.connect() as conn:
        return set(conn.execute(query("load/known_urls.sql"), {"urls": urls, "refetch_age": refetch_age}).scalars())


def listing_validators(eng: Engine, source: str) -> dict[str, tuple[Validators, tuple[str, ...]]]:
    """URL -> (validators, child sitemaps) of the source's feeds and sitemaps as last read completely."""
    with eng.connect() as conn:
        rows = conn.execute(query("load/listing_validators.sql"), {"source": source}).all()
    return {r.url: (Validators(r.etag, r.last_modified), tuple(r.children)) for r in rows}


def page_validators(eng: Engine, urls: list[str]) -> dict[str, Validators]:
    """Validators of the stored pages among ``urls`` (for re-fetching them conditionally)."""
    if not urls:
        return {}
    with eng.connect() as conn:
        rows = conn.execute(query("load/page_validators.sql"), {"urls": urls}).all()
    return {r.url: Validators(r.etag, r.last_modified) for r in rows}


def held_sources(eng: Engine) -> dict[str, Source]:
    """The sources in ``news.sources``, by name, with the fields the warehouse keeps (no discovery settings)."""
    with eng.connect() as conn:
        rows = conn.execute(query("load/warehouse_sources.sql")).all()
    return {r.name: Source(name=r.name, title=r.title, homepage=r.homepage, language=r.language,
                           timezone=r.timezone) for r in rows}


def stored_page_ids(eng: Engine, sources: list[str]) -> dict[str, list[int]]:
    """Source -> ids of its stored article pages (HTTP 200), oldest first; every source in ``sources`` is a key."""
    with eng.connect() as conn:
        rows = conn.execute(query("load/stored_page_ids.sql"), {"sources": list(sources) or None}).all()
    by_source: dict[str, list[int]] = {name: [] for name in sources}
    for page_id, name in rows:
        by_source[name].append(page_id)
    return by_source


def stored_pages(eng: Engine, page_ids: list[int]) -> list[FetchedPage]:
    """The stored pages with these ids, in id order, as they were fetched (body decompressed)."""
    with eng.connect() as conn:
        rows = conn.execute(query("load/stored_pages.sql"), {"ids": page_ids}).all()
    return [FetchedPage(url=r.url, final_url=r.final_url, status=r.status, headers=dict(r.headers),
                        body=gzip.decompress(r.body_gzip), fetched_at=r.fetched_at) for r in rows]


def runs_of_flow_runs(eng: Engine, flow_run_ids: list[str]) -> list:
    """The ``news.ingest_runs`` rows (with their per-source rows) of these Prefect flow runs."""
    with eng.connect() as conn:
        return conn.execute(query("load/runs_of_flow_runs.sql"), {"flow_run_ids": flow_run_ids}).all()
