"""Read back what the warehouse holds for re-extraction: its sources and their stored raw pages.

The ``reprocess`` flow starts here instead of at discovery and fetching: the sources
``news.sources`` knows, the ids of their stored article pages (HTTP 200 in ``news.pages``),
and those pages, a batch at a time, as the same :class:`FetchedPage` records a fetch
produces, so they go through the same read -> dedupe -> load steps. Every statement is a
file in ``sql/load/``.
"""

from __future__ import annotations

import gzip

from sqlalchemy.engine import Engine

from tasks.config import Source
from tasks.records import FetchedPage
from tasks.warehouse.db import query


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
