"""What loading a read page costs in CPU and no database, done where the page is read: ``pack``.

A read worker (``flows.read_pool``) holds the page's bytes and its article. The run's process, where
the fetch and load threads of every source share one GIL, would otherwise gzip the raw page (about
2 ms for 170 KB), hash it, and hash the article's shingles (about 1.3 ms) again when the batch loads.
So the worker does it and sends back the compressed page (a quarter of its size) and 8 bytes a
shingle; the writer (``writes._page_row``) and the dedupe step (``near.fingerprints``) use them when
they are there and compute them when not (pages read in the run's own process, reprocess, backfill).
Light on purpose (no database, no numpy): a worker imports it.
"""

from __future__ import annotations

import gzip
import hashlib
from dataclasses import dataclass

from tasks.dedupe.shingles import shingle_digests, story_text
from tasks.records import Article

# gzip level of stored raw pages: level 1 costs about a quarter of level 6's CPU on news pages
# (2.1 vs 8.6 ms for a 270 KB page here) for 23 % of the size instead of 19 %.
PAGE_GZIP_LEVEL = 1


@dataclass(frozen=True)
class Packed:
    """A page's body as ``news.pages`` stores it, and its article's shingle digests (None: no article)."""

    body_gzip: bytes
    body_sha256: str
    shingle_digests: bytes | None = None


def pack_body(body: bytes) -> tuple[bytes, str]:
    """(gzip, hex SHA-256) of a raw page: its ``body_gzip`` and ``body_sha256``."""
    return gzip.compress(body, compresslevel=PAGE_GZIP_LEVEL), hashlib.sha256(body).hexdigest()


def pack(body: bytes, article: Article | None) -> Packed:
    compressed, sha256 = pack_body(body)
    digests = shingle_digests(story_text(article.lead, article.body)) if article is not None else None
    return Packed(compressed, sha256, digests)
