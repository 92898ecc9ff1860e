"""Read the warehouse before a run fetches: which URLs are already answered, and what to send for a 304.

Discovery asks which listed URLs need no fetch (``known_urls``) and what validators
its feeds and sitemaps had at their last complete reading (``listing_validators``);
a batch asks the validators of its stored pages (``page_validators``). Each is one
statement in ``sql/load/`` run with bound parameters on a connection of its own;
nothing here writes.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.engine import Engine

from tasks.records import Validators
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
